#pragma once

#include "remedy/runbook.h"
#include "remedy/safetygates.h"

#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

namespace FaultDesk {

class AdvisoryLocks;
class AutomationPolicy;
class BaselinePoller;
class Detector;
struct FleetConfig;

/**
 * Feeds SafetyGates with live state: the detector's view of the target, its remediation lock, the automation
 * policy, and the pool as read back — unknown when HAProxy could not be read or the read is older than two poll
 * intervals. A step that shrinks a pool is judged by checkStep() under its backend's lock (one such step at a time
 * per backend, across consoles sharing the lock directory) on the pool read fresh from HAProxy, and the lock is
 * handed to the executor to hold until the step is over.
 */
class RemediationGates : public QObject
{
    Q_OBJECT

public:
    /// Who asks for a step and on what.
    struct StepRequest
    {
        QString target;
        SafetyRequest::Purpose purpose = SafetyRequest::Purpose::Handle;
        QString operatorName;
        QString backend; ///< the target's backend, for steps that name none
        std::chrono::milliseconds lockWait { 15000 }; ///< how long a step waits for its backend's lock
    };
    using Reply = std::function<void(const ConditionCheck& check, std::shared_ptr<void> lease)>;

    RemediationGates(const FleetConfig& config, const Detector* detector, BaselinePoller* poller,
        const AutomationPolicy* automation, QString lockDirectory, QObject* parent = nullptr);

    /// Backend locks and lock holders from a team's PostgreSQL store (null: the lock directory).
    void setSharedLocks(AdvisoryLocks* locks) { m_shared = locks; }

    /// Everything the gates read about @p target (and @p backend's pool, if any), now.
    SafetySnapshot snapshot(const QString& target, const QString& backend) const;
    /// Why each step of @p runbook that shrinks a pool would be refused now; empty: none is. A step that runs only
    /// when its precondition holds (the drain after a rebalance) is listed only with @p conditional; it is refused
    /// at its own gate when reached.
    QStringList poolStepRefusals(
        const Runbook& runbook, const QString& target, SafetyRequest::Purpose purpose, bool conditional) const;
    /// Adds the pool-step refusals to @p decision for a preview: an unconditional step's refusal refuses the plan,
    /// a conditional step's is a warning (it is refused when reached).
    void judgePoolSteps(
        const Runbook& runbook, const QString& target, SafetyRequest::Purpose purpose, SafetyDecision& decision) const;
    /// The gate of step @p index of a running remediation; @p reply gets the answer and, for a pool-shrinking step
    /// that passed, the backend lock to hold until the step is over. @p swapIn: the servers earlier steps of the run
    /// brought in for this removal (Runbook::swapInBefore()); each must be ready and UP in the pool read now.
    void checkStep(
        const Runbook::Step& step, int index, const StepRequest& request, const QStringList& swapIn, Reply reply);

private:
    /// The gates' decision on each step of @p runbook that shrinks a pool, judged on the pool as last read.
    QList<SafetyDecision> judgePoolStepList(
        const Runbook& runbook, const QString& target, SafetyRequest::Purpose purpose, bool conditional) const;
    /// A pool-shrinking step waiting for its backend's lock.
    struct PoolStep
    {
        QString instance;
        SafetyRequest request;
        QString who;
        qint64 untilMs = 0;
        std::function<ConditionCheck(SafetySnapshot)> judge;
        Reply reply;
    };
    void lockAndRead(PoolStep step);

    const FleetConfig& m_config;
    const Detector* m_detector;
    BaselinePoller* m_poller;
    const AutomationPolicy* m_automation;
    QString m_lockDir;
    AdvisoryLocks* m_shared = nullptr;
};

} // namespace FaultDesk
