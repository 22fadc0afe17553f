#pragma once

#include "config/sourceposition.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/// One entry of the fleet description's `maintenance:` list: a planned window for targets and/or groups (UTC).
struct MaintenanceConfig
{
    QStringList targets;
    QStringList groups;
    QDateTime startUtc;
    QDateTime endUtc;
    QString comment;
    bool confirmLong = false; ///< `confirm_long: true` allows a window longer than seven days
    SourcePosition position;
};

} // namespace FaultDesk
