#pragma once

#include "detect/targetstate.h"

#include <QObject>
#include <QPointer>

class QSystemTrayIcon;
class QWidget;

namespace FaultDesk {

/**
 * The console's entry in the desktop's system tray: an icon and tooltip with the fleet's worst state, a message
 * for each new incident, and a click that brings the window back. Does nothing where the desktop has no tray.
 */
class TrayNotifier : public QObject
{
    Q_OBJECT
public:
    /// Follows @p window (raised on a click); a child of it.
    explicit TrayNotifier(QWidget* window);
    ~TrayNotifier() override;

    /// Shows @p worst in the icon and tooltip; creates and shows the tray entry on first use.
    void setSeverity(Severity worst);
    /// A tray message (when the entry is shown); @p critical picks the critical icon.
    void notify(const QString& text, bool critical);
    /// Removes the entry from the tray (on close).
    void hide();
    /// The tray entry, or nullptr before the first setSeverity() or without a tray.
    QSystemTrayIcon* icon() const { return m_tray; }

private:
    QPointer<QWidget> m_window;
    QSystemTrayIcon* m_tray = nullptr;
};

} // namespace FaultDesk
