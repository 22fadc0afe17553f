#pragma once

#include "remedy/templatefields.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <chrono>

namespace FaultDesk {

class AuditSink;

/**
 * Who runs an action, on what, for which incident and runbook step, with which deadline and template values,
 * and where its audit records go. The same context type for every action kind.
 */
struct ActionContext
{
    AuditSink* audit = nullptr; ///< required: an action refuses to run when its intent cannot be recorded
    QString operatorName; ///< the person, or "auto"
    QString target; ///< the target the action acts on
    QString incidentId;
    QString runbook; ///< runbook name and step, e.g. "crash/handle#1"
    std::chrono::milliseconds deadline { 30000 };
    QJsonObject baseline; ///< pre-fault baseline, written into the Intent record (Recover after a crash reads it)
    TemplateFields fields; ///< {target}, {address}, {backend}, {server}, {source} …
    qsizetype outputLimit = 64 * 1024; ///< bytes of output kept; the rest is counted and dropped
    qsizetype auditExcerptLimit = 2048; ///< characters of output written to the audit record
    /// Descriptors a command keeps open in its child (the run's target locks): should FaultDesk die, the lock
    /// stays held as long as the remediation's process lives.
    QList<int> inheritedDescriptors;
};

} // namespace FaultDesk
