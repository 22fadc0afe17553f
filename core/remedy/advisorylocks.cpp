#include "remedy/advisorylocks.h"

#include "incident/storeconnection.h"
#include "incident/storenotifier.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QHostInfo>
#include <QPointer>
#include <QSqlError>
#include <QSqlQuery>
#include <QtEndian>

#include <algorithm>
#include <utility>

namespace FaultDesk {

namespace {
int serial = 0;
constexpr int kWatchMs = 2000; ///< re-read of the holders while another console holds a lock
constexpr int kFirstProbeMs = 2000; ///< without a session: the first probe of the store, doubling each time it fails
constexpr int kLastProbeMs = 30000;

// A row of remediation_locks counts while the server grants its advisory lock to the session that wrote it; a
// bigint key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits) with objsubid 1.
const QString holdersQuery = QStringLiteral(
    "SELECT r.lock_key, r.name, r.operator, r.host, r.pid, r.purpose, r.since_ms,"
    " r.backend_pid = ?::integer FROM remediation_locks r WHERE EXISTS (SELECT 1 FROM pg_locks k"
    " WHERE k.locktype = 'advisory' AND k.granted AND k.objsubid = 1 AND k.pid = r.backend_pid"
    " AND k.classid::bigint = ((r.lock_key >> 32) & 4294967295) AND k.objid::bigint = (r.lock_key & 4294967295))");

// How many sessions the server grants @p key's lock to now: this session (@p mine) or the others. std::nullopt, and
// @p error, when the server cannot be read.
std::optional<qint64> grantedCount(const QSqlDatabase& db, qint64 key, bool mine, QString* error)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                             " AND pid %1 pg_backend_pid() AND classid::bigint = ((?::bigint >> 32) & 4294967295)"
                             " AND objid::bigint = (?::bigint & 4294967295)")
                  .arg(mine ? QStringLiteral("=") : QStringLiteral("<>")));
    q.addBindValue(key);
    q.addBindValue(key);
    if (!q.exec() || !q.next()) {
        *error = q.lastError().text();
        return std::nullopt;
    }
    return q.value(0).toLongLong();
}

AdvisoryLocks::Held heldFrom(const QSqlQuery& q)
{
    AdvisoryLocks::Held h;
    h.name = q.value(1).toString();
    h.holder.operatorName = q.value(2).toString();
    h.holder.instance = QStringLiteral("%1:%2").arg(q.value(3).toString()).arg(q.value(4).toLongLong());
    h.holder.purpose = q.value(5).toString();
    h.holder.since = QDateTime::fromMSecsSinceEpoch(q.value(6).toLongLong(), Qt::UTC);
    h.mine = q.value(7).toBool();
    return h;
}
} // namespace

/// A lock of this session; lost when the session is.
class AdvisoryLocks::Lease : public TargetLock::Lease
{
public:
    Lease(AdvisoryLocks* owner, qint64 key, int generation)
        : m_owner(owner)
        , m_key(key)
        , m_generation(generation)
    { }
    void release() override
    {
        if (m_owner)
            m_owner->release(m_key, m_generation);
    }
    bool stillHeld(QString* why) const override
    {
        if (m_owner)
            return m_owner->verify(m_key, m_generation, why);
        if (why)
            *why = QStringLiteral("the remediation lock session is gone");
        return false;
    }

private:
    QPointer<AdvisoryLocks> m_owner;
    qint64 m_key;
    int m_generation;
};

/// What a re-read of the holders found, handed from the reader's thread to the owner's.
struct AdvisoryLocks::Snapshot
{
    QHash<QString, Held> held;
    bool sessionAlive = true; ///< the server still runs the lock session's process
    QString error; ///< the store could not be read: nothing else is valid
};

/**
 * The store work that must not wait on the owner's thread: probing whether the store answers (a throwaway
 * connection) and re-reading the holders (a read connection of its own). Lives on the owner's worker thread.
 */
class AdvisoryLocks::Reader : public QObject
{
public:
    Reader(StoreUrl url, QString name)
        : m_url(std::move(url))
        , m_name(std::move(name))
    { }
    ~Reader() override
    {
        if (QSqlDatabase::contains(m_name)) {
            QSqlDatabase::database(m_name, false).close();
            QSqlDatabase::removeDatabase(m_name);
        }
    }

