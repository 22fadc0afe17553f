#include "mainwindow.h"

#include "audit/auditrecord.h"
#include "config/causeclass.h"
#include "detect/detector.h"
#include "faultproxymodel.h"
#include "fleetproxymodel.h"
#include "loadchart.h"
#include "metrics/seriesstore.h"
#include "model/faultmodel.h"
#include "model/fleetmodel.h"
#include "monitor/demofleet.h"
#include "monitor/monitor.h"
#include "plaintooltip.h"
#include "stateappearance.h"
#include "util/buildinfo.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QChartView>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace FaultDesk {

namespace {

constexpr int MaxTimelineRows = 5000;
constexpr int MaxDefaultChartTargets = 8;
const QString LoadSignalName = QStringLiteral("load");

QLabel* placeholder(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setMargin(24);
    return label;
}

QString clockText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
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
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);

    m_softChecksAction = new QAction(tr("Show &Unconfirmed Checks"), this);
    m_softChecksAction->setObjectName(QStringLiteral("softChecksAction"));
    m_softChecksAction->setCheckable(true);
    m_softChecksAction->setStatusTip(
        tr("Show single failed checks that did not become faults (UP → SOFT → UP) in the incident timeline"));
    connect(m_softChecksAction, &QAction::toggled, this, [this](bool show) {
        for (int i = 0; i < m_timeline->topLevelItemCount(); ++i) {
            QTreeWidgetItem* item = m_timeline->topLevelItem(i);
            if (item->data(0, Qt::UserRole).toBool())
                item->setHidden(!show);
        }
    });

    m_groupedAction = new QAction(tr("&Group Targets"), this);
    m_groupedAction->setCheckable(true);
    m_groupedAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    m_groupedAction->setStatusTip(tr("Show targets under collapsible group rows"));
    connect(m_groupedAction, &QAction::toggled, this, &MainWindow::setGrouped);

    m_focusFilterAction = new QAction(tr("&Find Target"), this);
    m_focusFilterAction->setShortcut(QKeySequence::Find);
    connect(m_focusFilterAction, &QAction::triggered, this, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
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

    m_drillMenu = new QMenu(tr("&Drill"), this);
    m_drillMenu->setObjectName(QStringLiteral("drillMenu"));
    m_drillMenuAction = m_drillMenu->menuAction();

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    m_helpMenuAction = help->menuAction();
    help->setObjectName(QStringLiteral("helpMenu"));
    help->addAction(m_aboutAction);
}

