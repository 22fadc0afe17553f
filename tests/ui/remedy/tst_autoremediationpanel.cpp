// The automation panel offscreen: the global, per-group and per-target switches act on the controller, the targets
// automation gave up on (kept in the automation state file) are listed with when and why and re-enabled by a click.
#include "audit/jsonlauditsink.h"
#include "config/fleetconfigloader.h"
#include "monitor/monitor.h"
#include "remedy/remediationcontroller.h"
#include "ui/remedy/autoremediationpanel.h"

#include <QCheckBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace FaultDesk;

class TestAutoRemediationPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void switchesPerGroupAndTarget();
};

void TestAutoRemediationPanel::switchesPerGroupAndTarget()
{
    const QByteArray yaml = "version: 1\n"
                            "targets:\n"
                            "  - { name: web-1, group: web, probes: [{ kind: tcp, address: '127.0.0.1:1' }] }\n"
                            "  - { name: web-2, group: web, probes: [{ kind: tcp, address: '127.0.0.1:2' }] }\n"
                            "  - { name: db-1, group: db, probes: [{ kind: tcp, address: '127.0.0.1:3' }] }\n";
    const ConfigLoadResult loaded = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
    QVERIFY(loaded.ok());
    Monitor monitor;
    monitor.setConfig(*loaded.config);
    QTemporaryDir dir;
    JsonlAuditSink audit(dir.filePath(QStringLiteral("audit.jsonl")));

    // A previous run: automation on, and it gave up on web-2 after its attempts.
    AutoRemediationPolicy policy;
    policy.maxAttempts = 1;
    AutoRemediationLedger ledger;
    const QDateTime gaveUp = QDateTime(QDate(2026, 11, 27), QTime(9, 30), Qt::UTC);
    ledger.recordAttempt(QStringLiteral("web-2"), 4, gaveUp, policy);
    const QString state = dir.filePath(QStringLiteral("automation.json"));
    QFile f(state);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(
        QJsonObject { { QStringLiteral("enabled"), true }, { QStringLiteral("ledger"), ledger.toJson() } })
                .toJson());
    f.close();

    RemediationController controller(
        monitor.config(), monitor.detector(), &audit, dir.filePath(QStringLiteral("locks")), QStringLiteral("alice"));
    QVERIFY(controller.setAutomationStateFile(state));
    AutoRemediationPanel panel(&controller);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(panel.toggle()->isChecked());
    QTreeWidgetItem* web = panel.item(QStringLiteral("web"));
    QTreeWidgetItem* web1 = panel.item(QStringLiteral("web-1"));
    QTreeWidgetItem* db1 = panel.item(QStringLiteral("db-1"));
    QVERIFY(web && web1 && db1 && panel.item(QStringLiteral("web-2")));
    QCOMPARE(web1->parent(), web);
    QCOMPARE(web1->checkState(AutoRemediationPanel::NameColumn), Qt::Checked);
    QCOMPARE(web1->text(AutoRemediationPanel::DecidedByColumn), QStringLiteral("global switch (on)"));

    // Web off: its targets follow, the database does not.
    web->setCheckState(AutoRemediationPanel::NameColumn, Qt::Unchecked);
    QVERIFY(!controller.autoEnabledFor(QStringLiteral("web-1")));
    QVERIFY(controller.autoEnabledFor(QStringLiteral("db-1")));
    QCOMPARE(web1->checkState(AutoRemediationPanel::NameColumn), Qt::Unchecked);
    QCOMPARE(web1->text(AutoRemediationPanel::DecidedByColumn), QStringLiteral("group web"));
    QCOMPARE(db1->checkState(AutoRemediationPanel::NameColumn), Qt::Checked);

    // web-1 on by its own switch, web-2 stays off with its group.
    web1->setCheckState(AutoRemediationPanel::NameColumn, Qt::Checked);
    QVERIFY(controller.autoEnabledFor(QStringLiteral("web-1")));
    QVERIFY(!controller.autoEnabledFor(QStringLiteral("web-2")));
    QCOMPARE(web1->text(AutoRemediationPanel::DecidedByColumn), QStringLiteral("own switch"));

    // The global switch off: the database follows it; web-1's own switch still wins.
    panel.toggle()->click();
    QVERIFY(!controller.autoEnabled());
    QCOMPARE(db1->checkState(AutoRemediationPanel::NameColumn), Qt::Unchecked);
    QVERIFY(controller.autoEnabledFor(QStringLiteral("web-1")));

    // web-2: automation gave up — when and why, and Re-enable.
    QTreeWidgetItem* web2 = panel.item(QStringLiteral("web-2"));
    QVERIFY2(
        web2->text(AutoRemediationPanel::GaveUpColumn).startsWith(u"2026-11-27 09:30:00 UTC — 1 automatic attempts"),
        qPrintable(web2->text(AutoRemediationPanel::GaveUpColumn)));
    QVERIFY(!panel.reenableButton(QStringLiteral("web-1")));
    QPushButton* reenable = panel.reenableButton(QStringLiteral("web-2"));
    QVERIFY(reenable);
    QTest::mouseClick(reenable, Qt::LeftButton);
    QVERIFY(!controller.ledger().entry(QStringLiteral("web-2")).suspended);
    QVERIFY(web2->text(AutoRemediationPanel::GaveUpColumn).isEmpty());
    QTRY_VERIFY(!panel.reenableButton(QStringLiteral("web-2")));

    // Every click is audited as the operator's and kept in the state file.
    const auto records = audit.records();
    QVERIFY(std::any_of(records.cbegin(), records.cend(), [](const AuditRecord& r) {
        return r.target == u"web-2" && r.description.contains(u"re-enabled") && r.operatorName == u"alice";
    }));
    QCOMPARE(audit.unfinished().size(), 0);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject saved = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(saved.value(u"enabled").toBool(true), false);
    QCOMPARE(saved.value(u"overrides").toObject().value(u"web").toBool(true), false);
    QCOMPARE(saved.value(u"overrides").toObject().value(u"web-1").toBool(false), true);
    QVERIFY(!saved.value(u"ledger").toObject().value(u"web-2").toObject().value(u"suspended").toBool());
}

QTEST_MAIN(TestAutoRemediationPanel)
#include "tst_autoremediationpanel.moc"
