#pragma once

#include <QMetaType>
#include <QString>

namespace FaultDesk {

/// Outcome of one IncidentStore write, delivered after COMMIT returned (or when the write was refused).
struct WriteResult
{
    bool ok = false;
    QString error; ///< readable reason when !ok
    QString incidentId; ///< the incident written (empty for audit records and pruning)
    qint64 affected = 0; ///< rows the write touched (incidents pruned, points stored, …)
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::WriteResult)
