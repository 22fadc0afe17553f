#include "detect/detectionevent.h"

#include <QDateTime>
#include <QJsonArray>

namespace FaultDesk {

QString DetectionEvent::kindName(Kind kind)
{
    switch (kind) {
    case Kind::StateChanged:
        return QStringLiteral("state-changed");
    case Kind::FaultDetected:
        return QStringLiteral("fault-detected");
    case Kind::FaultLocated:
        return QStringLiteral("fault-located");
    case Kind::FaultCleared:
        return QStringLiteral("fault-cleared");
    case Kind::FlappingStarted:
        return QStringLiteral("flapping-started");
    case Kind::FlappingStopped:
        return QStringLiteral("flapping-stopped");
    case Kind::MonitorDegraded:
        return QStringLiteral("monitor-degraded");
    case Kind::MonitorRecovered:
        return QStringLiteral("monitor-recovered");
    case Kind::FaultJoined:
        return QStringLiteral("fault-joined");
    case Kind::FaultLeft:
        return QStringLiteral("fault-left");
    }
    return QString();
}

QJsonObject DetectionEvent::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("event"), kindName(kind));
    o.insert(QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODateWithMs));
    if (!target.isEmpty())
        o.insert(QStringLiteral("target"), target);
    switch (kind) {
    case Kind::StateChanged:
        o.insert(QStringLiteral("from"), targetStateName(from));
        o.insert(QStringLiteral("to"), targetStateName(to));
        o.insert(QStringLiteral("reason"), reason);
        break;
    case Kind::FaultDetected:
    case Kind::FaultLocated:
    case Kind::FaultCleared:
    case Kind::FaultJoined:
    case Kind::FaultLeft:
        o.insert(QStringLiteral("fault"), faultId);
        if (!incidentId.isEmpty())
            o.insert(QStringLiteral("incident"), incidentId);
        if (cause)
            o.insert(QStringLiteral("cause"), causeClassName(*cause));
        if (!evidence.isEmpty())
            o.insert(QStringLiteral("evidence"), evidence);
        if (kind == Kind::FaultLocated) {
            o.insert(QStringLiteral("root_cause"), rootCause);
            o.insert(QStringLiteral("root"), root);
            o.insert(QStringLiteral("symptoms"), QJsonArray::fromStringList(symptoms));
            if (!sources.isEmpty())
                o.insert(QStringLiteral("sources"), QJsonArray::fromStringList(sources));
            if (!members.isEmpty())
                o.insert(QStringLiteral("members"), QJsonArray::fromStringList(members));
            if (!pool.isEmpty())
                o.insert(QStringLiteral("pool"), pool);
        }
        if (kind == Kind::FaultJoined) {
            o.insert(QStringLiteral("root"), root);
            o.insert(QStringLiteral("relation"), relation);
            o.insert(QStringLiteral("aftershock"), aftershock);
        }
        if (!reason.isEmpty())
            o.insert(QStringLiteral("reason"), reason);
        break;
    case Kind::FlappingStarted:
    case Kind::FlappingStopped:
        o.insert(QStringLiteral("percent"), percent);
        break;
    case Kind::MonitorDegraded:
    case Kind::MonitorRecovered:
        o.insert(QStringLiteral("failing"), failing);
        o.insert(QStringLiteral("checked"), checked);
        o.insert(QStringLiteral("reason"), reason);
        break;
    }
    return o;
}

QString DetectionEvent::toText() const
{
    const QString time = QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(QStringLiteral("HH:mm:ss.zzz"));
    switch (kind) {
    case Kind::StateChanged:
        return QStringLiteral("%1 %2 %3 -> %4: %5")
            .arg(time, target, targetStateName(from), targetStateName(to), reason);
    case Kind::FaultDetected:
        return QStringLiteral("%1 DETECTED %2 [%3]: %4")
            .arg(time, target, cause ? causeClassName(*cause) : QString(), evidence);
    case Kind::FaultLocated:
        if (rootCause) {
            return QStringLiteral("%1 LOCATED %2 is the root cause [%3] of incident %4%5: %6")
                .arg(time, target, cause ? causeClassName(*cause) : QString(), incidentId,
                    symptoms.isEmpty() ? QString()
                                       : QStringLiteral(", symptoms: ") + symptoms.join(QStringLiteral(", ")),
                    evidence);
        }
        return QStringLiteral("%1 LOCATED %2 is a symptom of %3 (incident %4): %5")
            .arg(time, target, root, incidentId, reason);
    case Kind::FaultCleared:
        return QStringLiteral("%1 CLEARED %2 (%3): %4").arg(time, target, faultId, reason);
    case Kind::FlappingStarted:
        return QStringLiteral("%1 %2 started flapping (%3%)").arg(time, target, QString::number(percent, 'f', 1));
    case Kind::FlappingStopped:
        return QStringLiteral("%1 %2 stopped flapping (%3%)").arg(time, target, QString::number(percent, 'f', 1));
    case Kind::MonitorDegraded:
        return QStringLiteral("%1 MONITORING DEGRADED: %2").arg(time, reason);
    case Kind::MonitorRecovered:
        return QStringLiteral("%1 monitoring recovered: %2").arg(time, reason);
    case Kind::FaultJoined:
        return QStringLiteral("%1 JOINED %2 joins incident %3%4 (root %5, %6): %7")
            .arg(time, target, incidentId, aftershock ? QStringLiteral(" as an aftershock") : QString(), root, relation,
                reason);
    case Kind::FaultLeft:
        return QStringLiteral("%1 LEFT %2 leaves incident %3: %4").arg(time, target, incidentId, reason);
    }
    return QString();
}

} // namespace FaultDesk
