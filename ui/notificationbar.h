#pragma once

#include "detect/targetstate.h"

#include <QFrame>

class QLabel;

namespace FaultDesk {

/**
 * The window's own notification area above the fleet: new incidents appear here on every desktop, tray or not.
 * Tinted by severity, with its icon (never colour alone) and a Dismiss button. Posts arriving while one is still
 * fresh are added as further lines (up to three), so two incidents detected together are both seen.
 */
class NotificationBar : public QFrame
{
    Q_OBJECT
public:
    explicit NotificationBar(QWidget* parent = nullptr);

    /// Shows @p text, stamped with the time, tinted for @p severity.
    void post(const QString& text, Severity severity);
    /// The lines shown now.
    QString text() const;

private:
    QLabel* m_icon = nullptr;
    QLabel* m_label = nullptr;
    QStringList m_lines;
    Severity m_severity = Severity::Ok;
    qint64 m_lastPostMs = 0;
};

} // namespace FaultDesk