void MainWindow::createCentralArea()
{
    auto* fleetPane = new QWidget(this);
    auto* fleetLayout = new QVBoxLayout(fleetPane);
    fleetLayout->setContentsMargins(6, 6, 6, 0);

    // The window's own notification area: new HARD faults appear here on every desktop, tray or not.
    m_notificationBar = new QFrame(fleetPane);
    m_notificationBar->setObjectName(QStringLiteral("notificationBar"));
    m_notificationBar->setFrameShape(QFrame::StyledPanel);
    m_notificationBar->setAutoFillBackground(true);
    m_notificationBar->setAccessibleName(tr("Notification"));
    auto* barLayout = new QHBoxLayout(m_notificationBar);
    barLayout->setContentsMargins(8, 4, 4, 4);
    auto* barIcon = new QLabel(m_notificationBar);
    barIcon->setObjectName(QStringLiteral("notificationIcon"));
    m_notificationLabel = new QLabel(m_notificationBar);
    m_notificationLabel->setObjectName(QStringLiteral("notificationText"));
    m_notificationLabel->setTextFormat(Qt::PlainText); // alert text and error excerpts come from the network
    m_notificationLabel->setWordWrap(true);
    m_notificationLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* dismiss = new QToolButton(m_notificationBar);
    dismiss->setText(tr("Dismiss"));
    dismiss->setAccessibleName(tr("Dismiss notification"));
    dismiss->setAutoRaise(true);
    connect(dismiss, &QToolButton::clicked, m_notificationBar, &QWidget::hide);
    barLayout->addWidget(barIcon);
    barLayout->addWidget(m_notificationLabel, 1);
    barLayout->addWidget(dismiss);
    m_notificationBar->hide();
    fleetLayout->addWidget(m_notificationBar);
    m_fleetLayout = fleetLayout;

    auto* filterRow = new QHBoxLayout;
    m_filterEdit = new QLineEdit(fleetPane);
    m_filterEdit->setObjectName(QStringLiteral("fleetFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter targets (name, group, label)… Ctrl+F"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setAccessibleName(tr("Filter targets"));
    connect(m_filterEdit, &QLineEdit::textChanged, m_fleetProxy, &FleetProxyModel::setFilterText);
    m_groupFilter = new QComboBox(fleetPane);
    m_groupFilter->setObjectName(QStringLiteral("groupFilter"));
    m_groupFilter->addItem(tr("All groups"), QString());
    m_groupFilter->setAccessibleName(tr("Group filter"));
    m_groupFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_groupFilter, &QComboBox::currentIndexChanged, this,
        [this] { m_fleetProxy->setGroupFilter(m_groupFilter->currentData().toString()); });
    auto* groupButton = new QToolButton(fleetPane);
    groupButton->setDefaultAction(m_groupedAction);
    groupButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    groupButton->setAccessibleName(tr("Group targets"));
    filterRow->addWidget(m_filterEdit, 1);
    filterRow->addWidget(m_groupFilter);
    filterRow->addWidget(groupButton);
    fleetLayout->addLayout(filterRow);

    m_fleetStack = new QStackedWidget(fleetPane);
    m_fleetView = new QTreeView(m_fleetStack);
    m_fleetView->setObjectName(QStringLiteral("fleetView"));
    m_fleetView->setAccessibleName(tr("Fleet"));
    m_fleetView->setRootIsDecorated(false);
    m_fleetView->setAlternatingRowColors(true);
    m_fleetView->setUniformRowHeights(true);
    m_fleetView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_fleetView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_fleetView->setModel(m_fleetProxy);
    m_fleetView->setSortingEnabled(true);
    m_fleetView->sortByColumn(FleetModel::NameColumn, Qt::AscendingOrder);
    QHeaderView* header = m_fleetView->header();
    header->setSectionsMovable(true);
    header->setFirstSectionMovable(false);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    header->setDefaultSectionSize(110);
    header->resizeSection(FleetModel::StateColumn, 190);
    connect(header, &QHeaderView::customContextMenuRequested, this, &MainWindow::showHeaderMenu);
    connect(m_fleetProxy, &QAbstractItemModel::modelAboutToBeReset, this,
        [this] { m_fleetHeaderState = m_fleetView->header()->saveState(); });
    connect(m_fleetProxy, &QAbstractItemModel::modelReset, this, [this] {
        restoreFleetHeader();
        if (m_fleetModel->isGrouped())
            m_fleetView->expandAll();
    });
    connect(m_fleetView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MainWindow::onFleetSelectionChanged);
    m_fleetView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_fleetView, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        if (m_fleetContextActions.isEmpty())
            return;
        QMenu menu(this);
        menu.setObjectName(QStringLiteral("fleetContextMenu"));
        menu.addActions(m_fleetContextActions);
        menu.exec(m_fleetView->viewport()->mapToGlobal(pos));
    });

    m_fleetStack->addWidget(placeholder(
        tr("No fleet loaded.\nOpen a fleet description with File ▸ Open Fleet…, or start the demo fleet with "
           "“faultdesk demo”."),
        m_fleetStack));
    m_fleetStack->addWidget(m_fleetView);
    fleetLayout->addWidget(m_fleetStack, 1);

    m_chart = new LoadChart(this);
    m_chart->setObjectName(QStringLiteral("loadChart"));
    m_chart->setAccessibleName(tr("Load chart"));
    m_chart->setTitle(tr("Load"));
    m_chart->setValueTitle(tr("Load (utilisation)"));
    m_chart->setMinimumHeight(240);
    if (QChartView* view = chartView()) {
        view->setObjectName(QStringLiteral("chartView"));
        view->setAccessibleName(tr("Load chart"));
    }
    connect(m_chart, &LoadChart::windowChanged, this, [this] {
        requestChartHistory();
        refresh();
    });

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("centralSplitter"));
    splitter->addWidget(fleetPane);
    splitter->addWidget(m_chart);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    setCentralWidget(splitter);
}

