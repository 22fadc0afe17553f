#include "remedy/remediationcontroller.h"

#include "remedy/advisorylocks.h"
#include "remedy/baselinepoller.h"
#include "remedy/postgresbaselinereader.h"
#include "remedy/recoveryplanner.h"
#include "remedy/remediationgates.h"
#include "remedy/runbookexecutor.h"
#include "remedy/runbookfactory.h"

#include "audit/auditsink.h"
#include "detect/detector.h"
#include "util/logging.h"

#include <QDateTime>
#include <QTimer>
#include <QUuid>

#include <algorithm>

namespace FaultDesk {

/// A remediation in flight: its executor and the locks it holds.
struct RemediationController::Active
{
    SafetyRequest::Purpose purpose = SafetyRequest::Purpose::Handle;
    std::unique_ptr<RunbookExecutor> executor;
    std::vector<TargetLock> locks;
    QString target;
    QString backend;
};

namespace {

QString purposeName(SafetyRequest::Purpose p)
{
    return p == SafetyRequest::Purpose::Handle ? QStringLiteral("handle") : QStringLiteral("recover");
}

} // namespace

RemediationController::RemediationController(const FleetConfig& config, Detector* detector, AuditSink* audit,
    QString lockDirectory, QString operatorName, QObject* parent)
    : QObject(parent)
    , m_config(config)
    , m_detector(detector)
    , m_audit(audit)
    , m_lockDir(std::move(lockDirectory))
    , m_operator(std::move(operatorName))
    , m_poller(new BaselinePoller(config, this))
    , m_automation(new AutomationPolicy(config, audit, m_operator, this))
    , m_runbooks(std::make_unique<RunbookFactory>(config, detector, m_poller))
    , m_gates(new RemediationGates(config, detector, m_poller, m_automation, m_lockDir, this))
    , m_unfinished(audit)
{
    qRegisterMetaType<StepReport>();
    qRegisterMetaType<RunbookOutcome>();
    m_runbooks->setSettings(m_settings);
    connect(m_detector, &Detector::faultChanged, this, &RemediationController::onFaultChanged);
    connect(m_detector, &Detector::targetUpdated, this, &RemediationController::gatesChanged);
    connect(m_detector, &Detector::targetsUpdated, this, &RemediationController::gatesChanged);
    connect(m_poller, &BaselinePoller::polled, this, &RemediationController::onPolled);
    connect(m_automation, &AutomationPolicy::changed, this, [this] {
        Q_EMIT autoChanged();
        Q_EMIT gatesChanged();
    });
    holdBackUnfinished();
    m_poller->start(m_settings.pollInterval);
    QTimer::singleShot(0, this, [this] { m_poller->poll(); });
}

RemediationController::~RemediationController()
{
    for (const auto& a : std::as_const(m_active))
        if (a->executor)
            a->executor->disconnect(this);
}

void RemediationController::setSettings(const Settings& settings)
{
    m_settings = settings;
    m_runbooks->setSettings(settings);
    m_poller->start(m_settings.pollInterval);
}

void RemediationController::setSharedLocks(AdvisoryLocks* locks)
{
    if (m_shared)
        m_shared->disconnect(this);
    m_shared = locks;
    m_gates->setSharedLocks(locks);
    if (m_shared) {
        // A lock that vanished without a result (its console died mid-run) is an unfinished remediation now.
        connect(m_shared, &AdvisoryLocks::holdersChanged, this, [this] {
            holdBackUnfinished();
            nameElsewhereHolders();
            Q_EMIT gatesChanged();
        });
        connect(m_shared, &AdvisoryLocks::connectionChanged, this, &RemediationController::gatesChanged);
        connect(m_shared, &AdvisoryLocks::connectionChanged, this, [this](bool connected) {
            if (connected)
                m_toldLocksUnavailable.clear();
        });
    }
    holdBackUnfinished();
    Q_EMIT gatesChanged();
}

std::optional<TargetLock::Holder> RemediationController::lockHolder(const QString& target) const
{
    return m_shared ? m_shared->holder(target) : TargetLock::holder(m_lockDir, target);
}

QString RemediationController::actingOn(const QString& faultId) const
{
    const auto f = faultOf(faultId);
    if (!f)
        return {};
    if (const auto h = lockHolder(f->target))
        return h->sentence(f->target);
    return handledElsewhere(faultId);
}

RemediationBaseline RemediationController::current() const
{
    return m_poller->current();
}

void RemediationController::refresh(std::function<void()> done)
{
    m_poller->poll(std::move(done));
}

void RemediationController::onPolled()
{
    // The last healthy state becomes the next fault's baseline: taken only while nothing is wrong and nothing is
    // being changed, so a fault's own effects never end up in its baseline.
    const RemediationBaseline& now = m_poller->current();
    if (m_active.isEmpty() && m_detector->openFaults().isEmpty()) {
        bool dbsOk = true;
        for (const auto& d : now.databases)
            dbsOk = dbsOk && d.integrityOk;
        if (now.haproxyKnown)
            m_lastHealthy.haproxy = now.haproxy, m_lastHealthy.haproxyKnown = true;
        if (dbsOk && !now.databases.isEmpty())
            m_lastHealthy.databases = now.databases;
        m_lastHealthy.capturedUtc = QDateTime::currentDateTimeUtc();
    }
    Q_EMIT gatesChanged();
}

// ---- faults, gates -----------------------------------------------------------------------------------------

std::optional<Fault> RemediationController::faultOf(const QString& faultId) const
{
    return m_detector->fault(faultId);
}

void RemediationController::onFaultChanged(const Fault& fault)
{
    if (!m_baselines.contains(fault.id) && fault.isOpen()) {
        RemediationBaseline b = m_lastHealthy;
        if (!b.haproxyKnown && m_poller->current().haproxyKnown)
            b.haproxy = m_poller->current().haproxy, b.haproxyKnown = true;
        b.capturedUtc = QDateTime::currentDateTimeUtc();
        m_baselines.insert(fault.id, b);
        Q_EMIT baselineCaptured(fault.id);
        capturePostgresBaseline(fault);
    }
    maybeAuto(fault);
    Q_EMIT gatesChanged();
}

void RemediationController::capturePostgresBaseline(const Fault& fault)
{
    const TargetConfig* t = m_config.target(fault.target);
    if (!t)
        return;
    QStringList targets = PostgresBaselineReader::postgresTargetsOf(m_config, t->group);
    if (!targets.contains(t->name))
        targets << t->name;
    const QList<PostgresBaselineReader::Request> requests = PostgresBaselineReader::requestsFor(m_config, targets);
    // Only where the fleet named critical tables: a group that did not opt in gets no extra sessions per fault.
    if (std::none_of(requests.cbegin(), requests.cend(),
            [](const PostgresBaselineReader::Request& r) { return !r.tables.isEmpty(); }))
        return;
    // The damaged server may fail to read its tables; its replica holds the same content and is read alongside.
    const QString id = fault.id;
    PostgresBaselineReader::read(requests, 30000, this, [this, id](const QList<PostgresBaseline>& read) {
        const auto it = m_baselines.find(id);
        if (it == m_baselines.end())
            return;
        for (const PostgresBaseline& b : read)
            it->postgres.insert(b.target, b);
        Q_EMIT baselineCaptured(id);
    });
}

SafetyDecision RemediationController::decide(
    const QString& faultId, SafetyRequest::Purpose purpose, bool automatic, const QString& requester) const
{
    SafetyDecision d;
    const auto f = faultOf(faultId);
    if (!f) {
        d.reasons << QStringLiteral("fault %1 is not known (any more)").arg(faultId);
        return d;
    }
    if (isStopping()) {
        d.reasons << QStringLiteral("remediation is stopping (%1): no new run starts").arg(m_stoppedBy);
        return d;
    }
    if (m_active.contains(faultId)) {
        d.reasons
            << QStringLiteral("a %1 of %2 is running").arg(purposeName(m_active.value(faultId)->purpose), faultId);
        return d;
    }
    if (!f->rootCause) {
        d.reasons << QStringLiteral("%1 is a symptom of %2: act on the root cause instead")
                         .arg(f->target, f->rootTarget.isEmpty() ? QStringLiteral("another fault") : f->rootTarget);
        if (f->targetState == TargetState::Unreachable)
            d.reasons << QStringLiteral("%1 is UNREACHABLE: a parent is down").arg(f->target);
        return d;
    }
    const TargetConfig* t = m_config.target(f->target);
    SafetyRequest r;
    r.target = f->target;
    r.purpose = purpose;
    r.automatic = automatic;
    r.requester = requester;
    const QString backend = t && t->haproxy ? t->haproxy->backend : QString();
    SafetySnapshot s = m_gates->snapshot(f->target, backend);
    if (purpose == SafetyRequest::Purpose::Handle && s.condition == TargetCondition::Healthy && !f->pool.isEmpty()
        && f->isOpen()) {
        // A pool-level root stands for its pool until the last member clears: its own server may pass again a
        // moment before its peers (a flood thins unevenly). The fault to handle is the pool's, still there.
        QStringList failing;
        for (const Fault& o : m_detector->openFaults())
            if (o.rootFaultId == faultId && o.isMember() && o.targetState == TargetState::Hard)
                failing << o.target;
        if (!failing.isEmpty()) {
            s.condition = TargetCondition::HardFault;
            d.warnings << QStringLiteral(
                "%1 passes its checks again, but %2 of pool %3 still fail: Handle acts for the "
                "pool")
                              .arg(f->target, failing.join(QStringLiteral(", ")), f->pool);
        }
    }
    if (purpose == SafetyRequest::Purpose::Handle) {
        if (f->phase == Fault::Phase::Detected)
            d.reasons << QStringLiteral("%1 is not located yet: wait for root cause or symptom").arg(f->target);
        if (!f->isOpen())
            d.reasons << QStringLiteral("%1 recovered on its own: nothing to handle").arg(f->target);
        if (m_handleRuns.contains(faultId)
            && m_handleRuns.value(faultId).outcome.result == RunbookOutcome::Result::Succeeded)
            d.reasons << QStringLiteral("%1 was handled already: Recover next").arg(faultId);
    } else {
        if (!m_baselines.contains(faultId))
            d.reasons
                << QStringLiteral("no baseline was captured for %1: Recover has nothing to return to").arg(faultId);
        if (m_recoverRuns.value(faultId).verified)
            d.reasons << QStringLiteral("%1 is recovered and verified already").arg(faultId);
        else if (QString note; m_baselines.contains(faultId)) {
            if (!somethingToRecover(*f, &note))
                d.reasons << note;
            else if (!note.isEmpty())
                d.warnings << note;
        }
        // Recover acts on a fault that is still there (a corrupted database) as well as on a target that passes
        // again: only an unknown, unreachable or flapping state stops it.
        if (s.condition == TargetCondition::HardFault || s.condition == TargetCondition::SoftFault)
            s.condition = TargetCondition::HardFault;
    }
    const SafetyDecision g = SafetyGates::check(r, s);
    d.reasons += g.reasons;
    d.affects = d.warnings + g.affects;
    d.warnings += g.warnings;
    d.allowed = d.reasons.isEmpty();
    return d;
}

bool RemediationController::somethingToRecover(const Fault& f, QString* note) const
{
    // Recover returns what remediation changed to the baseline. After a Handle (any run of it: one that failed may have
    // left changes behind) or for a remediation an earlier run left unfinished there is something to return.
    if (m_handleRuns.contains(f.id) || m_unfinishedRuns.contains(f.id))
        return true;
    // Without one, only what differs from the baseline now: damaged data (an open data-integrity fault: the restore
    // is the recovery), or a pool, ACL or database read back unlike its baseline (changed by hand, by another tool).
    if (f.isOpen() && f.cause == CauseClass::DataIntegrity) {
        *note = QStringLiteral(
            "%1 was not handled from this console: Recover restores its damaged data from the baseline")
                    .arg(f.target);
        return true;
    }
    const RemediationBaseline b = m_baselines.value(f.id);
    const TargetConfig* t = m_config.target(f.target);
    const RemediationBaseline now = current();
    if (b.haproxyKnown && !now.haproxyKnown) {
        *note = QStringLiteral(
            "nothing was handled on %1 from this console and HAProxy has not been read back: whether anything differs "
            "from the baseline is not known")
                    .arg(f.target);
        return false;
    }
    const QStringList differ = b.differences(now, t && t->haproxy ? t->haproxy->backend : QString());
    if (!differ.isEmpty()) {
        *note = QStringLiteral(
            "%1 was not handled from this console: Recover returns what differs from the baseline (%2)")
                    .arg(f.target, differ.join(QStringLiteral("; ")));
        return true;
    }
    *note = QStringLiteral(
        "nothing was handled on %1 from this console and its state equals the baseline: Recover has nothing to return "
        "to it%2")
                .arg(f.target, f.isOpen() ? QStringLiteral(" (Handle it first)") : QString());
    return false;
}

void RemediationController::auditRefusal(
    const QString& faultId, SafetyRequest::Purpose purpose, const QString& operatorName, const QString& why) const
{
    if (!m_audit)
        return;
    AuditRecord r;
    r.actionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    r.phase = AuditRecord::Phase::Result;
    r.timeUtc = QDateTime::currentDateTimeUtc();
    r.operatorName = operatorName;
    if (const auto f = faultOf(faultId)) {
        r.target = f->target;
        r.incidentId = f->incidentId;
    }
    r.runbook = purposeName(purpose);
    r.actionKind = purposeName(purpose);
    r.description = QStringLiteral("%1 of %2 refused: %3").arg(purposeName(purpose), faultId, why);
    r.status = QStringLiteral("refused");
    r.durationMs = 0;
    QString error;
    if (!m_audit->append(r, &error))
        qCWarning(lcRemedy, "refusal of %s not recorded: %s", qUtf8Printable(faultId), qUtf8Printable(error));
}

SafetyDecision RemediationController::canHandle(const QString& faultId) const
{
    return decide(faultId, SafetyRequest::Purpose::Handle, false, m_operator);
}

SafetyDecision RemediationController::canRecover(const QString& faultId) const
{
    return decide(faultId, SafetyRequest::Purpose::Recover, false, m_operator);
}

RemediationPlan RemediationController::preview(
    const QString& faultId, SafetyRequest::Purpose purpose, bool switchBack) const
{
    RemediationPlan plan;
    plan.faultId = faultId;
    plan.purpose = purpose;
    const auto f = faultOf(faultId);
    if (!f) {
        plan.error = QStringLiteral("fault %1 is not known").arg(faultId);
        return plan;
    }
    plan.target = f->target;
    plan.cause = causeClassName(f->cause);
    plan.decision = decide(faultId, purpose, false, m_operator);
    const RemediationBaseline b = m_baselines.value(faultId);
    QString error;
    const auto rb = m_runbooks->buildRunbook(*f, purpose, b, &plan, &error, switchBack);
    if (!rb) {
        plan.error = error;
        return plan;
    }
    plan.runbook = rb->name;
    m_gates->judgePoolSteps(*rb, f->target, purpose, plan.decision);
    ActionContext c;
    c.audit = m_audit;
    c.operatorName = m_operator;
    c.target = f->target;
    c.incidentId = f->incidentId;
    c.fields = m_runbooks->fieldsFor(*f, m_config.target(f->target));
    plan.steps = RunbookExecutor::preview(*rb, c);
    if (purpose == SafetyRequest::Purpose::Recover) {
        const TargetConfig* t = m_config.target(f->target);
        plan.baselineDifferences = b.differences(current(), t && t->haproxy ? t->haproxy->backend : QString());
    }
    // Several open root causes: the recovery planner's order, so the operator sees where this one stands.
    QList<RecoveryItem> items;
    for (const Fault& o : m_detector->openFaults()) {
        if (!o.rootCause)
            continue;
        RecoveryItem it;
        it.target = o.target;
        it.priority = o.priority;
        if (const TargetConfig* t = m_config.target(o.target))
            it.dependsOn = t->dependencyNames();
        items.append(it);
    }
    plan.order = RecoveryPlanner::orderLines(items);
    return plan;
}

// ---- running -------------------------------------------------------------------------------------------------

bool RemediationController::handle(const QString& faultId, const QString& operatorName, QString* error)
{
    return start(
        faultId, SafetyRequest::Purpose::Handle, operatorName.isEmpty() ? m_operator : operatorName, false, error);
}

bool RemediationController::recover(
    const QString& faultId, const QString& operatorName, QString* error, bool switchBack)
{
    return start(faultId, SafetyRequest::Purpose::Recover, operatorName.isEmpty() ? m_operator : operatorName, false,
        error, switchBack);
}

bool RemediationController::start(const QString& faultId, SafetyRequest::Purpose purpose, const QString& operatorName,
    bool automatic, QString* error, bool switchBack)
{
    // A person's request that is refused is in the audit trail, as a refused step is; automation asks again on every
    // change of the fault and logs instead.
    const auto refuse = [&](const QString& why) {
        if (!automatic)
            auditRefusal(faultId, purpose, operatorName, why);
        if (error)
            *error = why;
        return false;
    };
    const SafetyDecision d = decide(faultId, purpose, automatic, operatorName);
    if (!d.allowed)
        return refuse(d.reasons.join(QStringLiteral("; ")));
    const Fault f = *faultOf(faultId);
    const RemediationBaseline b = m_baselines.value(faultId);
    QString why;
    const auto rb = m_runbooks->buildRunbook(f, purpose, b, nullptr, &why, switchBack && !automatic);
    if (!rb)
        return refuse(why);
    if (const QStringList refused = m_gates->poolStepRefusals(*rb, f.target, purpose, false); !refused.isEmpty())
        return refuse(refused.join(QStringLiteral("; ")));
    // One remediation at a time per target, across instances: the fault's target and every database the runbook
    // changes are locked for the whole run.
    QStringList lockTargets { f.target };
    if (f.cause == CauseClass::DataIntegrity)
        for (auto it = b.databases.cbegin(); it != b.databases.cend(); ++it)
            if (!lockTargets.contains(it.key()))
                lockTargets << it.key();
    const TargetConfig* t = m_config.target(f.target);
    if (!startRun(faultId, *rb, purpose, f.target, f.incidentId, b, operatorName, lockTargets,
            m_runbooks->fieldsFor(f, t), &why, automatic))
        return refuse(why);
    m_detector->setFaultPhase(
        faultId, purpose == SafetyRequest::Purpose::Handle ? Fault::Phase::Handling : Fault::Phase::Recovering);
    if (automatic)
        m_automation->recordAttempt(f.target, m_poller->cycle());
    return true;
}

TargetLock RemediationController::acquireLock(const QString& name, const QString& operatorName, const QString& purpose,
    bool automatic, TargetLock::Holder* holder, QString* error)
{
    if (!m_shared)
        return TargetLock::tryAcquire(m_lockDir, name, operatorName, purpose, holder, error);
    QString why;
    TargetLock lock = m_shared->tryAcquire(name, operatorName, purpose, holder, &why);
    if (lock.isLocked() || why.isEmpty() || automatic) {
        if (error)
            *error = why;
        return lock;
    }
    // A person acts although the team's store cannot be reached: with this host's lock at least, and said so.
    qCWarning(lcRemedy, "%s; %s acts on %s with this host's lock only", qUtf8Printable(why),
        qUtf8Printable(operatorName), qUtf8Printable(name));
    return TargetLock::tryAcquire(m_lockDir, name, operatorName, purpose, holder, error);
}

bool RemediationController::startRun(const QString& runId, const Runbook& runbook, SafetyRequest::Purpose purpose,
    const QString& target, const QString& incidentId, const RemediationBaseline& b, const QString& operatorName,
    const QStringList& lockTargets, const TemplateFields& fields, QString* error, bool automatic)
{
    if (isStopping()) {
        if (error)
            *error = QStringLiteral("remediation is stopping (%1): no new run starts").arg(m_stoppedBy);
        return false;
    }
    auto active = std::make_shared<Active>();
    active->purpose = purpose;
    active->target = target;
    const TargetConfig* t = m_config.target(target);
    active->backend = t && t->haproxy ? t->haproxy->backend : QString();
    ActionContext c;
    for (const QString& name : lockTargets) {
        TargetLock::Holder holder;
        QString lockError;
        TargetLock lock = acquireLock(name, operatorName, runbook.name, automatic, &holder, &lockError);
        if (!lock.isLocked()) {
            if (error)
                *error = lockError.isEmpty() ? QStringLiteral("%1 is being remediated by %2; one remediation at a time")
                                                   .arg(name, holder.toString())
                                             : lockError;
            return false;
        }
        // Commands the run starts inherit a lock file: should this process die, the lock lives as long as they do.
        // (A team's advisory lock goes with the console's session instead.)
        if (lock.descriptor() >= 0)
            c.inheritedDescriptors << lock.descriptor();
        active->locks.push_back(std::move(lock));
    }
    c.audit = m_audit;
    c.operatorName = operatorName;
    c.target = target;
    c.incidentId = incidentId;
    c.baseline = b.toJson();
    c.fields = fields;
    active->executor = std::make_unique<RunbookExecutor>(runbook, c);
    const RemediationGates::StepRequest request { target, purpose, operatorName, active->backend,
        m_settings.stepDeadline };
    QList<QStringList> swaps; // per step: the servers brought in for its removal
    for (int i = 0; i < runbook.steps.size(); ++i)
        swaps << runbook.swapInBefore(i, active->backend);
    active->executor->setAsyncGate([this, request, swaps, weak = std::weak_ptr<Active>(active)](
                                       const Runbook::Step& step, int index, RunbookExecutor::GateReply reply) {
        // A lock lost with its session (the team's store went away) fails the next step closed: another console may
        // hold it by now.
        if (const auto a = weak.lock())
            for (const TargetLock& lock : a->locks) {
                QString why;
                if (!lock.stillHeld(&why)) {
                    reply({ false,
                              QStringLiteral("the remediation lock of %1 was lost: %2; step not run (fail closed)")
                                  .arg(lock.target(), why) },
                        nullptr);
                    return;
                }
            }
        m_gates->checkStep(step, index, request, swaps.value(index), std::move(reply));
    });
    connect(active->executor.get(), &RunbookExecutor::stepChanged, this,
        [this, runId, purpose](int index, const StepReport& report) {
            // The run remembers where it is, so a view that asks (the fault panel) can say which step runs.
            auto& runs = purpose == SafetyRequest::Purpose::Handle ? m_handleRuns : m_recoverRuns;
            if (const auto it = runs.find(runId); it != runs.end() && it->running) {
                it->step = index;
                it->stepName = report.name;
                it->stepStatus = report.status;
            }
            Q_EMIT stepChanged(runId, index, report);
        });
    connect(active->executor.get(), &RunbookExecutor::finished, this,
        [this, runId](const RunbookOutcome& outcome) { finishRun(runId, outcome); });
    Run run;
    run.faultId = runId;
    run.purpose = purpose;
    run.operatorName = operatorName;
    run.running = true;
    run.startedMs = QDateTime::currentMSecsSinceEpoch();
    run.stepCount = int(runbook.steps.size());
    (purpose == SafetyRequest::Purpose::Handle ? m_handleRuns : m_recoverRuns).insert(runId, run);
    m_active.insert(runId, active);
    qCInfo(lcRemedy, "%s %s started by %s", qUtf8Printable(runbook.name), qUtf8Printable(runId),
        qUtf8Printable(operatorName));
    Q_EMIT runStarted(runId, purpose);
    Q_EMIT gatesChanged();
    active->executor->start();
    return true;
}

void RemediationController::finishRun(const QString& faultId, const RunbookOutcome& outcome)
{
    const std::shared_ptr<Active> active = m_active.take(faultId);
    if (!active)
        return;
    auto& runs = active->purpose == SafetyRequest::Purpose::Handle ? m_handleRuns : m_recoverRuns;
    Run& run = runs[faultId];
    run.running = false;
    run.outcome = outcome;
    run.finishedMs = QDateTime::currentMSecsSinceEpoch();
    const bool ok = outcome.result == RunbookOutcome::Result::Succeeded;
    run.verified = ok && active->purpose == SafetyRequest::Purpose::Recover;
    if (active->purpose == SafetyRequest::Purpose::Handle && ok)
        m_detector->setFaultPhase(faultId, Fault::Phase::Handled);
    // A recovered unfinished remediation is finished at last: its intents get their result.
    if (m_unfinishedRuns.contains(faultId)) {
        const Unfinished item = m_unfinishedRuns.take(faultId);
        if (ok)
            closeIntents(item, QStringLiteral("recovered"), run.operatorName,
                QStringLiteral("recovered from the recorded baseline by %1 (%2)")
                    .arg(run.operatorName, outcome.runbook));
    }
    if (!ok) {
        const QString message = outcome.message.isEmpty()
            ? QStringLiteral("%1 of %2 did not succeed").arg(purposeName(active->purpose), faultId)
            : outcome.message;
        qCWarning(lcRemedy, "%s", qUtf8Printable(message));
        Q_EMIT escalated(faultId, message);
    }
    // Locks go with the executor, after the run's last step (rollbacks included) finished.
    active->executor.release()->deleteLater();
    active->locks.clear();
    Q_EMIT runFinished(faultId, active->purpose, outcome, run.verified);
    Q_EMIT gatesChanged();
    if (ok && active->purpose == SafetyRequest::Purpose::Handle) {
        if (const auto f = faultOf(faultId)) {
            // Blocked sources stay blocked for a limited time only: then Recover unblocks them (and verifies).
            if (f->cause == CauseClass::Attack)
                QTimer::singleShot(m_settings.attackBlock, this, [this, faultId] {
                    if (m_recoverRuns.contains(faultId) || m_active.contains(faultId))
                        return;
                    QString why;
                    if (!start(faultId, SafetyRequest::Purpose::Recover, QStringLiteral("auto (block expired)"), false,
                            &why))
                        Q_EMIT escalated(faultId,
                            QStringLiteral("the block of %1's sources expired but Recover was refused: %2")
                                .arg(faultId, why));
                });
            maybeAuto(*f);
        }
    }
}

bool RemediationController::abort(const QString& faultId, const QString& by)
{
    const auto active = m_active.value(faultId);
    if (!active || !active->executor)
        return false;
    active->executor->abort(by);
    return true;
}

void RemediationController::stopRuns(const QString& by, bool immediately)
{
    m_stoppedBy = by.isEmpty() ? QStringLiteral("shutdown") : by;
    // A copy: an executor may finish (and leave m_active) while it is told.
    const auto active = m_active;
    for (const auto& a : active) {
        if (!a->executor)
            continue;
        if (immediately)
            a->executor->abort(m_stoppedBy);
        else
            a->executor->stopAfterStep(m_stoppedBy);
    }
    Q_EMIT gatesChanged();
}

bool RemediationController::isRunning(const QString& faultId) const
{
    return m_active.contains(faultId);
}

std::optional<RemediationController::Run> RemediationController::lastRun(
    const QString& faultId, SafetyRequest::Purpose purpose) const
{
    const auto& runs = purpose == SafetyRequest::Purpose::Handle ? m_handleRuns : m_recoverRuns;
    if (!runs.contains(faultId))
        return std::nullopt;
    return runs.value(faultId);
}

std::optional<RemediationBaseline> RemediationController::baseline(const QString& faultId) const
{
    if (!m_baselines.contains(faultId))
        return std::nullopt;
    return m_baselines.value(faultId);
}

// ---- automation ----------------------------------------------------------------------------------------------

bool RemediationController::setAutomationStateFile(const QString& path, QString* error)
{
    return m_automation->setStateFile(path, error);
}

void RemediationController::maybeAuto(const Fault& fault)
{
    if (isStopping() || !m_automation->enabledFor(fault.target) || m_active.contains(fault.id)
        || m_elsewhere.contains(fault.id))
        return;
    const bool wasSuspended = m_automation->ledger().entry(fault.target).suspended;
    auto automatic = [&](SafetyRequest::Purpose purpose) {
        QString error;
        // Recover completes the attempt Handle started: it is neither counted again nor held by the backoff.
        if (!start(fault.id, purpose, QStringLiteral("auto"), purpose == SafetyRequest::Purpose::Handle, &error)) {
            qCInfo(lcRemedy, "automatic %s of %s not started: %s", qUtf8Printable(purposeName(purpose)),
                qUtf8Printable(fault.id), qUtf8Printable(error));
            // Fail closed, loudly: without the team's lock automation does not act, and the operator must know.
            // Once per fault and outage: without the store every probe tick is refused the same way, at once.
            if (m_shared && !m_shared->isConnected() && !m_toldLocksUnavailable.contains(fault.id)) {
                m_toldLocksUnavailable.insert(fault.id);
                Q_EMIT escalated(fault.id,
                    QStringLiteral("automatic %1 of %2 refused: %3").arg(purposeName(purpose), fault.target, error));
            }
        }
        if (!wasSuspended && m_automation->ledger().entry(fault.target).suspended)
            Q_EMIT escalated(fault.id,
                QStringLiteral("automatic remediation of %1 gave up: %2")
                    .arg(fault.target, m_automation->ledger().entry(fault.target).suspendedReason));
    };
    if (fault.actionable() && !m_handleRuns.contains(fault.id)) {
        // A team: the console whose automation takes the target's lock owns the fault; the others leave it be.
        if (m_shared && markIfElsewhere(fault))
            return;
        automatic(SafetyRequest::Purpose::Handle);
        if (m_shared && !m_handleRuns.contains(fault.id))
            markIfElsewhere(fault);
        return;
    }
    // Recover after a successful Handle: at once where Handle's own action ends the cause (a restart), or the
    // backup restore is the recovery; otherwise when the target passes again (the world ended the cause).
    const auto h = m_handleRuns.value(fault.id);
    const bool handled
        = m_handleRuns.contains(fault.id) && !h.running && h.outcome.result == RunbookOutcome::Result::Succeeded;
    if (handled && !m_recoverRuns.contains(fault.id)
        && (fault.cause == CauseClass::Down || fault.cause == CauseClass::DataIntegrity || !fault.isOpen()))
        automatic(SafetyRequest::Purpose::Recover);
}

void RemediationController::nameElsewhereHolders()
{
    bool named = false;
    for (auto it = m_elsewhereUnnamed.begin(); it != m_elsewhereUnnamed.end();) {
        const auto holder = m_shared->holder(it.value());
        if (!holder || holder->instance == AdvisoryLocks::instanceName()) {
            ++it;
            continue;
        }
        m_elsewhere.insert(it.key(), QStringLiteral("handled by %1").arg(holder->toString()));
        it = m_elsewhereUnnamed.erase(it);
        named = true;
    }
    if (named)
        Q_EMIT autoChanged();
}

bool RemediationController::markIfElsewhere(const Fault& fault)
{
    bool active = false;
    const auto latest = m_shared->latestHolder(fault.target, &active);
    QString text;
    // Another console holds the target's lock now, or took it since this fault began (two consoles detect one
    // failure up to a few probe intervals apart: 15 s of slack), so its automation owns this fault.
    if (latest && latest->holder.instance != AdvisoryLocks::instanceName()
        && (active || latest->holder.since.toMSecsSinceEpoch() >= fault.detectedMs - 15000))
        text = QStringLiteral("handled by %1").arg(latest->holder.toString());
    // A console takes the lock first and records itself a moment later: in between, the lock is all there is.
    else if (!active && m_shared->heldElsewhere(fault.target)) {
        text = QStringLiteral("handled by another console (it holds %1's lock; who it is was not recorded yet)")
                   .arg(fault.target);
        m_elsewhereUnnamed.insert(fault.id, fault.target);
    } else
        return false;
    m_elsewhere.insert(fault.id, text);
    qCInfo(lcRemedy, "automatic remediation of %s (%s) left to another console: %s", qUtf8Printable(fault.target),
        qUtf8Printable(fault.id), qUtf8Printable(text));
    Q_EMIT autoChanged();
    Q_EMIT gatesChanged();
    return true;
}

// ---- after a restart -----------------------------------------------------------------------------------------

QList<RemediationController::Unfinished> RemediationController::unfinished() const
{
    QList<Unfinished> out = m_unfinished.list();
    // A team: an intent whose target lock a console holds is a remediation running there, not an unfinished one.
    if (m_shared)
        out.removeIf([this](const Unfinished& u) { return m_shared->holder(u.target).has_value(); });
    return out;
}

QString RemediationController::unfinishedRunId(const Unfinished& item)
{
    return QStringLiteral("unfinished/%1/%2").arg(item.incidentId, item.target);
}

void RemediationController::holdBackUnfinished()
{
    // Whatever an earlier run left half done (its child may still be at work) is a person's call, not automation's.
    for (const Unfinished& u : unfinished())
        m_automation->holdBack(u.target,
            QStringLiteral("a remediation of %1 (%2 by %3 since %4 UTC) never finished: automation stays off %1 until "
                           "it is recovered or dismissed")
                .arg(u.target, u.runbook, u.operatorName,
                    u.since.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))));
}

