// Acknowledge from the fault panel: the actions follow the selection, the dialog requires a comment and defaults the
// operator to the login name, a batch acknowledges each selected fault and lists the one that failed; the model
// (under QAbstractItemModelTester) shows who acknowledged it and the panel mutes it; Unacknowledge takes it back.

#include "alert/acknowledgementmanager.h"
#include "alert/alertmanagersource.h"
#include "audit/auditsink.h"
#include "config/fleetconfig.h"
#include "detect/detector.h"
#include "model/faultmodel.h"
#include "ui/alert/acknowledgeactions.h"
#include "ui/alert/acknowledgedialog.h"
#include "ui/faultproxymodel.h"
#include "ui/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QFont>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QTreeView>

using namespace FaultDesk;

namespace {

class MemoryAudit : public AuditSink
{
public:
    bool append(const AuditRecord& record, QString* = nullptr) override
    {
        m_records.append(record);
        return true;
    }
    QList<AuditRecord> records() const override { return m_records; }

private:
    QList<AuditRecord> m_records;
};

QList<TargetPolicy> policies()
{
    QList<TargetPolicy> out;
    for (const QString& name : { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("db") }) {
        TargetPolicy p;
        p.name = name;
        p.attempts = 1;
        p.staleAfterMs = 3600 * 1000;
        out.append(p);
    }
    return out;
}

FleetConfig fleet()
{
    FleetConfig c;
    for (const TargetPolicy& p : policies()) {
        TargetConfig t;
        t.name = p.name;
        c.targets.append(t);
    }
    return c;
}

} // namespace

class TestAcknowledgeDialog : public QObject
{
    Q_OBJECT
private:
    struct Panel
    {
        Detector detector;
        MemoryAudit audit;
        FaultModel model;
        FaultProxyModel proxy;
        QWidget window;
        QTreeView* view = nullptr;
        std::unique_ptr<AcknowledgementManager> acks;
        std::unique_ptr<AlertmanagerSource> source;
        std::unique_ptr<QAbstractItemModelTester> tester;
        AcknowledgeActions* actions = nullptr;
    };

