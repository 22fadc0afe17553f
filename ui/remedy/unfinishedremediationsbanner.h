#pragma once

#include "remedy/remediationcontroller.h"

#include <QFrame>
#include <QHash>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace FaultDesk {

class MainWindow;

/**
 * Shown at console start when the audit trail holds remediations that started and never finished (FaultDesk died
 * mid-action): one row per target with the action, when and who, and per row "Recover from recorded baseline"
 * (restores what differs and verifies, with the steps' live output below) and "Dismiss" (audited). Non-modal: the
 * console works around it.
 */
class UnfinishedRemediationsBanner : public QFrame
{
    Q_OBJECT

public:
    enum Column {
        TargetColumn,
        ActionColumn,
        WhenColumn,
        OperatorColumn,
        StatusColumn,
    };

    UnfinishedRemediationsBanner(RemediationController* controller, QWidget* parent = nullptr);

    /// What the console does at start: puts a banner on @p window listing @p controller's unfinished remediations
    /// (replacing an earlier one), or removes the banner when there are none. Returns the banner or nullptr.
    static UnfinishedRemediationsBanner* showIn(MainWindow* window, RemediationController* controller);

    /// Re-reads the unfinished remediations from the audit trail; returns how many there are.
    int reload();
    /// The rows listed (one per unfinished remediation).
    QTreeWidget* list() const { return m_list; }
    /// Live output of the recoveries started here.
    QPlainTextEdit* output() const { return m_output; }
    /// "Recover from recorded baseline" and "Dismiss": they act on the selected row.
    QPushButton* recoverButton() const { return m_recover; }
    QPushButton* dismissButton() const { return m_dismiss; }
    /// Selects @p row, as a click on it does.
    void selectRow(int row);
    /// As the buttons do for @p row; false (the reason shown in the row) when refused.
    bool recover(int row);
    bool dismiss(int row);

Q_SIGNALS:
    /// Every row was recovered or dismissed.
    void settled();

private:
    void onStep(const QString& runId, int index, const StepReport& report);
    void onFinished(const QString& runId, SafetyRequest::Purpose purpose, const RunbookOutcome& outcome, bool verified);
    void setRowStatus(int row, const QString& text, bool done);
    void checkSettled();
    void updateButtons();

    RemediationController* m_controller;
    QLabel* m_title = nullptr;
    QTreeWidget* m_list = nullptr;
    QPlainTextEdit* m_output = nullptr;
    QPushButton* m_recover = nullptr;
    QPushButton* m_dismiss = nullptr;
    QList<RemediationController::Unfinished> m_items;
    QList<bool> m_done;
    QHash<QString, int> m_runs; ///< run id → row
};

} // namespace FaultDesk
