#include "remediationcontroller.h"

#include "action.h"
#include "haproxyclient.h"
#include "recoveryplanner.h"
#include "runbookexecutor.h"

#include "audit/auditsink.h"
#include "detect/detector.h"
#include "monitor/monitor.h"
#include "util/logging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSaveFile>
#include <QStandardPaths>

namespace FaultDesk {

/// A remediation in flight: its executor and the lock it holds.
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

TargetCondition conditionOf(TargetState state)
{
    switch (state) {
    case TargetState::Up:
        return TargetCondition::Healthy;
    case TargetState::Soft:
        return TargetCondition::SoftFault;
    case TargetState::Hard:
        return TargetCondition::HardFault;
    case TargetState::Unreachable:
        return TargetCondition::Unreachable;
    case TargetState::Unknown:
        break;
    }
    return TargetCondition::Unknown;
}

} // namespace

RemediationController::RemediationController(
    Monitor* monitor, AuditSink* audit, QString lockDirectory, QString operatorName, QObject* parent)
    : QObject(parent)
    , m_monitor(monitor)
    , m_audit(audit)
    , m_lockDir(std::move(lockDirectory))
    , m_operator(std::move(operatorName))
    , m_nam(new QNetworkAccessManager(this))
{
    qRegisterMetaType<StepReport>();
    qRegisterMetaType<RunbookOutcome>();
    const QString endpoint = haproxyEndpoint();
    if (!endpoint.isEmpty()) {
        m_haproxy = new HaproxyClient(endpoint, this);
        m_haproxy->setTimeout(std::chrono::milliseconds(3000));
    }
    connect(m_monitor->detector(), &Detector::faultChanged, this, &RemediationController::onFaultChanged);
    connect(m_monitor->detector(), &Detector::targetUpdated, this, &RemediationController::gatesChanged);
    connect(&m_pollTimer, &QTimer::timeout, this, &RemediationController::poll);
    m_pollTimer.start(m_settings.pollInterval);
    QTimer::singleShot(0, this, &RemediationController::poll);
}

RemediationController::~RemediationController()
{
    for (const auto& a : std::as_const(m_active))
        if (a->executor)
            a->executor->disconnect(this);
    // Polls in flight end with the client, while the state their answers would write still exists.
    delete m_haproxy;
    m_haproxy = nullptr;
}

const FleetConfig& RemediationController::fleetConfig() const
{
    return m_monitor->config();
}

void RemediationController::setSettings(const Settings& settings)
{
    m_settings = settings;
    m_pollTimer.start(m_settings.pollInterval);
}

// ---- read-back ------------------------------------------------------------------------------------------------

void RemediationController::refresh(std::function<void()> done)
{
    if (done)
        m_refreshWaiters.append(std::move(done));
    poll();
}

void RemediationController::poll()
{
    if (m_pendingPolls > 0)
        return;
    ++m_cycle;
    m_pendingPolls = 2;
    auto one = [this] {
        if (--m_pendingPolls > 0)
            return;
        // The last healthy state becomes the next fault's baseline: taken only while nothing is wrong and nothing
        // is being changed, so a fault's own effects never end up in its baseline.
        const bool quiet = m_active.isEmpty() && m_monitor->detector()->openFaults().isEmpty();
        if (quiet) {
            bool dbsOk = true;
            for (const auto& d : std::as_const(m_current.databases))
                dbsOk = dbsOk && d.integrityOk;
            if (m_current.haproxyKnown)
                m_lastHealthy.haproxy = m_current.haproxy, m_lastHealthy.haproxyKnown = true;
            if (dbsOk && !m_current.databases.isEmpty())
                m_lastHealthy.databases = m_current.databases;
            m_lastHealthy.capturedUtc = QDateTime::currentDateTimeUtc();
        }
        const auto waiters = std::exchange(m_refreshWaiters, {});
        for (const auto& w : waiters)
            w();
        Q_EMIT gatesChanged();
    };
    pollHaproxy(one);
    pollDatabases(one);
}

