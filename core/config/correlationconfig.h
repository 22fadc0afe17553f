#pragma once

#include "config/sourceposition.h"

#include <chrono>

namespace FaultDesk {

/**
 * The fleet description's `correlation:` section: which faults join one incident. Faults that begin within
 * `window` of a fault already in an incident and are connected by one of the enabled rules join that incident
 * (one root cause, the others its affected members or symptoms); a fault on the same targets or pool within
 * `aftershock_grace` after an incident recovered joins that incident as an aftershock instead of opening a new one.
 */
struct CorrelationConfig
{
    bool enabled = true; ///< false: every root cause is an incident of its own (the dependency graph still applies)
    std::chrono::milliseconds window { 30000 };
    std::chrono::milliseconds aftershockGrace { 60000 }; ///< 0 = no aftershocks
    bool dependsOn = true; ///< rule `depends_on`: a target and one of its dependencies
    bool pool = true; ///< rule `pool`: members of one HAProxy backend
    bool group = true; ///< rule `group`: targets of one group
    bool trafficPath = true; ///< rule `traffic_path`: an entry and its any_of members; pools behind one HAProxy
    SourcePosition position;
};

} // namespace FaultDesk
