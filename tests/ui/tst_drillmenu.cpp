// The Drill menu against the real demo fleet (faultdesk-fleetsim and HAProxy): a drill picked from the menu is run by
// the one drill engine, which injects it into the fleet; the console shows it as one incident; the operator's Handle
// on a pool-level overload runs the pool's runbook once, and the drill scores the operator's run.

#include "detect/detector.h"
#include "drill/drillrunner.h"
#include "model/faultmodel.h"
#include "remedy/remediationcontroller.h"
#include "shared/demorig.h"
#include "ui/chart/loadchart.h"
#include "ui/drillmenu.h"
#include "ui/faultproxymodel.h"
#include "ui/mainwindow.h"
#include "ui/remedy/faultactions.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QLabel>
#include <QLineSeries>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTreeView>

#include <memory>

using namespace FaultDesk;

class TestDrillMenu : public QObject
{
    Q_OBJECT
private:
    Test::DemoRig m_rig;
    std::unique_ptr<RemediationController> m_controller;

    void attach(MainWindow& window)
    {
        window.setRefreshInterval(200);
        window.setMonitor(m_rig.monitor());
        window.setDemoFleet(m_rig.fleet());
        window.setRemediation(m_controller.get());
    }

    /// The top-level rows (incidents) of the fault panel with an open fault.
    static QList<QModelIndex> openIncidents(const QAbstractItemModel& model)
    {
        QList<QModelIndex> rows;
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex i = model.index(row, FaultModel::TargetColumn);
            if (i.data(FaultModel::OpenCountRole).toInt() > 0)
                rows << i;
        }
        return rows;
    }

    /// Every fault id of the incident row @p row: the row and the rows beneath it.
    static QStringList faultIdsOf(const QAbstractItemModel& model, const QModelIndex& row)
    {
        QStringList ids { row.data(FaultModel::FaultIdRole).toString() };
        const QModelIndex parent = row.siblingAtColumn(0);
        for (int r = 0; r < model.rowCount(parent); ++r)
            ids << model.index(r, 0, parent).data(FaultModel::FaultIdRole).toString();
        ids.removeAll(QString());
        return ids;
    }

    /// The kinds of fault fleetsim's ground truth says are active.
    QStringList activeKinds() const
    {
        QStringList kinds;
        for (const QJsonValue& f : m_rig.fleet()->truth().value(QStringLiteral("faults")).toArray())
            kinds << f.toObject().value(QStringLiteral("kind")).toString();
        return kinds;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("FaultDeskTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_drillmenu"));
        QSettings().clear();
        QString error;
        QVERIFY2(m_rig.start(&error), qPrintable(error));
        m_controller = std::make_unique<RemediationController>(
            m_rig.monitor()->config(), m_rig.detector(), m_rig.audit(), m_rig.lockDir(), QStringLiteral("alice"));
    }

    void cleanupTestCase()
    {
        if (m_rig.fleet())
            m_rig.fleet()->clear();
        m_controller.reset();
        m_rig.stop();
    }

    // The menu offers the five drills; the network paths are the ones the fleet file watches with `link:` signals.
    // The drill's one-line verdict names a pool-wide root cause as the pool's, like the fault panel.
    void summaryNamesAPoolWideRootAsThePool()
    {
        DrillOutcome outcome;
        DrillOutcome::PerFault f;
        JournalEntry named;
        named.target = QStringLiteral("web-2");
        named.cause = CauseClass::Overload;
        f.named = named;
        outcome.faults << f;
        QVERIFY2(DrillMenu::summary(outcome).contains(QStringLiteral("root cause web-2 (overload)")),
            qPrintable(DrillMenu::summary(outcome)));
        outcome.faults[0].named->pool = QStringLiteral("lb/web");
        QVERIFY2(DrillMenu::summary(outcome).contains(
                     QStringLiteral("root cause the lb/web pool (overload, began at web-2)")),
            qPrintable(DrillMenu::summary(outcome)));
    }

    void offersTheDrills()
    {
        MainWindow window;
        attach(window);
        auto* menu = window.findChild<QMenu*>(QStringLiteral("drillMenu"));
        QVERIFY(menu);
        for (const char* name : { "drill-overload", "drill-crash web-2", "drill-corruption", "drill-attack",
                 "drill-network api-1 → db-primary", "drill-clear" }) {
            QAction* action = window.findChild<QAction*>(QString::fromUtf8(name));
            QVERIFY2(action, name);
            QVERIFY2(action->isEnabled(), name);
        }
        QVERIFY(!window.findChild<QAction*>(QStringLiteral("drillStop"))->isEnabled());
        QVERIFY(!window.drillMenu()->isAutomatic());
        // Without Handle and Recover there is no drill to follow: the entries say so by being off.
        window.setRemediation(nullptr);
        QVERIFY(!window.findChild<QAction*>(QStringLiteral("drill-overload"))->isEnabled());
    }

    // A flash sale from the menu with the operator at the buttons: the fault panel shows one overload incident; the
    // operator selects all of its rows and presses Handle once — the pool's runbook runs once (the members are not
    // handled again); the engine ends the sale, the operator presses Recover, and the drill passes with one
    // incident.
    void overloadHandledByTheOperatorRunsThePoolRunbookOnce()
    {
        QTRY_VERIFY_WITH_TIMEOUT(m_rig.allUp() && m_rig.detector()->openFaults().isEmpty(), 60000);

        MainWindow window;
        attach(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy injected(&window, &MainWindow::drillInjected);
        QSignalSpy finished(&window, &MainWindow::drillFinished);
        QSignalSpy started(m_controller.get(), &RemediationController::runStarted);

        window.findChild<QAction*>(QStringLiteral("drill-overload"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(injected.size(), 1, 90000);
        QTRY_VERIFY_WITH_TIMEOUT(window.drillMenu()->runner()->phase() == DrillRunner::Phase::Handling, 60000);
        const QString root = window.drillMenu()->runner()->outcome().faults.value(0).handled->faultId;
        QTRY_COMPARE(window.selectedFaultId(), root);

        const QList<QModelIndex> incidents = openIncidents(*window.faultProxy());
        QCOMPARE(incidents.size(), 1);
        QCOMPARE(CauseClass(incidents.constFirst().data(FaultModel::CauseRole).toInt()), CauseClass::Overload);
        // The notification area first names the server that saturated first, then says the incident is the pool's.
        const auto* note = window.findChild<QLabel*>(QStringLiteral("notificationText"));
        QTRY_VERIFY_WITH_TIMEOUT(note->text().contains(QStringLiteral("is pool-wide: web pool overloaded")), 60000);
        const QStringList ids = faultIdsOf(*window.faultProxy(), incidents.constFirst());
        QVERIFY(ids.contains(root));

        // "Handle selected" over the whole incident: the gates let the root through, once.
        FaultActions actions(m_controller.get());
        const QStringList lines = actions.handleFaults(ids);
        QCOMPARE(lines.size(), ids.size());
        QTRY_VERIFY_WITH_TIMEOUT(!m_controller->isRunning(root), 60000);
        const auto run = m_controller->lastRun(root, SafetyRequest::Purpose::Handle);
        QVERIFY(run);
        QVERIFY2(run->outcome.runbook.startsWith(QStringLiteral("overload")), qPrintable(run->outcome.runbook));
        QCOMPARE(run->outcome.result, RunbookOutcome::Result::Succeeded);
        int handles = 0;
        for (const QList<QVariant>& s : std::as_const(started))
            handles += s.at(1).value<SafetyRequest::Purpose>() == SafetyRequest::Purpose::Handle ? 1 : 0;
        QCOMPARE(handles, 1);

        // The engine ends the sale; the operator recovers; the drill scores it.
        QTRY_VERIFY_WITH_TIMEOUT(window.drillMenu()->runner()->phase() == DrillRunner::Phase::Recovering, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(m_controller->canRecover(root).allowed, 60000);
        QString error;
        QVERIFY2(m_controller->recover(root, QStringLiteral("alice"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 150000);
        QCOMPARE(finished.at(0).at(0).toString(), QStringLiteral("overload"));
        QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(2).toString()));
        QVERIFY2(finished.at(0).at(2).toString().startsWith(QStringLiteral("1 incident,")),
            qPrintable(finished.at(0).at(2).toString()));
        handles = 0;
        for (const QList<QVariant>& s : std::as_const(started))
            handles += s.at(1).value<SafetyRequest::Purpose>() == SafetyRequest::Purpose::Handle ? 1 : 0;
        QCOMPARE(handles, 1);
    }
    // Picking "Cut a Network Path ▸ api-1 → db-primary": the engine injects the partition into the real fleet, the
    // console shows one incident (a network fault of api-1) and selects it, and its chart shows the path's signal
    // with its threshold. Stop ends the drill and the partition.
    void pickedNetworkDrillIsInjectedAndShownAsOneIncident()
    {
        QTRY_VERIFY_WITH_TIMEOUT(m_rig.allUp() && m_rig.detector()->openFaults().isEmpty(), 60000);
        // The flash sale before this one recovered moments ago, api-1 among its symptoms: within the aftershock
        // grace the cut would join that incident (as it should); this test is about a fault of its own.
        Detector::Settings settings = m_rig.detector()->settings();
        settings.aftershockGraceMs = 0;
        m_rig.detector()->setSettings(settings);

        MainWindow window;
        QAbstractItemModelTester tester(window.faultProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        attach(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy injected(&window, &MainWindow::drillInjected);
        QSignalSpy finished(&window, &MainWindow::drillFinished);

        QAction* pick = window.findChild<QAction*>(QStringLiteral("drill-network api-1 → db-primary"));
        QVERIFY(pick);
        pick->trigger();
        QVERIFY(window.drillMenu()->isRunning());
        QVERIFY(window.findChild<QAction*>(QStringLiteral("drillStop"))->isEnabled());
        QVERIFY(!pick->isEnabled()); // one drill at a time
        QTRY_COMPARE_WITH_TIMEOUT(injected.size(), 1, 90000);
        QCOMPARE(injected.at(0).at(0).toString(), QStringLiteral("network api-1 → db-primary"));
        QVERIFY2(activeKinds().contains(QStringLiteral("partition")), qPrintable(activeKinds().join(u',')));

        // The drill follows the located root cause and puts it on screen.
        QTRY_VERIFY_WITH_TIMEOUT(window.drillMenu()->runner()->phase() == DrillRunner::Phase::Handling, 60000);
        const DrillOutcome::PerFault followed = window.drillMenu()->runner()->outcome().faults.value(0);
        QVERIFY(followed.handled);
        QCOMPARE(followed.handled->target, QStringLiteral("api-1"));
        QCOMPARE(followed.handled->cause, CauseClass::Network);
        QTRY_COMPARE(window.selectedFaultId(), followed.handled->faultId);

        // One event, one incident: one top-level row with open faults.
        QTest::qWait(3000); // late symptoms would show up as rows of their own by now
        const QList<QModelIndex> incidents = openIncidents(*window.faultProxy());
        QCOMPARE(incidents.size(), 1);
        QCOMPARE(incidents.constFirst().data(FaultModel::TargetRole).toString(), QStringLiteral("api-1"));
        QCOMPARE(CauseClass(incidents.constFirst().data(FaultModel::CauseRole).toInt()), CauseClass::Network);

        // Its chart: the path's own signal with its threshold, not load.
        window.refresh();
        window.loadChart()->refreshNow();
        QVERIFY(window.loadChart()->lineSeries(QStringLiteral("api-1"), QStringLiteral("link_db-primary")));
        QVERIFY(!window.loadChart()->lineSeries(QStringLiteral("api-1"), QStringLiteral("load")));
        QLineSeries* threshold
            = window.loadChart()->thresholdSeries(QStringLiteral("api-1"), QStringLiteral("link_db-primary"));
        QVERIFY(threshold);
        QCOMPARE(threshold->at(0).y(), 0.5);

        // Stop: the drill ends, not passed, and leaves the fleet as it found it.
        window.findChild<QAction*>(QStringLiteral("drillStop"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished.at(0).at(0).toString(), QStringLiteral("network api-1 → db-primary"));
        QVERIFY(!finished.at(0).at(1).toBool());
        QVERIFY2(finished.at(0).at(2).toString().contains(QStringLiteral("stopped by the operator")),
            qPrintable(finished.at(0).at(2).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(!activeKinds().contains(QStringLiteral("partition")), 15000);
        QVERIFY(pick->isEnabled());
    }
};

QTEST_MAIN(TestDrillMenu)
#include "tst_drillmenu.moc"
