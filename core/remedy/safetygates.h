#pragma once

#include "remedy/autoremediationledger.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/// What the monitor knows about a target, as far as the safety gates care.
enum class TargetCondition {
    Healthy,
    SoftFault, ///< failing, not yet confirmed (SOFT)
    HardFault, ///< confirmed fault (HARD): the only state Handle may act on
    Unreachable, ///< a parent is down: the target's own state is unknown
    Unknown, ///< no data or a fault on the monitor's side
};

/// The step a person or the automation wants to run.
struct SafetyRequest
{
    enum class Purpose {
        Handle, ///< mitigate a fault: needs a HARD fault
        Recover, ///< put things back to the baseline: needs a known, non-flapping state, not a fault
    };

    QString target;
    Purpose purpose = Purpose::Handle;
    bool automatic = false; ///< started by the automation, not by a person
    QString requester; ///< the operator, or "auto"
    /// The step takes a server out of a backend (drain, maint, weight 0).
    bool removesServer = false;
    QString backend;
    QString server;
    /// A fail-over swaps rather than shrinks: the servers an earlier step of the same plan brings into the backend for
    /// this removal (Runbook::swapInBefore()). When each is ready and UP, the step keeps the pool's healthy capacity
    /// and the drain limit does not apply; the last-healthy and unknown-pool rules still do.
    QStringList swapIn;
    /// Judged before the plan runs (a preview): the servers swapped in are not up yet, the step's own gate checks them
    /// when it is reached.
    bool planned = false;
};

/// Everything the gates read, captured at one moment: a pure function of this and the request decides.
struct SafetySnapshot
{
    TargetCondition condition = TargetCondition::Unknown;
    bool flapping = false;
    bool monitoringDegraded = false; ///< the monitor itself is impaired (probe backlog, stale data)
    QString lockHeldBy; ///< who holds the target's remediation lock; empty when free
    /// The backend the request would touch: its size and how many servers are out of rotation or unhealthy.
    int backendServers = 0;
    int backendHealthy = 0; ///< healthy and in rotation, including the one to be removed if it is healthy
    int backendOutOfRotation = 0; ///< drained or in maintenance already
    bool serverHealthy = true; ///< the server to be removed is itself healthy
    QStringList backendUp; ///< the backend's servers ready and UP (or without a check) now, as HAProxy reports them
    /// Why the pool state cannot be trusted (HAProxy unreadable, the read failed or is older than two poll
    /// intervals); empty when it is fresh. Unknown pool state refuses every step that shrinks a pool.
    QString poolUnknown;
    /// A remediation of the target an earlier FaultDesk run left unfinished: automation keeps off until a person
    /// resolves it. Empty when there is none.
    QString heldBack;
    AutoRemediationPolicy policy; ///< automatic remediation switch and limits
    AutoRemediationLedger ledger;
    qint64 cycle = 0; ///< the monitor's current cycle
    QDateTime now;
    double maxDrainFraction = 0.25; ///< at most this share of a backend out of rotation
    /// The target is in a maintenance window: "in a maintenance window until 14:30 (kernel upgrade)"; empty when
    /// not (Detector::suppression()). Blocks automatic steps; manual ones go ahead with a warning.
    QString maintenance;
};

/// The gates' answer: allowed, or refused with every reason (the UI shows them as a tooltip).
struct SafetyDecision
{
    bool allowed = false;
    QStringList reasons; ///< human-readable, one per refusing gate
    QStringList affects; ///< what the step touches and the capacity that remains (for the preview)
    QStringList warnings; ///< allowed, but the operator should know (a manual step in maintenance); also in affects
    /// Why a step that takes a server out is allowed as a swap ("swap: replica in before primary out"); also in
    /// affects. Empty when the step is not one.
    QString swap;

    QString tooltip() const { return allowed ? affects.join(u'\n') : reasons.join(u'\n'); }
};

/// The safety gates, checked before every step, manual or automatic, as one pure function.
class SafetyGates
{
public:
    static SafetyDecision check(const SafetyRequest& request, const SafetySnapshot& snapshot);
    static QString conditionName(TargetCondition condition);
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::SafetyDecision)
