// Maintenance and batch Handle in the console, offscreen against the real demo fleet (faultdesk-fleetsim): a window
// created from the dialog for the selected target shows in the fleet view and the counter, reminds before it ends,
// keeps a crash from becoming a fault until it is ended; two crashed servers are handled in one batch.

#include "detect/detector.h"
#include "maintenance/maintenancecontroller.h"
#include "model/faultmodel.h"
#include "model/fleetmodel.h"
#include "remedy/remediationcontroller.h"
#include "shared/demorig.h"
#include "ui/fleetproxymodel.h"
#include "ui/maintenance/maintenanceconsole.h"
#include "ui/maintenance/maintenancecounter.h"
#include "ui/maintenance/maintenancedialog.h"
#include "ui/maintenance/maintenancewindowdialog.h"
#include "ui/mainwindow.h"
#include "ui/remedy/faultactions.h"

#include <QAction>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>

using namespace FaultDesk;
using namespace std::chrono_literals;

class TestMaintenanceConsole : public QObject
{
    Q_OBJECT

private:
    Test::DemoRig m_rig;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<MaintenanceController> m_maintenance;
    std::unique_ptr<RemediationController> m_remedy;
    MaintenanceConsole* m_console = nullptr;
    FaultActions* m_actions = nullptr;

    QModelIndex fleetRow(const QString& target, int column = FleetModel::NameColumn) const
    {
        const QAbstractItemModel* m = m_window->fleetProxy();
        for (int row = 0; row < m->rowCount(); ++row)
            if (m->index(row, 0).data(FleetModel::TargetNameRole).toString() == target)
                return m->index(row, column);
        return {};
    }
    QString fleetState(const QString& target) const
    {
        return fleetRow(target, FleetModel::StateColumn).data().toString();
    }
    std::optional<Fault> openFault(const QString& target) const
    {
        for (const Fault& f : m_rig.monitor()->detector()->openFaults())
            if (f.target == target)
                return f;
        return std::nullopt;
    }
    QString notification() const { return m_window->findChild<QLabel*>(QStringLiteral("notificationText"))->text(); }
    void selectFaults(const QStringList& ids)
    {
        QTreeView* view = m_window->faultView();
        view->selectionModel()->clearSelection();
        const QAbstractItemModel* m = view->model();
        std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
            for (int row = 0; row < m->rowCount(parent); ++row) {
                const QModelIndex i = m->index(row, 0, parent);
                if (ids.contains(i.data(FaultModel::FaultIdRole).toString()))
                    view->selectionModel()->select(i, QItemSelectionModel::Select | QItemSelectionModel::Rows);
                walk(i);
            }
        };
        walk({});
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("FaultDeskTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_maintenanceconsole"));
        QSettings().clear();
        QString error;
        QVERIFY2(m_rig.start(&error), qPrintable(error));

        m_window = std::make_unique<MainWindow>();
        m_window->setRefreshInterval(200);
        m_window->setMonitor(m_rig.monitor());

        // Wired as the console wires it (app/faultdesk/guicommands.cpp), with short intervals.
        m_maintenance = std::make_unique<MaintenanceController>();
        MaintenanceController::Settings s;
        s.checkInterval = 100ms;
        s.reminderLead = 10min;
        m_maintenance->setSettings(s);
        m_maintenance->setAuditSink(m_rig.audit());
        m_maintenance->setFleet(m_rig.monitor()->config());
        m_maintenance->setDetector(m_rig.monitor()->detector());
        m_maintenance->start();
        m_console = new MaintenanceConsole(m_window.get(), m_maintenance.get(), QStringLiteral("alice"));

        m_remedy = std::make_unique<RemediationController>(m_rig.monitor()->config(), m_rig.monitor()->detector(),
            m_rig.audit(), m_rig.lockDir(), QStringLiteral("alice"));
        m_actions = new FaultActions(m_remedy.get());
        m_window->setFaultActions(m_actions);
        connect(m_window.get(), &MainWindow::faultSelected, m_actions, &FaultActions::setFaultId);
        connect(m_window.get(), &MainWindow::faultsSelected, m_actions, &FaultActions::setFaultIds);
        m_window->show();
        QTRY_VERIFY_WITH_TIMEOUT(m_rig.monitor()->summary().up >= 8, 20000);
    }

    void cleanupTestCase()
    {
        if (m_rig.fleet())
            m_rig.fleet()->inject(QStringLiteral("clear"));
        m_window.reset();
        m_remedy.reset();
        m_maintenance.reset();
        m_rig.stop();
    }

    void menusAndCounterAreThere()
    {
        MaintenanceCounter* counter = m_console->counter();
        QVERIFY(counter->isVisible());
        QCOMPARE(counter->text(), QStringLiteral("0 in maintenance · 0 silenced"));
        m_console->setSilencedCount(3);
        QCOMPARE(counter->text(), QStringLiteral("0 in maintenance · 3 silenced"));
        m_console->setSilencedCount(0);
        QVERIFY(m_window->toolsMenu()->actions().contains(m_console->managerAction()));
        QVERIFY(m_window->fleetView()->actions().contains(m_console->startAction()));
        QVERIFY(!m_console->managerAction()->shortcut().isEmpty());
        counter->click();
        QTRY_VERIFY(m_console->manager() && m_console->manager()->isVisible());
        m_console->manager()->close();
    }

    // The operator selects web-3, starts maintenance from the context action, and crashes it on purpose.
    void windowFromTheDialogSuppressesTheCrashUntilEnded()
    {
        const QModelIndex row = fleetRow(QStringLiteral("web-3"));
        QVERIFY(row.isValid());
        m_window->fleetView()->selectionModel()->select(
            row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_console->startAction()->trigger();
        MaintenanceDialog* manager = m_console->manager();
        QVERIFY(manager);
        auto* dialog = manager->findChild<MaintenanceWindowDialog*>();
        QVERIFY(dialog);
        QCOMPARE(dialog->targetsEdit()->text(), QStringLiteral("web-3"));
        QCOMPARE(dialog->targetsEdit()->accessibleName(), QStringLiteral("Targets"));
        dialog->commentEdit()->setText(QStringLiteral("kernel upgrade"));
        // Five minutes: inside the ten-minute reminder lead at once.
        dialog->endEdit()->setDateTime(QDateTime::currentDateTime().addSecs(5 * 60 + 30));
        QSignalSpy soon(m_maintenance.get(), &MaintenanceController::endingSoon);
        dialog->accept();
        QVERIFY2(dialog->errorText().isEmpty(), qPrintable(dialog->errorText()));
        QCOMPARE(m_maintenance->activeCount(), 1);
        QTRY_COMPARE(fleetState(QStringLiteral("web-3")), QStringLiteral("maintenance"));
        QVERIFY(fleetRow(QStringLiteral("web-3"), FleetModel::StateColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("(kernel upgrade)")));
        QCOMPARE(m_console->counter()->text(), QStringLiteral("1 in maintenance · 0 silenced"));
        QCOMPARE(soon.count(), 1);
        QVERIFY2(notification().contains(QStringLiteral("Ending soon: maintenance of web-3 (kernel upgrade) ends at")),
            qPrintable(notification()));
        QCOMPARE(manager->list()->topLevelItemCount(), 1);
        QVERIFY(manager->list()->topLevelItem(0)->text(1).startsWith(QStringLiteral("running")));

        QVERIFY(m_rig.fleet()->inject(QStringLiteral("crash"), QStringLiteral("web-3")));
        QTRY_COMPARE_WITH_TIMEOUT(
            m_rig.monitor()->detector()->status(QStringLiteral("web-3"))->state, TargetState::Hard, 15000);
        QTest::qWait(1500);
        QVERIFY(!openFault(QStringLiteral("web-3")));
        QCOMPARE(fleetState(QStringLiteral("web-3")), QStringLiteral("maintenance"));

        // Ended early: web-3 is judged afresh and its crash becomes a fault at once.
        manager->list()->setCurrentItem(manager->list()->topLevelItem(0));
        QVERIFY(manager->endButton()->isEnabled());
        QTest::mouseClick(manager->endButton(), Qt::LeftButton);
        QCOMPARE(m_maintenance->activeCount(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(openFault(QStringLiteral("web-3")), 10000);
        QCOMPARE(m_console->counter()->text(), QStringLiteral("0 in maintenance · 0 silenced"));
        QTRY_VERIFY(fleetState(QStringLiteral("web-3")) != QStringLiteral("maintenance"));
        QVERIFY(manager->list()->topLevelItem(0)->text(1).startsWith(QStringLiteral("ended by alice")));
        const QList<AuditRecord> records = m_rig.audit()->records();
        QStringList runbooks;
        for (const AuditRecord& r : records)
            runbooks << r.runbook;
        QVERIFY(runbooks.contains(QStringLiteral("maintenance/start")));
        QVERIFY(runbooks.contains(QStringLiteral("maintenance/end")));
        manager->close();
    }

    // Two crashed web servers: one preview lists both plans, one click handles both, each through the gates.
    void batchHandleRunsOnTwoFaults()
    {
        QVERIFY(m_rig.fleet()->inject(QStringLiteral("crash"), QStringLiteral("web-1")));
        QTRY_VERIFY_WITH_TIMEOUT(openFault(QStringLiteral("web-1")) && openFault(QStringLiteral("web-3"))
                && openFault(QStringLiteral("web-1"))->phase == Fault::Phase::Located
                && openFault(QStringLiteral("web-3"))->phase == Fault::Phase::Located,
            20000);
        const QString a = openFault(QStringLiteral("web-1")).value_or(Fault()).id;
        const QString b = openFault(QStringLiteral("web-3")).value_or(Fault()).id;
        QVERIFY(!a.isEmpty() && !b.isEmpty());
        selectFaults({ a, b });
        QTRY_COMPARE(m_actions->faultIds().size(), 2);
        QVERIFY(m_actions->handleSelectedButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(m_remedy->canHandle(a).allowed && m_remedy->canHandle(b).allowed, 10000);

        // web-1 goes into maintenance with its fault open: the fault stays, marked; a person may still handle it,
        // and the preview says so first.
        MaintenanceWindow w;
        w.targets = { QStringLiteral("web-1") };
        w.startUtc = m_maintenance->now();
        w.endUtc = w.startUtc.addSecs(1800);
        w.comment = QStringLiteral("disk swap");
        QString error;
        const QString windowId = m_maintenance->create(w, QStringLiteral("alice"), false, &error);
        QVERIFY2(!windowId.isEmpty(), qPrintable(error));
        const std::optional<Fault> marked = openFault(QStringLiteral("web-1"));
        QVERIFY(marked);
        QVERIFY2(marked->maintenance.endsWith(QStringLiteral("(disk swap)")), qPrintable(marked->maintenance));
        QVERIFY(!marked->actionable());

        const QList<FaultActions::BatchItem> preview = m_actions->batchPreview();
        QCOMPARE(preview.size(), 2);
        for (const auto& item : preview) {
            QVERIFY2(item.allowed, qPrintable(item.lines.join(u'\n')));
            QVERIFY2(item.lines.join(u'\n').contains(QStringLiteral("restart %1").arg(item.target)),
                qPrintable(item.lines.join(u'\n')));
            QVERIFY(!item.lines.isEmpty());
            QCOMPARE(item.lines.constFirst().startsWith(QStringLiteral("warning: web-1 is in a maintenance window")),
                item.target == QStringLiteral("web-1"));
        }
        QVERIFY(m_maintenance->endNow(windowId, QStringLiteral("alice"), &error));
        QDialog* dialog = m_actions->openBatchDialog();
        QVERIFY(dialog);
        auto* tree = dialog->findChild<QTreeWidget*>(QStringLiteral("batchPreview"));
        QCOMPARE(tree->topLevelItemCount(), 2);
        QSignalSpy finished(m_remedy.get(), &RemediationController::runFinished);
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("batchRun")), Qt::LeftButton);
        QCOMPARE(tree->topLevelItem(0)->text(2), QStringLiteral("started"));
        QCOMPARE(tree->topLevelItem(1)->text(2), QStringLiteral("started"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        for (const auto& call : finished)
            QCOMPARE(call.at(2).value<RunbookOutcome>().result, RunbookOutcome::Result::Succeeded);
        QTRY_VERIFY_WITH_TIMEOUT(!openFault(QStringLiteral("web-1")) && !openFault(QStringLiteral("web-3")), 20000);
        dialog->close();
    }
};

QTEST_MAIN(TestMaintenanceConsole)
#include "tst_maintenanceconsole.moc"