void RemediationController::pollHaproxy(std::function<void()> done)
{
    if (!m_haproxy) {
        done();
        return;
    }
    auto next = std::make_shared<HaproxyBaseline>();
    const QString acl = blockAcl();
    m_haproxy->send(HaproxyCommand::showServersState(), [this, next, acl, done](const HaproxyClient::Reply& r) {
        if (!r.ok) {
            m_current.haproxyKnown = false;
            done();
            return;
        }
        next->servers = HaproxyServerState::parseServersState(r.text);
        m_haproxy->send(HaproxyCommand::showStat(), [this, next, acl, done](const HaproxyClient::Reply& s) {
            if (s.ok)
                HaproxyServerState::mergeStat(next->servers, s.text);
            auto finish = [this, next, done] {
                next->capturedUtc = QDateTime::currentDateTimeUtc();
                m_current.haproxy = *next;
                m_current.haproxyKnown = true;
                m_current.capturedUtc = next->capturedUtc;
                done();
            };
            if (acl.isEmpty()) {
                finish();
                return;
            }
            m_haproxy->send(
                HaproxyCommand::showAcl(acl), [next, acl, finish, done, this](const HaproxyClient::Reply& a) {
                    if (!a.ok) {
                        m_current.haproxyKnown = false;
                        done();
                        return;
                    }
                    QStringList entries;
                    for (const QString& line : a.text.split(u'\n', Qt::SkipEmptyParts)) {
                        const QString value = line.section(u' ', 1).trimmed();
                        if (!value.isEmpty())
                            entries.append(value);
                    }
                    next->acls.insert(acl, entries);
                    finish();
                });
        });
    });
}

void RemediationController::pollDatabases(std::function<void()> done)
{
    QList<const TargetConfig*> dbs;
    for (const TargetConfig& t : m_monitor->config().targets) {
        bool integrity = false;
        for (const SignalConfig& s : t.signalConfigs)
            integrity = integrity || s.name == u"integrity";
        if (integrity && t.admin)
            dbs.append(&t);
    }
    if (dbs.isEmpty()) {
        done();
        return;
    }
    auto left = std::make_shared<int>(int(dbs.size()));
    for (const TargetConfig* t : dbs) {
        QUrl url = t->admin->url;
        QString path = url.path();
        if (path.endsWith(u"/admin"))
            path.chop(6);
        url.setPath(path + QStringLiteral("/db/status"));
        QNetworkRequest request(url);
        request.setTransferTimeout(2000);
        QNetworkReply* reply = m_nam->get(request);
        const QString name = t->name;
        connect(reply, &QNetworkReply::finished, this, [this, reply, name, left, done] {
            reply->deleteLater();
            const QJsonObject o = QJsonDocument::fromJson(reply->read(64 * 1024)).object();
            if (reply->error() == QNetworkReply::NoError && o.value(QStringLiteral("checksum")).isDouble())
                m_current.databases.insert(name,
                    RemediationBaseline::Database { o.value(QStringLiteral("role")).toString(),
                        o.value(QStringLiteral("read_only")).toBool(), o.value(QStringLiteral("integrity_ok")).toBool(),
                        o.value(QStringLiteral("checksum")).toDouble() });
            else
                m_current.databases.remove(name);
            if (--*left == 0)
                done();
        });
    }
}

// ---- faults, gates -----------------------------------------------------------------------------------------

std::optional<Fault> RemediationController::faultOf(const QString& faultId) const
{
    return m_monitor->detector()->fault(faultId);
}

void RemediationController::onFaultChanged(const Fault& fault)
{
    if (!m_baselines.contains(fault.id) && fault.isOpen()) {
        RemediationBaseline b = m_lastHealthy;
        if (!b.haproxyKnown && m_current.haproxyKnown)
            b.haproxy = m_current.haproxy, b.haproxyKnown = true;
        b.capturedUtc = QDateTime::currentDateTimeUtc();
        m_baselines.insert(fault.id, b);
        Q_EMIT baselineCaptured(fault.id);
    }
    maybeAuto(fault);
    Q_EMIT gatesChanged();
}

