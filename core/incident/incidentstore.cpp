#include "incident/incidentstore.h"

#include "incident/incidentschema.h"
#include "incident/incidentwriter.h"
#include "incident/incidentwrites.h"
#include "incident/sqldialect.h"
#include "incident/storeconnection.h"
#include "metrics/downsampler.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>
#include <QUuid>
#include <QtEndian>

#include <cstring>

namespace FaultDesk {

namespace {
QDateTime utc(const QVariant& v)
{
    return v.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(v.toLongLong(), Qt::UTC);
}

QJsonObject jsonObject(const QVariant& v)
{
    return QJsonDocument::fromJson(v.toString().toUtf8()).object();
}

QFuture<WriteResult> failedWrite(const QString& id, const QString& error)
{
    WriteResult r;
    r.incidentId = id;
    r.error = error;
    return QtFuture::makeReadyFuture(r);
}

// Series points as little-endian (int64 ms, double) pairs behind a format tag.
// Long series are kept at @p maxPoints with LTTB (the shape and its spikes survive, a gap stays one NaN point);
// a limit below 3 keeps every point.
QList<SnapshotPoint> reduced(const QList<SnapshotPoint>& points, int maxPoints)
{
    if (maxPoints < 3 || points.size() <= maxPoints)
        return points;
    std::vector<SeriesPoint> in;
    in.reserve(std::size_t(points.size()));
    for (const SnapshotPoint& p : points)
        in.push_back({ p.timeMs, p.value });
    QList<SnapshotPoint> out;
    out.reserve(maxPoints);
    for (const SeriesPoint& p : Downsampler::lttb(in, maxPoints))
        out.append({ p.timeMs, p.value });
    return out;
}

QByteArray encodePoints(const QList<SnapshotPoint>& points)
{
    QByteArray blob;
    blob.reserve(4 + points.size() * 16);
    blob.append("FDS1", 4);
    for (const SnapshotPoint& p : points) {
        char buf[16];
        qToLittleEndian<qint64>(p.timeMs, buf);
        quint64 bits = 0;
        std::memcpy(&bits, &p.value, sizeof bits);
        qToLittleEndian<quint64>(bits, buf + 8);
        blob.append(buf, 16);
    }
    return blob;
}

QList<SnapshotPoint> decodePoints(const QByteArray& blob)
{
    QList<SnapshotPoint> out;
    if (!blob.startsWith("FDS1"))
        return out;
    const qsizetype n = (blob.size() - 4) / 16;
    out.reserve(n);
    const char* p = blob.constData() + 4;
    for (qsizetype i = 0; i < n; ++i, p += 16) {
        SnapshotPoint sp;
        sp.timeMs = qFromLittleEndian<qint64>(p);
        const quint64 bits = qFromLittleEndian<quint64>(p + 8);
        std::memcpy(&sp.value, &bits, sizeof bits);
        out.append(sp);
    }
    return out;
}

const QString kIncidentColumns
    = QStringLiteral("id, root_target, cause_class, title, state, drill, first_failure_ms, detected_ms, located_ms, "
                     "acknowledged_ms, handling_ms, handled_ms, recovering_ms, recovered_ms, updated_ms, baseline");

Incident incidentFromRow(const QSqlQuery& q)
{
    Incident i;
    i.id = q.value(0).toString();
    i.rootTarget = q.value(1).toString();
    i.causeClass = q.value(2).toString();
    i.title = q.value(3).toString();
    i.state = IncidentLifecycle::fromName(q.value(4).toString()).value_or(IncidentState::Detected);
    i.drill = q.value(5).toBool();
    i.firstFailureUtc = utc(q.value(6));
    i.detectedUtc = utc(q.value(7));
    i.locatedUtc = utc(q.value(8));
    i.acknowledgedUtc = utc(q.value(9));
    i.handlingUtc = utc(q.value(10));
    i.handledUtc = utc(q.value(11));
    i.recoveringUtc = utc(q.value(12));
    i.recoveredUtc = utc(q.value(13));
    i.updatedUtc = utc(q.value(14));
    i.baseline = jsonObject(q.value(15));
    return i;
}

const QString kAuditColumns = QStringLiteral("action_id, phase, time_ms, operator, target, incident_id, runbook, "
                                             "kind, description, baseline, status, exit_code, duration_ms, output");

AuditRecord auditFromRow(const QSqlQuery& q)
{
    AuditRecord r;
    r.actionId = q.value(0).toString();
    r.phase = q.value(1).toString() == u"result" ? AuditRecord::Phase::Result : AuditRecord::Phase::Intent;
    r.timeUtc = utc(q.value(2));
    r.operatorName = q.value(3).toString();
    r.target = q.value(4).toString();
    r.incidentId = q.value(5).toString();
    r.runbook = q.value(6).toString();
    r.actionKind = q.value(7).toString();
    r.description = q.value(8).toString();
    r.baseline = jsonObject(q.value(9));
    r.status = q.value(10).toString();
    if (!q.value(11).isNull())
        r.exitCode = q.value(11).toInt();
    r.durationMs = q.value(12).toLongLong();
    r.outputExcerpt = q.value(13).toString();
    return r;
}

QString likePattern(const QString& text)
{
    QString escaped = text;
    escaped.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'%', QStringLiteral("\\%"))
        .replace(u'_', QStringLiteral("\\_"));
    return u'%' + escaped + u'%';
}

// WHERE clause over the incidents table for @p f; values to bind in order go to @p binds.
QString whereClause(const IncidentFilter& f, QVariantList& binds, const SqlDialect& dialect)
{
    QStringList terms;
    if (!f.includeDrills)
        terms << QStringLiteral("drill = 0");
    if (f.openOnly)
        terms << QStringLiteral("state <> 'recovered'");
    if (!f.target.isEmpty()) {
        terms << QStringLiteral("(root_target = ? OR id IN (SELECT incident_id FROM symptoms WHERE target = ?))");
        binds << f.target << f.target;
    }
    if (!f.causeClass.isEmpty()) {
        terms << QStringLiteral("cause_class = ?");
        binds << f.causeClass;
    }
    if (f.fromUtc.isValid()) {
        terms << QStringLiteral("detected_ms >= ?");
        binds << f.fromUtc.toMSecsSinceEpoch();
    }
    if (f.toUtc.isValid()) {
        terms << QStringLiteral("detected_ms < ?");
        binds << f.toUtc.toMSecsSinceEpoch();
    }
    if (!f.text.isEmpty()) {
        terms << QStringLiteral(
            "(id LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\' OR root_target LIKE ? ESCAPE '\\'"
            " OR cause_class LIKE ? ESCAPE '\\' OR id IN (SELECT incident_id FROM incident_events"
            " WHERE note LIKE ? ESCAPE '\\') OR id IN (SELECT incident_id FROM symptoms WHERE target LIKE ? ESCAPE"
            " '\\' OR detail LIKE ? ESCAPE '\\'))")
                     .replace(QStringLiteral(" LIKE "), u' ' + dialect.like() + u' ');
        const QString pattern = likePattern(f.text);
        for (int i = 0; i < 7; ++i)
            binds << pattern;
    }
    return terms.isEmpty() ? QString() : QStringLiteral(" WHERE ") + terms.join(QStringLiteral(" AND "));
}

bool execRead(QSqlDatabase& db, QSqlQuery& q, const QString& sql, const QVariantList& binds, QString* error)
{
    bool ok = q.prepare(sql);
    if (ok) {
        for (const QVariant& v : binds)
            q.addBindValue(v);
        ok = q.exec();
    }
    if (ok)
        return true;
    if (error)
        *error = q.lastError().text();
    // A server that restarted left this connection dead: the next read opens a new one.
    const SqlDialect dialect = SqlDialect::of(db);
    if (dialect.isPostgres() && dialect.isStorageError(q.lastError()))
        db.close();
    return false;
}
} // namespace

