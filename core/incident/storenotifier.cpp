#include "incident/storenotifier.h"

#include "incident/storeconnection.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QVariant>

#include <libpq-fe.h>

#include <algorithm>

namespace FaultDesk {

namespace {

// libpq's handle of a QPSQL connection: its status costs no round trip (the driver reads the socket as notifications
// arrive, so a server that closed the connection shows as CONNECTION_BAD at once).
PGconn* libpqHandle(const QSqlDatabase& db)
{
    if (!db.isValid() || !db.driver())
        return nullptr;
    const QVariant v = db.driver()->handle();
    if (!v.isValid() || (qstrcmp(v.typeName(), "PGconn*") != 0 && qstrcmp(v.typeName(), "pg_conn*") != 0))
        return nullptr;
    return *static_cast<PGconn* const*>(v.constData());
}

int serial = 0;

} // namespace

StoreNotifier::StoreNotifier(StoreUrl url, QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_name(QStringLiteral("faultdesk-notify-%1").arg(++serial))
{
    m_health.setInterval(1000);
    connect(&m_health, &QTimer::timeout, this, &StoreNotifier::checkConnection);
    m_retry.setInterval(2000);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        // Each attempt blocks this thread until the server answers or connect_timeout passes: back off to 30 s.
        QString error;
        if (!connectAndListen(&error))
            m_retry.start(std::min(m_retry.interval() * 2, 30000));
    });
}

StoreNotifier::~StoreNotifier()
{
    stop();
}

bool StoreNotifier::start(QString* error)
{
    if (!m_url.isPostgres()) {
        if (error)
            *error = QStringLiteral("%1 is a local SQLite file: there are no other consoles to hear from")
                         .arg(m_url.displayName());
        return false;
    }
    if (connectAndListen(error))
        return true;
    m_retry.start();
    return false;
}

void StoreNotifier::stop()
{
    m_health.stop();
    m_retry.stop();
    if (QSqlDatabase::contains(m_name)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            if (db.isOpen() && db.driver())
                db.driver()->disconnect(this);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    m_listening = false;
}

bool StoreNotifier::connectAndListen(QString* error)
{
    if (QSqlDatabase::contains(m_name)) {
        {
            QSqlDatabase old = QSqlDatabase::database(m_name, false);
            if (old.driver())
                old.driver()->disconnect(this);
            old.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    QString why;
    QSqlDatabase db = StoreConnection::open(m_url, m_name, StoreConnection::Purpose::Read, &why);
    if (!db.isValid() || !db.driver()->subscribeToNotification(channel())) {
        if (why.isEmpty())
            why = QStringLiteral("%1: LISTEN %2 refused: %3")
                      .arg(m_url.displayName(), channel(), db.isValid() ? db.driver()->lastError().text() : QString());
        if (error)
            *error = why;
        setListening(false, why);
        return false;
    }
    connect(db.driver(), &QSqlDriver::notification, this,
        [this](const QString& name, QSqlDriver::NotificationSource, const QVariant& payload) {
            onNotification(name, payload);
        });
    m_health.start();
    m_retry.setInterval(2000);
    const bool again = m_wasListening;
    setListening(true, QString());
    m_wasListening = true;
    if (again)
        Q_EMIT resynced();
    return true;
}

void StoreNotifier::onNotification(const QString& name, const QVariant& payload)
{
    if (name != channel())
        return;
    // "TABLE OPERATION KEY"; the key may contain spaces (a lock name), the table and operation never do.
    const QString text = payload.toString();
    const QString table = text.section(u' ', 0, 0);
    const QString operation = text.section(u' ', 1, 1);
    const QString key = text.section(u' ', 2);
    if (table.isEmpty() || operation.isEmpty())
        return;
    Q_EMIT changed(table, operation, key);
}

void StoreNotifier::checkConnection()
{
    if (!QSqlDatabase::contains(m_name))
        return;
    PGconn* conn = libpqHandle(QSqlDatabase::database(m_name, false));
    if (conn && PQstatus(conn) != CONNECTION_BAD)
        return;
    m_health.stop();
    setListening(false,
        QStringLiteral("%1: the connection that hears other consoles' changes was lost; reconnecting")
            .arg(m_url.displayName()));
    m_retry.start();
}

void StoreNotifier::setListening(bool listening, const QString& problem)
{
    if (listening == m_listening && problem == m_problem)
        return;
    m_listening = listening;
    m_problem = problem;
    Q_EMIT listeningChanged(listening, problem);
}

} // namespace FaultDesk
