#pragma once

#include "incident/sqldialect.h"
#include "incident/storehealth.h"
#include "incident/storeurl.h"
#include "incident/storewrite.h"
#include "incident/writeresult.h"

#include <QFuture>
#include <QMutex>
#include <QObject>
#include <QPromise>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <deque>
#include <functional>
#include <map>
#include <memory>

class QTimer;

namespace FaultDesk {

/**
 * The incident store's only writer; lives on the store's thread. Writes wait in a bounded FIFO and are committed
 * in batches (one transaction, a savepoint per write) so a burst costs one fsync. A storage error (disk full,
 * read-only, I/O) keeps the writes queued and retries on a timer; a write the data refuses (unknown incident,
 * forbidden transition) fails alone.
 *
 * With a journal (server databases): while the database cannot take writes, they go to the local on-disk journal
 * instead (StoreJournal) and count as recorded once it is synced, audit intents included, so Handle and Recover go
 * on; when the database answers again the journal is replayed in order, before any newer write, each replayed write
 * committed with its (journal, sequence) marker so a replay cut short is never applied twice. Internal to
 * IncidentStore.
 */
class IncidentWriter : public QObject
{
    Q_OBJECT
public:
    /// What one write did inside its savepoint.
    enum class Outcome {
        Done,
        Refused, ///< the data forbids it; roll back this write only
        StorageError, ///< the database cannot write; roll back the batch and retry later
    };
    struct Context;
    /// Runs one write's SQL (IncidentWrites::apply).
    using Applier = std::function<Outcome(Context&, const StoreWrite&)>;

    /// Handed to each operation: prepared statements and error reporting on the writer's connection.
    struct Context
    {
        explicit Context(IncidentWriter& w)
            : writer(w)
        { }
        IncidentWriter& writer;
        QString error; ///< set by the operation when it does not return Done
        qint64 affected = 0;
        /// The statement for @p sql, prepared once per connection.
        QSqlQuery& prepare(const QString& sql);
        /// Executes @p q; on failure records the error and whether it is a storage error.
        bool exec(QSqlQuery& q);
        Outcome failure() const { return m_storage ? Outcome::StorageError : Outcome::Refused; }
        bool m_storage = false;
        bool uniqueViolation = false; ///< the last failed statement hit a duplicate key
    };

    struct Options
    {
        StoreUrl url;
        QString unusable; ///< when set, the location is invalid: nothing opens, every attempt fails with this
        int maxPending = 10000;
        int retryIntervalMs = 2000;
        int batchSize = 1000;
        Applier apply;
        QString journalPath; ///< empty: no journal (writes wait in memory while the database cannot take them)
        qint64 journalMaxBytes = 64LL * 1024 * 1024;
        QString journalOwner; ///< the store, for the journal's messages
    };

    explicit IncidentWriter(Options options);
    ~IncidentWriter() override;

    /**
     * Queues @p write; thread-safe. With @p retry false and no journal the write fails at once on a storage error
     * instead of waiting in memory (audit intents: remediation must not act on an intent that is not on disk).
     */
    QFuture<WriteResult> enqueue(const StoreWrite& write, bool retry = true);
    /// Current health; thread-safe.
    StoreHealth health() const;

public Q_SLOTS:
    /// Opens the connection and migrates the schema; runs on the writer thread.
    bool open(QString* error);
    /// Tries the queued writes now.
    void process();
    /// One last attempt, then fails what is left and closes the connection.
    void shutdown();
    /// Tests: makes the connection refuse writes (PRAGMA query_only) as an unwritable disk would.
    void setQueryOnly(bool on);

Q_SIGNALS:
    /// After COMMIT of writes touching these incidents.
    void committed(const QStringList& incidentIds);
    void healthChanged(const FaultDesk::StoreHealth& health);
    void errorOccurred(const QString& message);

private:
    struct Pending
    {
        StoreWrite write;
        bool retry = true;
        std::shared_ptr<QPromise<WriteResult>> promise;
    };

    bool ensureOpen(QString* error);
    void closeConnection();
    void storageFailed(const QString& message);
    void schedule();
    void finish(Pending& p, WriteResult result);
    bool run(const QString& sql, QString* error);
    bool journalMode() const;
    void journalQueued();
    bool replayJournal();
    void retryNow();

    Options m_options;
    SqlDialect m_dialect;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::map<QString, std::unique_ptr<QSqlQuery>> m_statements;
    std::unique_ptr<QSqlQuery> m_failedStatement;
    QTimer* m_retryTimer = nullptr;
    std::unique_ptr<class StoreJournal> m_journal;
    bool m_retryDue = true; ///< a reconnect may be tried now (not before the retry interval after a failure)

    mutable QMutex m_mutex; // guards the fields below
    std::deque<Pending> m_queue;
    bool m_scheduled = false;
    bool m_writable = true;
    quint64 m_dropped = 0;
    std::size_t m_inFlight = 0; ///< writes taken out of the queue by the running batch (under m_mutex)
    QString m_lastError;
    QDateTime m_lastErrorUtc;
    QDateTime m_downSinceUtc;
    int m_journaled = 0;
    qint64 m_journalBytes = 0;
    bool m_journalFull = false;
    quint64 m_replayRefused = 0;
    QString m_journalError; ///< why there is no journal although one was configured
    bool m_journalReady
        = false; ///< the journal is open: every write is taken at once (to disk while the server is away)
};

} // namespace FaultDesk
