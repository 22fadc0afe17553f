#include "detect/detector.h"

#include "detect/targetstatemachine.h"

#include <algorithm>

namespace FaultDesk {

namespace {

/// An attack's sources count as all named once none has joined for this long, or this long after detection.
constexpr qint64 AttackSourcesSettleMs = 2000;
constexpr qint64 AttackSourcesSettleMaxMs = 10000;

/// Each named source's share of all the target's requests, for the operator deciding what to block.
QList<double> attackShares(const AttackDetector::Verdict& v)
{
    QList<double> shares;
    for (const double rate : v.sourceRates)
        shares.append(v.totalRate > 0 ? std::clamp(rate / v.totalRate, 0.0, 1.0) : 0.0);
    return shares;
}

Localizer::Node nodeOf(const TargetPolicy& p)
{
    return { p.name, p.dependsOn, p.anyOf };
}

Localizer::Health healthOf(TargetState base)
{
    switch (base) {
    case TargetState::Up:
        return Localizer::Health::Ok;
    case TargetState::Soft:
        return Localizer::Health::Suspect;
    case TargetState::Hard:
    case TargetState::Unreachable:
        return Localizer::Health::Confirmed;
    case TargetState::Unknown:
        break;
    }
    return Localizer::Health::Unknown;
}

} // namespace

Detector::Detector(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<FaultDesk::DetectionEvent>();
    qRegisterMetaType<FaultDesk::Fault>();
}

Detector::~Detector() = default;

TargetStateMachine* Detector::machine(const QString& name) const
{
    const auto it = m_machines.find(name);
    return it == m_machines.end() ? nullptr : m_list[size_t(it->second)].get();
}

int Detector::indexOf(const QString& name) const
{
    const auto it = m_machines.find(name);
    return it == m_machines.end() ? -1 : it->second;
}

void Detector::setTargets(const QList<TargetPolicy>& targets)
{
    m_machines.clear();
    m_list.clear();
    m_order.clear();
    m_pending.clear();
    m_lastBatch.clear();
    m_lastBatchIndex.clear();
    m_open.clear();
    m_openOrder.clear();
    m_faultOfTarget.clear();
    m_orphanedAt.clear();
    m_recovered.clear();
    m_external.clear();
    m_externalIds.clear();
    m_degraded = false;
    m_suppressed.clear();
    m_closed.clear();
    m_incidentTargets.clear();
    m_incidentRoot.clear();
    m_incidentCause.clear();
    m_joined.clear();
    m_rates.clear();
    m_valuesAtDetection.clear();
    m_attackRateAtDetection.clear();
    m_poolEvidenceKey.clear();
    m_keepLocalization.clear();
    m_heldLocalization.clear();
    m_dirty.clear();
    QList<Localizer::Node> nodes;
    for (const TargetPolicy& p : targets) {
        if (m_machines.count(p.name))
            continue;
        m_machines.emplace(p.name, int(m_list.size()));
        m_list.push_back(std::make_unique<TargetStateMachine>(p));
        m_order.append(p.name);
        nodes.append(nodeOf(p));
    }
    m_localizer.setGraph(nodes);
    Q_EMIT targetsReset();
}

void Detector::addTarget(const TargetPolicy& policy)
{
    if (m_machines.count(policy.name))
        removeTarget(policy.name);
    m_machines.emplace(policy.name, int(m_list.size()));
    m_list.push_back(std::make_unique<TargetStateMachine>(policy));
    m_order.append(policy.name);
    m_lastBatchIndex.clear();
    m_localizer.setNode(nodeOf(policy));
    Q_EMIT targetAdded(policy.name);
}

void Detector::removeTarget(const QString& name)
{
    if (!m_machines.count(name))
        return;
    QList<DetectionEvent> events;
    if (const QString id = m_faultOfTarget.value(name); !id.isEmpty()) {
        const qint64 now = machine(name)->lastCheckMs();
        clearFault(id, now, QStringLiteral("target removed from the fleet"), events);
    }
    const QStringList open = m_openOrder;
    for (const QString& id : open) {
        if (m_external.contains(id) && m_open[id].target == name)
            clearFault(id, machine(name)->lastCheckMs(), QStringLiteral("target removed from the fleet"), events);
    }
    m_machines.erase(name);
    m_suppressed.remove(name);
    const qsizetype at = m_order.indexOf(name);
    m_order.removeAt(at);
    m_list.erase(m_list.begin() + at);
    for (qsizetype i = at; i < m_order.size(); ++i)
        m_machines[m_order[i]] = int(i);
    m_pending.erase(
        std::remove_if(m_pending.begin(), m_pending.end(), [at](const Pending& p) { return p.index == at; }),
        m_pending.end());
    for (Pending& p : m_pending)
        p.index -= p.index > at ? 1 : 0;
    m_lastBatchIndex.clear();
    m_localizer.removeNode(name);
    Q_EMIT targetRemoved(name);
    for (const DetectionEvent& e : std::as_const(events)) {
        if (const auto f = fault(e.faultId))
            Q_EMIT faultChanged(*f);
        Q_EMIT eventRaised(e);
    }
}

void Detector::observe(const Observation& observation)
{
    if (const int i = indexOf(observation.target); i >= 0)
        m_pending.push_back({ i, observation });
}

QList<DetectionEvent> Detector::tick(qint64 nowMs)
{
    QList<DetectionEvent> monitorEvents;
    QList<DetectionEvent> faultEvents;
    // What this tick changed, by index: the loops below walk the whole fleet, and at 5,000 targets a name lookup per
    // target and loop was a good part of the detector's own time per tick.
    std::vector<char> touched(m_list.size(), 0);
    QSet<QString> touchedFaults;
    std::vector<TargetState> before;
    before.reserve(m_list.size());
    for (const auto& m : m_list)
        before.push_back(m->state());

    const auto byTime = [](const Pending& a, const Pending& b) { return a.observation.timeMs < b.observation.timeMs; };
    if (!std::is_sorted(m_pending.cbegin(), m_pending.cend(), byTime))
        std::stable_sort(m_pending.begin(), m_pending.end(), byTime);
    for (const Pending& p : std::as_const(m_pending)) {
        TargetStateMachine& m = *m_list[size_t(p.index)];
        m.observe(p.observation);
        recordRates(m.policy(), p.observation);
        touched[size_t(p.index)] = 1;
    }
    m_pending.clear();
    for (size_t i = 0; i < m_list.size(); ++i) {
        if (m_list[i]->checkStaleness(nowMs))
            touched[i] = 1;
    }

    updateDegraded(nowMs, monitorEvents);
    if (!m_degraded)
        localize(nowMs, faultEvents, touchedFaults);

    // One state change per target and tick: a SOFT→HARD→UNREACHABLE cascade inside one tick is one step.
    QList<DetectionEvent> stateEvents;
    QList<DetectionEvent> flapEvents;
    for (size_t i = 0; i < m_list.size(); ++i) {
        TargetStateMachine* m = m_list[i].get();
        if (!m->hasChanges())
            continue;
        const QString& name = m_order[qsizetype(i)];
        const auto transitions = m->takeTransitions();
        if (!transitions.isEmpty()) {
            touched[i] = 1;
            if (before[i] != m->state()) {
                DetectionEvent e;
                e.kind = DetectionEvent::Kind::StateChanged;
                e.timeMs = transitions.last().timeMs;
                e.target = name;
                e.from = before[i];
                e.to = m->state();
                e.reason = transitions.last().reason;
                stateEvents.append(e);
            }
        }
        for (const auto& change : m->takeFlappingChanges()) {
            DetectionEvent e;
            e.kind = change.flapping ? DetectionEvent::Kind::FlappingStarted : DetectionEvent::Kind::FlappingStopped;
            e.timeMs = change.timeMs;
            e.target = name;
            e.percent = change.percent;
            flapEvents.append(e);
            touched[i] = 1;
        }
    }
    // The open faults follow their targets' flapping and state.
    for (auto it = m_faultOfTarget.cbegin(); it != m_faultOfTarget.cend(); ++it) {
        const TargetStateMachine* m = machine(it.key());
        Fault& f = m_open[it.value()];
        if (m && (f.flapping != m->isFlapping() || f.targetState != m->state())) {
            f.flapping = m->isFlapping();
            f.targetState = m->state();
            touchedFaults.insert(it.value());
        }
    }

    QList<DetectionEvent> events = monitorEvents + stateEvents + faultEvents + flapEvents;
    // One signal for every target this tick changed: at 5,000 targets a signal per target made the models do
    // thousands of small updates per tick on the GUI thread instead of one batch.
    QStringList updated;
    std::vector<int> updatedIndex;
    QList<int> retrying;
    for (int i = 0; i < int(m_list.size()); ++i) {
        if (!touched[size_t(i)])
            continue;
        updated.append(m_order[i]);
        updatedIndex.push_back(i);
        if (m_list[size_t(i)]->baseState() == TargetState::Soft && !m_degraded)
            retrying.append(i);
    }
    if (!updated.isEmpty()) {
        m_lastBatch = updated;
        m_lastBatchIndex = std::move(updatedIndex);
        Q_EMIT targetsUpdated(updated);
    }
    for (const int i : std::as_const(retrying))
        Q_EMIT retryRequested(m_order[i], m_list[i]->nextCheckDueMs());
    touchedFaults.unite(std::exchange(m_dirty, {}));
    // Open faults first: a member taking over an incident is in it before its old root says it recovered, so whoever
    // follows the incident never sees it without an open root.
    for (const QString& id : std::as_const(m_openOrder)) {
        if (touchedFaults.remove(id))
            Q_EMIT faultChanged(m_open[id]);
    }
    for (const QString& id : std::as_const(touchedFaults)) {
        if (const auto f = fault(id))
            Q_EMIT faultChanged(*f);
    }
    for (const DetectionEvent& e : std::as_const(events))
        Q_EMIT eventRaised(e);
    return events;
}

void Detector::updateDegraded(qint64 nowMs, QList<DetectionEvent>& events)
{
    int checked = 0;
    int failing = 0;
    std::vector<char> down(m_list.size(), 0);
    for (size_t i = 0; i < m_list.size(); ++i) {
        const TargetStateMachine& m = *m_list[i];
        if (!m.hasCheck())
            continue;
        ++checked;
        if (m.lastProbeDown()) {
            ++failing;
            down[i] = 1;
        }
    }
    // A failure that a failing dependency explains is not a second witness against the monitor: a database that
    // stops takes the services that call it with it, and on a small fleet that cascade alone is over half of the
    // probes. Such a cascade leaves someone answering; a cut of the monitor's own network does not, so every probe
    // failing still reads as the monitor's fault.
    int unexplained = 0;
    if (failing < checked) {
        for (size_t i = 0; i < m_list.size(); ++i) {
            // A check that never arrived is the monitor's failure, not a cascade's.
            if (!down[i])
                continue;
            if (m_list[i]->lastCheckStale()) {
                ++unexplained;
                continue;
            }
            const auto isDown = [&](const QString& name) {
                const int d = indexOf(name);
                return d >= 0 && down[size_t(d)];
            };
            const TargetPolicy& p = m_list[i]->policy();
            const bool explained = std::any_of(p.dependsOn.cbegin(), p.dependsOn.cend(), isDown)
                || std::any_of(p.anyOf.cbegin(), p.anyOf.cend(), [&](const QStringList& group) {
                       return !group.isEmpty() && std::all_of(group.cbegin(), group.cend(), isDown);
                   });
            unexplained += explained ? 0 : 1;
        }
    } else {
        unexplained = failing;
    }
    // Hysteresis, so a monitor hovering around half its probes failing does not toggle every tick.
    const bool degraded = m_degraded
        ? checked >= m_settings.degradedMinTargets && unexplained > m_settings.degradedClearFraction * checked
        : checked >= m_settings.degradedMinTargets && unexplained > m_settings.degradedFraction * checked;
    if (degraded == m_degraded)
        return;
    m_degraded = degraded;
    DetectionEvent e;
    e.kind = degraded ? DetectionEvent::Kind::MonitorDegraded : DetectionEvent::Kind::MonitorRecovered;
    e.timeMs = nowMs;
    e.failing = failing;
    e.checked = checked;
    e.reason = degraded
        ? QStringLiteral("the probes of %1 of %2 targets failed at once: the monitor cannot tell, no target is blamed")
              .arg(failing)
              .arg(checked)
        : QStringLiteral("the probes of %1 of %2 targets fail now: judging targets again").arg(failing).arg(checked);
    for (const auto& m : m_list)
        m->setUnknown(degraded, nowMs, e.reason);
    events.append(e);
}

DetectionEvent Detector::locatedEvent(const Fault& f, qint64 nowMs) const
{
    DetectionEvent e;
    e.kind = DetectionEvent::Kind::FaultLocated;
    e.timeMs = nowMs;
    e.target = f.target;
    e.faultId = f.id;
    e.incidentId = f.incidentId;
    e.cause = f.cause;
    e.evidence = f.evidence;
    e.rootCause = f.rootCause;
    e.root = f.rootCause ? f.target : f.rootTarget;
    e.symptoms = f.symptoms;
    e.sources = f.sources;
    e.members = f.members;
    e.pool = f.pool;
    e.aftershock = f.aftershock;
    e.reason = f.localization;
    return e;
}

void Detector::keepRecovered(const Fault& f)
{
    m_recovered.append(f);
    while (m_recovered.size() > std::max(0, m_settings.recoveredKept)) {
        const QString id = m_recovered.takeFirst().id;
        Q_EMIT faultRemoved(id);
    }
}

void Detector::clearFault(const QString& faultId, qint64 nowMs, const QString& reason, QList<DetectionEvent>& events)
{
    if (!m_open.contains(faultId))
        return;
    Fault f = m_open.take(faultId);
    const Fault::Phase phaseBefore = f.phase;
    m_openOrder.removeAll(faultId);
    if (m_faultOfTarget.value(f.target) == faultId)
        m_faultOfTarget.remove(f.target);
    m_orphanedAt.remove(faultId);
    m_joined.remove(faultId);
    m_keepLocalization.remove(faultId);
    m_heldLocalization.remove(faultId);
    m_valuesAtDetection.remove(faultId);
    m_attackRateAtDetection.remove(faultId);
    m_poolEvidenceKey.remove(faultId);
    if (const auto ext = m_external.constFind(faultId); ext != m_external.cend()) {
        m_externalIds.remove(ext->source + u'\n' + ext->key);
        m_external.erase(ext);
    }
    if (f.rootCause) {
        // Members still failing carry the incident on (a pool-level root clears with its last member; this is its
        // target leaving the fleet); its symptoms wait (for their next check, or the aftershock grace): passing clears
        // them with their cause.
        handOver(f, phaseBefore, nowMs, events);
        for (const QString& id : std::as_const(m_openOrder)) {
            if (m_open[id].rootFaultId == faultId)
                m_orphanedAt.insert(id, nowMs);
        }
    }
    f.phase = Fault::Phase::Recovered;
    f.clearedMs = nowMs;
    keepRecovered(f);
    noteClosed(f, nowMs);
    DetectionEvent e;
    e.kind = DetectionEvent::Kind::FaultCleared;
    e.timeMs = nowMs;
    e.target = f.target;
    e.faultId = f.id;
    e.incidentId = f.incidentId;
    e.cause = f.cause;
    e.reason = reason;
    events.append(e);
}

void Detector::localize(qint64 nowMs, QList<DetectionEvent>& events, QSet<QString>& touchedFaults)
{
    QHash<QString, Localizer::Input> input;
    // Targets absent from the input count as Ok, so only the failing and unknown ones need an entry.
    for (int i = 0; i < int(m_list.size()); ++i) {
        if (m_list[i]->baseState() != TargetState::Up)
            input.insert(m_order[i], { healthOf(m_list[i]->baseState()), m_list[i]->lastProbeDown() });
    }
    // An external fault is a confirmed failure of its target, whatever the probes say.
    for (auto it = m_external.cbegin(); it != m_external.cend(); ++it)
        input[it->target].health = Localizer::Health::Confirmed;
    const QHash<QString, Localizer::Verdict> verdicts = m_localizer.localize(input);

    // Newly confirmed failures become faults.
    for (int i = 0; i < int(m_list.size()); ++i) {
        const QString& name = m_order[i];
        const TargetStateMachine* m = m_list[i].get();
        if (m->baseState() != TargetState::Hard || m_faultOfTarget.contains(name))
            continue;
        if (isSuppressedFailure(name, verdicts))
            continue;
        Fault f;
        f.id = QStringLiteral("F%1").arg(m_nextFault++);
        f.target = name;
        f.group = m->policy().group;
        f.priority = m->policy().priority;
        f.cause = m->primaryCause().value_or(CauseClass::Unhealthy);
        if (f.cause == CauseClass::Network)
            f.link = m->brokenLink();
        f.evidence = evidenceOf(m, f);
        f.breachedSignals = m->breachedSignals();
        f.detectedMs = nowMs;
        m_valuesAtDetection.insert(f.id, m->values());
        f.flapping = m->isFlapping();
        f.targetState = m->state();
        if (f.cause == CauseClass::Attack) {
            f.sources = m->attack().sources;
            f.sourceShares = attackShares(m->attack());
            f.sourcesChangedMs = nowMs;
            m_attackRateAtDetection.insert(f.id, m->attack().totalRate);
        }
        m_open.insert(f.id, f);
        m_openOrder.append(f.id);
        m_faultOfTarget.insert(name, f.id);
        touchedFaults.insert(f.id);
        DetectionEvent e;
        e.kind = DetectionEvent::Kind::FaultDetected;
        e.timeMs = nowMs;
        e.target = name;
        e.faultId = f.id;
        e.cause = f.cause;
        e.evidence = f.evidence;
        events.append(e);
    }

    // Recovered targets clear their faults; symptoms whose cause cleared say so. A pool- or group-level root goes last
    // (see holdPoolRoot()): its members first, so it knows whether one still fails.
    const QStringList open = m_openOrder;
    for (const bool poolRoots : { false, true }) {
        for (const QString& id : open) {
            if (!m_open.contains(id))
                continue;
            if (m_external.contains(id))
                continue; // only its source clears it
            const Fault f = m_open[id];
            if (isPoolRoot(f) != poolRoots)
                continue;
            const TargetStateMachine* m = machine(f.target);
            if (m && m->baseState() != TargetState::Up) {
                if (poolRoots)
                    holdPoolRoot(id, false);
                continue;
            }
            if (poolRoots && holdPoolRoot(id, true))
                continue;
            QString reason = poolRoots
                ? QStringLiteral("%1 and every %2 member pass their checks again").arg(f.target, scopeLabel(f))
                : QStringLiteral("%1 passes its checks again").arg(f.target);
            if (!f.rootCause && !f.aftershock && !f.isMember()
                && (m_orphanedAt.contains(id) || !m_open.contains(f.rootFaultId)))
                reason = QStringLiteral("cleared with its cause %1").arg(f.rootTarget);
            clearFault(id, nowMs, reason, events);
            touchedFaults.insert(id);
        }
    }

    // A worse cause replaces the one a fault was detected with (overloaded, then down) — until remediation acts on
    // it: what the remedy does to the target (a restart drops the connections of a hung or slow server, refuses for
    // a moment) is the remedy at work, not a new diagnosis.
    QSet<QString> announce;
    for (const QString& id : std::as_const(m_openOrder)) {
        if (m_external.contains(id))
            continue;
        Fault& f = m_open[id];
        if (f.phase == Fault::Phase::Handling || f.phase == Fault::Phase::Handled
            || f.phase == Fault::Phase::Recovering)
            continue;
        const TargetStateMachine* m = machine(f.target);
        const auto cause = m->primaryCause();
        if (cause && int(*cause) < int(f.cause)) {
            f.cause = *cause;
            f.link = f.cause == CauseClass::Network ? m->brokenLink() : QString();
            f.evidence = evidenceOf(m, f);
            f.breachedSignals = m->breachedSignals();
            f.sources = f.cause == CauseClass::Attack ? m->attack().sources : QStringList();
            f.sourceShares = f.cause == CauseClass::Attack ? attackShares(m->attack()) : QList<double>();
            f.sourcesChangedMs = nowMs;
            touchedFaults.insert(id);
            if (f.phase != Fault::Phase::Detected)
                announce.insert(id);
        } else if (f.cause == CauseClass::Attack && cause == CauseClass::Attack
            && (f.phase == Fault::Phase::Detected || f.phase == Fault::Phase::Located)) {
            // A flood's sources show one by one: at the moment of detection a source that has flooded for two
            // seconds may not yet have sent a flood's worth to be named. Until Handle acts, the sources named
            // since join the fault's, so Handle blocks the whole flood and not the first third of it.
            const AttackDetector::Verdict& v = m->attack();
            const QList<double> shares = attackShares(v);
            bool grew = false;
            for (qsizetype k = 0; k < v.sources.size(); ++k) {
                if (f.sources.contains(v.sources[k]))
                    continue;
                f.sources.append(v.sources[k]);
                f.sourceShares.append(shares.value(k));
                grew = true;
            }
            if (grew) {
                f.evidence = evidenceOf(m, f);
                f.sourcesChangedMs = nowMs;
                touchedFaults.insert(id);
            }
        }
        // Automation waits while the list still grows (see Fault::sourcesSettling); the change of this flag is a
        // change of the fault, so automation looks again when it settles.
        const bool settling = f.cause == CauseClass::Attack
            && (f.phase == Fault::Phase::Detected || f.phase == Fault::Phase::Located)
            && nowMs - f.sourcesChangedMs < AttackSourcesSettleMs && nowMs - f.detectedMs < AttackSourcesSettleMaxMs;
        if (settling != f.sourcesSettling) {
            f.sourcesSettling = settling;
            touchedFaults.insert(id);
        }
    }

    // Roles: roots first, so symptoms find their root's incident.
    QStringList roots;
    QStringList symptoms;
    for (const QString& id : std::as_const(m_openOrder)) {
        const Fault& f = m_open[id];
        const auto v = verdicts.constFind(f.target);
        if (v == verdicts.cend() || v->role == Localizer::Role::Pending)
            continue;
        if (v->role == Localizer::Role::Root && !f.rootCause && m_orphanedAt.contains(id) && !m_external.contains(id)) {
            // A symptom outliving its cause: the tail of the same event for a while (the aftershock grace), a fault
            // of its own after that.
            const qint64 since = m_orphanedAt.value(id);
            const bool waited = m_settings.aftershockGraceMs > 0 ? nowMs - since >= m_settings.aftershockGraceMs
                                                                 : machine(f.target)->lastCheckMs() > since;
            if (!waited)
                continue;
        }
        // Placed by correlation: it stays where it joined while its root is open, unless the graph names another
        // cause.
        if (m_joined.contains(id) && m_open.contains(f.rootFaultId)
            && (v->role != Localizer::Role::Symptom || rootFaultOf(v->root) == f.rootFaultId))
            continue;
        (v->role == Localizer::Role::Root ? roots : symptoms).append(id);
    }
    // A dependency before its dependents, so a dependent finds the incident its dependency opened.
    std::stable_sort(roots.begin(), roots.end(), [this](const QString& a, const QString& b) {
        const TargetPolicy* pb = policyOf(m_open[b].target);
        return pb && Correlation::dependsOn(*pb, m_open[a].target);
    });
    for (const QString& id : std::as_const(roots)) {
        if (!m_open[id].rootCause && m_joined.contains(id) && m_open.contains(m_open[id].rootFaultId))
            continue; // placed under a dependency that took the incident over earlier in this loop
        Fault& f = m_open[id];
        const Localizer::Verdict& v = verdicts[f.target];
        const bool wasSymptom = !f.rootCause;
        const QString explanation = f.cause == CauseClass::Network && !f.link.isEmpty() && machine(f.link)
                && machine(f.link)->baseState() == TargetState::Up
            ? QStringLiteral("%1 cannot reach %2 while %2 passes its own checks: the link between them failed, "
                             "not either end")
                  .arg(f.target, f.link)
            : v.explanation;
        if (f.phase != Fault::Phase::Detected && !wasSymptom
            && (f.localization == explanation || m_keepLocalization.contains(id)))
            continue;
        if (f.phase == Fault::Phase::Detected || wasSymptom || f.incidentId.isEmpty()) {
            const QString left = wasSymptom ? f.incidentId : QString();
            f.rootCause = true;
            f.rootFaultId.clear();
            f.rootTarget.clear();
            f.relation.clear();
            f.aftershock = false;
            m_joined.remove(id);
            const auto j = left.isEmpty() ? correlate(f, nowMs) : std::nullopt;
            if (j && join(id, *j, nowMs, events)) {
                if (!j->aftershock)
                    m_orphanedAt.remove(id); // an aftershock's grace runs from when it joined
                touchedFaults.insert(id);
                continue;
            }
            f.incidentId = newIncident();
            if (!left.isEmpty() && left != f.incidentId) {
                DetectionEvent e;
                e.kind = DetectionEvent::Kind::FaultLeft;
                e.timeMs = nowMs;
                e.target = f.target;
                e.faultId = f.id;
                e.incidentId = left;
                e.cause = f.cause;
                e.reason = QStringLiteral("%1 still fails after its cause recovered: a fault of its own (incident %2)")
                               .arg(f.target, f.incidentId);
                events.append(e);
            }
        }
        if (f.phase == Fault::Phase::Detected) {
            f.phase = Fault::Phase::Located;
            f.locatedMs = nowMs;
        }
        const bool relocated = wasSymptom || f.locatedMs == nowMs;
        f.localization = explanation;
        m_orphanedAt.remove(id);
        touchedFaults.insert(id);
        if (relocated)
            announce.insert(id);
    }
    for (const QString& id : std::as_const(symptoms)) {
        Fault& f = m_open[id];
        const Localizer::Verdict& v = verdicts[f.target];
        const QString rootId = rootFaultOf(v.root);
        if (rootId.isEmpty() || rootId == id || !m_open.contains(rootId))
            continue;
        const Fault& root = m_open[rootId];
        const bool changed = f.rootCause || f.rootFaultId != rootId || f.phase == Fault::Phase::Detected
            || f.incidentId != root.incidentId;
        m_orphanedAt.remove(id);
        if (!changed && f.localization == v.explanation)
            continue;
        f.rootCause = false;
        f.rootFaultId = rootId;
        f.rootTarget = v.root;
        f.incidentId = root.incidentId;
        f.symptoms.clear();
        f.members.clear();
        f.relation.clear();
        f.aftershock = false;
        m_joined.remove(id);
        f.localization = v.explanation;
        if (f.phase == Fault::Phase::Detected) {
            f.phase = Fault::Phase::Located;
            f.locatedMs = nowMs;
        }
        touchedFaults.insert(id);
        if (changed)
            announce.insert(id);
    }

    // UNREACHABLE: a symptom that gets no answer at all. The symptoms by index first: a name lookup per target
    // here cost more than the rest of the loop.
    std::vector<const Fault*> symptomAt(m_list.size(), nullptr);
    for (auto it = m_faultOfTarget.cbegin(); it != m_faultOfTarget.cend(); ++it) {
        const auto f = m_open.constFind(it.value());
        if (const int i = indexOf(it.key()); i >= 0 && f != m_open.cend() && !f->rootCause)
            symptomAt[size_t(i)] = &*f;
    }
    for (size_t i = 0; i < m_list.size(); ++i) {
        TargetStateMachine* m = m_list[i].get();
        const Fault* symptom = symptomAt[i];
        m->setUnreachable(symptom && m->lastProbeDown(), nowMs,
            symptom ? symptom->localization : QStringLiteral("no dependency is down"));
    }

    // Each root lists its symptoms and its affected members; a pool-level one says what happened to the pool.
    for (const QString& id : std::as_const(m_openOrder)) {
        Fault& f = m_open[id];
        if (!f.rootCause)
            continue;
        QStringList list;
        QStringList members;
        for (const QString& other : std::as_const(m_openOrder)) {
            const Fault& o = m_open[other];
            if (o.rootFaultId == id && !o.rootCause)
                (o.isMember() ? members : list).append(o.target);
        }
        if (list != f.symptoms || members != f.members) {
            f.symptoms = list;
            f.members = members;
            touchedFaults.insert(id);
        }
        // Members recovering leave the pool-level sentence as it was: it stays true of the time it names, the event
        // at its widest. Only a member joining (or the cause changing) writes it again; the key is every member seen.
        QString key;
        if (!members.isEmpty()) {
            const QString seen = m_poolEvidenceKey.value(id);
            const QString cause = causeClassName(f.cause);
            QStringList all = seen.section(u'|', 0, 0).split(u',', Qt::SkipEmptyParts);
            const bool sameCause = seen.section(u'|', 1) == cause;
            if (!sameCause)
                all.clear();
            bool joined = !sameCause;
            for (const QString& m : std::as_const(members))
                if (!all.contains(m)) {
                    all.append(m);
                    joined = true;
                }
            if (joined)
                key = all.join(u',') + u'|' + cause;
        }
        if (!key.isEmpty()) {
            m_poolEvidenceKey.insert(id, key);
            const QString e = poolEvidence(f, nowMs);
            if (!e.isEmpty() && e != f.evidence) {
                f.evidence = e;
                touchedFaults.insert(id);
            }
        }
    }
    rememberIncidents();

    for (const QString& id : std::as_const(m_openOrder)) {
        if (announce.contains(id) && m_open[id].rootCause)
            events.append(locatedEvent(m_open[id], nowMs));
    }
    for (const QString& id : std::as_const(m_openOrder)) {
        if (announce.contains(id) && !m_open[id].rootCause)
            events.append(locatedEvent(m_open[id], nowMs));
    }
}

std::optional<TargetStatus> Detector::status(const QString& target) const
{
    const int i = indexOf(target);
    if (i < 0)
        return std::nullopt;
    return statusAt(i);
}

TargetStatus Detector::statusAt(int index) const
{
    const TargetStateMachine* m = m_list[size_t(index)].get();
    const QString& target = m_order[index];
    TargetStatus s;
    s.name = target;
    s.group = m->policy().group;
    s.priority = m->policy().priority;
    s.state = m->state();
    s.consecutiveFailures = m->consecutiveFailures();
    s.attempts = m->policy().attempts;
    s.flapping = m->isFlapping();
    s.flappingPercent = m->flappingPercent();
    if (const QString id = m_faultOfTarget.value(target); !id.isEmpty()) {
        const Fault& f = m_open[id];
        s.faultId = id;
        s.rootCause = f.rootCause && f.phase != Fault::Phase::Detected;
        if (!f.rootCause)
            s.symptomOf = f.rootTarget;
    }
    s.probesPass = m->lastProbeAnswered();
    s.cause = m->primaryCause();
    s.evidence = m->evidence();
    if (const auto last = m->lastCheck())
        s.lastReason = last->reason;
    s.lastCheckMs = m->lastCheckMs();
    s.nextCheckDueMs = m->nextCheckDueMs();
    s.values = m->values();
    s.thresholds = m->thresholds();
    if (const AttackDetector::Verdict v = m->attack(); m->policy().attack.enabled && v.baselineRate > 0) {
        EffectiveThreshold level;
        level.signal = QStringLiteral("sources");
        level.enter = v.baselineRate * m->policy().attack.rateFactor;
        level.clear = v.baselineRate * m->policy().attack.rateClearFactor;
        level.source = EffectiveThreshold::Source::Adaptive;
        level.breached = v.underAttack;
        s.attackLevel = level;
    }
    return s;
}

int Detector::answeringCount() const
{
    int n = 0;
    for (const auto& m : m_list) {
        const TargetState s = m->state();
        // TargetStatus::answers(), without building the status.
        n += s == TargetState::Up || ((s == TargetState::Soft || s == TargetState::Hard) && m->lastProbeAnswered());
    }
    return n;
}

QList<TargetStatus> Detector::statuses() const
{
    QList<TargetStatus> out;
    out.reserve(m_order.size());
    for (int i = 0; i < int(m_list.size()); ++i)
        out.append(statusAt(i));
    return out;
}

QList<TargetStatus> Detector::statuses(const QStringList& targets) const
{
    QList<TargetStatus> out;
    out.reserve(targets.size());
    // The same list object (shared data) as the last batch: its indices still hold, no target having come or gone.
    if (targets.constData() == m_lastBatch.constData() && size_t(targets.size()) == m_lastBatchIndex.size()) {
        for (const int i : m_lastBatchIndex)
            out.append(statusAt(i));
        return out;
    }
    for (const QString& name : targets) {
        if (const int i = indexOf(name); i >= 0)
            out.append(statusAt(i));
    }
    return out;
}

QList<Fault> Detector::openFaults() const
{
    QList<Fault> out;
    for (const QString& id : m_openOrder)
        out.append(m_open[id]);
    return out;
}

QList<Fault> Detector::faults() const
{
    return openFaults() + m_recovered;
}

std::optional<Fault> Detector::fault(const QString& id) const
{
    if (const auto it = m_open.constFind(id); it != m_open.cend())
        return *it;
    for (const Fault& f : m_recovered) {
        if (f.id == id)
            return f;
    }
    return std::nullopt;
}

bool Detector::pinThreshold(const QString& target, const QString& signal, std::optional<double> level)
{
    TargetStateMachine* m = machine(target);
    if (!m || !m->pinThreshold(signal, level))
        return false;
    Q_EMIT targetUpdated(target);
    return true;
}

bool Detector::isSuppressedFailure(const QString& target, const QHash<QString, Localizer::Verdict>& verdicts) const
{
    if (m_suppressed.contains(target))
        return true;
    // A failure the localizer blames on a target under maintenance is the expected effect of that work.
    const auto v = verdicts.constFind(target);
    return v != verdicts.cend() && v->role == Localizer::Role::Symptom && m_suppressed.contains(v->root);
}

void Detector::setSuppressed(const QString& target, const QString& note)
{
    if (!m_machines.count(target) || m_suppressed.value(target) == note)
        return;
    if (note.isEmpty())
        m_suppressed.remove(target);
    else
        m_suppressed.insert(target, note);
    if (const QString id = m_faultOfTarget.value(target); !id.isEmpty()) {
        Fault& f = m_open[id];
        f.maintenance = note;
        Q_EMIT faultChanged(f);
    }
    Q_EMIT targetUpdated(target);
}

bool Detector::setFaultPhase(const QString& faultId, Fault::Phase phase)
{
    if (!m_open.contains(faultId) || phase == Fault::Phase::Recovered || phase == Fault::Phase::Detected)
        return false;
    Fault& f = m_open[faultId];
    if (f.phase == phase)
        return true;
    f.phase = phase;
    Q_EMIT faultChanged(f);
    return true;
}

QString Detector::rootFaultOf(const QString& target) const
{
    if (const QString id = m_faultOfTarget.value(target); !id.isEmpty())
        return id;
    for (const QString& id : m_openOrder) {
        if (m_external.contains(id) && m_open[id].target == target)
            return id;
    }
    return {};
}

void Detector::emitEvents(const QList<DetectionEvent>& events)
{
    for (const QString& id : std::exchange(m_dirty, {})) {
        if (m_open.contains(id))
            Q_EMIT faultChanged(m_open[id]);
    }
    for (const DetectionEvent& e : events) {
        if (const auto f = fault(e.faultId))
            Q_EMIT faultChanged(*f);
        Q_EMIT eventRaised(e);
    }
}

QString Detector::raiseExternalFault(const ExternalFault& external, qint64 nowMs)
{
    const TargetStateMachine* m = machine(external.target);
    if (!m)
        return {};
    const QString mapKey = external.source + u'\n' + external.key;
    if (const QString id = m_externalIds.value(mapKey); !id.isEmpty()) {
        Fault& f = m_open[id];
        m_external[id] = external;
        // A cause the operator already saw stays unless the source changed its mind; evidence follows the source.
        if (f.evidence == external.evidence && f.cause == external.cause)
            return id;
        f.evidence = external.evidence;
        f.cause = external.cause;
        Q_EMIT faultChanged(f);
        return id;
    }
    Fault f;
    f.id = QStringLiteral("F%1").arg(m_nextFault++);
    f.target = external.target;
    f.group = m->policy().group;
    f.priority = m->policy().priority;
    f.cause = external.cause;
    f.evidence = external.evidence;
    f.detectedMs = nowMs;
    f.flapping = false;
    f.targetState = TargetState::Hard;
    m_open.insert(f.id, f);
    m_openOrder.append(f.id);
    m_external.insert(f.id, external);
    m_externalIds.insert(mapKey, f.id);
    DetectionEvent e;
    e.kind = DetectionEvent::Kind::FaultDetected;
    e.timeMs = nowMs;
    e.target = f.target;
    e.faultId = f.id;
    e.cause = f.cause;
    e.evidence = f.evidence;
    emitEvents({ e });
    return f.id;
}

bool Detector::clearExternalFault(const QString& source, const QString& key, const QString& reason, qint64 nowMs)
{
    const QString id = m_externalIds.value(source + u'\n' + key);
    if (id.isEmpty())
        return false;
    QList<DetectionEvent> events;
    clearFault(id, nowMs, reason, events);
    emitEvents(events);
    return true;
}

std::optional<Detector::ExternalFault> Detector::externalFault(const QString& faultId) const
{
    const auto it = m_external.constFind(faultId);
    if (it == m_external.cend())
        return std::nullopt;
    return *it;
}

QString Detector::externalFaultId(const QString& source, const QString& key) const
{
    return m_externalIds.value(source + u'\n' + key);
}

QStringList Detector::externalFaultIds(const QString& source) const
{
    QStringList ids;
    for (const QString& id : m_openOrder) {
        const auto it = m_external.constFind(id);
        if (it != m_external.cend() && it->source == source)
            ids.append(id);
    }
    return ids;
}

} // namespace FaultDesk
