#pragma once

#include "remedy/remediationplan.h"
#include "remedy/runbookoutcome.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace FaultDesk {

class RemediationController;

/**
 * The confirmation and progress dialog of Handle or Recover: first the plan (steps with the exact masked
 * commands, affected targets, remaining capacity, proposed vs current weights, why it may not run), then — once
 * confirmed — the live status and output of every step, with an Abort button while it runs. Where Recover offers a
 * switch back (a PostgreSQL fail-over), a check box asks for it, unchecked; checking it shows the plan with its steps.
 */
class RemediationDialog : public QDialog
{
    Q_OBJECT

public:
    RemediationDialog(RemediationController* controller, const QString& faultId, SafetyRequest::Purpose purpose,
        QWidget* parent = nullptr);

    /// The plan shown (for tests and the caller's log).
    const RemediationPlan& plan() const { return m_plan; }
    /// The step lines listed, in order.
    QStringList stepLines() const;
    /// Starts the run as the Run button does; false (and the reason shown) when refused.
    bool run();

private:
    /// Shows m_plan: header, steps, facts, whether Run is possible.
    void showPlan();
    void onStep(const QString& faultId, int index, const StepReport& report);
    void onFinished(
        const QString& faultId, SafetyRequest::Purpose purpose, const RunbookOutcome& outcome, bool verified);

    RemediationController* m_controller;
    QString m_faultId;
    SafetyRequest::Purpose m_purpose;
    RemediationPlan m_plan;
    QLabel* m_header = nullptr;
    QListWidget* m_steps = nullptr;
    QLabel* m_facts = nullptr;
    QCheckBox* m_switchBack = nullptr; ///< Recover of a PostgreSQL fail-over: switch back afterwards
    QTableWidget* m_weights = nullptr;
    QPlainTextEdit* m_output = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_abort = nullptr;
    QPushButton* m_close = nullptr;
};

} // namespace FaultDesk
