// `runbooks:` — runbooks, their steps, and what the steps need from the targets they are bound to.

#include "config/configsections.h"
#include "config/fieldtable.h"

#include <QHash>
#include <algorithm>

namespace FaultDesk::ConfigSections {

namespace {

void checkRunbookNeeds(YamlReader& yaml, ConfigDraft& draft, const RunbookConfig& r, const RunbookNeeds& needs)
{
    // The targets the runbook can act on: those it names, the members of its groups, or (cause-only) all.
    QList<const TargetConfig*> bound;
    for (const TargetConfig& t : std::as_const(draft.config.targets))
        if ((r.targets.isEmpty() && r.groups.isEmpty()) || r.targets.contains(t.name) || r.groups.contains(t.group))
            bound << &t;
    const bool causeOnly = r.targets.isEmpty() && r.groups.isEmpty();
    auto report = [&](SourcePosition at, const QString& what, const QStringList& lacking) {
        if (lacking.isEmpty())
            return;
        if (causeOnly && lacking.size() < bound.size())
            return; // a cause-only runbook applies where it can; the preview says where it cannot
        yaml.error(at,
            QStringLiteral("%1, which %2 lack%3: %4")
                .arg(what,
                    lacking.size() > 3 ? QStringLiteral("%1 bound targets").arg(lacking.size())
                                       : lacking.join(QStringLiteral(", ")),
                    lacking.size() == 1 ? QStringLiteral("s") : QString(),
                    causeOnly ? QStringLiteral("no target has it") : QStringLiteral("narrow the binding or add it")));
    };
    for (const auto& [signal, at] : needs.signalNames) {
        const QString& wanted = signal; // clang 14 (the fuzz preset) cannot capture a structured binding
        QStringList lacking;
        for (const TargetConfig* t : std::as_const(bound))
            if (std::none_of(t->signalConfigs.cbegin(), t->signalConfigs.cend(),
                    [&](const SignalConfig& s) { return s.name == wanted; }))
                lacking << t->name;
        report(at, QStringLiteral("condition reads signal '%1'").arg(signal), lacking);
    }
    for (const SourcePosition& at : needs.admin) {
        QStringList lacking;
        for (const TargetConfig* t : std::as_const(bound))
            if (!t->admin)
                lacking << t->name;
        report(at, QStringLiteral("{admin} needs the target's admin API"), lacking);
    }
    for (const auto& [command, at] : needs.commands) {
        QStringList lacking;
        for (const TargetConfig* t : std::as_const(bound))
            if (!t->commands.contains(command))
                lacking << t->name;
        report(at, QStringLiteral("run: %1 needs the target's command '%1'").arg(command), lacking);
    }
    for (const SourcePosition& at : needs.membership) {
        QStringList lacking;
        for (const TargetConfig* t : std::as_const(bound))
            if (!t->haproxy)
                lacking << t->name;
        report(at, QStringLiteral("haproxy step without 'backend' acts on the target's pool membership"), lacking);
    }
    for (const SourcePosition& at : needs.postgres) {
        QStringList lacking;
        for (const TargetConfig* t : std::as_const(bound))
            if (std::none_of(t->probes.cbegin(), t->probes.cend(), [](const ProbeConfig& p) { return p.postgres; }))
                lacking << t->name;
        report(at, QStringLiteral("sql step runs on the target's postgres probe connection"), lacking);
    }
}

/// A step while it is read: what its readers need besides the step itself.
struct StepDraft : RunbookStepConfig
{
    StepDraft(const ConfigDraft& d, RunbookNeeds& n)
        : draft(d)
        , needs(n)
    { }

