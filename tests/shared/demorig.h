#pragma once

// The demo fleet as the remediation tests use it: faultdesk-fleetsim and HAProxy on loopback with fast health
// checks, a Monitor watching them, and a scratch directory for the audit trail and the remediation locks.

#include "audit/jsonlauditsink.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "monitor/monitor.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>

namespace FaultDesk::Test {

class DemoRig
{
public:
    /// Changes the loaded fleet configuration before the monitor sees it (runbooks, say); false with @p error stops.
    using Adjust = std::function<bool(FleetConfig& config, QString* error)>;

    DemoRig() = default;
    DemoRig(const DemoRig&) = delete;
    DemoRig& operator=(const DemoRig&) = delete;
    ~DemoRig() { stop(); }

    /// Starts the fleet (checks every 300 ms), loads the configuration it writes and starts a monitor on it.
    bool start(QString* error, const Adjust& adjust = {})
    {
        qputenv("PATH", QByteArray(FAULTDESK_BIN_DIR ":") + qgetenv("PATH"));
        QDir().mkpath(lockDir());
        m_fleet = std::make_unique<DemoFleetProcess>();
        m_fleet->setExtraArguments({ QStringLiteral("--check-inter"), QStringLiteral("300ms") });
        if (!m_fleet->start(60000, error))
            return false;
        const ConfigLoadResult loaded = FleetConfigLoader::loadFile(m_fleet->fleetConfigPath());
        if (!loaded.ok()) {
            *error = loaded.errors.value(0).toString();
            return false;
        }
        FleetConfig config = *loaded.config;
        if (adjust && !adjust(config, error))
            return false;
        m_monitor = std::make_unique<Monitor>();
        m_monitor->setConfig(config);
        m_monitor->start();
        m_audit = std::make_unique<JsonlAuditSink>(path(QStringLiteral("audit.jsonl")));
        return true;
    }

    /// Stops the monitor and the fleet (and its children).
    void stop()
    {
        if (m_monitor)
            m_monitor->stop();
        if (m_fleet)
            m_fleet->stop();
    }

    DemoFleetProcess* fleet() const { return m_fleet.get(); }
    Monitor* monitor() const { return m_monitor.get(); }
    Detector* detector() const { return m_monitor->detector(); }
    JsonlAuditSink* audit() const { return m_audit.get(); }
    /// @p name in the scratch directory.
    QString path(const QString& name) const { return m_dir.filePath(name); }
    /// Where the remediation locks go (created by start()).
    QString lockDir() const { return path(QStringLiteral("locks")); }

    /// Every target the monitor knows is UP.
    bool allUp() const
    {
        const auto st = detector()->statuses();
        return !st.isEmpty()
            && std::all_of(st.cbegin(), st.cend(), [](const TargetStatus& s) { return s.state == TargetState::Up; });
    }

    /// The first open fault past detection that @p match accepts, waiting up to @p timeoutMs for one.
    std::optional<Fault> waitForFault(const std::function<bool(const Fault&)>& match, int timeoutMs = 30000) const
    {
        QElapsedTimer clock;
        clock.start();
        do {
            for (const Fault& f : detector()->openFaults())
                if (f.phase != Fault::Phase::Detected && match(f))
                    return f;
            QTest::qWait(100);
        } while (clock.elapsed() < timeoutMs);
        return std::nullopt;
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DemoFleetProcess> m_fleet;
    std::unique_ptr<Monitor> m_monitor;
    std::unique_ptr<JsonlAuditSink> m_audit;
};

} // namespace FaultDesk::Test
