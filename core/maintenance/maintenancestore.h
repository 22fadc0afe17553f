#pragma once

#include "incident/writeresult.h"
#include "maintenance/maintenancewindow.h"

#include <QFuture>
#include <QList>
#include <QPointer>

#include <optional>

namespace FaultDesk {

class IncidentStore;

/**
 * Where runtime maintenance windows survive restarts: the maintenance_windows table of the incident database.
 * The rows are written through the incident store's writer thread (IncidentStore::execute), so a window saved
 * while incidents are being recorded is committed in call order with them, and read on the caller's thread.
 * Configured windows live in the fleet description and are never stored.
 */
class MaintenanceStore
{
public:
    /// Keeps its windows in @p database (not owned; once it is gone, writes fail and reads find nothing).
    explicit MaintenanceStore(IncidentStore* database);

    /// Stores a runtime window, replacing the one with its id (ending it early is a save too).
    QFuture<WriteResult> save(const MaintenanceWindow& window);
    /// Forgets windows that ended before @p cutoffUtc.
    QFuture<WriteResult> pruneEndedBefore(const QDateTime& cutoffUtc);
    /// The stored windows ending at or after @p endingAfterUtc (all when invalid), by start time.
    QList<MaintenanceWindow> windows(const QDateTime& endingAfterUtc = {}, QString* error = nullptr) const;
    /// The runtime window @p id as stored (another console may have written it), if any.
    std::optional<MaintenanceWindow> window(const QString& id, QString* error = nullptr) const;

private:
    QPointer<IncidentStore> m_database;
};

} // namespace FaultDesk
