#pragma once

#include <QDateTime>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace FaultDesk {

/**
 * The remediation lock of one target, shared by every FaultDesk instance on the fleet: an flock()ed file per
 * target in a shared directory, holding who took it. The kernel drops the lock when its holder exits or dies,
 * so a crashed instance never leaves a stale lock — unless a child it handed the descriptor to (a remediation
 * command) still runs: then the lock lives as long as that child, and the content tells whose run it was.
 * Move-only; released on destruction. A second attempt — in this process or another — sees who holds it.
 *
 * A team sharing a PostgreSQL store holds the same locks as advisory locks of that server instead (AdvisoryLocks
 * makes them through fromLease()): they live as long as the console's session, not its children.
 */
class TargetLock
{
public:
    /// Who holds a lock.
    struct Holder
    {
        QString operatorName;
        QString instance; ///< host:pid of the FaultDesk instance
        QString purpose; ///< "crash/handle"
        QDateTime since;
        /// The instance that took it is gone (a process of this host that no longer exists): a command it started
        /// holds the lock now.
        bool instanceGone = false;

        /// "alice (host:1234, crash/handle since 14:02:11 UTC)"
        QString toString() const;
        /// "alice is handling web-2 since 10:41:07" (local time), for status lines.
        QString sentence(const QString& target) const;
    };

    /// What a lock held elsewhere than in a file does: give it back, and tell whether it still holds.
    struct Lease
    {
        virtual ~Lease() = default;
        virtual void release() = 0;
        /// False (with @p why) once the lock is gone: its session was lost, so another console may hold it now.
        virtual bool stillHeld(QString* why) const = 0;
    };

    TargetLock() = default;
    TargetLock(TargetLock&& other) noexcept;
    TargetLock& operator=(TargetLock&& other) noexcept;
    TargetLock(const TargetLock&) = delete;
    TargetLock& operator=(const TargetLock&) = delete;
    ~TargetLock();

    /**
     * Takes the lock of @p target in @p directory without waiting. When someone holds it, returns an unlocked
     * TargetLock and fills @p heldBy; on an I/O problem fills @p error.
     */
    static TargetLock tryAcquire(const QString& directory, const QString& target, const QString& operatorName,
        const QString& purpose, Holder* heldBy = nullptr, QString* error = nullptr);
    /// Who holds @p target's lock now, if anyone (for the UI's "being handled by …").
    static std::optional<Holder> holder(const QString& directory, const QString& target);

    /// A lock on @p target kept by @p lease (a PostgreSQL advisory lock), released with this object.
    static TargetLock fromLease(const QString& target, std::unique_ptr<Lease> lease);

    bool isLocked() const { return m_fd >= 0 || m_lease; }
    /**
     * Whether the lock is still held: a file lock is until released; a lease may be lost with its session (then
     * @p why says so, and the next step must not run).
     */
    bool stillHeld(QString* why = nullptr) const;
    /// The locked descriptor (close-on-exec), for a child that must keep the lock while it lives; -1 when unlocked.
    int descriptor() const { return m_fd; }
    QString target() const { return m_target; }
    void release();

private:
    static QString lockPath(const QString& directory, const QString& target);

    int m_fd = -1;
    QString m_target;
    std::unique_ptr<Lease> m_lease;
};

} // namespace FaultDesk
