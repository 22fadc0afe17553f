#include "incident/incidentrecorder.h"

#include "config/fleetconfig.h"
#include "detect/configmapping.h"
#include "detect/detector.h"
#include "incident/incidentseriesreader.h"
#include "incident/incidentstore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QTimeZone>
#include <QTimer>

#include <utility>

namespace FaultDesk {

namespace {
QDateTime utc(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC) : QDateTime();
}

std::optional<IncidentState> stateFor(Fault::Phase phase)
{
    switch (phase) {
    case Fault::Phase::Handling:
        return IncidentState::Handling;
    case Fault::Phase::Handled:
        return IncidentState::Handled;
    case Fault::Phase::Recovering:
        return IncidentState::Recovering;
    case Fault::Phase::Recovered:
        return IncidentState::Recovered;
    case Fault::Phase::Detected:
    case Fault::Phase::Located:
        break;
    }
    return std::nullopt;
}
} // namespace

QJsonObject IncidentRecorder::levelsOf(const QStringList& targets) const
{
    // The rules in force when the evidence was written (adaptive levels move), so a report's chart can draw them.
    QJsonObject out;
    if (!m_detector)
        return out;
    for (const QString& target : targets) {
        const std::optional<TargetStatus> status = m_detector->status(target);
        if (!status)
            continue;
        QJsonObject bySignal;
        for (const EffectiveThreshold& t : status->thresholds)
            bySignal.insert(t.signal,
                QJsonObject { { QStringLiteral("direction"),
                                  t.direction == ThresholdRule::Direction::Above ? QStringLiteral("above")
                                                                                 : QStringLiteral("below") },
                    { QStringLiteral("threshold"), t.enter }, { QStringLiteral("clear"), t.clear } });
        if (!bySignal.isEmpty())
            out.insert(target, bySignal);
    }
    return out;
}

