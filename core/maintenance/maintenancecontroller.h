#pragma once

#include "maintenance/expiryreminder.h"
#include "maintenance/maintenanceschedule.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <chrono>

namespace FaultDesk {

class AuditSink;
class Detector;
class MaintenanceStore;
struct FleetConfig;

/**
 * Puts the maintenance schedule to work: keeps the Detector's suppression in step with the windows (targets
 * entering a window stop raising faults, targets leaving one are judged afresh), restores and saves runtime windows
 * in a MaintenanceStore, audits every window created or ended, and reminds before a window ends. Re-evaluates on
 * its own timer against the schedule's injectable clock; evaluate() lets tests drive it.
 */
class MaintenanceController : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        std::chrono::milliseconds checkInterval { 1000 }; ///< how often windows starting or ending are noticed
        std::chrono::milliseconds reminderLead { 10 * 60 * 1000 }; ///< reminder this long before a window ends
        std::chrono::milliseconds reminderCheck { 5000 }; ///< how often the reminder looks
        qint64 maxLengthMs = MaintenanceSchedule::DefaultMaxLengthMs; ///< longer windows need confirmation
        qint64 keepEndedMs = 7LL * 24 * 3600 * 1000; ///< ended runtime windows stay listed (and stored) this long
    };

    explicit MaintenanceController(QObject* parent = nullptr);
    ~MaintenanceController() override;

    void setSettings(const Settings& settings);
    Settings settings() const { return m_settings; }
    /// The clock for windows, reminders and audit times (tests inject one); UTC.
    void setClock(MaintenanceSchedule::Clock clock);
    QDateTime now() const { return m_schedule.now(); }

    /// Suppresses faults on @p detector (not owned; nullptr detaches) for targets in maintenance.
    void setDetector(Detector* detector);
    /// Restores runtime windows from @p store (not owned) and saves the ones created or ended from now on.
    bool setStore(MaintenanceStore* store, QString* error = nullptr);
    /// Where creating and ending windows is recorded (not owned); nullptr: not audited.
    void setAuditSink(AuditSink* audit) { m_audit = audit; }
    /// A fleet was (re)loaded: its configured windows and group membership.
    void setFleet(const FleetConfig& config);

    /// Starts the periodic evaluation (and evaluates now).
    void start();
    void stop();

    /**
     * Creates a runtime window from @p window (id, creation time and @p operatorName filled in). Refused with a
     * readable @p error when the window is not acceptable (see MaintenanceWindow::problem) or cannot be audited.
     * Returns the new id, or empty.
     */
    QString create(MaintenanceWindow window, const QString& operatorName, bool confirmedLong, QString* error = nullptr);
    /// Ends runtime window @p id now (a planned one is cancelled); audited and saved.
    bool endNow(const QString& id, const QString& operatorName, QString* error = nullptr);

    /**
     * Takes up the stored window @p id as it is now: made, changed or ended by another console sharing the store
     * (StoreNotifier announced it), or by this one. False with @p error when it cannot be read.
     */
    bool applyStored(const QString& id, QString* error = nullptr);

    const MaintenanceSchedule& schedule() const { return m_schedule; }
    /// Windows running or planned, by start (ended ones are kept only for a while, see Settings::keepEndedMs).
    QList<MaintenanceWindow> windows() const { return m_schedule.windows(); }
    /// Targets in maintenance as of the last evaluation, each with its note ("in a maintenance window until …").
    QHash<QString, QString> activeTargets() const { return m_notes; }
    int activeCount() const { return int(m_notes.size()); }
    /// "in a maintenance window until 14:30 (kernel upgrade)" for @p target, or empty.
    QString noteFor(const QString& target) const { return m_notes.value(target); }
    ExpiryReminder* reminder() { return &m_reminder; }

public Q_SLOTS:
    /// Judges who is in maintenance now; applies and announces the changes.
    void evaluate();

Q_SIGNALS:
    /// The list of windows changed (created, ended, reloaded).
    void windowsChanged();
    /// The set of targets in maintenance, or a note, changed.
    void activeChanged();
    void windowStarted(const FaultDesk::MaintenanceWindow& window);
    void windowEnded(const FaultDesk::MaintenanceWindow& window);
    /// A window ends within the reminder lead.
    void endingSoon(const QString& id, const QString& label, const QDateTime& endsAt);
    /// Saving a window failed; the window still applies in this session.
    void errorOccurred(const QString& message);

private:
    bool audit(const QString& runbook, const MaintenanceWindow& window, const QString& operatorName,
        const QString& description, QString* error);
    void save(const MaintenanceWindow& window);

    Settings m_settings;
    MaintenanceSchedule m_schedule;
    ExpiryReminder m_reminder;
    QTimer m_timer;
    QPointer<Detector> m_detector;
    MaintenanceStore* m_store = nullptr;
    AuditSink* m_audit = nullptr;
    QHash<QString, QString> m_notes; ///< target → note, as applied to the detector
    QSet<QString> m_activeWindows; ///< ids of windows running at the last evaluation
};

} // namespace FaultDesk
