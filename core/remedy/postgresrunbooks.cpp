// The built-in runbooks of a PostgreSQL primary/replica pair (two targets of one group labelled `role: primary` and
// `role: replica`, both probed with `kind: postgres`) for a data-integrity fault of whichever is the primary now
// (its pg_role; the label when unmeasured), so a second fault after a fail-over is handled the same way:
//   Handle  — fence the primary (read-only, then its writers terminated), promote the replica, move the pool to it
//             (HAProxy TCP backend, when both are members), verify a write succeeds there;
//   Recover — rebuild the damaged node from the new primary with the target's own `commands: {rebuild: […]}` (with
//             `stop`/`start` around it when declared), wait until it streams as a replica, then verify amcheck and the
//             critical tables' fingerprints against the baseline read when the fault was detected.
// Every step runs on the same gates, previews and audit as any other; what can be undone has a rollback.
#include "runbookfactory.h"

#include "baselinepoller.h"
#include "commandaction.h"
#include "haproxyaction.h"
#include "postgrescheckaction.h"
#include "sqlaction.h"
#include "waitaction.h"

#include "config/postgresprobeconfig.h"
#include "detect/detector.h"

#include <cmath>
#include <limits>

namespace FaultDesk {

namespace {

const QString roleLabel = QStringLiteral("role");

const PostgresProbeConfig* postgresProbe(const TargetConfig& t)
{
    for (const ProbeConfig& p : t.probes)
        if (p.postgres)
            return &*p.postgres;
    return nullptr;
}

// A rebuild copies the whole database: far longer than a step, bounded all the same.
constexpr std::chrono::milliseconds rebuildDeadline { 30 * 60 * 1000 };

} // namespace

const TargetConfig* RunbookFactory::postgresPeer(const TargetConfig& t) const
{
    auto paired = [](const TargetConfig& x) {
        const QString role = x.labels.value(roleLabel);
        return postgresProbe(x) && (role == u"primary" || role == u"replica");
    };
    if (t.group.isEmpty() || !paired(t))
        return nullptr;
    const TargetConfig* peer = nullptr;
    for (const TargetConfig& o : m_config.targets) {
        if (o.name == t.name || o.group != t.group || !paired(o))
            continue;
        if (peer)
            return nullptr; // more than two: not a pair this runbook can decide for
        peer = &o;
    }
    // Configured as a pair: one of each.
    if (peer && peer->labels.value(roleLabel) == t.labels.value(roleLabel))
        return nullptr;
    return peer;
}

bool RunbookFactory::postgresIsPrimary(const TargetConfig& t) const
{
    const double role = value(t.name, PostgresProbeConfig::roleSignal(), std::numeric_limits<double>::quiet_NaN());
    if (!std::isnan(role))
        return role == 1;
    return t.labels.value(roleLabel) == u"primary";
}

std::function<ConditionCheck()> RunbookFactory::signalEquals(
    const QString& target, const QString& signal, double wanted, const QString& wantedText) const
{
    return [this, target, signal, wanted, wantedText] {
        const double v = value(target, signal, std::numeric_limits<double>::quiet_NaN());
        if (std::isnan(v))
            return ConditionCheck { false, QStringLiteral("%1 of %2 is not measured").arg(signal, target) };
        return ConditionCheck { v == wanted,
            QStringLiteral("%1 %2 = %3 (wanted %4)").arg(target, signal, QString::number(v), wantedText) };
    };
}

ConditionCheck RunbookFactory::haproxyServerUp(const QString& backend, const QString& server) const
{
    if (const QString problem = m_poller->haproxyProblem(); !problem.isEmpty())
        return { false, QStringLiteral("the pool state of %1 is unknown: %2").arg(backend, problem) };
    const auto s = HaproxyServerState::find(current().haproxy.servers, backend, server);
    if (!s)
        return { false, QStringLiteral("%1/%2 is not in HAProxy's pool").arg(backend, server) };
    const bool up = s->adminState == u"ready" && (s->status.startsWith(u"UP") || s->status == u"no check");
    return { up, QStringLiteral("%1/%2 is %3 (%4)").arg(backend, server, s->status, s->adminState) };
}

std::optional<Runbook> RunbookFactory::postgresFailoverHandle(const Fault& f, const TargetConfig& primary,
    const TargetConfig& replica, const RemediationBaseline& b, RemediationPlan* plan, QString* error) const
{
    Q_UNUSED(error);
    const PostgresDsn primaryDsn = postgresProbe(primary)->dsn;
    const PostgresDsn replicaDsn = postgresProbe(replica)->dsn;
    const QString role = PostgresProbeConfig::roleSignal();
    Runbook rb;
    rb.name = QStringLiteral("data-integrity/postgres-failover/handle");

    // 1. Fence: no new write transaction on the damaged primary. ALTER SYSTEM runs alone (never in a transaction).
    Runbook::Step fence;
    fence.name = QStringLiteral("fence %1: default_transaction_read_only = on").arg(primary.name);
    SqlSpec on { primaryDsn,
        { { QStringLiteral("ALTER SYSTEM SET default_transaction_read_only = on"), {} },
            { QStringLiteral("SELECT pg_reload_conf()"), {} } } };
    SqlSpec off { primaryDsn,
        { { QStringLiteral("ALTER SYSTEM RESET default_transaction_read_only"), {} },
            { QStringLiteral("SELECT pg_reload_conf()"), {} } } };
    fence.action = [on](const ActionContext& c) -> Action* { return new SqlAction(on, c); };
    fence.rollback = [off](const ActionContext& c) -> Action* { return new SqlAction(off, c); };
    fence.deadline = m_settings.stepDeadline;
    rb.steps << fence;

    // 2. Writers already inside a transaction keep writing until they end: end them (not FaultDesk's own sessions).
    Runbook::Step writers;
    writers.name = QStringLiteral("terminate the client writers on %1").arg(primary.name);
    const SqlSpec terminate = SqlSpec::of(primaryDsn,
        QStringLiteral("SELECT count(pg_terminate_backend(pid)) AS terminated FROM pg_stat_activity WHERE backend_type "
                       "= 'client backend' AND pid <> pg_backend_pid() AND application_name NOT LIKE 'faultdesk%' AND "
                       "(backend_xid IS NOT NULL OR state LIKE 'idle in transaction%')"));
    writers.action = [terminate](const ActionContext& c) -> Action* { return new SqlAction(terminate, c); };
    writers.deadline = m_settings.stepDeadline;
    rb.steps << writers;

    // 3. Promote the replica; it is a primary once its probe says so (no rollback: a promotion cannot be undone).
    Runbook::Step promote;
    promote.name = QStringLiteral("promote %1 (pg_promote)").arg(replica.name);
    const QString replicaName = replica.name;
    promote.precondition = [this, replicaName, role] {
        const double v = value(replicaName, role, std::numeric_limits<double>::quiet_NaN());
        if (v == 1)
            return ConditionCheck { false, QStringLiteral("%1 is a primary already").arg(replicaName) };
        return ConditionCheck { v == 0,
            std::isnan(v) ? QStringLiteral("%1's role is not measured").arg(replicaName)
                          : QStringLiteral("%1 is a replica").arg(replicaName) };
    };
    promote.skipWhenPreconditionUnmet = true; // already primary: nothing to do (and unmeasured fails the verify)
    const int promoteWaitS = int(qMax<qint64>(1, m_settings.stepDeadline.count() / 1000 - 1));
    const SqlSpec promoteSql
        = SqlSpec::of(replicaDsn, QStringLiteral("SELECT pg_promote(true, %1) AS promoted").arg(promoteWaitS));
    promote.action = [promoteSql](const ActionContext& c) -> Action* { return new SqlAction(promoteSql, c); };
    promote.deadline = m_settings.stepDeadline;
    WaitSpec promoted;
    promoted.description = QStringLiteral("%1 pg_role equals primary").arg(replica.name);
    promoted.condition = signalEquals(replica.name, role, 1, QStringLiteral("primary"));
    promoted.requiredConsecutive = m_settings.healthyChecks;
    promoted.interval = m_settings.waitInterval;
    promote.verify = [promoted](const ActionContext& c) -> Action* { return new WaitAction(promoted, c); };
    promote.verifyDeadline = m_settings.verifyDeadline;
    promote.onFailure = Runbook::OnFailure::Escalate; // the fence stays: a damaged primary must not take writes
    rb.steps << promote;

    // 4. The pool follows the primary: the new one in, the damaged one out (both members of one TCP backend).
    const QString endpoint = primary.haproxy ? haproxyEndpoint(primary.haproxy->instance) : QString();
    if (primary.haproxy && replica.haproxy && primary.haproxy->backend == replica.haproxy->backend
        && !endpoint.isEmpty()) {
        const QString backend = primary.haproxy->backend;
        const QString primaryServer = primary.haproxy->server.isEmpty() ? primary.name : primary.haproxy->server;
        const QString replicaServer = replica.haproxy->server.isEmpty() ? replica.name : replica.haproxy->server;
        const auto was = [&](const QString& server) {
            const auto s = HaproxyServerState::find(b.haproxy.servers, backend, server);
            return s ? s->adminState : QStringLiteral("ready");
        };
        Runbook::Step in;
        in.name = QStringLiteral("pool %1: %2 ready").arg(backend, replicaServer);
        in.action = haproxyOp(endpoint, HaproxyOperation::setState(backend, replicaServer, QStringLiteral("ready")));
        in.rollback = haproxyOp(endpoint, HaproxyOperation::setState(backend, replicaServer, was(replicaServer)));
        in.deadline = m_settings.stepDeadline;
        in.addsServer = true;
        in.backend = backend;
        in.server = replicaServer;
        // In rotation is not serving: its health check must see the new primary (UP in show stat) before the damaged
        // one may leave, or the pool would be left with no server at all.
        WaitSpec up;
        up.description = QStringLiteral("%1/%2 is UP in HAProxy").arg(backend, replicaServer);
        up.condition = [this, backend, replicaServer] { return haproxyServerUp(backend, replicaServer); };
        up.requiredConsecutive = m_settings.healthyChecks;
        up.interval = m_settings.waitInterval;
        in.verify = [up](const ActionContext& c) -> Action* { return new WaitAction(up, c); };
        in.verifyDeadline = m_settings.verifyDeadline;
        rb.steps << in;
        Runbook::Step out;
        out.name = QStringLiteral("pool %1: %2 out (maint)").arg(backend, primaryServer);
        out.action = haproxyOp(endpoint, HaproxyOperation::setState(backend, primaryServer, QStringLiteral("maint")));
        out.rollback = haproxyOp(endpoint, HaproxyOperation::setState(backend, primaryServer, was(primaryServer)));
        out.deadline = m_settings.stepDeadline;
        out.removesServer = true;
        out.backend = backend;
        out.server = primaryServer;
        rb.steps << out;
        if (plan) {
            plan->affected << QStringLiteral("pool %1 moves from %2 to %3").arg(backend, primaryServer, replicaServer);
            plan->capacity
                = QStringLiteral("%1 stays in maint in pool %2 until it is switched back").arg(primaryServer, backend);
        }
    } else if (plan) {
        plan->capacity = QStringLiteral("no HAProxy pool holds both %1 and %2: clients must follow the new primary "
                                        "themselves")
                             .arg(primary.name, replica.name);
    }

    // 5. A write succeeds on the new primary: one row in FaultDesk's own table, never in the application's.
    Runbook::Step write;
    write.name = QStringLiteral("verify a write succeeds on %1").arg(replica.name);
    SqlSpec writeSql { replicaDsn,
        { { QStringLiteral("CREATE TABLE IF NOT EXISTS faultdesk_write_check (id int PRIMARY KEY, at timestamptz NOT "
                           "NULL, incident text)"),
              {} },
            { QStringLiteral("INSERT INTO faultdesk_write_check VALUES (1, now(), $1) ON CONFLICT (id) DO UPDATE SET "
                             "at = excluded.at, incident = excluded.incident RETURNING at, incident"),
                { QStringLiteral("{incident}") } } } };
    write.action = [writeSql](const ActionContext& c) -> Action* { return new SqlAction(writeSql, c); };
    write.deadline = m_settings.stepDeadline;
    write.onFailure = Runbook::OnFailure::Escalate;
    rb.steps << write;
    if (plan) {
        plan->affected << replica.name;
        plan->capacity += (plan->capacity.isEmpty() ? QString() : QStringLiteral("; "))
            + QStringLiteral("%1 stays fenced read-only until Recover rebuilds it").arg(primary.name);
    }
    Q_UNUSED(f);
    return rb;
}

std::optional<Runbook> RunbookFactory::postgresRebuildRecover(const Fault& f, const TargetConfig& damaged,
    const TargetConfig& source, const RemediationBaseline& b, QString* error) const
{
    const auto rebuild = damaged.commandArgv(QStringLiteral("rebuild"));
    if (!rebuild) {
        *error = QStringLiteral("%1 has no commands.rebuild (pg_basebackup or pg_rewind from %2): Recover cannot "
                                "rebuild it")
                     .arg(damaged.name, source.name);
        return std::nullopt;
    }
    const QString role = PostgresProbeConfig::roleSignal();
    Runbook rb;
    rb.name = QStringLiteral("data-integrity/postgres-rebuild/recover");
    const QString sourceName = source.name;
    auto command = [&](const QString& name, const QStringList& argv, std::chrono::milliseconds deadline) {
        Runbook::Step s;
        s.name = QStringLiteral("%1 %2 (commands.%1)").arg(name, damaged.name);
        CommandSpec spec = CommandSpec::of(argv);
        spec.environment = CommandSpec::environmentOf(damaged.env, {});
        s.action = [spec](const ActionContext& c) -> Action* { return new CommandAction(spec, c); };
        s.deadline = deadline;
        return s;
    };
    if (const auto stop = damaged.commandArgv(QStringLiteral("stop")))
        rb.steps << command(QStringLiteral("stop"), *stop, m_settings.stepDeadline);
    Runbook::Step copy = command(QStringLiteral("rebuild"), *rebuild, rebuildDeadline);
    copy.name = QStringLiteral("rebuild %1 from %2 (commands.rebuild)").arg(damaged.name, source.name);
    // Only from a server that is the primary now: rebuilding from a replica (or nothing) would copy the wrong thing.
    copy.precondition = signalEquals(sourceName, role, 1, QStringLiteral("primary"));
    copy.onFailure = Runbook::OnFailure::Escalate;
    rb.steps << copy;
    if (const auto start = damaged.commandArgv(QStringLiteral("start")))
        rb.steps << command(QStringLiteral("start"), *start, m_settings.stepDeadline);

    Runbook::Step replica;
    replica.name = QStringLiteral("wait until %1 is a replica again").arg(damaged.name);
    WaitSpec isReplica;
    isReplica.description = QStringLiteral("%1 pg_role equals replica").arg(damaged.name);
    isReplica.condition = signalEquals(damaged.name, role, 0, QStringLiteral("replica"));
    isReplica.requiredConsecutive = m_settings.healthyChecks;
    isReplica.interval = m_settings.waitInterval;
    replica.action = [isReplica](const ActionContext& c) -> Action* { return new WaitAction(isReplica, c); };
    replica.deadline = m_settings.verifyDeadline;
    rb.steps << replica;

    Runbook::Step streaming;
    streaming.name = QStringLiteral("wait until %1 streams to %2").arg(source.name, damaged.name);
    WaitSpec streams;
    streams.description = QStringLiteral("%1 has a replica streaming").arg(source.name);
    const QString streamingSignal = PostgresProbeConfig::replicasStreamingSignal();
    streams.condition = [this, sourceName, streamingSignal] {
        const double v = value(sourceName, streamingSignal, 0);
        return ConditionCheck { v >= 1, QStringLiteral("%1 %2 = %3").arg(sourceName, streamingSignal).arg(v) };
    };
    streams.requiredConsecutive = m_settings.healthyChecks;
    streams.interval = m_settings.waitInterval;
    streaming.action = [streams](const ActionContext& c) -> Action* { return new WaitAction(streams, c); };
    streaming.deadline = m_settings.verifyDeadline;
    rb.steps << streaming;

    // The rebuilt node against the baseline: amcheck and the critical tables' fingerprints.
    Runbook::Step check;
    check.name = QStringLiteral("verify %1: amcheck and critical tables equal the baseline").arg(damaged.name);
    PostgresCheckSpec spec;
    const auto requests = PostgresBaselineReader::requestsFor(m_config, { damaged.name });
    spec.server = requests.value(0);
    spec.server.amcheck = true;
    spec.wantedRole = QStringLiteral("replica");
    spec.interval = m_settings.waitInterval;
    QStringList problems;
    spec.expected = PostgresBaseline::expectedTables(b.postgres.values(), &problems);
    QStringList readers;
    for (const PostgresBaseline& p : b.postgres)
        if (p.readable())
            readers << p.target;
    spec.expectedFrom = readers.isEmpty()
        ? QStringLiteral("the baseline (none was captured)")
        : QStringLiteral("the baseline read at detection on %1").arg(readers.join(QStringLiteral(", ")));
    if (!problems.isEmpty())
        spec.expectedFrom += QStringLiteral(" (%1)").arg(problems.join(QStringLiteral("; ")));
    // The sampling of each table as the baseline did it, so the same rows are compared.
    for (const PostgresBaseline::Table& t : std::as_const(spec.expected)) {
        if (!spec.server.reference)
            spec.server.reference = PostgresBaseline {};
        spec.server.reference->tables << t;
    }
    check.action = [spec](const ActionContext& c) -> Action* { return new PostgresCheckAction(spec, c); };
    check.deadline = m_settings.verifyDeadline;
    rb.steps << check;

    Runbook::Step healthy;
    healthy.name = QStringLiteral("verify %1 is healthy").arg(damaged.name);
    WaitSpec ok;
    ok.description = QStringLiteral("%1 is healthy").arg(damaged.name);
    const QString target = damaged.name;
    ok.condition = [this, target] { return targetHealthy(target); };
    ok.requiredConsecutive = m_settings.healthyChecks;
    ok.interval = m_settings.waitInterval;
    healthy.action = [ok](const ActionContext& c) -> Action* { return new WaitAction(ok, c); };
    healthy.deadline = m_settings.verifyDeadline;
    rb.steps << healthy;
    Q_UNUSED(f);
    return rb;
}

} // namespace FaultDesk
