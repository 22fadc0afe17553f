#pragma once

#include "audit/auditsink.h"

#include <QMutex>
#include <QString>

namespace FaultDesk {

/// Audit trail as an append-only JSON-lines file, fsync'ed after every record.
class JsonlAuditSink : public AuditSink
{
public:
    explicit JsonlAuditSink(QString path);

    bool append(const AuditRecord& record, QString* error = nullptr) override;
    /// Reads the file back; a torn last line (crash mid-write) is skipped, never fatal.
    QList<AuditRecord> records() const override;
    QString path() const { return m_path; }

private:
    QString m_path;
    mutable QMutex m_mutex;
};

} // namespace FaultDesk
