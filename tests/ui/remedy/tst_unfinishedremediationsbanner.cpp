// After a restart, the remediations a previous run left unfinished (intent without result, written to the real
// incident store) are listed on the console window; Recover returns the real demo fleet's HAProxy to the recorded
// baseline and verifies it, Dismiss closes them in the audit trail.
#include "detect/detector.h"
#include "incident/incidentstore.h"
#include "remedy/haproxyclient.h"
#include "remedy/remediationcontroller.h"
#include "shared/demorig.h"
#include "ui/mainwindow.h"
#include "ui/remedy/unfinishedremediationsbanner.h"

#include <QDir>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace FaultDesk;

class TestUnfinishedRemediationsBanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void recoverRestoresTheRecordedBaseline();
    void dismissIsAudited();

private:
    std::unique_ptr<RemediationController> controller(IncidentStore* store);
    int weight(const RemediationBaseline& b, const QString& server) const;
    AuditRecord intent(const QString& id, const QString& target, const QString& description) const;

    Test::DemoRig m_rig;
    RemediationBaseline m_baseline;
};

void TestUnfinishedRemediationsBanner::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QString error;
    QVERIFY2(m_rig.start(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(m_rig.allUp(), 30000);
}

void TestUnfinishedRemediationsBanner::cleanupTestCase()
{
    m_rig.stop();
}

std::unique_ptr<RemediationController> TestUnfinishedRemediationsBanner::controller(IncidentStore* store)
{
    auto c = std::make_unique<RemediationController>(
        m_rig.monitor()->config(), m_rig.monitor()->detector(), store, m_rig.lockDir(), QStringLiteral("alice"));
    RemediationController::Settings s;
    s.pollInterval = std::chrono::milliseconds(400);
    s.waitInterval = std::chrono::milliseconds(300);
    c->setSettings(s);
    return c;
}

int TestUnfinishedRemediationsBanner::weight(const RemediationBaseline& b, const QString& server) const
{
    const auto s = HaproxyServerState::find(b.haproxy.servers, QStringLiteral("web"), server);
    return s ? s->weight : -1;
}

AuditRecord TestUnfinishedRemediationsBanner::intent(
    const QString& id, const QString& target, const QString& description) const
{
    AuditRecord r;
    r.actionId = id;
    r.phase = AuditRecord::Phase::Intent;
    r.timeUtc = QDateTime::currentDateTimeUtc().addSecs(-90);
    r.operatorName = QStringLiteral("carol");
    r.target = target;
    r.incidentId = QStringLiteral("inc-before-restart");
    r.runbook = QStringLiteral("overload/handle#1");
    r.actionKind = QStringLiteral("haproxy");
    r.description = description;
    r.baseline = m_baseline.toJson();
    return r;
}

void TestUnfinishedRemediationsBanner::recoverRestoresTheRecordedBaseline()
{
    IncidentStore::Options o;
    o.path = m_rig.path(QStringLiteral("incidents.db"));
    IncidentStore store(o);
    QString error;
    QVERIFY2(store.open(&error), qPrintable(error));
    {
        // The run before the restart: its read-back of HAProxy is the baseline its intent records.
        auto before = controller(&store);
        QTRY_VERIFY_WITH_TIMEOUT(before->current().haproxyKnown, 15000);
        m_baseline = before->current();
    }
    const int baselineWeight = weight(m_baseline, QStringLiteral("web-4"));
    QVERIFY(baselineWeight > 0 && baselineWeight != 9);
    QVERIFY(store.append(
        intent(QStringLiteral("act-1"), QStringLiteral("web-4"), QStringLiteral("set server web/web-4 weight 9")),
        &error));
    // … and it died right after changing the weight, before writing the result.
    HaproxyClient client(m_rig.monitor()->config().haproxy.constFirst().socket);
    bool changed = false;
    client.send(HaproxyCommand::setWeight(QStringLiteral("web"), QStringLiteral("web-4"), 9),
        [&](const HaproxyClient::Reply& r) { changed = r.ok; });
    QTRY_VERIFY_WITH_TIMEOUT(changed, 10000);

    // The console starts again: the banner lists what was left unfinished.
    auto after = controller(&store);
    MainWindow window;
    window.setMonitor(m_rig.monitor());
    UnfinishedRemediationsBanner* banner = UnfinishedRemediationsBanner::showIn(&window, after.get());
    QVERIFY(banner);
    QCOMPARE(window.banner(), banner);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->list()->topLevelItemCount(), 1);
    const QTreeWidgetItem* row = banner->list()->topLevelItem(0);
    QCOMPARE(row->text(UnfinishedRemediationsBanner::TargetColumn), QStringLiteral("web-4"));
    QCOMPARE(row->text(UnfinishedRemediationsBanner::OperatorColumn), QStringLiteral("carol"));
    QVERIFY(row->text(UnfinishedRemediationsBanner::ActionColumn).contains(u"set server web/web-4 weight 9"));
    QVERIFY(!row->text(UnfinishedRemediationsBanner::WhenColumn).isEmpty());

    QTRY_VERIFY_WITH_TIMEOUT(after->current().haproxyKnown, 15000);
    QCOMPARE(weight(after->current(), QStringLiteral("web-4")), 9);
    QSignalSpy finished(after.get(), &RemediationController::runFinished);
    banner->selectRow(0);
    QVERIFY(banner->recoverButton()->isEnabled());
    QTest::mouseClick(banner->recoverButton(), Qt::LeftButton);
    QVERIFY(!banner->recoverButton()->isEnabled()); // one recovery at a time
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 40000);
    QVERIFY2(finished.at(0).at(3).toBool(), qPrintable(finished.at(0).at(2).value<RunbookOutcome>().message));
    // The operator saw the steps as they ran.
    const QString output = banner->output()->toPlainText();
    QVERIFY2(output.contains(u"restore web baseline weights — ok"), qPrintable(output));
    QVERIFY2(output.contains(u"equals the baseline and is healthy — ok"), qPrintable(output));
    QCOMPARE(row->text(UnfinishedRemediationsBanner::StatusColumn), QStringLiteral("recovered and verified"));
    QVERIFY(!banner->recoverButton()->isEnabled());
    QVERIFY(!banner->dismissButton()->isEnabled());

    // HAProxy reads back the recorded baseline; the audit trail closes the intent.
    bool fresh = false;
    after->refresh([&] { fresh = true; });
    QTRY_VERIFY_WITH_TIMEOUT(fresh, 10000);
    QCOMPARE(weight(after->current(), QStringLiteral("web-4")), baselineWeight);
    QVERIFY(after->unfinished().isEmpty());
    const auto records = store.records();
    QVERIFY(std::any_of(records.cbegin(), records.cend(), [](const AuditRecord& r) {
        return r.actionId == u"act-1" && r.phase == AuditRecord::Phase::Result && r.status == u"recovered"
            && r.operatorName == u"alice";
    }));
    window.setBanner(nullptr);
}

