#include "drill/drillrunner.h"

#include "drill/demofleetprocess.h"
#include "drill/faultjournal.h"

#include "detect/detector.h"
#include "monitor/monitor.h"

#include <QDateTime>
#include <QJsonDocument>

#include <algorithm>

namespace FaultDesk {

namespace {

constexpr int TickMs = 250;
/// A root cause of an unexpected class is taken for Handle only once none of the expected class showed up by then.
constexpr qint64 OtherCauseGraceMs = 3000;
/// Recover waits this long for its gates to open (the load to subside) before it is asked anyway.
constexpr qint64 RecoverGateWaitMs = 10000;

} // namespace

DrillRunner::DrillRunner(Monitor* monitor, RemediationController* controller, DemoFleetProcess* fleet, QObject* parent)
    : QObject(parent)
    , m_monitor(monitor)
    , m_controller(controller)
    , m_fleet(fleet)
{
    m_timer.setInterval(TickMs);
    connect(&m_timer, &QTimer::timeout, this, &DrillRunner::tick);
    connect(controller, &RemediationController::stepChanged, this,
        [this](const QString& faultId, int index, const StepReport& r) {
            if (!isRunning())
                return;
            for (const DrillOutcome::PerFault& f : std::as_const(m_outcome.faults))
                if (f.handled && f.handled->faultId == faultId)
                    Q_EMIT progress(QStringLiteral("  step %1 %2: %3%4")
                                        .arg(index + 1)
                                        .arg(r.name, StepReport::statusName(r.status),
                                            r.reason.isEmpty() ? QString() : u" — " + r.reason));
        });
}

DrillRunner::~DrillRunner()
{
    if (m_ownsJournal)
        delete m_journal;
}

void DrillRunner::setJournal(FaultJournal* journal)
{
    if (m_ownsJournal)
        delete m_journal;
    m_journal = journal;
    m_ownsJournal = false;
}

QString DrillRunner::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Idle:
        return QStringLiteral("idle");
    case Phase::Baseline:
        return QStringLiteral("baseline");
    case Phase::Injecting:
        return QStringLiteral("injecting");
    case Phase::Detecting:
        return QStringLiteral("detecting");
    case Phase::Handling:
        return QStringLiteral("handling");
    case Phase::EndingCause:
        return QStringLiteral("ending-cause");
    case Phase::Recovering:
        return QStringLiteral("recovering");
    case Phase::Verifying:
        return QStringLiteral("verifying");
    case Phase::Done:
        return QStringLiteral("done");
    }
    return {};
}

