// FaultActions offscreen against the real demo fleet: gates shown on the buttons, the plan in the dialog.
#include "detect/detector.h"
#include "remedy/remediationcontroller.h"
#include "shared/demorig.h"
#include "ui/remedy/autoremediationpanel.h"
#include "ui/remedy/faultactions.h"
#include "ui/remedy/remediationdialog.h"

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
    void whoIsActingIsShown();

private:
    std::optional<Fault> fault(const std::function<bool(const Fault&)>& match);

    Test::DemoRig m_rig;
    std::unique_ptr<RemediationController> m_controller;
};

void TestFaultActions::initTestCase()
{
    QString error;
    QVERIFY2(m_rig.start(&error), qPrintable(error));
    m_controller = std::make_unique<RemediationController>(m_rig.monitor()->config(), m_rig.monitor()->detector(),
        m_rig.audit(), m_rig.lockDir(), QStringLiteral("alice"));
    QTest::qWait(3000);
    QVERIFY(m_rig.fleet()->inject(QStringLiteral("crash"), QStringLiteral("db-primary")));
}

void TestFaultActions::cleanupTestCase()
{
    m_controller.reset();
    m_rig.stop();
}

std::optional<Fault> TestFaultActions::fault(const std::function<bool(const Fault&)>& match)
{
    return m_rig.waitForFault(match);
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

void TestFaultActions::whoIsActingIsShown()
{
    const auto root = fault([](const Fault& f) { return f.rootCause && f.target == u"db-primary"; });
    QVERIFY(root);
    FaultActions actions(m_controller.get());
    actions.setFaultId(root->id);
    const auto* acting = actions.findChild<QLabel*>(QStringLiteral("acting"));
    QVERIFY(acting);
    QCOMPARE(acting->text(), QString());
    // Someone else (another console on this host) takes db-primary's lock: the panel says who, since when.
    TargetLock held = TargetLock::tryAcquire(m_rig.lockDir(), u"db-primary"_qs, u"bob"_qs, u"crash/handle"_qs);
    QVERIFY(held.isLocked());
    QTRY_VERIFY_WITH_TIMEOUT(acting->text().startsWith(u"bob ("_qs), 10000);
    QVERIFY2(acting->text().contains(u" is handling db-primary since "_qs), qPrintable(acting->text()));
    QVERIFY(!actions.handleButton()->isEnabled());
    held.release();
    QTRY_COMPARE_WITH_TIMEOUT(acting->text(), QString(), 10000);
}

QTEST_MAIN(TestFaultActions)
#include "tst_faultactions.moc"
