#include "pg/pgconnection.h"

#include "util/logging.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

#include <libpq-fe.h>
#include <sys/socket.h>

#include <atomic>
#include <cmath>

namespace FaultDesk {

namespace {

using Kind = PgConnection::Error::Kind;

// A conninfo value in single quotes (libpq's quoting); Qt's driver turns ';' into a separator, so none may remain.
QString quotedValue(QString value)
{
    value.replace(u'\\', QStringLiteral("\\\\"));
    value.replace(u'\'', QStringLiteral("\\'"));
    return u'\'' + value + u'\'';
}

PGconn* libpqHandle(const QSqlDatabase& db)
{
    if (!db.driver())
        return nullptr;
    const QVariant v = db.driver()->handle();
    // Qt registers the driver's handle under libpq's struct name.
    if (!v.isValid() || (qstrcmp(v.typeName(), "PGconn*") != 0 && qstrcmp(v.typeName(), "pg_conn*") != 0))
        return nullptr;
    return *static_cast<PGconn* const*>(v.constData());
}

PgConnection::Error makeError(Kind kind, const QString& message, const QString& sqlState = {})
{
    PgConnection::Error e;
    e.kind = kind;
    e.message = message.trimmed();
    e.sqlState = sqlState;
    return e;
}

} // namespace

PgConnection::PgConnection(const PostgresDsn& dsn, const QString& applicationName)
    : m_dsn(dsn)
    , m_applicationName(applicationName)
{ }

PgConnection::~PgConnection()
{
    close();
}

bool PgConnection::driverAvailable()
{
    return QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"));
}

QString PgConnection::kindName(Error::Kind kind)
{
    switch (kind) {
    case Kind::None:
        return QStringLiteral("none");
    case Kind::Refused:
        return QStringLiteral("refused");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::Dns:
        return QStringLiteral("dns");
    case Kind::Tls:
        return QStringLiteral("tls");
    case Kind::Config:
        return QStringLiteral("config");
    case Kind::Lost:
        return QStringLiteral("lost");
    case Kind::Sql:
        return QStringLiteral("sql");
    case Kind::Other:
        return QStringLiteral("other");
    }
    return QStringLiteral("other");
}

PgConnection::Error::Kind PgConnection::classifyConnectFailure(const QString& message)
{
    const QString m = message.toLower();
    // The operator's to fix: who we are, where we log in, what we present.
    static const QStringList config { QStringLiteral("authentication failed"), QStringLiteral("no password supplied"),
        QStringLiteral("password is required"), QStringLiteral("pg_hba.conf"), QStringLiteral("does not exist"),
        QStringLiteral("permission denied"), QStringLiteral("not permitted to log in"),
        QStringLiteral("root certificate file"), QStringLiteral("invalid sslmode"),
        QStringLiteral("invalid connection option"), QStringLiteral("too many connections for role") };
    for (const QString& c : config) {
        if (m.contains(c))
            return Kind::Config;
    }
    if (m.contains(u"timeout expired") || m.contains(u"timed out"))
        return Kind::Timeout;
    if (m.contains(u"could not translate host name") || m.contains(u"name or service not known"))
        return Kind::Dns;
    if (m.contains(u"ssl") || m.contains(u"certificate") || m.contains(u"tls"))
        return Kind::Tls;
    if (m.contains(u"connection refused") || m.contains(u"the database system is")
        || m.contains(u"no such file or directory"))
        return Kind::Refused;
    if (m.contains(u"server closed the connection") || m.contains(u"connection reset"))
        return Kind::Lost;
    return Kind::Other;
}

bool PgConnection::open(int timeoutMs, Error* error)
{
    close();
    m_interrupted = false;
    auto fail = [error](const Error& e) {
        if (error)
            *error = e;
        return false;
    };
    if (!driverAvailable())
        return fail(makeError(Kind::Config,
            QStringLiteral("Qt's PostgreSQL driver (QPSQL, Debian package libqt6sql6-psql) is not installed")));
    for (const QString& value : { m_dsn.caFile, m_applicationName }) {
        if (value.contains(u';'))
            return fail(
                makeError(Kind::Config, QStringLiteral("'%1' contains ';', which Qt's driver cannot pass").arg(value)));
    }
    QString password;
    if (m_dsn.password) {
        QString why;
        const auto secret = m_dsn.password->resolveText(&why);
        if (!secret)
            return fail(
                makeError(Kind::Config, QStringLiteral("password %1: %2").arg(m_dsn.password->toString(), why)));
        password = *secret;
    }
    static std::atomic<int> serial { 0 };
    m_name = QStringLiteral("faultdesk-pg-%1").arg(++serial);
    QStringList options;
    // libpq bounds the whole connection (TCP, TLS, startup, authentication) by whole seconds, at least 2.
    options << QStringLiteral("connect_timeout=%1").arg(qMax(2, int(std::ceil(timeoutMs / 1000.0))))
            << QStringLiteral("sslmode=") + PostgresDsn::sslModeName(m_dsn.sslMode)
            << QStringLiteral("application_name=") + quotedValue(m_applicationName);
    if (!m_dsn.caFile.isEmpty())
        options << QStringLiteral("sslrootcert=") + quotedValue(m_dsn.caFile);
    bool opened = false;
    QString failure;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
        db.setHostName(m_dsn.host);
        db.setPort(m_dsn.port);
        db.setDatabaseName(m_dsn.database);
        db.setUserName(m_dsn.user);
        if (!password.isEmpty())
            db.setPassword(password);
        db.setConnectOptions(options.join(u';'));
        opened = db.open();
        if (opened) {
            QMutexLocker lock(&m_handleLock);
            m_handle = libpqHandle(db);
        } else {
            failure = db.lastError().databaseText();
            if (failure.isEmpty())
                failure = db.lastError().text();
        }
    }
    if (!opened) {
        QSqlDatabase::removeDatabase(m_name);
        m_name.clear();
        return fail(makeError(classifyConnectFailure(failure), failure));
    }
    m_open = true;
    m_statementTimeoutMs = -1;
    return true;
}