IncidentStore::IncidentStore(Options options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    qRegisterMetaType<FaultDesk::StoreHealth>();
    qRegisterMetaType<FaultDesk::WriteResult>();
    if (m_options.path.isEmpty())
        m_options.path = defaultPath();
    QString urlError;
    if (const std::optional<StoreUrl> url = StoreUrl::parse(m_options.path, &urlError))
        m_url = *url;
    else
        m_urlError = urlError;
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("incident-writer"));
    IncidentWriter::Options wo;
    wo.url = m_url;
    wo.unusable = m_urlError;
    wo.maxPending = m_options.maxPending;
    wo.retryIntervalMs = m_options.retryIntervalMs;
    wo.apply = &IncidentWrites::apply;
    wo.journalPath = journalPath();
    wo.journalMaxBytes = m_options.journalMaxBytes;
    m_writer = new IncidentWriter(wo);
    m_writer->moveToThread(m_thread);
    connect(m_writer, &IncidentWriter::committed, this, [this](const QStringList& ids) {
        for (const QString& id : ids)
            Q_EMIT recorded(id);
    });
    connect(m_writer, &IncidentWriter::healthChanged, this, &IncidentStore::healthChanged);
    connect(m_writer, &IncidentWriter::errorOccurred, this, &IncidentStore::errorOccurred);
    m_thread->start();
}

