#include "ui/mainwindow.h"

#include "config/causeclass.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "model/faultmodel.h"
#include "model/fleetmodel.h"
#include "model/timelinemodel.h"
#include "monitor/monitor.h"
#include "ui/actionlog.h"
#include "ui/chart/loadchart.h"
#include "ui/chartfeed.h"
#include "ui/drillmenu.h"
#include "ui/faultpanel.h"
#include "ui/faultproxymodel.h"
#include "ui/fleetpane.h"
#include "ui/fleetproxymodel.h"
#include "ui/notificationbar.h"
#include "ui/statussummary.h"
#include "ui/timelineproxymodel.h"
#include "ui/traynotifier.h"
#include "util/buildinfo.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QChartView>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSet>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace FaultDesk {

namespace {

QStringList groupsOf(const FleetConfig& config)
{
    QStringList groups;
    for (const TargetConfig& target : config.targets)
        groups << target.group;
    return groups;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_desktopPalette(QApplication::palette())
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(BuildInfo::applicationName());
    setWindowIcon(QIcon(QStringLiteral(":/icons/org.faultdesk.FaultDesk.svg")));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowNestedDocks | QMainWindow::AllowTabbedDocks);

    m_fleetModel = new FleetModel(this);
    m_fleetProxy = new FleetProxyModel(this);
    m_fleetProxy->setSourceModel(m_fleetModel);
    m_faultModel = new FaultModel(this);
    m_faultProxy = new FaultProxyModel(this);
    m_faultProxy->setSourceModel(m_faultModel);
    m_timelineModel = new TimelineModel(this);
    m_timelineProxy = new TimelineProxyModel(this);
    m_timelineProxy->setSourceModel(m_timelineModel);
    m_tray = new TrayNotifier(this);

    createActions();
    createCentralArea();
    createDocks();
    createMenus();
    createStatusBar();

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setInterval(1000);
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refresh);

    restoreSettings();
    applyModelAppearance();
}

MainWindow::~MainWindow() = default;

Monitor* MainWindow::monitor() const
{
    return m_monitor.data();
}

QChartView* MainWindow::chartView() const
{
    return m_chart->findChild<QChartView*>();
}

QTreeView* MainWindow::fleetView() const
{
    return m_fleetPane->view();
}

QTreeView* MainWindow::faultView() const
{
    return m_faultPanel->view();
}

