#pragma once

#include <QPointer>
#include <QWidget>

class QPushButton;
class QShortcut;

namespace FaultDesk {

class RemediationController;
class RemediationDialog;

/**
 * Handle and Recover for the selected fault: two buttons (Ctrl+H, Ctrl+R) enabled only when the safety gates
 * allow, with the reason as the tooltip when not. A click opens the RemediationDialog with the plan; confirming
 * there runs it with live step status and an Abort button.
 */
class FaultActions : public QWidget
{
    Q_OBJECT

public:
    FaultActions(RemediationController* controller, QWidget* parent = nullptr);

    /// The fault the buttons act on; empty disables both.
    void setFaultId(const QString& faultId);
    QString faultId() const { return m_faultId; }

    QPushButton* handleButton() const { return m_handle; }
    QPushButton* recoverButton() const { return m_recover; }
    /// Opens the preview dialog of Handle (@p handle) or Recover, non-modal; returns it.
    RemediationDialog* openDialog(bool handle);

private:
    void updateButtons();

    RemediationController* m_controller;
    QString m_faultId;
    QPushButton* m_handle = nullptr;
    QPushButton* m_recover = nullptr;
    QPointer<RemediationDialog> m_dialog;
};

} // namespace FaultDesk