    /// Empty when the store answers now; why not otherwise. Bounded by the read connect timeout (at most 3 s).
    QString probe()
    {
        const QString name = m_name + QStringLiteral("-probe");
        QString why;
        {
            QSqlDatabase db = StoreConnection::open(m_url, name, StoreConnection::Purpose::Read, &why);
            if (db.isValid())
                db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return why;
    }

    Snapshot read(qint64 backendPid)
    {
        Snapshot s;
        QSqlDatabase db = StoreConnection::open(m_url, m_name, StoreConnection::Purpose::Read, &s.error);
        if (!db.isValid())
            return s;
        QSqlQuery q(db);
        q.prepare(holdersQuery);
        q.addBindValue(backendPid);
        QSqlQuery alive(db);
        alive.prepare(QStringLiteral("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?::integer"));
        alive.addBindValue(backendPid);
        if (!q.exec() || !alive.exec() || !alive.next()) {
            s.error = (q.lastError().isValid() ? q.lastError() : alive.lastError()).text().trimmed();
            db.close(); // the next read opens a new connection
            return s;
        }
        while (q.next()) {
            Held h = heldFrom(q);
            s.held.insert(h.name, h);
        }
        s.sessionAlive = alive.value(0).toLongLong() > 0;
        return s;
    }

private:
    StoreUrl m_url;
    QString m_name;
};

AdvisoryLocks::AdvisoryLocks(StoreUrl url, QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_name(QStringLiteral("faultdesk-locks-%1").arg(++serial))
    , m_backoffMs(kFirstProbeMs)
{
    m_watch.setInterval(kWatchMs);
    connect(&m_watch, &QTimer::timeout, this, &AdvisoryLocks::readInBackground);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &AdvisoryLocks::probe);
    m_reader = new Reader(m_url, m_name + QStringLiteral("-read"));
    m_reader->moveToThread(&m_thread);
    // Deleted on its own thread, where its connections live.
    connect(&m_thread, &QThread::finished, m_reader, &QObject::deleteLater);
    m_thread.setObjectName(QStringLiteral("remediation locks"));
    m_thread.start();
}

AdvisoryLocks::~AdvisoryLocks()
{
    // A probe or read under way ends within its connect timeout (at most 3 s) or the connection's tcp_user_timeout.
    m_thread.quit();
    m_thread.wait();
    if (QSqlDatabase::contains(m_name)) {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
}

qint64 AdvisoryLocks::keyOf(const QString& name)
{
    const QByteArray input = QByteArrayLiteral("faultdesk/remedy-lock/") + name.toUtf8();
    const QByteArray digest = QCryptographicHash::hash(input, QCryptographicHash::Sha256);
    return qFromBigEndian<qint64>(digest.constData());
}

QString AdvisoryLocks::instanceName()
{
    return QStringLiteral("%1:%2").arg(QHostInfo::localHostName()).arg(QCoreApplication::applicationPid());
}

bool AdvisoryLocks::open(QString* error)
{
    const bool ok = ensureOpen(error);
    if (ok)
        refresh();
    return ok;
}

void AdvisoryLocks::follow(StoreNotifier* notifier)
{
    connect(notifier, &StoreNotifier::changed, this, [this](const QString& table, const QString&, const QString&) {
        if (table == u"remediation_locks")
            readInBackground();
    });
    connect(notifier, &StoreNotifier::resynced, this, &AdvisoryLocks::readInBackground);
}

QString AdvisoryLocks::problem() const
{
    if (m_connected || m_problem.isEmpty())
        return m_problem;
    QString text = m_problem;
    if (!m_lastError.isEmpty() && !m_problem.contains(m_lastError))
        text += QStringLiteral("; last attempt: %1").arg(m_lastError);
    if (m_probing)
        text += QStringLiteral("; a reconnect attempt is under way");
    else if (m_retry.isActive())
        text += QStringLiteral("; next reconnect attempt in %1 s")
                    .arg(std::max<qint64>(1, (QDateTime::currentDateTimeUtc().msecsTo(m_nextProbe) + 999) / 1000));
    return text;
}

bool AdvisoryLocks::ensureOpen(QString* error)
{
    if (m_connected)
        return true;
    if (!m_url.isPostgres()) {
        if (error)
            *error = QStringLiteral("advisory locks need a PostgreSQL store");
        return false;
    }
    // Without a session, calls are refused at once: each attempt would block this thread up to connect_timeout when
    // the store does not answer, and the worker's probe says when it does.
    if (!m_mayConnect) {
        if (error)
            *error = problem();
        return false;
    }
    m_mayConnect = false;
    if (QSqlDatabase::contains(m_name)) {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    QString why;
    QSqlDatabase db = StoreConnection::open(m_url, m_name, StoreConnection::Purpose::Write, &why);
    qint64 pid = 0;
    if (db.isValid()) {
        // Every call blocks the caller: bounded, so a stuck server fails closed within seconds.
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SET statement_timeout = 5000"))
            || !q.exec(QStringLiteral("SELECT pg_backend_pid()")) || !q.next())
            why = q.lastError().text().trimmed();
        else
            pid = q.value(0).toLongLong();
    }
    if (!why.isEmpty()) {
        m_lastError = why;
        if (m_downSince.isNull()) {
            m_downSince = QDateTime::currentDateTime();
            fail(QStringLiteral("remediation locks unavailable since %1: %2")
                     .arg(m_downSince.toString(QStringLiteral("HH:mm:ss")), why));
        } else
            fail(m_problem);
        if (error)
            *error = problem();
        return false;
    }
    m_connected = true;
    m_backendPid = pid;
    m_problem.clear();
    m_lastError.clear();
    m_downSince = QDateTime();
    m_backoffMs = kFirstProbeMs;
    m_retry.stop();
    ++m_generation;
    m_mine.clear();
    Q_EMIT connectionChanged(true, QString());
    return true;
}

void AdvisoryLocks::fail(const QString& problem)
{
    m_problem = problem;
    scheduleProbe();
    qCWarning(lcRemedy, "%s", qUtf8Printable(this->problem()));
    Q_EMIT connectionChanged(false, this->problem());
}

void AdvisoryLocks::lose(const QString& why)
{
    if (!m_connected)
        return;
    m_connected = false;
    if (QSqlDatabase::contains(m_name))
        QSqlDatabase::database(m_name, false).close();
    m_mine.clear();
    m_downSince = QDateTime::currentDateTime();
    m_lastError.clear();
    m_backoffMs = kFirstProbeMs;
    // The next call that needs a lock may reconnect at once (the server may well have ended just this session); after
    // that only an answered probe does.
    m_mayConnect = true;
    // The server dropped whatever this session held; runs holding its leases fail their next step.
    fail(QStringLiteral("the remediation lock session to %1 was lost at %2 (%3): its locks are gone")
             .arg(m_url.displayName(), m_downSince.toString(QStringLiteral("HH:mm:ss")), why.trimmed()));
}

void AdvisoryLocks::scheduleProbe()
{
    if (m_probing || m_retry.isActive())
        return;
    m_nextProbe = QDateTime::currentDateTimeUtc().addMSecs(m_backoffMs);
    m_retry.start(m_backoffMs);
    m_backoffMs = std::min(m_backoffMs * 2, kLastProbeMs);
}

void AdvisoryLocks::probe()
{
    if (m_connected || m_probing)
        return;
    m_probing = true;
    QMetaObject::invokeMethod(m_reader, [this, reader = m_reader] {
        const QString error = reader->probe();
        QMetaObject::invokeMethod(this, [this, error] { probed(error); });
    });
}

void AdvisoryLocks::probed(const QString& error)
{
    m_probing = false;
    if (m_connected)
        return;
    if (!error.isEmpty()) {
        m_lastError = error;
        scheduleProbe();
        // The status line's "next reconnect attempt in …" and last error, current again.
        Q_EMIT connectionChanged(false, problem());
        return;
    }
    // The store answers: the session reconnects here, as quickly as the probe did.
    m_mayConnect = true;
    QString why;
    if (ensureOpen(&why))
        readInBackground();
}

TargetLock AdvisoryLocks::tryAcquire(const QString& name, const QString& operatorName, const QString& purpose,
    TargetLock::Holder* heldBy, QString* error)
{
    QString why;
    if (!ensureOpen(&why)) {
        if (error)
            *error = QStringLiteral("%1: not acting without it (fail closed)").arg(why);
        return {};
    }
    const qint64 key = keyOf(name);
    // Session-level advisory locks nest within one session: this console's own second run must be refused here.
    if (m_mine.contains(key)) {
        if (heldBy)
            *heldBy
                = m_holders.value(name, Held { name, { operatorName, instanceName(), {}, {}, false }, true }).holder;
        return {};
    }
    QSqlDatabase db = QSqlDatabase::database(m_name, false);
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT pg_try_advisory_lock(?)"));
    q.addBindValue(key);
    if (!q.exec() || !q.next()) {
        lose(q.lastError().text());
        if (error)
            *error = QStringLiteral("%1: not acting without it (fail closed)").arg(problem());
        return {};
    }
    if (!q.value(0).toBool()) {
        const std::optional<Held> h = readHolder(key);
        if (heldBy) {
            *heldBy = h ? h->holder : TargetLock::Holder { QStringLiteral("another console"), {}, {}, {}, false };
            if (h && h->name != name)
                heldBy->purpose = QStringLiteral("%1 (lock %2 shares this lock's key)").arg(h->holder.purpose, h->name);
        }
        return {};
    }
    q.finish();
    const qint64 since = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery w(db);
    w.prepare(QStringLiteral("INSERT INTO remediation_locks"
                             " (lock_key, name, operator, host, pid, backend_pid, purpose, since_ms)"
                             " VALUES (?, ?, ?, ?, ?, pg_backend_pid(), ?, ?) ON CONFLICT (lock_key) DO UPDATE SET"
                             " name = EXCLUDED.name, operator = EXCLUDED.operator, host = EXCLUDED.host,"
                             " pid = EXCLUDED.pid, backend_pid = EXCLUDED.backend_pid, purpose = EXCLUDED.purpose,"
                             " since_ms = EXCLUDED.since_ms"));
    w.addBindValue(key);
    w.addBindValue(name);
    w.addBindValue(operatorName);
    w.addBindValue(QHostInfo::localHostName());
    w.addBindValue(QCoreApplication::applicationPid());
    w.addBindValue(purpose);
    w.addBindValue(since);
    if (!w.exec()) {
        // Nobody could tell who holds it: give it back rather than act anonymously.
        const QString text = w.lastError().text();
        QSqlQuery u(db);
        u.prepare(QStringLiteral("SELECT pg_advisory_unlock(?)"));
        u.addBindValue(key);
        if (!u.exec())
            lose(u.lastError().text());
        if (error)
            *error = QStringLiteral("%1: cannot record the holder of %2's lock: %3")
                         .arg(m_url.displayName(), name, text.trimmed());
        return {};
    }
    m_mine.insert(key);
    Held mine { name, { operatorName, instanceName(), purpose, QDateTime::fromMSecsSinceEpoch(since, Qt::UTC), false },
        true };
    m_holders.insert(name, mine);
    Q_EMIT holdersChanged();
    return TargetLock::fromLease(name, std::make_unique<Lease>(this, key, m_generation));
}

void AdvisoryLocks::release(qint64 key, int generation)
{
    if (generation != m_generation || !m_connected || !m_mine.contains(key))
        return;
    m_mine.remove(key);
    for (auto it = m_holders.begin(); it != m_holders.end();)
        it = it->mine && keyOf(it->name) == key ? m_holders.erase(it) : std::next(it);
    // The row stays: without its granted lock it no longer counts as a holder, yet it tells the other consoles who
    // acted last (latestHolder()), so a console that saw the fault late does not act on it a second time.
    QSqlDatabase db = QSqlDatabase::database(m_name, false);
    QSqlQuery u(db);
    u.prepare(QStringLiteral("SELECT pg_advisory_unlock(?)"));
    u.addBindValue(key);
    // Touching the row after the unlock announces the release (the trigger's NOTIFY) once the lock is free.
    QSqlQuery t(db);
    t.prepare(QStringLiteral("UPDATE remediation_locks SET since_ms = since_ms WHERE lock_key = ?"
                             " AND backend_pid = pg_backend_pid()"));
    t.addBindValue(key);
    if (!u.exec() || !t.exec())
        lose((u.lastError().isValid() ? u.lastError() : t.lastError()).text());
    Q_EMIT holdersChanged();
}

bool AdvisoryLocks::verify(qint64 key, int generation, QString* why)
{
    if (generation != m_generation || !m_connected) {
        if (why)
            *why = m_connected || m_problem.isEmpty() ? QStringLiteral("the remediation lock session was replaced")
                                                      : problem();
        return false;
    }
    QString error;
    const std::optional<qint64> granted = grantedCount(QSqlDatabase::database(m_name, false), key, true, &error);
    if (!granted) {
        lose(error);
        if (why)
            *why = problem();
        return false;
    }
    if (*granted == 0) {
        if (why)
            *why = QStringLiteral("the server no longer grants this console's remediation lock");
        return false;
    }
    return true;
}

std::optional<AdvisoryLocks::Held> AdvisoryLocks::readHolder(qint64 key)
{
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    q.prepare(holdersQuery + QStringLiteral(" AND r.lock_key = ?"));
    q.addBindValue(m_backendPid);
    q.addBindValue(key);
    if (!q.exec()) {
        lose(q.lastError().text());
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    return heldFrom(q);
}

std::optional<AdvisoryLocks::Held> AdvisoryLocks::latestHolder(const QString& name, bool* active)
{
    QString why;
    if (!ensureOpen(&why))
        return std::nullopt;
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    q.prepare(QStringLiteral("SELECT lock_key, name, operator, host, pid, purpose, since_ms,"
                             " backend_pid = pg_backend_pid() FROM remediation_locks WHERE lock_key = ?"));
    q.addBindValue(keyOf(name));
    if (!q.exec()) {
        lose(q.lastError().text());
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    Held h = heldFrom(q);
    q.finish();
    if (active)
        *active = readHolder(keyOf(name)).has_value();
    return h;
}

bool AdvisoryLocks::heldElsewhere(const QString& name)
{
    QString why;
    if (!ensureOpen(&why))
        return false;
    QString error;
    const std::optional<qint64> granted
        = grantedCount(QSqlDatabase::database(m_name, false), keyOf(name), false, &error);
    if (!granted)
        lose(error);
    return granted.value_or(0) > 0;
}

std::optional<TargetLock::Holder> AdvisoryLocks::holder(const QString& name) const
{
    const auto it = m_holders.constFind(name);
    if (it == m_holders.cend())
        return std::nullopt;
    return it->holder;
}

void AdvisoryLocks::refresh()
{
    QString why;
    if (!ensureOpen(&why))
        return;
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    q.prepare(holdersQuery);
    q.addBindValue(m_backendPid);
    if (!q.exec()) {
        lose(q.lastError().text());
        return;
    }
    QHash<QString, Held> now;
    while (q.next()) {
        Held h = heldFrom(q);
        now.insert(h.name, h);
    }
    setHolders(now);
}

void AdvisoryLocks::readInBackground()
{
    // Without a session there is nothing of this console's to compare with: the probe brings it back, then reads.
    if (!m_connected)
        return;
    if (m_reading) {
        // Several rows change at once (a run's locks): one more read after the one under way.
        m_readAgain = true;
        return;
    }
    m_reading = true;
    const int generation = m_generation;
    QMetaObject::invokeMethod(m_reader, [this, reader = m_reader, pid = m_backendPid, generation] {
        const Snapshot s = reader->read(pid);
        QMetaObject::invokeMethod(this, [this, s, generation] { read(generation, s); });
    });
}

void AdvisoryLocks::read(int generation, const Snapshot& snapshot)
{
    m_reading = false;
    if (generation == m_generation && m_connected) {
        if (!snapshot.error.isEmpty())
            // The lock session may well be fine (the reader's own connection failed): its next use tells.
            qCInfo(lcRemedy, "remediation lock holders not re-read: %s", qUtf8Printable(snapshot.error));
        else if (!snapshot.sessionAlive)
            lose(QStringLiteral("the server no longer runs this console's lock session"));
        else
            setHolders(snapshot.held);
    }
    if (std::exchange(m_readAgain, false))
        readInBackground();
}

void AdvisoryLocks::setHolders(const QHash<QString, Held>& now)
{
    // A row of this session that is not a lock of this session's current runs: a lease lost and re-taken.
    const bool others = std::any_of(now.cbegin(), now.cend(), [](const Held& h) { return !h.mine; });
    if (others)
        m_watch.start(kWatchMs);
    else
        m_watch.stop();
    auto same = [](const QHash<QString, Held>& a, const QHash<QString, Held>& b) {
        if (a.size() != b.size())
            return false;
        for (auto it = a.cbegin(); it != a.cend(); ++it) {
            const auto o = b.constFind(it.key());
            if (o == b.cend() || o->holder.instance != it->holder.instance || o->holder.since != it->holder.since
                || o->holder.purpose != it->holder.purpose)
                return false;
        }
        return true;
    };
    if (same(now, m_holders))
        return;
    m_holders = now;
    Q_EMIT holdersChanged();
}

} // namespace FaultDesk