void TestUnfinishedRemediationsBanner::dismissIsAudited()
{
    IncidentStore::Options o;
    o.path = m_rig.path(QStringLiteral("incidents.db"));
    IncidentStore store(o);
    QVERIFY(store.open());
    QVERIFY(store.append(
        intent(QStringLiteral("act-2"), QStringLiteral("web-1"), QStringLiteral("set server web/web-1 state drain"))));
    auto c = controller(&store);
    MainWindow window;
    UnfinishedRemediationsBanner* banner = UnfinishedRemediationsBanner::showIn(&window, c.get());
    QVERIFY(banner);
    QCOMPARE(banner->list()->topLevelItemCount(), 1); // the recovered one of the first test is gone
    QSignalSpy settled(banner, &UnfinishedRemediationsBanner::settled);
    banner->selectRow(0);
    QTest::mouseClick(banner->dismissButton(), Qt::LeftButton);
    QCOMPARE(settled.size(), 1);
    QCOMPARE(banner->list()->topLevelItem(0)->text(UnfinishedRemediationsBanner::StatusColumn),
        QStringLiteral("dismissed by alice"));
    const auto records = store.records();
    QVERIFY(std::any_of(records.cbegin(), records.cend(), [](const AuditRecord& r) {
        return r.actionId == u"act-2" && r.phase == AuditRecord::Phase::Result && r.status == u"dismissed"
            && r.operatorName == u"alice";
    }));
    QVERIFY(c->unfinished().isEmpty());
    // Nothing left: the next start shows no banner.
    QVERIFY(!UnfinishedRemediationsBanner::showIn(&window, c.get()));
}

QTEST_MAIN(TestUnfinishedRemediationsBanner)
#include "tst_unfinishedremediationsbanner.moc"