void RemediationController::closeIntents(
    const Unfinished& item, const QString& status, const QString& operatorName, const QString& note)
{
    m_unfinished.close(item, status, operatorName, note);
    const QList<Unfinished> left = m_unfinished.list();
    if (std::any_of(left.cbegin(), left.cend(), [&](const Unfinished& u) { return u.target == item.target; }))
        return;
    m_automation->release(item.target);
    // Resolved: automation may take up the target's open fault now, not only at its next change.
    const QString target = item.target;
    QTimer::singleShot(0, this, [this, target] {
        for (const Fault& f : m_detector->openFaults())
            if (f.target == target)
                maybeAuto(f);
    });
}

bool RemediationController::dismissUnfinished(const Unfinished& item, const QString& operatorName, QString* error)
{
    if (!m_audit) {
        if (error)
            *error = QStringLiteral("no audit trail");
        return false;
    }
    const QString who = operatorName.isEmpty() ? m_operator : operatorName;
    closeIntents(item, QStringLiteral("dismissed"), who,
        QStringLiteral("dismissed by %1: not recovered from the recorded baseline").arg(who));
    qCInfo(lcRemedy, "unfinished remediation of %s (%s) dismissed by %s", qUtf8Printable(item.target),
        qUtf8Printable(item.incidentId), qUtf8Printable(who));
    Q_EMIT gatesChanged();
    return true;
}

