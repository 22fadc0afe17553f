#pragma once

#include "config/fleetconfig.h"
#include "config/sourceposition.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * The fleet configuration while the loader reads it, with what the sections leave for the cross-checks: the names
 * other sections refer to and where they did. Private to core/config.
 */
struct ConfigDraft
{
    /// A name one entry uses for another (a dependency, an HAProxy instance, a Prometheus source …).
    struct Reference
    {
        int from; ///< target index (-1: not from a target)
        QString name;
        SourcePosition position;
    };

    FleetConfig config;
    const FleetConfig* base = nullptr; ///< set: a runbooks-only file bound against this fleet
    QHash<QString, int> targetIndex; ///< name → index of its first definition
    QList<SourcePosition> targetNamePositions;
    QList<SourcePosition> alertmanagerNamePositions;
    QList<Reference> dependencyRefs;
    QList<Reference> instanceRefs;
    QList<Reference> sourceRefs; ///< targets' `source:` names
    QList<Reference> maintenanceTargetRefs;
    QList<Reference> maintenanceGroupRefs;

    /// The targets' names in file order (for "did you mean").
    QStringList targetNames() const
    {
        QStringList names;
        for (const TargetConfig& t : config.targets)
            names << t.name;
        return names;
    }
    /// The groups the targets are in, each once, in file order.
    QStringList groupNames() const
    {
        QStringList names;
        for (const TargetConfig& t : config.targets) {
            if (!t.group.isEmpty() && !names.contains(t.group))
                names << t.group;
        }
        return names;
    }
};

} // namespace FaultDesk
