#pragma once

#include "automation/monitorservice.h"
#include "monitor/monitor.h"

#include <QJsonObject>
#include <QObject>

#include <chrono>

namespace FaultDesk {

struct FleetConfig;

/**
 * One headless monitoring run, as `faultdesk monitor` and `faultdesk demo --headless` do it: MonitorService on a
 * fleet until SIGINT/SIGTERM or a duration stops it (in steps: a running remediation step may finish, a second
 * signal aborts it), every detection and remediation event given both as JSON and as a line of text.
 */
class MonitorRun : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        MonitorService::Options service;
        std::chrono::milliseconds duration { 0 }; ///< stop after this long; 0: until SIGINT or SIGTERM
    };

    explicit MonitorRun(Options options, QObject* parent = nullptr);

    /// Monitors @p config under a local event loop until it is stopped. False when it did not start (@p error says
    /// why, and nothing else is said) or when a stop did not wait for a running remediation (@p error stays empty).
    bool run(const FleetConfig& config, QString* error);
    /// What the monitor saw when the run stopped.
    Monitor::Summary summary() const { return m_summary; }

Q_SIGNALS:
    /// A line for the operator when the run starts ("Monitoring 8 targets from fleet.yaml (Ctrl+C to stop)") and
    /// when it stops ("Stopped: 7/8 targets up, 1 active faults").
    void progress(const QString& line);
    /// A detection or remediation event: @p json is a line of `monitor --json`, @p text the terminal's.
    void event(const QJsonObject& json, const QString& text);

private:
    Options m_options;
    Monitor::Summary m_summary;
};

} // namespace FaultDesk