    static std::unique_ptr<Panel> panel()
    {
        auto p = std::make_unique<Panel>();
        p->tester = std::make_unique<QAbstractItemModelTester>(
            &p->model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        p->detector.setTargets(policies());
        p->model.setDetector(&p->detector);
        p->proxy.setSourceModel(&p->model);
        p->acks = std::make_unique<AcknowledgementManager>(&p->detector, &p->audit);
        p->model.setAcknowledgementManager(p->acks.get());
        p->view = new QTreeView(&p->window);
        p->view->setModel(&p->proxy);
        p->view->setSelectionBehavior(QAbstractItemView::SelectRows);
        p->view->setSelectionMode(QAbstractItemView::ExtendedSelection);
        p->actions = new AcknowledgeActions(p->acks.get(), p->view, &p->window);
        p->window.resize(800, 300);
        p->window.show();
        return p;
    }

    static void fail(Detector& d, const QString& target)
    {
        Observation o;
        o.target = target;
        o.timeMs = QDateTime::currentMSecsSinceEpoch();
        o.probe = Observation::Probe::Down;
        o.failureKind = Observation::FailureKind::Refused;
        o.reason = QStringLiteral("connection refused");
        d.observe(o);
        d.tick(o.timeMs);
    }

    static QModelIndex rowOf(const Panel& p, const QString& faultId, int column = FaultModel::TargetColumn)
    {
        return p.proxy.mapFromSource(p.model.indexOf(faultId, column));
    }

    static void select(Panel& p, const QStringList& faultIds)
    {
        p.view->selectionModel()->clearSelection();
        for (const QString& id : faultIds)
            p.view->selectionModel()->select(rowOf(p, id), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }

private Q_SLOTS:
    void initTestCase() { qputenv("USER", "tester"); }

    void actionsFollowTheSelection()
    {
        auto p = panel();
        fail(p->detector, QStringLiteral("web-1"));
        const QString id = p->detector.openFaults().constFirst().id;
        QVERIFY(!p->actions->acknowledgeAction()->isEnabled());
        select(*p, { id });
        QVERIFY(p->actions->acknowledgeAction()->isEnabled());
        QVERIFY(!p->actions->unacknowledgeAction()->isEnabled());
        QCOMPARE(p->actions->acknowledgeAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_K));
        QCOMPARE(p->view->contextMenuPolicy(), Qt::CustomContextMenu);
        QVERIFY(p->actions->contextMenu()->actions().contains(p->actions->acknowledgeAction()));
    }

    void dialogNeedsACommentAndClosesWhenAllSucceed()
    {
        auto p = panel();
        fail(p->detector, QStringLiteral("web-1"));
        const QString id = p->detector.openFaults().constFirst().id;
        select(*p, { id });
        AcknowledgeDialog* dialog = p->actions->openDialog();
        QVERIFY(dialog);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        QCOMPARE(dialog->operatorEdit()->text(), QStringLiteral("tester"));
        QPushButton* ok = dialog->buttons()->button(QDialogButtonBox::Ok);
        QVERIFY2(!ok->isEnabled(), "no comment, no acknowledgement");
        QTest::keyClicks(dialog->commentEdit(), QStringLiteral("   "));
        QVERIFY(!ok->isEnabled());
        QTest::keyClicks(dialog->commentEdit(), QStringLiteral("rebooting it"));
        QVERIFY(ok->isEnabled());
        QSignalSpy accepted(dialog, &QDialog::accepted);
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_COMPARE(accepted.count(), 1);

        QVERIFY(p->acks->isAcknowledged(id));
        const QModelIndex ack = p->model.indexOf(id, FaultModel::AcknowledgedColumn);
        QCOMPARE(ack.data().toString(), QStringLiteral("tester"));
        QVERIFY(ack.data(Qt::ToolTipRole).toString().contains(QStringLiteral("rebooting it")));
        QCOMPARE(ack.data(FaultModel::AcknowledgedRole).toBool(), true);
        // The panel mutes it: not bold, no critical tint.
        QCOMPARE(rowOf(*p, id).data(Qt::FontRole).value<QFont>().bold(), false);
        QVERIFY(!rowOf(*p, id).data(Qt::BackgroundRole).isValid());
        QCOMPARE(p->model.headerData(FaultModel::AcknowledgedColumn, Qt::Horizontal).toString(), QStringLiteral("Ack"));

        // Acknowledged: Acknowledge is off, Unacknowledge on; Unacknowledge takes it back.
        QVERIFY(!p->actions->acknowledgeAction()->isEnabled());
        QVERIFY(p->actions->unacknowledgeAction()->isEnabled());
        p->actions->unacknowledgeAction()->trigger();
        QVERIFY(!p->acks->isAcknowledged(id));
        QCOMPARE(p->model.indexOf(id, FaultModel::AcknowledgedColumn).data().toString(), QString());
        QCOMPARE(rowOf(*p, id).data(Qt::FontRole).value<QFont>().bold(), true);
    }

    void batchAcknowledgeListsEachFailure()
    {
        auto p = panel();
        // An Alertmanager that does not answer: the alert fault's silence fails, the probe faults need none.
        QTcpServer closed;
        closed.listen(QHostAddress::LocalHost, 0);
        const quint16 deadPort = closed.serverPort();
        closed.close();
        AlertmanagerConfig am;
        am.name = QStringLiteral("am1");
        am.url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(deadPort));
        p->source = std::make_unique<AlertmanagerSource>(am, fleet(), &p->detector);
        p->acks->addSource(p->source.get());
        fail(p->detector, QStringLiteral("web-1"));
        fail(p->detector, QStringLiteral("web-2"));
        Detector::ExternalFault alert;
        alert.source = p->source->sourceId();
        alert.key = QStringLiteral("fp1");
        alert.target = QStringLiteral("db");
        alert.evidence = QStringLiteral("Alertmanager: DiskFull firing since 12:00:00 (instance=db)");
        alert.labels = { { QStringLiteral("alertname"), QStringLiteral("DiskFull") },
            { QStringLiteral("instance"), QStringLiteral("db") } };
        const QString alertId = p->detector.raiseExternalFault(alert, QDateTime::currentMSecsSinceEpoch());
        p->detector.tick(QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(p->detector.openFaults().size(), 3);
        QStringList ids;
        for (const Fault& f : p->detector.openFaults())
            ids << f.id;
        select(*p, ids);
        QCOMPARE(p->actions->selectedFaultIds().size(), 3);

        AcknowledgeDialog* dialog = p->actions->openDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->faultIds().size(), 3);
        dialog->commentEdit()->setPlainText(QStringLiteral("network maintenance"));
        QSignalSpy batch(p->acks.get(), &AcknowledgementManager::batchFinished);
        QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(batch.count(), 1, 10000);
        QVERIFY(dialog->isFinished());
        QVERIFY2(dialog->isVisible(), "a failure keeps the dialog open");
        QCOMPARE(dialog->resultList()->count(), 3);
        int failed = 0;
        for (int i = 0; i < dialog->resultList()->count(); ++i) {
            const QListWidgetItem* item = dialog->resultList()->item(i);
            if (!item->data(Qt::UserRole + 1).toBool()) {
                ++failed;
                QCOMPARE(item->data(Qt::UserRole).toString(), alertId);
                QVERIFY2(item->text().contains(QStringLiteral("the silence failed")), qPrintable(item->text()));
            }
        }
        QCOMPARE(failed, 1);
        QVERIFY(dialog->buttons()->button(QDialogButtonBox::Close));
        // Each fault got its own acknowledgement (the alert's is kept even though its silence failed).
        for (const QString& id : std::as_const(ids)) {
            QVERIFY(p->acks->isAcknowledged(id));
            QCOMPARE(p->model.indexOf(id).data(FaultModel::AcknowledgedByRole).toString(), QStringLiteral("tester"));
        }
        QCOMPARE(p->acks->acknowledgedCount(), 3);
        QCOMPARE(p->acks->silencedCount(), 0);
        QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Close), Qt::LeftButton);

        // The source cannot confirm its faults: "monitoring degraded" on the alert's row only.
        p->model.setMonitoringDegraded({ alertId }, QStringLiteral("Alertmanager am1 unreachable"));
        QVERIFY(p->model.indexOf(alertId, FaultModel::StateColumn)
                    .data()
                    .toString()
                    .contains(QStringLiteral("monitoring degraded")));
        QVERIFY(rowOf(*p, alertId, FaultModel::StateColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("unreachable")));
        QVERIFY(!p->model.indexOf(ids.constFirst(), FaultModel::StateColumn)
                     .data()
                     .toString()
                     .contains(QStringLiteral("degraded")));
        p->model.setMonitoringDegraded({ alertId }, {});
        QVERIFY(
            !p->model.indexOf(alertId, FaultModel::StateColumn).data().toString().contains(QStringLiteral("degraded")));

        // Recovery ends an acknowledgement: a new fault on the same target is unacknowledged.
        QVERIFY(p->detector.clearExternalFault(
            alert.source, alert.key, QStringLiteral("resolved"), QDateTime::currentMSecsSinceEpoch()));
        QVERIFY(!p->acks->isAcknowledged(alertId));
        const QString again = p->detector.raiseExternalFault(alert, QDateTime::currentMSecsSinceEpoch());
        QVERIFY(again != alertId);
        QVERIFY(!p->acks->isAcknowledged(again));
    }

    void mainWindowHasAFaultsMenu()
    {
        MainWindow window;
        QAction a(QStringLiteral("Acknowledge…"));
        window.addFaultMenuActions({ &a });
        QMenu* menu = window.findChild<QMenu*>(QStringLiteral("faultMenu"));
        QVERIFY(menu);
        QVERIFY(menu->actions().contains(&a));
        QCOMPARE(window.faultView()->selectionMode(), QAbstractItemView::ExtendedSelection);
    }
};

QTEST_MAIN(TestAcknowledgeDialog)
#include "tst_acknowledgedialog.moc"
