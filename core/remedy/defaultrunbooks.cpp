// The default runbooks of RunbookFactory: what Handle and Recover do when the fleet configuration names
// no runbook for a cause. They use only what the configuration declares (commands.start, haproxy membership,
// the admin API) and the baseline frozen when the fault was detected.
#include "remedy/runbookfactory.h"

#include "remedy/baselinepoller.h"

#include "remedy/commandaction.h"
#include "remedy/haproxyaction.h"
#include "remedy/httpaction.h"
#include "remedy/loadbalancingmodel.h"
#include "remedy/waitaction.h"

#include "detect/detector.h"

#include <QJsonDocument>

namespace FaultDesk {

RunbookFactory::RunbookFactory(const FleetConfig& config, const Detector* detector, const BaselinePoller* poller)
    : m_config(config)
    , m_detector(detector)
    , m_poller(poller)
{ }

QString RunbookFactory::haproxyEndpoint(const QString& instance) const
{
    return m_poller->haproxyEndpoint(instance);
}

QString RunbookFactory::blockAcl() const
{
    return m_poller->blockAcl();
}

const RemediationBaseline& RunbookFactory::current() const
{
    return m_poller->current();
}

double RunbookFactory::value(const QString& target, const QString& signal, double fallback) const
{
    if (const auto st = m_detector->status(target))
        return st->values.value(signal, fallback);
    return fallback;
}

ConditionCheck RunbookFactory::targetHealthy(const QString& target) const
{
    const auto st = m_detector->status(target);
    if (!st)
        return { false, QStringLiteral("%1 is not monitored").arg(target) };
    if (st->state != TargetState::Up)
        return { false,
            QStringLiteral("%1 is %2%3")
                .arg(target, targetStateName(st->state),
                    st->lastReason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(st->lastReason)) };
    return { true, QStringLiteral("%1 is UP").arg(target) };
}

Runbook::ActionFactory RunbookFactory::haproxyOp(const QString& endpoint, const HaproxyOperation& op) const
{
    return [endpoint, op](const ActionContext& c) -> Action* { return new HaproxyAction(endpoint, op, c); };
}

Runbook::ActionFactory RunbookFactory::adminCall(
    const TargetConfig& t, const QString& action, const QJsonObject& body) const
{
    HttpSpec spec;
    spec.method = QStringLiteral("POST");
    QUrl url = t.admin->url;
    url.setPath(url.path() + u'/' + action);
    spec.url = url.toString();
    spec.body = QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact));
    spec.bearerToken = t.admin->token;
    spec.insecureTokenOverHttp = t.admin->insecureTokenOverHttp;
    return [spec](const ActionContext& c) -> Action* { return new HttpAction(spec, c); };
}

