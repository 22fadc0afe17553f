#pragma once

#include "config/causeclass.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/**
 * One kind of fire drill on the demo fleet (value type): the fleetsim fault it injects, the cause an expert would
 * name, and how the fault ends — by Handle itself (a restart), by Recover (a restore), or by the world once Handle
 * has contained it (the sale ends, the attacker leaves, the link heals).
 */
struct DrillScenario
{
    QString name; ///< crash, overload, corruption, attack, network, hang, slow, garbage
    QString fleetsimKind; ///< the `faultdesk-fleetsim ctl inject` kind (network: partition)
    CauseClass cause = CauseClass::Down; ///< what FaultDesk should name
    bool worldEndsCause = false; ///< the drill ends the cause itself after Handle
    QString defaultTarget; ///< empty: fleetsim's default

    /// The scenario called @p name, or std::nullopt.
    static std::optional<DrillScenario> find(const QString& name);
    /// The drills `faultdesk drill NAME` runs: crash, overload, corruption, attack, network.
    static QStringList drillNames();
    /// Every kind a campaign draws from: the drills plus hang, slow and garbage.
    static QStringList campaignKinds();
};

} // namespace FaultDesk