SafetySnapshot RemediationController::snapshot(const QString& target, const QString& backend) const
{
    SafetySnapshot s;
    const Detector* d = m_monitor->detector();
    if (const auto st = d->status(target)) {
        s.condition = conditionOf(st->state);
        s.flapping = st->flapping;
    }
    s.monitoringDegraded = d->isDegraded();
    s.maintenance = d->suppression(target);
    if (const auto h = TargetLock::holder(m_lockDir, target))
        s.lockHeldBy = h->toString();
    if (!backend.isEmpty() && m_current.haproxyKnown) {
        for (const HaproxyServerState& srv : m_current.haproxy.servers) {
            if (srv.backend != backend)
                continue;
            ++s.backendServers;
            const bool out = srv.adminState != u"ready";
            if (out)
                ++s.backendOutOfRotation;
            const bool up = srv.status.isEmpty() || srv.status.startsWith(u"UP") || srv.status == u"no check";
            if (up && !out)
                ++s.backendHealthy;
        }
    }
    s.policy = m_policy;
    s.ledger = m_ledger;
    s.cycle = m_cycle;
    s.now = QDateTime::currentDateTimeUtc();
    return s;
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
    const TargetConfig* t = m_monitor->config().target(f->target);
    SafetyRequest r;
    r.target = f->target;
    r.purpose = purpose;
    r.automatic = automatic;
    r.requester = requester;
    const QString backend = t && t->haproxy ? t->haproxy->backend : QString();
    SafetySnapshot s = snapshot(f->target, backend);
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
        // Recover acts on a fault that is still there (a corrupted database) as well as on a target that passes
        // again: only an unknown, unreachable or flapping state stops it.
        if (s.condition == TargetCondition::HardFault || s.condition == TargetCondition::SoftFault)
            s.condition = TargetCondition::HardFault;
    }
    const SafetyDecision g = SafetyGates::check(r, s);
    d.reasons += g.reasons;
    d.affects = g.affects;
    d.warnings = g.warnings;
    d.allowed = d.reasons.isEmpty();
    return d;
}

SafetyDecision RemediationController::canHandle(const QString& faultId) const
{
    return decide(faultId, SafetyRequest::Purpose::Handle, false, m_operator);
}

SafetyDecision RemediationController::canRecover(const QString& faultId) const
{
    return decide(faultId, SafetyRequest::Purpose::Recover, false, m_operator);
}

RemediationPlan RemediationController::preview(const QString& faultId, SafetyRequest::Purpose purpose) const
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
    const auto rb = buildRunbook(*f, purpose, b, &plan, &error);
    if (!rb) {
        plan.error = error;
        return plan;
    }
    plan.runbook = rb->name;
    ActionContext c;
    c.audit = m_audit;
    c.operatorName = m_operator;
    c.target = f->target;
    c.incidentId = f->incidentId;
    c.fields = fieldsFor(*f, m_monitor->config().target(f->target));
    plan.steps = RunbookExecutor::preview(*rb, c);
    if (purpose == SafetyRequest::Purpose::Recover) {
        const TargetConfig* t = m_monitor->config().target(f->target);
        plan.baselineDifferences = b.differences(m_current, t && t->haproxy ? t->haproxy->backend : QString());
    }
    // Several open root causes: the recovery planner's order, so the operator sees where this one stands.
    QList<RecoveryItem> items;
    for (const Fault& o : m_monitor->detector()->openFaults()) {
        if (!o.rootCause)
            continue;
        RecoveryItem it;
        it.target = o.target;
        it.priority = o.priority;
        if (const TargetConfig* t = m_monitor->config().target(o.target))
            it.dependsOn = t->dependencyNames();
        items.append(it);
    }
    if (items.size() > 1) {
        for (auto& it : items)
            it.dependsOn.removeIf([&](const QString& n) {
                return std::none_of(items.cbegin(), items.cend(), [&](const RecoveryItem& x) { return x.target == n; });
            });
        const RecoveryPlan rp = RecoveryPlanner::plan(items, RecoveryPlanner::Budget {});
        for (const auto& s : rp.steps)
            plan.order << QStringLiteral("batch %1: %2 (%3)").arg(s.batch + 1).arg(s.target, s.reason);
    }
    return plan;
}

