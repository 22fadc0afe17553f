#include "audit/auditrecord.h"

#include "audit/auditsink.h"
#include "util/secretmask.h"

#include <QHash>
#include <QSet>

namespace FaultDesk {

AuditRecord AuditRecord::masked() const
{
    AuditRecord r = *this;
    r.description = SecretMask::apply(r.description);
    r.outputExcerpt = SecretMask::apply(r.outputExcerpt);
    r.target = SecretMask::apply(r.target);
    r.runbook = SecretMask::apply(r.runbook);
    return r;
}

QJsonObject AuditRecord::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("action_id"), actionId);
    o.insert(QStringLiteral("phase"), phase == Phase::Intent ? QStringLiteral("intent") : QStringLiteral("result"));
    o.insert(QStringLiteral("time"), timeUtc.toUTC().toString(Qt::ISODateWithMs));
    o.insert(QStringLiteral("operator"), operatorName);
    o.insert(QStringLiteral("target"), target);
    if (!incidentId.isEmpty())
        o.insert(QStringLiteral("incident"), incidentId);
    if (!runbook.isEmpty())
        o.insert(QStringLiteral("runbook"), runbook);
    o.insert(QStringLiteral("kind"), actionKind);
    o.insert(QStringLiteral("description"), description);
    if (!baseline.isEmpty())
        o.insert(QStringLiteral("baseline"), baseline);
    if (phase == Phase::Result) {
        o.insert(QStringLiteral("status"), status);
        if (exitCode)
            o.insert(QStringLiteral("exit_code"), *exitCode);
        o.insert(QStringLiteral("duration_ms"), durationMs);
        o.insert(QStringLiteral("output"), outputExcerpt);
    }
    return o;
}

std::optional<AuditRecord> AuditRecord::fromJson(const QJsonObject& o, QString* error)
{
    auto fail = [error](const QString& why) -> std::optional<AuditRecord> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    AuditRecord r;
    r.actionId = o.value(QStringLiteral("action_id")).toString();
    if (r.actionId.isEmpty())
        return fail(QStringLiteral("missing action_id"));
    const QString phase = o.value(QStringLiteral("phase")).toString();
    if (phase == u"intent")
        r.phase = Phase::Intent;
    else if (phase == u"result")
        r.phase = Phase::Result;
    else
        return fail(QStringLiteral("phase must be intent or result, got '%1'").arg(phase));
    r.timeUtc = QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    if (!r.timeUtc.isValid())
        return fail(QStringLiteral("invalid time"));
    r.timeUtc = r.timeUtc.toUTC();
    r.operatorName = o.value(QStringLiteral("operator")).toString();
    r.target = o.value(QStringLiteral("target")).toString();
    r.incidentId = o.value(QStringLiteral("incident")).toString();
    r.runbook = o.value(QStringLiteral("runbook")).toString();
    r.actionKind = o.value(QStringLiteral("kind")).toString();
    r.description = o.value(QStringLiteral("description")).toString();
    r.baseline = o.value(QStringLiteral("baseline")).toObject();
    r.status = o.value(QStringLiteral("status")).toString();
    if (o.contains(QStringLiteral("exit_code")))
        r.exitCode = o.value(QStringLiteral("exit_code")).toInt();
    r.durationMs = o.value(QStringLiteral("duration_ms")).toInteger(-1);
    r.outputExcerpt = o.value(QStringLiteral("output")).toString();
    return r;
}

QList<AuditRecord> AuditSink::unfinished() const
{
    const QList<AuditRecord> all = records();
    QSet<QString> finished;
    for (const AuditRecord& r : all)
        if (r.phase == AuditRecord::Phase::Result)
            finished.insert(r.actionId);
    QList<AuditRecord> open;
    for (const AuditRecord& r : all)
        if (r.phase == AuditRecord::Phase::Intent && !finished.contains(r.actionId))
            open.append(r);
    return open;
}

} // namespace FaultDesk
