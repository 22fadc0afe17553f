#pragma once

#include "automation/remediationevent.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <memory>
#include <vector>

namespace FaultDesk {

class AdvisoryLocks;
class AlertmanagerSource;
class IncidentRecorder;
class IncidentStore;
class MaintenanceController;
class MaintenanceStore;
class Monitor;
class RemediationController;
class StoreNotifier;
struct FleetConfig;

/**
 * `faultdesk monitor` without a window: the Monitor on a fleet with its Alertmanager sources, the incident
 * database the incidents are recorded in and, with automation, the console's automatic remediation — the same
 * RemediationController with its safety gates, target locks beside the database, automation state file
 * (switches, attempts, give-ups) and audit trail, and the maintenance windows kept in the database — so a server
 * can own automation while operators watch from their consoles. Every automatic action is reported as a
 * RemediationEvent. Stops in steps (requestStop()) so that no runbook is left half applied.
 */
class MonitorService : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        /// The incident database (a file or a postgresql:// URL). Empty: incidents are not recorded, except with
        /// automation, which never acts without an audit trail: then the console's default database.
        QString db;
        bool automation = false; ///< run automatic remediation (turns the global switch on, audited)
        QString operatorName; ///< who turned automation on, in the audit trail; empty: $USER, else "faultdesk"
        /// At a stop, a running step gets this long to finish before it is aborted.
        std::chrono::milliseconds stopGrace { 30000 };
        /// Runtime maintenance windows (created from a console) are read again this often.
        std::chrono::milliseconds maintenanceRefresh { 15000 };
    };

    explicit MonitorService(Options options, QObject* parent = nullptr);
    ~MonitorService() override;

    /// Starts monitoring @p config and, with automation, remediating. False with @p error (nothing started) when
    /// the database, the maintenance windows or the automation state cannot be read: automation fails closed.
    bool start(const FleetConfig& config, QString* error);

    /**
     * Asks the service to stop (@p reason: "SIGTERM", "--duration"). The first request lets nothing new start;
     * each running step may finish (up to Options::stopGrace, then it is aborted), the rest of its runbook does
     * not run and its done steps are rolled back where the runbook can. A second request aborts the running steps
     * at once (and rolls back). A third stops without waiting for anything. finished() follows once the audit
     * trail and the incidents are written.
     */
    void requestStop(const QString& reason);

    Monitor* monitor() const { return m_monitor.get(); }
    /// The remediation controller; null without automation.
    RemediationController* controller() const { return m_controller.get(); }
    /// Where remediation locks are taken (beside the incident database, as the console's); empty without automation.
    QString lockDirectory() const { return m_lockDir; }

Q_SIGNALS:
    void remediationEvent(const FaultDesk::RemediationEvent& event);
    /// Stopped and written. @p clean is false when a stop did not wait for a running remediation (its intents stay
    /// unfinished in the audit trail, and the next start holds automation back on its target).
    void finished(bool clean);

private:
    bool startAutomation(QString* error);
    void connectController();
    RemediationEvent runEvent(RemediationEvent::Kind kind, const QString& runId) const;
    void announceAutomation();
    void finishWhenIdle();
    void shutDown(bool clean);

    Options m_options;
    std::unique_ptr<Monitor> m_monitor;
    std::unique_ptr<IncidentStore> m_store;
    std::unique_ptr<IncidentRecorder> m_recorder;
    std::unique_ptr<MaintenanceStore> m_maintenanceStore;
    std::unique_ptr<MaintenanceController> m_maintenance;
    std::unique_ptr<StoreNotifier> m_notifier; ///< a team's PostgreSQL store only
    std::unique_ptr<AdvisoryLocks> m_locks; ///< a team's PostgreSQL store only; outlives the controller
    std::unique_ptr<RemediationController> m_controller;
    std::vector<std::unique_ptr<AlertmanagerSource>> m_alertSources;
    QString m_lockDir;
    QHash<QString, RemediationEvent> m_runs; ///< run id → what is known of it from its start
    QTimer m_maintenanceTimer;
    QTimer m_graceTimer;
    int m_stopRequests = 0;
    bool m_finished = false;
};

} // namespace FaultDesk
