#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <chrono>
#include <memory>

namespace FaultDesk {

class DemoFleetProcess;
class IncidentRecorder;
class JsonlAuditSink;
class IncidentStore;
class Monitor;
class RemediationController;

/**
 * Everything a headless drill needs, set up in one place: the demo fleet process, its configuration (with extra
 * runbooks bound if asked), the monitor watching it, the incident database the drill is recorded in (marked as a
 * drill), and the remediation controller with drill timings. `faultdesk drill` and `faultdesk drill campaign` use
 * it; so can a test.
 */
class DemoDrillSession : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QStringList fleetArguments; ///< extra `faultdesk-fleetsim run` arguments (timings)
        QString runbooksFile; ///< bind the runbooks of this file to the demo fleet
        QString dbPath; ///< the incident database; empty: the default one
        /// Record incidents and the audit trail in the database; else the audit trail goes to audit.jsonl in the
        /// fleet's runtime directory (remediation never acts without recording its intent).
        bool record = true;
        std::chrono::milliseconds phaseTimeout { 60000 };
        QString operatorName; ///< empty: $USER, else "drill"
    };

    /// Why start() failed.
    enum class Failure {
        None,
        Fleet, ///< the demo fleet did not start or wrote an invalid configuration
        Runbooks, ///< the runbooks file is invalid (bad input)
        Store, ///< the incident database cannot be opened
    };

    explicit DemoDrillSession(Options options, QObject* parent = nullptr);
    ~DemoDrillSession() override;

    /// Starts the fleet (running the event loop until it is ready), loads its configuration and starts monitoring.
    /// On failure, @p error holds the lines to show (config errors as file:line:col).
    Failure start(QString* error);
    /// Writes what is recorded and stops monitoring and the fleet; idempotent.
    void stop();

    DemoFleetProcess* fleet() const { return m_fleet.get(); }
    Monitor* monitor() const { return m_monitor.get(); }
    RemediationController* controller() const { return m_controller.get(); }
    QString operatorName() const { return m_operator; }

private:
    Options m_options;
    QString m_operator;
    std::unique_ptr<DemoFleetProcess> m_fleet;
    std::unique_ptr<Monitor> m_monitor;
    std::unique_ptr<IncidentStore> m_store;
    std::unique_ptr<IncidentRecorder> m_recorder;
    std::unique_ptr<JsonlAuditSink> m_auditFile;
    std::unique_ptr<RemediationController> m_controller;
    bool m_stopped = false;
};

} // namespace FaultDesk