IncidentStore::~IncidentStore()
{
    QMetaObject::invokeMethod(m_writer, &IncidentWriter::shutdown, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_writer;
    QMutexLocker lock(&m_readMutex);
    for (const QString& name : std::as_const(m_readConnections))
        QSqlDatabase::removeDatabase(name);
}

QString IncidentStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/incidents.db");
}

QString IncidentStore::newId()
{
    return QStringLiteral("inc-") + QUuid::createUuid().toString(QUuid::Id128).left(16);
}

QDateTime IncidentStore::now() const
{
    return m_options.clock ? m_options.clock() : QDateTime::currentDateTimeUtc();
}

QString IncidentStore::displayName() const
{
    return m_urlError.isEmpty() ? m_url.displayName() : QStringLiteral("(invalid database location)");
}

QString IncidentStore::localDirectory() const
{
    const QString file = m_url.isPostgres() || !m_urlError.isEmpty() ? defaultPath() : m_url.path();
    return QFileInfo(file).absolutePath();
}

QString IncidentStore::journalPath() const
{
    if (!m_url.isPostgres() || !m_urlError.isEmpty())
        return QString();
    // One journal per server database, so a console pointed elsewhere never replays into the wrong one.
    const QByteArray key = QCryptographicHash::hash(m_url.displayName().toUtf8(), QCryptographicHash::Sha256);
    const QString dir = m_options.journalDirectory.isEmpty() ? localDirectory() : m_options.journalDirectory;
    return dir + QStringLiteral("/store-journal-%1.jsonl").arg(QString::fromLatin1(key.toHex().left(16)));
}

bool IncidentStore::open(QString* error)
{
    bool ok = false;
    QString why;
    QMetaObject::invokeMethod(
        m_writer, [&]() { ok = m_writer->open(&why); }, Qt::BlockingQueuedConnection);
    if (!ok) {
        if (error)
            *error = why;
        return false;
    }
    pruneExpired();
    if (m_options.pruneIntervalMs > 0 && !m_pruneTimer) {
        m_pruneTimer = new QTimer(this);
        m_pruneTimer->setInterval(m_options.pruneIntervalMs);
        connect(m_pruneTimer, &QTimer::timeout, this, [this] { pruneExpired(); });
        m_pruneTimer->start();
    }
    return true;
}

StoreHealth IncidentStore::health() const
{
    return m_writer->health();
}

void IncidentStore::setWriteBlockedForTesting(bool blocked)
{
    QMetaObject::invokeMethod(
        m_writer, [this, blocked]() { m_writer->setQueryOnly(blocked); }, Qt::BlockingQueuedConnection);
}