std::optional<Runbook> RunbookFactory::buildRunbook(const Fault& f, SafetyRequest::Purpose purpose,
    const RemediationBaseline& b, RemediationPlan* plan, QString* error, bool switchBack) const
{
    const TargetConfig* t = m_config.target(f.target);
    if (!t) {
        *error = QStringLiteral("%1 is not in the fleet configuration").arg(f.target);
        return std::nullopt;
    }
    if (plan) {
        plan->affected << f.target;
        if (t->haproxy)
            plan->affected << QStringLiteral("pool %1/%2")
                                  .arg(
                                      t->haproxy->backend, t->haproxy->server.isEmpty() ? t->name : t->haproxy->server);
    }
    if (plan && !f.sources.isEmpty())
        plan->sources = screenSources(f).lines();
    // A runbook bound in the fleet configuration wins over the built-in default (target > group > cause).
    const RunbookBinding binding = RunbookBinding::resolve(m_config, *t, f.cause);
    const bool handle = purpose == SafetyRequest::Purpose::Handle;
    if (binding.runbook && !(handle ? binding.runbook->handle : binding.runbook->recover).isEmpty()) {
        if (plan)
            plan->runbookReason = binding.reason;
        if (switchBack) {
            *error = QStringLiteral("switching back is offered only by the built-in Recover of a PostgreSQL fail-over");
            return std::nullopt;
        }
        return configuredRunbook(*binding.runbook, purpose, f, *t, b, error);
    }
    if (plan)
        plan->runbookReason = binding.runbook ? QStringLiteral("%1; it has no %2 steps, so the built-in %2 runs")
                                                    .arg(binding.reason, handle ? u"handle" : u"recover")
                                              : binding.reason;
    // A PostgreSQL primary/replica pair fails over with SQL and rebuilds the damaged node (postgresrunbooks.cpp).
    const TargetConfig* pgPeer = f.cause == CauseClass::DataIntegrity ? postgresPeer(*t) : nullptr;
    if (pgPeer && purpose == SafetyRequest::Purpose::Recover)
        return postgresRebuildRecover(f, *t, *pgPeer, b, switchBack, plan, error);
    if (switchBack) {
        *error = QStringLiteral("switching back is offered only by the built-in Recover of a PostgreSQL fail-over");
        return std::nullopt;
    }
    if (pgPeer && postgresIsPrimary(*t))
        return postgresFailoverHandle(f, *t, *pgPeer, b, plan, error);
    if (purpose == SafetyRequest::Purpose::Recover)
        return recoverRunbook(f, b);
    switch (f.cause) {
    case CauseClass::Down:
    case CauseClass::Unreachable:
    case CauseClass::Unhealthy:
    case CauseClass::Latency:
    case CauseClass::Errors:
        if (!t->commandArgv(QStringLiteral("start")) && !t->admin) {
            *error = QStringLiteral("%1 has neither commands.start nor an admin API: no default runbook for %2")
                         .arg(f.target, causeClassName(f.cause));
            return std::nullopt;
        }
        return crashHandle(f, *t);
    case CauseClass::Overload:
        return overloadHandle(f, *t, b, plan, error);
    case CauseClass::Attack: {
        if (f.sources.isEmpty() || blockAcl().isEmpty() || haproxyEndpoint().isEmpty()) {
            *error = f.sources.isEmpty() ? QStringLiteral("the attack's sources are not located")
                                         : QStringLiteral("no HAProxy block_acl configured: sources cannot be blocked");
            return std::nullopt;
        }
        const BlockSourcePolicy::Screened screened = screenSources(f);
        if (plan) {
            if (!screened.blocked.isEmpty())
                plan->affected << QStringLiteral("sources %1 (blocked for %2 s)")
                                      .arg(screened.blocked.join(QStringLiteral(", ")))
                                      .arg(m_settings.attackBlock.count() / 1000);
        }
        if (screened.blocked.isEmpty()) {
            *error = QStringLiteral("none of the located sources may be blocked: %1")
                         .arg(screened.lines().join(QStringLiteral("; ")));
            return std::nullopt;
        }
        return attackHandle(f, b, screened.blocked);
    }
    case CauseClass::DataIntegrity:
        return corruptionHandle(f, *t, b, plan, error);
    case CauseClass::Network:
        return networkHandle(f, *t, plan, error);
    }
    *error = QStringLiteral("no default runbook for %1").arg(causeClassName(f.cause));
    return std::nullopt;
}

Runbook RunbookFactory::crashHandle(const Fault& f, const TargetConfig& t) const
{
    Runbook rb;
    rb.name = QStringLiteral("%1/handle").arg(causeClassName(f.cause));
    Runbook::Step restart;
    const QString target = f.target;
    // A process that still runs (hung, slow, answering garbage) is not helped by a start: `restart` when declared.
    auto argv = t.commandArgv(QStringLiteral("restart"));
    if (!argv)
        argv = t.commandArgv(QStringLiteral("start"));
    if (argv) {
        restart.name = QStringLiteral("restart %1").arg(target);
        CommandSpec spec = CommandSpec::of(*argv);
        spec.environment = CommandSpec::environmentOf(t.env, {});
        restart.action = [spec](const ActionContext& c) -> Action* { return new CommandAction(spec, c); };
    } else {
        restart.name = QStringLiteral("restart %1 (admin API)").arg(target);
        restart.action = adminCall(t, QStringLiteral("restart"), {});
    }
    restart.deadline = m_settings.stepDeadline;
    WaitSpec healthy;
    healthy.description = QStringLiteral("%1 healthy for %2 checks").arg(target).arg(m_settings.healthyChecks);
    healthy.condition = [this, target] { return targetHealthy(target); };
    healthy.requiredConsecutive = m_settings.healthyChecks;
    healthy.interval = m_settings.waitInterval;
    restart.verify = [healthy](const ActionContext& c) -> Action* { return new WaitAction(healthy, c); };
    restart.verifyDeadline = m_settings.verifyDeadline;
    rb.steps << restart;
    if (t.haproxy) {
        const QString endpoint = haproxyEndpoint(t.haproxy->instance);
        const QString server = t.haproxy->server.isEmpty() ? t.name : t.haproxy->server;
        Runbook::Step admit;
        admit.name = QStringLiteral("re-admit %1 to pool %2").arg(server, t.haproxy->backend);
        admit.action
            = haproxyOp(endpoint, HaproxyOperation::setState(t.haproxy->backend, server, QStringLiteral("ready")));
        admit.rollback
            = haproxyOp(endpoint, HaproxyOperation::setState(t.haproxy->backend, server, QStringLiteral("maint")));
        admit.deadline = m_settings.stepDeadline;
        rb.steps << admit;
    }
    return rb;
}