// ---- running -------------------------------------------------------------------------------------------------

bool RemediationController::handle(const QString& faultId, const QString& operatorName, QString* error)
{
    return start(
        faultId, SafetyRequest::Purpose::Handle, operatorName.isEmpty() ? m_operator : operatorName, false, error);
}

bool RemediationController::recover(const QString& faultId, const QString& operatorName, QString* error)
{
    return start(
        faultId, SafetyRequest::Purpose::Recover, operatorName.isEmpty() ? m_operator : operatorName, false, error);
}

bool RemediationController::start(
    const QString& faultId, SafetyRequest::Purpose purpose, const QString& operatorName, bool automatic, QString* error)
{
    const SafetyDecision d = decide(faultId, purpose, automatic, operatorName);
    if (!d.allowed) {
        if (error)
            *error = d.reasons.join(QStringLiteral("; "));
        return false;
    }
    const Fault f = *faultOf(faultId);
    const RemediationBaseline b = m_baselines.value(faultId);
    QString why;
    const auto rb = buildRunbook(f, purpose, b, nullptr, &why);
    if (!rb) {
        if (error)
            *error = why;
        return false;
    }
    // One remediation at a time per target, across instances: the fault's target and every database the runbook
    // changes are locked for the whole run.
    QStringList lockTargets { f.target };
    if (f.cause == CauseClass::DataIntegrity)
        for (auto it = b.databases.cbegin(); it != b.databases.cend(); ++it)
            if (!lockTargets.contains(it.key()))
                lockTargets << it.key();
    const TargetConfig* t = m_monitor->config().target(f.target);
    if (!startRun(faultId, *rb, purpose, f.target, f.incidentId, b, operatorName, lockTargets, fieldsFor(f, t), error))
        return false;
    m_monitor->detector()->setFaultPhase(
        faultId, purpose == SafetyRequest::Purpose::Handle ? Fault::Phase::Handling : Fault::Phase::Recovering);
    if (automatic)
        m_ledger.recordAttempt(f.target, m_cycle, QDateTime::currentDateTimeUtc(), m_policy);
    if (automatic)
        saveAutomationState();
    return true;
}