IncidentRecorder::IncidentRecorder(IncidentStore* store, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
    , m_snapshotTimer(new QTimer(this))
{
    connect(m_snapshotTimer, &QTimer::timeout, this, [this] {
        const qint64 t = now();
        for (const Tracked& tr : std::as_const(m_tracked))
            if (!tr.recovered)
                saveSeries(tr, t);
    });
    setSettings(m_settings);
}

IncidentRecorder::~IncidentRecorder()
{
    saveAllSeries();
    waitForWrites(10000);
}

void IncidentRecorder::setSettings(const Settings& settings)
{
    m_settings = settings;
    if (m_settings.snapshotIntervalMs > 0)
        m_snapshotTimer->start(m_settings.snapshotIntervalMs);
    else
        m_snapshotTimer->stop();
}

void IncidentRecorder::attach(Detector* detector, const SeriesStore* series, const FleetConfig& config)
{
    setFleet(config);
    QHash<QString, QStringList> signalNames;
    for (const TargetConfig& t : config.targets)
        for (const SignalConfig& s : t.signalConfigs)
            signalNames[t.name] << s.name;
    attach(detector, series, signalNames);
}

void IncidentRecorder::attach(
    Detector* detector, const SeriesStore* series, const QHash<QString, QStringList>& signalsByTarget)
{
    if (m_detector) {
        disconnect(m_detector, nullptr, this, nullptr);
        saveAllSeries(); // the new detector's incident ids start over
        m_tracked.clear();
        m_orphanSymptoms.clear();
    }
    m_detector = detector;
    m_series = series;
    m_signals = signalsByTarget;
    if (detector) {
        connect(detector, &Detector::faultChanged, this, &IncidentRecorder::onFaultChanged);
        // A reload starts the detector afresh and its incident ids over ("I1" again): close the books first.
        connect(detector, &Detector::targetsReset, this, [this] {
            saveAllSeries();
            m_tracked.clear();
            m_orphanSymptoms.clear();
        });
    }
}

void IncidentRecorder::setFleet(const FleetConfig& config)
{
    m_timing.clear();
    for (const TargetConfig& t : config.targets) {
        const TargetPolicy p = ConfigMapping::targetPolicy(t, config.defaults);
        m_timing.insert(t.name, { p.attempts, p.retryIntervalMs });
    }
}

QString IncidentRecorder::storeId(const QString& detectorIncidentId) const
{
    const auto it = m_tracked.constFind(detectorIncidentId);
    return it == m_tracked.cend() ? QString() : it->storeId;
}

qint64 IncidentRecorder::now() const
{
    return m_clock();
}

qint64 IncidentRecorder::firstFailureEstimate(const QString& target, qint64 detectedMs) const
{
    const auto timing = m_timing.value(target, { 2, 500 });
    return detectedMs - qint64(std::max(0, timing.first - 1)) * timing.second;
}

IncidentRecorder::Tracked* IncidentRecorder::find(const QString& anyId)
{
    auto it = m_tracked.find(anyId);
    if (it != m_tracked.end())
        return &*it;
    for (Tracked& t : m_tracked)
        if (t.storeId == anyId)
            return &t;
    return nullptr;
}

void IncidentRecorder::onFaultChanged(const Fault& fault)
{
    if (fault.incidentId.isEmpty() || fault.phase == Fault::Phase::Detected)
        return; // not located yet: no incident to attach it to
    Tracked* t = find(fault.incidentId);
    if (fault.aftershock && t) {
        // Part of an incident that had recovered: a line in its timeline, never an incident of its own.
        addAftershock(*t, fault);
        if (fault.rootCause && !t->rootFaults.contains(fault.id)) {
            t->rootFaults.insert(fault.id);
            if (fault.isOpen())
                t->openRoots.insert(fault.id);
        } else if (fault.rootCause && !fault.isOpen()) {
            t->openRoots.remove(fault.id);
        }
        return;
    }
    if (t && t->recovered && !t->rootFaults.contains(fault.id)) {
        // The detector reused the id of an incident that is over: this is a new one.
        m_tracked.remove(fault.incidentId);
        t = nullptr;
    }
    if (fault.rootCause) {
        if (!t) {
            if (fault.phase == Fault::Phase::Recovered)
                return; // cleared before we ever saw it located
            createIncident(fault);
            return;
        }
        if (!t->rootFaults.contains(fault.id)) {
            // Another root of the same incident: a member taking it over from a root that recovered.
            t->rootFaults.insert(fault.id);
            t->openRoots.insert(fault.id);
            addSymptom(*t, fault);
        }
        followEvidence(*t, fault);
        advance(*t, fault);
        return;
    }
    if (!t) {
        m_orphanSymptoms[fault.incidentId].append(fault);
        return;
    }
    addSymptom(*t, fault);
}

void IncidentRecorder::createIncident(const Fault& root)
{
    // Recovered incidents are followed for a while (late audit records, the after-recovery series); not forever.
    const qint64 forgetBefore = now() - std::max<qint64>(3600 * 1000, 2 * m_settings.windowAfterMs);
    m_tracked.removeIf([forgetBefore](const std::pair<const QString&, Tracked&>& e) {
        return e.second.recovered && e.second.recoveredMs < forgetBefore;
    });

    Tracked t;
    t.storeId = IncidentStore::newId();
    t.detectorId = root.incidentId;
    t.rootFaultId = root.id;
    t.rootFaults.insert(root.id);
    t.openRoots.insert(root.id);
    t.targets << root.target;
    t.detectedMs = root.detectedMs;

    Incident inc;
    inc.id = t.storeId;
    inc.rootTarget = root.target;
    inc.causeClass = causeClassName(root.cause);
    inc.title = QStringLiteral("%1: %2").arg(root.target, inc.causeClass);
    inc.drill = m_drill;
    inc.detectedUtc = utc(root.detectedMs);
    inc.firstFailureUtc = utc(firstFailureEstimate(root.target, root.detectedMs));

    Evidence e;
    e.timeUtc = inc.detectedUtc;
    e.target = root.target;
    e.rule = root.evidence.isEmpty() ? QStringLiteral("confirmed failing") : root.evidence;
    QJsonObject detail;
    detail.insert(QStringLiteral("fault"), root.id);
    detail.insert(QStringLiteral("localization"), root.localization);
    detail.insert(QStringLiteral("target_state"), targetStateName(root.targetState));
    detail.insert(
        QStringLiteral("first_failure_estimate"), QStringLiteral("detection time - (attempts - 1) x retry interval"));
    if (!root.sources.isEmpty())
        detail.insert(QStringLiteral("sources"), QJsonArray::fromStringList(root.sources));
    if (!root.breachedSignals.isEmpty())
        detail.insert(QStringLiteral("breached_signals"), QJsonArray::fromStringList(root.breachedSignals));
    if (!root.pool.isEmpty())
        detail.insert(QStringLiteral("pool"), root.pool);
    if (const QJsonObject levels = levelsOf(QStringList { root.target } + root.members + root.symptoms);
        !levels.isEmpty())
        detail.insert(QStringLiteral("thresholds"), levels);
    if (m_detector) {
        if (const auto status = m_detector->status(root.target)) {
            QJsonObject values;
            for (auto it = status->values.cbegin(); it != status->values.cend(); ++it)
                values.insert(it.key(), it.value());
            if (!values.isEmpty())
                detail.insert(QStringLiteral("values"), values);
            if (!status->lastReason.isEmpty())
                detail.insert(QStringLiteral("last_probe"), status->lastReason);
            detail.insert(QStringLiteral("consecutive_failures"), status->consecutiveFailures);
        }
    }
    e.detail = detail;
    inc.evidence << e;

    t.lastEvidence = root.evidence;
    const QString detectorId = root.incidentId;
    m_tracked.insert(detectorId, t);
    m_recordedIds << t.storeId;
    watch(m_store->createIncident(inc), detectorId, true);
    Tracked& tracked = m_tracked[detectorId];
    transition(
        tracked, IncidentState::Located, root.locatedMs > 0 ? root.locatedMs : root.detectedMs, root.localization);
    for (const Fault& s : m_orphanSymptoms.take(detectorId))
        addSymptom(tracked, s);
    for (const QString& target : root.symptoms)
        if (!tracked.targets.contains(target))
            tracked.targets << target;
    advance(tracked, root);
}

void IncidentRecorder::addSymptom(Tracked& t, const Fault& f)
{
    if (t.symptomTargets.contains(f.target) || f.target == t.targets.value(0))
        return;
    t.symptomTargets.insert(f.target);
    if (!t.targets.contains(f.target))
        t.targets << f.target;
    Symptom s;
    s.timeUtc = utc(f.locatedMs > 0 ? f.locatedMs : f.detectedMs);
    s.target = f.target;
    s.causeClass = causeClassName(f.cause);
    if (f.rootCause)
        s.detail = QStringLiteral("another root cause in the same incident: %1").arg(f.evidence);
    else if (f.isMember())
        s.detail = QStringLiteral("affected member: %1 (%2)").arg(f.localization, f.evidence);
    else
        s.detail = f.localization.isEmpty() ? f.evidence : f.localization;
    watch(m_store->addSymptom(t.storeId, s), t.detectorId, false);
}

void IncidentRecorder::followEvidence(Tracked& t, const Fault& root)
{
    // A pool-level root's sentence grows as members join (where demand rose, who else is hot): keep each version.
    if (!root.isOpen() || root.evidence.isEmpty() || root.evidence == t.lastEvidence)
        return;
    t.lastEvidence = root.evidence;
    Evidence e;
    e.timeUtc = utc(now());
    e.target = root.target;
    e.rule = root.evidence;
    QJsonObject detail;
    detail.insert(QStringLiteral("fault"), root.id);
    detail.insert(QStringLiteral("localization"), root.localization);
    if (!root.pool.isEmpty())
        detail.insert(QStringLiteral("pool"), root.pool);
    if (!root.members.isEmpty())
        detail.insert(QStringLiteral("members"), QJsonArray::fromStringList(root.members));
    if (!root.symptoms.isEmpty())
        detail.insert(QStringLiteral("symptoms"), QJsonArray::fromStringList(root.symptoms));
    if (!root.breachedSignals.isEmpty())
        detail.insert(QStringLiteral("breached_signals"), QJsonArray::fromStringList(root.breachedSignals));
    if (const QJsonObject levels = levelsOf(t.targets); !levels.isEmpty())
        detail.insert(QStringLiteral("thresholds"), levels);
    e.detail = detail;
    watch(m_store->addEvidence(t.storeId, e), t.detectorId, false);
}

void IncidentRecorder::addAftershock(Tracked& t, const Fault& f)
{
    if (t.aftershocks.contains(f.id))
        return;
    t.aftershocks.insert(f.id);
    if (!t.targets.contains(f.target))
        t.targets << f.target;
    Symptom s;
    s.timeUtc = utc(f.locatedMs > 0 ? f.locatedMs : f.detectedMs);
    s.target = f.target;
    s.causeClass = causeClassName(f.cause);
    s.detail = QStringLiteral("aftershock: %1 (%2)").arg(f.localization, f.evidence);
    watch(m_store->addSymptom(t.storeId, s), t.detectorId, false);
}

void IncidentRecorder::advance(Tracked& t, const Fault& root)
{
    if (root.phase == Fault::Phase::Recovered) {
        t.openRoots.remove(root.id);
        if (!t.openRoots.isEmpty() || t.recovered)
            return;
        const qint64 clearedMs = root.clearedMs > 0 ? root.clearedMs : now();
        if (heldBack(t)) {
            // Passing its checks is not the pre-fault state back while a Handle still acts, Recover still verifies
            // the baseline or a Handle's change waits for Recover: the run's end decides (setHandleRun,
            // setRecoveryRun).
            t.passingSinceMs = clearedMs;
            return;
        }
        markRecovered(t, clearedMs, QStringLiteral("the target passes its checks again"));
        return;
    }
    if (root.id != t.rootFaultId || t.recovered)
        return;
    raisePhase(t, root.phase);
}

void IncidentRecorder::raisePhase(Tracked& t, Fault::Phase phase)
{
    const auto state = stateFor(phase);
    if (!state || int(phase) <= int(t.phase))
        return; // phases never go back
    t.phase = phase;
    transition(t, *state, now(), QString());
}

void IncidentRecorder::markRecovered(Tracked& t, qint64 timeMs, const QString& note)
{
    t.recovered = true;
    t.recoveredMs = timeMs;
    transition(t, IncidentState::Recovered, t.recoveredMs, note);
    saveSeries(t, now());
    // Save again once the after-recovery part of the window has passed, so the chart shows the return.
    const QString id = t.detectorId;
    QTimer::singleShot(std::max<qint64>(0, m_settings.windowAfterMs), this, [this, id] {
        if (const Tracked* tr = find(id))
            saveSeries(*tr, tr->recoveredMs + m_settings.windowAfterMs);
    });
}

bool IncidentRecorder::heldBack(const Tracked& t)
{
    return !t.handling.isEmpty() || !t.recovering.isEmpty() || !t.awaitingRecover.isEmpty();
}

void IncidentRecorder::setHandleRun(
    const QString& incidentId, const QString& faultId, bool running, bool leftChange, const QString& failure)
{
    Tracked* t = find(incidentId);
    if (!t || t->recovered)
        return;
    const QString fault = faultId.isEmpty() ? t->rootFaultId : faultId;
    if (running) {
        t->handling.insert(fault);
        return;
    }
    t->handling.remove(fault);
    if (leftChange)
        t->awaitingRecover.insert(fault);
    if (!failure.isEmpty()) {
        // Its fault stays where the controller left it; the record says why no Handle stands.
        escalate(*t,
            leftChange ? QStringLiteral("Handle: %1 — recovered only once a Recover verifies the baseline").arg(failure)
                       : QStringLiteral("Handle: %1").arg(failure));
    } else if (leftChange) {
        // Its fault may pass already and no longer take phases: the record says handled itself.
        raisePhase(*t, Fault::Phase::Handled);
    }
    if (heldBack(*t) || !t->openRoots.isEmpty() || t->passingSinceMs <= 0)
        return;
    // A Handle that changed nothing leaves the pass it held back to stand: recovered then. One that failed was
    // still undoing its steps until now: the pre-fault state is back only at its end.
    if (failure.isEmpty())
        markRecovered(*t, t->passingSinceMs, QStringLiteral("the target passes its checks again"));
    else
        markRecovered(*t, now(),
            QStringLiteral("the target passes its checks again (since %1 UTC) and the failed Handle undid its steps")
                .arg(utc(t->passingSinceMs).toString(QStringLiteral("HH:mm:ss"))));
}

void IncidentRecorder::setRecoveryRun(
    const QString& incidentId, const QString& faultId, bool running, bool verified, const QString& note)
{
    Tracked* t = find(incidentId);
    if (!t || t->recovered)
        return;
    const QString fault = faultId.isEmpty() ? t->rootFaultId : faultId;
    if (running) {
        t->recovering.insert(fault);
        // A root that passes again has left the detector's phases behind: the record says Recover runs itself.
        raisePhase(*t, Fault::Phase::Recovering);
        return;
    }
    t->recovering.remove(fault);
    if (!verified) {
        // The Handle's change (if any) still waits for a Recover that verifies.
        escalate(*t,
            note.isEmpty() ? QStringLiteral("Recover did not verify the baseline: not recovered")
                           : QStringLiteral("Recover did not verify the baseline: %1").arg(note));
        return;
    }
    t->awaitingRecover.remove(fault);
    // Its roots passed while Recover verified, or since a Handle's change waited for it: recovered now that it has.
    if (!heldBack(*t) && t->openRoots.isEmpty() && t->passingSinceMs > 0)
        markRecovered(*t, now(),
            QStringLiteral("Recover verified: the read-back equals the baseline and the target passes its checks "
                           "(again since %1 UTC)")
                .arg(utc(t->passingSinceMs).toString(QStringLiteral("HH:mm:ss"))));
}

void IncidentRecorder::escalate(Tracked& t, const QString& note)
{
    // Once per stretch: an escalated incident stays so until it moves on (a Recover starts, it recovers).
    if (t.lastState != IncidentState::Escalated)
        transition(t, IncidentState::Escalated, now(), note);
}

void IncidentRecorder::transition(Tracked& t, IncidentState state, qint64 timeMs, const QString& note)
{
    t.lastState = state;
    IncidentEvent e;
    e.timeUtc = utc(timeMs);
    e.state = state;
    e.actor = m_settings.actor;
    e.note = note;
    watch(m_store->transition(t.storeId, e), t.detectorId, false);
}

void IncidentRecorder::saveSeries(const Tracked& t, qint64 untilMs)
{
    if (!m_series)
        return;
    const qint64 from = t.detectedMs - m_settings.windowBeforeMs;
    QList<SeriesSnapshot> list;
    for (const QString& target : t.targets) {
        for (const QString& signal : m_signals.value(target)) {
            SeriesSnapshot s;
            s.target = target;
            s.signal = signal;
            for (const auto& [timeMs, value] : IncidentSeriesReader::read(*m_series, target, signal, from, untilMs))
                s.points.append({ timeMs, value });
            if (!s.points.isEmpty())
                list << s;
        }
    }
    if (!list.isEmpty())
        watch(m_store->saveSeries(t.storeId, list), t.detectorId, false);
}

void IncidentRecorder::saveAllSeries()
{
    const qint64 t = now();
    for (const Tracked& tr : std::as_const(m_tracked))
        saveSeries(tr, tr.recovered ? std::min(t, tr.recoveredMs + m_settings.windowAfterMs) : t);
}

void IncidentRecorder::watch(const QFuture<WriteResult>& future, const QString& detectorId, bool announce)
{
    ++m_pending;
    const QString storeId = m_tracked.value(detectorId).storeId;
    QFuture<WriteResult> f = future;
    f.then(this, [this, storeId, detectorId, announce](const WriteResult& r) {
        --m_pending;
        if (!r.ok) {
            Q_EMIT writeFailed(storeId, r.error);
            return;
        }
        if (announce)
            Q_EMIT incidentRecorded(storeId, detectorId);
    });
}

bool IncidentRecorder::waitForWrites(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_pending > 0 && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return m_pending == 0;
}

void IncidentRecorder::setBaseline(const QString& incidentId, const QJsonObject& baseline)
{
    if (Tracked* t = find(incidentId))
        watch(m_store->setBaseline(t->storeId, baseline), t->detectorId, false);
    else
        watch(m_store->setBaseline(incidentId, baseline), QString(), false);
}

void IncidentRecorder::acknowledge(const QString& incidentId, const QString& actor, const QString& note)
{
    const Tracked* t = find(incidentId);
    watch(m_store->acknowledge(t ? t->storeId : incidentId, actor, utc(now()), note), t ? t->detectorId : QString(),
        false);
}

bool IncidentRecorder::append(const AuditRecord& record, QString* error)
{
    AuditRecord r = record;
    if (const Tracked* t = find(r.incidentId))
        r.incidentId = t->storeId;
    return m_store->append(r, error);
}

QList<AuditRecord> IncidentRecorder::records() const
{
    return m_store->records();
}

} // namespace FaultDesk