LoadBalancingPlan RunbookFactory::poolModel(const Fault& f, const TargetConfig& t, QList<ServerLoadInput>* inputs) const
{
    // The pool as configured, measured now: each member's served rate and utilisation give its capacity.
    double total = 0;
    for (const TargetConfig& m : m_config.targets) {
        if (!m.haproxy || m.haproxy->backend != t.haproxy->backend || m.haproxy->instance != t.haproxy->instance)
            continue;
        const QString server = m.haproxy->server.isEmpty() ? m.name : m.haproxy->server;
        ServerLoadInput in;
        in.name = server;
        in.rate = std::max(0.0, value(m.name, QStringLiteral("rps"), 0));
        in.utilisation = std::max(0.0, value(m.name, QStringLiteral("load"), 0));
        const auto st = m_detector->status(m.name);
        // A member that still answers serves its share, overloaded or not (in a pool-wide surge every member is
        // in the incident): counted out, it would get weight 0 and the surge would land on fewer servers.
        in.up = st && (st->answers() || m.name == f.target || (st->state == TargetState::Hard && st->faultId == f.id));
        if (in.up)
            total += in.rate;
        inputs->append(in);
    }
    return LoadBalancingModel::solve(*inputs, total);
}

std::optional<Runbook> RunbookFactory::overloadHandle(
    const Fault& f, const TargetConfig& t, const RemediationBaseline& b, RemediationPlan* plan, QString* error) const
{
    if (!t.haproxy) {
        *error = QStringLiteral("%1 is in no HAProxy pool: its load cannot be rebalanced").arg(f.target);
        return std::nullopt;
    }
    const QString backend = t.haproxy->backend;
    const QString endpoint = haproxyEndpoint(t.haproxy->instance);
    QList<ServerLoadInput> inputs;
    const LoadBalancingPlan lb = poolModel(f, t, &inputs);
    const QString hot = t.haproxy->server.isEmpty() ? t.name : t.haproxy->server;
    Runbook rb;
    rb.name = QStringLiteral("overload/handle");
    QList<QPair<QString, int>> baselineWeights;
    for (const HaproxyServerState& s : b.haproxy.servers)
        if (s.backend == backend)
            baselineWeights << qMakePair(s.server, s.weight);
    if (plan) {
        for (const auto& s : lb.servers) {
            RemediationPlan::WeightChange w;
            w.server = s.name;
            if (const auto cur = HaproxyServerState::find(current().haproxy.servers, backend, s.name))
                w.current = cur->weight;
            w.proposed = s.weight;
            for (const auto& in : inputs)
                if (in.name == s.name)
                    w.utilisation = in.utilisation;
            w.proposedUtilisation = s.utilisation;
            plan->weights << w;
            plan->affected << QStringLiteral("%1/%2").arg(backend, s.name);
        }
        plan->capacity = QStringLiteral("%1: load %2 rps on capacity %3 rps (%4)")
                             .arg(backend)
                             .arg(lb.load, 0, 'f', 1)
                             .arg(lb.totalCapacity, 0, 'f', 1)
                             .arg(lb.message);
    }
    if (lb.feasible) {
        Runbook::Step rebalance;
        rebalance.name = QStringLiteral("rebalance %1 by measured capacity").arg(backend);
        rebalance.action = haproxyOp(endpoint, HaproxyOperation::setWeights(backend, lb.weights()));
        if (!baselineWeights.isEmpty())
            rebalance.rollback = haproxyOp(endpoint, HaproxyOperation::setWeights(backend, baselineWeights));
        rebalance.deadline = m_settings.stepDeadline;
        // The new weights get time to act before a drain is considered; the checks log what the load does.
        WaitSpec settle;
        settle.description = QStringLiteral("let %1's load settle").arg(f.target);
        const QString target = f.target;
        settle.condition = [this, target] {
            return ConditionCheck { true,
                QStringLiteral("%1 load %2").arg(target).arg(value(target, QStringLiteral("load")), 0, 'f', 2) };
        };
        settle.interval = m_settings.waitInterval;
        settle.requiredConsecutive = std::max<int>(1, int(m_settings.settle / m_settings.waitInterval));
        rebalance.verify = [settle](const ActionContext& c) -> Action* { return new WaitAction(settle, c); };
        rebalance.verifyDeadline = m_settings.settle + m_settings.verifyDeadline;
        rb.steps << rebalance;
    }
    // Only when the weights are not enough (or no feasible split exists): drain the hottest server, if the
    // blast-radius gate lets it go.
    Runbook::Step drain;
    drain.name = QStringLiteral("drain %1 if still overloaded").arg(hot);
    const QString target = f.target;
    const double level = m_settings.overloadLevel;
    drain.precondition = [this, target, level] {
        const double load = value(target, QStringLiteral("load"));
        return ConditionCheck { load > level,
            QStringLiteral("%1 load %2 (level %3)").arg(target).arg(load, 0, 'f', 2).arg(level, 0, 'f', 2) };
    };
    drain.skipWhenPreconditionUnmet = true;
    drain.action = haproxyOp(endpoint, HaproxyOperation::drain(backend, hot, m_settings.waitInterval));
    drain.rollback = haproxyOp(endpoint, HaproxyOperation::setState(backend, hot, QStringLiteral("ready")));
    drain.deadline = m_settings.stepDeadline;
    drain.removesServer = true;
    drain.backend = backend;
    drain.server = hot;
    rb.steps << drain;
    return rb;
}

