#include "automation/monitorservice.h"

#include "alert/alertmanagersource.h"
#include "config/fleetconfig.h"
#include "detect/detector.h"
#include "incident/incidentrecorder.h"
#include "incident/incidentstore.h"
#include "incident/storenotifier.h"
#include "maintenance/maintenancecontroller.h"
#include "maintenance/maintenancestore.h"
#include "monitor/monitor.h"
#include "remedy/advisorylocks.h"
#include "remedy/recorderfeed.h"
#include "remedy/remediationcontroller.h"
#include "util/logging.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QSignalBlocker>

namespace FaultDesk {

namespace {

QString purposeName(SafetyRequest::Purpose p)
{
    return p == SafetyRequest::Purpose::Handle ? QStringLiteral("handle") : QStringLiteral("recover");
}

} // namespace

MonitorService::MonitorService(Options options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    qRegisterMetaType<RemediationEvent>();
    if (m_options.operatorName.isEmpty())
        m_options.operatorName = qEnvironmentVariable("USER", QStringLiteral("faultdesk"));
    m_graceTimer.setSingleShot(true);
    connect(&m_graceTimer, &QTimer::timeout, this, [this] {
        if (!m_controller || m_controller->runningIds().isEmpty())
            return;
        RemediationEvent e;
        e.kind = RemediationEvent::Kind::Stopping;
        e.timeMs = QDateTime::currentMSecsSinceEpoch();
        e.running = m_controller->runningIds();
        e.message = QStringLiteral("the running steps did not finish within %1 s: aborting them")
                        .arg(double(m_options.stopGrace.count()) / 1000);
        Q_EMIT remediationEvent(e);
        m_controller->stopRuns(QStringLiteral("shutdown (stop grace over)"), true);
    });
}

MonitorService::~MonitorService()
{
    // Destroyed without a stop (an error path): clean up without announcing it.
    const QSignalBlocker quiet(this);
    shutDown(false);
}

bool MonitorService::start(const FleetConfig& config, QString* error)
{
    m_monitor = std::make_unique<Monitor>();
    m_monitor->setConfig(config);
    if (!m_options.db.isEmpty() || m_options.automation) {
        IncidentStore::Options o;
        o.path = m_options.db;
        m_store = std::make_unique<IncidentStore>(o);
        QString why;
        // A PostgreSQL server that is away is not fatal to watching: its writes wait in the local journal until it
        // answers. Automation reads its maintenance windows from the store, so it refuses to start without it.
        if (!m_store->open(&why) && (m_options.automation || m_store->journalPath().isEmpty())) {
            *error = QStringLiteral("incident database %1: %2").arg(m_store->displayName(), why);
            return false;
        }
        m_recorder = std::make_unique<IncidentRecorder>(m_store.get());
        m_recorder->attach(m_monitor->detector(), m_monitor->store(), m_monitor->config());
    }
    if (m_options.automation && !startAutomation(error))
        return false;
    // The fleet's alert sources too: their alerts are faults like the probes' (as in the console).
    for (const AlertmanagerConfig& am : m_monitor->config().alertmanager) {
        m_alertSources.push_back(std::make_unique<AlertmanagerSource>(am, m_monitor->config(), m_monitor->detector()));
        m_alertSources.back()->start();
    }
    m_monitor->start();
    if (m_controller)
        announceAutomation();
    return true;
}

bool MonitorService::startAutomation(QString* error)
{
    // Maintenance windows first: a target in maintenance is off limits to automation, and a window an operator
    // set from a console must be seen here. Unreadable windows stop automation from starting (fail closed).
    m_maintenanceStore = std::make_unique<MaintenanceStore>(m_store.get());
    m_maintenance = std::make_unique<MaintenanceController>();
    m_maintenance->setAuditSink(m_recorder.get());
    m_maintenance->setFleet(m_monitor->config());
    m_maintenance->setDetector(m_monitor->detector());
    QString why;
    if (!m_maintenance->setStore(m_maintenanceStore.get(), &why)) {
        *error = QStringLiteral("%1; automation not started").arg(why);
        return false;
    }
    m_maintenance->start();
    // Windows created in a console reach this process through the database only: read them again now and then
    // (adding a stored window again replaces it, so ended and changed windows come along).
    m_maintenanceTimer.setInterval(m_options.maintenanceRefresh);
    connect(&m_maintenanceTimer, &QTimer::timeout, this, [this] {
        QString problem;
        if (!m_maintenance->setStore(m_maintenanceStore.get(), &problem))
            qCWarning(lcRemedy, "%s", qUtf8Printable(problem));
    });
    m_maintenanceTimer.start();

    // The console's places: locks and automation state beside the incident database (the default one's folder
    // for PostgreSQL), so a console on the same database and machine shares both.
    m_lockDir = m_store->localDirectory() + QStringLiteral("/locks");
    if (!QDir().mkpath(m_lockDir)) {
        *error = QStringLiteral("cannot create the lock directory %1; automation not started").arg(m_lockDir);
        return false;
    }
    m_controller = std::make_unique<RemediationController>(
        m_monitor->config(), m_monitor->detector(), m_recorder.get(), m_lockDir, m_options.operatorName);
    const QString stateFile = QFileInfo(m_lockDir).absolutePath() + QStringLiteral("/automation.json");
    if (!m_controller->setAutomationStateFile(stateFile, &why)) {
        // Without it, give-ups and switches a person set would be forgotten: better no automation than that.
        *error = QStringLiteral("automation state %1 cannot be read (%2); automation not started").arg(stateFile, why);
        m_controller.reset();
        return false;
    }
    // A team's PostgreSQL store: the locks are the store's advisory locks, shared with every console, so this
    // process and a console never act on one target at once; a lock that cannot be taken refuses (fail closed).
    if (m_store->url().isPostgres()) {
        m_notifier = std::make_unique<StoreNotifier>(m_store->url());
        m_locks = std::make_unique<AdvisoryLocks>(m_store->url());
        m_locks->follow(m_notifier.get());
        if (!m_notifier->start(&why))
            qCWarning(lcRemedy, "not hearing the consoles (retrying): %s", qUtf8Printable(why));
        if (!m_locks->open(&why))
            qCWarning(lcRemedy, "%s — automation does not act until the store is back", qUtf8Printable(why));
        m_controller->setSharedLocks(m_locks.get());
    }
    connectController();
    m_controller->setAutoEnabled(true);
    return true;
}

void MonitorService::connectController()
{
    RemediationController* c = m_controller.get();
    RecorderFeed::connect(*c, *m_monitor->detector(), *m_recorder);
    connect(c, &RemediationController::runStarted, this, [this](const QString& runId, SafetyRequest::Purpose p) {
        RemediationEvent e = runEvent(RemediationEvent::Kind::RunStarted, runId);
        e.purpose = purposeName(p);
        if (const auto run = m_controller->lastRun(runId, p))
            e.operatorName = run->operatorName;
        m_runs.insert(runId, e);
        Q_EMIT remediationEvent(e);
    });
    connect(c, &RemediationController::stepChanged, this,
        [this](const QString& runId, int index, const StepReport& report) {
            RemediationEvent e = runEvent(RemediationEvent::Kind::Step, runId);
            e.step = index;
            e.stepName = report.name;
            e.status = StepReport::statusName(report.status);
            e.reason = report.reason;
            Q_EMIT remediationEvent(e);
        });
    connect(c, &RemediationController::runFinished, this,
        [this](const QString& runId, SafetyRequest::Purpose, const RunbookOutcome& outcome, bool verified) {
            RemediationEvent e = runEvent(RemediationEvent::Kind::RunFinished, runId);
            e.runbook = outcome.runbook;
            e.result = RunbookOutcome::resultName(outcome.result);
            e.verified = verified;
            e.rolledBack = outcome.rolledBack;
            e.notRolledBack = outcome.notRolledBack;
            e.message = outcome.message;
            m_runs.remove(runId);
            Q_EMIT remediationEvent(e);
            if (m_stopRequests > 0)
                finishWhenIdle();
        });
    connect(c, &RemediationController::escalated, this, [this](const QString& faultId, const QString& message) {
        RemediationEvent e = runEvent(RemediationEvent::Kind::Escalated, faultId);
        e.message = message;
        Q_EMIT remediationEvent(e);
    });
}

RemediationEvent MonitorService::runEvent(RemediationEvent::Kind kind, const QString& runId) const
{
    RemediationEvent e = m_runs.value(runId);
    e.kind = kind;
    e.timeMs = QDateTime::currentMSecsSinceEpoch();
    e.run = runId;
    if (e.target.isEmpty()) {
        if (const auto fault = m_monitor->detector()->fault(runId)) {
            e.target = fault->target;
            const QString stored = m_recorder ? m_recorder->storeId(fault->incidentId) : QString();
            e.incident = stored.isEmpty() ? fault->incidentId : stored;
        }
    }
    return e;
}

void MonitorService::announceAutomation()
{
    // What automation starts with: the switches a person set (from the shared state file), the targets it gave up
    // on and those held back by a remediation an earlier run left unfinished. None of these is overridden here.
    QJsonArray off;
    QJsonArray givenUp;
    QJsonArray heldBack;
    QStringList notes;
    for (const TargetConfig& t : m_monitor->config().targets) {
        if (!m_controller->autoEnabledFor(t.name))
            off.append(t.name);
        const QString held = m_controller->autoHeldBack(t.name);
        if (!held.isEmpty()) {
            heldBack.append(QJsonObject { { QStringLiteral("target"), t.name }, { QStringLiteral("reason"), held } });
            notes << QStringLiteral("held back on %1: %2").arg(t.name, held);
        }
    }
    for (const auto& [target, reason] : m_controller->givenUp()) {
        givenUp.append(QJsonObject { { QStringLiteral("target"), target }, { QStringLiteral("reason"), reason } });
        notes << QStringLiteral("gave up on %1: %2").arg(target, reason);
    }
    RemediationEvent e;
    e.kind = RemediationEvent::Kind::Automation;
    e.timeMs = QDateTime::currentMSecsSinceEpoch();
    e.operatorName = m_options.operatorName;
    e.details = QJsonObject { { QStringLiteral("enabled"), m_controller->autoEnabled() },
        { QStringLiteral("off"), off }, { QStringLiteral("given_up"), givenUp },
        { QStringLiteral("held_back"), heldBack }, { QStringLiteral("locks"), m_lockDir },
        { QStringLiteral("state_file"), m_controller->automationStateFile() },
        { QStringLiteral("database"), m_store->displayName() } };
    QStringList offNames;
    for (const auto& v : std::as_const(off))
        offNames << v.toString();
    e.message = QStringLiteral("on for %1 of %2 targets%3 (audit in %4, locks in %5)%6")
                    .arg(m_monitor->config().targets.size() - off.size())
                    .arg(m_monitor->config().targets.size())
                    .arg(offNames.isEmpty() ? QString() : QString(u"; off for " + offNames.join(QStringLiteral(", "))),
                        m_store->displayName(), m_lockDir,
                        notes.isEmpty() ? QString() : QString(u"; " + notes.join(QStringLiteral("; "))));
    Q_EMIT remediationEvent(e);
}

void MonitorService::requestStop(const QString& reason)
{
    if (m_finished)
        return;
    ++m_stopRequests;
    const QStringList running = m_controller ? m_controller->runningIds() : QStringList();
    if (m_stopRequests >= 3 || (m_stopRequests == 2 && running.isEmpty())) {
        shutDown(running.isEmpty());
        return;
    }
    if (!m_controller || running.isEmpty()) {
        if (m_controller)
            m_controller->stopRuns(reason, false); // nothing new starts while the rest is written
        // Later, not from inside the caller (a signal handler's slot, a timer): the caller may still use us.
        QTimer::singleShot(0, this, [this] { shutDown(true); });
        return;
    }
    RemediationEvent e;
    e.kind = RemediationEvent::Kind::Stopping;
    e.timeMs = QDateTime::currentMSecsSinceEpoch();
    e.running = running;
    if (m_stopRequests == 1) {
        e.message = QStringLiteral("%1: no new remediation starts; the running steps may finish (up to %2 s), then "
                                   "the rest of their runbooks is skipped and their done steps rolled back; "
                                   "a second signal aborts them at once")
                        .arg(reason)
                        .arg(double(m_options.stopGrace.count()) / 1000);
        Q_EMIT remediationEvent(e);
        m_controller->stopRuns(QStringLiteral("shutdown (%1)").arg(reason), false);
        m_graceTimer.start(m_options.stopGrace);
    } else {
        e.message = QStringLiteral("%1 again: aborting the running steps now and rolling back; a third signal "
                                   "stops without waiting")
                        .arg(reason);
        Q_EMIT remediationEvent(e);
        m_controller->stopRuns(QStringLiteral("shutdown (%1, second signal)").arg(reason), true);
    }
    finishWhenIdle();
}

void MonitorService::finishWhenIdle()
{
    if (m_controller && !m_controller->runningIds().isEmpty())
        return;
    QTimer::singleShot(0, this, [this] { shutDown(true); });
}

void MonitorService::shutDown(bool clean)
{
    if (m_finished)
        return;
    m_finished = true;
    m_graceTimer.stop();
    m_maintenanceTimer.stop();
    for (const auto& source : m_alertSources)
        source->stop();
    if (m_maintenance) {
        m_maintenance->stop();
        m_maintenance->setDetector(nullptr);
    }
    // The controller before what it writes to: a run still in flight (a stop that did not wait) has its step
    // aborted and its locks released here; its intents stay without a result for the next start to find.
    m_controller.reset();
    if (m_recorder) {
        m_recorder->saveAllSeries();
        m_recorder->waitForWrites();
    }
    if (m_monitor)
        m_monitor->stop();
    Q_EMIT finished(clean);
}

} // namespace FaultDesk
