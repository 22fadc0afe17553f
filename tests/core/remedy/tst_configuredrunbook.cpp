// A runbook bound in the fleet configuration, loaded through the real loader and run by the RemediationController
// on a real crash of the demo fleet: a child that reports its argv, a restart, calls to fleetsim's admin API, an
// HAProxy weight, and a failing step whose earlier steps are rolled back. Then automation per group, with its
// switches and give-ups kept across a restart of the controller.
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "remedy/remediationcontroller.h"
#include "shared/demorig.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

class TestConfiguredRunbook : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void failingStepRollsBackTheEarlierOnes();
    void groupSwitchKeepsAutomationOffThere();
    void automationStateSurvivesARestart();

private:
    std::optional<Fault> waitForFault(const QString& target, CauseClass cause);
    std::unique_ptr<RemediationController> makeController(const QString& stateFile = {});

    Test::DemoRig m_rig;
    std::unique_ptr<RemediationController> m_controller;
};

std::unique_ptr<RemediationController> TestConfiguredRunbook::makeController(const QString& stateFile)
{
    auto c = std::make_unique<RemediationController>(m_rig.monitor()->config(), m_rig.monitor()->detector(),
        m_rig.audit(), m_rig.lockDir(), QStringLiteral("alice"));
    RemediationController::Settings s;
    s.pollInterval = std::chrono::milliseconds(400);
    s.waitInterval = std::chrono::milliseconds(300);
    s.verifyDeadline = std::chrono::milliseconds(30000);
    c->setSettings(s);
    if (!stateFile.isEmpty())
        c->setAutomationStateFile(stateFile);
    return c;
}

void TestConfiguredRunbook::initTestCase()
{
    // The runbook as an operator writes it, in YAML, through the real loader.
    const QString runbooks = m_rig.path(QStringLiteral("runbooks.yaml"));
    QFile f(runbooks);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral("runbooks:\n"
                           "  - name: web-restart\n"
                           "    on: [down]\n"
                           "    groups: [web]\n"
                           "    handle:\n"
                           "      - name: report argv\n"
                           "        command: ['%1', '{target}', '--backend={backend}', '{cause}']\n"
                           "      - name: restart\n"
                           "        run: start\n"
                           "        deadline: 20s\n"
                           "        verify: { healthy_for: 2 }\n"
                           "      - name: block a test source\n"
                           "        http: { url: '{admin}/block', body: { source: 127.0.9.9 } }\n"
                           "        rollback: { http: { url: '{admin}/unblock', body: { source: 127.0.9.9 } } }\n"
                           "      - name: lower the weight\n"
                           "        haproxy: { set_weight: 7 }\n"
                           "        rollback: { haproxy: { set_weight: baseline } }\n"
                           "      - name: a check that fails\n"
                           "        command: [/bin/false]\n")
                .arg(QStringLiteral(REMEDY_PEER))
                .toUtf8());
    f.close();
    QString error;
    QVERIFY2(m_rig.start(&error,
                 [&runbooks](FleetConfig& config, QString* why) {
                     const ConfigLoadResult loaded = FleetConfigLoader::loadRunbooks(runbooks, config);
                     if (!loaded.ok()) {
                         *why = loaded.errors.value(0).toString();
                         return false;
                     }
                     config = *loaded.config;
                     return true;
                 }),
        qPrintable(error));
    m_controller = makeController();
    QTRY_VERIFY_WITH_TIMEOUT(m_rig.allUp(), 30000);
    QTest::qWait(2000); // the last healthy state is read back
    QVERIFY(m_controller->current().haproxyKnown);
}

void TestConfiguredRunbook::cleanupTestCase()
{
    m_controller.reset();
    m_rig.stop();
}

std::optional<Fault> TestConfiguredRunbook::waitForFault(const QString& target, CauseClass cause)
{
    return m_rig.waitForFault([&](const Fault& f) { return f.target == target && f.cause == cause && f.rootCause; });
}

