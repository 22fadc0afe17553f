#pragma once

#include "detect/correlation.h"
#include "detect/detectionevent.h"
#include "detect/fault.h"
#include "detect/localizer.h"
#include "detect/observation.h"
#include "detect/targetpolicy.h"
#include "detect/targetstatus.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace FaultDesk {

class TargetStateMachine;

/**
 * Detection and localization for a fleet: feed it observations, call tick(now), read events and state.
 * Per tick it judges the new checks (TargetStateMachine), counts missing checks as stale failures, blames
 * the monitor instead of the targets when over half of the probes fail at once, separates root causes from
 * symptoms over the dependency graph (Localizer), and keeps the faults and their incidents. Events come
 * back from tick() and through eventRaised(); targetsUpdated() (once per tick), targetUpdated() and faultChanged()
 * feed the item models.
 * Single-threaded and clock-free: the caller owns time.
 */
class Detector : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        /// More than this share of probes failing in one tick … (a target whose failing dependency explains its
        /// failure is not counted, unless every probe fails) …
        double degradedFraction = 0.5;
        int degradedMinTargets = 3; ///< … among at least this many checked targets: the monitor is degraded
        double degradedClearFraction = 0.4; ///< back to judging targets at or below this share (hysteresis)
        /// Connected faults (see the rules below) that begin this close to a fault of an open incident join it
        /// (one root, affected members, symptoms); 0 = every root cause is an incident of its own.
        qint64 correlationWindowMs = 30000;
        /// A fault on an incident's targets or pool this soon after it recovered joins it as an aftershock; also how
        /// long a symptom may outlive its cause before it counts as a root cause of its own. 0 = neither.
        qint64 aftershockGraceMs = 60000;
        bool correlateDependencies = true; ///< rule depends_on: a target and one of its dependencies
        bool correlatePool = true; ///< rule pool: members of one HAProxy backend (TargetPolicy::pool)
        bool correlateGroup = true; ///< rule group: targets of one group
        bool correlateTrafficPath = true; ///< rule traffic_path: an entry and its any_of members; pools of one entry
        int recoveredKept = 200; ///< recovered faults kept for the fault list
    };

    /**
     * A fault another system reports (an Alertmanager alert) rather than the probes. It lives next to the target's
     * probe fault, if any, and takes part in localization as a confirmed failure of its target: an alert on a target
     * whose dependency is down becomes that fault's symptom, and probe faults of its dependents become its symptoms.
     */
    struct ExternalFault
    {
        QString source; ///< who reports it, e.g. "alertmanager/am1"
        QString key; ///< unique within the source (the alert's fingerprint)
        QString target;
        CauseClass cause = CauseClass::Unhealthy;
        QString evidence; ///< one sentence, shown as the fault's evidence
        QMap<QString, QString> labels; ///< the alert's labels
        qint64 startsMs = 0; ///< when the outside system says it began
    };

    explicit Detector(QObject* parent = nullptr);
    ~Detector() override;

    void setSettings(const Settings& settings) { m_settings = settings; }
    Settings settings() const { return m_settings; }

    /// Replaces the whole fleet (a reload): all state and faults start afresh; emits targetsReset().
    void setTargets(const QList<TargetPolicy>& targets);
    /// Adds a target, or replaces its policy (its state starts afresh); emits targetAdded().
    void addTarget(const TargetPolicy& policy);
    /// Removes a target; its open faults clear. Emits targetRemoved().
    void removeTarget(const QString& name);
    /// Dependency graph problems (unknown targets, cycles), one message each.
    QStringList validateDependencies() const { return m_localizer.validate(); }

    /// Queues one check result; it is judged at the next tick(). Results for unknown targets are dropped.
    void observe(const Observation& observation);
    /// Judges everything queued, then staleness, the monitor's own health and localization, as of @p nowMs.
    QList<DetectionEvent> tick(qint64 nowMs);

    QStringList targetNames() const { return m_order; }
    std::optional<TargetStatus> status(const QString& target) const;
    QList<TargetStatus> statuses() const;
    /// The statuses of those of @p targets in the fleet, in their order. For the list targetsUpdated() carries (while
    /// no target joined or left since), found by index instead of a name lookup per target: the models' batch.
    QList<TargetStatus> statuses(const QStringList& targets) const;
    /// How many targets answer (TargetStatus::answers()), without building their statuses: the status line's count.
    int answeringCount() const;
    /// Open faults first (in detection order), then the recovered ones kept.
    QList<Fault> faults() const;
    QList<Fault> openFaults() const;
    std::optional<Fault> fault(const QString& id) const;
    bool isDegraded() const { return m_degraded; }

    /// Pins @p signal's threshold on @p target (std::nullopt returns it to adaptive/configured).
    bool pinThreshold(const QString& target, const QString& signal, std::optional<double> level);
    /// Remediation reports its progress (Handling, Handled, Recovering). Recovered is the detector's call.
    bool setFaultPhase(const QString& faultId, Fault::Phase phase);

    /**
     * Raises (or updates the evidence and cause of) the external fault @p fault as of @p nowMs; it is located at the
     * next tick(). Returns its fault id, or an empty string when the target is unknown.
     */
    QString raiseExternalFault(const ExternalFault& fault, qint64 nowMs);
    /// Clears the external fault @p key of @p source (the outside system says it resolved). False when unknown.
    bool clearExternalFault(const QString& source, const QString& key, const QString& reason, qint64 nowMs);
    /// The external fault behind open fault @p faultId, if it is one.
    std::optional<ExternalFault> externalFault(const QString& faultId) const;
    /// The open fault id of @p source's @p key, or empty.
    QString externalFaultId(const QString& source, const QString& key) const;
    /// Open fault ids raised by @p source.
    QStringList externalFaultIds(const QString& source) const;

    // Maintenance: planned work on a target must not raise faults.
    /**
     * Suppresses (@p note non-empty, e.g. "in a maintenance window until 14:30 (kernel upgrade)") or releases
     * (@p note empty) @p target. While suppressed its state machine runs and its status is kept, but no fault is
     * raised for it, nor for targets whose failure the localizer blames on it; a fault already open stays, marked
     * with @p note (Fault::maintenance) and not actionable. Once released, the next tick judges it afresh: a target
     * still failing gets its fault then. Emits targetUpdated() and faultChanged() for what changed.
     */
    void setSuppressed(const QString& target, const QString& note);
    /// The note @p target is suppressed with, or empty.
    QString suppression(const QString& target) const { return m_suppressed.value(target); }
    /// Every suppressed target with its note.
    QHash<QString, QString> suppressedTargets() const { return m_suppressed; }