BlockSourcePolicy::Screened RunbookFactory::screenSources(const Fault& f) const
{
    // One attack shows on every server of the pool: the sources located on any of them (same incident) count.
    QStringList sources = f.sources;
    QList<double> shares = f.sourceShares;
    while (shares.size() < sources.size())
        shares << -1;
    for (const Fault& o : m_detector->openFaults()) {
        if (o.id == f.id || o.incidentId.isEmpty() || o.incidentId != f.incidentId)
            continue;
        for (qsizetype i = 0; i < o.sources.size(); ++i)
            if (!sources.contains(o.sources.at(i))) {
                sources << o.sources.at(i);
                shares << o.sourceShares.value(i, -1);
            }
    }
    return BlockSourcePolicy(m_config).screen(sources, shares);
}

Runbook RunbookFactory::attackHandle(const Fault& f, const RemediationBaseline& b, const QStringList& sources) const
{
    Runbook rb;
    rb.name = QStringLiteral("%1/handle").arg(causeClassName(f.cause));
    const QString endpoint = haproxyEndpoint();
    const QString acl = blockAcl();
    const QStringList already = b.haproxy.acls.value(acl);
    for (const QString& source : std::as_const(sources)) {
        Runbook::Step block;
        block.name = QStringLiteral("block %1").arg(source);
        block.precondition = [this, acl, source] {
            const bool listed = current().haproxy.acls.value(acl).contains(source);
            return ConditionCheck { !listed, listed ? QStringLiteral("%1 is blocked already").arg(source) : QString() };
        };
        block.skipWhenPreconditionUnmet = true;
        block.action = haproxyOp(endpoint, HaproxyOperation::addAcl(acl, source));
        if (!already.contains(source))
            block.rollback = haproxyOp(endpoint, HaproxyOperation::delAcl(acl, source));
        block.deadline = m_settings.stepDeadline;
        rb.steps << block;
    }
    return rb;
}

