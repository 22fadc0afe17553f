#include "incidentschema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace FaultDesk {

namespace {
const QStringList& stepV1()
{
    static const QStringList sql = {
        QStringLiteral("CREATE TABLE incidents ("
                       " id TEXT PRIMARY KEY,"
                       " root_target TEXT NOT NULL,"
                       " cause_class TEXT NOT NULL,"
                       " title TEXT NOT NULL DEFAULT '',"
                       " state TEXT NOT NULL,"
                       " first_failure_ms INTEGER,"
                       " detected_ms INTEGER NOT NULL,"
                       " located_ms INTEGER,"
                       " acknowledged_ms INTEGER,"
                       " handling_ms INTEGER,"
                       " handled_ms INTEGER,"
                       " recovering_ms INTEGER,"
                       " recovered_ms INTEGER,"
                       " updated_ms INTEGER NOT NULL,"
                       " baseline TEXT NOT NULL DEFAULT '{}')"),
        QStringLiteral("CREATE TABLE incident_events ("
                       " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                       " incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,"
                       " time_utc TEXT NOT NULL,"
                       " event TEXT NOT NULL,"
                       " resulting_state TEXT NOT NULL,"
                       " actor TEXT NOT NULL DEFAULT '',"
                       " note TEXT NOT NULL DEFAULT '')"),
        QStringLiteral("CREATE TABLE symptoms ("
                       " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                       " incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,"
                       " time_ms INTEGER NOT NULL,"
                       " target TEXT NOT NULL,"
                       " signal TEXT NOT NULL DEFAULT '',"
                       " cause_class TEXT NOT NULL DEFAULT '',"
                       " detail TEXT NOT NULL DEFAULT '')"),
        QStringLiteral("CREATE TABLE evidence ("
                       " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                       " incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,"
                       " time_ms INTEGER NOT NULL,"
                       " target TEXT NOT NULL DEFAULT '',"
                       " rule TEXT NOT NULL DEFAULT '',"
                       " detail TEXT NOT NULL DEFAULT '{}')"),
        // Audit rows outlive pruned incidents: no foreign key, and no UPDATE or DELETE ever.
        QStringLiteral("CREATE TABLE audit ("
                       " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                       " action_id TEXT NOT NULL,"
                       " phase TEXT NOT NULL CHECK (phase IN ('intent', 'result')),"
                       " time_ms INTEGER NOT NULL,"
                       " operator TEXT NOT NULL DEFAULT '',"
                       " target TEXT NOT NULL DEFAULT '',"
                       " incident_id TEXT NOT NULL DEFAULT '',"
                       " runbook TEXT NOT NULL DEFAULT '',"
                       " kind TEXT NOT NULL DEFAULT '',"
                       " description TEXT NOT NULL DEFAULT '',"
                       " baseline TEXT NOT NULL DEFAULT '{}',"
                       " status TEXT NOT NULL DEFAULT '',"
                       " exit_code INTEGER,"
                       " duration_ms INTEGER NOT NULL DEFAULT -1,"
                       " output TEXT NOT NULL DEFAULT '')"),
        QStringLiteral("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
                       " BEGIN SELECT RAISE(ABORT, 'audit records are append-only: UPDATE refused'); END"),
        QStringLiteral("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
                       " BEGIN SELECT RAISE(ABORT, 'audit records are append-only: DELETE refused'); END"),
        QStringLiteral("CREATE INDEX audit_incident ON audit(incident_id)"),
    };
    return sql;
}

const QStringList& stepV2()
{
    static const QStringList sql = {
        // Event times become integers so the timeline sorts and compares without parsing text.
        QStringLiteral("ALTER TABLE incident_events ADD COLUMN time_ms INTEGER NOT NULL DEFAULT 0"),
        QStringLiteral("UPDATE incident_events SET time_ms ="
                       " CAST(round((julianday(time_utc) - 2440587.5) * 86400000.0) AS INTEGER)"),
        QStringLiteral("ALTER TABLE incident_events DROP COLUMN time_utc"),
        QStringLiteral("ALTER TABLE incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0"),
        QStringLiteral("CREATE TABLE series ("
                       " incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,"
                       " target TEXT NOT NULL,"
                       " signal TEXT NOT NULL,"
                       " raw_points INTEGER NOT NULL,"
                       " points BLOB NOT NULL,"
                       " PRIMARY KEY (incident_id, target, signal))"),
        QStringLiteral("CREATE INDEX incidents_detected ON incidents(detected_ms)"),
        QStringLiteral("CREATE INDEX incidents_target ON incidents(root_target, detected_ms)"),
        QStringLiteral("CREATE INDEX incidents_cause ON incidents(cause_class, detected_ms)"),
        QStringLiteral("CREATE INDEX incidents_updated ON incidents(updated_ms)"),
        QStringLiteral("CREATE INDEX events_incident ON incident_events(incident_id, time_ms)"),
        QStringLiteral("CREATE INDEX symptoms_incident ON symptoms(incident_id)"),
        QStringLiteral("CREATE INDEX symptoms_target ON symptoms(target)"),
        QStringLiteral("CREATE INDEX evidence_incident ON evidence(incident_id)"),
    };
    return sql;
}

const QStringList& stepV3()
{
    static const QStringList sql = {
        // Runtime maintenance windows survive restarts; configured ones live in the fleet description only.
        // Target and group lists are JSON arrays; "groups" itself is an SQL keyword (window frames).
        QStringLiteral("CREATE TABLE maintenance_windows ("
                       " id TEXT PRIMARY KEY,"
                       " targets TEXT NOT NULL DEFAULT '[]',"
                       " groups_json TEXT NOT NULL DEFAULT '[]',"
                       " start_ms INTEGER NOT NULL,"
                       " end_ms INTEGER NOT NULL,"
                       " comment TEXT NOT NULL DEFAULT '',"
                       " created_by TEXT NOT NULL DEFAULT '',"
                       " created_ms INTEGER NOT NULL,"
                       " ended_by TEXT NOT NULL DEFAULT '',"
                       " CHECK (end_ms >= start_ms))"),
        QStringLiteral("CREATE INDEX maintenance_end ON maintenance_windows(end_ms)"),
    };
    return sql;
}

bool run(QSqlDatabase& db, const QString& sql, QString* error)
{
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    if (error)
        *error = QStringLiteral("%1 (while running: %2)").arg(q.lastError().text(), sql.left(80));
    return false;
}
} // namespace

