// RunbookFactory, the runbooks of the fleet configuration (`runbooks:`): Runbook values for one fault, with the
// steps' actions, conditions and rollbacks as the loader validated them and the target's fields, pool membership,
// admin API and the fault's baseline filled in.
#include "remedy/runbookfactory.h"

#include "remedy/baselinepoller.h"

#include "remedy/commandaction.h"
#include "remedy/haproxyaction.h"
#include "remedy/httpaction.h"
#include "remedy/sqlaction.h"
#include "remedy/waitaction.h"

#include "detect/detector.h"

namespace FaultDesk {

TemplateFields RunbookFactory::fieldsFor(const Fault& f, const TargetConfig* t) const
{
    TemplateFields fields;
    fields.set(QStringLiteral("target"), f.target);
    fields.set(QStringLiteral("cause"), causeClassName(f.cause));
    fields.set(QStringLiteral("incident"), f.incidentId);
    if (t) {
        fields.set(QStringLiteral("address"), t->address);
        fields.set(QStringLiteral("group"), t->group);
        if (t->haproxy) {
            fields.set(QStringLiteral("instance"), t->haproxy->instance);
            fields.set(QStringLiteral("backend"), t->haproxy->backend);
            fields.set(QStringLiteral("server"), t->haproxy->server.isEmpty() ? t->name : t->haproxy->server);
        }
    }
    return fields;
}

std::optional<PostgresDsn> RunbookFactory::postgresDsnOf(const TargetConfig& t)
{
    for (const ProbeConfig& p : t.probes)
        if (p.postgres)
            return p.postgres->dsn;
    return std::nullopt;
}

std::function<ConditionCheck()> RunbookFactory::configuredCondition(
    const RunbookCondition& c, const QString& target) const
{
    if (c.kind == RunbookCondition::Kind::Healthy)
        return [this, target] { return targetHealthy(target); };
    return [this, c, target] {
        const double v = value(target, c.signal, std::numeric_limits<double>::quiet_NaN());
        if (std::isnan(v))
            return ConditionCheck { false, QStringLiteral("%1 of %2 is not measured").arg(c.signal, target) };
        if (c.kind == RunbookCondition::Kind::Equals) {
            const bool met = v == c.level;
            const QString shown = c.signal == u"pg_role" ? (v == 1 ? QStringLiteral("primary")
                                          : v == 0                 ? QStringLiteral("replica")
                                                                   : QString::number(v))
                                                         : QString::number(v);
            return ConditionCheck { met,
                QStringLiteral("%1 %2 is %3 (wanted %4)")
                    .arg(target, c.signal, shown, c.equalsText.isEmpty() ? QString::number(c.level) : c.equalsText) };
        }
        const bool met = c.kind == RunbookCondition::Kind::Below ? v < c.level : v > c.level;
        return ConditionCheck { met,
            QStringLiteral("%1 %2 %3 (%4 %5)")
                .arg(target, c.signal)
                .arg(v, 0, 'f', 2)
                .arg(c.kind == RunbookCondition::Kind::Below ? u"wanted below" : u"wanted above")
                .arg(c.level) };
    };
}

Runbook::ActionFactory RunbookFactory::configuredAction(const RunbookActionConfig& a, const Fault& f,
    const TargetConfig& t, const RemediationBaseline& b, const QString& source, QString* error) const
{
    switch (a.kind) {
    case RunbookActionConfig::Kind::Command: {
        QStringList argv = a.argv;
        if (!a.commandName.isEmpty()) {
            // The target's own command, with {target} and {address} of the configuration substituted.
            const auto own = t.commandArgv(a.commandName);
            if (!own) {
                *error = QStringLiteral("%1 has no command '%2' (commands: in its configuration)")
                             .arg(t.name, a.commandName);
                return {};
            }
            argv = *own;
        }
        CommandSpec spec = CommandSpec::of(argv);
        spec.environment = CommandSpec::environmentOf(t.env, a.env);
        return [spec](const ActionContext& c) -> Action* { return new CommandAction(spec, c); };
    }
    case RunbookActionConfig::Kind::Http: {
        HttpSpec spec;
        spec.method = a.method;
        spec.url = a.url;
        spec.headers = a.headers;
        spec.body = a.body;
        const QString trimmed = a.body.trimmed();
        if (!trimmed.isEmpty() && !trimmed.startsWith(u'{') && !trimmed.startsWith(u'[')) {
            spec.bodyEscape = TemplateFields::Escape::None;
            spec.contentType = QStringLiteral("text/plain; charset=utf-8");
        }
        spec.bearerToken = a.token;
        spec.insecureTokenOverHttp = a.insecureTokenOverHttp;
        if (a.url.startsWith(QStringLiteral("{admin}"))) {
            if (!t.admin) {
                *error = QStringLiteral("%1 has no admin API, which {admin} in the runbook needs").arg(t.name);
                return {};
            }
            // The admin URL is configuration, not a field value: it goes in literally (not percent-encoded).
            QString base = t.admin->url.toString();
            if (base.endsWith(u'/'))
                base.chop(1);
            spec.url = base + a.url.mid(7);
            if (!spec.bearerToken) {
                spec.bearerToken = t.admin->token;
                spec.insecureTokenOverHttp = t.admin->insecureTokenOverHttp;
            }
        }
        return [spec](const ActionContext& c) -> Action* { return new HttpAction(spec, c); };
    }
    case RunbookActionConfig::Kind::Wait: {
        WaitSpec spec;
        spec.description = QStringLiteral("%1 %2").arg(f.target, a.wait.describe());
        spec.condition = configuredCondition(a.wait, f.target);
        spec.requiredConsecutive
            = a.wait.kind == RunbookCondition::Kind::Healthy ? a.wait.checks : m_settings.healthyChecks;
        spec.interval = m_settings.waitInterval;
        return [spec](const ActionContext& c) -> Action* { return new WaitAction(spec, c); };
    }
    case RunbookActionConfig::Kind::Sql: {
        const auto dsn = postgresDsnOf(t);
        if (!dsn) {
            *error = QStringLiteral("%1 has no postgres probe, whose connection an sql step runs on").arg(t.name);
            return {};
        }
        const SqlSpec spec = SqlSpec::of(*dsn, a.statement, a.params);
        return [spec](const ActionContext& c) -> Action* { return new SqlAction(spec, c); };
    }
    case RunbookActionConfig::Kind::Haproxy:
        break;
    }
    const QString instance = !a.instance.isEmpty() ? a.instance : t.haproxy ? t.haproxy->instance : QString();
    const QString endpoint = haproxyEndpoint(instance);
    if (endpoint.isEmpty()) {
        *error = QStringLiteral("no HAProxy instance to act on for %1").arg(t.name);
        return {};
    }
    HaproxyOperation op;
    if (a.haproxyOp == RunbookActionConfig::HaproxyOp::BlockSources
        || a.haproxyOp == RunbookActionConfig::HaproxyOp::UnblockSources) {
        const HaproxyInstance* h = instance.isEmpty()
            ? (m_config.haproxy.isEmpty() ? nullptr : &m_config.haproxy.constFirst())
            : m_config.haproxyInstance(instance);
        if (!h || h->blockAcl.isEmpty() || source.isEmpty()) {
            *error = source.isEmpty() ? QStringLiteral("no source to block or unblock")
                                      : QStringLiteral("no block_acl configured on the HAProxy instance");
            return {};
        }
        op = a.haproxyOp == RunbookActionConfig::HaproxyOp::BlockSources
            ? HaproxyOperation::addAcl(h->blockAcl, source)
            : HaproxyOperation::delAcl(h->blockAcl, source);
        return haproxyOp(endpoint, op);
    }
    if (a.backend.isEmpty() && !t.haproxy) {
        *error = QStringLiteral("%1 is in no HAProxy pool and the step names no backend").arg(t.name);
        return {};
    }
    const QString backend = !a.backend.isEmpty() ? a.backend : t.haproxy->backend;
    const QString server = !a.server.isEmpty() ? a.server
        : t.haproxy                            ? (t.haproxy->server.isEmpty() ? t.name : t.haproxy->server)
                                               : t.name;
    switch (a.haproxyOp) {
    case RunbookActionConfig::HaproxyOp::SetState:
        op = a.state == u"drain" ? HaproxyOperation::drain(backend, server, m_settings.waitInterval)
                                 : HaproxyOperation::setState(backend, server, a.state);
        break;
    case RunbookActionConfig::HaproxyOp::SetWeight:
        op = HaproxyOperation::setWeight(backend, server, a.weight);
        break;
    case RunbookActionConfig::HaproxyOp::SetWeightModel: {
        if (!t.haproxy || backend != t.haproxy->backend) {
            *error = QStringLiteral("set_weight: model needs the target's own pool (%1 is not in %2)")
                         .arg(t.name, backend);
            return {};
        }
        QList<ServerLoadInput> inputs;
        const LoadBalancingPlan lb = poolModel(f, t, &inputs);
        if (!lb.feasible) {
            *error = QStringLiteral("the load-balancing model has no feasible weights: %1").arg(lb.message);
            return {};
        }
        op = HaproxyOperation::setWeights(backend, lb.weights());
        break;
    }
    case RunbookActionConfig::HaproxyOp::SetWeightBaseline: {
        QList<QPair<QString, int>> weights;
        for (const HaproxyServerState& s : b.haproxy.servers)
            if (s.backend == backend)
                weights << qMakePair(s.server, s.weight);
        if (weights.isEmpty()) {
            *error = QStringLiteral("set_weight: baseline, but the baseline has no weights of backend %1").arg(backend);
            return {};
        }
        op = HaproxyOperation::setWeights(backend, weights);
        break;
    }
    case RunbookActionConfig::HaproxyOp::BlockSources:
    case RunbookActionConfig::HaproxyOp::UnblockSources:
        break;
    }
    return haproxyOp(endpoint, op);
}

std::optional<Runbook> RunbookFactory::configuredRunbook(const RunbookConfig& config, SafetyRequest::Purpose purpose,
    const Fault& f, const TargetConfig& t, const RemediationBaseline& b, QString* error) const
{
    const bool handle = purpose == SafetyRequest::Purpose::Handle;
    Runbook rb;
    rb.name = QStringLiteral("%1/%2").arg(config.name, handle ? u"handle" : u"recover");
    const QList<RunbookStepConfig>& steps = handle ? config.handle : config.recover;
    // Blocking is per source: the sources this fault (and its incident's other faults) located that the
    // BlockSourcePolicy lets through; the refused ones are in the preview with their reasons.
    const QStringList sources = screenSources(f).blocked;
    const QString acl = blockAcl();
    for (const RunbookStepConfig& sc : steps) {
        const bool block = sc.action.kind == RunbookActionConfig::Kind::Haproxy
            && sc.action.haproxyOp == RunbookActionConfig::HaproxyOp::BlockSources;
        const bool unblock = sc.action.kind == RunbookActionConfig::Kind::Haproxy
            && sc.action.haproxyOp == RunbookActionConfig::HaproxyOp::UnblockSources;
        QStringList perSource { QString() };
        if (block) {
            if (sources.isEmpty()) {
                *error = QStringLiteral("step '%1' blocks the located sources, but none may be blocked: %2")
                             .arg(sc.name, screenSources(f).lines().join(QStringLiteral("; ")));
                return std::nullopt;
            }
            perSource = sources;
        } else if (unblock) {
            // Everything blocked since the baseline: the fault's sources and any other entry added meanwhile.
            perSource.clear();
            const QStringList before = b.haproxy.acls.value(acl);
            for (const QString& e : current().haproxy.acls.value(acl))
                if (!before.contains(e))
                    perSource << e;
            for (const QString& s : std::as_const(sources))
                if (!perSource.contains(s) && !before.contains(s))
                    perSource << s;
            if (perSource.isEmpty())
                perSource << QString(); // one step, skipped by its precondition
        }
        for (const QString& source : std::as_const(perSource)) {
            Runbook::Step step;
            step.name = source.isEmpty() ? sc.name : QStringLiteral("%1: %2").arg(sc.name, source);
            QString why;
            if (!(unblock && source.isEmpty())) {
                step.action = configuredAction(sc.action, f, t, b, source, &why);
                if (!step.action) {
                    *error = QStringLiteral("step '%1': %2").arg(sc.name, why);
                    return std::nullopt;
                }
            }
            step.deadline = sc.deadline.value_or(m_settings.stepDeadline);
            if (sc.precondition) {
                step.precondition = configuredCondition(*sc.precondition, f.target);
                step.skipWhenPreconditionUnmet = sc.precondition->skipWhenUnmet;
            }
            if (block || unblock) {
                // Already in the wanted state: nothing to do (and nothing to roll back).
                const bool wantListed = block;
                auto listed = step.precondition;
                step.precondition = [this, acl, source, wantListed, listed] {
                    if (source.isEmpty())
                        return ConditionCheck { false, QStringLiteral("nothing blocked since the baseline") };
                    const bool is = current().haproxy.acls.value(acl).contains(source);
                    if (is == wantListed)
                        return ConditionCheck { false,
                            QStringLiteral("%1 is %2 already").arg(source, wantListed ? u"blocked" : u"not blocked") };
                    return listed ? listed() : ConditionCheck { true, {} };
                };
                step.skipWhenPreconditionUnmet = true;
            }
            if (sc.verify) {
                WaitSpec spec;
                spec.description = QStringLiteral("%1 %2").arg(f.target, sc.verify->describe());
                spec.condition = configuredCondition(*sc.verify, f.target);
                spec.requiredConsecutive
                    = sc.verify->kind == RunbookCondition::Kind::Healthy ? sc.verify->checks : m_settings.healthyChecks;
                spec.interval = m_settings.waitInterval;
                step.verify = [spec](const ActionContext& c) -> Action* { return new WaitAction(spec, c); };
                step.verifyDeadline = sc.verifyDeadline.value_or(m_settings.verifyDeadline);
            }
            if (sc.rollback) {
                step.rollback = configuredAction(*sc.rollback, f, t, b, source, &why);
                if (!step.rollback) {
                    *error = QStringLiteral("step '%1' rollback: %2").arg(sc.name, why);
                    return std::nullopt;
                }
            } else if (block && !b.haproxy.acls.value(acl).contains(source)) {
                step.rollback = haproxyOp(haproxyEndpoint(), HaproxyOperation::delAcl(acl, source));
            }
            step.rollbackDeadline = step.deadline;
            switch (sc.onFailure) {
            case RunbookStepConfig::OnFailure::Rollback:
                step.onFailure = Runbook::OnFailure::Rollback;
                break;
            case RunbookStepConfig::OnFailure::Continue:
                step.onFailure = Runbook::OnFailure::Continue;
                break;
            case RunbookStepConfig::OnFailure::Escalate:
                step.onFailure = Runbook::OnFailure::Escalate;
                break;
            }
            // The blast-radius gate must see a step that takes a server out of rotation.
            if (sc.action.kind == RunbookActionConfig::Kind::Haproxy) {
                const bool out
                    = (sc.action.haproxyOp == RunbookActionConfig::HaproxyOp::SetState && sc.action.state != u"ready")
                    || (sc.action.haproxyOp == RunbookActionConfig::HaproxyOp::SetWeight && sc.action.weight == 0);
                // …and one that brings a server in, so a later removal from that backend is judged as a swap.
                const bool in
                    = sc.action.haproxyOp == RunbookActionConfig::HaproxyOp::SetState && sc.action.state == u"ready";
                if (out || in) {
                    step.removesServer = out;
                    step.addsServer = in;
                    step.backend = !sc.action.backend.isEmpty() ? sc.action.backend
                        : t.haproxy                             ? t.haproxy->backend
                                                                : QString();
                    step.server = !sc.action.server.isEmpty() ? sc.action.server
                        : t.haproxy ? (t.haproxy->server.isEmpty() ? t.name : t.haproxy->server)
                                    : t.name;
                }
            }
            rb.steps << step;
        }
    }
    // Recover is only done when the read-back equals the baseline and the target is healthy, whoever wrote it.
    if (!handle)
        rb.steps << verifyStep(f, b);
    return rb;
}

} // namespace FaultDesk
