#include "config/postgresdsn.h"

#include <QDir>
#include <QUrl>
#include <QUrlQuery>

namespace FaultDesk {

namespace {

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

QString PostgresDsn::sslModeName(SslMode mode)
{
    switch (mode) {
    case SslMode::Disable:
        return QStringLiteral("disable");
    case SslMode::Allow:
        return QStringLiteral("allow");
    case SslMode::Prefer:
        return QStringLiteral("prefer");
    case SslMode::Require:
        return QStringLiteral("require");
    case SslMode::VerifyCa:
        return QStringLiteral("verify-ca");
    case SslMode::VerifyFull:
        return QStringLiteral("verify-full");
    }
    return QStringLiteral("prefer");
}

std::optional<PostgresDsn::SslMode> PostgresDsn::sslModeFromName(QStringView name)
{
    for (SslMode m : { SslMode::Disable, SslMode::Allow, SslMode::Prefer, SslMode::Require, SslMode::VerifyCa,
             SslMode::VerifyFull }) {
        if (name == sslModeName(m))
            return m;
    }
    return std::nullopt;
}

std::optional<PostgresDsn> PostgresDsn::parse(const QString& text, QString* error, const QString& baseDir)
{
    const QUrl url(text, QUrl::StrictMode);
    PostgresDsn dsn;
    if (!url.isValid()) {
        fail(error, QStringLiteral("not a valid URL (%1)").arg(url.errorString()));
        return std::nullopt;
    }
    if (url.scheme() != u"postgresql" && url.scheme() != u"postgres") {
        fail(error, QStringLiteral("must start with postgresql://, e.g. postgresql://faultdesk@127.0.0.1:5432/bank"));
        return std::nullopt;
    }
    if (!url.password().isEmpty()) {
        fail(error,
            QStringLiteral("a password is never written in the DSN: give it as 'password: {env: VARIABLE}' or "
                           "'{file: PATH}', or in PGPASSFILE"));
        return std::nullopt;
    }
    dsn.host = url.host();
    dsn.user = url.userName();
    dsn.database = url.path().mid(1);
    if (dsn.host.isEmpty()) {
        fail(error, QStringLiteral("names no host (postgresql://user@HOST:port/database)"));
        return std::nullopt;
    }
    if (dsn.user.isEmpty()) {
        fail(error, QStringLiteral("names no user (postgresql://USER@host:port/database)"));
        return std::nullopt;
    }
    if (dsn.database.isEmpty() || dsn.database.contains(u'/')) {
        fail(error, QStringLiteral("names no database (postgresql://user@host:port/DATABASE)"));
        return std::nullopt;
    }
    if (url.port() == 0) {
        fail(error, QStringLiteral("port 0 is not a port"));
        return std::nullopt;
    }
    if (url.port() > 0)
        dsn.port = quint16(url.port());
    const QUrlQuery query(url);
    for (const auto& [key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == u"sslmode") {
            const auto mode = sslModeFromName(value);
            if (!mode) {
                fail(error,
                    QStringLiteral(
                        "sslmode must be disable, allow, prefer, require, verify-ca or verify-full, got '%1'")
                        .arg(value));
                return std::nullopt;
            }
            dsn.sslMode = *mode;
        } else if (key == u"sslrootcert") {
            dsn.caFile
                = QDir::cleanPath(QDir(baseDir.isEmpty() ? QDir::currentPath() : baseDir).absoluteFilePath(value));
        } else if (key == u"password") {
            fail(error,
                QStringLiteral("a password is never written in the DSN: give it as 'password: {env: VARIABLE}' or "
                               "'{file: PATH}', or in PGPASSFILE"));
            return std::nullopt;
        } else {
            fail(error, QStringLiteral("unsupported DSN parameter '%1' (known: sslmode, sslrootcert)").arg(key));
            return std::nullopt;
        }
    }
    return dsn;
}

QString PostgresDsn::toString() const
{
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setUserName(user);
    url.setHost(host);
    url.setPort(port);
    url.setPath(u'/' + database);
    QUrlQuery query;
    if (sslMode != SslMode::Prefer)
        query.addQueryItem(QStringLiteral("sslmode"), sslModeName(sslMode));
    if (!caFile.isEmpty())
        query.addQueryItem(QStringLiteral("sslrootcert"), caFile);
    url.setQuery(query);
    return url.toString();
}

} // namespace FaultDesk
