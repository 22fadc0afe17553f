#pragma once

#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * Where the incident database lives: a SQLite file (any text that is not a URL) or a PostgreSQL server,
 * `postgresql://[user@]host[:port]/database[?param=value&…]`.
 *
 * The password is given by reference only, never inline: `password_file=PATH` (a file readable by its owner only,
 * first line), `password_env=NAME` (an environment variable), or neither, when libpq's own `.pgpass` / `PGPASSFILE`
 * supplies it. A URL holding `user:password@` or `password=` is refused, and the error never repeats the text
 * given. Other parameters: `sslmode` (disable … verify-full; verify-full by default for a host off the loopback),
 * `sslrootcert`, `sslcert`, `sslkey` (files that must exist) and `connect_timeout` (seconds, default 10).
 */
class StoreUrl
{
public:
    enum class Engine {
        Sqlite,
        Postgres,
    };

    /// Parses @p text; std::nullopt with a readable @p error naming what is wrong (never echoing a password).
    static std::optional<StoreUrl> parse(const QString& text, QString* error = nullptr);
    /// A SQLite file at @p path.
    static StoreUrl file(const QString& path);

    Engine engine() const { return m_engine; }
    bool isPostgres() const { return m_engine == Engine::Postgres; }
    /// SQLite: the database file.
    QString path() const { return m_path; }
    QString host() const { return m_host; }
    int port() const { return m_port; }
    QString database() const { return m_database; }
    QString user() const { return m_user; }
    QString sslMode() const { return m_sslMode; }
    QString sslRootCert() const { return m_sslRootCert; }
    QString passwordEnv() const { return m_passwordEnv; }
    QString passwordFile() const { return m_passwordFile; }
    int connectTimeoutS() const { return m_connectTimeoutS; }

    /// The store for messages and logs: the file path, or `postgresql://user@host:port/db` (no parameters).
    QString displayName() const;
    /**
     * The password the reference points to (empty when none is configured, so libpq's .pgpass applies);
     * std::nullopt with @p error when the reference cannot be resolved. The password itself never appears in errors.
     */
    std::optional<QString> password(QString* error = nullptr) const;
    /**
     * libpq connection options for QPSQL's setConnectOptions (values validated at parse time); a @p maxConnectTimeoutS
     * above 0 caps the connect timeout (reads on the GUI thread wait less for a server that does not answer).
     */
    QString connectOptions(int maxConnectTimeoutS = 0) const;

private:
    Engine m_engine = Engine::Sqlite;
    QString m_path;
    QString m_host;
    int m_port = 5432;
    QString m_database;
    QString m_user;
    QString m_sslMode;
    QString m_sslRootCert;
    QString m_sslCert;
    QString m_sslKey;
    QString m_passwordEnv;
    QString m_passwordFile;
    int m_connectTimeoutS = 10;
};

} // namespace FaultDesk
