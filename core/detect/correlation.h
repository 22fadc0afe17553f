#pragma once

#include "config/causeclass.h"
#include "detect/targetpolicy.h"

#include <QString>

namespace FaultDesk {

/**
 * The rules that decide whether two faults are one event (pure; the Detector applies them with time): how two
 * targets are connected, whether their causes can be one event over that connection, and which of the two is
 * where the event is.
 */
namespace Correlation {

/// Which connections count (the fleet's `correlation: rules:`).
struct Rules
{
    bool dependsOn = true;
    bool pool = true;
    bool group = true;
    bool trafficPath = true;
};

enum class Link {
    None,
    DependsOn, ///< one depends on the other (a plain dependency)
    AnyOf, ///< one is a member of an any_of group of the other (an entry and its backends): traffic path
    Pool, ///< both serve in one HAProxy backend
    Group, ///< both are in one group
    Entry, ///< both are behind one entry point (pools of one HAProxy instance): traffic path
};

/// How @p a and @p b are connected under @p rules, the strongest first (dependency, any_of, pool, group, entry).
Link link(const TargetPolicy& a, const TargetPolicy& b, const Rules& rules);
/// Whether @p dependency is one of @p dependent's dependencies (plain or any_of).
bool dependsOn(const TargetPolicy& dependent, const QString& dependency);
/// The Fault::relation spelling: "depends-on", "traffic-path", "pool", "group"; empty for None.
QString relationName(Link link);
/// Whether the relation makes the joining fault an affected member (a peer) rather than a symptom.
inline bool isPeer(Link link)
{
    return link == Link::Pool || link == Link::Group;
}
/// Demand-side causes: a surge or a flood shows as any of these on the servers it reaches.
bool isLoad(CauseClass cause);
/// Whether a failing dependency (cause @p dependency) explains its dependent's failure (cause @p dependent): any
/// failure of the dependent except its own process or data being gone, unless the dependency is gone as well.
bool explains(CauseClass dependency, CauseClass dependent);
/// Whether a peer failing with @p joining (pool, group or entry link @p link) shares the event of one failing with
/// @p existing: both load-side (a surge, a flood); or — pool and group — failing the same way, except down,
/// unreachable and network (each server's own); or — pool — the existing one is gone and the joining one is
/// load-side (the pool lost its capacity: the others take its share).
bool peers(Link link, CauseClass joining, CauseClass existing);
/// Whether a load-side fault of a pool member is explained by a peer being gone (down or unreachable).
bool lostCapacity(CauseClass member, CauseClass gonePeer);
/// Of two load-side causes in one pool-level fault, the one that names it (attack, then overload, latency, errors).
CauseClass poolCause(CauseClass a, CauseClass b);

} // namespace Correlation

} // namespace FaultDesk