void MainWindow::createActions()
{
    m_openAction = new QAction(tr("&Open Fleet…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setStatusTip(tr("Monitor the fleet described in a YAML file"));
    connect(m_openAction, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Fleet"), QString(), tr("Fleet descriptions (*.yaml *.yml);;All files (*)"));
        if (!path.isEmpty())
            Q_EMIT openFleetRequested(path);
    });

    m_exportAction = new QAction(tr("&Export Report…"), this);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportAction->setObjectName(QStringLiteral("exportReportAction"));
    setReportIncident({}, tr("Select a fault or a past incident to export its report"));
    connect(m_exportAction, &QAction::triggered, this, [this] {
        if (!m_reportIncident.isEmpty())
            Q_EMIT exportReportRequested(m_reportIncident);
    });

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_aboutAction = new QAction(tr("&About FaultDesk"), this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About FaultDesk"),
            tr("<h3>FaultDesk %1</h3><p>A desktop console for server fault detection, localization, handling "
               "and recovery.</p>")
                .arg(BuildInfo::version()));
    });

    m_softChecksAction = new QAction(tr("Show &Unconfirmed Checks"), this);
    m_softChecksAction->setObjectName(QStringLiteral("softChecksAction"));
    m_softChecksAction->setCheckable(true);
    m_softChecksAction->setStatusTip(
        tr("Show single failed checks that did not become faults (UP → SOFT → UP) in the incident timeline"));
    connect(m_softChecksAction, &QAction::toggled, m_timelineProxy, &TimelineProxyModel::setShowUnconfirmed);

    m_groupedAction = new QAction(tr("&Group Targets"), this);
    m_groupedAction->setCheckable(true);
    m_groupedAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    m_groupedAction->setStatusTip(tr("Show targets under collapsible group rows"));
    connect(m_groupedAction, &QAction::toggled, this, [this](bool grouped) { m_fleetPane->setGrouped(grouped); });

    m_focusFilterAction = new QAction(tr("&Find Target"), this);
    m_focusFilterAction->setShortcut(QKeySequence::Find);
    connect(m_focusFilterAction, &QAction::triggered, this, [this] {
        m_fleetPane->filterEdit()->setFocus(Qt::ShortcutFocusReason);
        m_fleetPane->filterEdit()->selectAll();
    });
    addAction(m_focusFilterAction);

    m_schemeGroup = new QActionGroup(this);
    m_schemeGroup->setExclusive(true);
    const std::pair<Palette::Scheme, QString> schemes[] = {
        { Palette::Scheme::System, tr("&System Colours") },
        { Palette::Scheme::Light, tr("&Light") },
        { Palette::Scheme::Dark, tr("&Dark") },
    };
    for (const auto& [scheme, label] : schemes) {
        auto* action = m_schemeGroup->addAction(label);
        action->setCheckable(true);
        action->setData(Palette::name(scheme));
        connect(action, &QAction::triggered, this, [this, scheme = scheme] { setScheme(scheme); });
    }
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("fileMenu"));
    file->addAction(m_openAction);
    file->addAction(m_exportAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->setObjectName(QStringLiteral("viewMenu"));
    m_viewMenu->addAction(m_focusFilterAction);
    m_viewMenu->addAction(m_groupedAction);
    m_viewMenu->addAction(m_softChecksAction);
    m_viewMenu->addSeparator();
    const auto docks = findChildren<QDockWidget*>();
    for (QDockWidget* dock : docks)
        m_viewMenu->addAction(dock->toggleViewAction());
    m_viewMenu->addSeparator();
    QMenu* colours = m_viewMenu->addMenu(tr("&Colours"));
    colours->addActions(m_schemeGroup->actions());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    m_helpMenuAction = help->menuAction();
    help->setObjectName(QStringLiteral("helpMenu"));
    help->addAction(m_aboutAction);

    m_drillMenu = new DrillMenu(menuBar(), m_helpMenuAction, this);
    connect(m_drillMenu, &DrillMenu::started, this,
        [this](const QString& what) { statusBar()->showMessage(tr("Drill: %1…").arg(what)); });
    connect(m_drillMenu, &DrillMenu::progress, this, [this](const QString& line) {
        // The runner's step lines are indented; the status bar shows the words.
        statusBar()->showMessage(line.trimmed(), 15000);
    });
    connect(m_drillMenu, &DrillMenu::prompt, this, [this](const QString& text) { statusBar()->showMessage(text); });
    connect(m_drillMenu, &DrillMenu::injected, this, [this](const QString& what) {
        statusBar()->showMessage(tr("Drill: %1 injected — waiting for FaultDesk to locate it").arg(what), 15000);
        Q_EMIT drillInjected(what);
    });
    // The fault the drill follows is the one on screen: its charts, its Handle and Recover.
    connect(m_drillMenu, &DrillMenu::faultToHandle, this, &MainWindow::selectFault);
    connect(m_drillMenu, &DrillMenu::finished, this, [this](const QString& what, bool ok, const QString& message) {
        if (what == u"clear") {
            statusBar()->showMessage(
                ok ? tr("Drill: every injected fault ended") : tr("Clear All failed: %1").arg(message), 10000);
        } else if (ok) {
            statusBar()->clearMessage();
            showNotice(tr("Drill %1 passed: %2").arg(what, message));
        } else {
            statusBar()->clearMessage();
            showNotification(tr("Drill %1: %2").arg(what, message), false);
        }
        Q_EMIT drillFinished(what, ok, message);
    });
}