void MainWindow::createDocks()
{
    auto* faultDock = new QDockWidget(tr("Faults"), this);
    faultDock->setObjectName(QStringLiteral("faultDock"));
    auto* faultPane = new QWidget(faultDock);
    auto* faultLayout = new QVBoxLayout(faultPane);
    faultLayout->setContentsMargins(4, 4, 4, 4);
    m_faultStack = new QStackedWidget(faultPane);
    m_faultView = new QTreeView(m_faultStack);
    m_faultView->setObjectName(QStringLiteral("faultView"));
    m_faultView->setAccessibleName(tr("Faults"));
    m_faultView->setModel(m_faultProxy);
    m_faultView->setUniformRowHeights(true);
    m_faultView->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Several faults may be selected for batch actions; the first one drives the details and the chart.
    m_faultView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_faultView->setWordWrap(false);
    m_faultView->header()->setStretchLastSection(false);
    m_faultView->header()->resizeSection(FaultModel::TargetColumn, 210);
    m_faultView->header()->resizeSection(FaultModel::CauseColumn, 80);
    m_faultView->header()->resizeSection(FaultModel::StateColumn, 80);
    m_faultView->header()->resizeSection(FaultModel::EvidenceColumn, 380);
    m_faultView->header()->resizeSection(FaultModel::SinceColumn, 70);
    m_faultStack->addWidget(placeholder(tr("No active faults — all quiet."), m_faultStack));
    m_faultStack->addWidget(m_faultView);
    const auto updateStack = [this] {
        m_faultStack->setCurrentIndex(m_faultModel->rowCount() > 0 ? 1 : 0);
        m_faultView->expandAll();
    };
    connect(m_faultProxy, &QAbstractItemModel::rowsInserted, this, updateStack);
    connect(m_faultProxy, &QAbstractItemModel::rowsRemoved, this, updateStack);
    connect(m_faultProxy, &QAbstractItemModel::rowsMoved, this, updateStack);
    connect(m_faultProxy, &QAbstractItemModel::modelReset, this, updateStack);
    connect(m_faultProxy, &QAbstractItemModel::dataChanged, this, [this] { updateFaultDetails(); });
    connect(m_faultView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MainWindow::onFaultSelectionChanged);

    m_faultDetails = new QLabel(faultPane);
    m_faultDetails->setObjectName(QStringLiteral("faultDetails"));
    m_faultDetails->setWordWrap(true);
    m_faultDetails->setTextFormat(Qt::RichText);
    m_faultDetails->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_faultDetails->setAccessibleName(tr("Fault details"));
    m_faultDetails->setMargin(4);
    m_faultDetails->hide();

    m_faultActionsLayout = new QVBoxLayout;
    m_faultActionsLayout->setContentsMargins(0, 0, 0, 0);
    faultLayout->addWidget(m_faultStack, 1);
    faultLayout->addWidget(m_faultDetails);
    faultLayout->addLayout(m_faultActionsLayout);
    faultDock->setWidget(faultPane);
    addDockWidget(Qt::RightDockWidgetArea, faultDock);
    // Wide enough for the evidence sentence by default; the operator's own layout is restored later.
    resizeDocks({ faultDock }, { 580 }, Qt::Horizontal);

    m_timeline = new QTreeWidget(this);
    m_timeline->setObjectName(QStringLiteral("timeline"));
    m_timeline->setAccessibleName(tr("Incident timeline"));
    m_timeline->setRootIsDecorated(false);
    m_timeline->setUniformRowHeights(true);
    m_timeline->setHeaderLabels({ tr("Time"), tr("Event"), tr("Target"), tr("Details") });
    m_timeline->header()->resizeSection(0, 100);
    m_timeline->header()->resizeSection(1, 120);
    m_timeline->header()->resizeSection(2, 90);
    m_timelineDock = addDock(m_timeline, tr("Incident Timeline"), QStringLiteral("timelineDock"));

    m_actionLog = new QTreeWidget(this);
    m_actionLog->setObjectName(QStringLiteral("actionLog"));
    m_actionLog->setAccessibleName(tr("Action log"));
    m_actionLog->setRootIsDecorated(false);
    m_actionLog->setUniformRowHeights(true);
    m_actionLog->setHeaderLabels(
        { tr("Time"), tr("Phase"), tr("Operator"), tr("Target"), tr("Step"), tr("Status"), tr("Action") });
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
    if (m_faultActions)
        m_faultActions->deleteLater();
    m_faultActions = widget;
    if (widget)
        m_faultActionsLayout->addWidget(widget);
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
    m_targetsLabel = new QLabel(this);
    m_targetsLabel->setObjectName(QStringLiteral("targetsLabel"));
    m_faultsLabel = new QLabel(this);
    m_faultsLabel->setObjectName(QStringLiteral("faultsLabel"));
    m_monitorLabel = new QLabel(this);
    m_monitorLabel->setObjectName(QStringLiteral("monitorLabel"));
    m_tickLabel = new QLabel(this);
    m_tickLabel->setObjectName(QStringLiteral("tickLabel"));
    statusBar()->addPermanentWidget(m_targetsLabel);
    statusBar()->addPermanentWidget(m_faultsLabel);
    statusBar()->addPermanentWidget(m_monitorLabel);
    statusBar()->addPermanentWidget(m_tickLabel);
    setStatusSummary(0, 0, 0, false, -1);
    statusBar()->showMessage(tr("Ready — no fleet loaded"));
}

void MainWindow::setStatusSummary(int up, int total, int activeFaults, bool monitorDegraded, double tickMs)
{
    m_targetsLabel->setText(tr("Targets up: %1/%2").arg(up).arg(total));
    m_faultsLabel->setText(tr("Active faults: %1").arg(activeFaults));
    m_monitorLabel->setText(monitorDegraded ? tr("Monitor: DEGRADED") : tr("Monitor: ok"));
    m_tickLabel->setText(tickMs < 0 ? tr("Tick: —")
            : tickMs < 0.05         ? tr("Tick: < 0.1 ms")
                                    : tr("Tick: %1 ms").arg(tickMs, 0, 'f', 1));
    const bool dark = Palette::isDark(palette());
    const auto tint = [dark](QLabel* label, std::optional<Severity> severity) {
        label->setStyleSheet(severity ? QStringLiteral("QLabel { color: %1; font-weight: bold; }")
                                            .arg(StateAppearance::colour(*severity, dark).name())
                                      : QString());
    };
    tint(m_faultsLabel, activeFaults > 0 ? std::optional(Severity::Critical) : std::nullopt);
    tint(m_monitorLabel, monitorDegraded ? std::optional(Severity::Warning) : std::nullopt);
    tint(m_targetsLabel, up < total ? std::optional(Severity::Warning) : std::nullopt);
}

