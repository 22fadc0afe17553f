#include "drill/drillscenario.h"

namespace FaultDesk {

std::optional<DrillScenario> DrillScenario::find(const QString& name)
{
    DrillScenario s;
    s.name = name;
    s.fleetsimKind = name;
    if (name == u"crash") {
        s.cause = CauseClass::Down;
        s.defaultTarget = QStringLiteral("web-2");
    } else if (name == u"overload") {
        s.cause = CauseClass::Overload;
        s.worldEndsCause = true; // the sale ends
    } else if (name == u"corruption") {
        s.cause = CauseClass::DataIntegrity; // Recover's restore ends it
    } else if (name == u"attack") {
        s.cause = CauseClass::Attack;
        s.worldEndsCause = true; // the attacker leaves
    } else if (name == u"network") {
        s.fleetsimKind = QStringLiteral("partition");
        s.cause = CauseClass::Network;
        s.worldEndsCause = true; // the link heals
    } else if (name == u"hang") {
        s.cause = CauseClass::Unreachable; // accepts, never answers: Handle's restart ends it
    } else if (name == u"slow") {
        s.cause = CauseClass::Latency;
    } else if (name == u"garbage") {
        s.cause = CauseClass::Unhealthy;
    } else {
        return std::nullopt;
    }
    return s;
}

QStringList DrillScenario::drillNames()
{
    return { QStringLiteral("crash"), QStringLiteral("overload"), QStringLiteral("corruption"),
        QStringLiteral("attack"), QStringLiteral("network") };
}

QStringList DrillScenario::campaignKinds()
{
    return drillNames() + QStringList { QStringLiteral("hang"), QStringLiteral("slow"), QStringLiteral("garbage") };
}

} // namespace FaultDesk