void MainWindow::createCentralArea()
{
    auto* fleetPane = new QWidget(this);
    auto* fleetLayout = new QVBoxLayout(fleetPane);
    fleetLayout->setContentsMargins(6, 6, 6, 0);

    // The window's own notification area: new incidents appear here on every desktop, tray or not.
    m_notificationBar = new NotificationBar(fleetPane);
    fleetLayout->addWidget(m_notificationBar);
    m_fleetLayout = fleetLayout;

    m_fleetPane = new FleetPane(m_fleetModel, m_fleetProxy, m_groupedAction, fleetPane);
    connect(m_fleetPane, &FleetPane::targetsSelected, this, [this](const QStringList& targets, const QString& group) {
        m_chartTargets = targets;
        m_chartFaultId.clear();
        m_chartTitle = !group.isEmpty() ? tr("Load — group %1").arg(group)
                                        : tr("Load — %1").arg(targets.mid(0, 6).join(u", "))
                + (targets.size() > 6 ? tr(" and %n more", nullptr, int(targets.size() - 6)) : QString());
        requestChartHistory();
        refresh();
    });
    fleetLayout->addWidget(m_fleetPane, 1);

    auto* charts = new QSplitter(Qt::Vertical, this);
    charts->setObjectName(QStringLiteral("chartSplitter"));
    m_chart = new LoadChart(charts);
    m_chart->setObjectName(QStringLiteral("loadChart"));
    m_chart->setAccessibleName(tr("Load chart"));
    m_chart->setTitle(tr("Load"));
    m_chart->setValueTitle(tr("Load (utilisation)"));
    m_chart->setMinimumHeight(240);
    if (QChartView* view = chartView()) {
        view->setObjectName(QStringLiteral("chartView"));
        view->setAccessibleName(tr("Load chart"));
    }
    // An incident's second signal (the requests beside an overload's load) gets a chart of its own below, on the
    // same time window; its own rule levels stay readable on its own axis.
    m_contextChart = new LoadChart(charts);
    m_contextChart->setObjectName(QStringLiteral("contextChart"));
    m_contextChart->setAccessibleName(tr("Incident context chart"));
    m_contextChart->setMinimumHeight(200);
    m_contextChart->hide();
    for (LoadChart* chart : { m_chart, m_contextChart }) {
        // The store marks missed scrapes; a line also breaks where samples are further apart than two rounds.
        chart->setMaxGap(5000);
    }
    connect(m_chart, &LoadChart::windowChanged, this, [this](qint64 ms) {
        m_contextChart->setWindow(ms);
        requestChartHistory();
        refresh();
    });
    charts->addWidget(m_chart);
    charts->addWidget(m_contextChart);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("centralSplitter"));
    splitter->addWidget(fleetPane);
    splitter->addWidget(charts);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    setCentralWidget(splitter);
}

void MainWindow::createDocks()
{
    auto* faultDock = new QDockWidget(tr("Faults"), this);
    faultDock->setObjectName(QStringLiteral("faultDock"));
    m_faultPanel = new FaultPanel(m_faultModel, m_faultProxy, faultDock);
    connect(m_faultProxy, &QAbstractItemModel::dataChanged, this, [this] { updateFaultDetails(); });
    connect(faultView()->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MainWindow::onFaultSelectionChanged);
    faultDock->setWidget(m_faultPanel);
    addDockWidget(Qt::RightDockWidgetArea, faultDock);
    // Wide enough for the evidence sentence by default; the operator's own layout is restored later.
    resizeDocks({ faultDock }, { 580 }, Qt::Horizontal);

    m_timeline = new QTreeView(this);
    m_timeline->setObjectName(QStringLiteral("timeline"));
    m_timeline->setAccessibleName(tr("Incident timeline"));
    m_timeline->setRootIsDecorated(false);
    m_timeline->setUniformRowHeights(true);
    m_timeline->setModel(m_timelineProxy);
    m_timeline->header()->resizeSection(0, 100);
    m_timeline->header()->resizeSection(1, 120);
    m_timeline->header()->resizeSection(2, 90);
    m_timelineDock = addDock(m_timeline, tr("Incident Timeline"), QStringLiteral("timelineDock"));

    m_actionLog = new ActionLog(this);
    QDockWidget* actionDock = addDock(m_actionLog, tr("Action Log"), QStringLiteral("actionLogDock"));
    tabifyDockWidget(m_timelineDock, actionDock);
    m_timelineDock->raise();
}

