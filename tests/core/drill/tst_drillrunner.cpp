// The drill engine in process, on the real demo fleet: the network drill in Observe mode (the way the console's
// Drill menu runs it): the test plays the operator and presses Handle and Recover through the controller; the
// runner injects, follows, heals the link after Handle and scores against fleetsim's ground truth.
#include "detect/detector.h"
#include "drill/demodrillsession.h"
#include "drill/demofleetprocess.h"
#include "drill/drillrunner.h"
#include "remedy/remediationcontroller.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace FaultDesk;

class TestDrillRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void refusesUnknownDrills();
    void operatorHandlesANetworkDrill();

private:
    std::unique_ptr<DemoDrillSession> m_session;
};

void TestDrillRunner::initTestCase()
{
    DemoDrillSession::Options o;
    o.fleetArguments = { QStringLiteral("--check-inter"), QStringLiteral("300ms") };
    o.record = false;
    o.phaseTimeout = std::chrono::milliseconds(30000);
    m_session = std::make_unique<DemoDrillSession>(o);
    QString error;
    QVERIFY2(m_session->start(&error) == DemoDrillSession::Failure::None, qPrintable(error));
}

void TestDrillRunner::cleanupTestCase()
{
    m_session.reset();
}

void TestDrillRunner::refusesUnknownDrills()
{
    DrillRunner runner(m_session->monitor(), m_session->controller(), m_session->fleet());
    QString error;
    QVERIFY(!runner.start({ DrillFault { QStringLiteral("meteor"), {}, {} } }, &error));
    QVERIFY2(error.contains(u"network"), qPrintable(error));
    QVERIFY(!runner.start({}, &error));
    QVERIFY(!runner.isRunning());
}

void TestDrillRunner::operatorHandlesANetworkDrill()
{
    DrillRunner runner(m_session->monitor(), m_session->controller(), m_session->fleet());
    DrillRunner::Settings s;
    s.mode = DrillRunner::Mode::Observe;
    s.phaseTimeout = std::chrono::milliseconds(30000);
    s.warmup = std::chrono::milliseconds(1000);
    runner.setSettings(s);
    QSignalSpy phases(&runner, &DrillRunner::phaseChanged);
    QSignalSpy finished(&runner, &DrillRunner::finished);
    QVERIFY(runner.start({ DrillFault { QStringLiteral("network"), {}, {} } }));
    QVERIFY(runner.isRunning());

    // The operator sees the located link fault and presses Handle.
    QTRY_COMPARE_WITH_TIMEOUT(runner.phase(), DrillRunner::Phase::Handling, 40000);
    const auto located = runner.outcome().faults.constFirst().handled;
    QVERIFY(located);
    QCOMPARE(located->target, QStringLiteral("api-1"));
    QCOMPARE(located->cause, CauseClass::Network);
    RemediationController* controller = m_session->controller();
    QString why;
    bool fresh = false;
    controller->refresh([&] { fresh = true; });
    QTRY_VERIFY(fresh);
    QVERIFY2(controller->handle(located->faultId, QStringLiteral("operator"), &why), qPrintable(why));
    // The runner follows: after Handle it heals the link (the world does), then waits for the operator's Recover.
    QTRY_COMPARE_WITH_TIMEOUT(runner.phase(), DrillRunner::Phase::Recovering, 30000);
    const auto handle = controller->lastRun(located->faultId, SafetyRequest::Purpose::Handle);
    QVERIFY(handle);
    QCOMPARE(handle->outcome.result, RunbookOutcome::Result::Succeeded);
    QTRY_VERIFY_WITH_TIMEOUT(controller->canRecover(located->faultId).allowed, 15000);
    fresh = false;
    controller->refresh([&] { fresh = true; });
    QTRY_VERIFY(fresh);
    QVERIFY2(controller->recover(located->faultId, QStringLiteral("operator"), &why), qPrintable(why));

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
    const DrillOutcome outcome = runner.outcome();
    QVERIFY2(outcome.failure.isEmpty(), qPrintable(outcome.failure));
    const DrillOutcome::PerFault& f = outcome.faults.constFirst();
    QCOMPARE(f.truth.kind, QStringLiteral("partition"));
    QCOMPARE(f.truth.cause, QStringLiteral("network"));
    QCOMPARE(f.truth.dependency, QStringLiteral("db-primary"));
    QVERIFY(f.rightRoot);
    QVERIFY(f.rightCause);
    QVERIFY(f.detectedMs >= outcome.injectedMs);
    QVERIFY2(f.recovered, qPrintable(outcome.failure));
    QVERIFY2(f.baselineRestored, qPrintable(f.baselineDifferences.join(u"; ")));
    QVERIFY(outcome.incidents.contains(f.incidentId));
    QVERIFY(outcome.falseRoots.isEmpty());
    // Every phase was passed through, in order, and timed.
    QList<DrillRunner::Phase> seen;
    for (const QList<QVariant>& p : phases)
        seen << p.at(0).value<DrillRunner::Phase>();
    const QList<DrillRunner::Phase> expected { DrillRunner::Phase::Baseline, DrillRunner::Phase::Injecting,
        DrillRunner::Phase::Detecting, DrillRunner::Phase::Handling, DrillRunner::Phase::EndingCause,
        DrillRunner::Phase::Recovering, DrillRunner::Phase::Verifying, DrillRunner::Phase::Done };
    QCOMPARE(seen, expected);
    QCOMPARE(outcome.phaseStartedMs.size(), 7);
    // The link is mended in the fleet's own truth.
    QVERIFY(m_session->fleet()->truth().value(QStringLiteral("faults")).toArray().isEmpty());
}

QTEST_GUILESS_MAIN(TestDrillRunner)
#include "tst_drillrunner.moc"