void TestConfiguredRunbook::failingStepRollsBackTheEarlierOnes()
{
    QVERIFY(m_rig.fleet()->inject(QStringLiteral("crash"), QStringLiteral("web-2")));
    const auto f = waitForFault(QStringLiteral("web-2"), CauseClass::Down);
    QVERIFY(f);
    const auto baseline = m_controller->baseline(f->id);
    QVERIFY(baseline && baseline->haproxyKnown);
    const auto before
        = HaproxyServerState::find(baseline->haproxy.servers, QStringLiteral("web"), QStringLiteral("web-2"));
    QVERIFY(before);
    QVERIFY(before->weight != 7);

    // The preview names the configured runbook and why it was chosen.
    const RemediationPlan plan = m_controller->preview(f->id, SafetyRequest::Purpose::Handle);
    QVERIFY2(plan.isValid(), qPrintable(plan.error));
    QCOMPARE(plan.runbook, QStringLiteral("web-restart/handle"));
    QCOMPARE(plan.runbookReason, QStringLiteral("runbook 'web-restart' bound to group web for cause down"));
    QCOMPARE(plan.steps.size(), 5);
    QVERIFY2(plan.steps.at(0).contains(u"web-2 --backend=web down"), qPrintable(plan.steps.at(0)));

    QSignalSpy finished(m_controller.get(), &RemediationController::runFinished);
    QSignalSpy escalated(m_controller.get(), &RemediationController::escalated);
    QString error;
    QVERIFY2(m_controller->handle(f->id, QStringLiteral("alice"), &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
    const auto outcome = finished.at(0).at(2).value<RunbookOutcome>();
    QCOMPARE(outcome.runbook, QStringLiteral("web-restart/handle"));
    QCOMPARE(outcome.result, RunbookOutcome::Result::Escalated);
    QCOMPARE(outcome.failedStep, 4);
    QVERIFY2(outcome.message.startsWith(u"ESCALATED: step 5 'a check that fails' failed"), qPrintable(outcome.message));
    QCOMPARE(outcome.rolledBack,
        (QStringList { QStringLiteral("block a test source"), QStringLiteral("lower the weight") }));
    // Steps without a rollback stay as they are, and the failed command ran: all listed, loudly.
    QCOMPARE(outcome.notRolledBack,
        (QStringList {
            QStringLiteral("report argv"), QStringLiteral("restart"), QStringLiteral("a check that fails") }));
    QCOMPARE(escalated.size(), 1);

    // The child got exactly the argument vector, each field substituted in its own argument.
    const StepReport& argv = outcome.steps.at(0);
    QVERIFY(argv.action && argv.action->ok());
    const QJsonArray args
        = QJsonDocument::fromJson(argv.action->output.trimmed().toUtf8()).object().value(u"argv").toArray();
    QCOMPARE(args.size(), 4);
    QCOMPARE(args.at(1).toString(), QStringLiteral("web-2"));
    QCOMPARE(args.at(2).toString(), QStringLiteral("--backend=web"));
    QCOMPARE(args.at(3).toString(), QStringLiteral("down"));
    // The restart worked and was verified; fleetsim's admin API blocked the source, and unblocked it on rollback.
    QCOMPARE(outcome.steps.at(1).status, StepReport::Status::Ok);
    QVERIFY(outcome.steps.at(1).verification && outcome.steps.at(1).verification->ok());
    const StepReport& http = outcome.steps.at(2);
    QCOMPARE(http.status, StepReport::Status::RolledBack);
    QVERIFY2(http.action->output.contains(u"127.0.9.9"), qPrintable(http.action->output));
    QVERIFY2(http.rollback && http.rollback->ok() && http.rollback->output.contains(u"\"blocked\":[]"),
        qPrintable(http.rollback ? http.rollback->output : QString()));
    QCOMPARE(outcome.steps.at(3).status, StepReport::Status::RolledBack);
    QCOMPARE(outcome.steps.at(4).status, StepReport::Status::Failed);

    // HAProxy reads back the baseline weight again.
    bool fresh = false;
    m_controller->refresh([&] { fresh = true; });
    QTRY_VERIFY_WITH_TIMEOUT(fresh, 10000);
    const auto now = HaproxyServerState::find(
        m_controller->current().haproxy.servers, QStringLiteral("web"), QStringLiteral("web-2"));
    QVERIFY(now);
    QCOMPARE(now->weight, before->weight);
    // Every action has its intent and its result in the audit trail.
    QVERIFY(m_rig.audit()->unfinished().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(m_rig.allUp(), 30000);
}

void TestConfiguredRunbook::groupSwitchKeepsAutomationOffThere()
{
    QTRY_VERIFY_WITH_TIMEOUT(m_rig.monitor()->detector()->openFaults().isEmpty(), 30000);
    const QString state = m_rig.path(QStringLiteral("state/automation.json"));
    QVERIFY(m_controller->setAutomationStateFile(state));
    AutoRemediationPolicy policy;
    policy.maxAttempts = 1; // the first automatic attempt uses up the budget: automation gives up afterwards
    m_controller->setAutoPolicy(policy);
    m_controller->setAutoEnabled(true);
    m_controller->setAutoEnabledFor(QStringLiteral("web"), false);
    QVERIFY(!m_controller->autoEnabledFor(QStringLiteral("web-3")));
    QVERIFY(m_controller->autoEnabledFor(QStringLiteral("api-1")));

    QSignalSpy finished(m_controller.get(), &RemediationController::runFinished);
    QVERIFY(m_rig.fleet()->inject(QStringLiteral("crash"), QStringLiteral("web-3")));
    QVERIFY(m_rig.fleet()->inject(QStringLiteral("crash"), QStringLiteral("api-1")));
    const auto web = waitForFault(QStringLiteral("web-3"), CauseClass::Down);
    QVERIFY(web);
    // api-1 is handled and recovered by the automation; web-3, in the switched-off group, is left to a person.
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60000);
    for (const auto& args : finished) {
        const auto fault = m_rig.monitor()->detector()->fault(args.at(0).toString());
        QVERIFY(fault);
        QCOMPARE(fault->target, QStringLiteral("api-1"));
    }
    QVERIFY(!m_controller->lastRun(web->id, SafetyRequest::Purpose::Handle));
    QVERIFY(!m_controller->isRunning(web->id));
    const auto givenUp = m_controller->ledger().entry(QStringLiteral("api-1"));
    QVERIFY(givenUp.suspended);
    QVERIFY(givenUp.suspendedAt.isValid());
    QCOMPARE(m_controller->givenUp().constFirst().first, QStringLiteral("api-1"));
    // The switches were audited as the operator's.
    const auto records = m_rig.audit()->records();
    QVERIFY(std::any_of(records.cbegin(), records.cend(), [](const AuditRecord& r) {
        return r.actionKind == u"automation" && r.target == u"web" && r.description.contains(u"off")
            && r.operatorName == u"alice";
    }));
    m_controller->setAutoEnabled(false);
    m_controller->setAutoEnabled(true); // saved as on: the restart below must see it
    QVERIFY(m_rig.fleet()->control({ QStringLiteral("start"), QStringLiteral("web-3") }) == 0);
    QTRY_VERIFY_WITH_TIMEOUT(m_rig.allUp(), 30000);
}

void TestConfiguredRunbook::automationStateSurvivesARestart()
{
    const QString state = m_rig.path(QStringLiteral("state/automation.json"));
    QVERIFY(QFile::exists(state));
    m_controller.reset();
    auto restarted = makeController(state);
    // Nothing a person switched off is re-armed, and the target automation gave up on stays given up.
    QVERIFY(restarted->autoEnabled());
    QCOMPARE(restarted->autoOverride(QStringLiteral("web")), std::optional<bool>(false));
    QVERIFY(!restarted->autoEnabledFor(QStringLiteral("web-1")));
    QVERIFY(restarted->autoEnabledFor(QStringLiteral("db-replica")));
    QVERIFY(restarted->ledger().entry(QStringLiteral("api-1")).suspended);
    QVERIFY(restarted->ledger().entry(QStringLiteral("api-1")).suspendedAt.isValid());

    // Re-enabling is audited and kept too.
    restarted->reenable(QStringLiteral("api-1"), QStringLiteral("bob"));
    const auto records = m_rig.audit()->records();
    QVERIFY(std::any_of(records.cbegin(), records.cend(), [](const AuditRecord& r) {
        return r.actionKind == u"automation" && r.target == u"api-1" && r.operatorName == u"bob"
            && r.description.contains(u"re-enabled") && r.phase == AuditRecord::Phase::Result;
    }));
    restarted->setAutoEnabled(false);
    restarted.reset();
    auto again = makeController(state);
    QVERIFY(!again->ledger().entry(QStringLiteral("api-1")).suspended);
    QVERIFY(!again->autoEnabled());
    QVERIFY(m_rig.audit()->unfinished().isEmpty());
}

QTEST_GUILESS_MAIN(TestConfiguredRunbook)
#include "tst_configuredrunbook.moc"