QString IncidentStore::validate(Incident& inc)
{
    if (inc.id.isEmpty())
        inc.id = newId();
    if (inc.rootTarget.isEmpty())
        return QStringLiteral("incident %1: the root target is missing").arg(inc.id);
    if (inc.causeClass.isEmpty())
        return QStringLiteral("incident %1: the cause class is missing").arg(inc.id);
    if (!inc.detectedUtc.isValid())
        return QStringLiteral("incident %1: the detection time is missing").arg(inc.id);
    return QString();
}

QFuture<WriteResult> IncidentStore::createIncident(const Incident& incident)
{
    Incident inc = incident;
    if (const QString error = validate(inc); !error.isEmpty())
        return failedWrite(inc.id, error);
    return m_writer->enqueue(StoreWrite::createIncidents({ inc }, inc.id));
}

QFuture<WriteResult> IncidentStore::createIncidents(const QList<Incident>& incidents)
{
    QList<Incident> all = incidents;
    for (Incident& inc : all)
        if (const QString error = validate(inc); !error.isEmpty())
            return failedWrite(inc.id, error);
    return m_writer->enqueue(StoreWrite::createIncidents(all, QString()));
}

QFuture<WriteResult> IncidentStore::transition(const QString& incidentId, const IncidentEvent& event)
{
    if (!event.timeUtc.isValid())
        return failedWrite(incidentId, QStringLiteral("incident %1: the event has no time").arg(incidentId));
    return m_writer->enqueue(StoreWrite::transition(incidentId, event));
}

QFuture<WriteResult> IncidentStore::acknowledge(
    const QString& incidentId, const QString& actor, const QDateTime& timeUtc, const QString& note)
{
    IncidentEvent e;
    e.timeUtc = timeUtc;
    e.state = IncidentState::Acknowledged;
    e.actor = actor;
    e.note = note;
    return transition(incidentId, e);
}

QFuture<WriteResult> IncidentStore::addSymptom(const QString& incidentId, const Symptom& symptom)
{
    return m_writer->enqueue(StoreWrite::addSymptom(incidentId, symptom));
}

QFuture<WriteResult> IncidentStore::addEvidence(const QString& incidentId, const Evidence& evidence)
{
    return m_writer->enqueue(StoreWrite::addEvidence(incidentId, evidence));
}

QFuture<WriteResult> IncidentStore::setBaseline(const QString& incidentId, const QJsonObject& baseline)
{
    return m_writer->enqueue(StoreWrite::setBaseline(incidentId, baseline));
}

QFuture<WriteResult> IncidentStore::saveSeries(const QString& incidentId, const QList<SeriesSnapshot>& series)
{
    QList<StoreWrite::SeriesBlob> blobs;
    for (const SeriesSnapshot& s : series)
        blobs.append({ s.target, s.signal, qint64(s.points.size()),
            encodePoints(reduced(s.points, m_options.maxSeriesPoints)) });
    return m_writer->enqueue(StoreWrite::saveSeries(incidentId, blobs));
}

QFuture<WriteResult> IncidentStore::execute(const QString& statement, const QVariantList& binds)
{
    return m_writer->enqueue(StoreWrite::execute(statement, binds));
}

QFuture<WriteResult> IncidentStore::pruneOlderThan(const QDateTime& cutoffUtc)
{
    return execute(QStringLiteral("DELETE FROM incidents WHERE updated_ms < ?"), { cutoffUtc.toMSecsSinceEpoch() });
}

QFuture<WriteResult> IncidentStore::pruneExpired()
{
    // Replay markers matter only while a journal that was cut short may still be replayed: keep them a retention
    // period (at least a month) of wall-clock time.
    const qint64 keepMs = std::max<qint64>(m_options.retentionMs, 30LL * 24 * 3600 * 1000);
    execute(QStringLiteral("DELETE FROM store_journal_applied WHERE applied_ms < ?"),
        { QDateTime::currentMSecsSinceEpoch() - keepMs });
    return pruneOlderThan(now().addMSecs(-m_options.retentionMs));
}

