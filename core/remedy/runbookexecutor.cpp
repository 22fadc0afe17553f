#include "remedy/runbookexecutor.h"

#include "remedy/action.h"

#include <QLoggingCategory>
#include <QTimer>

namespace FaultDesk {

Q_LOGGING_CATEGORY(lcRunbook, "faultdesk.remedy.runbook")

RunbookExecutor::RunbookExecutor(Runbook runbook, ActionContext context, QObject* parent)
    : QObject(parent)
    , m_runbook(std::move(runbook))
    , m_context(std::move(context))
{
    for (int i = 0; i < m_runbook.steps.size(); ++i) {
        StepReport r;
        r.index = i;
        r.name = m_runbook.steps.at(i).name;
        m_reports.append(r);
    }
}

RunbookExecutor::~RunbookExecutor()
{
    if (m_current)
        m_current->abort();
}

QStringList RunbookExecutor::preview(const Runbook& runbook, const ActionContext& context)
{
    QStringList out;
    for (int i = 0; i < runbook.steps.size(); ++i) {
        const Runbook::Step& step = runbook.steps.at(i);
        auto describe = [&](const Runbook::ActionFactory& factory, std::chrono::milliseconds deadline) -> QString {
            if (!factory)
                return {};
            ActionContext c = context;
            c.deadline = deadline;
            std::unique_ptr<Action> action(factory(c));
            if (!action)
                return QStringLiteral("REFUSED: the action could not be built");
            QString error;
            const auto text = action->preview(&error);
            if (!text)
                return u"REFUSED: " + error;
            return *text + QStringLiteral(" (deadline %1 s)").arg(double(deadline.count()) / 1000);
        };
        QString line = QStringLiteral("%1. %2: %3").arg(i + 1).arg(step.name, describe(step.action, step.deadline));
        if (step.precondition)
            line += step.skipWhenPreconditionUnmet ? QStringLiteral("; skipped unless its precondition holds")
                                                   : QStringLiteral("; only if its precondition holds");
        if (const QString v = describe(step.verify, step.verifyDeadline); !v.isEmpty())
            line += u"; verify: " + v;
        if (const QString r = describe(step.rollback, step.rollbackDeadline); !r.isEmpty())
            line += u"; rollback: " + r;
        else
            line += QStringLiteral("; no rollback");
        out.append(line);
    }
    return out;
}

void RunbookExecutor::setGate(Gate gate)
{
    if (!gate) {
        m_gate = {};
        return;
    }
    m_gate = [gate](const Runbook::Step& step, int index, GateReply reply) { reply(gate(step, index), nullptr); };
}

void RunbookExecutor::start()
{
    if (m_running)
        return;
    m_running = true;
    QTimer::singleShot(0, this, [this] { runStep(0); });
}

void RunbookExecutor::abort(const QString& by)
{
    if (!m_running || m_aborting || m_rollingBack)
        return;
    m_aborting = true;
    m_abortedBy = by;
    qCWarning(lcRunbook) << "runbook" << m_runbook.name << "aborted by" << by;
    if (m_current)
        m_current->abort(); // its finished() continues in onActionFinished/onVerifyFinished
}

void RunbookExecutor::stopAfterStep(const QString& by)
{
    if (!m_running || m_aborting || m_rollingBack || m_stopAfterStep)
        return;
    // Between steps or waiting at a gate nothing has started yet: stopping now is the same as after the step.
    if (!m_current) {
        abort(by);
        return;
    }
    m_stopAfterStep = true;
    m_abortedBy = by;
    qCWarning(lcRunbook) << "runbook" << m_runbook.name << "stops after its running step:" << by;
}

ActionContext RunbookExecutor::contextFor(int index, std::chrono::milliseconds deadline, const QString& phase) const
{
    ActionContext c = m_context;
    c.runbook = QStringLiteral("%1#%2%3").arg(m_runbook.name).arg(index + 1).arg(phase);
    c.deadline = deadline;
    return c;
}

Action* RunbookExecutor::startAction(
    const Runbook::ActionFactory& factory, const ActionContext& context, std::function<void(const ActionResult&)> done)
{
    Action* action = factory(context);
    if (!action)
        return nullptr;
    action->setParent(this);
    m_current = action;
    connect(action, &Action::finished, this, [this, action, done](const ActionResult& result) {
        if (m_current == action)
            m_current = nullptr;
        action->deleteLater();
        done(result);
    });
    action->start();
    return action;
}

void RunbookExecutor::setStatus(int index, StepReport::Status status, const QString& reason)
{
    StepReport& r = m_reports[index];
    r.status = status;
    if (!reason.isEmpty())
        r.reason = reason;
    Q_EMIT stepChanged(index, r);
}

void RunbookExecutor::runStep(int index)
{
    m_lease.reset(); // the previous step is over
    if (m_stopAfterStep && index < m_runbook.steps.size())
        m_aborting = true;
    if (m_aborting) {
        // Aborted between steps: this step never started.
        if (index < m_reports.size())
            setStatus(index, StepReport::Status::Skipped, QStringLiteral("not run: runbook aborted"));
        fail(index, QStringLiteral("aborted by %1").arg(m_abortedBy), false);
        return;
    }
    if (index >= m_runbook.steps.size()) {
        complete(RunbookOutcome::Result::Succeeded,
            QStringLiteral("runbook %1 succeeded (%2 steps)").arg(m_runbook.name).arg(m_runbook.steps.size()));
        return;
    }
    const Runbook::Step& step = m_runbook.steps.at(index);
    setStatus(index, StepReport::Status::Running);
    // A step skipped by its precondition does nothing: there is nothing for the gates to judge (a drain "if still
    // overloaded" on a pool where the gates would refuse a drain).
    if (step.precondition && step.skipWhenPreconditionUnmet) {
        if (const ConditionCheck pre = step.precondition(); !pre.met) {
            setStatus(index, StepReport::Status::Skipped, QStringLiteral("precondition not met: %1").arg(pre.reason));
            QTimer::singleShot(0, this, [this, index] { runStep(index + 1); });
            return;
        }
    }
    if (!m_gate) {
        gatePassed(index);
        return;
    }
    const int generation = ++m_gateGeneration;
    QPointer<RunbookExecutor> self(this);
    m_gate(step, index, [self, generation, index](const ConditionCheck& gate, std::shared_ptr<void> lease) {
        if (!self || self->m_gateGeneration != generation || !self->m_running)
            return;
        ++self->m_gateGeneration; // exactly one answer counts
        if (self->m_aborting) {
            self->setStatus(index, StepReport::Status::Skipped, QStringLiteral("not run: runbook aborted"));
            self->fail(index, QStringLiteral("aborted by %1").arg(self->m_abortedBy), false);
            return;
        }
        if (!gate.met) {
            // The gates stop the run whatever the step's failure policy says.
            self->fail(index, QStringLiteral("refused by the safety gates: %1").arg(gate.reason), false, false);
            return;
        }
        self->m_lease = std::move(lease);
        self->gatePassed(index);
    });
}

void RunbookExecutor::gatePassed(int index)
{
    const Runbook::Step& step = m_runbook.steps.at(index);
    if (step.precondition) {
        const ConditionCheck pre = step.precondition();
        if (!pre.met) {
            if (step.skipWhenPreconditionUnmet) {
                setStatus(
                    index, StepReport::Status::Skipped, QStringLiteral("precondition not met: %1").arg(pre.reason));
                QTimer::singleShot(0, this, [this, index] { runStep(index + 1); });
                return;
            }
            fail(index, QStringLiteral("precondition not met: %1").arg(pre.reason), false);
            return;
        }
    }
    if (!step.action) {
        fail(index, QStringLiteral("step has no action"), false);
        return;
    }
    if (!startAction(step.action, contextFor(index, step.deadline, {}),
            [this, index](const ActionResult& r) { onActionFinished(index, r); }))
        fail(index, QStringLiteral("the step's action could not be built"), false);
}

void RunbookExecutor::onActionFinished(int index, const ActionResult& result)
{
    m_reports[index].action = result;
    if (m_aborting) {
        setStatus(index, StepReport::Status::Aborted, QStringLiteral("aborted by %1").arg(m_abortedBy));
        fail(index, QStringLiteral("aborted by %1").arg(m_abortedBy), result.ran);
        return;
    }
    if (!result.ok()) {
        fail(index, result.summary(), result.ran);
        return;
    }
    const Runbook::Step& step = m_runbook.steps.at(index);
    if (!step.verify) {
        setStatus(index, StepReport::Status::Ok);
        runStep(index + 1);
        return;
    }
    setStatus(index, StepReport::Status::Verifying);
    if (!startAction(step.verify, contextFor(index, step.verifyDeadline, QStringLiteral("/verify")),
            [this, index](const ActionResult& r) { onVerifyFinished(index, r); }))
        fail(index, QStringLiteral("the step's verification could not be built"), true);
}

void RunbookExecutor::onVerifyFinished(int index, const ActionResult& result)
{
    m_reports[index].verification = result;
    if (m_aborting) {
        setStatus(index, StepReport::Status::Aborted, QStringLiteral("aborted by %1").arg(m_abortedBy));
        fail(index, QStringLiteral("aborted by %1").arg(m_abortedBy), true);
        return;
    }
    if (!result.ok()) {
        fail(index, QStringLiteral("verification failed: %1").arg(result.summary()), true);
        return;
    }
    setStatus(index, StepReport::Status::Ok);
    runStep(index + 1);
}

void RunbookExecutor::fail(int index, const QString& reason, bool actionRan, bool mayContinue)
{
    const Runbook::Step* step = index >= 0 && index < m_runbook.steps.size() ? &m_runbook.steps.at(index) : nullptr;
    if (step && mayContinue && !m_aborting && step->onFailure == Runbook::OnFailure::Continue) {
        setStatus(
            index, StepReport::Status::Failed, reason + QStringLiteral(" (on_failure continue: the run goes on)"));
        m_continued.append(step->name);
        qCWarning(lcRunbook).noquote() << "runbook" << m_runbook.name << "continues past failed step" << step->name
                                       << ":" << reason;
        QTimer::singleShot(0, this, [this, index] { runStep(index + 1); });
        return;
    }
    m_lease.reset(); // the failed step is over; rollbacks put back, they never shrink a pool
    m_failedStep = index < m_reports.size() ? index : -1;
    m_failReason = reason;
    if (m_failedStep >= 0 && m_reports[index].status != StepReport::Status::Aborted
        && m_reports[index].status != StepReport::Status::Skipped)
        setStatus(index, m_aborting ? StepReport::Status::Aborted : StepReport::Status::Failed, reason);
    m_rollingBack = true;
    m_rollbackQueue.clear();
    // on_failure escalate: nothing is rolled back; the done steps are listed as not rolled back.
    const bool rollBack = m_aborting || !step || step->onFailure != Runbook::OnFailure::Escalate;
    // The failed step first when its action ran: a verification that failed means the change is in place.
    if (rollBack && actionRan && m_failedStep >= 0)
        m_rollbackQueue.append(index);
    for (int j = std::min<int>(index, m_reports.size()) - 1; j >= 0 && rollBack; --j)
        if (m_reports[j].status == StepReport::Status::Ok)
            m_rollbackQueue.append(j);
    for (int j = index + 1; j < m_reports.size(); ++j)
        setStatus(j, StepReport::Status::Skipped,
            m_aborting ? QStringLiteral("not run: runbook aborted") : QStringLiteral("not run: runbook escalated"));
    rollbackNext();
}

void RunbookExecutor::rollbackNext()
{
    if (m_rollbackQueue.isEmpty()) {
        const QString where = m_failedStep >= 0
            ? QStringLiteral("step %1 '%2'").arg(m_failedStep + 1).arg(m_reports[m_failedStep].name)
            : QStringLiteral("the runbook");
        const bool before = m_failedStep >= 0 && m_reports[m_failedStep].status == StepReport::Status::Skipped;
        if (m_aborting)
            complete(RunbookOutcome::Result::Aborted,
                QStringLiteral("ABORTED by %1 %2 %3")
                    .arg(m_abortedBy, before ? QStringLiteral("before") : QStringLiteral("during"), where));
        else
            complete(
                RunbookOutcome::Result::Escalated, QStringLiteral("ESCALATED: %1 failed: %2").arg(where, m_failReason));
        return;
    }
    const int j = m_rollbackQueue.takeFirst();
    const Runbook::Step& step = m_runbook.steps.at(j);
    const StepReport::Status before = m_reports[j].status;
    if (!step.rollback) {
        if (before == StepReport::Status::Ok)
            m_reports[j].reason = QStringLiteral("done; no rollback defined");
        rollbackNext();
        return;
    }
    setStatus(j, StepReport::Status::RollingBack);
    auto done = [this, j, before](const ActionResult& r) {
        m_reports[j].rollback = r;
        if (r.ok()) {
            // A failed or aborted step keeps its status (the UI must see it failed); its rollback result says undone.
            setStatus(j, before == StepReport::Status::Ok ? StepReport::Status::RolledBack : before,
                before == StepReport::Status::Ok ? QString() : m_reports[j].reason + QStringLiteral(" (rolled back)"));
        } else {
            setStatus(j, StepReport::Status::RollbackFailed, QStringLiteral("rollback failed: %1").arg(r.summary()));
        }
        rollbackNext();
    };
    if (!startAction(step.rollback, contextFor(j, step.rollbackDeadline, QStringLiteral("/rollback")), done)) {
        setStatus(j, StepReport::Status::RollbackFailed, QStringLiteral("the rollback action could not be built"));
        rollbackNext();
    }
}

void RunbookExecutor::complete(RunbookOutcome::Result result, const QString& message)
{
    RunbookOutcome outcome;
    outcome.runbook = m_runbook.name;
    outcome.result = result;
    outcome.failedStep = result == RunbookOutcome::Result::Succeeded ? -1 : m_failedStep;
    outcome.steps = m_reports;
    outcome.continuedPast = m_continued;
    QString text = message;
    if (!m_continued.isEmpty())
        text += QStringLiteral("; continued past failed: %1").arg(m_continued.join(QStringLiteral(", ")));
    for (const StepReport& r : std::as_const(m_reports)) {
        const bool changed = r.action && r.action->ran;
        if (r.rollback && r.rollback->ok())
            outcome.rolledBack.append(r.name);
        else if (result != RunbookOutcome::Result::Succeeded && changed)
            outcome.notRolledBack.append(r.name);
    }
    if (result != RunbookOutcome::Result::Succeeded) {
        if (!outcome.rolledBack.isEmpty())
            text += QStringLiteral("; rolled back: %1").arg(outcome.rolledBack.join(QStringLiteral(", ")));
        if (!outcome.notRolledBack.isEmpty())
            text += QStringLiteral("; NOT rolled back: %1").arg(outcome.notRolledBack.join(QStringLiteral(", ")));
        if (result == RunbookOutcome::Result::Escalated)
            qCCritical(lcRunbook).noquote() << text;
    }
    outcome.message = text;
    m_lease.reset();
    m_running = false;
    m_rollingBack = false;
    Q_EMIT finished(outcome);
}

} // namespace FaultDesk