bool RemediationController::startRun(const QString& runId, const Runbook& runbook, SafetyRequest::Purpose purpose,
    const QString& target, const QString& incidentId, const RemediationBaseline& b, const QString& operatorName,
    const QStringList& lockTargets, const TemplateFields& fields, QString* error)
{
    auto active = std::make_shared<Active>();
    active->purpose = purpose;
    active->target = target;
    const TargetConfig* t = m_monitor->config().target(target);
    active->backend = t && t->haproxy ? t->haproxy->backend : QString();
    for (const QString& name : lockTargets) {
        TargetLock::Holder holder;
        QString lockError;
        TargetLock lock = TargetLock::tryAcquire(m_lockDir, name, operatorName, runbook.name, &holder, &lockError);
        if (!lock.isLocked()) {
            if (error)
                *error = lockError.isEmpty() ? QStringLiteral("%1 is being remediated by %2; one remediation at a time")
                                                   .arg(name, holder.toString())
                                             : lockError;
            return false;
        }
        active->locks.push_back(std::move(lock));
    }
    ActionContext c;
    c.audit = m_audit;
    c.operatorName = operatorName;
    c.target = target;
    c.incidentId = incidentId;
    c.baseline = b.toJson();
    c.fields = fields;
    active->executor = std::make_unique<RunbookExecutor>(runbook, c);
    const QString backend = active->backend;
    active->executor->setGate([this, purpose, operatorName, target, backend](const Runbook::Step& step, int index) {
        SafetyRequest r;
        r.target = target;
        r.purpose = purpose;
        // The attempt was admitted (and counted in the ledger) when the run started: the steps re-check
        // everything else, not the attempt limit and backoff their own attempt just set.
        r.automatic = false;
        r.requester = operatorName;
        r.removesServer = step.removesServer;
        r.backend = step.backend.isEmpty() ? backend : step.backend;
        r.server = step.server;
        SafetySnapshot s = snapshot(target, r.backend);
        s.lockHeldBy.clear(); // this run holds it
        // Later steps of a run see the effect of the earlier ones (a restarted server is healthy again): the fault
        // condition was checked when the run started; each step re-checks everything else live.
        if (index > 0 || purpose == SafetyRequest::Purpose::Recover)
            if (s.condition == TargetCondition::Healthy || s.condition == TargetCondition::SoftFault)
                s.condition = TargetCondition::HardFault;
        const SafetyDecision g = SafetyGates::check(r, s);
        return ConditionCheck { g.allowed,
            g.allowed ? g.affects.join(QStringLiteral("; ")) : g.reasons.join(QStringLiteral("; ")) };
    });
    connect(active->executor.get(), &RunbookExecutor::stepChanged, this,
        [this, runId](int index, const StepReport& report) { Q_EMIT stepChanged(runId, index, report); });
    connect(active->executor.get(), &RunbookExecutor::finished, this,
        [this, runId](const RunbookOutcome& outcome) { finishRun(runId, outcome); });
    Run run;
    run.faultId = runId;
    run.purpose = purpose;
    run.operatorName = operatorName;
    run.running = true;
    run.startedMs = QDateTime::currentMSecsSinceEpoch();
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
        m_monitor->detector()->setFaultPhase(faultId, Fault::Phase::Handled);
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

void RemediationController::auditAutomation(const QString& target, const QString& what, const QString& operatorName)
{
    if (!m_audit)
        return;
    // An Intent and its Result at once: the switch is the action, and it never stays unfinished.
    AuditRecord r;
    r.actionId = QStringLiteral("automation-%1-%2")
                     .arg(QDateTime::currentMSecsSinceEpoch())
                     .arg(quintptr(this) ^ quintptr(qHash(target + what)), 0, 16);
    r.phase = AuditRecord::Phase::Intent;
    r.timeUtc = QDateTime::currentDateTimeUtc();
    r.operatorName = operatorName.isEmpty() ? m_operator : operatorName;
    r.target = target;
    r.runbook = QStringLiteral("automation");
    r.actionKind = QStringLiteral("automation");
    r.description = what;
    QString error;
    if (!m_audit->append(r, &error)) {
        qCWarning(lcRemedy, "automation change not audited: %s", qUtf8Printable(error));
        return;
    }
    r.phase = AuditRecord::Phase::Result;
    r.status = QStringLiteral("ok");
    r.durationMs = 0;
    if (!m_audit->append(r, &error))
        qCWarning(lcRemedy, "automation change not audited: %s", qUtf8Printable(error));
}

void RemediationController::setAutoEnabled(bool enabled)
{
    if (m_policy.enabled == enabled)
        return;
    m_policy.enabled = enabled;
    auditAutomation(QString(), QStringLiteral("automatic remediation %1 (global switch)").arg(enabled ? u"on" : u"off"),
        m_operator);
    saveAutomationState();
    Q_EMIT autoChanged();
    Q_EMIT gatesChanged();
}

void RemediationController::setAutoEnabledFor(const QString& targetOrGroup, bool enabled)
{
    if (m_autoOverride.contains(targetOrGroup) && m_autoOverride.value(targetOrGroup) == enabled)
        return;
    m_autoOverride.insert(targetOrGroup, enabled);
    auditAutomation(targetOrGroup,
        QStringLiteral("automatic remediation %1 for %2").arg(enabled ? u"on" : u"off", targetOrGroup), m_operator);
    saveAutomationState();
    Q_EMIT autoChanged();
}

void RemediationController::clearAutoEnabledFor(const QString& targetOrGroup)
{
    if (!m_autoOverride.remove(targetOrGroup))
        return;
    auditAutomation(targetOrGroup,
        QStringLiteral("automatic remediation for %1 follows the wider switch again").arg(targetOrGroup), m_operator);
    saveAutomationState();
    Q_EMIT autoChanged();
}

std::optional<bool> RemediationController::autoOverride(const QString& targetOrGroup) const
{
    if (!m_autoOverride.contains(targetOrGroup))
        return std::nullopt;
    return m_autoOverride.value(targetOrGroup);
}

bool RemediationController::autoEnabledFor(const QString& target) const
{
    if (m_autoOverride.contains(target))
        return m_autoOverride.value(target);
    if (const TargetConfig* t = m_monitor->config().target(target))
        if (m_autoOverride.contains(t->group))
            return m_autoOverride.value(t->group);
    return m_policy.enabled;
}

void RemediationController::setAutoPolicy(const AutoRemediationPolicy& policy)
{
    const bool enabled = m_policy.enabled;
    m_policy = policy;
    m_policy.enabled = enabled;
}

QList<QPair<QString, QString>> RemediationController::givenUp() const
{
    QList<QPair<QString, QString>> out;
    for (const TargetConfig& t : m_monitor->config().targets) {
        const auto e = m_ledger.entry(t.name);
        if (e.suspended)
            out.append({ t.name, e.suspendedReason });
    }
    return out;
}

void RemediationController::reenable(const QString& target, const QString& operatorName)
{
    const auto before = m_ledger.entry(target);
    const bool wasSuspended = before.suspended;
    m_ledger.reenable(target);
    auditAutomation(target,
        wasSuspended ? QStringLiteral("automatic remediation re-enabled on %1 after it gave up: %2")
                           .arg(target, before.suspendedReason)
                     : QStringLiteral("automatic remediation attempts of %1 reset").arg(target),
        operatorName);
    saveAutomationState();
    Q_EMIT autoChanged();
    Q_EMIT gatesChanged();
}

QString RemediationController::defaultAutomationStateFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/automation.json");
}