    const ConfigDraft& draft;
    RunbookNeeds& needs;
    const Entry* action = nullptr; ///< the step's action key, once read
};

bool readStepAction(YamlReader& yaml, const Entry& x, StepDraft& step)
{
    if (step.action) {
        yaml.error(yaml.pos(x.keyNode),
            QStringLiteral("step has both '%1' and '%2': one action per step (add another step)")
                .arg(step.action->key, x.key));
        return false;
    }
    step.action = &x;
    const auto a = readRunbookAction(yaml, step.draft, x, step.needs);
    if (a)
        static_cast<RunbookStepConfig&>(step).action = *a;
    return a.has_value();
}

bool readCondition(YamlReader& yaml, const Entry& x, StepDraft& step)
{
    const bool precondition = x.key == u"precondition";
    const auto c = readRunbookCondition(yaml, x, precondition, step.needs);
    if (c)
        (precondition ? step.precondition : step.verify) = *c;
    return c.has_value();
}

bool readRollback(YamlReader& yaml, const Entry& x, StepDraft& step)
{
    const auto r = yaml.mapping(x.value, yaml.pos(x), QStringLiteral("a rollback"), stepKindNames());
    if (!r)
        return false;
    if (r->entries.size() != 1) {
        yaml.error(r->position, QStringLiteral("a rollback is one action: command, run, http, haproxy, wait or sql"));
        return false;
    }
    const auto a = readRunbookAction(yaml, step.draft, r->entries.constFirst(), step.needs);
    if (!a)
        return false;
    if (a->kind == RunbookActionConfig::Kind::Haproxy
        && (a->haproxyOp == RunbookActionConfig::HaproxyOp::BlockSources
            || a->haproxyOp == RunbookActionConfig::HaproxyOp::UnblockSources)) {
        yaml.error(r->position,
            QStringLiteral("block_sources/unblock_sources cannot be a rollback: a block_sources step unblocks its "
                           "own sources when rolled back"));
        return false;
    }
    step.rollback = *a;
    return true;
}

bool readOnFailure(YamlReader& yaml, const Entry& x, StepDraft& step)
{
    static const QStringList policies { QStringLiteral("rollback"), QStringLiteral("continue"),
        QStringLiteral("escalate") };
    const QString v = x.value.IsScalar() ? fromStd(x.value.Scalar()) : QString();
    const qsizetype i = policies.indexOf(v);
    if (i < 0) {
        yaml.error(yaml.pos(x),
            QStringLiteral("'on_failure' must be rollback, continue or escalate, got %1%2")
                .arg(describe(x.value), didYouMean(v, policies)));
        return false;
    }
    constexpr RunbookStepConfig::OnFailure values[] = { RunbookStepConfig::OnFailure::Rollback,
        RunbookStepConfig::OnFailure::Continue, RunbookStepConfig::OnFailure::Escalate };
    step.onFailure = values[i];
    return true;
}

const FieldTable<StepDraft>& stepFields()
{
    static const FieldTable<StepDraft> fields = [] {
        FieldTable<StepDraft> table;
        for (const QString& kind : stepKindNames())
            table << Bind::custom<StepDraft>(kind, readStepAction);
        table << Bind::custom<StepDraft>(QStringLiteral("name"),
            [](YamlReader& yaml, const Entry& x, StepDraft& step) {
                const auto v = yaml.string(x);
                if (!v || v->contains(u'\n'))
                    return false;
                step.name = *v;
                return true;
            }) << Bind::custom<StepDraft>(QStringLiteral("precondition"), readCondition)
              << Bind::duration<StepDraft, std::optional<std::chrono::milliseconds>>(
                     QStringLiteral("deadline"), &StepDraft::deadline)
              << Bind::custom<StepDraft>(QStringLiteral("verify"), readCondition)
              << Bind::duration<StepDraft, std::optional<std::chrono::milliseconds>>(
                     QStringLiteral("verify_deadline"), &StepDraft::verifyDeadline)
              << Bind::custom<StepDraft>(QStringLiteral("rollback"), readRollback)
              << Bind::custom<StepDraft>(QStringLiteral("on_failure"), readOnFailure);
        return table;
    }();
    return fields;
}

std::optional<RunbookStepConfig> readRunbookStep(
    YamlReader& yaml, ConfigDraft& draft, const YNode& n, RunbookNeeds& needs)
{
    const auto f
        = yaml.mapping(n, {}, QStringLiteral("a runbook step"), fieldKeys(stepFields(), { QStringLiteral("env") }));
    if (!f)
        return std::nullopt;
    StepDraft step(draft, needs);
    step.position = f->position;
    bool ok = readFields(yaml, *f, stepFields(), step);
    if (yaml.stopped())
        return std::nullopt;
    const Entry* action = step.action;
    if (!f->get(u"name")) {
        yaml.missing(*f, QStringLiteral("runbook step"), QStringLiteral("name"));
        ok = false;
    }
    if (!action) {
        yaml.error(f->position, QStringLiteral("step needs one action: command, run, http, haproxy or wait"));
        ok = false;
    }
    if (const Entry* env = f->get(u"env")) {
        if (action && action->key != u"command" && action->key != u"run") {
            yaml.error(yaml.pos(env->keyNode), QStringLiteral("'env' applies to command and run steps only"));
            ok = false;
        } else if (const auto vars = yaml.env(*env)) {
            static_cast<RunbookStepConfig&>(step).action.env = *vars;
            if (step.rollback && step.rollback->kind == RunbookActionConfig::Kind::Command)
                step.rollback->env = *vars;
        } else {
            ok = false;
        }
    }
    if (action && action->key == u"wait" && f->get(u"verify")) {
        yaml.error(
            yaml.pos(f->get(u"verify")->keyNode), QStringLiteral("a wait step is its own verification; drop 'verify'"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return static_cast<const RunbookStepConfig&>(step);
}

QList<RunbookStepConfig> readRunbookSteps(YamlReader& yaml, ConfigDraft& draft, const Entry& e, RunbookNeeds& needs)
{
    QList<RunbookStepConfig> steps;
    const auto items = yaml.sequence(e);
    if (!items)
        return steps;
    if (items->isEmpty())
        yaml.error(yaml.pos(e), QStringLiteral("'%1' needs at least one step (or leave it out)").arg(e.key));
    QHash<QString, int> names;
    for (const YNode& n : *items) {
        if (yaml.stopped())
            break;
        const auto step = readRunbookStep(yaml, draft, n, needs);
        if (!step)
            continue;
        if (const auto it = names.constFind(step->name); it != names.constEnd())
            yaml.error(step->position,
                QStringLiteral("duplicate step name '%1' in '%2' (first at line %3)").arg(step->name, e.key).arg(*it));
        else
            names.insert(step->name, step->position.line);
        steps.append(*step);
    }
    return steps;
}

/// A runbook while it is read: the fleet it is bound to and what its steps need from the bound targets.
struct RunbookDraft : RunbookConfig
{
    explicit RunbookDraft(ConfigDraft& d)
        : draft(d)
    { }

    ConfigDraft& draft;
    RunbookNeeds needs;
};

bool readCauses(YamlReader& yaml, const Entry& x, RunbookDraft& r)
{
    QList<YNode> causes;
    if (x.value.IsScalar()) {
        causes << x.value;
    } else if (const auto items = yaml.sequence(x)) {
        causes = *items;
    } else {
        return false;
    }
    if (causes.isEmpty()) {
        yaml.error(yaml.pos(x),
            QStringLiteral("'on' needs at least one cause class (%1)")
                .arg(CauseClasses::names().join(QStringLiteral(", "))));
        return false;
    }
    bool ok = true;
    for (const YNode& c : std::as_const(causes)) {
        const QString text = c.IsScalar() ? fromStd(c.Scalar()) : QString();
        if (const auto cause = CauseClasses::fromString(text)) {
            if (r.on.contains(*cause))
                yaml.error(yaml.pos(c), QStringLiteral("cause class '%1' is listed twice").arg(text));
            else
                r.on << *cause;
        } else {
            yaml.error(yaml.pos(c),
                QStringLiteral("unknown cause class %1 (one of: %2)%3")
                    .arg(describe(c), CauseClasses::names().join(QStringLiteral(", ")),
                        didYouMean(text, CauseClasses::names())));
            ok = false;
        }
    }
    return ok;
}

/// `targets:` or `groups:` — the binding, names that must exist.
bool readBinding(YamlReader& yaml, const Entry& x, RunbookDraft& r)
{
    const bool targets = x.key == u"targets";
    const auto items = yaml.sequence(x);
    if (!items)
        return false;
    bool ok = true;
    if (items->isEmpty()) {
        yaml.error(yaml.pos(x),
            QStringLiteral("'%1' is empty: leave it out to bind the runbook to its causes on every target").arg(x.key));
        ok = false;
    }
    const QStringList known = targets ? r.draft.targetNames() : r.draft.groupNames();
    for (const YNode& item : *items) {
        const auto v = yaml.name(item, targets ? QStringLiteral("target name") : QStringLiteral("group name"));
        if (!v) {
            ok = false;
            continue;
        }
        if (!known.contains(*v)) {
            yaml.error(yaml.pos(item),
                QStringLiteral("unknown %1 '%2'%3").arg(targets ? u"target" : u"group", *v, didYouMean(*v, known)));
            ok = false;
            continue;
        }
        (targets ? r.targets : r.groups) << *v;
    }
    return ok;
}

/// `handle:` or `recover:`; a broken step is reported and left out, the runbook stays.
bool readSteps(YamlReader& yaml, const Entry& x, RunbookDraft& r)
{
    (x.key == u"handle" ? r.handle : r.recover) = readRunbookSteps(yaml, r.draft, x, r.needs);
    return true;
}

const FieldTable<RunbookDraft>& runbookFields()
{
    static const FieldTable<RunbookDraft> fields {
        Bind::name<RunbookDraft>(QStringLiteral("name"), &RunbookDraft::name, QStringLiteral("runbook name")),
        Bind::custom<RunbookDraft>(QStringLiteral("on"), readCauses),
        Bind::custom<RunbookDraft>(QStringLiteral("targets"), readBinding),
        Bind::custom<RunbookDraft>(QStringLiteral("groups"), readBinding),
        Bind::custom<RunbookDraft>(QStringLiteral("handle"), readSteps),
        Bind::custom<RunbookDraft>(QStringLiteral("recover"), readSteps),
    };
    return fields;
}

std::optional<RunbookConfig> readRunbook(YamlReader& yaml, ConfigDraft& draft, const YNode& n)
{
    const auto f = yaml.mapping(n, {}, QStringLiteral("a runbook"), fieldKeys(runbookFields()));
    if (!f)
        return std::nullopt;
    RunbookDraft r(draft);
    r.position = f->position;
    bool ok = readFields(yaml, *f, runbookFields(), r);
    if (yaml.stopped())
        return std::nullopt;
    const RunbookNeeds& needs = r.needs;
    if (!f->get(u"name")) {
        yaml.missing(*f, QStringLiteral("runbook"), QStringLiteral("name"));
        ok = false;
    }
    if (!f->get(u"on")) {
        yaml.error(f->position,
            QStringLiteral("runbook is missing required key 'on' (the cause classes it handles: %1)")
                .arg(CauseClasses::names().join(QStringLiteral(", "))));
        ok = false;
    }
    if (!f->get(u"handle") && !f->get(u"recover")) {
        yaml.error(f->position, QStringLiteral("runbook needs 'handle:' or 'recover:' steps (or both)"));
        ok = false;
    }
    if (ok)
        checkRunbookNeeds(yaml, draft, r, needs);
    if (!ok)
        return std::nullopt;
    return static_cast<const RunbookConfig&>(r);
}

} // namespace

void readRunbooks(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    yaml.list(e, draft.config.runbooks, [&](const YNode& n) { return readRunbook(yaml, draft, n); });
    checkRunbookAmbiguity(yaml, draft);
}

} // namespace FaultDesk::ConfigSections
