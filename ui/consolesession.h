#pragma once

#include "incident/incidentrecorder.h"
#include "incident/incidentstore.h"
#include "maintenance/expiryreminder.h"
#include "maintenance/maintenancecontroller.h"
#include "maintenance/maintenancestore.h"
#include "monitor/monitor.h"
#include "ui/mainwindow.h"

#include <QSet>
#include <QString>

#include <memory>
#include <vector>

class QDockWidget;

namespace FaultDesk {

class AcknowledgementManager;
class AdvisoryLocks;
class IncidentHistoryView;
class StoreNotifier;
class AlertmanagerSource;
class AuditSink;
class DemoFleetProcess;
class MaintenanceConsole;
class RemediationController;
struct FleetConfig;

/**
 * One console: the window, the monitor it shows, the incident database (history, audit trail, maintenance
 * windows), acknowledgements and silences, and Handle/Recover with automation for the fleet now open — and, for the
 * demo, the fleet it watches. `faultdesk [FLEET.yaml]` and `faultdesk demo` make one; opening another fleet
 * (File ▸ Open) swaps the monitor's configuration and the remediation that reads it.
 */
class ConsoleSession
{
public:
    /// @p dbPath: the incident database (file or postgresql:// URL); empty: the default file. A database that does
    /// not open is shown in the window, and incidents wait in memory.
    explicit ConsoleSession(const QString& dbPath = {});
    ~ConsoleSession();
    ConsoleSession(const ConsoleSession&) = delete;
    ConsoleSession& operator=(const ConsoleSession&) = delete;

    MainWindow& window() { return m_window; }
    Monitor& monitor() { return m_monitor; }
    /// Handle/Recover for the fleet now monitored (null before a fleet is open).
    RemediationController* remedy() const { return m_remedy.get(); }

    /// Shows the window, filling the screen when asked (displays without a window manager, e.g. Xvfb).
    void show(bool fillScreen);
    /// Loads and monitors @p path; on errors shows them (file:line:col) and keeps what runs now.
    bool openFleet(const QString& path);
    /// The demo fleet the window offers drills on (not owned; null: none).
    void setDemo(DemoFleetProcess* demo);
    /**
     * Starts @p fleet (not owned; it must outlive the session's use of it), telling the operator in the status
     * bar, and monitors it. False when it did not start or its fleet description has errors (both shown, in the
     * window and on stderr). The window says so should the fleet stop later.
     */
    bool startDemo(DemoFleetProcess* fleet);
    /// Injects @p kind on @p target (empty: the demo's default) after @p delayS, as the Drill menu runs it: with
    /// @p automatic the engine presses Handle, ends the cause and presses Recover (audited as "drill"); without,
    /// the operator presses the buttons and the engine follows.
    void scheduleDrill(const QString& kind, const QString& target, bool automatic, int delayS);
    void stop() { m_monitor.stop(); }

private:
    static IncidentStore::Options storeOptions(const QString& path);
    /// Acknowledge/Unacknowledge (Faults menu, context menu, Ctrl+K) and the acknowledgements kept from the last run.
    void attachAcknowledgements();
    /// Keeps the reminder's list equal to the silences FaultDesk holds now.
    void watchSilences();
    /**
     * A team's PostgreSQL store: the other consoles' incidents, acknowledgements and maintenance windows as they are
     * committed (LISTEN/NOTIFY, then that one row is read), and remediation locks that are the store's advisory locks,
     * with who is acting in the status bar.
     */
    void attachTeam(IncidentHistoryView* history);
    /// One AlertmanagerSource per `alertmanager:` entry of the fleet now monitored; its alerts become faults.
    void attachAlertSources(const FleetConfig& config);
    /// Handle/Recover for the fleet now monitored: the controller reads the configuration when it is made.
    void attachRemediation();
    /// Maintenance windows: restored from the incident database, audited, shown in the status bar and fleet view.
    void attachMaintenance();

    // Declared in this order so the window goes first and the monitor last.
    Monitor m_monitor;
    IncidentStore m_store;
    MaintenanceStore m_maintenanceStore { &m_store };
    IncidentRecorder m_recorder;
    MainWindow m_window;
    /// The recorder, and the window's action log and chart as records are written.
    std::unique_ptr<AuditSink> m_audit;
    MaintenanceController m_maintenance;
    MaintenanceConsole* m_maintenanceConsole = nullptr; ///< owned by m_window
    std::unique_ptr<StoreNotifier> m_notifier; ///< a team's store only
    std::unique_ptr<AdvisoryLocks> m_locks; ///< a team's store only; outlives the controller
    std::unique_ptr<RemediationController> m_remedy;
    std::unique_ptr<AcknowledgementManager> m_acks;
    ExpiryReminder m_silenceReminder;
    QSet<QString> m_watchedSilences;
    std::vector<std::unique_ptr<AlertmanagerSource>> m_alertSources;
    QDockWidget* m_autoDock = nullptr;
    DemoFleetProcess* m_demo = nullptr;
    bool m_running = false;
};

} // namespace FaultDesk
