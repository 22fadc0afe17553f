#pragma once

#include "incident/storeurl.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * The incident database's schema and its migrations. Version 1 stored event times as ISO text; version 2 stores
 * them as UTC milliseconds, adds the drill flag, the series snapshots and the indexes history queries need; version 3
 * adds the maintenance windows created in the console; version 4 the markers of writes replayed from a console's
 * local journal (StoreJournal); version 5 the holders of remediation locks and, on PostgreSQL, the triggers that
 * announce every shared change (NOTIFY faultdesk) for live sharing between consoles. Each step runs in the same
 * transaction as the version bump, so a crash mid-migration leaves the old schema.
 *
 * The steps are described once for both engines (SQLite and PostgreSQL): common statements with SqlDialect's type
 * placeholders, and the few that differ (the append-only audit triggers, v2's time conversion) once per engine.
 * On PostgreSQL the migration holds a transaction-level advisory lock, so consoles starting together migrate once.
 */
class IncidentSchema
{
public:
    static constexpr int currentVersion = 5;

    /// The version recorded in @p db (0 for an empty database), or -1 (and @p error) when it cannot be read.
    static int version(QSqlDatabase& db, QString* error = nullptr);
    /**
     * Brings @p db up to @p targetVersion (tests create old files with a lower one). Refuses a database written by
     * a newer FaultDesk rather than guessing at its schema.
     */
    static bool migrate(QSqlDatabase& db, QString* error = nullptr, int targetVersion = currentVersion);
    /// The statements that bring an @p engine database from @p version − 1 to @p version, types made concrete.
    static QStringList statements(StoreUrl::Engine engine, int version);
};

} // namespace FaultDesk
