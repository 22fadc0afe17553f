#include "remedy/remediationgates.h"

#include "remedy/advisorylocks.h"
#include "remedy/automationpolicy.h"
#include "remedy/baselinepoller.h"
#include "remedy/targetlock.h"

#include "config/fleetconfig.h"
#include "detect/detector.h"

#include <QDateTime>
#include <QTimer>

namespace FaultDesk {

namespace {

TargetCondition conditionOf(TargetState state)
{
    switch (state) {
    case TargetState::Up:
        return TargetCondition::Healthy;
    case TargetState::Soft:
        return TargetCondition::SoftFault;
    case TargetState::Hard:
        return TargetCondition::HardFault;
    case TargetState::Unreachable:
        return TargetCondition::Unreachable;
    case TargetState::Unknown:
        break;
    }
    return TargetCondition::Unknown;
}

/// Counts @p backend's servers into the blast-radius fields of @p s. A server counts as healthy only when HAProxy
/// says so: an empty or unknown status is not "up".
void countPool(
    SafetySnapshot& s, const QList<HaproxyServerState>& servers, const QString& backend, const QString& server = {})
{
    for (const HaproxyServerState& srv : servers) {
        if (srv.backend != backend)
            continue;
        ++s.backendServers;
        const bool out = srv.adminState != u"ready";
        if (out)
            ++s.backendOutOfRotation;
        const bool up = srv.status.startsWith(u"UP") || srv.status == u"no check";
        if (up && !out) {
            ++s.backendHealthy;
            s.backendUp << srv.server;
        }
        if (srv.server == server)
            s.serverHealthy = up && !out;
    }
}

} // namespace

RemediationGates::RemediationGates(const FleetConfig& config, const Detector* detector, BaselinePoller* poller,
    const AutomationPolicy* automation, QString lockDirectory, QObject* parent)
    : QObject(parent)
    , m_config(config)
    , m_detector(detector)
    , m_poller(poller)
    , m_automation(automation)
    , m_lockDir(std::move(lockDirectory))
{ }

SafetySnapshot RemediationGates::snapshot(const QString& target, const QString& backend) const
{
    SafetySnapshot s;
    if (const auto st = m_detector->status(target)) {
        s.condition = conditionOf(st->state);
        s.flapping = st->flapping;
    }
    s.monitoringDegraded = m_detector->isDegraded();
    s.maintenance = m_detector->suppression(target);
    if (const auto h = m_shared ? m_shared->holder(target) : TargetLock::holder(m_lockDir, target))
        s.lockHeldBy = h->toString();
    if (!backend.isEmpty()) {
        s.poolUnknown = m_poller->haproxyProblem();
        if (s.poolUnknown.isEmpty())
            countPool(s, m_poller->current().haproxy.servers, backend);
    }
    s.policy = m_automation->limits();
    s.policy.enabled = m_automation->enabledFor(target);
    s.ledger = m_automation->ledger();
    s.heldBack = m_automation->heldBack(target);
    s.cycle = m_poller->cycle();
    s.now = QDateTime::currentDateTimeUtc();
    return s;
}

QStringList RemediationGates::poolStepRefusals(
    const Runbook& runbook, const QString& target, SafetyRequest::Purpose purpose, bool conditional) const
{
    QStringList out;
    for (const SafetyDecision& g : judgePoolStepList(runbook, target, purpose, conditional))
        out += g.reasons;
    return out;
}

QList<SafetyDecision> RemediationGates::judgePoolStepList(
    const Runbook& runbook, const QString& target, SafetyRequest::Purpose purpose, bool conditional) const
{
    const TargetConfig* t = m_config.target(target);
    const QString targetBackend = t && t->haproxy ? t->haproxy->backend : QString();
    QList<SafetyDecision> out;
    for (int i = 0; i < runbook.steps.size(); ++i) {
        const Runbook::Step& step = runbook.steps.at(i);
        if (!step.removesServer || (step.precondition && step.skipWhenPreconditionUnmet && !conditional))
            continue;
        SafetyRequest r;
        r.target = target;
        r.purpose = purpose;
        r.removesServer = true;
        r.backend = !step.backend.isEmpty() ? step.backend : targetBackend;
        r.server = step.server;
        r.swapIn = runbook.swapInBefore(i, targetBackend);
        r.planned = true;
        SafetySnapshot s = snapshot(target, r.backend);
        // Only the pool is judged here; the target's own state, lock and automation are the run's gates.
        s.condition = TargetCondition::HardFault;
        s.flapping = false;
        s.monitoringDegraded = false;
        s.lockHeldBy.clear();
        s.maintenance.clear();
        SafetyDecision g = SafetyGates::check(r, s);
        for (QString& why : g.reasons)
            why = QStringLiteral("step '%1' refused: %2").arg(step.name, why);
        out << g;
    }
    return out;
}

void RemediationGates::judgePoolSteps(
    const Runbook& runbook, const QString& target, SafetyRequest::Purpose purpose, SafetyDecision& decision) const
{
    QStringList refused;
    for (const SafetyDecision& g : judgePoolStepList(runbook, target, purpose, false)) {
        refused += g.reasons;
        // Why a step that takes a server out is allowed although the pool is small: the operator reads it here.
        if (g.allowed && !g.swap.isEmpty() && !decision.affects.contains(g.swap))
            decision.affects << g.swap;
    }
    if (!refused.isEmpty()) {
        decision.reasons += refused;
        decision.allowed = false;
    }
    for (const QString& w : poolStepRefusals(runbook, target, purpose, true)) {
        if (decision.reasons.contains(w))
            continue;
        decision.warnings << w;
        decision.affects << QStringLiteral("warning: %1").arg(w);
    }
}

void RemediationGates::checkStep(
    const Runbook::Step& step, int index, const StepRequest& request, const QStringList& swapIn, Reply reply)
{
    SafetyRequest r;
    r.target = request.target;
    r.purpose = request.purpose;
    // The attempt was admitted (and counted in the ledger) when the run started: the steps re-check everything
    // else, not the attempt limit and backoff their own attempt just set.
    r.automatic = false;
    r.requester = request.operatorName;
    r.removesServer = step.removesServer;
    r.backend = step.backend.isEmpty() ? request.backend : step.backend;
    r.server = step.server;
    r.swapIn = swapIn;
    const auto purpose = request.purpose;
    auto judge = [r, index, purpose](SafetySnapshot s) {
        s.lockHeldBy.clear(); // this run holds it
        // Later steps of a run see the effect of the earlier ones (a restarted server is healthy again): the fault
        // condition was checked when the run started; each step re-checks everything else live.
        if (index > 0 || purpose == SafetyRequest::Purpose::Recover)
            if (s.condition == TargetCondition::Healthy || s.condition == TargetCondition::SoftFault)
                s.condition = TargetCondition::HardFault;
        const SafetyDecision g = SafetyGates::check(r, s);
        return ConditionCheck { g.allowed,
            g.allowed ? g.affects.join(QStringLiteral("; ")) : g.reasons.join(QStringLiteral("; ")) };
    };
    if (!r.removesServer) {
        reply(judge(snapshot(r.target, r.backend)), nullptr);
        return;
    }
    // A step that shrinks a pool: one at a time per backend, from this check through the end of the step, judged
    // on the pool as HAProxy reports it now, not as the last poll saw it.
    const TargetConfig* t = m_config.target(r.target);
    PoolStep p;
    p.instance = t && t->haproxy ? t->haproxy->instance : QString();
    p.request = r;
    p.who = QStringLiteral("%1 (%2)").arg(request.operatorName, step.name);
    p.untilMs = QDateTime::currentMSecsSinceEpoch() + request.lockWait.count();
    p.judge = judge;
    p.reply = std::move(reply);
    lockAndRead(std::move(p));
}

void RemediationGates::lockAndRead(PoolStep p)
{
    const QString lockName = QStringLiteral("backend@%1/%2").arg(p.instance, p.request.backend);
    TargetLock::Holder holder;
    QString error;
    // A team's backend lock is the store's advisory lock; without the store, this host's lock directory (the run's
    // own target lock already failed closed for automation).
    auto lock = std::make_shared<TargetLock>(m_shared && m_shared->isConnected()
            ? m_shared->tryAcquire(lockName, p.who, QStringLiteral("pool change"), &holder, &error)
            : TargetLock::tryAcquire(m_lockDir, lockName, p.who, QStringLiteral("pool change"), &holder, &error));
    if (!lock->isLocked()) {
        if (error.isEmpty() && QDateTime::currentMSecsSinceEpoch() < p.untilMs) {
            QTimer::singleShot(100, this, [this, p] { lockAndRead(p); });
            return;
        }
        p.reply({ false,
                    error.isEmpty()
                        ? QStringLiteral("backend %1 is being changed by %2").arg(p.request.backend, holder.toString())
                        : error },
            nullptr);
        return;
    }
    m_poller->readPool(p.instance, p.request.backend, [this, lock, p](const BaselinePoller::PoolRead& read) {
        SafetySnapshot s = snapshot(p.request.target, QString());
        if (read.servers)
            countPool(s, *read.servers, p.request.backend, p.request.server);
        else
            s.poolUnknown
                = QStringLiteral("the pool state of %1 could not be read now: %2").arg(p.request.backend, read.error);
        const ConditionCheck c = p.judge(s);
        p.reply(c, c.met ? std::shared_ptr<void>(lock) : nullptr);
    });
}

} // namespace FaultDesk
