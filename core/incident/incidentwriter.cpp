#include "incident/incidentwriter.h"

#include "incident/incidentschema.h"
#include "incident/storeconnection.h"
#include "incident/storejournal.h"
#include "util/logging.h"

#include <QSet>
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

QFuture<WriteResult> IncidentWriter::enqueue(const StoreWrite& write, bool retry)
{
    Pending p { write, retry, std::make_shared<QPromise<WriteResult>>() };
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
            // With a journal every write is taken at once: while the database is away it goes to disk, and the
            // operator waits for that, not for the database.
            if (!m_scheduled && (m_writable || !retry || m_journalReady)) {
                m_scheduled = true;
                kick = true;
            }
        }
    }
    if (dropped) {
        WriteResult r;
        r.incidentId = write.incidentId;
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
    h.server = m_options.url.isPostgres();
    h.store = m_options.url.displayName();
    h.downSinceUtc = m_downSinceUtc;
    h.journalEnabled = !m_options.journalPath.isEmpty() && m_journalError.isEmpty();
    h.journaled = m_journaled;
    h.journalBytes = m_journalBytes;
    h.journalMaxBytes = m_options.journalMaxBytes;
    h.journalFull = m_journalFull;
    h.journalPath = m_options.journalPath;
    h.replayRefused = m_replayRefused;
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
        connect(m_retryTimer, &QTimer::timeout, this, &IncidentWriter::retryNow);
    }
    if (!m_options.journalPath.isEmpty() && !m_journal) {
        auto journal = std::make_unique<StoreJournal>(m_options.journalPath, m_options.journalMaxBytes);
        QString why;
        if (journal->open(&why)) {
            m_journal = std::move(journal);
            if (m_journal->recovered() > 0)
                qCInfo(lcStore, "store journal %s: %d writes of an earlier run wait for %s",
                    qUtf8Printable(m_options.journalPath), m_journal->recovered(),
                    qUtf8Printable(m_options.url.displayName()));
        } else {
            qCWarning(
                lcStore, "no store journal, writes wait in memory while the database is away: %s", qUtf8Printable(why));
        }
        QMutexLocker lock(&m_mutex);
        m_journalError = why;
        m_journalReady = m_journal != nullptr;
        m_journaled = m_journal ? m_journal->size() : 0;
        m_journalBytes = m_journal ? m_journal->bytes() : 0;
    }
    QString why;
    const bool ok = ensureOpen(&why);
    if (!ok && m_journal) {
        // From now on writes go to the journal; the timer keeps trying the database.
        storageFailed(why);
    } else if (ok && m_journal && !m_journal->isEmpty()) {
        QMetaObject::invokeMethod(this, &IncidentWriter::process, Qt::QueuedConnection);
    }
    if (!ok && error)
        *error = why;
    return ok;
}

void IncidentWriter::retryNow()
{
    m_retryDue = true;
    process();
}

bool IncidentWriter::journalMode() const
{
    if (!m_journal)
        return false;
    QMutexLocker lock(&m_mutex);
    return !m_journal->isEmpty() || !m_writable;
}

void IncidentWriter::journalQueued()
{
    std::deque<Pending> taken;
    {
        QMutexLocker lock(&m_mutex);
        taken.swap(m_queue);
    }
    if (taken.empty())
        return;
    QList<StoreWrite> writes;
    for (const Pending& p : taken)
        writes.append(p.write);
    QString error;
    const int appended = m_journal->append(writes, &error);
    {
        QMutexLocker lock(&m_mutex);
        m_journaled = m_journal->size();
        m_journalBytes = m_journal->bytes();
        m_journalFull = appended < int(taken.size());
        m_dropped += taken.size() - std::size_t(appended);
    }
    for (std::size_t i = 0; i < taken.size(); ++i) {
        WriteResult r;
        r.incidentId = taken[i].write.incidentId;
        if (int(i) < appended) {
            r.ok = true;
            r.journaled = true;
        } else {
            r.error = QStringLiteral("not recorded: %1").arg(error);
        }
        finish(taken[i], r);
    }
    if (appended < int(taken.size())) {
        qCWarning(lcStore, "%s", qUtf8Printable(error));
        Q_EMIT errorOccurred(error);
    }
    Q_EMIT healthChanged(health());
}