void MainWindow::setMonitor(Monitor* monitor)
{
    if (m_monitor)
        disconnect(m_monitor, nullptr, this, nullptr);
    m_monitor = monitor;
    m_chartTargets.clear();
    m_notified.clear();
    m_markers.clear();
    m_chart->setMarkers({});
    Detector* detector = monitor ? monitor->detector() : nullptr;
    m_fleetModel->setDetector(detector);
    m_faultModel->setDetector(detector);
    if (!monitor) {
        m_fleetStack->setCurrentIndex(0);
        m_refreshTimer->stop();
        setStatusSummary(0, 0, 0, false, -1);
        return;
    }
    connect(monitor, &Monitor::eventRaised, this, &MainWindow::onEvent);
    if (detector)
        connect(detector, &Detector::targetsReset, this, [this] {
            populateGroupFilter();
            rebuildDrillMenu();
        });

    QHash<QString, QStringList> labels;
    for (const TargetConfig& target : monitor->config().targets) {
        QStringList list;
        for (auto it = target.labels.cbegin(); it != target.labels.cend(); ++it)
            list << it.key() + u'=' + it.value();
        labels.insert(target.name, list);
    }
    m_fleetProxy->setTargetLabels(labels);
    populateGroupFilter();
    rebuildDrillMenu();
    m_fleetStack->setCurrentIndex(1);
    if (m_fleetModel->isGrouped())
        m_fleetView->expandAll();
    statusBar()->showMessage(tr("Monitoring %n target(s) from %1", nullptr, int(monitor->config().targets.size()))
                                 .arg(monitor->config().sourceFile),
        10000);
    m_refreshTimer->start();
    refresh();
}

void MainWindow::setDemoFleet(DemoFleet* fleet)
{
    m_demoFleet = fleet;
    rebuildDrillMenu();
}

void MainWindow::setRefreshInterval(int ms)
{
    m_refreshTimer->setInterval(ms);
}

void MainWindow::populateGroupFilter()
{
    const QString current = m_groupFilter->count() > 1 ? m_groupFilter->currentData().toString() : m_savedGroupFilter;
    QStringList groups;
    if (m_monitor) {
        for (const TargetConfig& target : m_monitor->config().targets) {
            if (!target.group.isEmpty() && !groups.contains(target.group))
                groups << target.group;
        }
    }
    groups.sort();
    const QSignalBlocker blocker(m_groupFilter);
    m_groupFilter->clear();
    m_groupFilter->addItem(tr("All groups"), QString());
    for (const QString& group : std::as_const(groups))
        m_groupFilter->addItem(group, group);
    const int index = m_groupFilter->findData(current);
    m_groupFilter->setCurrentIndex(index < 0 ? 0 : index);
    m_fleetProxy->setGroupFilter(m_groupFilter->currentData().toString());
}

void MainWindow::rebuildDrillMenu()
{
    m_drillMenu->clear();
    const bool demo = m_demoFleet && m_monitor;
    // The Drill menu exists only while a demo fleet is watched; a real fleet never shows it.
    if (!demo) {
        menuBar()->removeAction(m_drillMenuAction);
        return;
    }
    if (!menuBar()->actions().contains(m_drillMenuAction))
        menuBar()->insertAction(m_helpMenuAction, m_drillMenuAction);
    QStringList webServers;
    for (const TargetConfig& target : m_monitor->config().targets) {
        if (target.group == u"web")
            webServers << target.name;
    }
    const auto add = [this](QMenu* menu, const QString& text, const QString& what, const QStringList& args) {
        QAction* action = menu->addAction(text);
        action->setObjectName(QStringLiteral("drill-") + what);
        connect(action, &QAction::triggered, this, [this, what, args] { runDrill(what, args); });
        return action;
    };
    add(m_drillMenu, tr("Inject &Overload"), QStringLiteral("overload"),
        { QStringLiteral("inject"), QStringLiteral("overload") });
    QMenu* crash = m_drillMenu->addMenu(tr("Inject &Crash"));
    crash->setObjectName(QStringLiteral("drillCrashMenu"));
    for (const QString& server : std::as_const(webServers))
        add(crash, server, QStringLiteral("crash ") + server,
            { QStringLiteral("inject"), QStringLiteral("crash"), server });
    add(m_drillMenu, tr("Inject C&orruption"), QStringLiteral("corruption"),
        { QStringLiteral("inject"), QStringLiteral("corruption") });
    add(m_drillMenu, tr("Inject &Attack"), QStringLiteral("attack"),
        { QStringLiteral("inject"), QStringLiteral("attack") });
    m_drillMenu->addSeparator();
    QAction* clear = add(m_drillMenu, tr("C&lear All"), QStringLiteral("clear"), { QStringLiteral("clear") });
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
}

