#include "incident/storecopy.h"

#include "incident/incidentschema.h"
#include "incident/sqldialect.h"
#include "incident/storeconnection.h"

#include <QScopeGuard>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace FaultDesk {

namespace {
// A table of the incident database and how its rows are copied.
struct Table
{
    QString name;
    QString columns; ///< the copied columns (surrogate keys are left to the destination)
    QString orderBy; ///< source order, kept by the destination's own keys
    bool perIncident; ///< rows of one incident: copied only with an incident that was copied
    QString conflict; ///< " ON CONFLICT (…) DO NOTHING" for rows with a natural key, else empty
};

const QList<Table>& tables()
{
    static const QList<Table> list = {
        { QStringLiteral("incidents"),
            QStringLiteral("id, root_target, cause_class, title, state, drill, first_failure_ms, detected_ms, "
                           "located_ms, acknowledged_ms, handling_ms, handled_ms, recovering_ms, recovered_ms, "
                           "updated_ms, baseline"),
            QStringLiteral("detected_ms, id"), false, QStringLiteral(" ON CONFLICT (id) DO NOTHING") },
        { QStringLiteral("incident_events"),
            QStringLiteral("incident_id, time_ms, event, resulting_state, actor, note"), QStringLiteral("id"), true,
            QString() },
        { QStringLiteral("symptoms"), QStringLiteral("incident_id, time_ms, target, signal, cause_class, detail"),
            QStringLiteral("id"), true, QString() },
        { QStringLiteral("evidence"), QStringLiteral("incident_id, time_ms, target, rule, detail"),
            QStringLiteral("id"), true, QString() },
        { QStringLiteral("series"), QStringLiteral("incident_id, target, signal, raw_points, points"),
            QStringLiteral("incident_id, target, signal"), true, QString() },
        { QStringLiteral("audit"),
            QStringLiteral("action_id, phase, time_ms, operator, target, incident_id, runbook, kind, description, "
                           "baseline, status, exit_code, duration_ms, output"),
            QStringLiteral("seq"), false, QString() },
        { QStringLiteral("maintenance_windows"),
            QStringLiteral("id, targets, groups_json, start_ms, end_ms, comment, created_by, created_ms, ended_by"),
            QStringLiteral("start_ms, id"), false, QStringLiteral(" ON CONFLICT (id) DO NOTHING") },
    };
    return list;
}

QString placeholders(const QString& columns)
{
    QStringList marks;
    for (qsizetype i = 0, n = columns.count(u',') + 1; i < n; ++i)
        marks << QStringLiteral("?");
    return marks.join(QStringLiteral(", "));
}

// Opens @p url for writing and brings its schema to the current version.
QSqlDatabase openMigrated(const StoreUrl& url, const QString& name, QString* error)
{
    QString why;
    QSqlDatabase db = StoreConnection::open(url, name, StoreConnection::Purpose::Write, &why);
    if (!db.isOpen()) {
        *error = why;
        return QSqlDatabase();
    }
    if (!IncidentSchema::migrate(db, &why)) {
        *error = QStringLiteral("%1: %2").arg(url.displayName(), why);
        db.close();
        return QSqlDatabase();
    }
    return db;
}

bool copyRows(QSqlDatabase& src, QSqlDatabase& dst, const Table& table, QSet<QString>& copiedIncidents,
    StoreCopy::Result& result, QString* error)
{
    QSqlQuery read(src);
    read.setForwardOnly(true);
    if (!read.exec(QStringLiteral("SELECT %1 FROM %2 ORDER BY %3").arg(table.columns, table.name, table.orderBy))) {
        *error = QStringLiteral("reading %1: %2").arg(table.name, read.lastError().text());
        return false;
    }
    QSqlQuery write(dst);
    if (!write.prepare(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)%4")
                           .arg(table.name, table.columns, placeholders(table.columns), table.conflict))) {
        *error = QStringLiteral("writing %1: %2").arg(table.name, write.lastError().text());
        return false;
    }
    // Audit rows have no natural key: one already there (same action, phase, time and incident) is not added twice.
    QSqlQuery exists(dst);
    const bool audit = table.name == u"audit";
    if (audit
        && !exists.prepare(QStringLiteral("SELECT 1 FROM audit WHERE action_id = ? AND phase = ? AND time_ms = ? AND "
                                          "incident_id = ?"))) {
        *error = QStringLiteral("reading audit: %1").arg(exists.lastError().text());
        return false;
    }
    const int columns = int(table.columns.count(u',')) + 1;
    while (read.next()) {
        if (table.perIncident && !copiedIncidents.contains(read.value(0).toString()))
            continue;
        if (audit) {
            for (int c : { 0, 1, 2, 5 })
                exists.addBindValue(read.value(c));
            if (!exists.exec()) {
                *error = QStringLiteral("reading audit: %1").arg(exists.lastError().text());
                return false;
            }
            const bool present = exists.next();
            exists.finish();
            if (present)
                continue;
        }
        for (int c = 0; c < columns; ++c) {
            QVariant v = read.value(c);
            // SQLite hands back text for a text column; PostgreSQL's bytea needs the bytes as bytes.
            if (table.name == u"series" && c == 4)
                v = v.toByteArray();
            write.addBindValue(v);
        }
        if (!write.exec()) {
            *error = QStringLiteral("writing %1: %2").arg(table.name, write.lastError().text());
            return false;
        }
        const bool inserted = write.numRowsAffected() != 0;
        if (table.name == u"incidents") {
            if (inserted) {
                copiedIncidents.insert(read.value(0).toString());
                ++result.incidents;
            } else {
                ++result.skipped;
            }
        } else if (inserted) {
            qint64& counter = table.name == u"incident_events" ? result.events
                : table.name == u"symptoms"                    ? result.symptoms
                : table.name == u"evidence"                    ? result.evidence
                : table.name == u"series"                      ? result.series
                : audit                                        ? result.audit
                                                               : result.maintenance;
            ++counter;
        }
    }
    return true;
}

