#include "advisorylocks.h"

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

namespace FaultDesk {

namespace {
int serial = 0;
constexpr int kWatchMs = 2000; ///< re-read of the holders while another console holds a lock
constexpr int kReconnectMs = 10000; ///< a new lock session after the last one was lost

// A row of remediation_locks counts while the server grants its advisory lock to the session that wrote it; a
// bigint key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits) with objsubid 1.
const QString holdersQuery = QStringLiteral(
    "SELECT r.lock_key, r.name, r.operator, r.host, r.pid, r.purpose, r.since_ms,"
    " r.backend_pid = pg_backend_pid() FROM remediation_locks r WHERE EXISTS (SELECT 1 FROM pg_locks k"
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

AdvisoryLocks::AdvisoryLocks(StoreUrl url, QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_name(QStringLiteral("faultdesk-locks-%1").arg(++serial))
{
    m_watch.setInterval(kWatchMs);
    connect(&m_watch, &QTimer::timeout, this, &AdvisoryLocks::refresh);
}

AdvisoryLocks::~AdvisoryLocks()
{
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
        // Several rows change at once (a run's locks): one read after them.
        if (table != u"remediation_locks" || m_refreshQueued)
            return;
        m_refreshQueued = true;
        QTimer::singleShot(0, this, [this] {
            m_refreshQueued = false;
            refresh();
        });
    });
    connect(notifier, &StoreNotifier::resynced, this, &AdvisoryLocks::refresh);
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
    if (QSqlDatabase::contains(m_name)) {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    QString why;
    QSqlDatabase db = StoreConnection::open(m_url, m_name, StoreConnection::Purpose::Write, &why);
    if (db.isValid()) {
        // Every call blocks the caller: bounded, so a stuck server fails closed within seconds.
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SET statement_timeout = 5000")))
            why = q.lastError().text();
    }
    if (!why.isEmpty()) {
        m_problem = QStringLiteral("remediation locks unavailable: %1").arg(why);
        if (error)
            *error = m_problem;
        Q_EMIT connectionChanged(false, m_problem);
        return false;
    }
    m_connected = true;
    m_problem.clear();
    ++m_generation;
    m_mine.clear();
    Q_EMIT connectionChanged(true, QString());
    return true;
}

void AdvisoryLocks::lose(const QString& why)
{
    const bool was = m_connected;
    m_connected = false;
    // The server dropped whatever this session held; runs holding its leases fail their next step.
    m_problem = QStringLiteral("the remediation lock session to %1 was lost (%2): its locks are gone")
                    .arg(m_url.displayName(), why.trimmed());
    m_mine.clear();
    if (QSqlDatabase::contains(m_name))
        QSqlDatabase::database(m_name, false).close();
    // Reconnects, slowly: a connection attempt blocks this thread until the server answers or connect_timeout.
    m_watch.start(kReconnectMs);
    qCWarning(lcRemedy, "%s", qUtf8Printable(m_problem));
    if (was)
        Q_EMIT connectionChanged(false, m_problem);
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
            *error = QStringLiteral("%1: not acting without it (fail closed)").arg(m_problem);
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
            *why = m_problem.isEmpty() ? QStringLiteral("the remediation lock session was replaced") : m_problem;
        return false;
    }
    QString error;
    const std::optional<qint64> granted = grantedCount(QSqlDatabase::database(m_name, false), key, true, &error);
    if (!granted) {
        lose(error);
        if (why)
            *why = m_problem;
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
    if (!m_connected) {
        // A lost session comes back here, so the watch also reconnects.
        QString why;
        if (!ensureOpen(&why)) {
            m_watch.start(kReconnectMs);
            return;
        }
    }
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    if (!q.exec(holdersQuery)) {
        lose(q.lastError().text());
        return;
    }
    QHash<QString, Held> now;
    bool others = false;
    while (q.next()) {
        Held h = heldFrom(q);
        // A row of this session that is not a lock of this session's current runs: a lease lost and re-taken.
        others = others || !h.mine;
        now.insert(h.name, h);
    }
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
