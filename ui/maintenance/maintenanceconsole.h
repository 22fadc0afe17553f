#pragma once

#include <QObject>
#include <QPointer>

class QAction;

namespace FaultDesk {

class MainWindow;
class MaintenanceController;
class MaintenanceCounter;
class MaintenanceDialog;

/**
 * Plugs maintenance into the main window: the status-bar counter, Tools ▸ Maintenance… (Ctrl+Shift+M), the fleet
 * view's "Start maintenance…" for the selected targets, "maintenance" on the fleet rows, and notifications when a
 * window starts, is about to end and ends. The console and the tests wire it the same way.
 */
class MaintenanceConsole : public QObject
{
    Q_OBJECT
public:
    /// Attaches to @p window and @p controller (neither owned; both must outlive this, which @p window parents).
    MaintenanceConsole(MainWindow* window, MaintenanceController* controller, QString operatorName);

    MaintenanceCounter* counter() const { return m_counter; }
    QAction* managerAction() const { return m_managerAction; }
    QAction* startAction() const { return m_startAction; }
    /// Opens (or raises) the maintenance manager.
    MaintenanceDialog* openManager();
    /// The manager if open.
    MaintenanceDialog* manager() const;

public Q_SLOTS:
    /// The number of silenced alerts shown next to the maintenance count.
    void setSilencedCount(int count);

private:
    QPointer<MainWindow> m_window;
    QPointer<MaintenanceController> m_controller;
    QString m_operator;
    MaintenanceCounter* m_counter = nullptr;
    QAction* m_managerAction = nullptr;
    QAction* m_startAction = nullptr;
    QPointer<MaintenanceDialog> m_manager;
};

} // namespace FaultDesk
