#pragma once

#include "remedy/actioncontext.h"
#include "remedy/waitaction.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>

namespace FaultDesk {

class Action;

/**
 * An ordered list of remediation steps. Each step has an optional precondition, an action (made by a factory so
 * the executor fills in the context: operator, audit sink, runbook step name, deadline), an optional verification
 * (typically a WaitAction) and an optional rollback. Runbooks are plain values; RunbookExecutor runs them.
 */
struct Runbook
{
    /// Makes the action of a step for @p context (the executor's context with runbook step and deadline set).
    using ActionFactory = std::function<Action*(const ActionContext& context)>;

    /// What a failed step does to the run.
    enum class OnFailure {
        Rollback, ///< roll back this step (if its action ran) and the done steps before it, then escalate
        Continue, ///< record the failure and go on with the next step
        Escalate, ///< stop and escalate at once, rolling nothing back
    };

    struct Step
    {
        QString name; ///< "drain web-1", shown to the operator
        /// Checked right before the step; an unmet precondition skips the step or fails it (see below).
        std::function<ConditionCheck()> precondition;
        bool skipWhenPreconditionUnmet = false;
        ActionFactory action;
        std::chrono::milliseconds deadline { 30000 };
        ActionFactory verify; ///< optional: must succeed after the action for the step to count as done
        std::chrono::milliseconds verifyDeadline { 60000 };
        ActionFactory rollback; ///< optional: undoes the action when a later step fails or on abort
        std::chrono::milliseconds rollbackDeadline { 30000 };
        /// For the safety gates' blast-radius check: the step takes backend/server out of rotation (drain, maint,
        /// weight 0). The executor's gate reads these; the step itself does not.
        OnFailure onFailure = OnFailure::Rollback;
        bool removesServer = false;
        /// The step brings backend/server into rotation (ready): a later step of the same runbook that takes a server
        /// out of that backend is a swap, not a shrink (see swapInBefore()).
        bool addsServer = false;
        QString backend;
        QString server;
    };

    QString name; ///< "crash/handle"
    QList<Step> steps;

    /**
     * The servers that the steps before @p index bring into the backend step @p index takes a server out of, and that
     * no earlier removal of that backend was paired with already: what makes the removal a swap. Empty when the step
     * removes nothing or nothing was brought in for it. @p defaultBackend is the backend of steps that name none.
     */
    QStringList swapInBefore(int index, const QString& defaultBackend = {}) const
    {
        if (index < 0 || index >= steps.size() || !steps.at(index).removesServer)
            return {};
        auto backendOf = [&](const Step& s) { return s.backend.isEmpty() ? defaultBackend : s.backend; };
        const QString backend = backendOf(steps.at(index));
        QStringList incoming;
        for (int i = 0; i < index; ++i) {
            const Step& s = steps.at(i);
            if (backendOf(s) != backend)
                continue;
            if (s.addsServer && !s.server.isEmpty() && !incoming.contains(s.server))
                incoming << s.server;
            else if (s.removesServer && !incoming.isEmpty())
                incoming.removeFirst(); // paired with that earlier removal already
        }
        incoming.removeAll(steps.at(index).server);
        return incoming.mid(0, 1); // one in for one out
    }
};

} // namespace FaultDesk
