// The Detector's correlation: which incident a new root fault joins (connected faults that begin together, and
// aftershocks of a recovered incident), a pool-level root held until its last member clears (hand-over only when its
// target leaves the fleet), and the evidence of pool-level and link faults. Split from detector.cpp, which keeps the
// per-tick bookkeeping.
#include "detect/detector.h"

#include "detect/targetstatemachine.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <optional>

namespace FaultDesk {

namespace {

constexpr qint64 rateHistoryMs = 10 * 60 * 1000;

QString clock(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("HH:mm:ss"));
}

QString number(double v)
{
    return QString::number(v, 'g', 3);
}

QString seconds(qint64 ms)
{
    return QString::number(std::max<qint64>(0, (ms + 500) / 1000)) + u" s";
}

/// How far apart two faults began, as a sentence says it of the other: "3 s after it", "within a second of it" (a
/// rounded "0 s after it" read like a clock error).
QString apartFrom(qint64 apartMs)
{
    if (std::abs(apartMs) < 1000)
        return QStringLiteral("within a second of it");
    return seconds(std::abs(apartMs)) + (apartMs >= 0 ? QStringLiteral(" after it") : QStringLiteral(" before it"));
}

/// "web" of "lb/web": how an operator names the pool.
QString poolLabel(const QString& pool)
{
    return pool.section(u'/', -1);
}

QString causeWord(CauseClass cause)
{
    switch (cause) {
    case CauseClass::Attack:
        return QStringLiteral("under attack");
    case CauseClass::Overload:
        return QStringLiteral("overloaded");
    case CauseClass::Latency:
        return QStringLiteral("slow");
    case CauseClass::Errors:
        return QStringLiteral("returning errors");
    case CauseClass::DataIntegrity:
        return QStringLiteral("failing its integrity check");
    case CauseClass::Down:
        return QStringLiteral("down");
    case CauseClass::Unreachable:
        return QStringLiteral("unreachable");
    case CauseClass::Network:
        return QStringLiteral("cut off from a dependency");
    case CauseClass::Unhealthy:
        break;
    }
    return QStringLiteral("unhealthy");
}

/// A slowness only the probes saw (their answers did not finish in time, no load signal breached) is the server's own
/// failure, like a crash: not a share of a surge, nor a member taking a lost peer's load. A server that is slow because
/// of load shows it in a load signal.
bool ownSlowness(CauseClass cause, const QStringList& breachedSignals)
{
    return cause == CauseClass::Latency && breachedSignals.isEmpty();
}

double median(QList<double> v)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    const qsizetype n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

Correlation::Rules Detector::rules() const
{
    return { m_settings.correlateDependencies, m_settings.correlatePool, m_settings.correlateGroup,
        m_settings.correlateTrafficPath };
}

const TargetPolicy* Detector::policyOf(const QString& target) const
{
    const TargetStateMachine* m = machine(target);
    return m ? &m->policy() : nullptr;
}

QString Detector::incidentRootId(const QString& incidentId) const
{
    for (const QString& id : m_openOrder) {
        const Fault& f = m_open[id];
        if (f.rootCause && f.incidentId == incidentId && f.phase != Fault::Phase::Detected)
            return id;
    }
    return {};
}

std::optional<Detector::Join> Detector::correlate(const Fault& f, qint64 nowMs) const
{
    const TargetPolicy* pf = policyOf(f.target);
    if (!pf || m_external.contains(f.id))
        return std::nullopt;
    const Correlation::Rules r = rules();

    // The root of an incident failing again while the incident is still open (its symptoms wait for their next check
    // or the aftershock grace): the same event, its root again — not a second incident beside the first.
    if (m_settings.aftershockGraceMs > 0) {
        for (auto it = m_incidentRoot.cbegin(); it != m_incidentRoot.cend(); ++it) {
            if (it->second != f.target || !incidentRootId(it.key()).isEmpty())
                continue;
            const auto root = std::find_if(
                m_recovered.crbegin(), m_recovered.crend(), [&](const Fault& g) { return g.id == it->first; });
            if (root == m_recovered.crend() || nowMs - root->clearedMs > m_settings.aftershockGraceMs)
                continue;
            const bool open = std::any_of(m_openOrder.cbegin(), m_openOrder.cend(),
                [&](const QString& id) { return id != f.id && m_open[id].incidentId == it.key(); });
            if (open)
                return Join { it.key(), QString(), Correlation::Link::None, true, root->clearedMs };
        }
    }

    // An open incident: a fault connected to this one that began within the window.
    if (m_settings.correlationWindowMs > 0) {
        std::optional<Join> best;
        for (const QString& id : m_openOrder) {
            const Fault& g = m_open[id];
            if (g.id == f.id || g.phase == Fault::Phase::Detected || g.incidentId.isEmpty())
                continue;
            if (std::abs(f.detectedMs - g.detectedMs) > m_settings.correlationWindowMs)
                continue;
            const TargetPolicy* pg = policyOf(g.target);
            const QString rootId = incidentRootId(g.incidentId);
            if (!pg || rootId.isEmpty())
                continue;
            const Correlation::Link link = Correlation::link(*pf, *pg, r);
            bool fits = false;
            if (link == Correlation::Link::DependsOn || link == Correlation::Link::AnyOf) {
                // Through an any_of group that still has a live member, the dependent keeps answering: its errors
                // or slowness are the dead member's symptom, its own crash is not.
                auto viaGroup = [&](CauseClass dependent) {
                    return link != Correlation::Link::AnyOf
                        || (dependent != CauseClass::Down && dependent != CauseClass::Unreachable);
                };
                if (Correlation::dependsOn(*pf, g.target))
                    fits = viaGroup(f.cause) && Correlation::explains(g.cause, f.cause);
                else // this one is the dependency: it takes the incident over only from its root
                    fits = g.id == rootId && viaGroup(g.cause) && Correlation::explains(f.cause, g.cause);
            } else if (link != Correlation::Link::None) {
                fits = !ownSlowness(f.cause, f.breachedSignals) && !ownSlowness(g.cause, g.breachedSignals)
                    && Correlation::peers(link, f.cause, g.cause);
            }
            if (!fits)
                continue;
            // The strongest connection wins (dependency before pool before group before entry), then the earliest.
            if (!best || int(link) < int(best->link))
                best = Join { g.incidentId, g.id, link, false, 0 };
        }
        if (best)
            return best;
    }

    // An aftershock: the same targets or pool (or one connected to them) soon after an incident recovered.
    if (m_settings.aftershockGraceMs > 0) {
        std::optional<Join> best;
        for (auto it = m_closed.cbegin(); it != m_closed.cend(); ++it) {
            const ClosedIncident& c = it.value();
            if (nowMs - c.clearedMs > m_settings.aftershockGraceMs)
                continue;
            // The same server again, whatever the cause; another member of the pool only for a pool-wide cause (its
            // own crash needs its own remedy); a dependent still settling, when the cause explains it; never
            // upstream: a dependency failing after its dependents' incident is a fault of its own.
            bool connected = c.targets.contains(f.target);
            if (!connected && !pf->pool.isEmpty() && c.pools.contains(pf->pool))
                connected = !ownSlowness(f.cause, f.breachedSignals)
                    && Correlation::peers(Correlation::Link::Pool, f.cause, c.rootCause);
            for (auto t = c.targets.cbegin(); !connected && t != c.targets.cend(); ++t)
                connected = (r.dependsOn || r.trafficPath) && Correlation::dependsOn(*pf, *t)
                    && Correlation::explains(c.rootCause, f.cause);
            if (connected && (!best || c.clearedMs > best->sinceMs))
                best = Join { it.key(), QString(), Correlation::Link::None, true, c.clearedMs };
        }
        if (best)
            return best;
    }
    return std::nullopt;
}

DetectionEvent Detector::joinedEvent(const Fault& f, qint64 nowMs, const QString& reason) const
{
    DetectionEvent e;
    e.kind = DetectionEvent::Kind::FaultJoined;
    e.timeMs = nowMs;
    e.target = f.target;
    e.faultId = f.id;
    e.incidentId = f.incidentId;
    e.cause = f.cause;
    e.evidence = f.evidence;
    e.root = f.rootCause ? f.target : f.rootTarget;
    e.relation = f.aftershock && f.relation.isEmpty() ? QStringLiteral("aftershock") : f.relation;
    e.aftershock = f.aftershock;
    e.reason = reason;
    return e;
}

bool Detector::join(const QString& faultId, const Join& j, qint64 nowMs, QList<DetectionEvent>& events)
{
    Fault& f = m_open[faultId];
    auto locate = [&](Fault& x) {
        if (x.phase == Fault::Phase::Detected) {
            x.phase = Fault::Phase::Located;
            x.locatedMs = nowMs;
        }
    };

    if (j.aftershock) {
        // Not closed: the incident's root recovered while some of its faults are still open (see correlate()).
        const bool stillOpen = !m_closed.contains(j.incidentId);
        const ClosedIncident c = m_closed.take(j.incidentId);
        // "fails again 0 s after it recovered" reads like a clock error: under a second is said so.
        const QString ago
            = nowMs - j.sinceMs < 1000 ? QStringLiteral("less than a second") : seconds(nowMs - j.sinceMs);
        f.incidentId = j.incidentId;
        f.aftershock = true;
        locate(f);
        if (stillOpen || c.rootTarget == f.target) {
            // The same server failing again: still the root of its incident, and remediation may act again.
            f.rootCause = true;
            f.localization = stillOpen
                ? QStringLiteral("%1 fails again %2 after it recovered, while incident %3 was still open: an "
                                 "aftershock of it")
                      .arg(f.target, ago, j.incidentId)
                : QStringLiteral("%1 fails again %2 after incident %3 recovered: an aftershock of it")
                      .arg(f.target, ago, j.incidentId);
            m_keepLocalization.insert(f.id);
            events.append(joinedEvent(f, nowMs, f.localization));
            events.append(locatedEvent(f, nowMs));
            return true;
        }
        f.rootCause = false;
        f.rootFaultId = c.rootFaultId;
        f.rootTarget = c.rootTarget;
        f.relation = QStringLiteral("aftershock");
        m_joined.insert(faultId, f.relation);
        // It counts as a root of its own only if it outlives the grace.
        m_orphanedAt.insert(faultId, nowMs);
        f.localization = QStringLiteral("%1 is %2 %3 after incident %4 (root cause %5) recovered, on %6: an "
                                        "aftershock of it, not a new incident")
                             .arg(f.target, causeWord(f.cause), ago, j.incidentId, c.rootTarget,
                                 c.targets.contains(f.target) ? QStringLiteral("one of its targets")
                                                              : QStringLiteral("a target connected to it"));
        events.append(joinedEvent(f, nowMs, f.localization));
        return true;
    }

    const QString rootId = incidentRootId(j.incidentId);
    if (rootId.isEmpty() || !m_open.contains(j.withFaultId))
        return false;
    Fault& root = m_open[rootId];
    const Fault& with = m_open[j.withFaultId];
    const TargetPolicy* pf = policyOf(f.target);
    const TargetPolicy* proot = policyOf(root.target);
    const QString relation = Correlation::relationName(j.link);
    const QString after = apartFrom(f.detectedMs - with.detectedMs);

    const bool dependency = j.link == Correlation::Link::DependsOn || j.link == Correlation::Link::AnyOf;
    if (dependency && pf && !Correlation::dependsOn(*pf, with.target)) {
        // This one is the dependency of the incident's root: the root's failure is its symptom. It takes over.
        const QString oldRootId = root.id;
        f.rootCause = true;
        f.incidentId = j.incidentId;
        locate(f);
        f.localization = QStringLiteral("%1 depends on %2 (%3), which is %4: %1's failure is a symptom of it")
                             .arg(root.target, f.target,
                                 j.link == Correlation::Link::AnyOf ? QStringLiteral("an any_of member on its traffic "
                                                                                     "path, the others still up")
                                                                    : QStringLiteral("a dependency"),
                                 causeWord(f.cause));
        for (const QString& id : std::as_const(m_openOrder)) {
            Fault& o = m_open[id];
            if (id == oldRootId || (!o.rootCause && o.rootFaultId == oldRootId)) {
                o.rootCause = false;
                o.rootFaultId = f.id;
                o.rootTarget = f.target;
                o.members.clear();
                o.symptoms.clear();
                m_dirty.insert(id);
            }
        }
        Fault& old = m_open[oldRootId];
        old.relation = relation;
        old.localization = f.localization;
        m_joined.insert(oldRootId, relation);
        m_keepLocalization.insert(f.id);
        // Same incident, new roles: the dependency is its root, the old root a symptom of it.
        events.append(locatedEvent(f, nowMs));
        events.append(locatedEvent(old, nowMs));
        return true;
    }

    f.rootCause = false;
    f.rootFaultId = rootId;
    f.rootTarget = root.target;
    f.incidentId = j.incidentId;
    locate(f);
    QString reason;
    if (dependency) {
        f.relation = relation;
        reason = QStringLiteral("%1 joins incident %2: it depends on %3%4, which is %5; it began %6")
                     .arg(f.target, j.incidentId, with.target,
                         j.link == Correlation::Link::AnyOf ? QStringLiteral(" (an any_of member on its traffic path)")
                                                            : QString(),
                         causeWord(with.cause), after);
    } else if (Correlation::isPeer(j.link) && proot && pf
        && Correlation::isPeer(Correlation::link(*pf, *proot, rules()))
        && Correlation::isLoad(f.cause) == Correlation::isLoad(root.cause)) {
        const Correlation::Link toRoot = Correlation::link(*pf, *proot, rules());
        f.relation = Correlation::relationName(toRoot);
        f.pool = toRoot == Correlation::Link::Pool ? pf->pool : pf->group;
        const bool grew = root.pool.isEmpty();
        root.pool = f.pool;
        if (Correlation::isLoad(f.cause) && Correlation::isLoad(root.cause))
            root.cause = Correlation::poolCause(root.cause, f.cause);
        for (const QString& signal : std::as_const(f.breachedSignals)) {
            if (!root.breachedSignals.contains(signal))
                root.breachedSignals.append(signal);
        }
        if (root.cause == CauseClass::Attack) {
            // One flood over the pool: the root names every flooding source.
            for (const QString& s : std::as_const(f.sources)) {
                if (!root.sources.contains(s))
                    root.sources.append(s);
            }
        }
        if (grew) {
            // The same root, its scope grown from its server to the pool: what the operator read stays its root.
            const QString when = apartFrom(f.detectedMs - root.detectedMs);
            root.localization = QStringLiteral("the %1 is %2, not only %3: %4 is too, %5; one root for the "
                                               "pool, its fault opened on %3")
                                    .arg(scopeLabel(root), causeWord(root.cause), root.target, f.target, when);
            m_keepLocalization.insert(rootId);
        }
        m_dirty.insert(rootId);
        reason = QStringLiteral("%1 joins incident %2 as an affected member: same %3 %4 as %5, %6 %7")
                     .arg(f.target, j.incidentId,
                         toRoot == Correlation::Link::Pool ? QStringLiteral("pool") : QStringLiteral("group"),
                         poolLabel(f.pool), root.target, causeWord(f.cause), after);
    } else if (j.link == Correlation::Link::Pool && Correlation::lostCapacity(f.cause, root.cause)) {
        f.relation = QStringLiteral("lost-capacity");
        reason = QStringLiteral("%1 joins incident %2: %3 while its pool %4 is without %5 (%6), taking its share")
                     .arg(f.target, j.incidentId, causeWord(f.cause), poolLabel(pf ? pf->pool : QString()), root.target,
                         causeWord(root.cause));
    } else {
        // Not a peer of the root (a pool behind the same entry, or a peer of a symptom): on its traffic path.
        f.relation = QStringLiteral("traffic-path");
        reason = QStringLiteral("%1 joins incident %2: %3 %4 as %5 (%6), a symptom of the same surge")
                     .arg(f.target, j.incidentId, causeWord(f.cause),
                         j.link == Correlation::Link::Entry
                             ? QStringLiteral("behind the same entry %1").arg(pf ? pf->entry : QString())
                             : QStringLiteral("with its %1 peer").arg(relation),
                         with.target, after);
    }
    m_joined.insert(faultId, f.relation);
    f.localization = reason;
    events.append(joinedEvent(f, nowMs, reason));
    return true;
}

QString Detector::scopeLabel(const Fault& root) const
{
    const TargetPolicy* p = policyOf(root.target);
    if (p && !p->pool.isEmpty() && root.pool == p->pool)
        return poolLabel(root.pool) + u" pool";
    return (p ? p->group : root.group) + u" group";
}

bool Detector::isPoolRoot(const Fault& f) const
{
    return f.rootCause && !f.members.isEmpty() && !m_external.contains(f.id);
}

bool Detector::holdPoolRoot(const QString& faultId, bool targetUp)
{
    Fault& root = m_open[faultId];
    const auto holds = [&](bool held) {
        if (root.heldForMembers != held) {
            root.heldForMembers = held;
            m_dirty.insert(faultId);
        }
        return held;
    };
    if (!targetUp) {
        holds(false);
        // Its own server fails again: what it said of itself is true again.
        if (const auto it = m_heldLocalization.constFind(faultId); it != m_heldLocalization.cend()) {
            root.localization = *it;
            m_heldLocalization.erase(it);
            m_dirty.insert(faultId);
        }
        return false;
    }
    QStringList failing;
    for (const QString& id : std::as_const(m_openOrder)) {
        const Fault& o = m_open[id];
        const TargetStateMachine* m = machine(o.target);
        // Still failing the pool's way: a member that crashed meanwhile is its own failure (it takes over when the root
        // clears, and gets its own remedy), not the pool's event going on.
        if (!o.rootCause && o.rootFaultId == faultId && o.isMember() && m && m->baseState() != TargetState::Up
            && Correlation::peers(Correlation::Link::Group, o.cause, root.cause)
            && !ownSlowness(o.cause, o.breachedSignals))
            failing.append(o.target);
    }
    if (failing.isEmpty()) {
        holds(false);
        // The last member cleared too: "members still under attack" is no longer true of the fault the panel keeps
        // showing; what it said of the event is.
        if (const auto it = m_heldLocalization.constFind(faultId); it != m_heldLocalization.cend()) {
            root.localization = *it;
            m_heldLocalization.erase(it);
            m_dirty.insert(faultId);
        }
        return false;
    }
    // One event over the pool: the member whose server happened to pass first (often by a fraction of a second) is
    // not where it ended, and a peer taking over would name a second root for a moment.
    const QString label = scopeLabel(root);
    const QString sentence
        = QStringLiteral("%1 passes its checks again; %2 members still %3: %4 — the %2 stays the root until its last "
                         "member clears")
              .arg(root.target, label, causeWord(root.cause), failing.join(u", "));
    if (!m_heldLocalization.contains(faultId))
        m_heldLocalization.insert(faultId, root.localization);
    if (root.localization != sentence) {
        root.localization = sentence;
        m_dirty.insert(faultId);
    }
    return holds(true);
}

void Detector::handOver(const Fault& cleared, Fault::Phase phaseBefore, qint64 nowMs, QList<DetectionEvent>& events)
{
    QString heirId;
    for (const QString& id : std::as_const(m_openOrder)) {
        const Fault& o = m_open[id];
        // A member passing its checks too (the event ended for the whole pool) clears with it instead.
        const TargetStateMachine* m = machine(o.target);
        if (!o.rootCause && o.rootFaultId == cleared.id && o.isMember() && m && m->baseState() != TargetState::Up) {
            heirId = id;
            break;
        }
    }
    if (heirId.isEmpty())
        return;
    Fault& heir = m_open[heirId];
    heir.rootCause = true;
    heir.rootFaultId.clear();
    heir.rootTarget.clear();
    heir.relation.clear();
    heir.cause = Correlation::isLoad(heir.cause) && Correlation::isLoad(cleared.cause)
        ? Correlation::poolCause(heir.cause, cleared.cause)
        : heir.cause;
    heir.sources
        = cleared.cause == CauseClass::Attack && heir.cause == CauseClass::Attack ? cleared.sources : heir.sources;
    m_joined.remove(heirId);
    // What remediation already did for the incident stays done: the heir does not start it over.
    if (int(phaseBefore) > int(heir.phase) && phaseBefore != Fault::Phase::Recovered)
        heir.phase = phaseBefore;
    heir.localization = QStringLiteral("%1 takes over incident %2: %3 passes its checks again, %1 is still %4")
                            .arg(heir.target, heir.incidentId, cleared.target, causeWord(heir.cause));
    for (const QString& id : std::as_const(m_openOrder)) {
        Fault& o = m_open[id];
        if (id != heirId && !o.rootCause && o.rootFaultId == cleared.id) {
            o.rootFaultId = heirId;
            o.rootTarget = heir.target;
            m_dirty.insert(id);
        }
    }
    m_poolEvidenceKey.remove(heirId);
    m_keepLocalization.insert(heirId);
    m_dirty.insert(heirId);
    events.append(locatedEvent(heir, nowMs));
}

void Detector::rememberIncidents()
{
    for (const QString& id : std::as_const(m_openOrder)) {
        const Fault& f = m_open[id];
        if (f.incidentId.isEmpty() || f.phase == Fault::Phase::Detected)
            continue;
        m_incidentTargets[f.incidentId].insert(f.target);
        if (f.rootCause) {
            m_incidentRoot.insert(f.incidentId, { f.id, f.target });
            m_incidentCause.insert(f.incidentId, f.cause);
        }
    }
}

void Detector::noteClosed(const Fault& last, qint64 nowMs)
{
    if (last.incidentId.isEmpty())
        return;
    for (const QString& id : std::as_const(m_openOrder)) {
        if (m_open[id].incidentId == last.incidentId)
            return; // still open
    }
    // Forget incidents past the grace, so the map stays as small as the number of recent incidents.
    m_closed.removeIf([&](const QHash<QString, ClosedIncident>::iterator& it) {
        return nowMs - it->clearedMs > m_settings.aftershockGraceMs;
    });
    ClosedIncident c;
    const auto root = m_incidentRoot.take(last.incidentId);
    c.rootFaultId = root.first.isEmpty() ? last.id : root.first;
    c.rootTarget = root.second.isEmpty() ? last.target : root.second;
    c.rootCause = m_incidentCause.value(last.incidentId, last.cause);
    m_incidentCause.remove(last.incidentId);
    c.targets = m_incidentTargets.take(last.incidentId);
    c.targets.insert(last.target);
    for (const QString& t : std::as_const(c.targets)) {
        if (const TargetPolicy* p = policyOf(t); p && !p->pool.isEmpty())
            c.pools.insert(p->pool);
    }
    c.clearedMs = nowMs;
    if (m_settings.aftershockGraceMs > 0)
        m_closed.insert(last.incidentId, c);
}

void Detector::recordRates(const TargetPolicy& p, const Observation& o)
{
    if (p.requestSignal.isEmpty())
        return;
    const auto v = o.values.constFind(p.requestSignal);
    if (v == o.values.cend() || !std::isfinite(*v))
        return;
    auto& list = m_rates[o.target];
    list.append({ o.timeMs, *v });
    while (!list.isEmpty() && o.timeMs - list.first().first > rateHistoryMs)
        list.removeFirst();
}

QString Detector::poolEvidence(const Fault& root, qint64 nowMs) const
{
    const TargetPolicy* proot = policyOf(root.target);
    if (!proot || !(Correlation::isLoad(root.cause) || root.cause == CauseClass::DataIntegrity))
        return {}; // a crash under load is the server's own: its own evidence says it
    const bool byPool = !proot->pool.isEmpty() && root.pool == proot->pool;
    const QString label = byPool ? QString(poolLabel(root.pool) + u" pool") : QString(proot->group + u" group");
    QStringList peers;
    for (const QString& name : m_order) {
        const TargetPolicy* p = policyOf(name);
        if (p && (byPool ? p->pool == proot->pool : p->group == proot->group))
            peers.append(name);
    }
    QStringList parts;

    // Where demand rose: the pool's request rate now against its median before the first member failed.
    qint64 start = root.detectedMs;
    for (const QString& id : m_openOrder) {
        const Fault& o = m_open[id];
        if (o.incidentId == root.incidentId)
            start = std::min(start, o.detectedMs);
    }
    double before = 0;
    double now = 0;
    qint64 rose = 0;
    int counted = 0;
    for (const QString& name : std::as_const(peers)) {
        const auto& list = m_rates.value(name);
        // The median well before the first failure; with a short history (a fleet just started), the lowest rate
        // seen before it.
        QList<double> baseline;
        std::optional<double> lowest;
        for (const auto& [t, v] : list) {
            if (t <= start - 20000)
                baseline.append(v);
            if (t < start)
                lowest = lowest ? std::min(*lowest, v) : v;
        }
        if ((baseline.isEmpty() && !lowest) || list.isEmpty())
            continue;
        const double b = baseline.isEmpty() ? *lowest : median(baseline);
        before += b;
        now += list.last().second;
        ++counted;
        for (const auto& [t, v] : list) {
            if (t > start - 20000 && v > 1.5 * b && b > 0) {
                // When the rate first stood clearly above its baseline.
                rose = rose == 0 ? t : std::min(rose, t);
                break;
            }
        }
    }
    if (counted > 0 && before > 0 && now > before) {
        parts.append(QStringLiteral("requests ×%1%2 (%3 → %4 req/s across the %5)")
                         .arg(number(now / before),
                             rose <= 0                 ? QString()
                                 : nowMs - rose < 1000 ? QStringLiteral(" within a second")
                                                       : QStringLiteral(" in %1").arg(seconds(nowMs - rose)),
                             number(before), number(now), label));
    }

    // The member that saturated first, with the values that showed it then: the root, unless a member's fault is older
    // (detected while the root was not yet located), and every member detected in the same tick with it.
    const Fault* earliest = &root;
    QStringList firsts { root.target };
    for (const QString& id : m_openOrder) {
        const Fault& o = m_open[id];
        if (o.rootCause || o.rootFaultId != root.id || !o.isMember())
            continue;
        if (o.detectedMs < earliest->detectedMs) {
            earliest = &o;
            firsts = { o.target };
        } else if (o.detectedMs == earliest->detectedMs) {
            firsts.append(o.target);
        }
    }
    QStringList shown;
    if (root.cause == CauseClass::Attack) {
        // What flooded it, not its load signals.
        if (const auto rate = m_attackRateAtDetection.constFind(earliest->id); rate != m_attackRateAtDetection.cend())
            shown.append(QString::number(*rate, 'g', 4) + u" req/s"); // as the member's own evidence quotes it
    } else {
        const QHash<QString, double> values = m_valuesAtDetection.value(earliest->id);
        for (const ThresholdRule& r : proot->thresholds) {
            if (values.contains(r.signal))
                shown.append(r.signal + u' ' + number(values.value(r.signal)));
        }
    }
    const QString first = root.cause == CauseClass::Attack ? QStringLiteral("flooded first")
        : root.cause == CauseClass::DataIntegrity          ? QStringLiteral("failed first")
                                                           : QStringLiteral("saturated first");
    const QString values = shown.isEmpty() ? QString()
        : firsts.size() > 1                ? QString(u" (" + earliest->target + u": " + shown.join(u", ") + u')')
                                           : QString(u" (" + shown.join(u", ") + u')');
    QStringList also = QStringList { root.target } + root.members;
    for (const QString& t : std::as_const(firsts))
        also.removeAll(t);
    if (firsts.size() > 1) {
        const QString last = firsts.takeLast();
        parts.append(QStringLiteral("%1 and %2 %3, together at %4%5")
                         .arg(firsts.join(u", "), last, first, clock(earliest->detectedMs), values));
    } else {
        parts.append(QStringLiteral("%1 %2 at %3%4").arg(earliest->target, first, clock(earliest->detectedMs), values));
    }
    if (!also.isEmpty())
        parts.append(also.join(u", ") + u" also " + causeWord(root.cause));

    // Peers not (yet) failing whose load rule is past its clear level: near capacity.
    QStringList near;
    for (const QString& name : std::as_const(peers)) {
        if (name == root.target || root.members.contains(name))
            continue;
        const TargetStateMachine* m = machine(name);
        for (const EffectiveThreshold& e : m->thresholds()) {
            const auto v = m->values().constFind(e.signal);
            const ThresholdRule* rule = nullptr;
            for (const ThresholdRule& r : m->policy().thresholds) {
                if (r.signal == e.signal)
                    rule = &r;
            }
            if (!rule || rule->cause != CauseClass::Overload || v == m->values().cend())
                continue;
            const bool past = e.direction == ThresholdRule::Direction::Above ? *v > e.clear : *v < e.clear;
            if (past)
                near.append(QStringLiteral("%1 near capacity (%2 %3)").arg(name, e.signal, number(*v)));
        }
    }
    if (!near.isEmpty())
        parts.append(near.join(u", "));
    if (root.cause == CauseClass::Attack && !root.sources.isEmpty())
        parts.append(u"flooding sources: " + root.sources.join(u", "));
    if (!root.symptoms.isEmpty())
        parts.append(root.symptoms.join(u", ") + u" affected downstream (symptoms)");
    return label + u' ' + causeWord(root.cause) + u": " + parts.join(u"; ");
}

QString Detector::evidenceOf(const TargetStateMachine* m, const Fault& f) const
{
    if (!m)
        return f.evidence;
    QString e = m->evidence();
    if (f.cause != CauseClass::Network || f.link.isEmpty())
        return e;
    const TargetStateMachine* dep = machine(f.link);
    if (!dep || dep->baseState() != TargetState::Up)
        return e;
    // Who else measures its path to the dependency, and whether they reach it now.
    QStringList reach;
    QStringList cannot;
    for (const auto& other : m_list) {
        if (other.get() == m)
            continue;
        bool measures = false;
        for (const ThresholdRule& r : other->policy().thresholds)
            measures = measures || r.link == f.link;
        if (!measures || !other->lastCheck())
            continue;
        (other->brokenLink() == f.link ? cannot : reach).append(other->name());
    }
    if (!cannot.isEmpty())
        return e + u"; " + f.link + u"'s own checks pass; " + cannot.join(u", ") + u" cannot reach it either";
    return e + u"; " + f.link + u" answers everyone else: its own checks pass"
        + (reach.isEmpty() ? QString()
                           : u", " + reach.join(u", ") + u" reach" + (reach.size() == 1 ? u"es" : u"") + u" it");
}

} // namespace FaultDesk
