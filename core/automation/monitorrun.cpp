#include "automation/monitorrun.h"

#include "config/fleetconfig.h"
#include "detect/detectionevent.h"
#include "util/signalwatcher.h"

#include <QEventLoop>
#include <QTimer>

#include <csignal>

namespace FaultDesk {

MonitorRun::MonitorRun(Options options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
{ }

bool MonitorRun::run(const FleetConfig& config, QString* error)
{
    MonitorService service(m_options.service);
    connect(&service, &MonitorService::remediationEvent, this,
        [this](const RemediationEvent& e) { Q_EMIT event(e.toJson(), e.toText()); });
    if (!service.start(config, error))
        return false;
    connect(service.monitor(), &Monitor::eventRaised, this,
        [this](const DetectionEvent& e) { Q_EMIT event(e.toJson(), e.toText()); });
    QEventLoop loop;
    bool clean = false;
    connect(&service, &MonitorService::finished, &loop, [&](bool stoppedClean) {
        clean = stoppedClean;
        loop.quit();
    });
    SignalWatcher watcher;
    connect(&watcher, &SignalWatcher::terminationRequested, &service, [&service](int signal) {
        service.requestStop(signal == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"));
    });
    if (m_options.duration.count() > 0)
        QTimer::singleShot(
            m_options.duration, &service, [&service] { service.requestStop(QStringLiteral("--duration")); });
    Q_EMIT progress(QStringLiteral("Monitoring %1 targets from %2%3 (Ctrl+C to stop)")
                        .arg(config.targets.size())
                        .arg(config.sourceFile,
                            m_options.service.automation ? QStringLiteral(" with automatic remediation") : QString()));
    loop.exec();
    m_summary = service.monitor()->summary();
    Q_EMIT progress(QStringLiteral("Stopped: %1/%2 targets up, %3 active faults")
                        .arg(m_summary.up)
                        .arg(m_summary.total)
                        .arg(m_summary.activeFaults));
    return clean;
}

} // namespace FaultDesk
