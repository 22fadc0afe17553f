#include "drill/demodrillsession.h"

#include "drill/demofleetprocess.h"

#include "audit/jsonlauditsink.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "incident/incidentrecorder.h"
#include "incident/incidentstore.h"
#include "monitor/monitor.h"
#include "remedy/recorderfeed.h"
#include "remedy/remediationcontroller.h"

#include <QDir>

namespace FaultDesk {

DemoDrillSession::DemoDrillSession(Options options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_operator(m_options.operatorName.isEmpty() ? qEnvironmentVariable("USER", QStringLiteral("drill"))
                                                  : m_options.operatorName)
{ }

DemoDrillSession::~DemoDrillSession()
{
    stop();
}

DemoDrillSession::Failure DemoDrillSession::start(QString* error)
{
    auto errorLines = [](const ConfigLoadResult& r) {
        QStringList lines;
        for (const ConfigError& e : r.errors)
            lines << e.toString();
        return lines.join(u'\n');
    };
    m_fleet = std::make_unique<DemoFleetProcess>();
    m_fleet->setExtraArguments(m_options.fleetArguments);
    QString why;
    if (!m_fleet->start(60000, &why)) {
        *error = QStringLiteral("the demo fleet did not start: %1").arg(why);
        return Failure::Fleet;
    }
    ConfigLoadResult loaded = FleetConfigLoader::loadFile(m_fleet->fleetConfigPath());
    if (!loaded.ok()) {
        *error = errorLines(loaded);
        return Failure::Fleet;
    }
    if (!m_options.runbooksFile.isEmpty()) {
        loaded = FleetConfigLoader::loadRunbooks(m_options.runbooksFile, *loaded.config);
        if (!loaded.ok()) {
            *error = errorLines(loaded);
            return Failure::Runbooks;
        }
    }

    AuditSink* audit = nullptr;
    m_monitor = std::make_unique<Monitor>();
    m_monitor->setConfig(*loaded.config);
    if (m_options.record) {
        // Drills are recorded like real incidents (marked as drills, so they stay out of the MTTx figures), so
        // `faultdesk report --last` right after a drill gives its report; the actions' audit records land on them.
        IncidentStore::Options o;
        o.path = m_options.dbPath;
        m_store = std::make_unique<IncidentStore>(o);
        if (!m_store->open(&why)) {
            *error = QStringLiteral("%1: %2").arg(o.path.isEmpty() ? IncidentStore::defaultPath() : o.path, why);
            return Failure::Store;
        }
        m_recorder = std::make_unique<IncidentRecorder>(m_store.get());
        m_recorder->setDrill(true);
        m_recorder->attach(m_monitor->detector(), m_monitor->store(), m_monitor->config());
        audit = m_recorder.get();
    }
    if (!audit) {
        m_auditFile = std::make_unique<JsonlAuditSink>(m_fleet->runtimeDirectory() + QStringLiteral("/audit.jsonl"));
        audit = m_auditFile.get();
    }
    m_monitor->start();

    const QString lockDir = m_fleet->runtimeDirectory() + QStringLiteral("/locks");
    QDir().mkpath(lockDir);
    m_controller = std::make_unique<RemediationController>(
        m_monitor->config(), m_monitor->detector(), audit, lockDir, m_operator);
    RemediationController::Settings settings;
    settings.pollInterval = std::chrono::milliseconds(500);
    settings.waitInterval = std::chrono::milliseconds(300);
    settings.settle = std::chrono::milliseconds(2000);
    settings.verifyDeadline = m_options.phaseTimeout / 2;
    m_controller->setSettings(settings);
    if (m_recorder)
        RecorderFeed::connect(*m_controller, *m_monitor->detector(), *m_recorder);
    return Failure::None;
}

void DemoDrillSession::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_recorder) {
        m_recorder->saveAllSeries();
        m_recorder->waitForWrites();
    }
    m_controller.reset();
    if (m_monitor)
        m_monitor->stop();
    if (m_fleet)
        m_fleet->stop();
}

} // namespace FaultDesk
