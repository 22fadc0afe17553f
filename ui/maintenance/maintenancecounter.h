#pragma once

#include <QPointer>
#include <QToolButton>

namespace FaultDesk {

class MaintenanceController;

/**
 * The always-visible "N in maintenance · M silenced" in the status bar: N from the maintenance controller, M from
 * whoever silences alerts (setSilencedCount). Clicking it (or Space/Enter when focused) emits clicked(): the console
 * opens the maintenance manager.
 */
class MaintenanceCounter : public QToolButton
{
    Q_OBJECT
public:
    explicit MaintenanceCounter(MaintenanceController* controller, QWidget* parent = nullptr);

    int maintenanceCount() const { return m_maintenance; }
    int silencedCount() const { return m_silenced; }

public Q_SLOTS:
    /// How many alerts are silenced now (0 until a silence source is connected).
    void setSilencedCount(int count);
    /// Re-reads the controller.
    void refresh();

private:
    QPointer<MaintenanceController> m_controller;
    int m_maintenance = 0;
    int m_silenced = 0;
};

} // namespace FaultDesk
