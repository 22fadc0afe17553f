// The console window against the real demo fleet (faultdesk-fleetsim): what an operator sees in the fleet view,
// the fault panel, the chart and the status bar, and what survives a restart.

#include "audit/auditrecord.h"
#include "audit/jsonlauditsink.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "model/faultmodel.h"
#include "model/fleetmodel.h"
#include "monitor/monitor.h"
#include "remedy/remediationcontroller.h"
#include "ui/chart/loadchart.h"
#include "ui/drillmenu.h"
#include "ui/faultproxymodel.h"
#include "ui/fleetproxymodel.h"
#include "ui/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateTime>
#include <QDockWidget>
#include <QFont>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>

#include <memory>

using namespace FaultDesk;

class TestConsoleWindow : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<DemoFleetProcess> m_fleet;
    std::unique_ptr<Monitor> m_monitor;
    QTemporaryDir m_dir;
    std::unique_ptr<JsonlAuditSink> m_audit;
    std::unique_ptr<RemediationController> m_controller; ///< the drills follow it

    static QStringList fleetNames(const QAbstractItemModel& model)
    {
        QStringList names;
        for (int row = 0; row < model.rowCount(); ++row)
            names << model.index(row, FleetModel::NameColumn).data(FleetModel::TargetNameRole).toString();
        names.sort();
        return names;
    }

    static QModelIndex rootFaultOf(const QAbstractItemModel& model, const QString& target)
    {
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex i = model.index(row, FaultModel::TargetColumn);
            if (i.data(FaultModel::TargetRole).toString() == target && i.data(FaultModel::RootCauseRole).toBool()
                && Fault::Phase(i.data(FaultModel::PhaseRole).toInt()) != Fault::Phase::Recovered)
                return i;
        }
        return {};
    }

    /// Drill ▸ Clear All: the running drill stops (not passed) and every injected fault ends.
    static void clearDrills(MainWindow& window)
    {
        QSignalSpy drills(&window, &MainWindow::drillFinished);
        window.drill(QStringLiteral("clear"));
        const auto cleared = [&] {
            return std::any_of(drills.cbegin(), drills.cend(),
                [](const QList<QVariant>& d) { return d.at(0).toString() == u"clear" && d.at(1).toBool(); });
        };
        QTRY_VERIFY_WITH_TIMEOUT(cleared(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.drillMenu()->isRunning(), 15000);
    }

    void attach(MainWindow& window)
    {
        window.setRefreshInterval(200);
        window.setMonitor(m_monitor.get());
        window.setDemoFleet(m_fleet.get());
        window.setRemediation(m_controller.get());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("FaultDeskTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_consolewindow"));
        QSettings().clear();
        qputenv("PATH", QByteArray(FAULTDESK_BIN_DIR) + ':' + qgetenv("PATH"));

        m_fleet = std::make_unique<DemoFleetProcess>();
        QString error;
        QVERIFY2(m_fleet->start(60000, &error), qPrintable(error));
        const ConfigLoadResult config = FleetConfigLoader::loadFile(m_fleet->fleetConfigPath());
        QVERIFY2(config.ok(), qPrintable(config.errors.value(0).toString()));
        m_monitor = std::make_unique<Monitor>();
        m_monitor->setConfig(*config.config);
        m_monitor->start();
        m_audit = std::make_unique<JsonlAuditSink>(m_dir.filePath(QStringLiteral("audit.jsonl")));
        QDir().mkpath(m_dir.filePath(QStringLiteral("locks")));
        m_controller = std::make_unique<RemediationController>(m_monitor->config(), m_monitor->detector(),
            m_audit.get(), m_dir.filePath(QStringLiteral("locks")), QStringLiteral("alice"));
    }

    void cleanupTestCase()
    {
        m_controller.reset();
        if (m_monitor)
            m_monitor->stop();
        if (m_fleet) {
            m_fleet->clear();
            m_fleet->stop();
        }
    }

    void listsTheDemoTargets()
    {
        MainWindow window;
        QAbstractItemModelTester tester(window.fleetProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester faultTester(
            window.faultProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        attach(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QStringList expected = m_monitor->detector()->targetNames();
        QCOMPARE(expected.size(), 8);
        QTRY_COMPARE(window.fleetProxy()->rowCount(), 8);
        QCOMPARE(fleetNames(*window.fleetProxy()), [&] {
            QStringList s = expected;
            s.sort();
            return s;
        }());
        // Within a few rounds every target has been checked and shows a state with an icon.
        QTRY_VERIFY_WITH_TIMEOUT(
            !window.fleetProxy()->index(0, FleetModel::LastCheckColumn).data().toString().isEmpty(), 15000);
        QVERIFY(
            !window.fleetProxy()->index(0, FleetModel::StateColumn).data(Qt::DecorationRole).value<QIcon>().isNull());
        // The Drill menu is there for the demo fleet.
        QVERIFY(window.findChild<QMenu*>(QStringLiteral("drillMenu")));
        QVERIFY(window.findChild<QAction*>(QStringLiteral("drill-crash web-2")));

        // Grouped: one collapsible row per group, the targets under it.
        window.findChild<QLineEdit*>(QStringLiteral("fleetFilter"))->clear();
        window.fleetModel()->setGrouped(true);
        QVERIFY(window.fleetProxy()->rowCount() >= 2);
        int members = 0;
        for (int row = 0; row < window.fleetProxy()->rowCount(); ++row)
            members += window.fleetProxy()->rowCount(window.fleetProxy()->index(row, 0));
        QCOMPARE(members, 8);
        window.fleetModel()->setGrouped(false);
    }

    void statusBarShowsTheMonitor()
    {
        MainWindow window;
        attach(window);
        window.show();
        const auto text = [&](const char* name) { return window.findChild<QLabel*>(QLatin1String(name))->text(); };
        QTRY_VERIFY_WITH_TIMEOUT(text("tickLabel") != QStringLiteral("Tick: —"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(
            text("targetsLabel"), QStringLiteral("Targets up: %1/8").arg(window.fleetModel()->counts().up), 10000);
        QVERIFY(text("targetsLabel").endsWith(QStringLiteral("/8")));
        QCOMPARE(text("monitorLabel"), QStringLiteral("Monitor: ok"));
        QVERIFY(text("faultsLabel").startsWith(QStringLiteral("Active incidents: ")));
    }

    void chartShowsSelectedTargetAndThreshold()
    {
        MainWindow window;
        attach(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QModelIndex web1
            = window.fleetProxy()->mapFromSource(window.fleetModel()->indexOf(QStringLiteral("web-1")));
        QVERIFY(web1.isValid());
        window.fleetView()->selectionModel()->select(
            web1, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(window.chartTargets(), QStringList { QStringLiteral("web-1") });
        QTRY_VERIFY_WITH_TIMEOUT(window.loadChart()->lineSeries(QStringLiteral("web-1"), QStringLiteral("load"))
                && window.loadChart()->lineSeries(QStringLiteral("web-1"), QStringLiteral("load"))->count() >= 2,
            15000);
        QVERIFY(!window.loadChart()->lineSeries(QStringLiteral("web-2"), QStringLiteral("load")));
        QLineSeries* threshold = window.loadChart()->thresholdSeries(QStringLiteral("web-1"), QStringLiteral("load"));
        QVERIFY(threshold);
        QVERIFY(threshold->count() >= 1);
        QCOMPARE(threshold->at(0).y(), 0.85); // the demo fleet's load threshold
    }

    void filterAndColumnsSurviveRestart()
    {
        int webServers = 0;
        for (const QString& name : m_monitor->detector()->targetNames())
            webServers += name.contains(QStringLiteral("web")) ? 1 : 0;
        QVERIFY(webServers > 0 && webServers < 8);
        {
            MainWindow window;
            attach(window);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.findChild<QLineEdit*>(QStringLiteral("fleetFilter"))->setText(QStringLiteral("web"));
            QTRY_COMPARE(window.fleetProxy()->rowCount(), webServers);
            QHeaderView* header = window.fleetView()->header();
            header->setSectionHidden(FleetModel::LatencyColumn, true);
            header->moveSection(header->visualIndex(FleetModel::LoadColumn), 1);
            window.close();
        }
        MainWindow reopened;
        attach(reopened);
        reopened.show();
        QCOMPARE(reopened.findChild<QLineEdit*>(QStringLiteral("fleetFilter"))->text(), QStringLiteral("web"));
        QTRY_COMPARE(reopened.fleetProxy()->rowCount(), webServers);
        QHeaderView* header = reopened.fleetView()->header();
        QVERIFY(header->isSectionHidden(FleetModel::LatencyColumn));
        QCOMPARE(header->visualIndex(FleetModel::LoadColumn), 1);
        // A grouping toggle resets the model; the columns stay as the operator left them.
        reopened.fleetModel()->setGrouped(true);
        reopened.fleetModel()->setGrouped(false);
        QVERIFY(header->isSectionHidden(FleetModel::LatencyColumn));
        QCOMPARE(header->visualIndex(FleetModel::LoadColumn), 1);
        reopened.findChild<QLineEdit*>(QStringLiteral("fleetFilter"))->clear();
        header->setSectionHidden(FleetModel::LatencyColumn, false);
        reopened.close();
    }

    void hooksForRemediationAndHistory()
    {
        MainWindow window;
        attach(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* buttons = new QWidget;
        buttons->setObjectName(QStringLiteral("faultActions"));
        window.setFaultActions(buttons);
        QVERIFY(window.findChild<QDockWidget*>(QStringLiteral("faultDock"))->isAncestorOf(buttons));

        auto* history = new QTreeView;
        QDockWidget* dock = window.addHistoryDock(history);
        QCOMPARE(dock->objectName(), QStringLiteral("historyDock"));
        QVERIFY(window.findChild<QMenu*>(QStringLiteral("viewMenu"))->actions().contains(dock->toggleViewAction()));

        AuditRecord record;
        record.actionId = QStringLiteral("a-1");
        record.phase = AuditRecord::Phase::Result;
        record.timeUtc = QDateTime::currentDateTimeUtc();
        record.operatorName = QStringLiteral("alice");
        record.target = QStringLiteral("web-2");
        record.runbook = QStringLiteral("crash/handle#1");
        record.status = QStringLiteral("ok");
        record.description = QStringLiteral("haproxy: disable server web/web-2");
        window.appendAuditRecord(record);
        auto* log = window.findChild<QTreeWidget*>(QStringLiteral("actionLog"));
        QCOMPARE(log->topLevelItemCount(), 1);
        QCOMPARE(log->topLevelItem(0)->text(3), QStringLiteral("web-2"));
        QCOMPARE(log->topLevelItem(0)->text(5), QStringLiteral("ok"));

        window.addActionMarker(QDateTime::currentMSecsSinceEpoch() - 2000, QStringLiteral("drain web-2"));
        window.loadChart()->refreshNow();
        QCOMPARE(window.loadChart()->markerItems().size(), 1);
    }

    void injectedCrashIsAHighlightedRootCause()
    {
        MainWindow window;
        attach(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // Let the baseline settle before the drill: every target checked at least once.
        QTRY_VERIFY_WITH_TIMEOUT(m_monitor->summary().up >= 7, 20000);

        QSignalSpy injected(&window, &MainWindow::drillInjected);
        QSignalSpy drills(&window, &MainWindow::drillFinished);
        window.drill(QStringLiteral("crash"), QStringLiteral("web-2"));
        QTRY_COMPARE_WITH_TIMEOUT(injected.size(), 1, 90000);
        QVERIFY(drills.isEmpty());

        QTRY_VERIFY_WITH_TIMEOUT(rootFaultOf(*window.faultProxy(), QStringLiteral("web-2")).isValid(), 20000);
        const QModelIndex root = rootFaultOf(*window.faultProxy(), QStringLiteral("web-2"));
        QVERIFY(root.data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(root.data(Qt::BackgroundRole).isValid());
        QVERIFY(root.data(Qt::DisplayRole).toString().contains(QStringLiteral("root cause")));
        QVERIFY(!window.faultView()->isHidden());
        // The window's own notification area says so.
        auto* bar = window.findChild<QWidget*>(QStringLiteral("notificationBar"));
        QTRY_VERIFY(bar->isVisible());
        QVERIFY(
            window.findChild<QLabel*>(QStringLiteral("notificationText"))->text().contains(QStringLiteral("web-2")));
        // The fleet row is emphasised too.
        const QModelIndex row = window.fleetProxy()->mapFromSource(
            window.fleetModel()->indexOf(QStringLiteral("web-2"), FleetModel::StateColumn));
        QTRY_VERIFY(row.data(Qt::DisplayRole).toString().contains(QStringLiteral("root cause")));

        // With nothing selected, the new root cause is selected for the operator.
        const QString id = root.data(FaultModel::FaultIdRole).toString();
        QTRY_COMPARE(window.selectedFaultId(), id);
        // Selecting the fault focuses the chart on it and tells the remediation panel.
        window.faultView()->clearSelection();
        QSignalSpy selected(&window, &MainWindow::faultSelected);
        window.selectFault(id);
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.at(0).at(0).toString(), id);
        QCOMPARE(window.chartTargets().value(0), QStringLiteral("web-2"));
        window.refresh();
        window.loadChart()->refreshNow();
        QVERIFY(!window.loadChart()->faultBandItems().isEmpty());
        const QString status = window.findChild<QLabel*>(QStringLiteral("faultsLabel"))->text();
        QVERIFY2(!status.endsWith(QStringLiteral(": 0")), qPrintable(status));
        QVERIFY(window.findChild<QLabel*>(QStringLiteral("faultDetails"))->text().contains(QStringLiteral("web-2")));

        clearDrills(window);
    }

    // A flash sale: the fault panel shows incidents (one row each, the rest beneath), the charts show what breached
    // — the pool's load with its threshold and clear level, and its requests below — and an overloaded server that
    // still answers counts as up in the status bar.
    void overloadShowsItsIncidentSignalsAndCountsAnsweringTargetsUp()
    {
        MainWindow window;
        QAbstractItemModelTester tester(window.faultProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        attach(window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_VERIFY_WITH_TIMEOUT(m_monitor->summary().up >= 7, 30000);
        // The crash drill before this one recovered web-2 moments ago: within the aftershock grace the surge would
        // join that incident (as it should); this test is about a surge of its own.
        Detector::Settings settings = m_monitor->detector()->settings();
        settings.aftershockGraceMs = 0;
        m_monitor->detector()->setSettings(settings);
        QSignalSpy injected(&window, &MainWindow::drillInjected);
        window.drill(QStringLiteral("overload"));
        QTRY_COMPARE_WITH_TIMEOUT(injected.size(), 1, 90000);

        const auto overloadIncident = [&] {
            for (int row = 0; row < window.faultProxy()->rowCount(); ++row) {
                const QModelIndex i = window.faultProxy()->index(row, FaultModel::TargetColumn);
                if (CauseClass(i.data(FaultModel::CauseRole).toInt()) == CauseClass::Overload
                    && i.data(FaultModel::OpenCountRole).toInt() > 0)
                    return i;
            }
            return QModelIndex();
        };
        QTRY_VERIFY_WITH_TIMEOUT(overloadIncident().isValid(), 45000);
        // Every top-level row is an incident of its own.
        QSet<QString> incidents;
        for (int row = 0; row < window.faultProxy()->rowCount(); ++row)
            incidents << window.faultProxy()->index(row, 0).data(FaultModel::IncidentIdRole).toString();
        QCOMPARE(incidents.size(), window.faultProxy()->rowCount());

        const QModelIndex incident = overloadIncident();
        const QString root = incident.data(FaultModel::TargetRole).toString();
        window.selectFault(incident.data(FaultModel::FaultIdRole).toString());
        window.refresh();
        LoadChart* chart = window.loadChart();
        chart->refreshNow();
        QVERIFY(chart->lineSeries(root, QStringLiteral("load")));
        // The pool's members are shown beside the root cause.
        const QString pool = m_monitor->detector()->status(root)->group;
        for (const TargetConfig& t : m_monitor->config().targets) {
            if (t.group == pool)
                QVERIFY2(window.chartTargets().contains(t.name), qPrintable(window.chartTargets().join(u',')));
        }
        QLineSeries* threshold = chart->thresholdSeries(QString(), QStringLiteral("load"))
            ? chart->thresholdSeries(QString(), QStringLiteral("load"))
            : chart->thresholdSeries(root, QStringLiteral("load"));
        QVERIFY(threshold);
        QCOMPARE(threshold->at(0).y(), 0.85);
        QLineSeries* clear = chart->clearLevelSeries(QString(), QStringLiteral("load"))
            ? chart->clearLevelSeries(QString(), QStringLiteral("load"))
            : chart->clearLevelSeries(root, QStringLiteral("load"));
        QVERIFY(clear);
        QCOMPARE(clear->at(0).y(), 0.70);
        QVERIFY(window.contextChart()->isVisible());
        window.contextChart()->refreshNow();
        QVERIFY(window.contextChart()->lineSeries(root, QStringLiteral("rps")));

        // The overloaded servers answer: up, and degraded.
        QTRY_VERIFY_WITH_TIMEOUT(window.fleetModel()->counts().degraded > 0, 20000);
        window.refresh();
        const FleetModel::Counts counts = window.fleetModel()->counts();
        QVERIFY2(counts.up > 2, qPrintable(QString::number(counts.up))); // v1 said "2/8" here
        QVERIFY(window.findChild<QLabel*>(QStringLiteral("targetsLabel"))->text().contains(QStringLiteral("degraded")));

        clearDrills(window);
    }
};

QTEST_MAIN(TestConsoleWindow)
#include "tst_consolewindow.moc"