QDockWidget* MainWindow::addDock(
    QWidget* widget, const QString& title, const QString& objectName, Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(widget);
    addDockWidget(area, dock);
    if (m_viewMenu) {
        // Docks added after start-up (history) join the View menu and get their remembered place back.
        m_viewMenu->insertAction(
            m_viewMenu->actions().value(m_viewMenu->actions().size() - 2), dock->toggleViewAction());
        // A dock added once the window is on screen stays hidden unless shown; one the operator had closed
        // comes back closed.
        restoreDockWidget(dock);
        const QStringList closed = QSettings().value(QStringLiteral("MainWindow/closedDocks")).toStringList();
        if (isVisible() && !closed.contains(objectName))
            dock->show();
    }
    return dock;
}

QDockWidget* MainWindow::addHistoryDock(QWidget* widget)
{
    QDockWidget* dock = addDock(widget, tr("Incident History"), QStringLiteral("historyDock"));
    if (m_timelineDock && dockWidgetArea(dock) == dockWidgetArea(m_timelineDock)) {
        tabifyDockWidget(m_timelineDock, dock);
        // The live timeline stays in front; history is one click away. On a first start keep the bottom docks
        // low so the fleet table and the chart get the room.
        m_timelineDock->raise();
        if (!QSettings().contains(QStringLiteral("MainWindow/state")))
            resizeDocks({ m_timelineDock }, { 180 }, Qt::Vertical);
    }
    return dock;
}

void MainWindow::setFaultActions(QWidget* widget)
{
    m_faultPanel->setActions(widget);
}

void MainWindow::setBanner(QWidget* banner)
{
    if (m_banner)
        m_banner->deleteLater();
    m_banner = banner;
    if (banner)
        m_fleetLayout->insertWidget(m_fleetLayout->indexOf(m_notificationBar) + 1, banner);
}

void MainWindow::createStatusBar()
{
    m_statusSummary = new StatusSummary(this);
    statusBar()->addPermanentWidget(m_statusSummary);
    statusBar()->showMessage(tr("Ready — no fleet loaded"));
}

void MainWindow::setStatusSummary(
    int up, int total, int activeFaults, bool monitorDegraded, double tickMs, int degraded, int activeIncidents)
{
    m_statusSummary->setSummary(up, total, activeFaults, monitorDegraded, tickMs, degraded, activeIncidents);
}

void MainWindow::setMonitor(Monitor* monitor)
{
    if (m_monitor)
        disconnect(m_monitor, nullptr, this, nullptr);
    m_monitor = monitor;
    m_chartTargets.clear();
    m_notified.clear();
    m_poolNotified.clear();
    m_markers.clear();
    m_chart->setMarkers({});
    Detector* detector = monitor ? monitor->detector() : nullptr;
    m_fleetModel->setDetector(detector);
    m_faultModel->setDetector(detector);
    m_timelineModel->clear();
    if (!monitor) {
        m_drillMenu->setFleet(m_demoFleet, nullptr);
        m_fleetPane->setFleetLoaded(false);
        m_refreshTimer->stop();
        setStatusSummary(0, 0, 0, false, -1);
        return;
    }
    connect(monitor, &Monitor::eventRaised, this, &MainWindow::onEvent);
    if (detector) {
        connect(detector, &Detector::targetsReset, this, [this] {
            m_fleetPane->setGroups(groupsOf(m_monitor->config()));
            m_drillMenu->rebuild();
        });
        // A root that becomes pool-level as its peers join (a surge): the incident's sentence is no longer the first
        // server's, so the notification area says what the incident is now, once.
        connect(detector, &Detector::faultChanged, this, [this](const Fault& f) {
            if (!f.rootCause || f.pool.isEmpty() || f.members.isEmpty())
                return;
            const QString incident = f.incidentId.isEmpty() ? f.id : f.incidentId;
            if (!m_notified.contains(incident) || m_poolNotified.contains(incident))
                return;
            m_poolNotified.insert(incident);
            showNotification(tr("Incident %1 is pool-wide: %2").arg(incident, f.evidence), true);
        });
    }

    QHash<QString, QStringList> labels;
    for (const TargetConfig& target : monitor->config().targets) {
        QStringList list;
        for (auto it = target.labels.cbegin(); it != target.labels.cend(); ++it)
            list << it.key() + u'=' + it.value();
        labels.insert(target.name, list);
    }
    m_fleetProxy->setTargetLabels(labels);
    m_fleetPane->setGroups(groupsOf(monitor->config()));
    m_drillMenu->setFleet(m_demoFleet, monitor);
    m_fleetPane->setFleetLoaded(true);
    statusBar()->showMessage(tr("Monitoring %n target(s) from %1", nullptr, int(monitor->config().targets.size()))
                                 .arg(monitor->config().sourceFile),
        10000);
    m_refreshTimer->start();
    refresh();
}

