#include "incidentwriter.h"

#include "incidentschema.h"
#include "storeconnection.h"
#include "util/logging.h"

#include <QSqlError>
#include <QTimer>

namespace FaultDesk {

QSqlQuery& IncidentWriter::Context::prepare(const QString& sql)
{
    auto it = writer.m_statements.find(sql);
    if (it == writer.m_statements.end()) {
        auto q = std::make_unique<QSqlQuery>(writer.m_db);
        if (!q->prepare(sql)) {
            // Not cached: the next attempt prepares again (the schema may be readable by then).
            error = q->lastError().text();
            m_storage = writer.m_dialect.isStorageError(q->lastError());
            writer.m_failedStatement = std::move(q);
            return *writer.m_failedStatement;
        }
        it = writer.m_statements.emplace(sql, std::move(q)).first;
    }
    return *it->second;
}

bool IncidentWriter::Context::exec(QSqlQuery& q)
{
    if (q.exec())
        return true;
    error = q.lastError().text();
    m_storage = writer.m_dialect.isStorageError(q.lastError());
    if (writer.m_dialect.isUniqueViolation(q.lastError()))
        uniqueViolation = true;
    return false;
}

IncidentWriter::IncidentWriter(Options options)
    : m_options(std::move(options))
    , m_dialect(m_options.url.engine())
    , m_connectionName(QStringLiteral("faultdesk-incidents-writer-%1").arg(quintptr(this), 0, 16))
{ }

IncidentWriter::~IncidentWriter() = default;

QFuture<WriteResult> IncidentWriter::enqueue(Operation op, const QString& incidentId, bool retry)
{
    Pending p { std::move(op), incidentId, retry, std::make_shared<QPromise<WriteResult>>() };
    p.promise->start();
    QFuture<WriteResult> future = p.promise->future();
    bool kick = false;
    bool dropped = false;
    {
        QMutexLocker lock(&m_mutex);
        // Unqueued writes (audit) never wait, so they cannot fill the buffer: they are not counted against it.
        // Writes the writer holds in a running batch count too: a failed batch goes back into the queue.
        if (retry && qsizetype(m_queue.size() + m_inFlight) >= m_options.maxPending) {
            ++m_dropped;
            dropped = true;
        } else {
            m_queue.push_back(std::move(p));
            if (!m_scheduled && (m_writable || !retry)) {
                m_scheduled = true;
                kick = true;
            }
        }
    }
    if (dropped) {
        WriteResult r;
        r.incidentId = incidentId;
        r.error = QStringLiteral("incident store: write dropped, %1 writes already wait for the database (%2)")
                      .arg(m_options.maxPending)
                      .arg(health().lastError);
        finish(p, r);
        Q_EMIT healthChanged(health());
    }
    if (kick)
        QMetaObject::invokeMethod(this, &IncidentWriter::process, Qt::QueuedConnection);
    return future;
}

StoreHealth IncidentWriter::health() const
{
    QMutexLocker lock(&m_mutex);
    StoreHealth h;
    h.writable = m_writable;
    h.pending = int(m_queue.size() + m_inFlight);
    h.dropped = m_dropped;
    h.lastError = m_lastError;
    h.lastErrorUtc = m_lastErrorUtc;
    return h;
}

bool IncidentWriter::run(const QString& sql, QString* error)
{
    if (!m_dialect.canPrepareControl()) {
        QSqlQuery q(m_db);
        if (q.exec(sql))
            return true;
        if (error)
            *error = QStringLiteral("%1: %2").arg(sql, q.lastError().text());
        return false;
    }
    // The per-write savepoint statements run thousands of times a second: prepare them once.
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        auto prepared = std::make_unique<QSqlQuery>(m_db);
        if (!prepared->prepare(sql)) {
            if (error)
                *error = QStringLiteral("%1: %2").arg(sql, prepared->lastError().text());
            return false;
        }
        it = m_statements.emplace(sql, std::move(prepared)).first;
    }
    QSqlQuery& q = *it->second;
    if (q.exec())
        return true;
    if (error)
        *error = QStringLiteral("%1: %2").arg(sql, q.lastError().text());
    return false;
}

bool IncidentWriter::open(QString* error)
{
    if (!m_retryTimer) {
        m_retryTimer = new QTimer(this);
        m_retryTimer->setSingleShot(true);
        m_retryTimer->setInterval(m_options.retryIntervalMs);
        connect(m_retryTimer, &QTimer::timeout, this, &IncidentWriter::process);
    }
    return ensureOpen(error);
}

bool IncidentWriter::ensureOpen(QString* error)
{
    if (m_db.isOpen())
        return true;
    if (!m_options.unusable.isEmpty()) {
        if (error)
            *error = m_options.unusable;
        return false;
    }
    QString why;
    m_db = StoreConnection::open(m_options.url, m_connectionName, StoreConnection::Purpose::Write, &why);
    if (!m_db.isOpen()) {
        if (error)
            *error = why;
        closeConnection();
        return false;
    }
    if (!IncidentSchema::migrate(m_db, &why)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_options.url.displayName(), why);
        closeConnection();
        return false;
    }
    return true;
}

