#pragma once

#include "config/causeclass.h"
#include "detect/targetstate.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/**
 * What the Detector tells the world, one value per event; `faultdesk monitor --json` prints toJson() as one
 * line per event.
 */
struct DetectionEvent
{
    enum class Kind {
        StateChanged, ///< target, from, to, reason
        FaultDetected, ///< target, fault, cause, evidence (the target went HARD)
        FaultLocated, ///< + incident, root_cause, root, symptoms, sources, localization reason
        FaultCleared, ///< target, fault, incident, reason
        FlappingStarted, ///< target, percent
        FlappingStopped, ///< target, percent
        MonitorDegraded, ///< failing, checked, reason: targets are UNKNOWN, nobody is blamed
        MonitorRecovered, ///< failing, checked
        FaultJoined, ///< target, fault, incident, root, relation, aftershock, reason: a correlated fault joined an
                     ///< incident
        FaultLeft, ///< target, fault, incident (the one it left), reason
    };

    Kind kind = Kind::StateChanged;
    qint64 timeMs = 0;
    QString target;
    TargetState from = TargetState::Unknown;
    TargetState to = TargetState::Unknown;
    QString reason;
    QString faultId;
    QString incidentId;
    std::optional<CauseClass> cause;
    QString evidence;
    bool rootCause = false;
    QString root; ///< the root-cause target of a located fault (itself for a root)
    QStringList symptoms;
    QStringList sources;
    QStringList members; ///< located root of a pool-level incident: the affected members
    QString pool; ///< located root of a pool-level incident: the pool
    QString relation; ///< joined: "depends-on", "traffic-path", "pool", "group", or "aftershock" of the same targets
    bool aftershock = false; ///< joined an incident that had recovered
    double percent = 0; ///< flapping percentage
    int failing = 0; ///< degraded: targets whose probes failed
    int checked = 0; ///< degraded: targets with a result

    /// "state-changed", "fault-detected", "fault-located", "fault-cleared", "flapping-started",
    /// "flapping-stopped", "monitor-degraded", "monitor-recovered", "fault-joined", "fault-left".
    static QString kindName(Kind kind);
    /// One JSON object: {"event": kindName, "time": ISO 8601 UTC with ms, …the fields of the kind}.
    QJsonObject toJson() const;
    /// One line for a terminal.
    QString toText() const;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::DetectionEvent)
