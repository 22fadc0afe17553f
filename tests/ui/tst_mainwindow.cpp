#include "detect/detectionevent.h"
#include "model/timelinemodel.h"
#include "monitor/monitor.h"
#include "ui/mainwindow.h"
#include "ui/palette.h"
#include "ui/stateappearance.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QChartView>
#include <QDateTime>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTextDocument>
#include <QTreeView>

using namespace FaultDesk;

class TestMainWindow : public QObject
{
    Q_OBJECT
private:
    static QStringList menuTitles(const QMainWindow& window)
    {
        QStringList titles;
        for (QAction* action : window.menuBar()->actions())
            titles << action->text().remove(u'&');
        return titles;
    }

    static QStringList actionTexts(const QMainWindow& window, const QString& menuName)
    {
        QStringList texts;
        auto* menu = window.findChild<QMenu*>(menuName);
        if (!menu)
            return texts;
        for (QAction* action : menu->actions())
            if (!action->isSeparator())
                texts << action->text().remove(u'&');
        return texts;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("FaultDeskTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QSettings().clear();
    }

    void hasTitleMenusAndEmptyViews()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.windowTitle(), QStringLiteral("FaultDesk"));
        QCOMPARE(menuTitles(window),
            (QStringList { QStringLiteral("File"), QStringLiteral("View"), QStringLiteral("Help") }));
        QVERIFY(actionTexts(window, QStringLiteral("fileMenu")).contains(QStringLiteral("Open Fleet…")));
        QVERIFY(actionTexts(window, QStringLiteral("fileMenu")).contains(QStringLiteral("Quit")));
        QVERIFY(actionTexts(window, QStringLiteral("helpMenu")).contains(QStringLiteral("About FaultDesk")));
        QVERIFY(window.fleetView());
        QVERIFY(window.chartView());
        QVERIFY(window.chartView()->chart());
        QCOMPARE(window.chartView()->chart()->animationOptions(), QChart::NoAnimation);
        auto* targets = window.findChild<QLabel*>(QStringLiteral("targetsLabel"));
        QVERIFY(targets);
        QCOMPARE(targets->text(), QStringLiteral("Targets up: 0/0"));
        window.setStatusSummary(7, 8, 1, true, 3.25);
        QCOMPARE(targets->text(), QStringLiteral("Targets up: 7/8"));
        QCOMPARE(
            window.findChild<QLabel*>(QStringLiteral("monitorLabel"))->text(), QStringLiteral("Monitor: DEGRADED"));
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("tickLabel"))->text(), QStringLiteral("Tick: 3.3 ms"));
        // Overloaded servers still answer: up, and counted as degraded.
        window.setStatusSummary(8, 8, 1, false, 3.25, 4);
        QCOMPARE(targets->text(), QStringLiteral("Targets up: 8/8 (4 degraded)"));
        // A pool-wide surge is one incident of six faults: the count says incidents first.
        auto* faults = window.findChild<QLabel*>(QStringLiteral("faultsLabel"));
        window.setStatusSummary(8, 8, 6, false, 3.25, 6, 1);
        QCOMPARE(faults->text(), QStringLiteral("Active incidents: 1 (6 faults)"));
        window.setStatusSummary(8, 8, 0, false, 3.25, 0, 0);
        QCOMPARE(faults->text(), QStringLiteral("Active incidents: 0"));
    }

    // The summary that calls for attention is bold and tinted; a light/dark switch re-tints it at once, with the
    // scheme's own colour (a light-scheme red on a dark status bar is hard to read at 3 a.m.).
    void statusTintsFollowTheScheme()
    {
        MainWindow window;
        window.setScheme(Palette::Scheme::Light);
        auto* faults = window.findChild<QLabel*>(QStringLiteral("faultsLabel"));
        auto* targets = window.findChild<QLabel*>(QStringLiteral("targetsLabel"));
        QVERIFY(faults && targets);
        window.setStatusSummary(8, 8, 0, false, 1.0, 0, 0);
        QCOMPARE(faults->styleSheet(), QString());
        QCOMPARE(targets->styleSheet(), QString());
        window.setStatusSummary(7, 8, 2, false, 1.0, 0, 1);
        const QString lightRed = StateAppearance::colour(Severity::Critical, false).name();
        QVERIFY2(faults->styleSheet().contains(lightRed), qPrintable(faults->styleSheet()));
        QVERIFY(faults->styleSheet().contains(QStringLiteral("bold")));
        QVERIFY(targets->styleSheet().contains(StateAppearance::colour(Severity::Warning, false).name()));
        window.setScheme(Palette::Scheme::Dark);
        const QString darkRed = StateAppearance::colour(Severity::Critical, true).name();
        QVERIFY(darkRed != lightRed);
        QTRY_VERIFY2(faults->styleSheet().contains(darkRed), qPrintable(faults->styleSheet()));
        window.setScheme(Palette::Scheme::Light);
        QTRY_VERIFY2(faults->styleSheet().contains(lightRed), qPrintable(faults->styleSheet()));
    }

    // File ▸ Export Report… exports what the operator is looking at, and says why when there is nothing.
    void exportReportFollowsTheSelectedIncident()
    {
        MainWindow window;
        QAction* action = window.exportReportAction();
        QVERIFY(window.findChild<QMenu*>(QStringLiteral("fileMenu"))->actions().contains(action));
        QVERIFY(!action->isEnabled());
        QVERIFY2(action->toolTip().contains(QStringLiteral("Select")), qPrintable(action->toolTip()));
        QSignalSpy requested(&window, &MainWindow::exportReportRequested);
        window.setReportIncident(
            QStringLiteral("20261127-0001"), QStringLiteral("incident 20261127-0001 (web-2, down)"));
        QVERIFY(action->isEnabled());
        QCOMPARE(action->toolTip(), QStringLiteral("Export the report of incident 20261127-0001 (web-2, down)"));
        action->trigger();
        QCOMPARE(requested.size(), 1);
        QCOMPARE(requested.first().first().toString(), QStringLiteral("20261127-0001"));
        window.setReportIncident({}, QStringLiteral("The incident of web-2 is still being recorded"));
        QVERIFY(!action->isEnabled());
        QCOMPARE(action->toolTip(), QStringLiteral("The incident of web-2 is still being recorded"));
        action->trigger();
        QCOMPARE(requested.size(), 1);
    }

    // Single failed checks that the next check took back stay out of the timeline unless asked for.
    void unconfirmedChecksStayOutOfTheTimeline()
    {
        Monitor monitor;
        MainWindow window;
        window.setMonitor(&monitor);
        auto* timeline = window.findChild<QTreeView*>(QStringLiteral("timeline"));
        QVERIFY(timeline);
        QAbstractItemModelTester tester(timeline->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto* show = window.findChild<QAction*>(QStringLiteral("softChecksAction"));
        QVERIFY(show);
        QVERIFY(actionTexts(window, QStringLiteral("viewMenu")).contains(QStringLiteral("Show Unconfirmed Checks")));
        QVERIFY(!show->isChecked());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        auto change = [&](TargetState from, TargetState to, qint64 at) {
            DetectionEvent e;
            e.kind = DetectionEvent::Kind::StateChanged;
            e.timeMs = at;
            e.target = QStringLiteral("api-1");
            e.from = from;
            e.to = to;
            e.reason = QStringLiteral("check failed (latency), attempt 1 of 2");
            Q_EMIT monitor.eventRaised(e);
        };
        change(TargetState::Up, TargetState::Soft, now);
        change(TargetState::Soft, TargetState::Up, now + 500);
        change(TargetState::Up, TargetState::Soft, now + 1000);
        change(TargetState::Soft, TargetState::Hard, now + 1500);
        auto visible = [&] { return timeline->model()->rowCount(); };
        QCOMPARE(window.timelineModel()->rowCount(), 4);
        QCOMPARE(visible(), 1); // SOFT -> HARD: the fault being confirmed
        QVERIFY(timeline->model()
                    ->index(0, TimelineModel::DetailsColumn)
                    .data()
                    .toString()
                    .contains(QStringLiteral("HARD")));
        show->setChecked(true);
        QCOMPARE(visible(), 4);
        change(TargetState::Up, TargetState::Soft, now + 2000);
        QCOMPARE(visible(), 5);
        show->setChecked(false);
        QCOMPARE(visible(), 1);
        window.setMonitor(nullptr);
    }

    // Alert text, probe errors and reasons come from the network: the notification bar and the timeline's tooltips
    // show their characters, never markup (a tooltip that looks like HTML would otherwise be rendered as such).
    void networkTextIsShownAsPlainText()
    {
        Monitor monitor;
        MainWindow window;
        window.setMonitor(&monitor);
        const QString hostile = QStringLiteral(
            "<img src=\"http://127.0.0.1:1/x\"><b>pwned</b> <a href=x>click</a> &lt;i&gt; \x1b]0;owned\x07 \x1b[2J");
        DetectionEvent degraded;
        degraded.kind = DetectionEvent::Kind::MonitorDegraded;
        degraded.timeMs = QDateTime::currentMSecsSinceEpoch();
        degraded.reason = hostile;
        Q_EMIT monitor.eventRaised(degraded);
        auto* label = window.findChild<QLabel*>(QStringLiteral("notificationText"));
        QVERIFY(label);
        QCOMPARE(label->textFormat(), Qt::PlainText);
        QVERIFY2(label->text().contains(hostile), qPrintable(label->text()));

        DetectionEvent change;
        change.kind = DetectionEvent::Kind::StateChanged;
        change.timeMs = degraded.timeMs + 1;
        change.target = QStringLiteral("api-1");
        change.from = TargetState::Soft;
        change.to = TargetState::Hard;
        change.reason = hostile;
        Q_EMIT monitor.eventRaised(change);
        auto* timeline = window.findChild<QTreeView*>(QStringLiteral("timeline"));
        QVERIFY(timeline && timeline->model() && timeline->model()->rowCount() > 0);
        const QString tip = timeline->model()->index(0, TimelineModel::DetailsColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(!tip.contains(u"<b>"_qs) && !tip.contains(u"<img"_qs), qPrintable(tip));
        QVERIFY2(tip.contains(u"&lt;b&gt;pwned&lt;/b&gt;"_qs), qPrintable(tip));
        // Rendered, the tooltip shows the text character for character (entities and controls included).
        QTextDocument rendered;
        rendered.setHtml(tip);
        QVERIFY2(rendered.toPlainText().contains(hostile), qPrintable(rendered.toPlainText()));
        window.setMonitor(nullptr);
    }

    // A dock added once the window is on screen (Automation, after a fleet is opened) is shown, not left hidden.
    void lateDockIsShown()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* label = new QLabel(QStringLiteral("automation"));
        QDockWidget* dock
            = window.addDock(label, QStringLiteral("Automation"), QStringLiteral("lateDock"), Qt::RightDockWidgetArea);
        QTRY_VERIFY(dock->isVisible());
        QVERIFY(label->isVisible());
        QVERIFY(dock->height() > 20);
        QVERIFY(actionTexts(window, QStringLiteral("viewMenu")).contains(QStringLiteral("Automation")));
        // The operator closes it: the next start keeps it closed.
        dock->close();
        window.close();
        MainWindow again;
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QDockWidget* back = again.addDock(
            new QLabel(QStringLiteral("automation")), QStringLiteral("Automation"), QStringLiteral("lateDock"));
        QTest::qWait(50);
        QVERIFY(!back->isVisible());
        back->toggleViewAction()->trigger();
        QVERIFY(back->isVisible());
    }

    void quitClosesCleanly()
    {
        auto* window = new MainWindow;
        window->setAttribute(Qt::WA_DeleteOnClose);
        QPointer<MainWindow> guard(window);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QAction* quit = nullptr;
        for (QAction* action : window->findChild<QMenu*>(QStringLiteral("fileMenu"))->actions())
            if (action->text() == QStringLiteral("&Quit"))
                quit = action;
        QVERIFY(quit);
        quit->trigger();
        QTRY_VERIFY(guard.isNull());
    }

    void remembersGeometryAndColours()
    {
        {
            MainWindow window;
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.resize(900, 640);
            window.setScheme(Palette::Scheme::Dark);
            QVERIFY(Palette::isDark(QApplication::palette()));
            window.close();
        }
        QApplication::setPalette(QPalette());
        MainWindow reopened;
        QCOMPARE(reopened.scheme(), Palette::Scheme::Dark);
        QVERIFY(Palette::isDark(QApplication::palette()));
        QCOMPARE(reopened.size(), QSize(900, 640));
        reopened.setScheme(Palette::Scheme::Light);
        QVERIFY(!Palette::isDark(QApplication::palette()));
        reopened.close();
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
