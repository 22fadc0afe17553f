#include "ui/traynotifier.h"

#include "ui/stateappearance.h"
#include "util/buildinfo.h"

#include <QSystemTrayIcon>
#include <QWidget>

namespace FaultDesk {

TrayNotifier::TrayNotifier(QWidget* window)
    : QObject(window)
    , m_window(window)
{ }

TrayNotifier::~TrayNotifier() = default;

void TrayNotifier::setSeverity(Severity worst)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(this);
        m_tray->setObjectName(QStringLiteral("trayIcon"));
        connect(m_tray, &QSystemTrayIcon::activated, this, [this] {
            if (!m_window)
                return;
            m_window->showNormal();
            m_window->raise();
            m_window->activateWindow();
        });
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

void TrayNotifier::notify(const QString& text, bool critical)
{
    if (m_tray && m_tray->isVisible())
        m_tray->showMessage(
            BuildInfo::applicationName(), text, critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Warning, 10000);
}

void TrayNotifier::hide()
{
    if (m_tray)
        m_tray->hide();
}

} // namespace FaultDesk