std::optional<Runbook> RunbookFactory::corruptionHandle(
    const Fault& f, const TargetConfig& t, const RemediationBaseline& b, RemediationPlan* plan, QString* error) const
{
    if (!t.admin) {
        *error = QStringLiteral("%1 has no admin API: no default fail-over").arg(f.target);
        return std::nullopt;
    }
    // The replica: another database of the same group, as its status reported it before the fault.
    const TargetConfig* replica = nullptr;
    for (auto it = b.databases.cbegin(); it != b.databases.cend(); ++it) {
        const TargetConfig* o = m_config.target(it.key());
        if (it.key() != f.target && it->role == u"replica" && o && o->admin && o->group == t.group)
            replica = o;
    }
    Runbook rb;
    rb.name = QStringLiteral("data-integrity/handle");
    Runbook::Step ro;
    ro.name = QStringLiteral("%1 read-only").arg(f.target);
    ro.action = adminCall(t, QStringLiteral("readonly"), { { QStringLiteral("on"), true } });
    ro.rollback
        = adminCall(t, QStringLiteral("readonly"), { { QStringLiteral("on"), b.databases.value(f.target).readOnly } });
    ro.deadline = m_settings.stepDeadline;
    rb.steps << ro;
    if (replica) {
        Runbook::Step promote;
        promote.name = QStringLiteral("promote %1 to primary").arg(replica->name);
        promote.action = adminCall(
            *replica, QStringLiteral("failover"), { { QStringLiteral("role"), QStringLiteral("primary") } });
        promote.rollback = adminCall(
            *replica, QStringLiteral("failover"), { { QStringLiteral("role"), QStringLiteral("replica") } });
        promote.deadline = m_settings.stepDeadline;
        rb.steps << promote;
        Runbook::Step demote;
        demote.name = QStringLiteral("demote %1 to replica").arg(f.target);
        demote.action
            = adminCall(t, QStringLiteral("failover"), { { QStringLiteral("role"), QStringLiteral("replica") } });
        demote.rollback
            = adminCall(t, QStringLiteral("failover"), { { QStringLiteral("role"), QStringLiteral("primary") } });
        demote.deadline = m_settings.stepDeadline;
        rb.steps << demote;
        if (plan)
            plan->affected << replica->name;
    } else if (plan) {
        plan->capacity = QStringLiteral("no replica known: %1 stays read-only until Recover").arg(f.target);
    }
    return rb;
}

void RunbookFactory::addHaproxyRestoreSteps(Runbook& rb, const RemediationBaseline& b, const QString& backend) const
{
    if (!b.haproxyKnown || haproxyEndpoint().isEmpty())
        return;
    const QString endpoint = haproxyEndpoint();
    QList<QPair<QString, int>> weights;
    for (const HaproxyServerState& s : b.haproxy.servers)
        if (backend.isEmpty() || s.backend == backend)
            weights << qMakePair(s.server, s.weight);
    if (!weights.isEmpty() && !backend.isEmpty()) {
        Runbook::Step w;
        w.name = QStringLiteral("restore %1 baseline weights").arg(backend);
        w.precondition = [this, b, backend] {
            QStringList diff;
            for (const HaproxyServerState& s : b.haproxy.servers)
                if (s.backend == backend)
                    if (const auto cur = HaproxyServerState::find(current().haproxy.servers, backend, s.server);
                        cur && cur->weight != s.weight)
                        diff << QStringLiteral("%1 %2→%3").arg(s.server).arg(cur->weight).arg(s.weight);
            return ConditionCheck { !diff.isEmpty(),
                diff.isEmpty() ? QStringLiteral("weights equal the baseline") : diff.join(QStringLiteral(", ")) };
        };
        w.skipWhenPreconditionUnmet = true;
        w.action = haproxyOp(endpoint, HaproxyOperation::setWeights(backend, weights));
        w.deadline = m_settings.stepDeadline;
        rb.steps << w;
    }
    for (const HaproxyServerState& s : b.haproxy.servers) {
        if (!backend.isEmpty() && s.backend != backend)
            continue;
        // Only servers that differ now get a step (a drained one); the verification covers the rest.
        const auto now = HaproxyServerState::find(current().haproxy.servers, s.backend, s.server);
        if (now && now->adminState == s.adminState)
            continue;
        Runbook::Step st;
        st.name = QStringLiteral("%1/%2 back to %3").arg(s.backend, s.server, s.adminState);
        st.precondition = [this, s] {
            const auto cur = HaproxyServerState::find(current().haproxy.servers, s.backend, s.server);
            const bool differs = cur && cur->adminState != s.adminState;
            return ConditionCheck { differs,
                cur ? QStringLiteral("now %1").arg(cur->adminState) : QStringLiteral("not listed") };
        };
        st.skipWhenPreconditionUnmet = true;
        st.action = haproxyOp(endpoint, HaproxyOperation::setState(s.backend, s.server, s.adminState));
        st.deadline = m_settings.stepDeadline;
        rb.steps << st;
    }
    for (auto it = b.haproxy.acls.cbegin(); it != b.haproxy.acls.cend(); ++it) {
        const QString acl = it.key();
        const QStringList want = it.value();
        QStringList present = current().haproxy.acls.value(acl);
        // Entries added since the baseline (the blocked sources) are removed; missing baseline entries come back.
        for (const QString& e : present)
            if (!want.contains(e)) {
                Runbook::Step del;
                del.name = QStringLiteral("unblock %1").arg(e);
                del.action = haproxyOp(endpoint, HaproxyOperation::delAcl(acl, e));
                del.rollback = haproxyOp(endpoint, HaproxyOperation::restoreAcl(acl, e));
                del.deadline = m_settings.stepDeadline;
                rb.steps << del;
            }
        for (const QString& e : want)
            if (!present.contains(e)) {
                Runbook::Step add;
                add.name = QStringLiteral("re-add %1 to %2").arg(e, acl);
                add.action = haproxyOp(endpoint, HaproxyOperation::restoreAcl(acl, e));
                add.deadline = m_settings.stepDeadline;
                rb.steps << add;
            }
    }
}