void PgConnection::close()
{
    {
        QMutexLocker lock(&m_handleLock);
        m_handle = nullptr;
    }
    if (m_name.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
    m_name.clear();
    m_open = false;
}

void PgConnection::interrupt()
{
    m_interrupted = true;
    QMutexLocker lock(&m_handleLock);
    if (m_handle) {
        const int fd = PQsocket(static_cast<PGconn*>(m_handle));
        if (fd >= 0)
            ::shutdown(fd, SHUT_RDWR);
    }
}

PgConnection::Error PgConnection::fromQueryError(const QSqlError& e, const QString& what)
{
    const QString text = what + u": " + (e.databaseText().isEmpty() ? e.text() : e.databaseText());
    const QString state = e.nativeErrorCode();
    bool lost = m_interrupted.load();
    {
        QMutexLocker lock(&m_handleLock);
        lost = lost || !m_handle || PQstatus(static_cast<PGconn*>(m_handle)) == CONNECTION_BAD;
    }
    if (m_interrupted)
        return makeError(Kind::Timeout, what + QStringLiteral(": interrupted at the deadline"));
    if (state == u"57014")
        return makeError(Kind::Timeout, text, state);
    if (lost || state.startsWith(u"08") || state.startsWith(u"57P"))
        return makeError(Kind::Lost, text, state);
    if (state == u"42501" || state.startsWith(u"28"))
        return makeError(Kind::Config, text, state);
    return makeError(Kind::Sql, text, state);
}

bool PgConnection::setStatementTimeout(int timeoutMs, Error* error)
{
    timeoutMs = qMax(1, timeoutMs);
    if (timeoutMs == m_statementTimeoutMs)
        return true;
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    // A number formatted here, never text from elsewhere: SET takes no bound parameters.
    if (!q.exec(QStringLiteral("SET statement_timeout = %1").arg(timeoutMs))) {
        if (error)
            *error = fromQueryError(q.lastError(), QStringLiteral("SET statement_timeout"));
        return false;
    }
    m_statementTimeoutMs = timeoutMs;
    return true;
}

std::optional<PgConnection::Rows> PgConnection::query(
    const QString& sql, const QVariantList& params, int timeoutMs, Error* error)
{
    auto fail = [this, error](const Error& e) -> std::optional<Rows> {
        if (error)
            *error = e;
        if (e.kind == Kind::Lost || e.kind == Kind::Timeout) {
            // A statement timeout leaves a healthy session; anything else (interrupted, broken) is closed.
            if (e.kind == Kind::Lost || e.sqlState.isEmpty())
                close();
        }
        return std::nullopt;
    };
    if (!m_open)
        return fail(makeError(Kind::Lost, QStringLiteral("not connected")));
    m_interrupted = false; // an interruption meant for an earlier call (one still connecting) is spent
    Error e;
    if (!setStatementTimeout(timeoutMs, &e))
        return fail(e);
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    q.setForwardOnly(true);
    bool ok = params.isEmpty() ? q.exec(sql) : q.prepare(sql);
    if (ok && !params.isEmpty()) {
        for (const QVariant& p : params)
            q.addBindValue(p);
        ok = q.exec();
    }
    if (!ok)
        return fail(fromQueryError(q.lastError(), QStringLiteral("query")));
    Rows rows;
    const int columns = q.record().count();
    while (q.next()) {
        QVariantList row;
        row.reserve(columns);
        for (int i = 0; i < columns; ++i)
            row << q.value(i);
        rows << row;
    }
    return rows;
}

} // namespace FaultDesk
