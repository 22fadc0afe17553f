#pragma once

#include "sqldialect.h"
#include "storehealth.h"
#include "storeurl.h"
#include "writeresult.h"

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
 * forbidden transition) fails alone. Internal to IncidentStore.
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
    using Operation = std::function<Outcome(Context&)>;

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
    };

    explicit IncidentWriter(Options options);
    ~IncidentWriter() override;

    /**
     * Queues @p op; thread-safe. With @p retry false the write fails at once on a storage error instead of waiting
     * (audit intents: remediation must not act on an intent that is not on disk).
     */
    QFuture<WriteResult> enqueue(Operation op, const QString& incidentId, bool retry = true);
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
        Operation op;
        QString incidentId;
        bool retry = true;
        std::shared_ptr<QPromise<WriteResult>> promise;
    };

    bool ensureOpen(QString* error);
    void closeConnection();
    void storageFailed(const QString& message);
    void schedule();
    void finish(Pending& p, WriteResult result);
    bool run(const QString& sql, QString* error);

    Options m_options;
    SqlDialect m_dialect;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::map<QString, std::unique_ptr<QSqlQuery>> m_statements;
    std::unique_ptr<QSqlQuery> m_failedStatement;
    QTimer* m_retryTimer = nullptr;

    mutable QMutex m_mutex; // guards the fields below
    std::deque<Pending> m_queue;
    bool m_scheduled = false;
    bool m_writable = true;
    quint64 m_dropped = 0;
    std::size_t m_inFlight = 0; ///< writes taken out of the queue by the running batch (under m_mutex)
    QString m_lastError;
    QDateTime m_lastErrorUtc;
};

} // namespace FaultDesk
