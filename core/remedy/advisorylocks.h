#pragma once

#include "remedy/targetlock.h"

#include "incident/storeurl.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThread>
#include <QTimer>

#include <optional>

namespace FaultDesk {

class StoreNotifier;

/**
 * The remediation locks of a team sharing one PostgreSQL store: per-target and per-backend locks are session-level
 * advisory locks (pg_try_advisory_lock) taken on one connection of their own that lives as long as the console, so
 * the server releases them the moment a console dies or loses its connection. Who holds each lock (operator,
 * host:pid, since, what) is a row of remediation_locks that counts only while pg_locks shows its lock granted to the
 * session that wrote it; others read it for "alice is handling web-2 since 10:41:07".
 *
 * Lock keys: the first 8 bytes (big-endian, as a signed 64-bit integer) of SHA-256 over "faultdesk/remedy-lock/"
 * and the lock name in UTF-8. Stable across versions and hosts; the prefix keeps them apart from other users of
 * advisory locks on the same database (the schema migration's lock among them). Two different names sharing a key
 * (odds 2^-64 per pair) would only exclude each other — one waits, never two act — and the holder row names the
 * lock really held, so the refusal says which.
 *
 * Lock calls (tryAcquire(), a lease's check and release, latestHolder(), heldElsewhere()) run on the caller's thread,
 * one round trip each on the lock session (a statement timeout bounds them), and happen only when a run starts,
 * before each step and when a lock is given back. holder() reads a cache kept current by the store's notifications
 * (follow()) and, while another console holds a lock, by a re-read every two seconds, because a session that dies
 * notifies nobody; those re-reads run on a worker thread with a read connection of its own and hand a snapshot back,
 * so an idle console never waits for the store.
 *
 * Fails closed: without its session no lock is taken and a lock taken before the session was lost reports
 * stillHeld() false, with the reason. Once the session is lost or could not be opened, calls are refused at once
 * ("… unavailable since 03:12:07: …; next reconnect attempt in 8 s") instead of each waiting up to connect_timeout
 * for a store that does not answer: the first call after a loss may try one reconnect, then only the worker probes
 * the store (a throwaway connection, 2 s doubling to 30 s), and the session reconnects, quickly, once the store
 * answers a probe.
 */
class AdvisoryLocks : public QObject
{
    Q_OBJECT

public:
    /// One lock held now, by this console or another.
    struct Held
    {
        QString name;
        TargetLock::Holder holder;
        bool mine = false;
    };

    explicit AdvisoryLocks(StoreUrl url, QObject* parent = nullptr);
    ~AdvisoryLocks() override;

    /// The advisory lock key of @p name (see the class comment).
    static qint64 keyOf(const QString& name);
    /// This console as holders show it: "host:pid".
    static QString instanceName();

    /**
     * Opens the lock session and reads the holders, on the caller's thread (at most one connect timeout); false with
     * @p error: locks are then refused at once, fail closed, until the store answers a probe and the session opens.
     */
    bool open(QString* error = nullptr);
    bool isConnected() const { return m_connected; }
    /// Why locks cannot be taken now, since when and when the next reconnect attempt is; empty while they can.
    QString problem() const;
    QString displayName() const { return m_url.displayName(); }
    /// Re-reads the holders when @p notifier announces a change of remediation_locks (or resyncs).
    void follow(StoreNotifier* notifier);

    /**
     * Takes @p name's lock without waiting. Held by someone (another console, or this one for another run): an
     * unlocked TargetLock and @p heldBy; store unreachable or the session lost: an unlocked TargetLock and @p error.
     */
    TargetLock tryAcquire(const QString& name, const QString& operatorName, const QString& purpose,
        TargetLock::Holder* heldBy = nullptr, QString* error = nullptr);
    /// Who holds @p name's lock as last read (this console's own locks included).
    std::optional<TargetLock::Holder> holder(const QString& name) const;
    /**
     * The last console that took @p name's lock, held now or not (@p active says which), read now: whoever acted on
     * a target last and when. std::nullopt when nobody ever did or the store cannot be read.
     */
    std::optional<Held> latestHolder(const QString& name, bool* active = nullptr);
    /**
     * Whether another session holds @p name's lock now, read from the server's lock table: true even before that
     * console has written who it is (it takes the lock first, then records itself). False when unreadable.
     */
    bool heldElsewhere(const QString& name);
    /// Every lock held now as last read, by name.
    QList<Held> holders() const { return m_holders.values(); }
    /// Re-reads the holders now, on the caller's thread (one query; none without the session).
    void refresh();

Q_SIGNALS:
    void holdersChanged();
    void connectionChanged(bool connected, const QString& problem);

private:
    class Lease;
    class Reader;
    struct Snapshot;

    bool ensureOpen(QString* error);
    void fail(const QString& problem);
    void lose(const QString& why);
    void scheduleProbe();
    void probe();
    void probed(const QString& error);
    void readInBackground();
    void read(int generation, const Snapshot& snapshot);
    void setHolders(const QHash<QString, Held>& now);
    void release(qint64 key, int generation);
    bool verify(qint64 key, int generation, QString* why);
    std::optional<Held> readHolder(qint64 key);

    StoreUrl m_url;
    QString m_name; ///< the QSqlDatabase connection name
    bool m_connected = false;
    QString m_problem;
    int m_generation = 0; ///< bumped on every new session: leases of an older one are lost
    QSet<qint64> m_mine;
    QHash<QString, Held> m_holders;
    QTimer m_watch; ///< re-reads the holders while another console holds a lock
    qint64 m_backendPid = 0; ///< the lock session's server process, as pg_locks names it

    // Without a session: since when, why, and when the worker probes the store next.
    QDateTime m_downSince;
    QString m_lastError;
    bool m_mayConnect
        = true; ///< one reconnect attempt on the caller's thread (the first open, the first call after a loss)
    int m_backoffMs = 0;
    QTimer m_retry;
    QDateTime m_nextProbe;
    bool m_probing = false;

    QThread m_thread;
    Reader* m_reader = nullptr; ///< lives on m_thread
    bool m_reading = false;
    bool m_readAgain = false;
};

} // namespace FaultDesk
