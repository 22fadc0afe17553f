#include "remedy/targetlock.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>
#include <QUrl>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace FaultDesk {

QString TargetLock::Holder::toString() const
{
    // Only what is known: a lock whose holder has not written its record yet has no instance and no start.
    QStringList details;
    if (!instance.isEmpty())
        details << instance;
    const QString what = purpose.isEmpty() ? QStringLiteral("remediation") : purpose;
    details << (since.isValid()
            ? QStringLiteral("%1 since %2 UTC").arg(what, since.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
            : what);
    return QStringLiteral("%1 (%2%3)")
        .arg(operatorName.isEmpty() ? QStringLiteral("someone") : operatorName, details.join(QStringLiteral(", ")),
            instanceGone ? QStringLiteral("; that FaultDesk is gone, a command it started still holds the lock")
                         : QString());
}

QString TargetLock::Holder::sentence(const QString& target) const
{
    const QString who = operatorName.isEmpty() ? QStringLiteral("someone") : operatorName;
    const QString where = instance.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(instance);
    return QStringLiteral("%1%2 is handling %3 since %4")
        .arg(who, where, target, since.toLocalTime().toString(QStringLiteral("HH:mm:ss")));
}

TargetLock::TargetLock(TargetLock&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
    , m_target(std::move(other.m_target))
    , m_lease(std::move(other.m_lease))
{ }

TargetLock& TargetLock::operator=(TargetLock&& other) noexcept
{
    if (this != &other) {
        release();
        m_fd = std::exchange(other.m_fd, -1);
        m_target = std::move(other.m_target);
        m_lease = std::move(other.m_lease);
    }
    return *this;
}

TargetLock::~TargetLock()
{
    release();
}

QString TargetLock::lockPath(const QString& directory, const QString& target)
{
    // Percent-encoding keeps any target name a single, safe file name.
    return QDir(directory).filePath(
        QString::fromLatin1(QUrl::toPercentEncoding(target, QByteArrayLiteral("-_"), QByteArrayLiteral(".")))
        + QStringLiteral(".lock"));
}

static std::optional<TargetLock::Holder> readHolder(int fd)
{
    QByteArray bytes;
    char buf[4096];
    ::lseek(fd, 0, SEEK_SET);
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        bytes.append(buf, n);
        if (bytes.size() > 64 * 1024)
            break;
    }
    const QJsonObject o = QJsonDocument::fromJson(bytes).object();
    if (o.isEmpty())
        return std::nullopt;
    TargetLock::Holder h;
    h.operatorName = o.value(QStringLiteral("operator")).toString();
    h.instance = o.value(QStringLiteral("instance")).toString();
    h.purpose = o.value(QStringLiteral("purpose")).toString();
    h.since = QDateTime::fromString(o.value(QStringLiteral("since")).toString(), Qt::ISODate);
    // "host:pid" of this host whose process is gone: the lock lives on in a child it handed the descriptor to.
    bool isPid = false;
    const qint64 pid = h.instance.section(u':', -1).toLongLong(&isPid);
    h.instanceGone = isPid && pid > 0 && h.instance.section(u':', 0, -2) == QHostInfo::localHostName()
        && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
    return h;
}

// The lock directory is FaultDesk's alone: created 0700 (tightened if it exists looser), a real directory of ours,
// never a symbolic link someone else could point at a file we would then create or truncate.
static bool prepareDirectory(const QString& directory, QString* error)
{
    auto fail = [&](const QString& why) {
        if (error)
            *error = QStringLiteral("lock directory %1 %2").arg(directory, why);
        return false;
    };
    if (!QDir().mkpath(directory))
        return fail(QStringLiteral("cannot be created"));
    const QByteArray path = QFile::encodeName(directory);
    struct stat st
    { };
    if (::lstat(path.constData(), &st) != 0)
        return fail(QString::fromLocal8Bit(std::strerror(errno)));
    if (!S_ISDIR(st.st_mode))
        return fail(QStringLiteral("is not a directory (a symbolic link?)"));
    if (st.st_uid != ::geteuid())
        return fail(QStringLiteral("belongs to another user (uid %1)").arg(st.st_uid));
    if ((st.st_mode & 0077) != 0 && ::chmod(path.constData(), 0700) != 0)
        return fail(QStringLiteral("cannot be made private (0700): ") + QString::fromLocal8Bit(std::strerror(errno)));
    return true;
}

TargetLock TargetLock::tryAcquire(const QString& directory, const QString& target, const QString& operatorName,
    const QString& purpose, Holder* heldBy, QString* error)
{
    TargetLock lock;
    if (!prepareDirectory(directory, error))
        return lock;
    const QByteArray path = QFile::encodeName(lockPath(directory, target));
    const int fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (error)
            *error
                = QStringLiteral("%1: %2").arg(QFile::decodeName(path), QString::fromLocal8Bit(std::strerror(errno)));
        return lock;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err == EWOULDBLOCK) {
            if (heldBy) {
                // The holder writes its name right after locking; an empty read means it is mid-write.
                *heldBy = readHolder(fd).value_or(Holder { QStringLiteral("another instance"), {}, {}, {}, false });
            }
        } else if (error) {
            *error = QStringLiteral("%1: %2").arg(QFile::decodeName(path), QString::fromLocal8Bit(std::strerror(err)));
        }
        ::close(fd);
        return lock;
    }
    const QJsonObject me { { QStringLiteral("operator"), operatorName },
        { QStringLiteral("instance"),
            QStringLiteral("%1:%2").arg(QHostInfo::localHostName()).arg(QCoreApplication::applicationPid()) },
        { QStringLiteral("purpose"), purpose },
        { QStringLiteral("since"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate) } };
    const QByteArray content = QJsonDocument(me).toJson(QJsonDocument::Compact);
    if (::ftruncate(fd, 0) != 0 || ::write(fd, content.constData(), size_t(content.size())) != content.size()) {
        if (error)
            *error
                = QStringLiteral("%1: %2").arg(QFile::decodeName(path), QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return lock;
    }
    ::fsync(fd);
    lock.m_fd = fd;
    lock.m_target = target;
    return lock;
}

std::optional<TargetLock::Holder> TargetLock::holder(const QString& directory, const QString& target)
{
    const QByteArray path = QFile::encodeName(lockPath(directory, target));
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return std::nullopt;
    std::optional<Holder> out;
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0)
        ::flock(fd, LOCK_UN);
    else
        out = readHolder(fd).value_or(Holder { QStringLiteral("another instance"), {}, {}, {}, false });
    ::close(fd);
    return out;
}

TargetLock TargetLock::fromLease(const QString& target, std::unique_ptr<Lease> lease)
{
    TargetLock lock;
    lock.m_target = target;
    lock.m_lease = std::move(lease);
    return lock;
}

bool TargetLock::stillHeld(QString* why) const
{
    if (m_lease)
        return m_lease->stillHeld(why);
    if (m_fd < 0 && why)
        *why = QStringLiteral("the lock of %1 is not held").arg(m_target);
    return m_fd >= 0;
}

void TargetLock::release()
{
    if (m_lease) {
        std::exchange(m_lease, nullptr)->release();
        return;
    }
    if (m_fd < 0)
        return;
    // Truncate first so a later reader never shows a stale holder; the file itself stays (unlinking races).
    if (::ftruncate(m_fd, 0) != 0) { }
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
    m_fd = -1;
}

} // namespace FaultDesk