QFuture<WriteResult> IncidentStore::appendAudit(const AuditRecord& record)
{
    if (record.actionId.isEmpty() || !record.timeUtc.isValid())
        return failedWrite(record.incidentId, QStringLiteral("audit record without an action id or a time"));
    return m_writer->enqueue(StoreWrite::appendAudit(record), false);
}

bool IncidentStore::append(const AuditRecord& record, QString* error)
{
    if (QThread::currentThread() == m_thread) {
        if (error)
            *error = QStringLiteral("audit append called on the incident writer thread");
        return false;
    }
    QFuture<WriteResult> f = appendAudit(record.masked());
    f.waitForFinished();
    const WriteResult r = f.result();
    if (!r.ok && error)
        *error = r.error;
    return r.ok;
}

QSqlDatabase IncidentStore::readConnection(QString* error) const
{
    if (!m_urlError.isEmpty()) {
        if (error)
            *error = m_urlError;
        return QSqlDatabase();
    }
    const QString name = QStringLiteral("faultdesk-incidents-read-%1-%2")
                             .arg(quintptr(this), 0, 16)
                             .arg(quintptr(QThread::currentThread()), 0, 16);
    {
        QMutexLocker lock(&m_readMutex);
        if (!m_readConnections.contains(name))
            m_readConnections.append(name);
    }
    return StoreConnection::open(m_url, name, StoreConnection::Purpose::Read, error);
}

std::optional<Incident> IncidentStore::incident(const QString& id, bool withSeries, QString* error) const
{
    QSqlDatabase db = readConnection(error);
    if (!db.isOpen())
        return std::nullopt;
    // One read transaction: the incident and its parts come from the same snapshot.
    db.transaction();
    auto done = qScopeGuard([&db] { db.rollback(); });
    QSqlQuery q(db);
    if (!execRead(db, q, QStringLiteral("SELECT ") + kIncidentColumns + QStringLiteral(" FROM incidents WHERE id = ?"),
            { id }, error))
        return std::nullopt;
    if (!q.next()) {
        if (error)
            *error = QStringLiteral("no incident %1 in %2").arg(id, displayName());
        return std::nullopt;
    }
    Incident inc = incidentFromRow(q);
    if (!execRead(db, q,
            QStringLiteral(
                "SELECT time_ms, event, resulting_state, actor, note FROM incident_events WHERE incident_id = "
                "? ORDER BY time_ms, id"),
            { id }, error))
        return std::nullopt;
    while (q.next()) {
        IncidentEvent e;
        e.timeUtc = utc(q.value(0));
        e.state = IncidentLifecycle::fromName(q.value(1).toString()).value_or(IncidentState::Detected);
        e.resultingState = IncidentLifecycle::fromName(q.value(2).toString()).value_or(e.state);
        e.actor = q.value(3).toString();
        e.note = q.value(4).toString();
        inc.events.append(e);
    }
    if (!execRead(db, q,
            QStringLiteral("SELECT time_ms, target, signal, cause_class, detail FROM symptoms WHERE incident_id = ? "
                           "ORDER BY time_ms, id"),
            { id }, error))
        return std::nullopt;
    while (q.next())
        inc.symptoms.append({ utc(q.value(0)), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
            q.value(4).toString() });
    if (!execRead(db, q,
            QStringLiteral(
                "SELECT time_ms, target, rule, detail FROM evidence WHERE incident_id = ? ORDER BY time_ms, id"),
            { id }, error))
        return std::nullopt;
    while (q.next())
        inc.evidence.append({ utc(q.value(0)), q.value(1).toString(), q.value(2).toString(), jsonObject(q.value(3)) });
    if (!execRead(db, q,
            QStringLiteral("SELECT ") + kAuditColumns
                + QStringLiteral(" FROM audit WHERE incident_id = ? ORDER BY seq"),
            { id }, error))
        return std::nullopt;
    while (q.next())
        inc.actions.append(auditFromRow(q));
    if (withSeries) {
        if (!execRead(db, q,
                QStringLiteral(
                    "SELECT target, signal, points FROM series WHERE incident_id = ? ORDER BY target, signal"),
                { id }, error))
            return std::nullopt;
        while (q.next())
            inc.series.append({ q.value(0).toString(), q.value(1).toString(), decodePoints(q.value(2).toByteArray()) });
    }
    return inc;
}