int IncidentSchema::version(QSqlDatabase& db, QString* error)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"))) {
        if (error)
            *error = q.lastError().text();
        return -1;
    }
    if (!q.next())
        return 0;
    if (!q.exec(QStringLiteral("SELECT MAX(version) FROM schema_version")) || !q.next()) {
        if (error)
            *error = q.lastError().text();
        return -1;
    }
    return q.value(0).toInt();
}

bool IncidentSchema::migrate(QSqlDatabase& db, QString* error, int targetVersion)
{
    if (!run(db, QStringLiteral("BEGIN IMMEDIATE"), error))
        return false;
    auto fail = [&db]() {
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return false;
    };
    const int from = version(db, error);
    if (from < 0)
        return fail();
    if (from > currentVersion) {
        if (error)
            *error = QStringLiteral("the database has schema version %1, newer than this FaultDesk understands (%2)")
                         .arg(from)
                         .arg(currentVersion);
        return fail();
    }
    if (from == 0 && !run(db, QStringLiteral("CREATE TABLE schema_version (version INTEGER NOT NULL)"), error))
        return fail();
    for (int v = from + 1; v <= targetVersion; ++v) {
        const QStringList& steps = v == 1 ? stepV1() : v == 2 ? stepV2() : stepV3();
        for (const QString& sql : steps)
            if (!run(db, sql, error))
                return fail();
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO schema_version (version) VALUES (?)"));
        q.addBindValue(v);
        if (!q.exec()) {
            if (error)
                *error = q.lastError().text();
            return fail();
        }
    }
    if (!run(db, QStringLiteral("COMMIT"), error))
        return fail();
    return true;
}

} // namespace FaultDesk
