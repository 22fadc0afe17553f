#pragma once

#include <QDateTime>
#include <QString>

namespace FaultDesk {

/// Which incidents a history query or an MTTx figure covers. Empty fields do not filter.
struct IncidentFilter
{
    QString target; ///< root target, or a target among the symptoms
    QString causeClass;
    QDateTime fromUtc; ///< detected at or after
    QDateTime toUtc; ///< detected before
    QString text; ///< case-insensitive substring of the id, title, root target, cause or an event note
    bool includeDrills = false;
    bool openOnly = false; ///< only incidents that are not recovered
    int limit = 1000; ///< newest first; <= 0 for all
    int offset = 0;
};

} // namespace FaultDesk
