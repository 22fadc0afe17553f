#pragma once

#include "config/causeclass.h"
#include "detect/targetstate.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * A detected fault on one target: where, why, the evidence, and whether it is a root cause or a symptom of
 * another fault. Faults sharing a root cause share an incident id: an incident has exactly one open root fault,
 * and every other fault in it is either a symptom (it fails because of the root: a dependent, a downstream pool)
 * or an affected member (a peer of the root in the same pool or group, hit by the same event: `relation` "pool" or
 * "group", listed in the root's `members`). Neither is actionable: remediation acts once, on the root. A fault on
 * the same targets shortly after an incident recovered joins it as an aftershock instead of opening a new one.
 */
struct Fault
{
    enum class Phase {
        Detected, ///< confirmed (HARD), not yet located
        Located, ///< root cause or symptom decided
        Handling, ///< a runbook is mitigating it (set by remediation)
        Handled, ///< mitigated (set by remediation)
        Recovering, ///< returning to the pre-fault baseline (set by remediation)
        Recovered, ///< the target passes its checks again
    };

    QString id;
    QString incidentId;
    QString target;
    QString group;
    int priority = 5;
    CauseClass cause = CauseClass::Unhealthy;
    Phase phase = Phase::Detected;
    QString evidence; ///< the rule and the samples that decided it, one sentence
    QString localization; ///< why it is a root cause or a symptom, one sentence
    bool rootCause = true;
    QString rootFaultId; ///< symptoms: the fault they are a symptom of
    QString rootTarget; ///< symptoms: the root-cause target
    QStringList symptoms; ///< root causes: targets whose faults are its symptoms
    QStringList sources; ///< attack: the flooding sources, busiest first
    QStringList members; ///< roots: affected peers (same pool or group) that joined its incident, in joining order
    QString pool; ///< a pool-level fault: the pool ("lb/web") its root stands for; members: the pool they are in
    /// Not a root: how it joined its incident — "depends-on", "traffic-path", "lost-capacity" (a pool peer taking a
    /// dead member's share), "aftershock" (symptoms) or "pool", "group" (members); empty for a symptom the dependency
    /// graph alone explains.
    QString relation;
    bool aftershock = false; ///< joined an incident that had recovered (within the aftershock grace)
    QString link; ///< network: the dependency the target cannot reach
    /// The signals whose rules failed for it (what its chart should show); a pool-level root adds its members'.
    QStringList breachedSignals;
    QList<double> sourceShares; ///< attack: each source's share of the target's requests (0…1), same order
    qint64 sourcesChangedMs = 0; ///< attack: when a source last joined `sources` (detection, then each one named)
    /// Attack: a source joined within the last couple of seconds of a young fault. A flood's sources are named one
    /// by one as each has sent a flood's worth; automation waits for the list to stand still so that it blocks the
    /// whole flood, not its first third. The operator's Handle button does not wait.
    bool sourcesSettling = false;
    /// A pool- or group-level root whose own server passes its checks again while a member still fails: held open
    /// for the pool's event (Detector::holdPoolRoot), and still actionable although its own target is up.
    bool heldForMembers = false;
    qint64 detectedMs = 0;
    qint64 locatedMs = 0;
    qint64 clearedMs = 0;
    bool flapping = false; ///< the target flaps: no automatic action
    TargetState targetState = TargetState::Hard;
    QString
        maintenance; ///< the target is in a maintenance window ("until 14:30 (kernel upgrade)"): no automatic action

    bool isOpen() const { return phase != Phase::Recovered; }
    /// An affected member of a pool- or group-level incident (not its root, not a symptom).
    bool isMember() const { return !rootCause && (relation == u"pool" || relation == u"group"); }
    /// Whether automatic remediation may act on it: a located root cause on a HARD (not UNREACHABLE, not
    /// UNKNOWN) target — or a pool-level root held open for its still failing members — that is not flapping nor in
    /// maintenance, and for an attack whose sources are all named. Symptoms clear with their cause; nobody restarts
    /// them.
    bool actionable() const
    {
        return phase == Phase::Located && rootCause && !flapping && (targetState == TargetState::Hard || heldForMembers)
            && maintenance.isEmpty() && !sourcesSettling;
    }
    /// "detected", "located", "handling", "handled", "recovering", "recovered".
    static QString phaseName(Phase phase);
    QJsonObject toJson() const;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::Fault)
