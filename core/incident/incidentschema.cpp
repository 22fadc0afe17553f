#include "incident/incidentschema.h"

#include "incident/sqldialect.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <optional>

namespace FaultDesk {

namespace {
// One statement of a migration step; most are common to both engines, a few exist in one dialect each.
struct Statement
{
    Statement(const QString& text, std::optional<StoreUrl::Engine> engine = std::nullopt)
        : sql(text)
        , only(engine)
    { }
    QString sql;
    std::optional<StoreUrl::Engine> only; ///< empty: both engines
};

constexpr auto sqlite = StoreUrl::Engine::Sqlite;
constexpr auto postgres = StoreUrl::Engine::Postgres;

const QList<Statement>& stepV1()
{
    static const QList<Statement> sql = {
        { QStringLiteral("CREATE TABLE incidents ("
                         " id TEXT PRIMARY KEY,"
                         " root_target TEXT NOT NULL,"
                         " cause_class TEXT NOT NULL,"
                         " title TEXT NOT NULL DEFAULT '',"
                         " state TEXT NOT NULL,"
                         " first_failure_ms {int},"
                         " detected_ms {int} NOT NULL,"
                         " located_ms {int},"
                         " acknowledged_ms {int},"
                         " handling_ms {int},"
                         " handled_ms {int},"
                         " recovering_ms {int},"
                         " recovered_ms {int},"
                         " updated_ms {int} NOT NULL,"
                         " baseline TEXT NOT NULL DEFAULT '{}')") },
        { QStringLiteral("CREATE TABLE incident_events ("
                         " id {id},"
                         " incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,"
                         " time_utc TEXT NOT NULL,"
                         " event TEXT NOT NULL,"
                         " resulting_state TEXT NOT NULL,"
                         " actor TEXT NOT NULL DEFAULT '',"
                         " note TEXT NOT NULL DEFAULT '')") },
        { QStringLiteral("CREATE TABLE symptoms ("
                         " id {id},"
                         " incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,"
                         " time_ms {int} NOT NULL,"
                         " target TEXT NOT NULL,"
                         " signal TEXT NOT NULL DEFAULT '',"
                         " cause_class TEXT NOT NULL DEFAULT '',"
                         " detail TEXT NOT NULL DEFAULT '')") },
        { QStringLiteral("CREATE TABLE evidence ("
                         " id {id},"
                         " incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,"
                         " time_ms {int} NOT NULL,"
                         " target TEXT NOT NULL DEFAULT '',"
                         " rule TEXT NOT NULL DEFAULT '',"
                         " detail TEXT NOT NULL DEFAULT '{}')") },
        // Audit rows outlive pruned incidents: no foreign key, and no UPDATE or DELETE ever.
        { QStringLiteral("CREATE TABLE audit ("
                         " seq {id},"
                         " action_id TEXT NOT NULL,"
                         " phase TEXT NOT NULL CHECK (phase IN ('intent', 'result')),"
                         " time_ms {int} NOT NULL,"
                         " operator TEXT NOT NULL DEFAULT '',"
                         " target TEXT NOT NULL DEFAULT '',"
                         " incident_id TEXT NOT NULL DEFAULT '',"
                         " runbook TEXT NOT NULL DEFAULT '',"
                         " kind TEXT NOT NULL DEFAULT '',"
                         " description TEXT NOT NULL DEFAULT '',"
                         " baseline TEXT NOT NULL DEFAULT '{}',"
                         " status TEXT NOT NULL DEFAULT '',"
                         " exit_code {int},"
                         " duration_ms {int} NOT NULL DEFAULT -1,"
                         " output TEXT NOT NULL DEFAULT '')") },
        { QStringLiteral("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
                         " BEGIN SELECT RAISE(ABORT, 'audit records are append-only: UPDATE refused'); END"),
            sqlite },
        { QStringLiteral("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
                         " BEGIN SELECT RAISE(ABORT, 'audit records are append-only: DELETE refused'); END"),
            sqlite },
        // PostgreSQL: the trigger holds for every role, the tables' owner included; TRUNCATE is refused too.
        { QStringLiteral("CREATE FUNCTION faultdesk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
                         " $$ BEGIN RAISE EXCEPTION 'audit records are append-only: % refused', TG_OP"
                         " USING ERRCODE = 'insufficient_privilege'; END $$"),
            postgres },
        { QStringLiteral("CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit"
                         " FOR EACH ROW EXECUTE FUNCTION faultdesk_audit_append_only()"),
            postgres },
        { QStringLiteral("CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit"
                         " FOR EACH STATEMENT EXECUTE FUNCTION faultdesk_audit_append_only()"),
            postgres },
        { QStringLiteral("CREATE INDEX audit_incident ON audit(incident_id)") },
    };
    return sql;
}

const QList<Statement>& stepV2()
{
    static const QList<Statement> sql = {
        // Event times become integers so the timeline sorts and compares without parsing text.
        { QStringLiteral("ALTER TABLE incident_events ADD COLUMN time_ms {int} NOT NULL DEFAULT 0") },
        { QStringLiteral("UPDATE incident_events SET time_ms ="
                         " CAST(round((julianday(time_utc) - 2440587.5) * 86400000.0) AS INTEGER)"),
            sqlite },
        { QStringLiteral("UPDATE incident_events SET time_ms ="
                         " CAST(round(EXTRACT(EPOCH FROM CAST(time_utc AS timestamptz)) * 1000) AS BIGINT)"),
            postgres },
        { QStringLiteral("ALTER TABLE incident_events DROP COLUMN time_utc") },
        { QStringLiteral("ALTER TABLE incidents ADD COLUMN drill {int} NOT NULL DEFAULT 0") },
        { QStringLiteral("CREATE TABLE series ("
                         " incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,"
                         " target TEXT NOT NULL,"
                         " signal TEXT NOT NULL,"
                         " raw_points {int} NOT NULL,"
                         " points {blob} NOT NULL,"
                         " PRIMARY KEY (incident_id, target, signal))") },
        { QStringLiteral("CREATE INDEX incidents_detected ON incidents(detected_ms)") },
        { QStringLiteral("CREATE INDEX incidents_target ON incidents(root_target, detected_ms)") },
        { QStringLiteral("CREATE INDEX incidents_cause ON incidents(cause_class, detected_ms)") },
        { QStringLiteral("CREATE INDEX incidents_updated ON incidents(updated_ms)") },
        { QStringLiteral("CREATE INDEX events_incident ON incident_events(incident_id, time_ms)") },
        { QStringLiteral("CREATE INDEX symptoms_incident ON symptoms(incident_id)") },
        { QStringLiteral("CREATE INDEX symptoms_target ON symptoms(target)") },
        { QStringLiteral("CREATE INDEX evidence_incident ON evidence(incident_id)") },
    };
    return sql;
}

const QList<Statement>& stepV3()
{
    static const QList<Statement> sql = {
        // Runtime maintenance windows survive restarts; configured ones live in the fleet description only.
        // Target and group lists are JSON arrays; "groups" itself is an SQL keyword (window frames).
        { QStringLiteral("CREATE TABLE maintenance_windows ("
                         " id TEXT PRIMARY KEY,"
                         " targets TEXT NOT NULL DEFAULT '[]',"
                         " groups_json TEXT NOT NULL DEFAULT '[]',"
                         " start_ms {int} NOT NULL,"
                         " end_ms {int} NOT NULL,"
                         " comment TEXT NOT NULL DEFAULT '',"
                         " created_by TEXT NOT NULL DEFAULT '',"
                         " created_ms {int} NOT NULL,"
                         " ended_by TEXT NOT NULL DEFAULT '',"
                         " CHECK (end_ms >= start_ms))") },
        { QStringLiteral("CREATE INDEX maintenance_end ON maintenance_windows(end_ms)") },
    };
    return sql;
}

const QList<Statement>& stepV4()
{
    static const QList<Statement> sql = {
        // Writes replayed from a console's local journal, by (journal, sequence): the marker commits with the
        // write, so a replay cut short by a crash and started again never applies a write twice.
        { QStringLiteral("CREATE TABLE store_journal_applied ("
                         " journal_id TEXT NOT NULL,"
                         " seq {int} NOT NULL,"
                         " applied_ms {int} NOT NULL,"
                         " PRIMARY KEY (journal_id, seq))") },
        { QStringLiteral("CREATE INDEX store_journal_applied_ms ON store_journal_applied(applied_ms)") },
    };
    return sql;
}

const QList<Statement>& stepV5()
{
    static const QList<Statement> sql = {
        // Who holds a remediation lock, for everyone else's "alice is handling web-2 since 10:41:07". On PostgreSQL
        // the lock itself is a session-level advisory lock on lock_key; a row counts only while that lock is granted
        // to backend_pid (a console that died leaves a row the server's pg_locks no longer backs).
        { QStringLiteral("CREATE TABLE remediation_locks ("
                         " lock_key {int} PRIMARY KEY,"
                         " name TEXT NOT NULL,"
                         " operator TEXT NOT NULL DEFAULT '',"
                         " host TEXT NOT NULL DEFAULT '',"
                         " pid {int} NOT NULL DEFAULT 0,"
                         " backend_pid {int} NOT NULL DEFAULT 0,"
                         " purpose TEXT NOT NULL DEFAULT '',"
                         " since_ms {int} NOT NULL)") },
        // Live sharing: every committed change of a shared row is announced on channel "faultdesk" as
        // "TABLE OPERATION KEY" (the key column named by the trigger's argument), so consoles read that row instead
        // of polling tables. NOTIFY is transactional: a rolled-back write announces nothing.
        { QStringLiteral("CREATE FUNCTION faultdesk_notify() RETURNS trigger LANGUAGE plpgsql AS"
                         " $$ DECLARE r jsonb; BEGIN"
                         " IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;"
                         " PERFORM pg_notify('faultdesk',"
                         " TG_TABLE_NAME || ' ' || lower(TG_OP) || ' ' || COALESCE(r ->> TG_ARGV[0], ''));"
                         " RETURN NULL; END $$"),
            postgres },
        { QStringLiteral("CREATE TRIGGER incidents_notify AFTER INSERT OR UPDATE OR DELETE ON incidents"
                         " FOR EACH ROW EXECUTE FUNCTION faultdesk_notify('id')"),
            postgres },
        { QStringLiteral("CREATE TRIGGER incident_events_notify AFTER INSERT ON incident_events"
                         " FOR EACH ROW EXECUTE FUNCTION faultdesk_notify('incident_id')"),
            postgres },
        { QStringLiteral("CREATE TRIGGER audit_notify AFTER INSERT ON audit"
                         " FOR EACH ROW EXECUTE FUNCTION faultdesk_notify('seq')"),
            postgres },
        { QStringLiteral("CREATE TRIGGER maintenance_notify AFTER INSERT OR UPDATE OR DELETE ON maintenance_windows"
                         " FOR EACH ROW EXECUTE FUNCTION faultdesk_notify('id')"),
            postgres },
        { QStringLiteral("CREATE TRIGGER remediation_locks_notify AFTER INSERT OR UPDATE OR DELETE ON remediation_locks"
                         " FOR EACH ROW EXECUTE FUNCTION faultdesk_notify('name')"),
            postgres },
    };
    return sql;
}

const QList<Statement>& step(int version)
{
    switch (version) {
    case 1:
        return stepV1();
    case 2:
        return stepV2();
    case 3:
        return stepV3();
    case 4:
        return stepV4();
    default:
        return stepV5();
    }
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
    const SqlDialect dialect = SqlDialect::of(db);
    QSqlQuery q(db);
    if (!q.prepare(dialect.tableExists())) {
        if (error)
            *error = q.lastError().text();
        return -1;
    }
    q.addBindValue(QStringLiteral("schema_version"));
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return -1;
    }
    if (!q.next())
        return 0;
    q.finish();
    if (!q.exec(QStringLiteral("SELECT MAX(version) FROM schema_version")) || !q.next()) {
        if (error)
            *error = q.lastError().text();
        return -1;
    }
    return q.value(0).toInt();
}

QStringList IncidentSchema::statements(StoreUrl::Engine engine, int version)
{
    QStringList out;
    const SqlDialect dialect(engine);
    for (const Statement& s : step(version))
        if (!s.only || *s.only == engine)
            out << dialect.translate(s.sql);
    return out;
}

bool IncidentSchema::migrate(QSqlDatabase& db, QString* error, int targetVersion)
{
    const SqlDialect dialect = SqlDialect::of(db);
    if (!run(db, dialect.beginWrite(), error))
        return false;
    auto fail = [&db]() {
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return false;
    };
    // Two consoles starting at once on one server: the second waits for the first's migration, then sees it done.
    if (dialect.isPostgres() && !run(db, QStringLiteral("SELECT pg_advisory_xact_lock(4604218485418361094)"), error))
        return fail();
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
        for (const QString& sql : statements(dialect.engine(), v))
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
