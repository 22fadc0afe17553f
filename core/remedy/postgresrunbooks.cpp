// The built-in runbooks of a PostgreSQL primary/replica pair (two targets of one group labelled `role: primary` and
// `role: replica`, both probed with `kind: postgres`) for a data-integrity fault of whichever is the primary now
// (its pg_role; the label when unmeasured), so a second fault after a fail-over is handled the same way:
//   Handle  — fence the primary (read-only, then its writers terminated), promote the replica, move the pool to it
//             (HAProxy TCP backend, when both are members), verify a write succeeds there;
//   Recover — rebuild the damaged node from the new primary with the target's own `commands: {rebuild: […]}` (with
//             `stop`/`start` around it when declared), wait until it streams as a replica, then verify amcheck and the
//             critical tables' fingerprints against the baseline read when the fault was detected; then, only when the
//             operator asks for it, switch back: fence the promoted server, wait until the rebuilt node has replayed
//             all it wrote, promote the rebuilt node again, move the pool back to it, verify a write there and rebuild
//             the other server as its replica (that server's own `commands: {rebuild: […]}`), so the pair and the
//             pool end as they were configured.
// Every step runs on the same gates, previews and audit as any other; what can be undone has a rollback.
#include "remedy/runbookfactory.h"

#include "remedy/baselinepoller.h"
#include "remedy/commandaction.h"
#include "remedy/haproxyaction.h"
#include "remedy/postgrescheckaction.h"
#include "remedy/sqlaction.h"
#include "remedy/waitaction.h"

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

Runbook::Step RunbookFactory::postgresFence(const TargetConfig& t, const QString& prefix) const
{
    const PostgresDsn dsn = postgresProbe(t)->dsn;
    Runbook::Step fence;
    fence.name = prefix + QStringLiteral("fence %1: default_transaction_read_only = on").arg(t.name);
    // ALTER SYSTEM runs alone (never in a transaction).
    SqlSpec on { dsn,
        { { QStringLiteral("ALTER SYSTEM SET default_transaction_read_only = on"), {} },
            { QStringLiteral("SELECT pg_reload_conf()"), {} } } };
    SqlSpec off { dsn,
        { { QStringLiteral("ALTER SYSTEM RESET default_transaction_read_only"), {} },
            { QStringLiteral("SELECT pg_reload_conf()"), {} } } };
    fence.action = [on](const ActionContext& c) -> Action* { return new SqlAction(on, c); };
    fence.rollback = [off](const ActionContext& c) -> Action* { return new SqlAction(off, c); };
    fence.deadline = m_settings.stepDeadline;
    return fence;
}

Runbook::Step RunbookFactory::postgresEndWriters(const TargetConfig& t, const QString& prefix) const
{
    // Writers already inside a transaction keep writing until they end: end them (not FaultDesk's own sessions).
    Runbook::Step writers;
    writers.name = prefix + QStringLiteral("terminate the client writers on %1").arg(t.name);
    const SqlSpec terminate = SqlSpec::of(postgresProbe(t)->dsn,
        QStringLiteral("SELECT count(pg_terminate_backend(pid)) AS terminated FROM pg_stat_activity WHERE backend_type "
                       "= 'client backend' AND pid <> pg_backend_pid() AND application_name NOT LIKE 'faultdesk%' AND "
                       "(backend_xid IS NOT NULL OR state LIKE 'idle in transaction%')"));
    writers.action = [terminate](const ActionContext& c) -> Action* { return new SqlAction(terminate, c); };
    writers.deadline = m_settings.stepDeadline;
    return writers;
}

