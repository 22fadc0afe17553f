#pragma once

#include "config/causeclass.h"
#include "detect/adaptivethreshold.h"
#include "detect/attackdetector.h"
#include "detect/effectivethreshold.h"
#include "detect/flappingdetector.h"
#include "detect/observation.h"
#include "detect/targetpolicy.h"
#include "detect/targetstate.h"

#include <QHash>
#include <QList>
#include <QString>

#include <algorithm>
#include <optional>

namespace FaultDesk {

/**
 * Judges one target check by check: probe outcome and threshold rules (with hysteresis and adaptive levels)
 * make a check pass or fail; `attempts` consecutive failures make it HARD, fewer are SOFT (and ask for a fast
 * retry); the first passing check makes it UP. The Detector adds what needs the whole fleet: UNREACHABLE
 * (a dependency is down) and UNKNOWN (the monitor itself is degraded). Pure logic: time comes with the input.
 */
class TargetStateMachine
{
public:
    /// One rule that failed in a check.
    struct Breach
    {
        QString signal; ///< signal name, or "sources" for the attack rule
        CauseClass cause = CauseClass::Unhealthy;
        double value = 0;
        double level = 0; ///< the enter level it passed
        double clear = 0; ///< the clear level: the breach holds until the value comes back past it (hysteresis)
        qint64 crossedMs = 0; ///< when the value passed the enter level (the breach began)
        double crossedLevel = 0; ///< the enter level it passed then (an adaptive level may have moved since)
        QString link; ///< the rule's link target: a breach is a link fault to it
        ThresholdRule::Direction direction = ThresholdRule::Direction::Above;
        EffectiveThreshold::Source levelSource = EffectiveThreshold::Source::Pinned;
        AttackDetector::Verdict attack; ///< attack breaches only
        bool fresh = true; ///< this check measured the value; false: the breach was kept from an earlier one
    };
    /// One judged check.
    struct Check
    {
        qint64 timeMs = 0;
        Observation::Probe probe = Observation::Probe::Ok;
        Observation::FailureKind failureKind = Observation::FailureKind::None;
        QString reason;
        QList<Breach> breaches;

        bool failed() const { return probe != Observation::Probe::Ok || !breaches.isEmpty(); }
        /// Whether the check tells anything new: a probe failure or pass does, and so does a breach measured
        /// now; a check whose only breaches were kept from earlier ones (no requests in a fast retry's half
        /// second, say) neither confirms a fault nor clears one.
        bool conclusive() const
        {
            return probe != Observation::Probe::Ok || breaches.isEmpty()
                || std::any_of(breaches.cbegin(), breaches.cend(), [](const Breach& b) { return b.fresh; });
        }
        /// The cause this check points at (Down before data-integrity before attack …).
        std::optional<CauseClass> primaryCause() const;
    };
    /// A change of the published state.
    struct Transition
    {
        qint64 timeMs = 0;
        TargetState from = TargetState::Unknown;
        TargetState to = TargetState::Unknown;
        QString reason;
    };
    /// Flapping started (flapping = true) or stopped.
    struct FlappingChange
    {
        qint64 timeMs = 0;
        bool flapping = false;
        double percent = 0;
    };

    explicit TargetStateMachine(const TargetPolicy& policy);

    const TargetPolicy& policy() const { return m_policy; }
    const QString& name() const { return m_policy.name; }

    /// Judges one check. Observations older than the last one are ignored (a late reply after a retry).
    void observe(const Observation& observation);
    /// Counts a missing check as a failure once no fresh check arrived for staleAfter (then once per
    /// interval). Returns true when it did.
    bool checkStaleness(qint64 nowMs);
    /// UNKNOWN while the monitor cannot tell: checks still update values but neither count nor learn; when
    /// released, the target starts afresh (its next check decides).
    void setUnknown(bool unknown, qint64 nowMs, const QString& reason);
    /// UNKNOWN because this target's data source failed (an Observation with monitorBlind); released by the
    /// next real check, after which the target starts afresh.
    void setBlind(bool blind, qint64 nowMs, const QString& reason);
    bool isBlind() const { return m_blind; }
    /// UNREACHABLE instead of HARD while a dependency is down (only has an effect while HARD).
    void setUnreachable(bool unreachable, qint64 nowMs, const QString& reason);

