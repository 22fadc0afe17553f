#pragma once

#include "config/causeclass.h"
#include "config/secretref.h"
#include "config/sourceposition.h"

#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace FaultDesk {

struct FleetConfig;
struct TargetConfig;

/// A condition of a runbook step: `healthy_for: K`, `load_below: X`, `load_above: X` or `equals: V` (with `signal:`).
struct RunbookCondition
{
    enum class Kind {
        Healthy, ///< the target passes its checks (a wait: K checks in a row)
        Below, ///< the signal's value is below the level
        Above, ///< the signal's value is above the level
        Equals, ///< the signal's value is the level (`equals: primary` on pg_role is 1, `replica` 0)
    };

    Kind kind = Kind::Healthy;
    int checks = 1; ///< consecutive polls a wait or verification needs
    double level = 0;
    QString signal = QStringLiteral("load");
    QString equalsText; ///< Equals: the value as written (`primary`, `1`), for descriptions
    bool skipWhenUnmet = false; ///< precondition only: `otherwise: skip` (default: the step fails)
    SourcePosition position;

    /// "healthy for 3 checks", "load below 0.70" — for previews.
    QString describe() const;
};

/// One action of a configured step (or its rollback): exactly one kind, templates not yet substituted.
struct RunbookActionConfig
{
    enum class Kind {
        Command,
        Http,
        Haproxy,
        Wait,
        Sql, ///< a statement on the bound target's postgres connection
    };
    enum class HaproxyOp {
        SetState, ///< ready, drain (tracked to 0 sessions, then maint) or maint
        SetWeight, ///< a fixed weight
        SetWeightModel, ///< the load-balancing model's weights for the whole backend
        SetWeightBaseline, ///< the backend's weights as frozen in the fault's baseline
        BlockSources, ///< add the fault's located sources to the instance's block ACL
        UnblockSources, ///< remove the sources blocked since the baseline
    };

    Kind kind = Kind::Command;
    QStringList argv; ///< Command: templates, one per argument
    QString commandName; ///< Command given as `run: NAME`: the target's own `commands:` entry NAME
    // Http
    QString method = QStringLiteral("POST");
    QString url; ///< template; may start with {admin}: the target's admin URL (and token, unless one is given)
    QList<QPair<QString, QString>> headers;
    QString body;
    std::optional<SecretRef> token;
    bool insecureTokenOverHttp = false; ///< `insecure_token_over_http`: the token may cross plain http off loopback
    // Command
    QMap<QString, QString> env; ///< Command: `env:` variables besides PATH, HOME, LANG, LC_* and the target's
    // Haproxy
    HaproxyOp haproxyOp = HaproxyOp::SetState;
    QString state; ///< SetState
    int weight = 0; ///< SetWeight
    QString instance; ///< empty: the target's membership (or the first instance)
    QString backend; ///< empty: the target's membership; may be a template
    QString server; ///< empty: the target's membership; may be a template
    // Wait
    RunbookCondition wait;
    // Sql
    QString statement; ///< literal SQL with $1, $2 … placeholders; never a template
    QStringList params; ///< templates, one per placeholder, bound (never spliced into the statement)
    SourcePosition position;

    /// command, http, haproxy, wait, sql
    QString kindName() const;
};

/// One configured step: an action with its precondition, deadline, verification, rollback and failure policy.
struct RunbookStepConfig
{
    enum class OnFailure {
        Rollback, ///< roll back this and the earlier steps, then escalate (the default)
        Continue, ///< note the failure and go on with the next step
        Escalate, ///< stop and escalate without rolling anything back
    };

    QString name;
    RunbookActionConfig action;
    std::optional<RunbookCondition> precondition;
    std::optional<std::chrono::milliseconds> deadline; ///< unset: the controller's step deadline
    std::optional<RunbookCondition> verify;
    std::optional<std::chrono::milliseconds> verifyDeadline; ///< unset: the controller's verify deadline
    std::optional<RunbookActionConfig> rollback;
    OnFailure onFailure = OnFailure::Rollback;
    SourcePosition position;
};

/// A runbook of the fleet configuration: the cause classes it handles, what it is bound to, Handle and Recover.
struct RunbookConfig
{
    /// How specific a binding is; a more specific one wins.
    enum class Level {
        Target,
        Group,
        Cause,
    };

    QString name;
    QList<CauseClass> on;
    QStringList targets; ///< narrows the binding to these targets …
    QStringList groups; ///< … and to the targets of these groups
    QList<RunbookStepConfig> handle;
    QList<RunbookStepConfig> recover; ///< empty: Recover is the built-in return to the baseline
    SourcePosition position;

    /// The level at which this runbook applies to @p target (std::nullopt: it does not apply).
    std::optional<Level> levelFor(const TargetConfig& target, CauseClass cause) const;
};

/// The runbook chosen for a target and cause, and why — shown in the preview.
struct RunbookBinding
{
    const RunbookConfig* runbook = nullptr; ///< nullptr: the built-in default
    RunbookConfig::Level level = RunbookConfig::Level::Cause;
    /// "runbook 'web-restart' bound to group web for cause down", or why the built-in default is used.
    QString reason;

    /// The precedence rule: target beats group beats cause-only beats the built-in default. The loader rejects
    /// ambiguous bindings, so at most one runbook matches at the most specific level.
    static RunbookBinding resolve(const FleetConfig& config, const TargetConfig& target, CauseClass cause);
    /// target, group, cause
    static QString levelName(RunbookConfig::Level level);
};

} // namespace FaultDesk
