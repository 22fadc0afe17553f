#pragma once

#include "remedy/actioncontext.h"
#include "remedy/runbook.h"
#include "remedy/runbookoutcome.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace FaultDesk {

/**
 * Runs a Runbook on the event loop, one step at a time: safety gate, precondition, action, verification. When a
 * step fails, the executor rolls back that step (if its action ran) and every done step before it, newest first,
 * where a rollback is defined, and finishes Escalated with a loud message. abort() stops the running step and
 * rolls back the same way. stepChanged() reports every transition for the UI.
 */
class RunbookExecutor : public QObject
{
    Q_OBJECT

public:
    /// Checked before every step (the safety gates); an unmet check fails the step with its reason.
    using Gate = std::function<ConditionCheck(const Runbook::Step& step, int index)>;
    /// The answer of an asynchronous gate: the check, and a lease (a lock, may be null) the executor keeps until
    /// the step — action and verification — is over, so that nothing else changes what the gate judged meanwhile.
    using GateReply = std::function<void(const ConditionCheck& check, std::shared_ptr<void> lease)>;
    /// A gate that may wait (for a lock, a fresh read) before it answers through its reply, exactly once.
    using AsyncGate = std::function<void(const Runbook::Step& step, int index, GateReply reply)>;

    /// @p context is the base for every action: audit sink, operator, target, incident, template fields.
    RunbookExecutor(Runbook runbook, ActionContext context, QObject* parent = nullptr);
    ~RunbookExecutor() override;

    void setGate(Gate gate);
    void setAsyncGate(AsyncGate gate) { m_gate = std::move(gate); }

    /// One line per step for the confirmation dialog: "1. drain web-1: set server web/web-1 state drain; …",
    /// with "REFUSED: reason" where a step's input would be refused. Builds the actions but runs none.
    static QStringList preview(const Runbook& runbook, const ActionContext& context);

    /// Starts at the first step (asynchronously); finished() follows exactly once.
    void start();
    /// Stops the running step and rolls back the done ones; @p by names the person.
    void abort(const QString& by);
    /// Lets the running step (action and verification) finish, then stops as abort() does: no further step
    /// starts and the done ones are rolled back. For a shutdown, where killing a step halfway would leave more to
    /// undo than letting it end. A run whose last step is running completes normally.
    void stopAfterStep(const QString& by);

    bool isRunning() const { return m_running; }
    const Runbook& runbook() const { return m_runbook; }
    QList<StepReport> steps() const { return m_reports; }

Q_SIGNALS:
    void stepChanged(int index, const FaultDesk::StepReport& report);
    void finished(const FaultDesk::RunbookOutcome& outcome);

private:
    void runStep(int index);
    void gatePassed(int index);
    void onActionFinished(int index, const ActionResult& result);
    void onVerifyFinished(int index, const ActionResult& result);
    void fail(int index, const QString& reason, bool actionRan, bool mayContinue = true);
    void rollbackNext();
    void complete(RunbookOutcome::Result result, const QString& message);
    void setStatus(int index, StepReport::Status status, const QString& reason = {});
    ActionContext contextFor(int index, std::chrono::milliseconds deadline, const QString& phase) const;
    Action* startAction(const Runbook::ActionFactory& factory, const ActionContext& context,
        std::function<void(const ActionResult&)> done);

    Runbook m_runbook;
    ActionContext m_context;
    AsyncGate m_gate;
    std::shared_ptr<void> m_lease; ///< held from the gate check through the end of the step
    int m_gateGeneration = 0; ///< a gate reply for an older step is ignored
    QList<StepReport> m_reports;
    QPointer<Action> m_current;
    QList<int> m_rollbackQueue;
    int m_failedStep = -1;
    QString m_failReason;
    bool m_running = false;
    bool m_aborting = false;
    bool m_stopAfterStep = false; ///< stopAfterStep(): the next step becomes an abort
    QString m_abortedBy;
    bool m_rollingBack = false;
    QStringList m_continued; ///< steps that failed with on_failure continue
};

} // namespace FaultDesk