void RunbookFactory::addDatabaseRestoreSteps(Runbook& rb, const RemediationBaseline& b, const QString& corrupted) const
{
    const TargetConfig* t = m_config.target(corrupted);
    if (!t || !t->admin || !b.databases.contains(corrupted))
        return;
    const double checksum = b.databases.value(corrupted).checksum;
    Runbook::Step restore;
    restore.name = QStringLiteral("restore %1 from backup %2").arg(corrupted, m_settings.backupName);
    restore.action = adminCall(*t, QStringLiteral("restore"), { { QStringLiteral("backup"), m_settings.backupName } });
    restore.deadline = m_settings.stepDeadline;
    WaitSpec same;
    same.description = QStringLiteral("%1 checksum equals the baseline %2").arg(corrupted).arg(qint64(checksum));
    same.condition = [this, corrupted, checksum] {
        const auto d = current().databases.constFind(corrupted);
        if (d == current().databases.cend())
            return ConditionCheck { false, QStringLiteral("%1 status not read yet").arg(corrupted) };
        const bool ok = d->checksum == checksum && d->integrityOk;
        return ConditionCheck { ok,
            QStringLiteral("checksum %1 (baseline %2), integrity %3")
                .arg(qint64(d->checksum))
                .arg(qint64(checksum))
                .arg(d->integrityOk ? 1 : 0) };
    };
    same.interval = m_settings.waitInterval;
    same.requiredConsecutive = m_settings.healthyChecks;
    restore.verify = [same](const ActionContext& c) -> Action* { return new WaitAction(same, c); };
    restore.verifyDeadline = m_settings.verifyDeadline;
    rb.steps << restore;
    // Fail back: every database to its baseline role and read-only flag; the primary-to-be first.
    QStringList order = b.databases.keys();
    std::stable_sort(order.begin(), order.end(), [&](const QString& x, const QString& y) {
        return b.databases.value(x).role == u"primary" && b.databases.value(y).role != u"primary";
    });
    for (const QString& name : order) {
        const TargetConfig* d = m_config.target(name);
        if (!d || !d->admin)
            continue;
        const auto want = b.databases.value(name);
        Runbook::Step role;
        role.name = QStringLiteral("%1 back to %2").arg(name, want.role);
        role.precondition = [this, name, want] {
            const auto cur = current().databases.value(name);
            const bool differs = cur.role != want.role;
            return ConditionCheck { differs, QStringLiteral("%1 is %2").arg(name, cur.role) };
        };
        role.skipWhenPreconditionUnmet = true;
        role.action = adminCall(*d, QStringLiteral("failover"), { { QStringLiteral("role"), want.role } });
        role.deadline = m_settings.stepDeadline;
        rb.steps << role;
        Runbook::Step ro;
        ro.name = QStringLiteral("%1 read-only %2").arg(name, want.readOnly ? u"on" : u"off");
        ro.precondition = [this, name, want] {
            const auto cur = current().databases.value(name);
            return ConditionCheck { cur.readOnly != want.readOnly,
                QStringLiteral("read-only %1").arg(cur.readOnly ? u"on" : u"off") };
        };
        ro.skipWhenPreconditionUnmet = true;
        ro.action = adminCall(*d, QStringLiteral("readonly"), { { QStringLiteral("on"), want.readOnly } });
        ro.deadline = m_settings.stepDeadline;
        rb.steps << ro;
    }
}

