#pragma once

#include "audit/auditrecord.h"

#include <QList>

namespace FaultDesk {

/**
 * Where audit records go. Implemented by JsonlAuditSink (an append-only JSON-lines file) and by the
 * incident store (SQLite, append-only by trigger). append() returns only once the record is durable,
 * so remediation never runs a step whose intent was not recorded.
 */
class AuditSink
{
public:
    virtual ~AuditSink() = default;

    /// Appends @p record durably. Returns false and sets @p error when it could not be recorded.
    virtual bool append(const AuditRecord& record, QString* error = nullptr) = 0;
    /// All records in the order they were written.
    virtual QList<AuditRecord> records() const = 0;
    /// Intent records whose Result was never written (FaultDesk died mid-action).
    QList<AuditRecord> unfinished() const;
};

} // namespace FaultDesk
