#include "ui/maintenance/maintenancecounter.h"

#include "maintenance/maintenancecontroller.h"

namespace FaultDesk {

MaintenanceCounter::MaintenanceCounter(MaintenanceController* controller, QWidget* parent)
    : QToolButton(parent)
    , m_controller(controller)
{
    setObjectName(QStringLiteral("maintenanceCounter"));
    setAutoRaise(true);
    setFocusPolicy(Qt::TabFocus);
    setAccessibleName(tr("Maintenance and silences"));
    if (m_controller)
        connect(m_controller, &MaintenanceController::activeChanged, this, &MaintenanceCounter::refresh);
    refresh();
}

void MaintenanceCounter::setSilencedCount(int count)
{
    m_silenced = std::max(0, count);
    refresh();
}

void MaintenanceCounter::refresh()
{
    m_maintenance = m_controller ? m_controller->activeCount() : 0;
    setText(tr("%1 in maintenance · %2 silenced").arg(m_maintenance).arg(m_silenced));
    QStringList tip;
    if (m_controller) {
        const auto active = m_controller->activeTargets();
        QStringList names = active.keys();
        names.sort();
        for (const QString& n : std::as_const(names))
            tip << tr("%1: %2").arg(n, active.value(n));
    }
    if (tip.isEmpty())
        tip << tr("No target is in maintenance.");
    tip << tr("Click to open the maintenance manager.");
    setToolTip(tip.join(u'\n'));
    setAccessibleDescription(text());
}

} // namespace FaultDesk