void MainWindow::setDemoFleet(DemoFleetProcess* fleet)
{
    m_demoFleet = fleet;
    m_drillMenu->setFleet(fleet, m_monitor);
}

void MainWindow::setRemediation(RemediationController* controller)
{
    m_drillMenu->setRemediation(controller);
    // The fault panel says "recovered" only once Recover verified it, and which step runs meanwhile.
    m_faultModel->setRemediation(controller);
}

void MainWindow::setRefreshInterval(int ms)
{
    m_refreshTimer->setInterval(ms);
}

void MainWindow::requestChartHistory()
{
    // Targets read through Prometheus have a past before this console started: fetch it for the chart's window
    // (probed targets have none to fetch; the monitor ignores them).
    if (!m_monitor || m_chartTargets.isEmpty())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_monitor->requestHistory(m_chartTargets, now - m_chart->window(), now);
}

void MainWindow::addFaultMenuActions(const QList<QAction*>& actions)
{
    if (!m_faultMenu) {
        m_faultMenu = new QMenu(tr("F&aults"), this);
        m_faultMenu->setObjectName(QStringLiteral("faultMenu"));
        menuBar()->insertMenu(m_helpMenuAction, m_faultMenu);
    }
    m_faultMenu->addActions(actions);
}

QString MainWindow::selectedFaultId() const
{
    const QModelIndexList rows = faultView()->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.constFirst().data(FaultModel::FaultIdRole).toString();
}

QStringList MainWindow::selectedFaultIds() const
{
    QStringList ids;
    for (const QModelIndex& row : faultView()->selectionModel()->selectedRows())
        ids << row.data(FaultModel::FaultIdRole).toString();
    ids.removeAll(QString());
    ids.removeDuplicates();
    return ids;
}

QStringList MainWindow::selectedTargets() const
{
    return m_fleetPane->selectedTargets();
}

QMenu* MainWindow::toolsMenu()
{
    if (!m_toolsMenu) {
        m_toolsMenu = new QMenu(tr("&Tools"), this);
        m_toolsMenu->setObjectName(QStringLiteral("toolsMenu"));
        menuBar()->insertMenu(m_helpMenuAction, m_toolsMenu);
    }
    return m_toolsMenu;
}

void MainWindow::addFleetContextAction(QAction* action)
{
    m_fleetPane->addContextAction(action);
}

void MainWindow::selectFault(const QString& faultId)
{
    const QModelIndex index = m_faultProxy->mapFromSource(m_faultModel->indexOf(faultId));
    if (!index.isValid())
        return;
    faultView()->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    faultView()->setCurrentIndex(index);
    faultView()->scrollTo(index);
}

void MainWindow::onFaultSelectionChanged()
{
    const QString id = selectedFaultId();
    updateFaultDetails();
    if (!id.isEmpty() && m_monitor) {
        const QList<Fault> incident = m_faultModel->incidentFaults(id);
        if (!incident.isEmpty()) {
            // The charts follow the fault's whole incident: its root cause, members and what breached.
            m_chartTargets
                = ChartFeed(m_monitor->config(), *m_monitor->detector(), *m_monitor->store()).select(incident).targets;
            m_chartFaultId = id;
            m_fleetPane->view()->selectionModel()->clearSelection();
            requestChartHistory();
            refresh();
        }
    }
    Q_EMIT faultSelected(id);
    Q_EMIT faultsSelected(selectedFaultIds());
}

