#include "incident/storejournal.h"

#include "util/logging.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <fcntl.h>
#include <unistd.h>

namespace FaultDesk {

namespace {
constexpr int kFormat = 1;

QByteArray line(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

// A file's creation or removal survives a power loss only once its directory is synced too.
void syncDirectory(const QString& dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

QString mib(qint64 bytes)
{
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
}
} // namespace

StoreJournal::StoreJournal(const QString& path, qint64 maxBytes)
    : m_path(path)
    , m_maxBytes(maxBytes)
{ }

StoreJournal::~StoreJournal() = default;

bool StoreJournal::open(QString* error)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    m_lock = std::make_unique<QLockFile>(m_path + QStringLiteral(".lock"));
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        if (error)
            *error
                = QStringLiteral("the store journal %1 is in use by another FaultDesk (pid %2)").arg(m_path).arg(pid);
        m_lock.reset();
        return false;
    }
    m_file.setFileName(m_path);
    if (!m_file.exists())
        return true;
    if (!m_file.open(QIODevice::ReadWrite)) {
        if (error)
            *error = QStringLiteral("the store journal %1 cannot be read: %2").arg(m_path, m_file.errorString());
        return false;
    }
    qint64 good = 0;
    bool header = true;
    while (!m_file.atEnd()) {
        const QByteArray text = m_file.readLine();
        QJsonParseError parseError;
        const QJsonObject o = QJsonDocument::fromJson(text, &parseError).object();
        // Only a whole line counts: one without its newline was cut short by a crash before its sync returned.
        if (!text.endsWith('\n') || parseError.error != QJsonParseError::NoError)
            break;
        if (header) {
            m_id = o.value(QStringLiteral("journal")).toString();
            if (m_id.isEmpty() || o.value(QStringLiteral("format")).toInt() != kFormat)
                break;
            header = false;
        } else {
            const std::optional<StoreWrite> w = StoreWrite::fromJson(o.value(QStringLiteral("write")).toObject());
            const qint64 seq = qint64(o.value(QStringLiteral("seq")).toDouble());
            if (!w || seq < m_nextSeq)
                break;
            m_entries.push_back({ seq, *w });
            m_nextSeq = seq + 1;
        }
        good = m_file.pos();
    }
    if (header) {
        // Not even a header made it to disk: nothing in it was ever acknowledged.
        m_file.close();
        remove();
        return true;
    }
    if (good < m_file.size()) {
        qCWarning(lcStore, "store journal %s: cutting off %lld bytes after the last complete write",
            qUtf8Printable(m_path), m_file.size() - good);
        m_file.resize(good);
        sync();
    }
    m_file.seek(good);
    m_bytes = good;
    m_recovered = int(m_entries.size());
    if (m_entries.empty()) {
        m_file.close();
        remove();
    }
    return true;
}

bool StoreJournal::create(QString* error)
{
    m_id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_nextSeq = 1;
    m_file.setFileName(m_path);
    if (!m_file.open(QIODevice::ReadWrite | QIODevice::Truncate)) {
        if (error)
            *error = QStringLiteral("the store journal %1 cannot be created: %2").arg(m_path, m_file.errorString());
        return false;
    }
    m_file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QByteArray head = line({ { QStringLiteral("journal"), m_id }, { QStringLiteral("format"), kFormat } });
    if (m_file.write(head) != head.size() || !sync()) {
        if (error)
            *error = QStringLiteral("the store journal %1 cannot be written: %2").arg(m_path, m_file.errorString());
        m_file.close();
        QFile::remove(m_path);
        return false;
    }
    syncDirectory(QFileInfo(m_path).absolutePath());
    m_bytes = head.size();
    return true;
}

bool StoreJournal::sync()
{
    return m_file.flush() && ::fdatasync(m_file.handle()) == 0;
}

int StoreJournal::append(const QList<StoreWrite>& writes, QString* error)
{
    if (writes.isEmpty())
        return 0;
    if (!m_file.isOpen() && !create(error))
        return 0;
    const qint64 start = m_bytes;
    int appended = 0;
    QString why;
    for (const StoreWrite& w : writes) {
        const QByteArray text = line(
            { { QStringLiteral("seq"), double(m_nextSeq + appended) }, { QStringLiteral("write"), w.toJson() } });
        if (m_bytes + text.size() > m_maxBytes) {
            why = QStringLiteral("the local store journal is full (%1 of %2 at %3, %4 writes waiting for the "
                                 "database): this write is NOT recorded")
                      .arg(mib(m_bytes), mib(m_maxBytes), m_path)
                      .arg(int(m_entries.size()) + appended);
            break;
        }
        if (m_file.write(text) != text.size()) {
            why = QStringLiteral("the store journal %1 cannot be written: %2").arg(m_path, m_file.errorString());
            // Nothing of the failed line may stay behind to be read as a write.
            m_file.resize(m_bytes);
            m_file.seek(m_bytes);
            break;
        }
        m_bytes += text.size();
        ++appended;
    }
    if (appended > 0 && !sync()) {
        why = QStringLiteral("the store journal %1 cannot be synced to disk: %2").arg(m_path, m_file.errorString());
        m_file.resize(start);
        m_file.seek(start);
        m_bytes = start;
        appended = 0;
    }
    for (int i = 0; i < appended; ++i)
        m_entries.push_back({ m_nextSeq++, writes[i] });
    if (!why.isEmpty() && error)
        *error = why;
    return appended;
}

void StoreJournal::dropReplayed(int count)
{
    for (int i = 0; i < count && !m_entries.empty(); ++i)
        m_entries.pop_front();
    if (m_entries.empty() && m_file.isOpen()) {
        m_file.close();
        remove();
    }
}

void StoreJournal::remove()
{
    QFile::remove(m_path);
    syncDirectory(QFileInfo(m_path).absolutePath());
    m_id.clear();
    m_bytes = 0;
    m_nextSeq = 1;
}

} // namespace FaultDesk