qint64 DrillRunner::now() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool DrillRunner::start(const QList<DrillFault>& faults, QString* error)
{
    auto refuse = [error](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    if (isRunning())
        return refuse(QStringLiteral("a drill is running already"));
    if (!m_monitor || !m_controller || !m_fleet || !m_fleet->isRunning())
        return refuse(QStringLiteral("the demo fleet is not running"));
    if (faults.isEmpty())
        return refuse(QStringLiteral("no fault to inject"));
    QList<DrillScenario> scenarios;
    QList<DrillFault> resolved;
    for (DrillFault f : faults) {
        const auto s = DrillScenario::find(f.kind);
        if (!s)
            return refuse(QStringLiteral("unknown drill '%1' (one of %2)")
                              .arg(f.kind, DrillScenario::campaignKinds().join(QStringLiteral(", "))));
        if (f.target.isEmpty())
            f.target = s->defaultTarget;
        scenarios << *s;
        resolved << f;
    }
    if (!m_journal) {
        m_journal = new FaultJournal(m_monitor->detector());
        m_ownsJournal = true;
    }
    ++m_generation;
    m_scenarios = scenarios;
    m_outcome = DrillOutcome {};
    for (const DrillFault& f : std::as_const(resolved)) {
        DrillOutcome::PerFault p;
        p.injected = f;
        m_outcome.faults << p;
    }
    m_outcome.startedMs = now();
    m_healthySinceMs = 0;
    m_busy = false;
    m_resetting = false;
    QStringList names;
    for (const DrillFault& f : std::as_const(resolved))
        names << f.describe();
    Q_EMIT progress(QStringLiteral("drill %1: demo fleet in %2; waiting for a healthy baseline")
                        .arg(names.join(QStringLiteral(" + ")), m_fleet->runtimeDirectory()));
    enter(Phase::Baseline);
    m_timer.start();
    return true;
}

void DrillRunner::enter(Phase phase)
{
    m_phase = phase;
    m_phaseSinceMs = now();
    m_item = 0;
    m_stage = 0;
    m_itemSinceMs = m_phaseSinceMs;
    if (phase != Phase::Idle && phase != Phase::Done)
        m_outcome.phaseStartedMs.insert(phaseName(phase), m_phaseSinceMs);
    Q_EMIT phaseChanged(phase);
}

void DrillRunner::abort(const QString& reason)
{
    if (!isRunning())
        return;
    if (m_controller)
        for (const DrillOutcome::PerFault& f : std::as_const(m_outcome.faults))
            if (f.handled && m_controller->isRunning(f.handled->faultId))
                m_controller->abort(f.handled->faultId, reason);
    fail(reason);
}

void DrillRunner::fail(const QString& why)
{
    if (m_outcome.failure.isEmpty())
        m_outcome.failure = why;
    Q_EMIT progress(why);
    // Whatever was injected is ended, so the fleet is left as it was found.
    resetLeftovers();
}

bool DrillRunner::fleetHealthy() const
{
    const Detector* d = m_monitor->detector();
    const auto st = d->statuses();
    return !st.isEmpty()
        && std::all_of(st.cbegin(), st.cend(), [](const TargetStatus& s) { return s.state == TargetState::Up; })
        && d->openFaults().isEmpty();
}

void DrillRunner::refreshThen(std::function<void()> then)
{
    m_busy = true;
    const quint64 generation = m_generation;
    QPointer<DrillRunner> self(this);
    m_controller->refresh([self, generation, then] {
        if (!self || self->m_generation != generation)
            return;
        self->m_busy = false;
        then();
    });
}

void DrillRunner::tick()
{
    if (m_busy || !isRunning())
        return;
    if (!m_monitor || !m_controller || !m_fleet) {
        fail(QStringLiteral("the drill lost its monitor, controller or fleet"));
        return;
    }
    const qint64 t = now();
    const qint64 timeout = m_settings.phaseTimeout.count();
    switch (m_phase) {
    case Phase::Idle:
    case Phase::Done:
        return;
    case Phase::Baseline: {
        if (fleetHealthy()) {
            if (m_healthySinceMs == 0)
                m_healthySinceMs = t;
        } else {
            m_healthySinceMs = 0;
        }
        qint64 warmup = m_settings.warmup.count();
        if (warmup < 0) {
            warmup = 3000;
            for (const DrillScenario& s : std::as_const(m_scenarios))
                if (s.name == u"attack")
                    warmup = 12000;
        }
        if (m_healthySinceMs > 0 && t - m_healthySinceMs >= warmup) {
            // The baseline Handle freezes is read now, before anything breaks.
            refreshThen([this] {
                enter(Phase::Injecting);
                m_outcome.injectedMs = now();
                injectNext(0);
            });
        } else if (t - m_phaseSinceMs > timeout) {
            // Say what kept it from being healthy: a campaign's miss must be explainable from its report.
            QStringList why;
            for (const TargetStatus& st : m_monitor->detector()->statuses())
                if (st.state != TargetState::Up)
                    why << QStringLiteral("%1 %2 (%3)")
                               .arg(st.name, targetStateName(st.state),
                                   st.evidence.isEmpty() ? st.lastReason : st.evidence);
            for (const Fault& f : m_monitor->detector()->openFaults())
                why << QStringLiteral("open fault %1 on %2 (%3): %4")
                           .arg(f.id, f.target, causeClassName(f.cause), f.evidence);
            fail(QStringLiteral("the demo fleet did not become healthy within %1 s%2")
                     .arg(timeout / 1000)
                     .arg(why.isEmpty() ? QString() : u" — " + why.join(QStringLiteral("; "))));
        }
        return;
    }
    case Phase::Injecting:
        return; // asynchronous: injectNext() and readTruth() move on
    case Phase::Detecting: {
        bool all = true;
        for (qsizetype i = 0; i < m_outcome.faults.size(); ++i) {
            DrillOutcome::PerFault& f = m_outcome.faults[i];
            if (f.handled)
                continue;
            if (const auto c = candidate(i)) {
                f.handled = c;
                Q_EMIT progress(
                    QStringLiteral("located %1 on %2 (%3)").arg(causeClassName(c->cause), c->target, c->evidence));
            } else {
                all = false;
            }
        }
        if (all) {
            enter(Phase::Handling);
        } else if (t - m_phaseSinceMs > timeout) {
            for (const DrillOutcome::PerFault& f : std::as_const(m_outcome.faults))
                if (!f.handled)
                    Q_EMIT progress(QStringLiteral("no root cause of %1 was located within %2 s")
                                        .arg(f.truth.describe())
                                        .arg(timeout / 1000));
            enter(Phase::Handling);
        }
        return;
    }
    case Phase::Handling:
        stepHandling(SafetyRequest::Purpose::Handle);
        return;
    case Phase::EndingCause:
        return; // asynchronous: endCauses() moves on
    case Phase::Recovering:
        stepHandling(SafetyRequest::Purpose::Recover);
        return;
    case Phase::Verifying:
        stepVerifying();
        return;
    }
}

void DrillRunner::injectNext(qsizetype index)
{
    if (index >= m_outcome.faults.size()) {
        readTruth();
        return;
    }
    const DrillFault f = m_outcome.faults.at(index).injected;
    const QString kind = m_scenarios.at(index).fleetsimKind;
    m_busy = true;
    const quint64 generation = m_generation;
    m_fleet->controlAsync(DemoFleetProcess::injectArguments(kind, f.target, f.dependency), this,
        [this, generation, index, f](int code, const QByteArray& out) {
            if (generation != m_generation)
                return;
            m_busy = false;
            if (code != 0) {
                fail(QStringLiteral("inject %1: %2").arg(f.describe(), QString::fromUtf8(out).trimmed()));
                return;
            }
            injectNext(index + 1);
        });
}

void DrillRunner::readTruth()
{
    m_busy = true;
    const quint64 generation = m_generation;
    m_fleet->controlAsync({ QStringLiteral("truth") }, this, [this, generation](int code, const QByteArray& out) {
        if (generation != m_generation)
            return;
        m_busy = false;
        const QJsonObject truth = QJsonDocument::fromJson(out).object();
        if (code != 0 || truth.isEmpty()) {
            fail(QStringLiteral("ctl truth: %1").arg(QString::fromUtf8(out).trimmed()));
            return;
        }
        const QList<GroundTruthFault> all = GroundTruthFault::listFromTruth(truth);
        for (qsizetype i = 0; i < m_outcome.faults.size(); ++i) {
            DrillOutcome::PerFault& f = m_outcome.faults[i];
            const QString kind = m_scenarios.at(i).fleetsimKind;
            // The newest fault of that kind where it was injected (fleetsim's default when none was named).
            for (const GroundTruthFault& g : all)
                if (g.kind == kind && (f.injected.target.isEmpty() || g.target == f.injected.target))
                    f.truth = g;
            if (f.injected.target.isEmpty())
                f.injected.target = f.truth.target;
            if (f.injected.dependency.isEmpty())
                f.injected.dependency = f.truth.dependency;
            Q_EMIT progress(QStringLiteral("injected %1 (ground truth: root cause %2, cause %3)")
                                .arg(f.injected.describe(), f.truth.rootCause, f.truth.cause));
        }
        enter(Phase::Detecting);
    });
}

std::optional<JournalEntry> DrillRunner::candidate(qsizetype index) const
{
    const GroundTruthFault& truth = m_outcome.faults.at(index).truth;
    const CauseClass wanted = m_scenarios.at(index).cause;
    const FleetConfig& config = m_monitor->config();
    std::optional<JournalEntry> other;
    for (const JournalEntry& e : m_journal->detectedBetween(m_outcome.injectedMs)) {
        if (!e.namedRoot || !e.open || !truth.isRoot(e.target, config))
            continue;
        // Already taken for another injected fault (two at once on one pool).
        bool taken = false;
        for (const DrillOutcome::PerFault& f : m_outcome.faults)
            taken = taken || (f.handled && f.handled->faultId == e.faultId);
        const auto fault = m_monitor->detector()->fault(e.faultId);
        if (taken || !fault || !fault->actionable())
            continue;
        if (e.cause == wanted)
            return e;
        if (!other && now() - e.locatedMs >= OtherCauseGraceMs)
            other = e;
    }
    return other;
}

void DrillRunner::nextItem()
{
    ++m_item;
    m_stage = 0;
    m_itemSinceMs = now();
}

void DrillRunner::stepHandling(SafetyRequest::Purpose purpose)
{
    const bool handle = purpose == SafetyRequest::Purpose::Handle;
    const QString name = handle ? QStringLiteral("Handle") : QStringLiteral("Recover");
    if (m_item >= m_outcome.faults.size()) {
        if (handle) {
            enter(Phase::EndingCause);
            endCauses(0);
        } else {
            enter(Phase::Verifying);
        }
        return;
    }
    DrillOutcome::PerFault& f = m_outcome.faults[m_item];
    const bool eligible
        = f.handled && (handle || (f.handle && f.handle->outcome.result == RunbookOutcome::Result::Succeeded));
    if (!eligible) {
        nextItem();
        return;
    }
    const QString id = f.handled->faultId;
    const qint64 t = now();
    const qint64 timeout = m_settings.phaseTimeout.count();
    auto record = [&] {
        const auto run = m_controller->lastRun(id, purpose);
        if (run) {
            for (const QJsonValue& a : DrillOutcome::actionsOf(name.toLower(), run->outcome))
                m_outcome.actions.append(a);
            Q_EMIT progress(QStringLiteral("%1: %2%3")
                                .arg(name, RunbookOutcome::resultName(run->outcome.result),
                                    run->outcome.message.isEmpty() ? QString() : u" — " + run->outcome.message));
            (handle ? f.handle : f.recover) = run;
        }
        nextItem();
    };

    if (m_settings.mode == Mode::Observe) {
        // The operator presses the button; the runner follows the run it started.
        const auto run = m_controller->lastRun(id, purpose);
        if (run && !run->running && run->startedMs >= m_outcome.injectedMs)
            record();
        return;
    }
    switch (m_stage) {
    case 0: {
        // Recover waits for its gates (the load subsiding after the sale) for a while, then asks anyway.
        if (!handle && !m_controller->canRecover(id).allowed && t - m_itemSinceMs < RecoverGateWaitMs)
            return;
        Q_EMIT progress(m_controller->preview(id, purpose).toText().trimmed());
        if (m_settings.mode == Mode::Confirm && m_settings.confirm
            && !m_settings.confirm(QStringLiteral("Run %1 for %2?").arg(name, id))) {
            Q_EMIT progress(QStringLiteral("%1 not run: declined").arg(name));
            m_outcome.actions.append(QJsonObject { { QStringLiteral("phase"), name.toLower() },
                { QStringLiteral("status"), QStringLiteral("declined") } });
            nextItem();
            return;
        }
        // The gates re-read HAProxy and the databases first, so they judge the state of now.
        m_stage = 1;
        refreshThen([] {});
        return;
    }
    case 1: {
        QString why;
        const bool started = handle ? m_controller->handle(id, m_settings.operatorName, &why)
                                    : m_controller->recover(id, m_settings.operatorName, &why);
        if (!started) {
            Q_EMIT progress(QStringLiteral("%1 refused: %2").arg(name, why));
            m_outcome.actions.append(QJsonObject { { QStringLiteral("phase"), name.toLower() },
                { QStringLiteral("status"), QStringLiteral("refused") }, { QStringLiteral("reason"), why } });
            nextItem();
            return;
        }
        m_stage = 2;
        m_itemSinceMs = t;
        return;
    }
    default:
        if (m_controller->isRunning(id)) {
            if (t - m_itemSinceMs > 3 * timeout && m_stage == 2) {
                m_controller->abort(id, QStringLiteral("drill timeout"));
                m_stage = 3;
            }
            return;
        }
        record();
        return;
    }
}

void DrillRunner::endCauses(qsizetype index)
{
    // The world ends what Handle contained: the sale ends, the attacker leaves, the link heals. A crash ended with
    // Handle's restart and a corruption ends with Recover's restore.
    while (index < m_outcome.faults.size() && !m_scenarios.at(index).worldEndsCause)
        ++index;
    if (index >= m_outcome.faults.size()) {
        enter(Phase::Recovering);
        return;
    }
    const DrillOutcome::PerFault& f = m_outcome.faults.at(index);
    const QStringList args = f.truth.kind == u"partition"
        ? QStringList { QStringLiteral("heal"), f.truth.target }
        : QStringList { QStringLiteral("clear"),
              f.truth.kind.isEmpty() ? m_scenarios.at(index).fleetsimKind : f.truth.kind };
    const QString what = m_scenarios.at(index).name;
    m_busy = true;
    const quint64 generation = m_generation;
    m_fleet->controlAsync(args, this, [this, generation, index, what](int code, const QByteArray& out) {
        if (generation != m_generation)
            return;
        m_busy = false;
        if (code != 0)
            Q_EMIT progress(QStringLiteral("ending the %1: %2").arg(what, QString::fromUtf8(out).trimmed()));
        else
            Q_EMIT progress(what == u"overload" ? QStringLiteral("the sale ended")
                    : what == u"attack"         ? QStringLiteral("the attack ended")
                                                : QStringLiteral("the link healed"));
        endCauses(index + 1);
    });
}

void DrillRunner::stepVerifying()
{
    if (m_item >= m_outcome.faults.size()) {
        resetLeftovers();
        return;
    }
    DrillOutcome::PerFault& f = m_outcome.faults[m_item];
    if (!f.handled || !f.recover) {
        nextItem();
        return;
    }
    const QString id = f.handled->faultId;
    const qint64 t = now();
    switch (m_stage) {
    case 0: {
        // Recovered is the detector's call: the target passes its checks again, and so does every other fault of
        // its incident (a pool overload's members, a crash's symptoms) — the incident is over, not just its root.
        const Detector* detector = m_monitor->detector();
        const auto fault = detector->fault(id);
        QStringList stillOpen;
        if (fault && fault->phase != Fault::Phase::Recovered)
            stillOpen << fault->target;
        if (fault && !fault->incidentId.isEmpty())
            for (const Fault& other : detector->openFaults())
                if (other.incidentId == fault->incidentId && other.id != id && !stillOpen.contains(other.target))
                    stillOpen << other.target;
        if (!stillOpen.isEmpty() && t - m_itemSinceMs <= m_settings.phaseTimeout.count())
            return;
        f.recovered = f.recover->verified && stillOpen.isEmpty();
        f.stillFailing = stillOpen;
        m_stage = 1;
        refreshThen([this] { m_stage = 2; });
        return;
    }
    case 2: {
        const auto b = m_controller->baseline(id);
        const QStringList diff
            = b ? b->differences(m_controller->current()) : QStringList { QStringLiteral("no baseline") };
        f.baselineRestored = diff.isEmpty();
        f.baselineDifferences = diff;
        if (b)
            f.baseline = b->toJson();
        nextItem();
        return;
    }
    default:
        return;
    }
}

void DrillRunner::resetLeftovers()
{
    if (m_resetting)
        return;
    m_resetting = true;
    if (!m_fleet) {
        finish();
        return;
    }
    // Injected faults the drill did not end (a miss, an abort) are cleared so the fleet is left as it was found;
    // only those still active (a crash Handle restarted must not be restarted again).
    m_busy = true;
    const quint64 generation = m_generation;
    m_fleet->controlAsync({ QStringLiteral("truth") }, this, [this, generation](int code, const QByteArray& out) {
        if (generation != m_generation)
            return;
        QStringList targets;
        if (code == 0)
            for (const GroundTruthFault& g : GroundTruthFault::listFromTruth(QJsonDocument::fromJson(out).object()))
                for (const DrillOutcome::PerFault& f : std::as_const(m_outcome.faults))
                    if (g.kind == f.truth.kind && g.target == f.truth.target && !targets.contains(g.target))
                        targets << g.target;
        clearTargets(targets);
    });
}

void DrillRunner::clearTargets(QStringList targets)
{
    if (targets.isEmpty() || !m_fleet) {
        finish();
        return;
    }
    const QString target = targets.takeFirst();
    Q_EMIT progress(QStringLiteral("clearing what is left of the drill on %1").arg(target));
    const quint64 generation = m_generation;
    m_fleet->controlAsync(
        { QStringLiteral("clear"), target }, this, [this, generation, targets](int, const QByteArray&) {
            if (generation == m_generation)
                clearTargets(targets);
        });
}

void DrillRunner::finish()
{
    if (m_phase == Phase::Done)
        return;
    m_timer.stop();
    m_busy = false;
    m_outcome.endedMs = now();
    score();
    enter(Phase::Done);
    ++m_generation;
    Q_EMIT finished(m_outcome);
}

void DrillRunner::score()
{
    const FleetConfig& config = m_monitor->config();
    const qint64 from = m_outcome.injectedMs > 0 ? m_outcome.injectedMs : m_outcome.startedMs;
    m_outcome.incidents = m_journal->incidentsOpened(from);
    m_outcome.rootCauses.clear();
    m_outcome.falseRoots.clear();
    const QList<JournalEntry> since = m_journal->detectedBetween(from);
    for (const JournalEntry& e : since) {
        if (!e.namedRoot)
            continue;
        m_outcome.rootCauses << e;
        bool explained = false;
        for (const DrillOutcome::PerFault& f : std::as_const(m_outcome.faults))
            explained = explained || f.truth.isRoot(e.target, config);
        if (!explained)
            m_outcome.falseRoots << e;
    }
    for (DrillOutcome::PerFault& f : m_outcome.faults) {
        // Its incident: the one of the first fault that shows it (its root, a target it hits, or a dependent).
        for (const JournalEntry& e : since)
            if (f.truth.touches(e.target, config)) {
                f.incidentId = e.incidentId;
                break;
            }
        if (f.incidentId.isEmpty() && f.handled)
            f.incidentId = f.handled->incidentId;
        if (f.incidentId.isEmpty())
            continue;
        for (const JournalEntry& e : since)
            if (e.incidentId == f.incidentId && (f.detectedMs == 0 || e.detectedMs < f.detectedMs))
                f.detectedMs = e.detectedMs;
        const QList<JournalEntry> roots = m_journal->rootsOf(f.incidentId);
        f.named = roots.isEmpty() ? f.handled : std::optional<JournalEntry>(roots.constFirst());
        f.rightRoot = f.named && f.truth.isRoot(f.named->target, config);
        f.rightCause = f.named && causeClassName(f.named->cause) == f.truth.cause;
    }
    // Two faults at once that are one event (GroundTruthFault::oneEventWith: the same pool-wide cause on one pool)
    // may be one incident rooted at either of them; two unrelated faults are scored each on its own incident, so
    // one merged into the other's incident is a miss.
    for (DrillOutcome::PerFault& f : m_outcome.faults) {
        if (f.rightRoot || !f.named)
            continue;
        for (const DrillOutcome::PerFault& g : std::as_const(m_outcome.faults))
            if (&g != &f && g.incidentId == f.incidentId && f.truth.oneEventWith(g.truth, config)
                && g.truth.isRoot(f.named->target, config))
                f.rightRoot = true;
    }
}

} // namespace FaultDesk