void IncidentWriter::closeConnection()
{
    m_statements.clear();
    m_failedStatement.reset();
    if (m_db.isValid())
        m_db.close();
}

void IncidentWriter::setQueryOnly(bool on)
{
    QString error;
    if (ensureOpen(&error))
        run(m_dialect.readOnly(on), &error);
}

void IncidentWriter::finish(Pending& p, WriteResult result)
{
    p.promise->addResult(std::move(result));
    p.promise->finish();
}

void IncidentWriter::storageFailed(const QString& message)
{
    std::vector<Pending> refused;
    bool changed = false;
    {
        QMutexLocker lock(&m_mutex);
        changed = m_writable || m_lastError != message;
        m_writable = false;
        m_lastError = message;
        m_lastErrorUtc = QDateTime::currentDateTimeUtc();
        for (auto it = m_queue.begin(); it != m_queue.end();) {
            if (it->retry) {
                ++it;
            } else {
                refused.push_back(std::move(*it));
                it = m_queue.erase(it);
            }
        }
    }
    for (Pending& p : refused) {
        WriteResult r;
        r.incidentId = p.incidentId;
        r.error = QStringLiteral("not recorded: %1").arg(message);
        finish(p, r);
    }
    if (m_retryTimer && !m_retryTimer->isActive())
        m_retryTimer->start();
    if (changed) {
        qCWarning(lcStore, "incident store cannot write, keeping records in memory: %s", qUtf8Printable(message));
        Q_EMIT errorOccurred(message);
    }
    Q_EMIT healthChanged(health());
}

void IncidentWriter::process()
{
    {
        QMutexLocker lock(&m_mutex);
        m_scheduled = false;
    }
    QString error;
    if (!ensureOpen(&error)) {
        storageFailed(error);
        return;
    }
    for (;;) {
        std::vector<Pending> batch;
        {
            QMutexLocker lock(&m_mutex);
            while (!m_queue.empty() && int(batch.size()) < m_options.batchSize) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
            m_inFlight = batch.size();
        }
        if (batch.empty())
            return;
        auto putBack = [&]() {
            QMutexLocker lock(&m_mutex);
            for (auto it = batch.rbegin(); it != batch.rend(); ++it)
                m_queue.push_front(std::move(*it));
            m_inFlight = 0;
        };
        auto abort = [&](const QString& why) {
            run(QStringLiteral("ROLLBACK"), nullptr);
            putBack();
            // A server connection that failed may be gone for good: the retry opens a new one.
            if (m_dialect.isPostgres())
                closeConnection();
            storageFailed(QStringLiteral("%1: %2").arg(m_options.url.displayName(), why));
        };
        if (!run(m_dialect.beginWrite(), &error)) {
            abort(error);
            return;
        }
        std::vector<WriteResult> results(batch.size());
        for (size_t i = 0; i < batch.size(); ++i) {
            if (!run(QStringLiteral("SAVEPOINT w"), &error)) {
                abort(error);
                return;
            }
            Context ctx(*this);
            const Outcome outcome = batch[i].op(ctx);
            if (outcome == Outcome::StorageError) {
                abort(ctx.error);
                return;
            }
            results[i].incidentId = batch[i].incidentId;
            if (outcome == Outcome::Done) {
                results[i].ok = true;
                results[i].affected = ctx.affected;
            } else {
                results[i].error = ctx.error;
                run(QStringLiteral("ROLLBACK TO w"), nullptr);
            }
            if (!run(QStringLiteral("RELEASE w"), &error)) {
                abort(error);
                return;
            }
        }
        if (!run(QStringLiteral("COMMIT"), &error)) {
            abort(error);
            return;
        }
        {
            QMutexLocker lock(&m_mutex);
            m_inFlight = 0;
        }
        QStringList touched;
        for (size_t i = 0; i < batch.size(); ++i) {
            if (results[i].ok && !batch[i].incidentId.isEmpty() && !touched.contains(batch[i].incidentId))
                touched.append(batch[i].incidentId);
            finish(batch[i], std::move(results[i]));
        }
        bool recovered = false;
        {
            QMutexLocker lock(&m_mutex);
            recovered = !m_writable;
            m_writable = true;
        }
        if (recovered)
            qCInfo(lcStore, "incident store writable again");
        if (!touched.isEmpty())
            Q_EMIT committed(touched);
        Q_EMIT healthChanged(health());
    }
}

void IncidentWriter::shutdown()
{
    bool pending = false;
    {
        QMutexLocker lock(&m_mutex);
        pending = !m_queue.empty();
    }
    if (pending)
        process();
    std::deque<Pending> left;
    {
        QMutexLocker lock(&m_mutex);
        left.swap(m_queue);
    }
    for (Pending& p : left) {
        WriteResult r;
        r.incidentId = p.incidentId;
        r.error = QStringLiteral("incident store closed before the write reached the database");
        finish(p, r);
    }
    if (m_retryTimer)
        m_retryTimer->stop();
    closeConnection();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

} // namespace FaultDesk