ConditionCheck RunbookFactory::verifyCondition(const Fault& f, const RemediationBaseline& b) const
{
    const TargetConfig* t = m_config.target(f.target);
    const QString backend = t && t->haproxy ? t->haproxy->backend : QString();
    const QStringList diff = b.differences(current(), backend);
    if (!diff.isEmpty())
        return { false, QStringLiteral("differs from the baseline: %1").arg(diff.join(QStringLiteral("; "))) };
    const ConditionCheck h = targetHealthy(f.target);
    if (!h.met)
        return h;
    if (f.cause == CauseClass::Overload || f.cause == CauseClass::Attack) {
        const double load = value(f.target, QStringLiteral("load"), 0);
        if (load >= m_settings.loadClear)
            return { false,
                QStringLiteral("%1 load %2, not below %3")
                    .arg(f.target)
                    .arg(load, 0, 'f', 2)
                    .arg(m_settings.loadClear, 0, 'f', 2) };
    }
    return { true, QStringLiteral("read-back equals the baseline; %1").arg(h.reason) };
}

Runbook::Step RunbookFactory::verifyStep(const Fault& f, const RemediationBaseline& b) const
{
    Runbook::Step v;
    v.name = QStringLiteral("verify %1 equals the baseline and is healthy").arg(f.target);
    WaitSpec spec;
    spec.description = QStringLiteral("%1 equals the baseline and is healthy").arg(f.target);
    spec.condition = [this, f, b] { return verifyCondition(f, b); };
    spec.interval = m_settings.waitInterval;
    spec.requiredConsecutive = m_settings.healthyChecks;
    v.action = [spec](const ActionContext& c) -> Action* { return new WaitAction(spec, c); };
    v.deadline = m_settings.verifyDeadline;
    return v;
}

Runbook RunbookFactory::recoverRunbook(const Fault& f, const RemediationBaseline& b) const
{
    Runbook rb;
    rb.name = QStringLiteral("%1/recover").arg(causeClassName(f.cause));
    const TargetConfig* t = m_config.target(f.target);
    if (f.cause == CauseClass::Overload || f.cause == CauseClass::Attack) {
        // Back to the baseline only once the load has subsided: the weights were changed because of it.
        Runbook::Step calm;
        calm.name
            = QStringLiteral("wait until %1's load is below %2").arg(f.target).arg(m_settings.loadClear, 0, 'f', 2);
        WaitSpec spec;
        // WaitAction says "wait until" itself.
        spec.description = QStringLiteral("%1's load is below %2").arg(f.target).arg(m_settings.loadClear, 0, 'f', 2);
        const QString target = f.target;
        const double clear = m_settings.loadClear;
        spec.condition = [this, target, clear] {
            const double load = value(target, QStringLiteral("load"), 0);
            return ConditionCheck { load < clear, QStringLiteral("load %1").arg(load, 0, 'f', 2) };
        };
        spec.interval = m_settings.waitInterval;
        spec.requiredConsecutive = m_settings.healthyChecks;
        calm.action = [spec](const ActionContext& c) -> Action* { return new WaitAction(spec, c); };
        calm.deadline = m_settings.verifyDeadline;
        rb.steps << calm;
    }
    if (f.cause == CauseClass::DataIntegrity)
        addDatabaseRestoreSteps(rb, b, f.target);
    if (f.cause == CauseClass::Network && t && !linkSignals(*t).isEmpty()) {
        rb.steps << linkHealedStep(f, *t); // back to the link only once it carries calls again
        addRouteBackSteps(rb, *t);
    }
    addHaproxyRestoreSteps(rb, b, t && t->haproxy ? t->haproxy->backend : QString());
    rb.steps << verifyStep(f, b);
    return rb;
}

Runbook RunbookFactory::restoreRunbook(const Fault& f, const RemediationBaseline& b, const QString& backend) const
{
    Runbook rb;
    rb.name = QStringLiteral("unfinished/recover");
    addHaproxyRestoreSteps(rb, b, backend);
    rb.steps << verifyStep(f, b);
    return rb;
}

} // namespace FaultDesk
