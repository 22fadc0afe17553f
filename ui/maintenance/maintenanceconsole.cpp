#include "ui/maintenance/maintenanceconsole.h"

#include "ui/maintenance/maintenancecounter.h"
#include "ui/maintenance/maintenancedialog.h"
#include "ui/maintenance/maintenancewindowdialog.h"
#include "ui/mainwindow.h"

#include "maintenance/maintenancecontroller.h"
#include "model/fleetmodel.h"

#include <QAction>
#include <QMenu>
#include <QStatusBar>

namespace FaultDesk {

MaintenanceConsole::MaintenanceConsole(MainWindow* window, MaintenanceController* controller, QString operatorName)
    : QObject(window)
    , m_window(window)
    , m_controller(controller)
    , m_operator(std::move(operatorName))
{
    setObjectName(QStringLiteral("maintenanceConsole"));
    m_counter = new MaintenanceCounter(controller, window);
    window->statusBar()->addPermanentWidget(m_counter);
    connect(m_counter, &QToolButton::clicked, this, [this] { openManager(); });

    m_managerAction = new QAction(tr("&Maintenance…"), this);
    m_managerAction->setObjectName(QStringLiteral("maintenanceAction"));
    m_managerAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    m_managerAction->setStatusTip(tr("Maintenance windows: no faults and no automatic actions for planned work"));
    connect(m_managerAction, &QAction::triggered, this, [this] { openManager(); });
    window->toolsMenu()->addAction(m_managerAction);

    m_startAction = new QAction(tr("Start &maintenance…"), this);
    m_startAction->setObjectName(QStringLiteral("startMaintenanceAction"));
    m_startAction->setStatusTip(tr("Start a maintenance window for the selected targets"));
    connect(m_startAction, &QAction::triggered, this, [this] {
        if (MaintenanceDialog* d = openManager())
            d->openNew(m_window->selectedTargets());
    });
    window->addFleetContextAction(m_startAction);

    auto apply = [this] {
        if (m_window && m_controller)
            m_window->fleetModel()->setMaintenance(m_controller->activeTargets());
    };
    connect(controller, &MaintenanceController::activeChanged, this, apply);
    // A reload rebuilds the fleet rows; they pick the notes up again.
    connect(window->fleetModel(), &QAbstractItemModel::modelReset, this, apply);
    apply();
    connect(controller, &MaintenanceController::windowStarted, this, [this](const MaintenanceWindow& w) {
        m_window->showNotification(tr("Maintenance started: %1, until %2")
                                       .arg(w.label(), MaintenanceWindow::localTime(w.endUtc, m_controller->now())),
            false);
    });
    connect(controller, &MaintenanceController::windowEnded, this, [this](const MaintenanceWindow& w) {
        m_window->showNotification(tr("Maintenance ended: %1 — its targets are judged afresh").arg(w.label()), false);
    });
    connect(controller, &MaintenanceController::endingSoon, this,
        [this](const QString&, const QString& label, const QDateTime& endsAt) {
            m_window->showNotification(
                tr("Ending soon: %1 ends at %2").arg(label, MaintenanceWindow::localTime(endsAt, m_controller->now())),
                false);
        });
    connect(controller, &MaintenanceController::errorOccurred, this,
        [this](const QString& message) { m_window->showNotification(message, true); });
}

MaintenanceDialog* MaintenanceConsole::openManager()
{
    if (!m_manager) {
        m_manager = new MaintenanceDialog(
            m_controller, m_operator, [w = m_window] { return w ? w->selectedTargets() : QStringList(); }, m_window);
        m_manager->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_manager->show();
    m_manager->raise();
    m_manager->activateWindow();
    return m_manager;
}

MaintenanceDialog* MaintenanceConsole::manager() const
{
    return m_manager;
}

void MaintenanceConsole::setSilencedCount(int count)
{
    m_counter->setSilencedCount(count);
}

} // namespace FaultDesk
