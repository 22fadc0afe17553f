#pragma once

#include "remedy/actionresult.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/// The live status of one runbook step, as the UI shows it.
struct StepReport
{
    enum class Status {
        Pending,
        Running,
        Verifying,
        Ok,
        Failed,
        Skipped,
        Aborted,
        RollingBack,
        RolledBack,
        RollbackFailed,
    };

    int index = 0;
    QString name;
    Status status = Status::Pending;
    QString reason; ///< why it failed, was skipped or could not be rolled back
    std::optional<ActionResult> action;
    std::optional<ActionResult> verification;
    std::optional<ActionResult> rollback;

    /// pending, running, verifying, ok, failed, skipped, aborted, rolling-back, rolled-back, rollback-failed
    static QString statusName(Status status);
    /// Output of the action, verification and rollback, in that order, for the step's detail view.
    QString output() const;
};

/// How a runbook ended, with every step's report.
struct RunbookOutcome
{
    enum class Result {
        Succeeded,
        Escalated, ///< a step failed; the steps before it were rolled back where possible; a person must act
        Aborted, ///< an operator aborted; done steps rolled back where possible
    };

    QString runbook;
    Result result = Result::Succeeded;
    int failedStep = -1; ///< index of the step that failed or was running at the abort
    QString message; ///< one loud line for the incident: "ESCALATED: step 2 'drain web-1' failed: …"
    QList<StepReport> steps;
    QStringList rolledBack; ///< names of the steps undone
    QStringList notRolledBack; ///< steps done (or partly done) that could not be undone: no rollback, or it failed
    QStringList continuedPast; ///< steps that failed with on_failure continue: the run went on without them

    static QString resultName(Result result);
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::StepReport)
Q_DECLARE_METATYPE(FaultDesk::RunbookOutcome)
