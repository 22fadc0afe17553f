#pragma once

#include "audit/auditsink.h"
#include "detect/fault.h"
#include "incident/incident.h"
#include "incident/writeresult.h"

#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <functional>

class QTimer;

namespace FaultDesk {

class Detector;
class IncidentStore;
class SeriesStore;
struct FleetConfig;

/**
 * Turns the live pipeline's faults into incident records: one incident per root cause (the Detector's
 * Fault::incidentId groups a root with its symptoms), created when the root is located, with its cause, title,
 * evidence and symptoms; lifecycle transitions as remediation moves the fault along (handling, handled,
 * recovering) and the detector clears it; the baseline remediation captured; and the affected targets' series over
 * the incident window (a few minutes before detection to a while after recovery).
 *
 * Recovered means the pre-fault state is back, not only that the roots pass their checks: an incident whose Handle
 * left a change behind (a drained server, blocked sources) is recovered once its roots pass and a Recover verified
 * the baseline; a failed verification escalates it. Without such a Handle it is recovered when its roots pass (after
 * any Handle or Recover running then ended). RecorderFeed (remedy) reports the runs.
 *
 * The Detector's incident ids ("I1") restart with every process, so each gets a fresh store id
 * (IncidentStore::newId()); storeId() translates. The recorder is also an AuditSink that rewrites the detector's
 * incident id to the store's before forwarding to the store, so remediation can write its audit trail through it
 * and the actions land on the right incident.
 *
 * The first failing sample is approximated as detection time − (attempts − 1) × retry interval of the root
 * target (the confirming checks that made it HARD run at the fast retry interval); with no fleet configuration
 * the defaults (2 attempts, 500 ms) apply.
 *
 * incidentRecorded() is emitted only after the store committed the incident, so anything shown from it survives
 * a crash. Lives on the detector's thread.
 */
class IncidentRecorder : public QObject, public AuditSink
{
    Q_OBJECT
public:
    struct Settings
    {
        qint64 windowBeforeMs = 3 * 60 * 1000; ///< series kept from this long before detection …
        qint64 windowAfterMs = 60 * 1000; ///< … to this long after recovery (saved again once it passed)
        int snapshotIntervalMs = 30 * 1000; ///< open incidents' series are saved this often; 0 = never
        QString actor = QStringLiteral("auto"); ///< actor of the transitions the recorder writes
    };

    explicit IncidentRecorder(IncidentStore* store, QObject* parent = nullptr);
    /// Saves the series of every incident it follows and waits (up to 10 s) for the store to commit.
    ~IncidentRecorder() override;

    void setSettings(const Settings& settings);
    Settings settings() const { return m_settings; }
    /// "now" in ms since the epoch for the transitions the fault does not time itself; default: the system clock.
    void setClock(std::function<qint64()> clock) { m_clock = std::move(clock); }

    /// Follows @p detector and @p series (may be null: no series saved) for the targets and signals of @p config
    /// (the Monitor's three, after Monitor::setConfig).
    void attach(Detector* detector, const SeriesStore* series, const FleetConfig& config);
    /// Follows @p detector; @p series (may be null: no series saved) holds the signals named per target.
    void attach(Detector* detector, const SeriesStore* series, const QHash<QString, QStringList>& signalsByTarget);
    /// Per-target attempts and retry interval (to estimate the first failing sample) and signal names.
    void setFleet(const FleetConfig& config);

    /// Incidents created from now on are drills (kept out of MTTx figures unless asked).
    void setDrill(bool drill) { m_drill = drill; }
    bool isDrill() const { return m_drill; }

    /// The store's id of the detector's incident @p detectorIncidentId (empty when not recorded yet).
    QString storeId(const QString& detectorIncidentId) const;
    /// Store ids of every incident this recorder created, in creation order.
    QStringList recordedIds() const { return m_recordedIds; }

    /// Saves the series of every followed incident now (open or waiting for its after-recovery window).
    void saveAllSeries();
    /// Runs the event loop until every write made so far is committed or refused, or @p timeoutMs passes.
    bool waitForWrites(int timeoutMs = 10000);
    int pendingWrites() const { return m_pending; }