void MainWindow::runDrill(const QString& what, const QStringList& ctlArguments)
{
    if (!m_demoFleet || !m_demoFleet->isRunning()) {
        Q_EMIT drillFinished(what, false, tr("the demo fleet is not running"));
        return;
    }
    // fleetsim's ctl answers over its runtime directory; run it as a child without waiting so the window never
    // blocks, and report when it ends.
    auto* process = new QProcess(this);
    process->setProgram(DemoFleet::findProgram());
    process->setArguments(
        QStringList { QStringLiteral("ctl"), QStringLiteral("--runtime-dir"), m_demoFleet->runtimeDirectory() }
        + ctlArguments);
    process->setStandardInputFile(QProcess::nullDevice());
    ++m_runningDrills;
    statusBar()->showMessage(tr("Drill: %1…").arg(what));
    const auto done = [this, process, what](bool ok, const QString& message) {
        --m_runningDrills;
        process->deleteLater();
        statusBar()->showMessage(
            ok ? tr("Drill: %1 — done").arg(what) : tr("Drill %1 failed: %2").arg(what, message), 10000);
        Q_EMIT drillFinished(what, ok, message);
    };
    connect(process, &QProcess::finished, this, [process, done](int code, QProcess::ExitStatus status) {
        const QString err = QString::fromLocal8Bit(process->readAllStandardError()).trimmed();
        const bool ok = status == QProcess::NormalExit && code == 0;
        done(ok, ok ? QString() : (err.isEmpty() ? QStringLiteral("exit code %1").arg(code) : err));
    });
    connect(process, &QProcess::errorOccurred, this, [process, done](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            done(false, process->errorString());
    });
    process->start();
}

void MainWindow::drill(const QString& kind, const QString& target)
{
    if (kind == u"clear") {
        runDrill(kind, { QStringLiteral("clear") });
        return;
    }
    QStringList args { QStringLiteral("inject"), kind };
    if (!target.isEmpty())
        args << target;
    runDrill(target.isEmpty() ? kind : kind + u' ' + target, args);
}

void MainWindow::setGrouped(bool grouped)
{
    if (m_fleetModel->isGrouped() == grouped)
        return;
    m_fleetModel->setGrouped(grouped);
    m_fleetView->setRootIsDecorated(grouped);
    if (grouped)
        m_fleetView->expandAll();
}

void MainWindow::showHeaderMenu(const QPoint& pos)
{
    QHeaderView* header = m_fleetView->header();
    QMenu menu(this);
    for (int column = 0; column < m_fleetProxy->columnCount(); ++column) {
        QAction* action = menu.addAction(m_fleetProxy->headerData(column, Qt::Horizontal).toString());
        action->setCheckable(true);
        action->setChecked(!header->isSectionHidden(column));
        action->setEnabled(column != FleetModel::NameColumn); // the name always stays
        connect(action, &QAction::toggled, this, [header, column](bool on) { header->setSectionHidden(column, !on); });
    }
    menu.exec(header->mapToGlobal(pos));
}

void MainWindow::restoreFleetHeader()
{
    if (!m_fleetHeaderState.isEmpty())
        m_fleetView->header()->restoreState(m_fleetHeaderState);
}

void MainWindow::onFleetSelectionChanged()
{
    const QModelIndexList rows = m_fleetView->selectionModel()->selectedRows(FleetModel::NameColumn);
    if (rows.isEmpty())
        return;
    QStringList targets;
    QStringList groups;
    for (const QModelIndex& row : rows) {
        if (row.data(FleetModel::IsGroupRole).toBool()) {
            groups << row.data().toString();
            for (int i = 0; i < m_fleetProxy->rowCount(row); ++i)
                targets
                    << m_fleetProxy->index(i, FleetModel::NameColumn, row).data(FleetModel::TargetNameRole).toString();
        } else {
            targets << row.data(FleetModel::TargetNameRole).toString();
        }
    }
    targets.removeDuplicates();
    m_chartTargets = targets;
    m_chartFaultId.clear();
    m_chartTitle = groups.size() == 1 && rows.size() == 1 ? tr("Load — group %1").arg(groups.constFirst())
                                                          : tr("Load — %1").arg(targets.mid(0, 6).join(u", "))
            + (targets.size() > 6 ? tr(" and %n more", nullptr, int(targets.size() - 6)) : QString());
    requestChartHistory();
    refresh();
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
    const QModelIndexList rows = m_faultView->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.constFirst().data(FaultModel::FaultIdRole).toString();
}

