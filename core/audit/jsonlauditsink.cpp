#include "audit/jsonlauditsink.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMutexLocker>

#include <unistd.h>

namespace FaultDesk {

JsonlAuditSink::JsonlAuditSink(QString path)
    : m_path(std::move(path))
{ }

bool JsonlAuditSink::append(const AuditRecord& record, QString* error)
{
    QMutexLocker lock(&m_mutex);
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    // A crash mid-write leaves a line without its newline: the next record starts on a line of its own, so the
    // torn one stays alone (skipped when read) instead of swallowing a good record.
    bool torn = false;
    {
        QFile tail(m_path);
        if (tail.open(QIODevice::ReadOnly) && tail.size() > 0 && tail.seek(tail.size() - 1)) {
            char last = '\n';
            torn = tail.getChar(&last) && last != '\n';
        }
    }
    QFile file(m_path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, file.errorString());
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QByteArray line = (torn ? QByteArrayLiteral("\n") : QByteArray())
        + QJsonDocument(record.masked().toJson()).toJson(QJsonDocument::Compact) + '\n';
    if (file.write(line) != line.size() || !file.flush() || ::fsync(file.handle()) != 0) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, file.errorString());
        return false;
    }
    return true;
}

QList<AuditRecord> JsonlAuditSink::records() const
{
    QMutexLocker lock(&m_mutex);
    QList<AuditRecord> out;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return out;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty())
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (!doc.isObject())
            continue; // a torn line from a crash mid-write
        if (auto r = AuditRecord::fromJson(doc.object()))
            out.append(*r);
    }
    return out;
}

} // namespace FaultDesk