// Copies between two open connections in one destination transaction.
std::optional<StoreCopy::Result> copyBetween(QSqlDatabase& src, QSqlDatabase& dst, QString* error)
{
    // The source is read in one snapshot, so a console writing to it meanwhile cannot tear the copy.
    src.transaction();
    auto endRead = qScopeGuard([&src] { src.rollback(); });
    QSqlQuery control(dst);
    if (!control.exec(SqlDialect::of(dst).beginWrite())) {
        *error = control.lastError().text();
        return std::nullopt;
    }
    StoreCopy::Result result;
    QSet<QString> copied;
    for (const Table& table : tables())
        if (!copyRows(src, dst, table, copied, result, error)) {
            QSqlQuery(dst).exec(QStringLiteral("ROLLBACK"));
            return std::nullopt;
        }
    if (!control.exec(QStringLiteral("COMMIT"))) {
        *error = control.lastError().text();
        QSqlQuery(dst).exec(QStringLiteral("ROLLBACK"));
        return std::nullopt;
    }
    return result;
}
} // namespace

std::optional<StoreCopy::Result> StoreCopy::copy(const StoreUrl& from, const StoreUrl& to, QString* error)
{
    if (from.displayName() == to.displayName()) {
        if (error)
            *error = QStringLiteral("the source and the destination are the same database");
        return std::nullopt;
    }
    const QString tag = QUuid::createUuid().toString(QUuid::Id128).left(12);
    const QString srcName = QStringLiteral("faultdesk-copy-from-") + tag;
    const QString dstName = QStringLiteral("faultdesk-copy-to-") + tag;
    QString why;
    std::optional<Result> out;
    {
        QSqlDatabase src = openMigrated(from, srcName, &why);
        QSqlDatabase dst = src.isOpen() ? openMigrated(to, dstName, &why) : QSqlDatabase();
        if (src.isOpen() && dst.isOpen()) {
            out = copyBetween(src, dst, &why);
            if (!out)
                why = QStringLiteral("%1: nothing copied: %2").arg(to.displayName(), why);
        }
        src.close();
        dst.close();
    }
    QSqlDatabase::removeDatabase(srcName);
    QSqlDatabase::removeDatabase(dstName);
    if (!out && error)
        *error = why;
    return out;
}

} // namespace FaultDesk
