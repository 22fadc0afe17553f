#pragma once

#include <QMetaType>
#include <QString>

namespace FaultDesk {

/// Outcome of one IncidentStore write, delivered after COMMIT returned, after the local journal synced it (journaled),
/// or when the write was refused.
struct WriteResult
{
    bool ok = false;
    QString error; ///< readable reason when !ok
    QString incidentId; ///< the incident written (empty for audit records and pruning)
    qint64 affected = 0; ///< rows the write touched (incidents pruned, points stored, …)
    bool journaled = false; ///< ok, but on disk in the local journal: it reaches the database when that returns
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::WriteResult)
