// FaultActions offscreen against the real demo fleet: gates shown on the buttons, the plan in the dialog.
#include "audit/jsonlauditsink.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "monitor/demofleet.h"
#include "monitor/monitor.h"
#include "remedy/autoremediationpanel.h"
#include "remedy/faultactions.h"
#include "remedy/remediationcontroller.h"
#include "remedy/remediationdialog.h"

#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

class TestFaultActions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void noFaultDisablesBoth();
    void symptomIsRefusedWithTheReason();
    void previewListsThePlan();
    void autoSwitchIsOffByDefault();

private:
    std::optional<Fault> fault(const std::function<bool(const Fault&)>& match);

    QTemporaryDir m_dir;
    std::unique_ptr<DemoFleet> m_fleet;
    std::unique_ptr<Monitor> m_monitor;
    std::unique_ptr<JsonlAuditSink> m_audit;
    std::unique_ptr<RemediationController> m_controller;
};

void TestFaultActions::initTestCase()
{
    qputenv("PATH", QByteArray(FAULTDESK_BIN_DIR ":") + qgetenv("PATH"));
    m_fleet = std::make_unique<DemoFleet>();
    m_fleet->setExtraArguments({ QStringLiteral("--check-inter"), QStringLiteral("300ms") });
    QString error;
    QVERIFY2(m_fleet->start(60000, &error), qPrintable(error));
    ConfigLoadResult loaded = FleetConfigLoader::loadFile(m_fleet->fleetConfigPath());
    QVERIFY(loaded.ok());
    m_monitor = std::make_unique<Monitor>();
    m_monitor->setConfig(*loaded.config);
    m_monitor->start();
    m_audit = std::make_unique<JsonlAuditSink>(m_dir.filePath(QStringLiteral("audit.jsonl")));
    QDir().mkpath(m_dir.filePath(QStringLiteral("locks")));
    m_controller = std::make_unique<RemediationController>(m_monitor->config(), m_monitor->detector(), m_audit.get(),
        m_dir.filePath(QStringLiteral("locks")), QStringLiteral("alice"));
    QTest::qWait(3000);
    QVERIFY(m_fleet->inject(QStringLiteral("crash"), QStringLiteral("db-primary")));
}

void TestFaultActions::cleanupTestCase()
{
    m_controller.reset();
    if (m_monitor)
        m_monitor->stop();
    if (m_fleet)
        m_fleet->stop();
}

std::optional<Fault> TestFaultActions::fault(const std::function<bool(const Fault&)>& match)
{
    std::optional<Fault> found;
    QElapsedTimer clock;
    clock.start();
    while (!found && clock.elapsed() < 30000) {
        for (const Fault& f : m_monitor->detector()->openFaults())
            if (f.phase != Fault::Phase::Detected && match(f))
                found = f;
        if (!found)
            QTest::qWait(100);
    }
    return found;
}

void TestFaultActions::noFaultDisablesBoth()
{
    FaultActions actions(m_controller.get());
    QVERIFY(!actions.handleButton()->isEnabled());
    QVERIFY(!actions.recoverButton()->isEnabled());
    QVERIFY(actions.handleButton()->toolTip().contains(u"Select a fault"));
}

void TestFaultActions::symptomIsRefusedWithTheReason()
{
    const auto symptom = fault([](const Fault& f) { return !f.rootCause && f.target.startsWith(u"api-"); });
    QVERIFY(symptom);
    FaultActions actions(m_controller.get());
    actions.setFaultId(symptom->id);
    QVERIFY(!actions.handleButton()->isEnabled());
    QVERIFY2(actions.handleButton()->toolTip().contains(u"symptom of db-primary"),
        qPrintable(actions.handleButton()->toolTip()));
    QVERIFY(!actions.recoverButton()->isEnabled());
}

void TestFaultActions::previewListsThePlan()
{
    const auto root = fault([](const Fault& f) { return f.rootCause && f.target == u"db-primary"; });
    QVERIFY(root);
    QWidget window;
    FaultActions actions(m_controller.get(), &window);
    actions.setFaultId(root->id);
    QTRY_VERIFY_WITH_TIMEOUT(actions.handleButton()->isEnabled(), 10000);
    RemediationDialog* dialog = actions.openDialog(true);
    QVERIFY(dialog);
    const QStringList lines = dialog->stepLines();
    QVERIFY(!lines.isEmpty());
    // The restart runs the configured start command, shown as the exact argument vector before it runs.
    QVERIFY2(lines.constFirst().contains(u"restart db-primary") && lines.constFirst().contains(u"start"),
        qPrintable(lines.join(u'\n')));
    QCOMPARE(dialog->plan().target, QStringLiteral("db-primary"));
    // Which runbook, and why: no runbook is bound in the demo fleet's configuration.
    const auto* why = dialog->findChild<QLabel*>(QStringLiteral("runbookReason"));
    QVERIFY(why);
    QVERIFY2(why->text().startsWith(u"Chosen: built-in default runbook for cause down (no runbook in "),
        qPrintable(why->text()));
    QVERIFY2(why->text().endsWith(u" is bound to db-primary for down)"), qPrintable(why->text()));
    dialog->close();
}

void TestFaultActions::autoSwitchIsOffByDefault()
{
    AutoRemediationPanel panel(m_controller.get());
    QVERIFY(!panel.toggle()->isChecked());
    QVERIFY(!m_controller->autoEnabled());
    panel.toggle()->setChecked(true);
    QVERIFY(m_controller->autoEnabled());
    panel.toggle()->setChecked(false);
    QVERIFY(!m_controller->autoEnabled());
}

QTEST_MAIN(TestFaultActions)
#include "tst_faultactions.moc"
