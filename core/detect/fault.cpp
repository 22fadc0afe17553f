#include "detect/fault.h"

#include <QDateTime>
#include <QJsonArray>

namespace FaultDesk {

QString Fault::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Detected:
        return QStringLiteral("detected");
    case Phase::Located:
        return QStringLiteral("located");
    case Phase::Handling:
        return QStringLiteral("handling");
    case Phase::Handled:
        return QStringLiteral("handled");
    case Phase::Recovering:
        return QStringLiteral("recovering");
    case Phase::Recovered:
        return QStringLiteral("recovered");
    }
    return QStringLiteral("detected");
}

QJsonObject Fault::toJson() const
{
    auto time = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs); };
    QJsonObject o;
    o.insert(QStringLiteral("fault"), id);
    o.insert(QStringLiteral("incident"), incidentId);
    o.insert(QStringLiteral("target"), target);
    o.insert(QStringLiteral("group"), group);
    o.insert(QStringLiteral("cause"), causeClassName(cause));
    o.insert(QStringLiteral("phase"), phaseName(phase));
    o.insert(QStringLiteral("evidence"), evidence);
    o.insert(QStringLiteral("localization"), localization);
    o.insert(QStringLiteral("root_cause"), rootCause);
    if (!rootCause) {
        o.insert(QStringLiteral("root"), rootTarget);
        o.insert(QStringLiteral("root_fault"), rootFaultId);
    }
    o.insert(QStringLiteral("symptoms"), QJsonArray::fromStringList(symptoms));
    if (!sources.isEmpty())
        o.insert(QStringLiteral("sources"), QJsonArray::fromStringList(sources));
    if (!members.isEmpty())
        o.insert(QStringLiteral("members"), QJsonArray::fromStringList(members));
    if (!pool.isEmpty())
        o.insert(QStringLiteral("pool"), pool);
    if (!relation.isEmpty())
        o.insert(QStringLiteral("relation"), relation);
    if (aftershock)
        o.insert(QStringLiteral("aftershock"), true);
    if (!link.isEmpty())
        o.insert(QStringLiteral("link"), link);
    if (!breachedSignals.isEmpty())
        o.insert(QStringLiteral("breached_signals"), QJsonArray::fromStringList(breachedSignals));
    o.insert(QStringLiteral("detected"), time(detectedMs));
    if (locatedMs > 0)
        o.insert(QStringLiteral("located"), time(locatedMs));
    if (clearedMs > 0)
        o.insert(QStringLiteral("cleared"), time(clearedMs));
    o.insert(QStringLiteral("flapping"), flapping);
    if (!maintenance.isEmpty())
        o.insert(QStringLiteral("maintenance"), maintenance);
    if (heldForMembers)
        o.insert(QStringLiteral("held_for_members"), true);
    o.insert(QStringLiteral("actionable"), actionable());
    o.insert(QStringLiteral("state"), targetStateName(targetState));
    return o;
}

} // namespace FaultDesk
