#pragma once

#include "config/postgresdsn.h"

#include <QList>
#include <QMutex>
#include <QString>
#include <QVariant>

#include <atomic>
#include <optional>

class QSqlError;

namespace FaultDesk {

/**
 * One PostgreSQL session through Qt's QPSQL driver, used from the thread that opened it (QSqlDatabase's rule). Its
 * calls block, so it belongs on a thread of its own, never the GUI's or the monitor's; each call is bounded:
 * connecting by libpq's connect_timeout, a statement by statement_timeout, and from any other thread interrupt()
 * breaks the session's socket so a call stuck on a silent server returns at once. Errors are classified the way an
 * operator acts on them: the server refused, did not answer in time, or the configuration is wrong.
 */
class PgConnection
{
public:
    struct Error
    {
        enum class Kind {
            None,
            Refused, ///< nothing listens there, or the server is starting or shutting down
            Timeout, ///< no answer within the deadline (connect, statement or wall clock)
            Dns, ///< the host name does not resolve
            Tls, ///< TLS required but refused, or the server's certificate failed verification
            Config, ///< authentication refused, unknown role or database, no pg_hba.conf entry, unreadable secret
            Lost, ///< the session broke during a call
            Sql, ///< the statement failed (sqlState says why); the session is fine
            Other,
        };
        Kind kind = Kind::None;
        QString message; ///< readable; never contains the password
        QString sqlState; ///< five characters for Sql errors, else empty
    };
    using Rows = QList<QVariantList>;

    explicit PgConnection(const PostgresDsn& dsn, const QString& applicationName = QStringLiteral("faultdesk"));
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    const PostgresDsn& dsn() const { return m_dsn; }
    /// Connects (password resolved now, from its reference) within @p timeoutMs (libpq allows no less than 2 s).
    bool open(int timeoutMs, Error* error);
    bool isOpen() const { return m_open; }
    void close();

    /**
     * Runs @p sql with @p params bound to its `?` placeholders (values are never spliced into the text),
     * bounded by @p timeoutMs of statement time. Returns the rows, or std::nullopt with @p error; a Lost or Timeout
     * error leaves the session closed, to be opened again.
     */
    std::optional<Rows> query(const QString& sql, const QVariantList& params, int timeoutMs, Error* error);

    /// Thread-safe: breaks the session's socket so a call blocked in it returns now, failing as a Timeout.
    void interrupt();

    /// Short name of @p kind: "refused", "timeout", "config" …
    static QString kindName(Error::Kind kind);
    /// The kind of a libpq connection failure message.
    static Error::Kind classifyConnectFailure(const QString& message);
    /// Whether Qt's PostgreSQL driver (QPSQL, Debian package libqt6sql6-psql) can be loaded.
    static bool driverAvailable();

private:
    bool setStatementTimeout(int timeoutMs, Error* error);
    Error fromQueryError(const QSqlError& e, const QString& what);

    PostgresDsn m_dsn;
    QString m_applicationName;
    QString m_name; ///< the QSqlDatabase connection name
    bool m_open = false;
    int m_statementTimeoutMs = -1;
    QMutex m_handleLock; ///< guards m_handle against interrupt() from another thread
    void* m_handle = nullptr; ///< libpq's PGconn of the open session
    std::atomic<bool> m_interrupted { false };
};

} // namespace FaultDesk