bool RemediationController::recoverUnfinished(
    const Unfinished& item, const QString& operatorName, QString* error, QString* runId)
{
    const QString who = operatorName.isEmpty() ? m_operator : operatorName;
    // The fault of an unfinished remediation may be gone from the detector (a restart starts afresh): Recover runs
    // against the open fault of that target if there is one, with the recorded baseline.
    for (const Fault& f : m_detector->openFaults())
        if (f.target == item.target && f.rootCause && !m_active.contains(f.id)) {
            const auto previous = m_baselines.constFind(f.id);
            const std::optional<RemediationBaseline> kept
                = previous == m_baselines.cend() ? std::nullopt : std::optional(*previous);
            m_baselines.insert(f.id, item.baseline);
            m_unfinishedRuns.insert(f.id, item);
            if (recover(f.id, who, error)) {
                if (runId)
                    *runId = f.id;
                return true;
            }
            m_unfinishedRuns.remove(f.id);
            if (kept)
                m_baselines.insert(f.id, *kept);
            else
                m_baselines.remove(f.id);
            return false;
        }
    // No fault: a run of its own that returns what differs to the recorded baseline and verifies it.
    const QString id = unfinishedRunId(item);
    if (m_active.contains(id)) {
        if (error)
            *error = QStringLiteral("the recovery of %1 is running already").arg(item.target);
        return false;
    }
    if (item.baseline.haproxyKnown && !current().haproxyKnown) {
        if (error)
            *error = QStringLiteral("HAProxy has not been read back yet: try again in a moment");
        return false;
    }
    const TargetConfig* t = m_config.target(item.target);
    if (!t) {
        if (error)
            *error = QStringLiteral("%1 is not in the fleet configuration now: restore it by hand: %2")
                         .arg(item.target, item.baseline.differences(current()).join(QStringLiteral("; ")));
        return false;
    }
    Fault pseudo;
    pseudo.id = id;
    pseudo.target = item.target;
    pseudo.incidentId = item.incidentId;
    pseudo.cause = CauseClass::Unhealthy;
    const Runbook rb = m_runbooks->restoreRunbook(pseudo, item.baseline, t->haproxy ? t->haproxy->backend : QString());
    m_unfinishedRuns.insert(id, item);
    if (!startRun(id, rb, SafetyRequest::Purpose::Recover, item.target, item.incidentId, item.baseline, who,
            { item.target }, m_runbooks->fieldsFor(pseudo, t), error)) {
        m_unfinishedRuns.remove(id);
        return false;
    }
    if (runId)
        *runId = id;
    return true;
}

} // namespace FaultDesk
