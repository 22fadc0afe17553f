#pragma once

#include "remedy/remediationbaseline.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace FaultDesk {

class AuditSink;

/// A remediation that started and never finished: an Intent without a Result in the audit trail.
struct UnfinishedRemediation
{
    QString target;
    QString incidentId;
    QString runbook;
    QString operatorName;
    QDateTime since;
    RemediationBaseline baseline;
    QString action; ///< masked description of the action that never reported a result
    QStringList actionIds; ///< every intent of this incident and target left without a result
};

/**
 * The remediations the audit trail shows as started and never finished (FaultDesk died mid-run), one per
 * incident and target with the baseline its first intent recorded, and the closing of their intents once a person
 * recovered or dismissed them.
 */
class UnfinishedRemediations
{
public:
    explicit UnfinishedRemediations(AuditSink* audit)
        : m_audit(audit)
    { }

    QList<UnfinishedRemediation> list() const;
    /// Writes a Result with @p status ("recovered", "dismissed") and @p note for every intent of @p item.
    void close(const UnfinishedRemediation& item, const QString& status, const QString& operatorName,
        const QString& note) const;

private:
    AuditSink* m_audit;
};

} // namespace FaultDesk
