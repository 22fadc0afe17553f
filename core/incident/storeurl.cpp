#include "incident/storeurl.h"

#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

namespace FaultDesk {

namespace {
const QStringList kSslModes = { QStringLiteral("disable"), QStringLiteral("allow"), QStringLiteral("prefer"),
    QStringLiteral("require"), QStringLiteral("verify-ca"), QStringLiteral("verify-full") };
const QStringList kParameters
    = { QStringLiteral("sslmode"), QStringLiteral("sslrootcert"), QStringLiteral("sslcert"), QStringLiteral("sslkey"),
          QStringLiteral("password_env"), QStringLiteral("password_file"), QStringLiteral("connect_timeout") };

bool hasControl(const QString& s)
{
    for (const QChar c : s)
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return true;
    return false;
}

bool isLoopback(const QString& host)
{
    if (host.compare(u"localhost", Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

// A libpq connection-option value: single-quoted, with backslash and quote escaped.
QString quoted(const QString& value)
{
    QString v = value;
    v.replace(u'\\', QStringLiteral("\\\\")).replace(u'\'', QStringLiteral("\\'"));
    return u'\'' + v + u'\'';
}

std::optional<StoreUrl> failure(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return std::nullopt;
}
} // namespace

StoreUrl StoreUrl::file(const QString& path)
{
    StoreUrl u;
    u.m_engine = Engine::Sqlite;
    u.m_path = path;
    return u;
}

std::optional<StoreUrl> StoreUrl::parse(const QString& input, QString* error)
{
    const QString text = input.trimmed();
    if (text.isEmpty())
        return failure(error, QStringLiteral("no database given (a file path or postgresql://…)"));
    static const QRegularExpression scheme(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*)://"));
    const QRegularExpressionMatch m = scheme.match(text);
    if (!m.hasMatch()) {
        if (hasControl(input))
            return failure(error, QStringLiteral("the database path holds a control character"));
        return file(input);
    }
    const QString name = m.captured(1).toLower();
    if (name != u"postgresql" && name != u"postgres")
        return failure(error,
            QStringLiteral("unsupported database URL scheme '%1://': give a file path (SQLite) or postgresql://…")
                .arg(name.left(20)));
    if (hasControl(text))
        return failure(error, QStringLiteral("the database URL holds a control character"));

    // The password check comes first and reads the text itself: even a URL QUrl cannot parse must not be echoed.
    const QString authority = text.mid(m.capturedLength()).section(u'/', 0, 0).section(u'?', 0, 0);
    if (authority.contains(u'@') && authority.section(u'@', 0, -2).contains(u':'))
        return failure(error,
            QStringLiteral("the database URL holds a password inline, which FaultDesk refuses (it would end up in "
                           "shell history, process lists and logs); give it by reference: ?password_file=PATH, "
                           "?password_env=NAME, or a .pgpass file (PGPASSFILE)"));

    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return failure(
            error, QStringLiteral("the database URL is malformed (expected postgresql://user@host:port/database?…)"));
    if (!url.password().isEmpty())
        return failure(error, QStringLiteral("the database URL holds a password inline, which FaultDesk refuses"));
    if (url.hasFragment())
        return failure(error, QStringLiteral("the database URL has a #fragment, which means nothing here"));

    StoreUrl u;
    u.m_engine = Engine::Postgres;
    u.m_host = url.host(QUrl::FullyDecoded);
    if (u.m_host.isEmpty())
        return failure(error, QStringLiteral("the database URL names no host (postgresql://user@HOST:port/database)"));
    const int port = url.port(5432);
    if (port < 1 || port > 65535)
        return failure(error, QStringLiteral("the database URL's port must be between 1 and 65535"));
    u.m_port = port;
    u.m_user = url.userName(QUrl::FullyDecoded);
    if (hasControl(u.m_user))
        return failure(error, QStringLiteral("the database URL's user name holds a control character"));
    const QString path = url.path(QUrl::FullyDecoded);
    if (path.size() < 2 || !path.startsWith(u'/'))
        return failure(
            error, QStringLiteral("the database URL names no database (postgresql://user@host:port/DATABASE)"));
    u.m_database = path.mid(1);
    if (u.m_database.contains(u'/'))
        return failure(error, QStringLiteral("the database name may not contain '/'"));
    if (u.m_database.toUtf8().size() > 63 || hasControl(u.m_database))
        return failure(error, QStringLiteral("the database name must be 1–63 bytes of printable text"));

    const QUrlQuery query(url);
    QStringList seen;
    for (const auto& [rawKey, rawValue] : query.queryItems(QUrl::FullyDecoded)) {
        const QString key = rawKey.toLower();
        if (key == u"password")
            return failure(error,
                QStringLiteral("the database URL holds a password inline (password=), which FaultDesk refuses; give "
                               "it by reference: password_file=PATH, password_env=NAME, or a .pgpass file"));
        if (!kParameters.contains(key)) {
            static const QRegularExpression plain(QStringLiteral("^[a-z_]{1,32}$"));
            return failure(error,
                QStringLiteral("unknown database URL parameter %1 (known: %2)")
                    .arg(plain.match(key).hasMatch() ? u'\'' + key + u'\'' : QStringLiteral("(not shown)"),
                        kParameters.join(QStringLiteral(", "))));
        }
        if (seen.contains(key))
            return failure(error, QStringLiteral("the database URL parameter '%1' is given twice").arg(key));
        seen << key;
        const QString value = rawValue;
        if (value.isEmpty())
            return failure(error, QStringLiteral("the database URL parameter '%1' has no value").arg(key));
        // QPSQL turns ';' into a separator: a value holding one would split into options of its own.
        if (value.contains(u';'))
            return failure(error, QStringLiteral("the database URL parameter '%1' may not contain ';'").arg(key));
        if (key == u"sslmode") {
            if (!kSslModes.contains(value))
                return failure(
                    error, QStringLiteral("sslmode must be one of %1").arg(kSslModes.join(QStringLiteral(", "))));
            u.m_sslMode = value;
        } else if (key == u"sslrootcert" || key == u"sslcert" || key == u"sslkey") {
            const QFileInfo info(value);
            if (!info.isFile() || !info.isReadable())
                return failure(error, QStringLiteral("%1: no readable file at %2").arg(key, value));
            (key == u"sslrootcert"      ? u.m_sslRootCert
                    : key == u"sslcert" ? u.m_sslCert
                                        : u.m_sslKey)
                = info.absoluteFilePath();
        } else if (key == u"password_env") {
            static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,127}$"));
            if (!envName.match(value).hasMatch())
                return failure(error, QStringLiteral("password_env must name an environment variable ([A-Za-z_0-9])"));
            u.m_passwordEnv = value;
        } else if (key == u"password_file") {
            u.m_passwordFile = QFileInfo(value).absoluteFilePath();
        } else if (key == u"connect_timeout") {
            bool ok = false;
            const int s = value.toInt(&ok);
            if (!ok || s < 1 || s > 300)
                return failure(error, QStringLiteral("connect_timeout must be a number of seconds from 1 to 300"));
            u.m_connectTimeoutS = s;
        }
    }
    if (!u.m_passwordEnv.isEmpty() && !u.m_passwordFile.isEmpty())
        return failure(error, QStringLiteral("give the password by one reference: password_file or password_env"));
    if (u.m_sslMode.isEmpty())
        u.m_sslMode = isLoopback(u.m_host) ? QStringLiteral("prefer") : QStringLiteral("verify-full");
    if (!isLoopback(u.m_host) && u.m_sslMode != u"verify-full" && u.m_sslMode != u"verify-ca")
        return failure(error,
            QStringLiteral("sslmode=%1 does not verify the server %2; use sslmode=verify-full (with "
                           "sslrootcert=CA.pem) for a server off this machine")
                .arg(u.m_sslMode, u.m_host));
    return u;
}

QString StoreUrl::displayName() const
{
    if (m_engine == Engine::Sqlite)
        return m_path;
    const QString host = m_host.contains(u':') ? u'[' + m_host + u']' : m_host;
    return QStringLiteral("postgresql://%1%2:%3/%4")
        .arg(m_user.isEmpty() ? QString() : m_user + u'@', host)
        .arg(m_port)
        .arg(m_database);
}

std::optional<QString> StoreUrl::password(QString* error) const
{
    if (!m_passwordEnv.isEmpty()) {
        const QString value = qEnvironmentVariable(qPrintable(m_passwordEnv));
        if (value.isEmpty()) {
            if (error)
                *error = QStringLiteral("password_env: the environment variable %1 is not set").arg(m_passwordEnv);
            return std::nullopt;
        }
        return value;
    }
    if (!m_passwordFile.isEmpty()) {
        QFile f(m_passwordFile);
        if (!f.open(QIODevice::ReadOnly)) {
            if (error)
                *error = QStringLiteral("password_file %1: %2").arg(m_passwordFile, f.errorString());
            return std::nullopt;
        }
        // Like libpq with .pgpass: a secret others can read is not a secret.
        if (f.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteOther)) {
            if (error)
                *error
                    = QStringLiteral("password_file %1 is readable by other users; chmod 600 it").arg(m_passwordFile);
            return std::nullopt;
        }
        const QString line = QString::fromUtf8(f.readLine(4096)).remove(u'\n').remove(u'\r');
        if (line.isEmpty()) {
            if (error)
                *error = QStringLiteral("password_file %1: the first line is empty").arg(m_passwordFile);
            return std::nullopt;
        }
        return line;
    }
    return QString();
}

QString StoreUrl::connectOptions(int maxConnectTimeoutS) const
{
    QStringList o;
    o << QStringLiteral("sslmode=") + m_sslMode;
    o << QStringLiteral("connect_timeout=%1")
             .arg(maxConnectTimeoutS > 0 ? std::min(maxConnectTimeoutS, m_connectTimeoutS) : m_connectTimeoutS);
    o << QStringLiteral("application_name=faultdesk");
    // A server that vanished without closing the connection (a host down, a network cut) must fail the write in
    // seconds, not after the kernel's retransmission timeout of many minutes: then the writes go to the journal.
    o << QStringLiteral("keepalives=1") << QStringLiteral("keepalives_idle=10")
      << QStringLiteral("keepalives_interval=5") << QStringLiteral("keepalives_count=3")
      << QStringLiteral("tcp_user_timeout=%1").arg(qMax(15, m_connectTimeoutS) * 1000);
    if (!m_sslRootCert.isEmpty())
        o << QStringLiteral("sslrootcert=") + quoted(m_sslRootCert);
    if (!m_sslCert.isEmpty())
        o << QStringLiteral("sslcert=") + quoted(m_sslCert);
    if (!m_sslKey.isEmpty())
        o << QStringLiteral("sslkey=") + quoted(m_sslKey);
    return o.join(u';');
}

} // namespace FaultDesk
