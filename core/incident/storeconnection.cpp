#include "incident/storeconnection.h"

#include "incident/sqldialect.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

namespace FaultDesk {

namespace {
QSqlDatabase failed(QSqlDatabase& db, const StoreUrl& url, const QString& why, QString* error)
{
    if (error)
        *error = QStringLiteral("%1: %2").arg(url.displayName(), why);
    db.close();
    return QSqlDatabase();
}

bool exec(QSqlDatabase& db, const QString& sql, QString* why)
{
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    *why = q.lastError().text();
    return false;
}
} // namespace

QSqlDatabase StoreConnection::open(const StoreUrl& url, const QString& name, Purpose purpose, QString* error)
{
    const SqlDialect dialect(url.engine());
    QSqlDatabase db = QSqlDatabase::contains(name)
        ? QSqlDatabase::database(name, false)
        : QSqlDatabase::addDatabase(SqlDialect::driverName(url.engine()), name);
    if (!db.isValid()) {
        if (error)
            *error = QStringLiteral("%1: the Qt SQL driver %2 is not installed")
                         .arg(url.displayName(), SqlDialect::driverName(url.engine()));
        return QSqlDatabase();
    }
    if (db.isOpen())
        return db;
    QString why;
    if (url.isPostgres()) {
        const std::optional<QString> password = url.password(&why);
        if (!password)
            return failed(db, url, why, error);
        db.setHostName(url.host());
        db.setPort(url.port());
        db.setDatabaseName(url.database());
        db.setUserName(url.user());
        db.setPassword(*password);
        // A read runs on the caller's thread (the history on the GUI's): a server that does not answer makes it fail
        // within seconds ("history unavailable") rather than freeze the window for the full connect timeout.
        db.setConnectOptions(url.connectOptions(purpose == Purpose::Read ? 3 : 0));
        if (!db.open())
            return failed(db, url, db.lastError().text().trimmed(), error);
        // The password is not kept in the connection object longer than the handshake needs it.
        db.setPassword(QString());
        if (purpose == Purpose::Read && !exec(db, dialect.readOnly(true), &why))
            return failed(db, url, why, error);
        return db;
    }

    if (purpose == Purpose::Write)
        QDir().mkpath(QFileInfo(url.path()).absolutePath());
    db.setDatabaseName(url.path());
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open())
        return failed(db, url, db.lastError().text(), error);
    if (purpose == Purpose::Read) {
        // Reads must never write, not even by mistake.
        if (!exec(db, dialect.readOnly(true), &why))
            return failed(db, url, why, error);
        return db;
    }
    QSqlQuery q(db);
    // WAL with FULL syncs the log on every commit: a committed incident survives a power loss, not just a crash.
    if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !q.next())
        return failed(db, url, q.lastError().text(), error);
    if (q.value(0).toString().compare(u"wal", Qt::CaseInsensitive) != 0)
        return failed(
            db, url, QStringLiteral("cannot switch to WAL journaling (got %1)").arg(q.value(0).toString()), error);
    q.finish();
    if (!exec(db, QStringLiteral("PRAGMA synchronous=FULL"), &why)
        || !exec(db, QStringLiteral("PRAGMA foreign_keys=ON"), &why))
        return failed(db, url, why, error);
    return db;
}

} // namespace FaultDesk