bool RemediationController::setAutomationStateFile(const QString& path, QString* error)
{
    m_stateFile = path;
    QFile file(path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(4 * 1024 * 1024), &parse);
    if (!doc.isObject()) {
        if (error)
            *error = QStringLiteral("%1: not an automation state file (%2)").arg(path, parse.errorString());
        return false;
    }
    const QJsonObject o = doc.object();
    m_policy.enabled = o.value(QStringLiteral("enabled")).toBool(false);
    m_autoOverride.clear();
    const QJsonObject overrides = o.value(QStringLiteral("overrides")).toObject();
    for (auto it = overrides.constBegin(); it != overrides.constEnd(); ++it)
        if (it.value().isBool())
            m_autoOverride.insert(it.key(), it.value().toBool());
    m_ledger = AutoRemediationLedger::fromJson(o.value(QStringLiteral("ledger")).toObject());
    Q_EMIT autoChanged();
    Q_EMIT gatesChanged();
    return true;
}

void RemediationController::saveAutomationState()
{
    if (m_stateFile.isEmpty())
        return;
    QJsonObject overrides;
    for (auto it = m_autoOverride.cbegin(); it != m_autoOverride.cend(); ++it)
        overrides.insert(it.key(), it.value());
    const QJsonObject o { { QStringLiteral("version"), 1 }, { QStringLiteral("enabled"), m_policy.enabled },
        { QStringLiteral("overrides"), overrides }, { QStringLiteral("ledger"), m_ledger.toJson() },
        { QStringLiteral("saved"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) } };
    QDir().mkpath(QFileInfo(m_stateFile).absolutePath());
    // Written whole or not at all: a crash while saving leaves the previous state, never half a file.
    QSaveFile file(m_stateFile);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(o).toJson()) < 0 || !file.commit())
        qCWarning(lcRemedy, "automation state not saved to %s: %s", qUtf8Printable(m_stateFile),
            qUtf8Printable(file.errorString()));
}