Runbook::Step RunbookFactory::postgresPromote(const TargetConfig& t, const QString& prefix) const
{
    // A primary once its probe says so (no rollback: a promotion cannot be undone).
    const QString role = PostgresProbeConfig::roleSignal();
    Runbook::Step promote;
    promote.name = prefix + QStringLiteral("promote %1 (pg_promote)").arg(t.name);
    const QString name = t.name;
    promote.precondition = [this, name, role] {
        const double v = value(name, role, std::numeric_limits<double>::quiet_NaN());
        if (v == 1)
            return ConditionCheck { false, QStringLiteral("%1 is a primary already").arg(name) };
        return ConditionCheck { v == 0,
            std::isnan(v) ? QStringLiteral("%1's role is not measured").arg(name)
                          : QStringLiteral("%1 is a replica").arg(name) };
    };
    promote.skipWhenPreconditionUnmet = true; // already primary: nothing to do (and unmeasured fails the verify)
    const int promoteWaitS = int(qMax<qint64>(1, m_settings.stepDeadline.count() / 1000 - 1));
    const SqlSpec promoteSql = SqlSpec::of(
        postgresProbe(t)->dsn, QStringLiteral("SELECT pg_promote(true, %1) AS promoted").arg(promoteWaitS));
    promote.action = [promoteSql](const ActionContext& c) -> Action* { return new SqlAction(promoteSql, c); };
    promote.deadline = m_settings.stepDeadline;
    WaitSpec promoted;
    promoted.description = QStringLiteral("%1 pg_role equals primary").arg(t.name);
    promoted.condition = signalEquals(t.name, role, 1, QStringLiteral("primary"));
    promoted.requiredConsecutive = m_settings.healthyChecks;
    promoted.interval = m_settings.waitInterval;
    promote.verify = [promoted](const ActionContext& c) -> Action* { return new WaitAction(promoted, c); };
    promote.verifyDeadline = m_settings.verifyDeadline;
    promote.onFailure = Runbook::OnFailure::Escalate; // the fence stays: a damaged primary must not take writes
    return promote;
}

Runbook::Step RunbookFactory::postgresPoolIn(const QString& endpoint, const QString& backend, const QString& server,
    const QString& was, const QString& prefix) const
{
    Runbook::Step in;
    in.name = prefix + QStringLiteral("pool %1: %2 ready").arg(backend, server);
    in.action = haproxyOp(endpoint, HaproxyOperation::setState(backend, server, QStringLiteral("ready")));
    in.rollback = haproxyOp(endpoint, HaproxyOperation::setState(backend, server, was));
    in.deadline = m_settings.stepDeadline;
    in.addsServer = true;
    in.backend = backend;
    in.server = server;
    // In rotation is not serving: its health check must see the new primary (UP in show stat) before another server
    // may leave, or the pool would be left with no server at all.
    WaitSpec up;
    up.description = QStringLiteral("%1/%2 is UP in HAProxy").arg(backend, server);
    up.condition = [this, backend, server] { return haproxyServerUp(backend, server); };
    up.requiredConsecutive = m_settings.healthyChecks;
    up.interval = m_settings.waitInterval;
    in.verify = [up](const ActionContext& c) -> Action* { return new WaitAction(up, c); };
    in.verifyDeadline = m_settings.verifyDeadline;
    return in;
}

Runbook::Step RunbookFactory::postgresWriteCheck(const TargetConfig& t, const QString& prefix) const
{
    // One row in FaultDesk's own table, never in the application's.
    Runbook::Step write;
    write.name = prefix + QStringLiteral("verify a write succeeds on %1").arg(t.name);
    SqlSpec writeSql { postgresProbe(t)->dsn,
        { { QStringLiteral("CREATE TABLE IF NOT EXISTS faultdesk_write_check (id int PRIMARY KEY, at timestamptz NOT "
                           "NULL, incident text)"),
              {} },
            { QStringLiteral("INSERT INTO faultdesk_write_check VALUES (1, now(), $1) ON CONFLICT (id) DO UPDATE SET "
                             "at = excluded.at, incident = excluded.incident RETURNING at, incident"),
                { QStringLiteral("{incident}") } } } };
    write.action = [writeSql](const ActionContext& c) -> Action* { return new SqlAction(writeSql, c); };
    write.deadline = m_settings.stepDeadline;
    write.onFailure = Runbook::OnFailure::Escalate;
    return write;
}

std::optional<Runbook> RunbookFactory::postgresFailoverHandle(const Fault& f, const TargetConfig& primary,
    const TargetConfig& replica, const RemediationBaseline& b, RemediationPlan* plan, QString* error) const
{
    Q_UNUSED(error);
    Runbook rb;
    rb.name = QStringLiteral("data-integrity/postgres-failover/handle");
    // 1. Fence: no new write transaction on the damaged primary; 2. its writers ended; 3. the replica promoted.
    rb.steps << postgresFence(primary, {}) << postgresEndWriters(primary, {}) << postgresPromote(replica, {});

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
        rb.steps << postgresPoolIn(endpoint, backend, replicaServer, was(replicaServer), {});
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

    // 5. A write succeeds on the new primary.
    rb.steps << postgresWriteCheck(replica, {});
    if (plan) {
        plan->affected << replica.name;
        plan->capacity += (plan->capacity.isEmpty() ? QString() : QStringLiteral("; "))
            + QStringLiteral("%1 stays fenced read-only until Recover rebuilds it").arg(primary.name);
    }
    Q_UNUSED(f);
    return rb;
}