void MainWindow::setReportIncident(const QString& incidentId, const QString& label)
{
    m_reportIncident = incidentId;
    m_exportAction->setEnabled(!incidentId.isEmpty());
    const QString tip = incidentId.isEmpty() ? label : tr("Export the report of %1").arg(label);
    m_exportAction->setToolTip(tip);
    m_exportAction->setStatusTip(tip);
}

void MainWindow::drill(const QString& kind, const QString& target)
{
    m_drillMenu->drill(kind, target);
}

void MainWindow::updateFaultDetails()
{
    const QString id = selectedFaultId();
    const QList<Fault> incident = id.isEmpty() ? QList<Fault>() : m_faultModel->incidentFaults(id);
    const auto it = std::find_if(incident.cbegin(), incident.cend(), [&](const Fault& f) { return f.id == id; });
    m_faultPanel->showDetails(it == incident.cend() ? nullptr : &*it, incident);
}

void MainWindow::onEvent(const DetectionEvent& event)
{
    m_timelineModel->addEvent(event);

    // One sentence per incident: its root cause, located; faults joining it later are in the fault panel.
    const QString incident = event.incidentId.isEmpty() ? event.faultId : event.incidentId;
    if (event.kind == DetectionEvent::Kind::FaultLocated && event.rootCause && !m_notified.contains(incident)) {
        m_notified.insert(incident);
        QString text = tr("%1 is the root cause (%2)")
                           .arg(event.target, event.cause ? causeClassName(*event.cause) : tr("unknown cause"));
        if (!event.symptoms.isEmpty())
            text += tr(", %n symptom(s): %1", nullptr, int(event.symptoms.size())).arg(event.symptoms.join(u", "));
        if (!event.evidence.isEmpty())
            text += QStringLiteral(" — ") + event.evidence;
        showNotification(event.incidentId.isEmpty() ? tr("HARD fault: %1").arg(text)
                                                    : tr("Incident %1: %2").arg(event.incidentId, text),
            true);
        // Nothing selected yet: the new root cause is the obvious next thing to look at (and to handle).
        if (selectedFaultId().isEmpty())
            QTimer::singleShot(0, this, [this, id = event.faultId] {
                if (selectedFaultId().isEmpty())
                    selectFault(id);
            });
    } else if (event.kind == DetectionEvent::Kind::MonitorDegraded) {
        showNotification(
            tr("Monitoring degraded: %1 — targets are UNKNOWN, nobody is blamed").arg(event.reason), false);
    }
}

void MainWindow::showNotification(const QString& text, bool critical)
{
    m_notificationBar->post(text, critical ? Severity::Critical : Severity::Warning);
    m_tray->notify(text, critical);
}

void MainWindow::showNotice(const QString& text)
{
    m_notificationBar->post(text, Severity::Ok);
}

void MainWindow::addActionMarker(qint64 ms, const QString& label)
{
    // The steps of one run arrive within seconds under one label: one marker says it, a stack of equal ones
    // only hides the chart.
    for (const ChartMarker& m : std::as_const(m_markers)) {
        if (m.label == label && std::abs(m.timeMs - ms) < 10000)
            return;
    }
    m_markers.append({ ms, label });
    m_chart->setMarkers(m_markers);
    m_contextChart->setMarkers(m_markers);
}

void MainWindow::appendAuditRecord(const AuditRecord& record)
{
    m_actionLog->append(record);
}

void MainWindow::refresh()
{
    if (!m_monitor)
        return;
    const Monitor::Summary summary = m_monitor->summary();
    const FleetModel::Counts counts = m_fleetModel->counts();
    QSet<QString> incidents;
    for (const Fault& fault : m_monitor->detector()->openFaults())
        incidents.insert(fault.incidentId.isEmpty() ? fault.id : fault.incidentId);
    setStatusSummary(counts.up, counts.total, summary.activeFaults, summary.degraded, summary.lastTickMs,
        counts.degraded, int(incidents.size()));
    m_tray->setSeverity(m_fleetModel->worstSeverity());
    refreshCharts();
}

