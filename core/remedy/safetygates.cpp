#include "remedy/safetygates.h"

#include <cmath>

namespace FaultDesk {

QString SafetyGates::conditionName(TargetCondition condition)
{
    switch (condition) {
    case TargetCondition::Healthy:
        return QStringLiteral("healthy");
    case TargetCondition::SoftFault:
        return QStringLiteral("SOFT fault");
    case TargetCondition::HardFault:
        return QStringLiteral("HARD fault");
    case TargetCondition::Unreachable:
        return QStringLiteral("UNREACHABLE");
    case TargetCondition::Unknown:
        return QStringLiteral("UNKNOWN");
    }
    return {};
}

SafetyDecision SafetyGates::check(const SafetyRequest& request, const SafetySnapshot& s)
{
    SafetyDecision d;
    QStringList& no = d.reasons;
    const QString t = request.target;

    switch (s.condition) {
    case TargetCondition::Unreachable:
        no.append(QStringLiteral("%1 is UNREACHABLE: a parent is down, act on the root cause instead").arg(t));
        break;
    case TargetCondition::Unknown:
        no.append(QStringLiteral("%1 is UNKNOWN: the monitor has no reliable data, so no action is taken").arg(t));
        break;
    case TargetCondition::SoftFault:
        if (request.purpose == SafetyRequest::Purpose::Handle)
            no.append(QStringLiteral("%1 has only a SOFT fault: wait until it is confirmed (HARD)").arg(t));
        break;
    case TargetCondition::Healthy:
        if (request.purpose == SafetyRequest::Purpose::Handle)
            no.append(QStringLiteral("%1 is healthy: there is no fault to handle").arg(t));
        break;
    case TargetCondition::HardFault:
        break;
    }
    if (s.flapping)
        no.append(QStringLiteral("%1 is flapping: acting now would chase noise").arg(t));
    if (s.monitoringDegraded)
        no.append(QStringLiteral("monitoring is degraded: its view of %1 cannot be trusted").arg(t));
    if (!s.lockHeldBy.isEmpty())
        no.append(QStringLiteral("%1 is being remediated by %2; one remediation at a time").arg(t, s.lockHeldBy));

    if (request.removesServer) {
        const QString where = QStringLiteral("%1/%2").arg(request.backend, request.server);
        const int n = s.backendServers;
        const int outAfter = s.backendOutOfRotation + 1;
        const int allowedOut = int(std::floor(n * s.maxDrainFraction + 1e-9));
        int healthyAfter = s.backendHealthy - (s.serverHealthy ? 1 : 0);
        if (!s.poolUnknown.isEmpty()) {
            no.append(QStringLiteral("%1 would leave rotation, but %2: pool-shrinking steps are refused")
                          .arg(where, s.poolUnknown));
        } else if (n <= 0) {
            no.append(QStringLiteral("backend %1 is not known to the gates: blast radius cannot be checked")
                          .arg(request.backend));
        } else {
            // A swap: the plan brought a server in for this one. Before it runs (a preview) the incoming server is
            // counted as it will be once its own step and health check made it UP; when the step is reached it must
            // be UP now, or the removal is judged as the shrink it would then be.
            QStringList notUp;
            for (const QString& in : request.swapIn)
                if (!s.backendUp.contains(in))
                    notUp << in;
            const bool swap = !request.swapIn.isEmpty() && (request.planned || notUp.isEmpty());
            const QString incoming = request.swapIn.join(QStringLiteral(", "));
            if (swap && request.planned)
                healthyAfter += int(notUp.size());
            if (!request.swapIn.isEmpty() && !swap)
                no.append(QStringLiteral("swap refused: %1 is not ready and UP in %2 (show stat), so %3 may not leave "
                                         "for it")
                              .arg(notUp.join(QStringLiteral(", ")), request.backend, where));
            if (!swap && outAfter > allowedOut)
                no.append(QStringLiteral("taking %1 out would leave %2 of %3 servers of %4 out of rotation; at most %5 "
                                         "(%6%) may be")
                              .arg(where)
                              .arg(outAfter)
                              .arg(n)
                              .arg(request.backend)
                              .arg(allowedOut)
                              .arg(std::lround(s.maxDrainFraction * 100)));
            if (healthyAfter < 1)
                no.append(QStringLiteral("%1 is the last healthy server of %2").arg(where, request.backend));
            if (swap) {
                d.swap = request.planned && !notUp.isEmpty()
                    ? QStringLiteral("swap: %1 in before %2 out (%3 must be UP in %4 when the step runs)")
                          .arg(incoming, request.server, notUp.join(QStringLiteral(", ")), request.backend)
                    : QStringLiteral("swap: %1 in (UP) before %2 out").arg(incoming, request.server);
                d.affects.append(d.swap);
            }
            d.affects.append(QStringLiteral("%1 leaves rotation; %2 of %3 servers of %4 stay healthy in rotation")
                                 .arg(where)
                                 .arg(std::max(0, healthyAfter))
                                 .arg(n)
                                 .arg(request.backend));
        }
    }

    if (!s.maintenance.isEmpty()) {
        // Planned work: the automation keeps its hands off; a person may still act, knowing it.
        if (request.automatic)
            no.append(QStringLiteral("%1 is %2: no automatic action").arg(t, s.maintenance));
        else
            d.warnings.append(QStringLiteral("warning: %1 is %2").arg(t, s.maintenance));
    }

    if (request.automatic) {
        const AutoRemediationLedger::Entry e = s.ledger.entry(t);
        if (!s.policy.enabled) {
            no.append(QStringLiteral("automatic remediation is off; a person must press the button"));
        } else if (!s.heldBack.isEmpty()) {
            no.append(s.heldBack);
        } else if (e.suspended) {
            no.append(e.suspendedReason.isEmpty() ? QStringLiteral(
                          "automatic remediation of %1 stopped after too many attempts; a person must re-enable it")
                                                        .arg(t)
                                                  : e.suspendedReason);
        } else {
            const int inWindow = s.ledger.attemptsInWindow(t, s.cycle, s.policy);
            if (inWindow >= s.policy.maxAttempts)
                no.append(QStringLiteral("%1 automatic attempts on %2 in the last %3 cycles; the limit is %4")
                              .arg(inWindow)
                              .arg(t)
                              .arg(s.policy.windowCycles)
                              .arg(s.policy.maxAttempts));
            const QDateTime next = s.ledger.nextAllowed(t, s.policy);
            if (next.isValid() && s.now.isValid() && s.now < next)
                no.append(QStringLiteral("backing off: the next automatic attempt on %1 is allowed in %2 s (after %3 "
                                         "attempts)")
                              .arg(t)
                              .arg((s.now.msecsTo(next) + 999) / 1000)
                              .arg(e.attempts.size()));
        }
    }

    d.allowed = no.isEmpty();
    if (d.allowed) {
        // The preview lists affects: the warning leads it, so a dialog that only shows affects shows it too.
        for (const QString& w : std::as_const(d.warnings))
            d.affects.prepend(w);
        d.affects.prepend(QStringLiteral("%1: %2 by %3 allowed")
                              .arg(t,
                                  request.purpose == SafetyRequest::Purpose::Handle ? QStringLiteral("handle")
                                                                                    : QStringLiteral("recover"),
                                  request.requester.isEmpty() ? QStringLiteral("an operator") : request.requester));
    }
    return d;
}

} // namespace FaultDesk
