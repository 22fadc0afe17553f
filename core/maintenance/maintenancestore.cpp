#include "maintenance/maintenancestore.h"

#include "incident/incidentstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

#include <limits>

namespace FaultDesk {

namespace {
// NOT NULL text columns: a null QString would bind as SQL NULL.
QString text(const QString& s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QString jsonList(const QStringList& list)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

QStringList listFromJson(const QVariant& v)
{
    QStringList out;
    for (const QJsonValue& x : QJsonDocument::fromJson(v.toString().toUtf8()).array())
        out << x.toString();
    return out;
}

QFuture<WriteResult> failed(const QString& error)
{
    WriteResult r;
    r.error = error;
    return QtFuture::makeReadyFuture(r);
}

QDateTime utc(const QVariant& v)
{
    return v.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(v.toLongLong(), Qt::UTC);
}

MaintenanceWindow fromRow(const QSqlQuery& q)
{
    MaintenanceWindow w;
    w.id = q.value(0).toString();
    w.targets = listFromJson(q.value(1));
    w.groups = listFromJson(q.value(2));
    w.startUtc = utc(q.value(3));
    w.endUtc = utc(q.value(4));
    w.comment = q.value(5).toString();
    w.createdBy = q.value(6).toString();
    w.createdUtc = utc(q.value(7));
    w.endedBy = q.value(8).toString();
    w.origin = MaintenanceWindow::Origin::Runtime;
    return w;
}
} // namespace

MaintenanceStore::MaintenanceStore(IncidentStore* database)
    : m_database(database)
{ }

QFuture<WriteResult> MaintenanceStore::save(const MaintenanceWindow& w)
{
    if (w.id.isEmpty() || !w.startUtc.isValid() || !w.endUtc.isValid() || w.endUtc < w.startUtc)
        return failed(QStringLiteral("maintenance window without an id or with invalid times"));
    if (!m_database)
        return failed(QStringLiteral("the incident database is closed"));
    return m_database->execute(
        QStringLiteral("INSERT INTO maintenance_windows (id, targets, groups_json, start_ms, end_ms, comment, "
                       "created_by, created_ms, ended_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO "
                       "UPDATE SET targets = excluded.targets, groups_json = excluded.groups_json, start_ms = "
                       "excluded.start_ms, end_ms = excluded.end_ms, comment = excluded.comment, created_by = "
                       "excluded.created_by, created_ms = excluded.created_ms, ended_by = excluded.ended_by"),
        { w.id, jsonList(w.targets), jsonList(w.groups), w.startUtc.toMSecsSinceEpoch(), w.endUtc.toMSecsSinceEpoch(),
            text(w.comment), text(w.createdBy),
            (w.createdUtc.isValid() ? w.createdUtc : w.startUtc).toMSecsSinceEpoch(), text(w.endedBy) });
}

QFuture<WriteResult> MaintenanceStore::pruneEndedBefore(const QDateTime& cutoffUtc)
{
    if (!m_database)
        return failed(QStringLiteral("the incident database is closed"));
    return m_database->execute(
        QStringLiteral("DELETE FROM maintenance_windows WHERE end_ms < ?"), { cutoffUtc.toMSecsSinceEpoch() });
}

std::optional<MaintenanceWindow> MaintenanceStore::window(const QString& id, QString* error) const
{
    if (!m_database) {
        if (error)
            *error = QStringLiteral("the incident database is closed");
        return std::nullopt;
    }
    std::optional<MaintenanceWindow> out;
    m_database->select(
        QStringLiteral("SELECT id, targets, groups_json, start_ms, end_ms, comment, created_by, created_ms, ended_by"
                       " FROM maintenance_windows WHERE id = ?"),
        { id }, [&out](const QSqlQuery& q) { out = fromRow(q); }, error);
    return out;
}

QList<MaintenanceWindow> MaintenanceStore::windows(const QDateTime& endingAfterUtc, QString* error) const
{
    QList<MaintenanceWindow> out;
    if (!m_database) {
        if (error)
            *error = QStringLiteral("the incident database is closed");
        return out;
    }
    const qint64 from
        = endingAfterUtc.isValid() ? endingAfterUtc.toMSecsSinceEpoch() : std::numeric_limits<qint64>::min();
    m_database->select(
        QStringLiteral("SELECT id, targets, groups_json, start_ms, end_ms, comment, created_by, created_ms, ended_by"
                       " FROM maintenance_windows WHERE end_ms >= ? ORDER BY start_ms, id"),
        { from }, [&out](const QSqlQuery& q) { out.append(fromRow(q)); }, error);
    return out;
}

} // namespace FaultDesk
