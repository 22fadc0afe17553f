#include "remedy/postgresbaseline.h"

#include "pg/pgconnection.h"

#include <QCryptographicHash>
#include <QJsonArray>

namespace FaultDesk {

namespace {

constexpr int sampleRanges = 4;

/// The table's name as the server resolves it, its estimated rows, and its primary key (quoted columns, types).
struct Shape
{
    QString relation;
    qint64 estimate = 0;
    QStringList keys;
    QString firstKeyType;
};

std::optional<Shape> shapeOf(PgConnection& c, const QString& name, int timeoutMs, QString* error)
{
    PgConnection::Error e;
    const auto rel = c.query(QStringLiteral("SELECT to_regclass($1)::text, "
                                            "(SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass($1))"),
        { name }, timeoutMs, &e);
    if (!rel) {
        *error = e.message;
        return std::nullopt;
    }
    if (rel->isEmpty() || rel->constFirst().constFirst().isNull()) {
        *error = QStringLiteral("no table %1").arg(name);
        return std::nullopt;
    }
    Shape s;
    s.relation = rel->constFirst().at(0).toString();
    s.estimate = rel->constFirst().at(1).toLongLong();
    const auto keys = c.query(QStringLiteral("SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod) "
                                             "FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY "
                                             "AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
                                             "a.attnum = k.attnum WHERE i.indrelid = to_regclass($1) AND "
                                             "i.indisprimary ORDER BY k.ord"),
        { name }, timeoutMs, &e);
    if (!keys) {
        *error = e.message;
        return std::nullopt;
    }
    for (const QVariantList& k : *keys)
        s.keys << k.at(0).toString();
    if (!keys->isEmpty())
        s.firstKeyType = keys->constFirst().at(1).toString();
    return s;
}

/// count and md5 of the rows of @p relation (or of @p limit rows from @p start on), ordered by @p order.
std::optional<std::pair<qint64, QString>> fingerprint(
    PgConnection& c, const Shape& s, const QString& start, qint64 limit, int timeoutMs, QString* error)
{
    // Identifiers come from the server's own quote_ident/regclass output, never from configuration text.
    QStringList order;
    for (const QString& k : s.keys)
        order << QStringLiteral("s.") + k;
    if (order.isEmpty())
        order << QStringLiteral("s::text"); // no primary key: the whole row orders it
    QString inner = QStringLiteral("SELECT * FROM %1 t").arg(s.relation);
    QVariantList params;
    if (!start.isEmpty()) {
        inner += QStringLiteral(" WHERE t.%1 >= $1::bigint").arg(s.keys.constFirst());
        params << start;
    }
    if (limit > 0) {
        QStringList innerOrder;
        for (const QString& k : s.keys)
            innerOrder << QStringLiteral("t.") + k;
        inner += QStringLiteral(" ORDER BY %1 LIMIT %2")
                     .arg(innerOrder.isEmpty() ? QStringLiteral("t::text") : innerOrder.join(u','))
                     .arg(limit);
    }
    const QString sql
        = QStringLiteral("SELECT count(*), md5(coalesce(string_agg(s::text, E'\\n' ORDER BY %1), '')) FROM (%2) s")
              .arg(order.join(u','), inner);
    PgConnection::Error e;
    const auto rows = c.query(sql, params, timeoutMs, &e);
    if (!rows || rows->isEmpty()) {
        *error = rows ? QStringLiteral("no result") : e.message;
        return std::nullopt;
    }
    return std::make_pair(rows->constFirst().at(0).toLongLong(), rows->constFirst().at(1).toString());
}

PostgresBaseline::Table readTable(PgConnection& c, const PostgresProbeConfig::CriticalTable& config, int timeoutMs,
    const PostgresBaseline::Table* reference)
{
    PostgresBaseline::Table t;
    t.name = config.name;
    QString error;
    const auto shape = shapeOf(c, config.name, timeoutMs, &error);
    if (!shape) {
        t.error = error;
        return t;
    }
    t.relation = shape->relation;
    const QString keyText = shape->keys.isEmpty() ? QStringLiteral("whole rows (no primary key)")
                                                  : shape->keys.join(QStringLiteral(", "));
    static const QStringList integers { QStringLiteral("smallint"), QStringLiteral("integer"),
        QStringLiteral("bigint") };
    const bool sample = reference ? !reference->rangeStarts.isEmpty() || reference->rowsPerRange > 0
                                  : shape->estimate > config.maxRows;
    if (!sample) {
        const auto f = fingerprint(c, *shape, {}, 0, timeoutMs, &error);
        if (!f) {
            t.error = error;
            return t;
        }
        t.rows = f->first;
        t.md5 = f->second;
        t.sampling = QStringLiteral("all %1 rows, ordered by %2").arg(t.rows).arg(keyText);
        return t;
    }
    // Sampled: the same rows every time (the baseline's range starts), so two reads compare like for like.
    QStringList starts;
    qint64 perRange = 0;
    if (reference) {
        starts = reference->rangeStarts;
        perRange = reference->rowsPerRange;
    } else if (!shape->keys.isEmpty() && integers.contains(shape->firstKeyType)) {
        PgConnection::Error e;
        const auto range = c.query(QStringLiteral("SELECT min(t.%1)::bigint, max(t.%1)::bigint FROM %2 t")
                                       .arg(shape->keys.constFirst(), shape->relation),
            {}, timeoutMs, &e);
        if (!range || range->isEmpty()) {
            t.error = range ? QStringLiteral("no result") : e.message;
            return t;
        }
        const qint64 lo = range->constFirst().at(0).toLongLong();
        const qint64 hi = range->constFirst().at(1).toLongLong();
        for (int i = 0; i < sampleRanges; ++i)
            starts << QString::number(lo + qint64((double(hi) - double(lo) + 1) * i / sampleRanges));
        perRange = config.maxRows / sampleRanges;
    } else {
        perRange = config.maxRows; // no numeric key to spread over: the first rows by key
    }
    QCryptographicHash all(QCryptographicHash::Md5);
    qint64 rows = 0;
    const QStringList from = starts.isEmpty() ? QStringList { QString() } : starts;
    for (const QString& start : from) {
        const auto f = fingerprint(c, *shape, start, perRange, timeoutMs, &error);
        if (!f) {
            t.error = error;
            return t;
        }
        rows += f->first;
        all.addData(f->second.toLatin1());
    }
    t.rows = rows;
    t.md5 = QString::fromLatin1(all.result().toHex());
    t.rangeStarts = starts;
    t.rowsPerRange = perRange;
    t.sampling = starts.isEmpty()
        ? QStringLiteral("sampled: the first %1 rows by %2 (table estimated at %3 rows)")
              .arg(perRange)
              .arg(keyText)
              .arg(shape->estimate)
        : QStringLiteral("sampled: %1 rows in %2 ranges of ≤ %3 rows by %4 from %4 ≥ %5 (table estimated at %6 rows)")
              .arg(rows)
              .arg(starts.size())
              .arg(perRange)
              .arg(keyText, starts.join(QStringLiteral(", ")))
              .arg(shape->estimate);
    return t;
}

// amcheck of the tables' heaps (verify_heapam) and B-tree indexes (bt_index_check), read-only so a replica can run it.
QString amcheckTables(
    PgConnection& c, const QList<PostgresProbeConfig::CriticalTable>& tables, int timeoutMs, bool* clean)
{
    PgConnection::Error e;
    const auto installed
        = c.query(QStringLiteral("SELECT extversion FROM pg_extension WHERE extname = 'amcheck'"), {}, timeoutMs, &e);
    if (!installed) {
        *clean = false;
        return QStringLiteral("failed: %1").arg(e.message);
    }
    if (installed->isEmpty())
        return QStringLiteral("skipped: the amcheck extension is not installed in this database (CREATE EXTENSION "
                              "amcheck on the primary enables it)");
    QStringList checked;
    QStringList found;
    for (const PostgresProbeConfig::CriticalTable& t : tables) {
        const auto heap = c.query(QStringLiteral("SELECT count(*), string_agg(format('block %s: %s', blkno, msg), "
                                                 "'; ') FROM verify_heapam(to_regclass($1))"),
            { t.name }, timeoutMs, &e);
        if (!heap || heap->isEmpty()) {
            found << QStringLiteral("%1: %2").arg(t.name, heap ? QStringLiteral("no result") : e.message);
            continue;
        }
        if (heap->constFirst().at(0).toLongLong() > 0)
            found << QStringLiteral("%1: %2").arg(t.name, heap->constFirst().at(1).toString().left(300));
        const auto indexes = c.query(QStringLiteral("SELECT count(bt_index_check(i.indexrelid)) FROM pg_index i JOIN "
                                                    "pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = "
                                                    "ic.relam WHERE i.indrelid = to_regclass($1) AND am.amname = "
                                                    "'btree'"),
            { t.name }, timeoutMs, &e);
        if (!indexes || indexes->isEmpty()) {
            found << QStringLiteral("%1 indexes: %2").arg(t.name, indexes ? QStringLiteral("no result") : e.message);
            continue;
        }
        checked << QStringLiteral("%1 (heap, %2 B-tree index%3)")
                       .arg(t.name)
                       .arg(indexes->constFirst().at(0).toLongLong())
                       .arg(indexes->constFirst().at(0).toLongLong() == 1 ? QString() : QStringLiteral("es"));
    }
    if (!found.isEmpty()) {
        *clean = false;
        return QStringLiteral("corrupt: %1").arg(found.join(QStringLiteral("; ")));
    }
    return QStringLiteral("clean: %1").arg(checked.join(QStringLiteral(", ")));
}

} // namespace

const PostgresBaseline::Table* PostgresBaseline::table(const QString& name) const
{
    for (const Table& t : tables)
        if (t.name == name)
            return &t;
    return nullptr;
}

PostgresBaseline PostgresBaseline::read(PgConnection& c, const QList<PostgresProbeConfig::CriticalTable>& tables,
    int timeoutMs, const PostgresBaseline* reference, bool amcheck)
{
    PostgresBaseline b;
    b.readUtc = QDateTime::currentDateTimeUtc();
    PgConnection::Error e;
    const auto state = c.query(QStringLiteral("SELECT pg_is_in_recovery(), current_setting('default_transaction_read_"
                                              "only'), CASE WHEN pg_is_in_recovery() THEN "
                                              "pg_last_wal_replay_lsn()::text ELSE pg_current_wal_lsn()::text END"),
        {}, timeoutMs, &e);
    if (!state || state->isEmpty()) {
        b.error = state ? QStringLiteral("no result") : e.message;
        return b;
    }
    const bool replica = state->constFirst().at(0).toBool();
    b.role = replica ? QStringLiteral("replica") : QStringLiteral("primary");
    b.readOnly = state->constFirst().at(1).toString() == u"on";
    b.lsn = state->constFirst().at(2).toString();
    const auto repl = replica
        ? c.query(
            QStringLiteral("SELECT status, sender_host, sender_port FROM pg_stat_wal_receiver"), {}, timeoutMs, &e)
        : c.query(QStringLiteral("SELECT application_name, state, client_addr::text FROM pg_stat_replication "
                                 "ORDER BY application_name"),
            {}, timeoutMs, &e);
    if (!repl) {
        b.replication = QStringLiteral("unknown: %1").arg(e.message);
    } else if (replica) {
        b.replication = repl->isEmpty()
            ? QStringLiteral("not receiving WAL")
            : QStringLiteral("%1 from %2:%3")
                  .arg(repl->constFirst().at(0).toString(), repl->constFirst().at(1).toString(),
                      repl->constFirst().at(2).toString());
    } else {
        QStringList peers;
        int streaming = 0;
        for (const QVariantList& r : *repl) {
            streaming += r.at(1).toString() == u"streaming";
            peers << QStringLiteral("%1 %2").arg(r.at(0).toString(), r.at(1).toString());
        }
        b.replication = repl->isEmpty() ? QStringLiteral("no replica connected")
                                        : QStringLiteral("%1 replica%2 streaming (%3)")
                                              .arg(streaming)
                                              .arg(streaming == 1 ? QString() : QStringLiteral("s"))
                                              .arg(peers.join(QStringLiteral(", ")));
    }
    for (const PostgresProbeConfig::CriticalTable& t : tables)
        b.tables << readTable(c, t, timeoutMs, reference ? reference->table(t.name) : nullptr);
    if (amcheck)
        b.amcheck = amcheckTables(c, tables, timeoutMs, &b.amcheckClean);
    return b;
}

QMap<QString, PostgresBaseline::Table> PostgresBaseline::expectedTables(
    const QList<PostgresBaseline>& copies, QStringList* problems)
{
    QMap<QString, Table> out;
    QMap<QString, QStringList> seenOn;
    QStringList conflicts;
    QStringList names;
    for (const PostgresBaseline& b : copies)
        for (const Table& t : b.tables)
            if (!names.contains(t.name))
                names << t.name;
    for (const QString& name : std::as_const(names)) {
        std::optional<Table> agreed;
        QStringList readers;
        bool conflict = false;
        for (const PostgresBaseline& b : copies) {
            const Table* t = b.table(name);
            if (!t || !t->error.isEmpty() || t->md5.isEmpty())
                continue;
            readers << b.target;
            if (!agreed)
                agreed = *t;
            else if (agreed->md5 != t->md5)
                conflict = true;
        }
        if (conflict) {
            if (problems)
                *problems << QStringLiteral("%1: the copies on %2 disagree").arg(name, readers.join(u", "));
        } else if (!agreed) {
            if (problems)
                *problems << QStringLiteral("%1: no copy could be read").arg(name);
        } else {
            out.insert(name, *agreed);
        }
    }
    return out;
}

QStringList PostgresBaseline::describe() const
{
    QStringList lines;
    if (!error.isEmpty())
        return { QStringLiteral("%1: not read (%2)").arg(target, error) };
    lines << QStringLiteral("%1: %2%3, %4, at %5")
                 .arg(target, role, readOnly ? QStringLiteral(" (read-only)") : QString(), replication, lsn);
    for (const Table& t : tables)
        lines << (t.error.isEmpty() ? QStringLiteral("%1 table %2: md5 %3 — %4").arg(target, t.name, t.md5, t.sampling)
                                    : QStringLiteral("%1 table %2: not read (%3)").arg(target, t.name, t.error));
    if (!amcheck.isEmpty())
        lines << QStringLiteral("%1 amcheck %2").arg(target, amcheck);
    return lines;
}

QJsonObject PostgresBaseline::toJson() const
{
    QJsonArray ts;
    for (const Table& t : tables)
        ts.append(QJsonObject { { QStringLiteral("name"), t.name }, { QStringLiteral("relation"), t.relation },
            { QStringLiteral("rows"), t.rows }, { QStringLiteral("md5"), t.md5 },
            { QStringLiteral("sampling"), t.sampling },
            { QStringLiteral("range_starts"), QJsonArray::fromStringList(t.rangeStarts) },
            { QStringLiteral("rows_per_range"), t.rowsPerRange }, { QStringLiteral("error"), t.error } });
    return QJsonObject { { QStringLiteral("target"), target }, { QStringLiteral("role"), role },
        { QStringLiteral("read_only"), readOnly }, { QStringLiteral("replication"), replication },
        { QStringLiteral("lsn"), lsn }, { QStringLiteral("tables"), ts }, { QStringLiteral("error"), error },
        { QStringLiteral("read_utc"), readUtc.toString(Qt::ISODateWithMs) }, { QStringLiteral("amcheck"), amcheck } };
}

PostgresBaseline PostgresBaseline::fromJson(const QJsonObject& o)
{
    PostgresBaseline b;
    b.target = o.value(QStringLiteral("target")).toString();
    b.role = o.value(QStringLiteral("role")).toString();
    b.readOnly = o.value(QStringLiteral("read_only")).toBool();
    b.replication = o.value(QStringLiteral("replication")).toString();
    b.lsn = o.value(QStringLiteral("lsn")).toString();
    b.error = o.value(QStringLiteral("error")).toString();
    b.readUtc = QDateTime::fromString(o.value(QStringLiteral("read_utc")).toString(), Qt::ISODateWithMs);
    b.amcheck = o.value(QStringLiteral("amcheck")).toString();
    for (const QJsonValue& v : o.value(QStringLiteral("tables")).toArray()) {
        const QJsonObject t = v.toObject();
        Table table;
        table.name = t.value(QStringLiteral("name")).toString();
        table.relation = t.value(QStringLiteral("relation")).toString();
        table.rows = qint64(t.value(QStringLiteral("rows")).toDouble());
        table.md5 = t.value(QStringLiteral("md5")).toString();
        table.sampling = t.value(QStringLiteral("sampling")).toString();
        for (const QJsonValue& s : t.value(QStringLiteral("range_starts")).toArray())
            table.rangeStarts << s.toString();
        table.rowsPerRange = qint64(t.value(QStringLiteral("rows_per_range")).toDouble());
        table.error = t.value(QStringLiteral("error")).toString();
        b.tables << table;
    }
    return b;
}

} // namespace FaultDesk
