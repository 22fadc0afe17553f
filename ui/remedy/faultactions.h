#pragma once

#include <QPointer>
#include <QWidget>

class QDialog;
class QLabel;
class QPushButton;
class QShortcut;

namespace FaultDesk {

class RemediationController;
class RemediationDialog;

/**
 * Handle and Recover for the selected fault: two buttons (Ctrl+H, Ctrl+R) enabled only when the safety gates
 * allow, with the reason as the tooltip when not. A click opens the RemediationDialog with the plan; confirming
 * there runs it with live step status and an Abort button. With several faults selected, "Handle selected" previews
 * every fault's plan or why it is refused in one dialog, then runs Handle on each allowed one (the safety gates are
 * checked for each, again when it starts); each run writes its steps to the audit trail as a single Handle does.
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

    /// One fault of a batch: its plan, or why Handle is refused for it.
    struct BatchItem
    {
        QString faultId;
        QString target;
        bool allowed = false;
        QString runbook;
        QStringList lines; ///< the plan's steps, or the reasons it is refused; warnings first
    };

    /// The faults "Handle selected" acts on (the fault panel's selection); two or more enable it.
    void setFaultIds(const QStringList& faultIds);
    QStringList faultIds() const { return m_faultIds; }
    QPushButton* handleSelectedButton() const { return m_handleSelected; }
    /// The batch preview: each selected fault's plan or refusal, checked against the gates now.
    QList<BatchItem> batchPreview() const;
    /// Opens the batch preview dialog (non-modal); confirming runs handleSelected(). Returns it.
    QDialog* openBatchDialog();
    /// Runs Handle on every selected fault the gates allow now; one line per fault saying what happened.
    QStringList handleSelected();
    /// Runs Handle on each of @p faultIds (the gates decide for each); one line per fault saying what happened.
    QStringList handleFaults(const QStringList& faultIds);

Q_SIGNALS:
    /// A batch Handle started (@p started) or refused Handle for @p faultId, with the reason.
    void batchItemDone(const QString& faultId, bool started, const QString& message);

private:
    void updateButtons();

    RemediationController* m_controller;
    QString m_faultId;
    QPushButton* m_handle = nullptr;
    QPushButton* m_recover = nullptr;
    QPushButton* m_handleSelected = nullptr;
    QLabel* m_acting = nullptr; ///< who is acting on the selected fault
    QStringList m_faultIds;
    QPointer<RemediationDialog> m_dialog;
    QPointer<QDialog> m_batchDialog;
};

} // namespace FaultDesk
