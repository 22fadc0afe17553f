// `runbooks:` — runbooks, their steps, and what the steps need from the targets they are bound to.

#include "configsections.h"

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
}

std::optional<RunbookStepConfig> readRunbookStep(
    YamlReader& yaml, ConfigDraft& draft, const YNode& n, RunbookNeeds& needs)
{
    const QStringList& actions = stepKindNames();
    const auto f = yaml.mapping(n, {}, QStringLiteral("a runbook step"),
        actions
            + QStringList { QStringLiteral("name"), QStringLiteral("precondition"), QStringLiteral("deadline"),
                QStringLiteral("verify"), QStringLiteral("verify_deadline"), QStringLiteral("rollback"),
                QStringLiteral("on_failure"), QStringLiteral("env") });
    if (!f)
        return std::nullopt;
    RunbookStepConfig step;
    step.position = f->position;
    bool ok = true;
    const Entry* action = nullptr;
    for (const Entry& x : f->entries) {
        if (yaml.stopped())
            return std::nullopt;
        if (actions.contains(x.key)) {
            if (action) {
                yaml.error(yaml.pos(x.keyNode),
                    QStringLiteral("step has both '%1' and '%2': one action per step (add another step)")
                        .arg(action->key, x.key));
                ok = false;
                continue;
            }
            action = &x;
            if (const auto a = readRunbookAction(yaml, draft, x, needs))
                step.action = *a;
            else
                ok = false;
        } else if (x.key == u"name") {
            const auto v = yaml.string(x);
            if (v && !v->contains(u'\n'))
                step.name = *v;
            else
                ok = false;
        } else if (x.key == u"precondition" || x.key == u"verify") {
            const auto c = readRunbookCondition(yaml, x, x.key == u"precondition", needs);
            if (!c)
                ok = false;
            else if (x.key == u"precondition")
                step.precondition = *c;
            else
                step.verify = *c;
        } else if (x.key == u"deadline" || x.key == u"verify_deadline") {
            const auto d = yaml.duration(x);
            if (!d)
                ok = false;
            else if (x.key == u"deadline")
                step.deadline = *d;
            else
                step.verifyDeadline = *d;
        } else if (x.key == u"rollback") {
            const auto r = yaml.mapping(x.value, yaml.pos(x), QStringLiteral("a rollback"), actions);
            if (!r) {
                ok = false;
            } else if (r->entries.size() != 1) {
                yaml.error(
                    r->position, QStringLiteral("a rollback is one action: command, run, http, haproxy or wait"));
                ok = false;
            } else if (const auto a = readRunbookAction(yaml, draft, r->entries.constFirst(), needs)) {
                if (a->kind == RunbookActionConfig::Kind::Haproxy
                    && (a->haproxyOp == RunbookActionConfig::HaproxyOp::BlockSources
                        || a->haproxyOp == RunbookActionConfig::HaproxyOp::UnblockSources)) {
                    yaml.error(r->position,
                        QStringLiteral("block_sources/unblock_sources cannot be a rollback: a block_sources step "
                                       "unblocks its own sources when rolled back"));
                    ok = false;
                } else {
                    step.rollback = *a;
                }
            } else {
                ok = false;
            }
        } else if (x.key == u"on_failure") {
            const QStringList policies { QStringLiteral("rollback"), QStringLiteral("continue"),
                QStringLiteral("escalate") };
            const QString v = x.value.IsScalar() ? fromStd(x.value.Scalar()) : QString();
            if (v == u"rollback")
                step.onFailure = RunbookStepConfig::OnFailure::Rollback;
            else if (v == u"continue")
                step.onFailure = RunbookStepConfig::OnFailure::Continue;
            else if (v == u"escalate")
                step.onFailure = RunbookStepConfig::OnFailure::Escalate;
            else {
                yaml.error(yaml.pos(x),
                    QStringLiteral("'on_failure' must be rollback, continue or escalate, got %1%2")
                        .arg(describe(x.value), didYouMean(v, policies)));
                ok = false;
            }
        }
    }
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
            step.action.env = *vars;
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
    return step;
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

std::optional<RunbookConfig> readRunbook(YamlReader& yaml, ConfigDraft& draft, const YNode& n)
{
    const auto f = yaml.mapping(n, {}, QStringLiteral("a runbook"),
        { QStringLiteral("name"), QStringLiteral("on"), QStringLiteral("targets"), QStringLiteral("groups"),
            QStringLiteral("handle"), QStringLiteral("recover") });
    if (!f)
        return std::nullopt;
    RunbookConfig r;
    r.position = f->position;
    RunbookNeeds needs;
    bool ok = true;
    const QStringList targetNames = draft.targetNames();
    const QStringList groupNames = draft.groupNames();
    for (const Entry& x : f->entries) {
        if (yaml.stopped())
            return std::nullopt;
        if (x.key == u"name") {
            if (const auto v = yaml.name(x, QStringLiteral("runbook name")))
                r.name = *v;
            else
                ok = false;
        } else if (x.key == u"on") {
            QList<YNode> causes;
            if (x.value.IsScalar())
                causes << x.value;
            else if (const auto items = yaml.sequence(x))
                causes = *items;
            else
                ok = false;
            if (causes.isEmpty() && ok) {
                yaml.error(yaml.pos(x),
                    QStringLiteral("'on' needs at least one cause class (%1)")
                        .arg(CauseClasses::names().join(QStringLiteral(", "))));
                ok = false;
            }
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
        } else if (x.key == u"targets" || x.key == u"groups") {
            const bool targets = x.key == u"targets";
            const auto items = yaml.sequence(x);
            if (!items) {
                ok = false;
                continue;
            }
            if (items->isEmpty()) {
                yaml.error(yaml.pos(x),
                    QStringLiteral("'%1' is empty: leave it out to bind the runbook to its causes on every "
                                   "target")
                        .arg(x.key));
                ok = false;
            }
            for (const YNode& item : *items) {
                const auto v = yaml.name(item, targets ? QStringLiteral("target name") : QStringLiteral("group name"));
                if (!v) {
                    ok = false;
                    continue;
                }
                const QStringList& known = targets ? targetNames : groupNames;
                if (!known.contains(*v)) {
                    yaml.error(yaml.pos(item),
                        QStringLiteral("unknown %1 '%2'%3")
                            .arg(targets ? u"target" : u"group", *v, didYouMean(*v, known)));
                    ok = false;
                    continue;
                }
                (targets ? r.targets : r.groups) << *v;
            }
        } else if (x.key == u"handle") {
            r.handle = readRunbookSteps(yaml, draft, x, needs);
        } else if (x.key == u"recover") {
            r.recover = readRunbookSteps(yaml, draft, x, needs);
        }
    }
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
    return r;
}

} // namespace

void readRunbooks(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    yaml.list(e, draft.config.runbooks, [&](const YNode& n) { return readRunbook(yaml, draft, n); });
    checkRunbookAmbiguity(yaml, draft);
}

} // namespace FaultDesk::ConfigSections
