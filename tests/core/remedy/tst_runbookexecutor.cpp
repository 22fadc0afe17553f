#include "remedytest.h"

#include "remedy/commandaction.h"
#include "remedy/runbookexecutor.h"

#include <QTemporaryDir>
#include <QTimer>

using namespace FaultDesk;
using namespace FaultDesk::RemedyTest;
using namespace std::chrono_literals;

// Runbooks made of real commands (touch/rm on marker files), so every step and rollback leaves evidence on disk.
class TestRunbookExecutor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void allStepsSucceed();
    void failedVerificationRollsBackInReverse();
    void refusedActionIsNotRolledBack();
    void rollbackFailureIsListed();
    void abortRollsBackDoneSteps();
    void abortBeforeFirstStep();
    void stopAfterStepLetsTheRunningStepFinish();
    void stopDuringTheLastStepCompletesTheRun();
    void preconditions();
    void gateRefusesStep();
    void asyncGateLeaseLastsThroughTheStep();
    void previewShowsExactCommands();
    void onFailurePolicies_data();
    void onFailurePolicies();

private:
    Runbook::Step touchStep(const QString& name, bool withRollback = true);
    Runbook::ActionFactory command(const QStringList& argv);
    RunbookOutcome execute(RunbookExecutor& executor);
    bool exists(const QString& name) const { return QFile::exists(m_dir->filePath(name)); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<JsonlAuditSink> m_sink;
    QStringList m_rollbackOrder;
};

void TestRunbookExecutor::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_sink = std::make_unique<JsonlAuditSink>(m_dir->filePath(u"audit.jsonl"_qs));
    m_rollbackOrder.clear();
}

void TestRunbookExecutor::cleanup()
{
    qunsetenv("REMEDY_PEER_MODE");
}

Runbook::ActionFactory TestRunbookExecutor::command(const QStringList& argv)
{
    return [argv](const ActionContext& ctx) -> Action* { return new CommandAction(CommandSpec::of(argv), ctx); };
}

Runbook::Step TestRunbookExecutor::touchStep(const QString& name, bool withRollback)
{
    Runbook::Step step;
    step.name = name;
    step.deadline = 10s;
    step.action = command({ u"touch"_qs, m_dir->filePath(name) });
    if (withRollback) {
        const auto rm = command({ u"rm"_qs, m_dir->filePath(name) });
        step.rollback = [this, rm, name](const ActionContext& ctx) {
            m_rollbackOrder.append(name);
            return rm(ctx);
        };
    }
    return step;
}

RunbookOutcome TestRunbookExecutor::execute(RunbookExecutor& executor)
{
    QSignalSpy finished(&executor, &RunbookExecutor::finished);
    executor.start();
    if (!finished.wait(30000) && finished.isEmpty())
        return {};
    return finished.first().first().value<RunbookOutcome>();
}

static ActionContext baseContext(AuditSink* sink)
{
    ActionContext c = context(sink);
    c.fields.set(u"target"_qs, u"web-1"_qs);
    return c;
}

void TestRunbookExecutor::allStepsSucceed()
{
    RunbookExecutor executor({ u"crash/handle"_qs, { touchStep(u"a"_qs), touchStep(u"b"_qs), touchStep(u"c"_qs) } },
        baseContext(m_sink.get()));
    QSignalSpy changes(&executor, &RunbookExecutor::stepChanged);
    const RunbookOutcome out = execute(executor);
    QCOMPARE(out.result, RunbookOutcome::Result::Succeeded);
    QVERIFY(exists(u"a"_qs) && exists(u"b"_qs) && exists(u"c"_qs));
    QVERIFY(m_rollbackOrder.isEmpty());
    // running → ok for each step, in order.
    QStringList seen;
    for (const auto& args : changes)
        seen.append(
            u"%1:%2"_qs.arg(args.at(0).toInt()).arg(StepReport::statusName(args.at(1).value<StepReport>().status)));
    QCOMPARE(
        seen, (QStringList { u"0:running"_qs, u"0:ok"_qs, u"1:running"_qs, u"1:ok"_qs, u"2:running"_qs, u"2:ok"_qs }));
    const auto records = m_sink->records();
    QCOMPARE(records.size(), 6);
    QCOMPARE(records.at(2).runbook, u"crash/handle#2"_qs);
}