    TargetState state() const { return m_published; }
    /// UP/SOFT/HARD/UNKNOWN from the checks alone.
    TargetState baseState() const { return m_base; }
    bool isUnreachable() const { return m_unreachable && m_base == TargetState::Hard; }
    int consecutiveFailures() const { return m_failures; }
    /// The latest check, if any.
    std::optional<Check> lastCheck() const { return m_last; }
    /// Whether there was a check yet (lastCheck() without copying it).
    bool hasCheck() const { return m_last.has_value(); }
    bool lastCheckFailed() const { return m_last && m_last->failed(); }
    /// The latest check got no answer at all (probe "down"): what degraded-monitor and UNREACHABLE look at.
    bool lastProbeDown() const { return m_last && m_last->probe == Observation::Probe::Down; }
    /// … because no check arrived in time (the monitor's side, whatever the target's dependencies do).
    bool lastCheckStale() const { return m_last && m_last->failureKind == Observation::FailureKind::Stale; }
    qint64 lastCheckMs() const { return m_last ? m_last->timeMs : 0; }
    /// When the next check is due: retryInterval after the last one while SOFT, interval otherwise.
    qint64 nextCheckDueMs() const;
    /// The latest known value of each signal.
    const QHash<QString, double>& values() const { return m_values; }
    /// The cause of the current failure (std::nullopt while passing).
    std::optional<CauseClass> primaryCause() const;
    /// The signals whose rules the current failure breached, in rule order ("sources" for the attack rule).
    QStringList breachedSignals() const;
    /// The dependency a current link fault is about (a breached rule with `link`), or empty.
    QString brokenLink() const;
    /// The latest check's probes answered (the target is reachable, whatever its rules say).
    bool lastProbeAnswered() const { return m_last && m_last->probe == Observation::Probe::Ok; }
    /// The checks that decided the current failure (the last `attempts` failing ones, oldest first).
    const QList<Check>& failedChecks() const { return m_failedChecks; }
    /// One readable sentence: the rule and the samples that decided the current failure.
    QString evidence() const;
    bool isFlapping() const { return m_flapping.isFlapping(); }
    double flappingPercent() const { return m_flapping.percent(); }
    QList<EffectiveThreshold> thresholds() const;
    /// Pins the enter level of @p signal's rule (std::nullopt unpins). False when there is no such rule.
    bool pinThreshold(const QString& signal, std::optional<double> level);
    AttackDetector::Verdict attack() const { return m_attack.verdict(); }

    /// Whether takeTransitions() or takeFlappingChanges() has anything.
    bool hasChanges() const { return !m_transitions.isEmpty() || !m_flappingChanges.isEmpty(); }
    /// Transitions and flapping changes since the last call.
    QList<Transition> takeTransitions();
    QList<FlappingChange> takeFlappingChanges();

private:
    struct Rule
    {
        ThresholdRule rule;
        std::optional<double> operatorPin;
        std::optional<AdaptiveThreshold> learner;
        bool breached = false;
        qint64 crossedMs = 0; ///< when the current breach began
        double crossedLevel = 0; ///< the enter level it crossed then
    };
    EffectiveThreshold effective(const Rule& r) const;
    void judge(const Check& check, const QHash<QString, double>& freshValues);
    void restartJudgement(qint64 nowMs, const QString& reason);
    void publish(qint64 nowMs, const QString& reason);
    QString transitionReason() const;

    TargetPolicy m_policy;
    QList<Rule> m_rules;
    AttackDetector m_attack;
    bool m_attackBreached = false;
    FlappingDetector m_flapping;
    TargetState m_base = TargetState::Unknown;
    TargetState m_published = TargetState::Unknown;
    bool m_unknownHold = false;
    bool m_blind = false;
    bool m_unreachable = false;
    int m_failures = 0;
    std::optional<Check> m_last;
    QList<Check> m_failedChecks;
    QHash<QString, double> m_values;
    qint64 m_lastFreshMs = -1; ///< last real (not synthesised) check, or when staleness was first looked at
    qint64 m_lastStaleMs = -1;
    QList<Transition> m_transitions;
    QList<FlappingChange> m_flappingChanges;
};

} // namespace FaultDesk
