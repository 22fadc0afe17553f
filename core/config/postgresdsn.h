#pragma once

#include "config/secretref.h"

#include <QString>
#include <QStringView>

#include <optional>

namespace FaultDesk {

/**
 * Where a PostgreSQL server is and how to reach it: `postgresql://user@host:port/database?sslmode=…&sslrootcert=…`.
 * The password is never part of it: it is a SecretRef (`password: {env|file}`) or, when none is given, whatever
 * libpq finds in PGPASSFILE or ~/.pgpass. Shared by the postgres probe and the team store.
 */
struct PostgresDsn
{
    /// libpq's sslmode, weakest first; verify-ca and verify-full check the server's certificate against caFile.
    enum class SslMode {
        Disable,
        Allow,
        Prefer,
        Require,
        VerifyCa,
        VerifyFull,
    };

    QString host;
    quint16 port = 5432;
    QString database;
    QString user;
    SslMode sslMode = SslMode::Prefer; ///< libpq's default
    QString caFile; ///< sslrootcert: absolute path of the CA bundle; empty = libpq's default (~/.postgresql/root.crt)
    std::optional<SecretRef> password;

    /**
     * Parses @p text. A password in the URL, an unknown parameter, a missing host, user or database, or a scheme
     * other than postgresql:// (or postgres://) is refused with a sentence in @p error. A relative sslrootcert is
     * taken from @p baseDir.
     */
    static std::optional<PostgresDsn> parse(const QString& text, QString* error, const QString& baseDir = {});

    /// The DSN as written back, without any secret: safe to log and show.
    QString toString() const;

    /// "disable" … "verify-full".
    static QString sslModeName(SslMode mode);
    static std::optional<SslMode> sslModeFromName(QStringView name);
};

} // namespace FaultDesk