void TestRunbookExecutor::failedVerificationRollsBackInReverse()
{
    Runbook::Step third = touchStep(u"c"_qs);
    third.verifyDeadline = 300ms;
    third.verify = [](const ActionContext& ctx) -> Action* {
        WaitSpec w;
        w.description = u"web-1 healthy"_qs;
        w.interval = 20ms;
        w.condition = [] { return ConditionCheck { false, u"HTTP 503"_qs }; };
        return new WaitAction(w, ctx);
    };
    RunbookExecutor executor(
        { u"overload/handle"_qs, { touchStep(u"a"_qs), touchStep(u"b"_qs, false), third, touchStep(u"d"_qs) } },
        baseContext(m_sink.get()));
    const RunbookOutcome out = execute(executor);
    QCOMPARE(out.result, RunbookOutcome::Result::Escalated);
    QCOMPARE(out.failedStep, 2);
    QVERIFY2(out.message.startsWith(u"ESCALATED: step 3 'c' failed: verification failed"_qs), qPrintable(out.message));
    // The failed step first (its change is in place), then the done ones newest first; b has no rollback.
    QCOMPARE(m_rollbackOrder, (QStringList { u"c"_qs, u"a"_qs }));
    QCOMPARE(out.rolledBack, (QStringList { u"a"_qs, u"c"_qs }));
    QCOMPARE(out.notRolledBack, QStringList { u"b"_qs });
    QVERIFY(out.message.contains(u"NOT rolled back: b"_qs));
    QVERIFY(!exists(u"a"_qs) && exists(u"b"_qs) && !exists(u"c"_qs) && !exists(u"d"_qs));
    QCOMPARE(out.steps[0].status, StepReport::Status::RolledBack);
    QCOMPARE(out.steps[1].status, StepReport::Status::Ok);
    QCOMPARE(out.steps[1].reason, u"done; no rollback defined"_qs);
    QCOMPARE(out.steps[2].status, StepReport::Status::Failed);
    QVERIFY(out.steps[2].rollback && out.steps[2].rollback->ok());
    QVERIFY(out.steps[2].output().contains(u"HTTP 503"_qs));
    QCOMPARE(out.steps[3].status, StepReport::Status::Skipped);
}

void TestRunbookExecutor::refusedActionIsNotRolledBack()
{
    Runbook::Step bad = touchStep(u"x"_qs);
    bad.action = command({ u"touch"_qs, u"{target}"_qs }); // target "-rf" is refused: nothing ran
    ActionContext ctx = baseContext(m_sink.get());
    ctx.fields.set(u"target"_qs, u"-rf"_qs);
    RunbookExecutor executor({ u"rb"_qs, { touchStep(u"a"_qs), bad } }, ctx);
    const RunbookOutcome out = execute(executor);
    QCOMPARE(out.result, RunbookOutcome::Result::Escalated);
    QCOMPARE(m_rollbackOrder, QStringList { u"a"_qs });
    QVERIFY(out.steps[1].action && out.steps[1].action->status == ActionResult::Status::Refused);
    QVERIFY(!out.steps[1].rollback);
    QVERIFY(out.notRolledBack.isEmpty());
}

void TestRunbookExecutor::rollbackFailureIsListed()
{
    Runbook::Step first = touchStep(u"a"_qs);
    first.rollback = command({ u"false"_qs });
    Runbook::Step failing;
    failing.name = u"fails"_qs;
    failing.action = command({ u"false"_qs });
    RunbookExecutor executor({ u"rb"_qs, { first, failing } }, baseContext(m_sink.get()));
    const RunbookOutcome out = execute(executor);
    QCOMPARE(out.result, RunbookOutcome::Result::Escalated);
    QCOMPARE(out.steps[0].status, StepReport::Status::RollbackFailed);
    QVERIFY(out.notRolledBack.contains(u"a"_qs));
    QVERIFY(out.steps[1].action->error.contains(u"exit code 1"_qs));
    QVERIFY(out.message.contains(u"exit code 1"_qs));
}