QList<Incident> IncidentStore::incidents(const IncidentFilter& filter, QString* error) const
{
    QList<Incident> out;
    QSqlDatabase db = readConnection(error);
    if (!db.isOpen())
        return out;
    QVariantList binds;
    QString sql = QStringLiteral("SELECT ") + kIncidentColumns + QStringLiteral(" FROM incidents")
        + whereClause(filter, binds, SqlDialect(m_url.engine())) + QStringLiteral(" ORDER BY detected_ms DESC, id");
    if (filter.limit > 0) {
        sql += QStringLiteral(" LIMIT ? OFFSET ?");
        binds << filter.limit << std::max(0, filter.offset);
    }
    db.transaction();
    auto done = qScopeGuard([&db] { db.rollback(); });
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!execRead(db, q, sql, binds, error))
        return out;
    while (q.next())
        out.append(incidentFromRow(q));
    if (out.isEmpty())
        return out;
    // Symptoms give the affected targets the history view shows; one query per page, not per incident.
    QHash<QString, qsizetype> index;
    for (qsizetype i = 0; i < out.size(); ++i)
        index.insert(out[i].id, i);
    // In chunks, so a large page stays under SQLite's bound-parameter limit.
    constexpr qsizetype chunk = 500;
    for (qsizetype from = 0; from < out.size(); from += chunk) {
        QStringList marks;
        QVariantList ids;
        for (qsizetype i = from; i < std::min(out.size(), from + chunk); ++i) {
            marks << QStringLiteral("?");
            ids << out[i].id;
        }
        if (!execRead(db, q,
                QStringLiteral("SELECT incident_id, time_ms, target, signal, cause_class, detail FROM symptoms WHERE "
                               "incident_id IN (")
                    + marks.join(u',') + QStringLiteral(") ORDER BY time_ms, id"),
                ids, error))
            return out;
        while (q.next())
            out[index.value(q.value(0).toString())].symptoms.append({ utc(q.value(1)), q.value(2).toString(),
                q.value(3).toString(), q.value(4).toString(), q.value(5).toString() });
    }
    return out;
}

int IncidentStore::count(const IncidentFilter& filter, QString* error) const
{
    QSqlDatabase db = readConnection(error);
    if (!db.isOpen())
        return -1;
    QVariantList binds;
    const QString sql
        = QStringLiteral("SELECT COUNT(*) FROM incidents") + whereClause(filter, binds, SqlDialect(m_url.engine()));
    QSqlQuery q(db);
    if (!execRead(db, q, sql, binds, error) || !q.next())
        return -1;
    return q.value(0).toInt();
}

bool IncidentStore::select(const QString& query, const QVariantList& binds,
    const std::function<void(const QSqlQuery&)>& row, QString* error) const
{
    QSqlDatabase db = readConnection(error);
    if (!db.isOpen())
        return false;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!execRead(db, q, query, binds, error))
        return false;
    while (q.next())
        row(q);
    return true;
}

QList<SeriesSnapshot> IncidentStore::series(const QString& incidentId, QString* error) const
{
    QList<SeriesSnapshot> out;
    QSqlDatabase db = readConnection(error);
    if (!db.isOpen())
        return out;
    QSqlQuery q(db);
    if (!execRead(db, q,
            QStringLiteral("SELECT target, signal, points FROM series WHERE incident_id = ? ORDER BY target, signal"),
            { incidentId }, error))
        return out;
    while (q.next())
        out.append({ q.value(0).toString(), q.value(1).toString(), decodePoints(q.value(2).toByteArray()) });
    return out;
}