bool RunbookFactory::addPostgresRebuildSteps(
    Runbook& rb, const TargetConfig& damaged, const TargetConfig& source, const QString& prefix, QString* error) const
{
    const auto rebuild = damaged.commandArgv(QStringLiteral("rebuild"));
    if (!rebuild) {
        *error = QStringLiteral("%1 has no commands.rebuild (pg_basebackup or pg_rewind from %2): Recover cannot "
                                "rebuild it")
                     .arg(damaged.name, source.name);
        return false;
    }
    const QString role = PostgresProbeConfig::roleSignal();
    const QString sourceName = source.name;
    auto command = [&](const QString& name, const QStringList& argv, std::chrono::milliseconds deadline) {
        Runbook::Step s;
        s.name = prefix + QStringLiteral("%1 %2 (commands.%1)").arg(name, damaged.name);
        CommandSpec spec = CommandSpec::of(argv);
        spec.environment = CommandSpec::environmentOf(damaged.env, {});
        s.action = [spec](const ActionContext& c) -> Action* { return new CommandAction(spec, c); };
        s.deadline = deadline;
        return s;
    };
    // Only from a server that is the primary now: rebuilding from a replica (or nothing) would copy the wrong thing,
    // and stopping the node first (Recover pressed before Handle) would stop the only primary.
    const auto sourceIsPrimary = signalEquals(sourceName, role, 1, QStringLiteral("primary"));
    if (const auto stop = damaged.commandArgv(QStringLiteral("stop"))) {
        Runbook::Step s = command(QStringLiteral("stop"), *stop, m_settings.stepDeadline);
        s.precondition = sourceIsPrimary;
        rb.steps << s;
    }
    Runbook::Step copy = command(QStringLiteral("rebuild"), *rebuild, rebuildDeadline);
    copy.name = prefix + QStringLiteral("rebuild %1 from %2 (commands.rebuild)").arg(damaged.name, source.name);
    copy.precondition = sourceIsPrimary;
    copy.onFailure = Runbook::OnFailure::Escalate;
    rb.steps << copy;
    if (const auto start = damaged.commandArgv(QStringLiteral("start")))
        rb.steps << command(QStringLiteral("start"), *start, m_settings.stepDeadline);

    Runbook::Step replica;
    replica.name = prefix + QStringLiteral("wait until %1 is a replica again").arg(damaged.name);
    WaitSpec isReplica;
    isReplica.description = QStringLiteral("%1 pg_role equals replica").arg(damaged.name);
    isReplica.condition = signalEquals(damaged.name, role, 0, QStringLiteral("replica"));
    isReplica.requiredConsecutive = m_settings.healthyChecks;
    isReplica.interval = m_settings.waitInterval;
    replica.action = [isReplica](const ActionContext& c) -> Action* { return new WaitAction(isReplica, c); };
    replica.deadline = m_settings.verifyDeadline;
    rb.steps << replica;

    Runbook::Step streaming;
    streaming.name = prefix + QStringLiteral("wait until %1 streams to %2").arg(source.name, damaged.name);
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
    return true;
}

Runbook::Step RunbookFactory::postgresHealthy(const TargetConfig& t, const QString& prefix) const
{
    Runbook::Step healthy;
    healthy.name = prefix + QStringLiteral("verify %1 is healthy").arg(t.name);
    WaitSpec ok;
    ok.description = QStringLiteral("%1 is healthy").arg(t.name);
    const QString target = t.name;
    ok.condition = [this, target] { return targetHealthy(target); };
    ok.requiredConsecutive = m_settings.healthyChecks;
    ok.interval = m_settings.waitInterval;
    healthy.action = [ok](const ActionContext& c) -> Action* { return new WaitAction(ok, c); };
    healthy.deadline = m_settings.verifyDeadline;
    return healthy;
}