void TestRunbookExecutor::abortRollsBackDoneSteps()
{
    Runbook::Step hang;
    hang.name = u"hang"_qs;
    hang.deadline = 60s;
    CommandSpec hangSpec = CommandSpec::of({ QStringLiteral(REMEDY_PEER) });
    // A child gets only the environment its step lists, so the peer's mode travels there.
    hangSpec.environment
        = { { u"REMEDY_PEER_MODE"_qs, u"hang"_qs }, { u"REMEDY_PEER_PIDFILE"_qs, m_dir->filePath(u"pid"_qs) } };
    hang.action = [hangSpec](const ActionContext& c) -> Action* { return new CommandAction(hangSpec, c); };
    hang.rollback = [this](const ActionContext& ctx) -> Action* {
        m_rollbackOrder.append(u"hang"_qs);
        return new CommandAction(CommandSpec::of({ u"touch"_qs, m_dir->filePath(u"hang-undone"_qs) }), ctx);
    };
    RunbookExecutor executor({ u"rb"_qs, { touchStep(u"a"_qs), hang, touchStep(u"c"_qs) } }, baseContext(m_sink.get()));
    QSignalSpy finished(&executor, &RunbookExecutor::finished);
    executor.start();
    QTRY_COMPARE_WITH_TIMEOUT(executor.steps().at(1).status, StepReport::Status::Running, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(QFile(m_dir->filePath(u"pid"_qs)).size() > 0, 10000);
    executor.abort(u"bob"_qs);
    QVERIFY(finished.wait(20000) || !finished.isEmpty());
    const RunbookOutcome out = finished.first().first().value<RunbookOutcome>();
    QCOMPARE(out.result, RunbookOutcome::Result::Aborted);
    QVERIFY2(out.message.startsWith(u"ABORTED by bob during step 2 'hang'"_qs), qPrintable(out.message));
    QCOMPARE(m_rollbackOrder, (QStringList { u"hang"_qs, u"a"_qs }));
    QCOMPARE(out.rolledBack, (QStringList { u"a"_qs, u"hang"_qs }));
    QCOMPARE(out.steps[1].status, StepReport::Status::Aborted);
    QCOMPARE(out.steps[1].action->status, ActionResult::Status::Aborted);
    QCOMPARE(out.steps[2].status, StepReport::Status::Skipped);
    QVERIFY(!exists(u"a"_qs) && exists(u"hang-undone"_qs) && !exists(u"c"_qs));
}

void TestRunbookExecutor::abortBeforeFirstStep()
{
    RunbookExecutor executor({ u"rb"_qs, { touchStep(u"a"_qs), touchStep(u"b"_qs) } }, baseContext(m_sink.get()));
    QSignalSpy finished(&executor, &RunbookExecutor::finished);
    executor.start();
    executor.abort(u"bob"_qs);
    QVERIFY(finished.wait(10000) || !finished.isEmpty());
    const RunbookOutcome out = finished.first().first().value<RunbookOutcome>();
    QCOMPARE(out.result, RunbookOutcome::Result::Aborted);
    QVERIFY2(out.message.startsWith(u"ABORTED by bob before step 1 'a'"_qs), qPrintable(out.message));
    QCOMPARE(out.steps[0].status, StepReport::Status::Skipped);
    QCOMPARE(out.steps[1].status, StepReport::Status::Skipped);
    QVERIFY(out.rolledBack.isEmpty() && out.notRolledBack.isEmpty());
    QVERIFY(!exists(u"a"_qs) && m_sink->records().isEmpty());
}

// A shutdown's stop: the running step is not killed; it ends, nothing after it starts, and the done steps (it
// included) are rolled back, newest first.
void TestRunbookExecutor::stopAfterStepLetsTheRunningStepFinish()
{
    Runbook::Step slow;
    slow.name = u"slow"_qs;
    slow.deadline = 30s;
    slow.action = command({ u"sleep"_qs, u"1"_qs });
    slow.rollback = [this](const ActionContext& ctx) -> Action* {
        m_rollbackOrder.append(u"slow"_qs);
        return new CommandAction(CommandSpec::of({ u"touch"_qs, m_dir->filePath(u"slow-undone"_qs) }), ctx);
    };
    RunbookExecutor executor({ u"rb"_qs, { touchStep(u"a"_qs), slow, touchStep(u"c"_qs) } }, baseContext(m_sink.get()));
    QSignalSpy finished(&executor, &RunbookExecutor::finished);
    executor.start();
    QTRY_COMPARE_WITH_TIMEOUT(executor.steps().at(1).status, StepReport::Status::Running, 10000);
    executor.stopAfterStep(u"shutdown"_qs);
    QVERIFY(finished.wait(20000) || !finished.isEmpty());
    const RunbookOutcome out = finished.first().first().value<RunbookOutcome>();
    QCOMPARE(out.result, RunbookOutcome::Result::Aborted);
    QVERIFY2(out.message.startsWith(u"ABORTED by shutdown before step 3 'c'"_qs), qPrintable(out.message));
    QCOMPARE(out.steps[1].action->status, ActionResult::Status::Ok); // finished, not killed
    QCOMPARE(out.steps[1].status, StepReport::Status::RolledBack);
    QCOMPARE(out.steps[2].status, StepReport::Status::Skipped);
    QCOMPARE(m_rollbackOrder, (QStringList { u"slow"_qs, u"a"_qs }));
    QVERIFY(!exists(u"a"_qs) && exists(u"slow-undone"_qs) && !exists(u"c"_qs));
}

// Stopped while its last step runs, a runbook has nothing left to skip: it completes and stays applied.
void TestRunbookExecutor::stopDuringTheLastStepCompletesTheRun()
{
    Runbook::Step slow;
    slow.name = u"slow"_qs;
    slow.deadline = 30s;
    slow.action = command({ u"sleep"_qs, u"1"_qs });
    RunbookExecutor executor({ u"rb"_qs, { touchStep(u"a"_qs), slow } }, baseContext(m_sink.get()));
    QSignalSpy finished(&executor, &RunbookExecutor::finished);
    executor.start();
    QTRY_COMPARE_WITH_TIMEOUT(executor.steps().at(1).status, StepReport::Status::Running, 10000);
    executor.stopAfterStep(u"shutdown"_qs);
    QVERIFY(finished.wait(20000) || !finished.isEmpty());
    const RunbookOutcome out = finished.first().first().value<RunbookOutcome>();
    QCOMPARE(out.result, RunbookOutcome::Result::Succeeded);
    QVERIFY(exists(u"a"_qs) && m_rollbackOrder.isEmpty());
}

void TestRunbookExecutor::preconditions()
{
    Runbook::Step skip = touchStep(u"drain"_qs);
    skip.precondition = [] { return ConditionCheck { false, u"rebalancing was enough"_qs }; };
    skip.skipWhenPreconditionUnmet = true;
    Runbook::Step must = touchStep(u"restart"_qs);
    must.precondition = [] { return ConditionCheck { false, u"no process to restart"_qs }; };
    RunbookExecutor executor(
        { u"rb"_qs, { touchStep(u"a"_qs), skip, touchStep(u"b"_qs), must } }, baseContext(m_sink.get()));
    const RunbookOutcome out = execute(executor);
    QCOMPARE(out.steps[1].status, StepReport::Status::Skipped);
    QCOMPARE(out.steps[1].reason, u"precondition not met: rebalancing was enough"_qs);
    QVERIFY(!exists(u"drain"_qs) && !exists(u"restart"_qs));
    QCOMPARE(out.result, RunbookOutcome::Result::Escalated);
    QCOMPARE(out.failedStep, 3);
    QVERIFY(out.message.contains(u"no process to restart"_qs));
    QCOMPARE(m_rollbackOrder, (QStringList { u"b"_qs, u"a"_qs }));
}

void TestRunbookExecutor::gateRefusesStep()
{
    RunbookExecutor executor({ u"rb"_qs, { touchStep(u"a"_qs), touchStep(u"b"_qs) } }, baseContext(m_sink.get()));
    executor.setGate([](const Runbook::Step& step, int) {
        return step.name == u"b" ? ConditionCheck { false, u"web-1 is flapping"_qs } : ConditionCheck { true, {} };
    });
    const RunbookOutcome out = execute(executor);
    QCOMPARE(out.result, RunbookOutcome::Result::Escalated);
    QVERIFY2(out.message.contains(u"refused by the safety gates: web-1 is flapping"_qs), qPrintable(out.message));
    QVERIFY(!exists(u"b"_qs) && !exists(u"a"_qs));
}

// An asynchronous gate answers later with a lease (a lock): it is held while its step's action and verification
// run, released before the next step is gated, and a skipped step is never gated at all.
void TestRunbookExecutor::asyncGateLeaseLastsThroughTheStep()
{
    Runbook::Step skipped = touchStep(u"skipped"_qs);
    skipped.precondition = [] { return ConditionCheck { false, u"not needed"_qs }; };
    skipped.skipWhenPreconditionUnmet = true;
    Runbook::Step verified = touchStep(u"b"_qs);
    QStringList log;
    verified.verify = [this, &log](const ActionContext& c) -> Action* {
        log << u"verify b (b is %1)"_qs.arg(exists(u"b"_qs) ? u"done"_qs : u"missing"_qs);
        WaitSpec spec;
        spec.description = u"b is there"_qs;
        spec.condition = [] { return ConditionCheck { true, {} }; };
        return new WaitAction(spec, c);
    };
    RunbookExecutor executor({ u"rb"_qs, { touchStep(u"a"_qs), skipped, verified } }, baseContext(m_sink.get()));
    executor.setAsyncGate([&log](const Runbook::Step& step, int, RunbookExecutor::GateReply reply) {
        log << u"gate "_qs + step.name;
        const QString name = step.name;
        QTimer::singleShot(20, [reply, name, &log] {
            reply({ true, {} }, std::shared_ptr<void>(nullptr, [name, &log](void*) { log << u"release "_qs + name; }));
        });
    });
    const RunbookOutcome out = execute(executor);
    QCOMPARE(out.result, RunbookOutcome::Result::Succeeded);
    QCOMPARE(out.steps[1].status, StepReport::Status::Skipped);
    QCOMPARE(log,
        (QStringList { u"gate a"_qs, u"release a"_qs, u"gate b"_qs, u"verify b (b is done)"_qs, u"release b"_qs }));
}

void TestRunbookExecutor::previewShowsExactCommands()
{
    Runbook::Step restart;
    restart.name = u"restart"_qs;
    restart.action = command({ u"systemctl"_qs, u"restart"_qs, u"app@{target}"_qs });
    restart.deadline = 20s;
    Runbook::Step bad;
    bad.name = u"bad"_qs;
    bad.action = command({ u"touch"_qs, u"{target}"_qs });
    ActionContext ctx = baseContext(m_sink.get());
    const QStringList lines = RunbookExecutor::preview({ u"rb"_qs, { touchStep(u"a"_qs), restart } }, ctx);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(u"1. a: touch "_qs + m_dir->filePath(u"a"_qs)), qPrintable(lines[0]));
    QVERIFY2(lines[0].contains(u"; rollback: rm "_qs), qPrintable(lines[0]));
    QVERIFY2(lines[1].startsWith(u"2. restart: systemctl restart app@web-1 (deadline 20 s); no rollback"_qs)
            || lines[1].contains(u"REFUSED: program 'systemctl' not found"_qs),
        qPrintable(lines[1]));
    ctx.fields.set(u"target"_qs, u"--version"_qs);
    const QStringList refused = RunbookExecutor::preview({ u"rb"_qs, { bad } }, ctx);
    QVERIFY2(refused[0].contains(u"REFUSED: argument 1: field {target} refused"_qs), qPrintable(refused[0]));
    QVERIFY(m_sink->records().isEmpty()); // a preview runs and records nothing
    QVERIFY(!exists(u"a"_qs));
}