QList<AuditRecord> IncidentStore::auditRecords(const QString& incidentId, QString* error) const
{
    QList<AuditRecord> out;
    QSqlDatabase db = readConnection(error);
    if (!db.isOpen())
        return out;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!execRead(db, q,
            QStringLiteral("SELECT ") + kAuditColumns
                + (incidentId.isNull() ? QStringLiteral(" FROM audit ORDER BY seq")
                                       : QStringLiteral(" FROM audit WHERE incident_id = ? ORDER BY seq")),
            incidentId.isNull() ? QVariantList() : QVariantList { incidentId }, error))
        return out;
    while (q.next())
        out.append(auditFromRow(q));
    return out;
}

std::optional<AuditRecord> IncidentStore::auditRecord(qint64 seq, QString* error) const
{
    QSqlDatabase db = readConnection(error);
    if (!db.isOpen())
        return std::nullopt;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!execRead(db, q, QStringLiteral("SELECT ") + kAuditColumns + QStringLiteral(" FROM audit WHERE seq = ?"),
            { seq }, error)
        || !q.next())
        return std::nullopt;
    return auditFromRow(q);
}

QList<AuditRecord> IncidentStore::records() const
{
    return auditRecords(QString());
}

QList<MttxFigures> IncidentStore::mttx(Grouping by, const IncidentFilter& filter, QString* error) const
{
    QList<MttxFigures> out;
    QSqlDatabase db = readConnection(error);
    if (!db.isOpen())
        return out;
    const QString key = by == Grouping::Target ? QStringLiteral("root_target")
        : by == Grouping::Cause                ? QStringLiteral("cause_class")
                                               : QStringLiteral("''");
    QVariantList binds;
    const QString sql = QStringLiteral("SELECT ") + key
        + QStringLiteral(", COUNT(*), COUNT(recovered_ms), AVG(detected_ms - first_failure_ms), "
                         "AVG(located_ms - detected_ms), AVG(acknowledged_ms - detected_ms), "
                         "AVG(handled_ms - detected_ms), AVG(recovered_ms - detected_ms) FROM incidents")
        + whereClause(filter, binds, SqlDialect(m_url.engine())) + QStringLiteral(" GROUP BY 1 ORDER BY 1");
    QSqlQuery q(db);
    if (!execRead(db, q, sql, binds, error))
        return out;
    auto mean = [&q](int col) { return q.value(col).isNull() ? std::nullopt : std::optional(q.value(col).toDouble()); };
    while (q.next()) {
        MttxFigures m;
        m.key = q.value(0).toString();
        m.incidents = q.value(1).toInt();
        m.recovered = q.value(2).toInt();
        m.mttdMs = mean(3);
        m.mttlMs = mean(4);
        m.mttaMs = mean(5);
        m.mtthMs = mean(6);
        m.mttrMs = mean(7);
        out.append(m);
    }
    return out;
}

QString IncidentStore::integrityCheck() const
{
    QString error;
    QSqlDatabase db = readConnection(&error);
    if (!db.isOpen())
        return error;
    QSqlQuery q(db);
    if (m_url.isPostgres()) {
        // The server checks its own pages; what FaultDesk can check is that it answers with the schema it knows.
        const int version = IncidentSchema::version(db, &error);
        if (version < 0)
            return error;
        return version == IncidentSchema::currentVersion
            ? QStringLiteral("ok")
            : QStringLiteral("schema version %1, expected %2").arg(version).arg(IncidentSchema::currentVersion);
    }
    if (!q.exec(QStringLiteral("PRAGMA integrity_check")))
        return q.lastError().text();
    QStringList lines;
    while (q.next())
        lines << q.value(0).toString();
    return lines.join(u'\n');
}

} // namespace FaultDesk