void MainWindow::refreshCharts()
{
    const ChartFeed feed(m_monitor->config(), *m_monitor->detector(), *m_monitor->store());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const bool live = m_chart->followLive();
    const qint64 t0 = live ? now - m_chart->window() : m_chart->rangeStart();
    const qint64 t1 = live ? now : m_chart->rangeEnd();

    // A selected fault: the signals that breached in its incident. Else the chosen targets' load.
    QList<ChartFeed::Panel> panels;
    if (!m_chartFaultId.isEmpty())
        panels = feed.incident(m_faultModel->incidentFaults(m_chartFaultId), t0, t1);
    if (panels.isEmpty())
        panels << feed.overview(m_chartTargets, m_chartTitle, t0, t1);
    const auto show = [](LoadChart* chart, const ChartFeed::Panel& panel) {
        chart->setTitle(panel.title);
        chart->setValueTitle(panel.valueTitle);
        chart->setThresholds(panel.thresholds);
        chart->setFaultPeriods(panel.bands);
        chart->setSeries(panel.series);
    };
    show(m_chart, panels.constFirst());
    if (panels.size() > 1) {
        show(m_contextChart, panels.at(1));
        if (m_contextChart->isHidden()) {
            // Two charts of equal height: each keeps a readable value axis.
            m_contextChart->show();
            if (auto* charts = qobject_cast<QSplitter*>(m_contextChart->parentWidget()))
                charts->setSizes({ 1, 1 });
        }
    } else {
        m_contextChart->hide();
    }
}

void MainWindow::applyModelAppearance()
{
    const bool dark = Palette::isDark(QApplication::palette());
    m_fleetProxy->setDark(dark);
    m_faultProxy->setAppearance(dark, QApplication::palette().color(QPalette::PlaceholderText));
    m_timelineProxy->setDark(dark);
}

void MainWindow::setScheme(Palette::Scheme scheme)
{
    m_scheme = scheme;
    const QPalette palette = Palette::forScheme(scheme, m_desktopPalette);
    QApplication::setPalette(palette);
    applyModelAppearance();
    const QString name = Palette::name(scheme);
    for (QAction* action : m_schemeGroup->actions())
        action->setChecked(action->data().toString() == name);
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange)
        applyModelAppearance();
    QMainWindow::changeEvent(event);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("MainWindow"));
    if (!restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray()))
        resize(1400, 900);
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    if (auto* splitter = findChild<QSplitter*>(QStringLiteral("centralSplitter")))
        splitter->restoreState(settings.value(QStringLiteral("splitter")).toByteArray());
    settings.endGroup();

    settings.beginGroup(QStringLiteral("Fleet"));
    m_fleetPane->restoreSettings(settings);
    m_groupedAction->setChecked(settings.value(QStringLiteral("grouped"), false).toBool());
    settings.endGroup();

    const qint64 window = settings.value(QStringLiteral("Chart/window"), qint64(5 * 60 * 1000)).toLongLong();
    if (window > 0) {
        m_chart->setWindow(window);
        m_contextChart->setWindow(window);
    }
    setScheme(Palette::fromName(settings.value(QStringLiteral("Appearance/scheme")).toString()));
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("MainWindow"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    QStringList closedDocks;
    for (const QDockWidget* dock : findChildren<QDockWidget*>()) {
        if (dock->isHidden())
            closedDocks << dock->objectName();
    }
    settings.setValue(QStringLiteral("closedDocks"), closedDocks);
    if (auto* splitter = findChild<QSplitter*>(QStringLiteral("centralSplitter")))
        settings.setValue(QStringLiteral("splitter"), splitter->saveState());
    settings.endGroup();
    settings.beginGroup(QStringLiteral("Fleet"));
    m_fleetPane->saveSettings(settings);
    settings.setValue(QStringLiteral("grouped"), m_groupedAction->isChecked());
    settings.endGroup();
    settings.setValue(QStringLiteral("Chart/window"), m_chart->window());
    settings.setValue(QStringLiteral("Appearance/scheme"), Palette::name(m_scheme));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    m_tray->hide();
    event->accept();
}

} // namespace FaultDesk