QStringList MainWindow::selectedFaultIds() const
{
    QStringList ids;
    for (const QModelIndex& row : m_faultView->selectionModel()->selectedRows())
        ids << row.data(FaultModel::FaultIdRole).toString();
    ids.removeAll(QString());
    ids.removeDuplicates();
    return ids;
}

QStringList MainWindow::selectedTargets() const
{
    QStringList targets;
    for (const QModelIndex& row : m_fleetView->selectionModel()->selectedRows(FleetModel::NameColumn)) {
        if (row.data(FleetModel::IsGroupRole).toBool()) {
            for (int i = 0; i < m_fleetProxy->rowCount(row); ++i)
                targets
                    << m_fleetProxy->index(i, FleetModel::NameColumn, row).data(FleetModel::TargetNameRole).toString();
        } else {
            targets << row.data(FleetModel::TargetNameRole).toString();
        }
    }
    targets.removeAll(QString());
    targets.removeDuplicates();
    return targets;
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
    m_fleetContextActions.append(action);
    m_fleetView->addAction(action);
}

void MainWindow::selectFault(const QString& faultId)
{
    const QModelIndex index = m_faultProxy->mapFromSource(m_faultModel->indexOf(faultId));
    if (!index.isValid())
        return;
    m_faultView->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_faultView->setCurrentIndex(index);
    m_faultView->scrollTo(index);
}

