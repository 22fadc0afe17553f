#pragma once

#include "config/causeclass.h"
#include "detect/effectivethreshold.h"
#include "detect/targetstate.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace FaultDesk {

/// A snapshot of one target as the Detector judges it now: what the fleet table and status line show.
struct TargetStatus
{
    QString name;
    QString group;
    int priority = 5;
    TargetState state = TargetState::Unknown;
    int consecutiveFailures = 0;
    int attempts = 2;
    bool flapping = false;
    double flappingPercent = 0;
    bool rootCause = false; ///< the target is the root cause of an open fault
    QString symptomOf; ///< root-cause target when this target's fault is a symptom
    QString faultId; ///< its open fault, if any
    std::optional<CauseClass> cause; ///< of the current failure
    QString evidence; ///< of the current failure
    QString lastReason; ///< probe failure text of the last check
    bool probesPass = false; ///< the last check's probes answered as expected (only its rules may have failed)
    qint64 lastCheckMs = 0;
    qint64 nextCheckDueMs = 0; ///< a SOFT target wants its fast retry by then
    QHash<QString, double> values;
    QList<EffectiveThreshold> thresholds;
    /// The attack rule's level on the total request rate over all sources (signal "sources"): enter at its rate
    /// factor times the learnt baseline, clear at its clear factor; absent while the rule is off or has no baseline.
    std::optional<EffectiveThreshold> attackLevel;

    Severity severity() const;
    /// Counts as up for the fleet's "targets up": UP, or failing only its rules while it still answers its probes
    /// (an overloaded server that serves is degraded, not down).
    bool answers() const
    {
        return state == TargetState::Up || ((state == TargetState::Soft || state == TargetState::Hard) && probesPass);
    }
    QJsonObject toJson() const;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::TargetStatus)