std::optional<Runbook> RunbookFactory::postgresRebuildRecover(const Fault& f, const TargetConfig& damaged,
    const TargetConfig& source, const RemediationBaseline& b, bool switchBack, RemediationPlan* plan,
    QString* error) const
{
    const QString switchBackProblem = source.commandArgv(QStringLiteral("rebuild"))
        ? QString()
        : QStringLiteral("%1 has no commands.rebuild to become %2's replica again").arg(source.name, damaged.name);
    if (plan) {
        plan->switchBackOffer = switchBackProblem.isEmpty()
            ? QStringLiteral("then switch back: promote %1 again, move the pool back to it and rebuild %2 as its "
                             "replica")
                  .arg(damaged.name, source.name)
            : QStringLiteral("switching back is not possible: %1").arg(switchBackProblem);
        plan->switchBackPossible = switchBackProblem.isEmpty();
        plan->switchBack = switchBack;
    }
    if (switchBack && !switchBackProblem.isEmpty()) {
        *error = QStringLiteral("cannot switch back: %1").arg(switchBackProblem);
        return std::nullopt;
    }
    Runbook rb;
    rb.name = switchBack ? QStringLiteral("data-integrity/postgres-rebuild-switch-back/recover")
                         : QStringLiteral("data-integrity/postgres-rebuild/recover");
    if (!addPostgresRebuildSteps(rb, damaged, source, {}, error))
        return std::nullopt;

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
    rb.steps << postgresHealthy(damaged, {});
    if (switchBack && !addPostgresSwitchBack(rb, damaged, source, plan, error))
        return std::nullopt;
    Q_UNUSED(f);
    return rb;
}

bool RunbookFactory::addPostgresSwitchBack(Runbook& rb, const TargetConfig& original, const TargetConfig& promoted,
    RemediationPlan* plan, QString* error) const
{
    const QString prefix = QStringLiteral("switch back: ");
    // The promoted server takes no more writes, and the rebuilt one has replayed everything it wrote before it is
    // promoted: nothing committed is left behind. The wait runs on the promoted server (its walsenders know what
    // each replica replayed), bounded by the step's deadline as statement_timeout.
    rb.steps << postgresFence(promoted, prefix) << postgresEndWriters(promoted, prefix);
    Runbook::Step caughtUp;
    caughtUp.name
        = prefix + QStringLiteral("wait until %1 has replayed all of %2's WAL").arg(original.name, promoted.name);
    const SqlSpec waitSql = SqlSpec::of(postgresProbe(promoted)->dsn,
        QStringLiteral("DO $$ DECLARE written pg_lsn = pg_current_wal_lsn(); BEGIN LOOP EXIT WHEN EXISTS (SELECT 1 "
                       "FROM pg_stat_replication WHERE state = 'streaming' AND replay_lsn >= written); PERFORM "
                       "pg_sleep(0.05); END LOOP; END $$"));
    caughtUp.action = [waitSql](const ActionContext& c) -> Action* { return new SqlAction(waitSql, c); };
    caughtUp.deadline = m_settings.stepDeadline;
    rb.steps << caughtUp;
    rb.steps << postgresPromote(original, prefix);

    // The pool back to the original primary: it is ready (and UP) again; the promoted server stays as the baseline had
    // it, its health check keeping it out of rotation while it is read-only and then a replica.
    const QString endpoint = original.haproxy ? haproxyEndpoint(original.haproxy->instance) : QString();
    if (original.haproxy && promoted.haproxy && original.haproxy->backend == promoted.haproxy->backend
        && !endpoint.isEmpty()) {
        const QString backend = original.haproxy->backend;
        const QString server = original.haproxy->server.isEmpty() ? original.name : original.haproxy->server;
        const auto now = HaproxyServerState::find(current().haproxy.servers, backend, server);
        rb.steps << postgresPoolIn(endpoint, backend, server, now ? now->adminState : QStringLiteral("maint"), prefix);
        if (plan)
            plan->affected << QStringLiteral("pool %1 moves back to %2").arg(backend, server);
    }
    rb.steps << postgresWriteCheck(original, prefix);
    // The promoted server becomes the original's replica again (its copy replaces the fenced one, fence included).
    if (!addPostgresRebuildSteps(rb, promoted, original, prefix, error))
        return false;
    rb.steps << postgresHealthy(promoted, prefix);
    if (plan) {
        plan->affected << promoted.name;
        plan->capacity += (plan->capacity.isEmpty() ? QString() : QStringLiteral("; "))
            + QStringLiteral("switching back refuses writes from fencing %1 until %2 is promoted; %1 is rebuilt "
                             "from %2 (commands.rebuild)")
                  .arg(promoted.name, original.name);
    }
    return true;
}

} // namespace FaultDesk
