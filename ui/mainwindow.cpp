#include "mainwindow.h"

#include "util/buildinfo.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTreeView>
#include <QVBoxLayout>
#include <QValueAxis>

namespace FaultDesk {

namespace {
QLabel* placeholder(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setMargin(24);
    return label;
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

    createActions();
    createCentralArea();
    createDocks();
    createMenus();
    createStatusBar();
    restoreSettings();
}

MainWindow::~MainWindow() = default;

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
    m_exportAction->setEnabled(false);
    m_exportAction->setToolTip(tr("Select an incident to export its report"));

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_aboutAction = new QAction(tr("&About FaultDesk"), this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);

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

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    const auto docks = findChildren<QDockWidget*>();
    for (QDockWidget* dock : docks)
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    QMenu* colours = view->addMenu(tr("&Colours"));
    colours->addActions(m_schemeGroup->actions());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    help->addAction(m_aboutAction);
}

void MainWindow::createCentralArea()
{
    auto* fleetPane = new QWidget(this);
    auto* fleetLayout = new QVBoxLayout(fleetPane);
    fleetLayout->setContentsMargins(6, 6, 6, 0);

    auto* filterRow = new QHBoxLayout;
    m_filterEdit = new QLineEdit(fleetPane);
    m_filterEdit->setObjectName(QStringLiteral("fleetFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter targets (name, group, label)…"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setAccessibleName(tr("Filter targets"));
    m_groupFilter = new QComboBox(fleetPane);
    m_groupFilter->setObjectName(QStringLiteral("groupFilter"));
    m_groupFilter->addItem(tr("All groups"));
    m_groupFilter->setAccessibleName(tr("Group filter"));
    filterRow->addWidget(m_filterEdit, 1);
    filterRow->addWidget(m_groupFilter);
    fleetLayout->addLayout(filterRow);

    m_fleetStack = new QStackedWidget(fleetPane);
    m_fleetView = new QTreeView(m_fleetStack);
    m_fleetView->setObjectName(QStringLiteral("fleetView"));
    m_fleetView->setAccessibleName(tr("Fleet"));
    m_fleetView->setRootIsDecorated(true);
    m_fleetView->setAlternatingRowColors(true);
    m_fleetView->setSortingEnabled(true);
    m_fleetView->setUniformRowHeights(true);
    m_fleetView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_fleetView->header()->setSectionsMovable(true);
    m_fleetStack->addWidget(placeholder(
        tr("No fleet loaded.\nOpen a fleet description with File ▸ Open Fleet…, or start the demo fleet with "
           "“faultdesk demo”."),
        m_fleetStack));
    m_fleetStack->addWidget(m_fleetView);
    fleetLayout->addWidget(m_fleetStack, 1);

    auto* chart = new QChart;
    chart->setTitle(tr("Load"));
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setVisible(true);
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto* axisX = new QValueAxis(chart);
    axisX->setTitleText(tr("seconds ago"));
    axisX->setRange(-300, 0);
    axisX->setLabelFormat(QStringLiteral("%d"));
    auto* axisY = new QValueAxis(chart);
    axisY->setTitleText(tr("load %"));
    axisY->setRange(0, 100);
    axisY->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(axisX, Qt::AlignBottom);
    chart->addAxis(axisY, Qt::AlignLeft);
    m_chartView = new QChartView(chart, this);
    m_chartView->setObjectName(QStringLiteral("chartView"));
    m_chartView->setAccessibleName(tr("Load chart"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(220);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("centralSplitter"));
    splitter->addWidget(fleetPane);
    splitter->addWidget(m_chartView);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    setCentralWidget(splitter);
}

void MainWindow::createDocks()
{
    auto* faultDock = new QDockWidget(tr("Faults"), this);
    faultDock->setObjectName(QStringLiteral("faultDock"));
    auto* stack = new QStackedWidget(faultDock);
    m_faultView = new QTreeView(stack);
    m_faultView->setObjectName(QStringLiteral("faultView"));
    m_faultView->setAccessibleName(tr("Faults"));
    stack->addWidget(placeholder(tr("No active faults."), stack));
    stack->addWidget(m_faultView);
    faultDock->setWidget(stack);
    addDockWidget(Qt::RightDockWidgetArea, faultDock);
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
    m_tickLabel->setText(tickMs < 0 ? tr("Tick: —") : tr("Tick: %1 ms").arg(tickMs, 0, 'f', 1));
}

void MainWindow::setScheme(Palette::Scheme scheme)
{
    m_scheme = scheme;
    const QPalette palette = Palette::forScheme(scheme, m_desktopPalette);
    QApplication::setPalette(palette);
    if (m_chartView && m_chartView->chart())
        m_chartView->chart()->setTheme(Palette::isDark(palette) ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    const QString name = Palette::name(scheme);
    for (QAction* action : m_schemeGroup->actions())
        action->setChecked(action->data().toString() == name);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("MainWindow"));
    if (!restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray()))
        resize(1280, 800);
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    if (auto* splitter = findChild<QSplitter*>(QStringLiteral("centralSplitter")))
        splitter->restoreState(settings.value(QStringLiteral("splitter")).toByteArray());
    settings.endGroup();
    setScheme(Palette::fromName(settings.value(QStringLiteral("Appearance/scheme")).toString()));
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("MainWindow"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    if (auto* splitter = findChild<QSplitter*>(QStringLiteral("centralSplitter")))
        settings.setValue(QStringLiteral("splitter"), splitter->saveState());
    settings.endGroup();
    settings.setValue(QStringLiteral("Appearance/scheme"), Palette::name(m_scheme));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
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
