// The built-in runbooks for a link fault (cause network): the target answers, and so does the dependency, but the
// path between them is gone. Handle routes around the broken link: the target's calls go to another member of the
// dependency's group (admin API), else the target leaves its pool; Recover waits for the link to carry calls again,
// points the calls back and returns the pool to its baseline. Only what the configuration declares is used: the
// `link:` signals, the groups, the admin API and the HAProxy membership.
#include "remedy/runbookfactory.h"

#include "remedy/haproxyaction.h"
#include "remedy/waitaction.h"

#include "detect/detector.h"

#include <QtNumeric>

namespace FaultDesk {

std::optional<Runbook> RunbookFactory::networkHandle(
    const Fault& f, const TargetConfig& t, RemediationPlan* plan, QString* error) const
{
    const QStringList links = linkSignals(t);
    Runbook rb;
    rb.name = QStringLiteral("network/handle");
    // Around the broken link: the target's calls go to another member of the dependency's group (its admin API
    // `reroute`), so it keeps serving what that member can serve; else the target leaves its pool.
    if (t.admin) {
        for (const QString& dependency : links) {
            const QString peer = linkPeer(dependency);
            if (peer.isEmpty())
                continue;
            Runbook::Step reroute;
            reroute.name = QStringLiteral("point %1's calls to %2 at %3 (admin API)").arg(f.target, dependency, peer);
            reroute.action = adminCall(t, QStringLiteral("reroute"),
                { { QStringLiteral("dependency"), dependency }, { QStringLiteral("via"), peer } });
            reroute.rollback = adminCall(t, QStringLiteral("reroute"),
                { { QStringLiteral("dependency"), dependency }, { QStringLiteral("via"), dependency } });
            reroute.deadline = m_settings.stepDeadline;
            rb.steps << reroute;
            if (plan)
                plan->affected << QStringLiteral("%1's calls to %2").arg(f.target, dependency);
        }
        if (!rb.steps.isEmpty()) {
            if (plan)
                plan->capacity
                    = QStringLiteral("%1 serves through the other member until its link heals").arg(f.target);
            return rb;
        }
    }
    if (!t.haproxy) {
        *error = QStringLiteral("%1 has neither an admin API with another member to call nor a pool to leave: route "
                                "around the broken link by hand")
                     .arg(f.target);
        return std::nullopt;
    }
    const QString backend = t.haproxy->backend;
    const QString server = t.haproxy->server.isEmpty() ? t.name : t.haproxy->server;
    const QString endpoint = haproxyEndpoint(t.haproxy->instance);
    Runbook::Step out;
    out.name = QStringLiteral("take %1 out of pool %2 (it cannot reach %3)")
                   .arg(server, backend,
                       links.isEmpty() ? QStringLiteral("a dependency") : links.join(QStringLiteral(", ")));
    out.action = haproxyOp(endpoint, HaproxyOperation::drain(backend, server, m_settings.waitInterval));
    out.rollback = haproxyOp(endpoint, HaproxyOperation::setState(backend, server, QStringLiteral("ready")));
    out.deadline = m_settings.stepDeadline;
    out.removesServer = true;
    out.backend = backend;
    out.server = server;
    rb.steps << out;
    if (plan)
        plan->capacity
            = QStringLiteral("%1 leaves pool %2 until its link heals; the other members serve").arg(server, backend);
    return rb;
}

QString RunbookFactory::linkPeer(const QString& dependency) const
{
    const FleetConfig& c = m_config;
    const TargetConfig* d = c.target(dependency);
    if (!d || d->group.isEmpty())
        return {};
    for (const TargetConfig& o : c.targets)
        if (o.group == d->group && o.name != dependency)
            return o.name;
    return {};
}

QStringList RunbookFactory::linkSignals(const TargetConfig& t) const
{
    QStringList out;
    for (const SignalConfig& s : t.signalConfigs)
        if (!s.link.isEmpty() && !out.contains(s.link))
            out << s.link;
    return out;
}

void RunbookFactory::addRouteBackSteps(Runbook& rb, const TargetConfig& t) const
{
    if (!t.admin)
        return;
    for (const QString& dependency : linkSignals(t)) {
        if (linkPeer(dependency).isEmpty())
            continue;
        Runbook::Step back;
        back.name = QStringLiteral("point %1's calls back at %2 (admin API)").arg(t.name, dependency);
        back.action = adminCall(t, QStringLiteral("reroute"),
            { { QStringLiteral("dependency"), dependency }, { QStringLiteral("via"), dependency } });
        back.deadline = m_settings.stepDeadline;
        rb.steps << back;
    }
}

Runbook::Step RunbookFactory::linkHealedStep(const Fault& f, const TargetConfig& t) const
{
    // Every link signal of the target back past its clear level: the target's own calls reach the dependency again.
    QList<SignalConfig> links;
    for (const SignalConfig& s : t.signalConfigs)
        if (!s.link.isEmpty() && s.threshold)
            links << s;
    const QString target = f.target;
    Runbook::Step step;
    step.name = QStringLiteral("wait until %1 reaches %2 again").arg(target, linkSignals(t).join(QStringLiteral(", ")));
    WaitSpec spec;
    spec.description = QStringLiteral("%1 reaches %2 again").arg(target, linkSignals(t).join(QStringLiteral(", ")));
    spec.condition = [this, target, links] {
        QStringList broken;
        QStringList seen;
        for (const SignalConfig& s : links) {
            const double v = value(target, s.name, qQNaN());
            const bool below = s.threshold->direction == SignalThreshold::Direction::Below;
            const bool healed = !qIsNaN(v) && (below ? v >= s.threshold->clear : v <= s.threshold->clear);
            const QString text
                = QStringLiteral("%1 = %2").arg(s.name, qIsNaN(v) ? QStringLiteral("n/a") : QString::number(v));
            seen << text;
            if (!healed)
                broken << s.link;
        }
        return ConditionCheck { broken.isEmpty(),
            broken.isEmpty() ? seen.join(QStringLiteral(", "))
                             : QStringLiteral("%1 still cannot reach %2 (%3)")
                                   .arg(target, broken.join(QStringLiteral(", ")), seen.join(QStringLiteral(", "))) };
    };
    spec.interval = m_settings.waitInterval;
    spec.requiredConsecutive = m_settings.healthyChecks;
    step.action = [spec](const ActionContext& c) -> Action* { return new WaitAction(spec, c); };
    step.deadline = m_settings.verifyDeadline;
    return step;
}

} // namespace FaultDesk
