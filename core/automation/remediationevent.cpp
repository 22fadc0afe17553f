#include "automation/remediationevent.h"

#include <QDateTime>
#include <QJsonArray>

namespace FaultDesk {

QString RemediationEvent::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Automation:
        return QStringLiteral("automation");
    case Kind::RunStarted:
        return QStringLiteral("remediation-started");
    case Kind::Step:
        return QStringLiteral("remediation-step");
    case Kind::RunFinished:
        return QStringLiteral("remediation-finished");
    case Kind::Escalated:
        return QStringLiteral("remediation-escalated");
    case Kind::Stopping:
        return QStringLiteral("stopping");
    }
    return {};
}

QJsonObject RemediationEvent::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("event"), kindName(kind));
    o.insert(QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODateWithMs));
    auto put = [&o](const char* key, const QString& value) {
        if (!value.isEmpty())
            o.insert(QLatin1String(key), value);
    };
    put("run", run);
    put("target", target);
    put("incident", incident);
    put("purpose", purpose);
    put("operator", operatorName);
    put("runbook", runbook);
    switch (kind) {
    case Kind::Automation:
        for (auto it = details.constBegin(); it != details.constEnd(); ++it)
            o.insert(it.key(), it.value());
        break;
    case Kind::RunStarted:
        break;
    case Kind::Step:
        o.insert(QStringLiteral("step"), step + 1); // as the audit trail counts them ("crash/handle#1")
        put("name", stepName);
        put("status", status);
        put("reason", reason);
        break;
    case Kind::RunFinished:
        put("result", result);
        if (purpose == u"recover")
            o.insert(QStringLiteral("verified"), verified);
        o.insert(QStringLiteral("rolled_back"), QJsonArray::fromStringList(rolledBack));
        o.insert(QStringLiteral("not_rolled_back"), QJsonArray::fromStringList(notRolledBack));
        break;
    case Kind::Escalated:
        break;
    case Kind::Stopping:
        o.insert(QStringLiteral("running"), QJsonArray::fromStringList(running));
        break;
    }
    put("message", message);
    return o;
}

QString RemediationEvent::toText() const
{
    const QString time = QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(QStringLiteral("HH:mm:ss.zzz"));
    const QString who = operatorName.isEmpty() ? QString() : QStringLiteral(" by %1").arg(operatorName);
    switch (kind) {
    case Kind::Automation:
        return QStringLiteral("%1 AUTOMATION %2").arg(time, message);
    case Kind::RunStarted:
        return QStringLiteral("%1 %2 %3 started%4 (%5incident %6)")
            .arg(time, purpose.toUpper(), target, who, runbook.isEmpty() ? QString() : runbook + u", ", incident);
    case Kind::Step:
        return QStringLiteral("%1 %2 %3 step %4 '%5': %6%7")
            .arg(time, purpose.toUpper(), target)
            .arg(step + 1)
            .arg(stepName, status, reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason));
    case Kind::RunFinished:
        return QStringLiteral("%1 %2 %3 %4%5: %6")
            .arg(time, purpose.toUpper(), target, result.toUpper(),
                purpose == u"recover" && verified ? QStringLiteral(", verified") : QString(), message);
    case Kind::Escalated:
        return QStringLiteral("%1 ESCALATED %2: %3").arg(time, target.isEmpty() ? run : target, message);
    case Kind::Stopping:
        return QStringLiteral("%1 STOPPING: %2").arg(time, message);
    }
    return {};
}

} // namespace FaultDesk