bool IncidentWriter::replayJournal()
{
    QString error;
    auto abort = [&](const QString& why) {
        run(QStringLiteral("ROLLBACK"), nullptr);
        closeConnection();
        storageFailed(QStringLiteral("%1: %2").arg(m_options.url.displayName(), why));
        return false;
    };
    const QString journalId = m_journal->id();
    // What an earlier, interrupted replay of this journal already committed.
    QSet<qint64> applied;
    {
        Context ctx(*this);
        QSqlQuery& q = ctx.prepare(QStringLiteral("SELECT seq FROM store_journal_applied WHERE journal_id = ?"));
        q.addBindValue(journalId);
        if (!ctx.exec(q))
            return abort(ctx.error);
        while (q.next())
            applied.insert(q.value(0).toLongLong());
        q.finish();
    }
    const int total = m_journal->size();
    while (!m_journal->isEmpty()) {
        const int n = std::min(m_journal->size(), m_options.batchSize);
        if (!run(m_dialect.beginWrite(), &error))
            return abort(error);
        QStringList touched;
        QStringList refused;
        for (int i = 0; i < n; ++i) {
            const StoreJournal::Entry& entry = m_journal->entries()[std::size_t(i)];
            if (!run(QStringLiteral("SAVEPOINT w"), &error))
                return abort(error);
            Context ctx(*this);
            if (!applied.contains(entry.seq)) {
                const Outcome outcome = m_options.apply(ctx, entry.write);
                if (outcome == Outcome::StorageError)
                    return abort(ctx.error);
                if (outcome == Outcome::Refused) {
                    run(QStringLiteral("ROLLBACK TO w"), nullptr);
                    refused << QStringLiteral("%1 %2: %3")
                                   .arg(StoreWrite::kindName(entry.write.kind), entry.write.incidentId, ctx.error);
                } else if (!entry.write.incidentId.isEmpty() && !touched.contains(entry.write.incidentId)) {
                    touched << entry.write.incidentId;
                }
                QSqlQuery& mark = ctx.prepare(
                    QStringLiteral("INSERT INTO store_journal_applied (journal_id, seq, applied_ms) VALUES (?, ?, ?)"));
                mark.addBindValue(journalId);
                mark.addBindValue(entry.seq);
                mark.addBindValue(QDateTime::currentMSecsSinceEpoch());
                if (!ctx.exec(mark))
                    return abort(ctx.error);
            }
            if (!run(QStringLiteral("RELEASE w"), &error))
                return abort(error);
        }
        if (!run(QStringLiteral("COMMIT"), &error))
            return abort(error);
        m_journal->dropReplayed(n);
        {
            QMutexLocker lock(&m_mutex);
            m_journaled = m_journal->size();
            m_journalBytes = m_journal->bytes();
            m_journalFull = false;
            m_replayRefused += quint64(refused.size());
        }
        for (const QString& why : std::as_const(refused)) {
            const QString message = QStringLiteral("a write kept in the local journal was refused by %1 on replay: %2")
                                        .arg(m_options.url.displayName(), why);
            qCWarning(lcStore, "%s", qUtf8Printable(message));
            Q_EMIT errorOccurred(message);
        }
        if (!touched.isEmpty())
            Q_EMIT committed(touched);
        Q_EMIT healthChanged(health());
    }
    {
        QMutexLocker lock(&m_mutex);
        m_writable = true;
        m_downSinceUtc = QDateTime();
    }
    qCInfo(lcStore, "store journal replayed: %d writes now in %s", total, qUtf8Printable(m_options.url.displayName()));
    Q_EMIT healthChanged(health());
    return true;
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
        if (m_writable)
            m_downSinceUtc = QDateTime::currentDateTimeUtc();
        m_writable = false;
        m_lastError = message;
        m_lastErrorUtc = QDateTime::currentDateTimeUtc();
        for (auto it = m_queue.begin(); it != m_queue.end();) {
            // With a journal nothing is refused: it all goes to disk below.
            if (it->retry || m_journal) {
                ++it;
            } else {
                refused.push_back(std::move(*it));
                it = m_queue.erase(it);
            }
        }
    }
    for (Pending& p : refused) {
        WriteResult r;
        r.incidentId = p.write.incidentId;
        r.error = QStringLiteral("not recorded: %1").arg(message);
        finish(p, r);
    }
    if (m_retryTimer && !m_retryTimer->isActive()) {
        m_retryDue = false;
        m_retryTimer->start();
    }
    if (changed) {
        qCWarning(lcStore, "incident store cannot write, keeping records %s: %s",
            m_journal ? "in the local journal" : "in memory", qUtf8Printable(message));
        Q_EMIT errorOccurred(message);
    }
    if (m_journal)
        journalQueued();
    Q_EMIT healthChanged(health());
}

void IncidentWriter::process()
{
    {
        QMutexLocker lock(&m_mutex);
        m_scheduled = false;
    }
    if (journalMode()) {
        journalQueued();
        // Reconnecting may block for the connect timeout: the writes above are safe on disk first.
        if (!m_retryDue)
            return;
    }
    QString error;
    if (!ensureOpen(&error)) {
        storageFailed(error);
        return;
    }
    // The journal holds the oldest writes: they go first, then what waits in memory (newer) goes straight in.
    if (m_journal && !m_journal->isEmpty() && !replayJournal())
        return;
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
            const Outcome outcome = m_options.apply(ctx, batch[i].write);
            if (outcome == Outcome::StorageError) {
                abort(ctx.error);
                return;
            }
            results[i].incidentId = batch[i].write.incidentId;
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
            const QString& id = batch[i].write.incidentId;
            if (results[i].ok && !id.isEmpty() && !touched.contains(id))
                touched.append(id);
            finish(batch[i], std::move(results[i]));
        }
        bool recovered = false;
        {
            QMutexLocker lock(&m_mutex);
            recovered = !m_writable;
            m_writable = true;
            m_downSinceUtc = QDateTime();
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
    // With the database away, what waits goes to the journal for the next start rather than being lost.
    if (journalMode())
        journalQueued();
    else if (pending)
        process();
    std::deque<Pending> left;
    {
        QMutexLocker lock(&m_mutex);
        left.swap(m_queue);
    }
    for (Pending& p : left) {
        WriteResult r;
        r.incidentId = p.write.incidentId;
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