void TestRunbookExecutor::onFailurePolicies_data()
{
    QTest::addColumn<int>("policy");
    QTest::addColumn<int>("result");
    QTest::addColumn<QStringList>("rolledBack");
    QTest::addColumn<QStringList>("present");
    QTest::addRow("rollback (default): a undone, escalated")
        << int(Runbook::OnFailure::Rollback) << int(RunbookOutcome::Result::Escalated) << QStringList { u"a"_qs }
        << QStringList {};
    QTest::addRow("continue: c still runs, succeeded")
        << int(Runbook::OnFailure::Continue) << int(RunbookOutcome::Result::Succeeded) << QStringList {}
        << QStringList { u"a"_qs, u"c"_qs };
    QTest::addRow("escalate: nothing undone")
        << int(Runbook::OnFailure::Escalate) << int(RunbookOutcome::Result::Escalated) << QStringList {}
        << QStringList { u"a"_qs };
}

void TestRunbookExecutor::onFailurePolicies()
{
    QFETCH(int, policy);
    QFETCH(int, result);
    QFETCH(QStringList, rolledBack);
    QFETCH(QStringList, present);
    Runbook::Step failing;
    failing.name = u"fails"_qs;
    failing.action = command({ u"false"_qs });
    failing.onFailure = Runbook::OnFailure(policy);
    RunbookExecutor executor(
        { u"rb"_qs, { touchStep(u"a"_qs), failing, touchStep(u"c"_qs) } }, baseContext(m_sink.get()));
    const RunbookOutcome out = execute(executor);
    QCOMPARE(int(out.result), result);
    QCOMPARE(m_rollbackOrder, rolledBack);
    QStringList there;
    for (const QString& f : { u"a"_qs, u"c"_qs })
        if (exists(f))
            there << f;
    QCOMPARE(there, present);
    QCOMPARE(out.steps[1].status, StepReport::Status::Failed);
    if (Runbook::OnFailure(policy) == Runbook::OnFailure::Continue) {
        QCOMPARE(out.continuedPast, QStringList { u"fails"_qs });
        QVERIFY2(out.message.contains(u"continued past failed: fails"_qs), qPrintable(out.message));
    }
    if (Runbook::OnFailure(policy) == Runbook::OnFailure::Escalate)
        QVERIFY2(out.message.contains(u"NOT rolled back: a"_qs), qPrintable(out.message));
}

QTEST_GUILESS_MAIN(TestRunbookExecutor)
#include "tst_runbookexecutor.moc"