Q_SIGNALS:
    void eventRaised(const FaultDesk::DetectionEvent& event);
    void targetsReset();
    void targetAdded(const QString& target);
    void targetRemoved(const QString& target);
    /// Something shown for the target changed outside a tick (a pinned threshold, maintenance).
    void targetUpdated(const QString& target);
    /// What a tick changed: every target whose values, state or flags changed, in fleet order; one signal per tick,
    /// so a model updates them as one batch.
    void targetsUpdated(const QStringList& targets);
    /// A fault appeared or changed (including becoming Recovered).
    void faultChanged(const FaultDesk::Fault& fault);
    /// A recovered fault was dropped from the kept list.
    void faultRemoved(const QString& faultId);
    /// A SOFT target asks for its fast re-check at @p dueMs.
    void retryRequested(const QString& target, qint64 dueMs);

private:
    TargetStateMachine* machine(const QString& name) const;
    /// @p name's index in m_list and m_order, or -1.
    int indexOf(const QString& name) const;
    void updateDegraded(qint64 nowMs, QList<DetectionEvent>& events);
    void localize(qint64 nowMs, QList<DetectionEvent>& events, QSet<QString>& touchedFaults);
    void clearFault(const QString& faultId, qint64 nowMs, const QString& reason, QList<DetectionEvent>& events);
    QString newIncident() { return QStringLiteral("I%1").arg(m_nextIncident++); }

    // Correlation (detectorcorrelation.cpp): which incident a new root joins, and how.
    struct Join
    {
        QString incidentId;
        QString withFaultId; ///< the fault it is connected to (empty for an aftershock)
        Correlation::Link link = Correlation::Link::None;
        bool aftershock = false;
        qint64 sinceMs = 0; ///< aftershock: when the incident had recovered
    };
    Correlation::Rules rules() const;
    const TargetPolicy* policyOf(const QString& target) const;
    QString incidentRootId(const QString& incidentId) const;
    std::optional<Join> correlate(const Fault& f, qint64 nowMs) const;
    /// Applies @p join to the new root @p faultId; false when it turned out not to apply (it stays a root).
    bool join(const QString& faultId, const Join& join, qint64 nowMs, QList<DetectionEvent>& events);
    /// "web pool" or "web group": what the pool- or group-level root @p root stands for.
    QString scopeLabel(const Fault& root) const;
    /// A root with affected members (Fault::members): it stands for the pool or group, not only its own server.
    bool isPoolRoot(const Fault& f) const;
    /**
     * The pool-level root @p faultId stays open while a member still fails, whether or not its own server passes
     * (@p targetUp): one event, one root until its last member clears. Says so in its localization while it holds, and
     * restores it when its server fails again. Returns whether it holds.
     */
    bool holdPoolRoot(const QString& faultId, bool targetUp);
    /// The root @p cleared leaves members behind (it was removed from the fleet): the first still failing takes over.
    void handOver(const Fault& cleared, Fault::Phase phaseBefore, qint64 nowMs, QList<DetectionEvent>& events);
    void rememberIncidents();
    void noteClosed(const Fault& last, qint64 nowMs);
    void recordRates(const TargetPolicy& policy, const Observation& o);
    TargetStatus statusAt(int index) const;
    QString poolEvidence(const Fault& root, qint64 nowMs) const;
    QString evidenceOf(const TargetStateMachine* m, const Fault& f) const;
    DetectionEvent joinedEvent(const Fault& f, qint64 nowMs, const QString& reason) const;
    DetectionEvent locatedEvent(const Fault& f, qint64 nowMs) const;
    /// The fault a symptom on a dependent of @p target hangs under: its probe fault, else its first external one.
    QString rootFaultOf(const QString& target) const;
    void emitEvents(const QList<DetectionEvent>& events);
    void keepRecovered(const Fault& f);
    bool isSuppressedFailure(const QString& target, const QHash<QString, Localizer::Verdict>& verdicts) const;

    Settings m_settings;
    std::unordered_map<QString, int> m_machines; ///< name → its index in m_list and m_order
    std::vector<std::unique_ptr<TargetStateMachine>> m_list; ///< in m_order's order: ticks walk this
    QStringList m_order;
    Localizer m_localizer;
    /// A queued check and its target's index in m_list (kept right when a target leaves).
    struct Pending
    {
        int index = -1;
        Observation observation;
    };
    std::vector<Pending> m_pending;
    QStringList m_lastBatch; ///< the targetsUpdated() list last emitted …
    std::vector<int> m_lastBatchIndex; ///< … and its targets' indices; cleared when a target joins or leaves
    QHash<QString, Fault> m_open; ///< open faults by id
    QStringList m_openOrder;
    QHash<QString, QString> m_faultOfTarget; ///< target → open fault id
    QHash<QString, qint64> m_orphanedAt; ///< symptom fault id → when its root cleared
    QList<Fault> m_recovered;
    QHash<QString, ExternalFault> m_external; ///< open external fault id → what was reported
    QHash<QString, QString> m_externalIds; ///< source + '\n' + key → open fault id
    quint64 m_nextFault = 1;
    quint64 m_nextIncident = 1;
    bool m_degraded = false;
    QHash<QString, QString> m_suppressed; ///< target → maintenance note

    /// An incident whose faults all cleared, kept for the aftershock grace.
    struct ClosedIncident
    {
        QString rootFaultId;
        QString rootTarget;
        CauseClass rootCause = CauseClass::Unhealthy;
        QSet<QString> targets;
        QSet<QString> pools;
        qint64 clearedMs = 0;
    };
    QHash<QString, ClosedIncident> m_closed; ///< by incident id
    QHash<QString, QSet<QString>> m_incidentTargets; ///< incident id → every target that had a fault in it
    QHash<QString, QPair<QString, QString>> m_incidentRoot; ///< incident id → its latest root fault id and target
    QHash<QString, CauseClass> m_incidentCause; ///< incident id → its latest root's cause
    QHash<QString, QString> m_joined; ///< fault id → relation, for faults correlation (not the graph) placed
    QHash<QString, QList<QPair<qint64, double>>> m_rates; ///< target → request-rate samples (last 10 min)
    QHash<QString, QHash<QString, double>> m_valuesAtDetection; ///< open fault id → its target's values then
    QHash<QString, double> m_attackRateAtDetection; ///< open attack fault id → its target's total req/s then
    QHash<QString, QString> m_poolEvidenceKey; ///< root fault id → members and cause its pool evidence was made for
    QSet<QString> m_keepLocalization; ///< roots whose localization correlation wrote (take-over, hand-over, aftershock)
    /// pool-level roots held open after their own server passed (holdPoolRoot()) → their localization before
    QHash<QString, QString> m_heldLocalization;
    QSet<QString> m_dirty; ///< faults changed outside tick()'s bookkeeping (hand-overs), emitted with the next batch
};

} // namespace FaultDesk