void RemediationController::maybeAuto(const Fault& fault)
{
    if (!autoEnabledFor(fault.target) || m_active.contains(fault.id))
        return;
    const bool wasSuspended = m_ledger.entry(fault.target).suspended;
    auto automatic = [&](SafetyRequest::Purpose purpose) {
        QString error;
        const bool before = m_policy.enabled;
        m_policy.enabled = true; // a per-target override may enable it with the global switch off
        // Recover completes the attempt Handle started: it is neither counted again nor held by the backoff.
        const bool started
            = start(fault.id, purpose, QStringLiteral("auto"), purpose == SafetyRequest::Purpose::Handle, &error);
        m_policy.enabled = before;
        if (!started)
            qCInfo(lcRemedy, "automatic %s of %s not started: %s", qUtf8Printable(purposeName(purpose)),
                qUtf8Printable(fault.id), qUtf8Printable(error));
        if (!wasSuspended && m_ledger.entry(fault.target).suspended) {
            saveAutomationState();
            Q_EMIT escalated(fault.id,
                QStringLiteral("automatic remediation of %1 gave up: %2")
                    .arg(fault.target, m_ledger.entry(fault.target).suspendedReason));
            Q_EMIT autoChanged();
        }
    };
    if (fault.actionable() && !m_handleRuns.contains(fault.id)) {
        automatic(SafetyRequest::Purpose::Handle);
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

// ---- after a restart -----------------------------------------------------------------------------------------

QList<RemediationController::Unfinished> RemediationController::unfinished() const
{
    QList<Unfinished> out;
    if (!m_audit)
        return out;
    QHash<QString, int> index; ///< incident|target → position in out
    for (const AuditRecord& r : m_audit->unfinished()) {
        const QString key = r.incidentId + u'|' + r.target;
        if (const auto it = index.constFind(key); it != index.constEnd()) {
            // The first intent carries the baseline; later ones of the same run are closed with it.
            out[*it].actionIds << r.actionId;
            out[*it].action = r.description;
            continue;
        }
        if (r.baseline.isEmpty())
            continue;
        const auto b = RemediationBaseline::fromJson(r.baseline);
        if (!b)
            continue;
        index.insert(key, int(out.size()));
        out.append(Unfinished {
            r.target, r.incidentId, r.runbook, r.operatorName, r.timeUtc, *b, r.description, { r.actionId } });
    }
    return out;
}

QString RemediationController::unfinishedRunId(const Unfinished& item)
{
    return QStringLiteral("unfinished/%1/%2").arg(item.incidentId, item.target);
}

void RemediationController::closeIntents(
    const Unfinished& item, const QString& status, const QString& operatorName, const QString& note)
{
    if (!m_audit)
        return;
    QHash<QString, AuditRecord> intents;
    for (const AuditRecord& r : m_audit->unfinished())
        if (item.actionIds.contains(r.actionId))
            intents.insert(r.actionId, r);
    for (const QString& id : item.actionIds) {
        if (!intents.contains(id))
            continue;
        AuditRecord r = intents.value(id);
        r.phase = AuditRecord::Phase::Result;
        r.timeUtc = QDateTime::currentDateTimeUtc();
        r.operatorName = operatorName;
        r.status = status;
        r.exitCode.reset();
        r.durationMs = 0;
        r.baseline = {};
        r.outputExcerpt = note;
        QString error;
        if (!m_audit->append(r, &error))
            qCWarning(lcRemedy, "unfinished remediation %s not closed: %s", qUtf8Printable(id), qUtf8Printable(error));
    }
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

} // namespace FaultDesk