    /// AuditSink: forwards to the store with the incident id translated to the store's. Blocks until committed.
    bool append(const AuditRecord& record, QString* error = nullptr) override;
    QList<AuditRecord> records() const override;

public Q_SLOTS:
    /// Follows one fault change (connected to Detector::faultChanged by attach()).
    void onFaultChanged(const FaultDesk::Fault& fault);
    /// The pre-fault baseline remediation captured; @p incidentId may be the detector's or the store's id.
    void setBaseline(const QString& incidentId, const QJsonObject& baseline);
    /**
     * A Handle on @p faultId, a root of @p incidentId (detector's or store's id; an empty @p faultId: the incident's
     * first root), started (@p running) or ended. While it runs, the roots passing their checks again waits for its
     * end. One that succeeded having left a change behind (@p leftChange: it drained a server, moved weights,
     * blocked sources — the pre-fault state is not back) is recorded handled and makes the incident wait for Recover:
     * it stays handled when its roots pass, and is recorded recovered only once a Recover of @p faultId verified the
     * baseline. Without @p leftChange a pass it held back is recorded recovered, at the time of the pass.
     * One that did not succeed (@p failure: the run's message, "ESCALATED: step 2 … failed: …; NOT rolled back: …")
     * is recorded escalated with it; with @p leftChange (a step done that could not be undone) it too waits for a
     * Recover that verifies the baseline.
     */
    void setHandleRun(const QString& incidentId, const QString& faultId, bool running, bool leftChange = false,
        const QString& failure = {});
    /**
     * A Recover runbook on @p faultId, a root of @p incidentId (as for setHandleRun()), started (@p running) or
     * ended, @p verified or not (@p note: why not). While one runs, the root passing its checks again is not
     * recorded as recovered — Recover still verifies the baseline; it is once the run ends verified, and an
     * unverified end is recorded as escalated with @p note.
     */
    void setRecoveryRun(const QString& incidentId, const QString& faultId, bool running, bool verified = false,
        const QString& note = {});
    /// An operator took the incident (detector's or store's id). Goes through the store's acknowledge().
    void acknowledge(const QString& incidentId, const QString& actor, const QString& note = {});

Q_SIGNALS:
    /// The incident @p storeId (for the detector's @p detectorIncidentId) is committed to the database.
    void incidentRecorded(const QString& storeId, const QString& detectorIncidentId);
    /// A write about @p storeId was refused or failed.
    void writeFailed(const QString& storeId, const QString& error);

private:
    struct Tracked
    {
        QString storeId;
        QString detectorId;
        QString rootFaultId;
        QSet<QString> rootFaults; ///< correlated roots sharing the incident
        QSet<QString> openRoots;
        QSet<QString> symptomTargets;
        QSet<QString> aftershocks; ///< fault ids recorded as aftershocks
        QString lastEvidence; ///< the root's evidence as last recorded (a pool-level root's grows as members join)
        QStringList targets; ///< affected targets, root first
        qint64 detectedMs = 0;
        qint64 recoveredMs = 0;
        Fault::Phase phase = Fault::Phase::Located;
        bool recovered = false;
        QSet<QString> handling; ///< root faults a Handle runs on (setHandleRun)
        QSet<QString> recovering; ///< root faults a Recover runs on (setRecoveryRun)
        QSet<QString> awaitingRecover; ///< root faults whose Handle left a change no Recover verified back yet
        qint64 passingSinceMs = 0; ///< its roots pass their checks since, while one of the above held it; 0 = not
        IncidentState lastState = IncidentState::Detected; ///< the last state recorded (transition())
    };

    void createIncident(const Fault& root);
    void addSymptom(Tracked& t, const Fault& symptom);
    void addAftershock(Tracked& t, const Fault& aftershock);
    void followEvidence(Tracked& t, const Fault& root);
    void advance(Tracked& t, const Fault& root);
    /// Records @p t recovered at @p timeMs with @p note and saves its series.
    void markRecovered(Tracked& t, qint64 timeMs, const QString& note);
    /// A run or a change holds back recording @p t recovered when its roots pass (see setHandleRun()).
    static bool heldBack(const Tracked& t);
    /// Moves the record on to @p phase and writes its state change; a phase never goes back.
    void raisePhase(Tracked& t, Fault::Phase phase);
    /// Records @p t escalated with @p note, unless escalated is the last state it recorded.
    void escalate(Tracked& t, const QString& note);
    void transition(Tracked& t, IncidentState state, qint64 timeMs, const QString& note);
    void saveSeries(const Tracked& t, qint64 untilMs);
    void watch(const QFuture<WriteResult>& future, const QString& detectorId, bool announce);
    Tracked* find(const QString& anyId);
    qint64 now() const;
    /// {target: {signal: {direction, threshold, clear}}} of the rules in force now, for the evidence.
    QJsonObject levelsOf(const QStringList& targets) const;
    qint64 firstFailureEstimate(const QString& target, qint64 detectedMs) const;

    IncidentStore* m_store;
    Settings m_settings;
    std::function<qint64()> m_clock;
    Detector* m_detector = nullptr;
    const SeriesStore* m_series = nullptr;
    QHash<QString, QStringList> m_signals; ///< target → signal names to save
    QHash<QString, QPair<int, qint64>> m_timing; ///< target → attempts, retry interval
    QHash<QString, Tracked> m_tracked; ///< by detector incident id
    QHash<QString, QList<Fault>> m_orphanSymptoms; ///< symptoms whose root incident is not created yet
    QStringList m_recordedIds;
    QTimer* m_snapshotTimer = nullptr;
    int m_pending = 0;
    bool m_drill = false;
};

} // namespace FaultDesk