void MainWindow::onFaultSelectionChanged()
{
    const QString id = selectedFaultId();
    updateFaultDetails();
    if (!id.isEmpty() && m_monitor) {
        if (const std::optional<Fault> fault = m_monitor->detector()->fault(id)) {
            QStringList targets { fault->target };
            if (fault->rootCause)
                targets += fault->symptoms;
            else if (!fault->rootTarget.isEmpty())
                targets.prepend(fault->rootTarget);
            targets.removeDuplicates();
            m_chartTargets = targets;
            m_chartFaultId = id;
            m_chartTitle = tr("Load — %1 (%2 fault)").arg(targets.join(u", "), causeClassName(fault->cause));
            m_fleetView->selectionModel()->clearSelection();
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

void MainWindow::updateFaultDetails()
{
    const QString id = selectedFaultId();
    const std::optional<Fault> fault = (!id.isEmpty() && m_monitor) ? m_monitor->detector()->fault(id) : std::nullopt;
    if (!fault) {
        m_faultDetails->hide();
        return;
    }
    const QString role = fault->rootCause ? tr("<b>Root cause</b>") : tr("Symptom of <b>%1</b>").arg(fault->rootTarget);
    QString text
        = tr("<b>%1</b> — %2 · cause <b>%3</b> · %4 since %5")
              .arg(fault->target.toHtmlEscaped(), role, causeClassName(fault->cause), Fault::phaseName(fault->phase),
                  QDateTime::fromMSecsSinceEpoch(fault->detectedMs).toLocalTime().toString(QStringLiteral("HH:mm:ss")));
    text += QStringLiteral("<br>") + fault->evidence.toHtmlEscaped();
    if (!fault->localization.isEmpty())
        text += QStringLiteral("<br><i>") + fault->localization.toHtmlEscaped() + QStringLiteral("</i>");
    if (!fault->sources.isEmpty())
        text += QStringLiteral("<br>") + tr("Sources: %1").arg(fault->sources.join(u", ").toHtmlEscaped());
    if (!fault->maintenance.isEmpty())
        text += QStringLiteral("<br>") + tr("Maintenance: %1").arg(fault->maintenance.toHtmlEscaped());
    m_faultDetails->setText(text);
    m_faultDetails->show();
}

void MainWindow::onEvent(const DetectionEvent& event)
{
    // toText() starts with the time and the target, which have their own columns.
    QString details = event.toText().section(u' ', 1);
    if (!event.target.isEmpty() && details.startsWith(event.target + u' '))
        details = details.mid(event.target.size() + 1);
    auto* item
        = new QTreeWidgetItem({ clockText(event.timeMs), DetectionEvent::kindName(event.kind), event.target, details });
    item->setToolTip(3, plainToolTip(event.toText()));
    // A single failed check that the next one took back is not part of any incident: kept, but shown only on
    // request, so the timeline reads as detections, localizations and clears.
    const bool unconfirmed = event.kind == DetectionEvent::Kind::StateChanged
        && ((event.from == TargetState::Up && event.to == TargetState::Soft)
            || (event.from == TargetState::Soft && event.to == TargetState::Up));
    item->setData(0, Qt::UserRole, unconfirmed);
    const bool bad = event.kind == DetectionEvent::Kind::FaultDetected
        || (event.kind == DetectionEvent::Kind::FaultLocated && event.rootCause)
        || event.kind == DetectionEvent::Kind::MonitorDegraded;
    const bool dark = Palette::isDark(palette());
    if (bad)
        item->setForeground(1, StateAppearance::colour(Severity::Critical, dark));
    else if (event.kind == DetectionEvent::Kind::FaultCleared || event.kind == DetectionEvent::Kind::MonitorRecovered)
        item->setForeground(1, StateAppearance::colour(Severity::Ok, dark));
    m_timeline->insertTopLevelItem(0, item);
    item->setHidden(unconfirmed && !m_softChecksAction->isChecked());
    while (m_timeline->topLevelItemCount() > MaxTimelineRows)
        delete m_timeline->takeTopLevelItem(m_timeline->topLevelItemCount() - 1);

    if (event.kind == DetectionEvent::Kind::FaultLocated && event.rootCause && !m_notified.contains(event.faultId)) {
        m_notified.insert(event.faultId);
        QString text = tr("HARD fault: %1 is the root cause (%2)")
                           .arg(event.target, event.cause ? causeClassName(*event.cause) : tr("unknown cause"));
        if (!event.symptoms.isEmpty())
            text += tr(", %n symptom(s): %1", nullptr, int(event.symptoms.size())).arg(event.symptoms.join(u", "));
        if (!event.evidence.isEmpty())
            text += QStringLiteral(" — ") + event.evidence;
        showNotification(text, true);
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
    showBanner(text, critical ? Severity::Critical : Severity::Warning);
    if (m_tray && m_tray->isVisible())
        m_tray->showMessage(
            BuildInfo::applicationName(), text, critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Warning, 10000);
}

void MainWindow::showNotice(const QString& text)
{
    showBanner(text, Severity::Ok);
}

void MainWindow::showBanner(const QString& text, Severity severity)
{
    const bool dark = Palette::isDark(palette());
    QColor background = StateAppearance::colour(severity, dark);
    background.setAlpha(dark ? 90 : 45);
    m_notificationBar->setStyleSheet(QStringLiteral("QFrame#notificationBar { background: rgba(%1,%2,%3,%4); "
                                                    "border: 1px solid %5; border-radius: 3px; }")
                                         .arg(background.red())
                                         .arg(background.green())
                                         .arg(background.blue())
                                         .arg(background.alpha())
                                         .arg(StateAppearance::colour(severity, dark).name()));
    if (auto* icon = m_notificationBar->findChild<QLabel*>(QStringLiteral("notificationIcon")))
        icon->setPixmap(StateAppearance::icon(severity, dark).pixmap(16, 16));
    m_notificationLabel->setText(
        QStringLiteral("%1 %2").arg(clockText(QDateTime::currentMSecsSinceEpoch()).left(8), text));
    m_notificationBar->show();
}

void MainWindow::updateTray()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(this);
        m_tray->setObjectName(QStringLiteral("trayIcon"));
        connect(m_tray, &QSystemTrayIcon::activated, this, [this] {
            showNormal();
            raise();
            activateWindow();
        });
    }
    Severity worst = Severity::Ok;
    if (m_monitor) {
        for (const TargetStatus& status : m_monitor->detector()->statuses())
            worst = std::max(worst, status.severity());
    }
    const QString tip = tr("FaultDesk — %1").arg(StateAppearance::text(worst));
    if (m_tray->toolTip() != tip) {
        m_tray->setIcon(StateAppearance::icon(worst, false));
        m_tray->setToolTip(tip);
    }
    // Shown once it has an icon: a tray entry without one is an empty slot on the panel.
    if (!m_tray->isVisible())
        m_tray->show();
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
}

void MainWindow::appendAuditRecord(const AuditRecord& record)
{
    const QString time = record.timeUtc.isValid() ? clockText(record.timeUtc.toMSecsSinceEpoch()) : QString();
    auto* item = new QTreeWidgetItem({ time, record.phase == AuditRecord::Phase::Intent ? tr("intent") : tr("result"),
        record.operatorName, record.target, record.runbook, record.status, record.description });
    QString tip = record.description;
    if (!record.outputExcerpt.isEmpty())
        tip += u'\n' + record.outputExcerpt;
    item->setToolTip(6, plainToolTip(tip));
    if (record.phase == AuditRecord::Phase::Result) {
        const bool ok = record.status == u"ok";
        item->setForeground(
            5, StateAppearance::colour(ok ? Severity::Ok : Severity::Critical, Palette::isDark(palette())));
    }
    m_actionLog->insertTopLevelItem(0, item);
    while (m_actionLog->topLevelItemCount() > MaxTimelineRows)
        delete m_actionLog->takeTopLevelItem(m_actionLog->topLevelItemCount() - 1);
}

void MainWindow::refresh()
{
    if (!m_monitor)
        return;
    const Monitor::Summary summary = m_monitor->summary();
    setStatusSummary(summary.up, summary.total, summary.activeFaults, summary.degraded, summary.lastTickMs);
    updateTray();

    Detector* detector = m_monitor->detector();
    SeriesStore* store = m_monitor->store();
    QStringList targets = m_chartTargets;
    QString title = m_chartTitle;
    if (!m_chartFaultId.isEmpty()) {
        // The fault may be re-classified while shown: the title follows its current cause.
        if (const std::optional<Fault> fault = detector->fault(m_chartFaultId))
            title = tr("Load — %1 (%2 fault)").arg(targets.join(u", "), causeClassName(fault->cause));
    }
    if (targets.isEmpty()) {
        // Nothing chosen: the root causes of open faults, else the first few targets.
        for (const Fault& fault : detector->openFaults()) {
            if (fault.rootCause)
                targets << fault.target;
        }
        if (targets.isEmpty())
            targets = detector->targetNames().mid(0, MaxDefaultChartTargets);
        title = tr("Load — %1")
                    .arg(targets.size() > 6 ? tr("all %n targets", nullptr, int(targets.size())) : targets.join(u", "));
    }
    m_chart->setTitle(title);

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const bool live = m_chart->followLive();
    const qint64 t0 = live ? now - m_chart->window() : m_chart->rangeStart();
    const qint64 t1 = live ? now : m_chart->rangeEnd();
    const double gap = 1.5 * double(store->stepMs());

    QList<ChartSeries> series;
    QList<ChartThreshold> thresholds;
    QList<ChartBand> bands;
    const QSet<QString> shown(targets.cbegin(), targets.cend());
    for (const QString& target : std::as_const(targets)) {
        ChartSeries line { target, LoadSignalName, QString(), {}, {} };
        const SeriesStore::SeriesId id = store->find(target, LoadSignalName);
        if (id >= 0) {
            const std::vector<SeriesPoint> points = store->range(id, t0, t1);
            line.points.reserve(qsizetype(points.size()) + 16);
            qint64 previous = -1;
            for (const SeriesPoint& p : points) {
                if (previous >= 0 && double(p.timeMs - previous) > gap)
                    line.points.append(
                        QPointF(double(previous + store->stepMs()), std::numeric_limits<double>::quiet_NaN()));
                line.points.append(QPointF(double(p.timeMs), p.value));
                previous = p.timeMs;
            }
        }
        series << line;
        if (const std::optional<TargetStatus> status = detector->status(target)) {
            for (const EffectiveThreshold& threshold : status->thresholds) {
                if (threshold.signal == LoadSignalName)
                    thresholds << ChartThreshold { target, LoadSignalName, { QPointF(0, threshold.enter) } };
            }
        }
    }
    for (const Fault& fault : detector->faults()) {
        if (!shown.contains(fault.target))
            continue;
        const qint64 end = fault.phase == Fault::Phase::Recovered ? fault.clearedMs : -1;
        if (end >= 0 && end < t0)
            continue;
        bands << ChartBand { fault.detectedMs, end, causeClassName(fault.cause) + u' ' + fault.target };
    }
    m_chart->setThresholds(thresholds);
    m_chart->setFaultPeriods(bands);
    m_chart->setSeries(series);
}

void MainWindow::applyModelAppearance()
{
    const bool dark = Palette::isDark(QApplication::palette());
    m_fleetProxy->setDark(dark);
    m_faultProxy->setAppearance(dark, QApplication::palette().color(QPalette::PlaceholderText));
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
    m_fleetHeaderState = settings.value(QStringLiteral("header")).toByteArray();
    restoreFleetHeader();
    m_filterEdit->setText(settings.value(QStringLiteral("filter")).toString());
    m_savedGroupFilter = settings.value(QStringLiteral("group")).toString();
    m_groupedAction->setChecked(settings.value(QStringLiteral("grouped"), false).toBool());
    settings.endGroup();

    const qint64 window = settings.value(QStringLiteral("Chart/window"), qint64(5 * 60 * 1000)).toLongLong();
    if (window > 0)
        m_chart->setWindow(window);
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
    settings.setValue(QStringLiteral("header"), m_fleetView->header()->saveState());
    settings.setValue(QStringLiteral("filter"), m_filterEdit->text());
    settings.setValue(QStringLiteral("group"),
        m_groupFilter->count() > 1 ? m_groupFilter->currentData().toString() : m_savedGroupFilter);
    settings.setValue(QStringLiteral("grouped"), m_groupedAction->isChecked());
    settings.endGroup();
    settings.setValue(QStringLiteral("Chart/window"), m_chart->window());
    settings.setValue(QStringLiteral("Appearance/scheme"), Palette::name(m_scheme));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    if (m_tray)
        m_tray->hide();
    event->accept();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About FaultDesk"),
        tr("<h3>FaultDesk %1</h3><p>A desktop console for server fault detection, localization, handling "
           "and recovery.</p>")
            .arg(BuildInfo::version()));
}

} // namespace FaultDesk
