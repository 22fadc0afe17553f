#include "detect/correlation.h"

namespace FaultDesk::Correlation {

bool dependsOn(const TargetPolicy& dependent, const QString& dependency)
{
    if (dependent.dependsOn.contains(dependency))
        return true;
    for (const QStringList& g : dependent.anyOf) {
        if (g.contains(dependency))
            return true;
    }
    return false;
}

Link link(const TargetPolicy& a, const TargetPolicy& b, const Rules& rules)
{
    if (a.name == b.name)
        return Link::None;
    if (rules.dependsOn && (a.dependsOn.contains(b.name) || b.dependsOn.contains(a.name)))
        return Link::DependsOn;
    if (rules.trafficPath) {
        for (const QStringList& g : a.anyOf) {
            if (g.contains(b.name))
                return Link::AnyOf;
        }
        for (const QStringList& g : b.anyOf) {
            if (g.contains(a.name))
                return Link::AnyOf;
        }
    }
    if (rules.pool && !a.pool.isEmpty() && a.pool == b.pool)
        return Link::Pool;
    if (rules.group && !a.group.isEmpty() && a.group == b.group)
        return Link::Group;
    if (rules.trafficPath && !a.entry.isEmpty() && a.entry == b.entry)
        return Link::Entry;
    return Link::None;
}

QString relationName(Link link)
{
    switch (link) {
    case Link::DependsOn:
        return QStringLiteral("depends-on");
    case Link::AnyOf:
    case Link::Entry:
        return QStringLiteral("traffic-path");
    case Link::Pool:
        return QStringLiteral("pool");
    case Link::Group:
        return QStringLiteral("group");
    case Link::None:
        break;
    }
    return {};
}

bool isLoad(CauseClass cause)
{
    return cause == CauseClass::Attack || cause == CauseClass::Overload || cause == CauseClass::Latency
        || cause == CauseClass::Errors;
}

namespace {
bool ownFailure(CauseClass c)
{
    return c == CauseClass::Down || c == CauseClass::Unreachable || c == CauseClass::Network;
}
} // namespace

bool explains(CauseClass dependency, CauseClass dependent)
{
    const bool gone = dependency == CauseClass::Down || dependency == CauseClass::Unreachable;
    if (dependent == CauseClass::Down || dependent == CauseClass::Unreachable || dependent == CauseClass::DataIntegrity)
        return gone;
    return true;
}

bool lostCapacity(CauseClass member, CauseClass gonePeer)
{
    return isLoad(member) && (gonePeer == CauseClass::Down || gonePeer == CauseClass::Unreachable);
}

bool peers(Link link, CauseClass a, CauseClass b)
{
    switch (link) {
    case Link::Pool:
        return (isLoad(a) && isLoad(b)) || (a == b && !ownFailure(a)) || lostCapacity(a, b);
    case Link::Group:
        return (isLoad(a) && isLoad(b)) || (a == b && !ownFailure(a));
    case Link::Entry:
        return isLoad(a) && isLoad(b);
    case Link::None:
    case Link::DependsOn:
    case Link::AnyOf:
        break;
    }
    return false;
}

CauseClass poolCause(CauseClass a, CauseClass b)
{
    // CauseClass is ordered by precedence: attack before overload before errors before latency.
    return int(a) <= int(b) ? a : b;
}

} // namespace FaultDesk::Correlation
