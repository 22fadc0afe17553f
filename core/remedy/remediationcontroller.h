#pragma once

#include "remedy/automationpolicy.h"
#include "remedy/remediationbaseline.h"
#include "remedy/remediationplan.h"
#include "remedy/remediationsettings.h"
#include "remedy/runbook.h"
#include "remedy/runbookoutcome.h"
#include "remedy/safetygates.h"
#include "remedy/targetlock.h"
#include "remedy/unfinishedremediations.h"

#include "config/fleetconfig.h"
#include "detect/fault.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <chrono>
#include <memory>

namespace FaultDesk {

class AdvisoryLocks;
class AuditSink;
class BaselinePoller;
class Detector;
class RemediationGates;
class RunbookExecutor;
class RunbookFactory;

/**
 * Turns a located fault into one-click Handle (mitigate) and Recover (back to the pre-fault baseline). Keeps the
 * last healthy state of what remediation may touch (read back by BaselinePoller) and freezes it as the fault's
 * baseline when the fault is detected. Runs the runbook RunbookFactory builds through RunbookExecutor, with the
 * safety gates checked before every step: a step that shrinks a pool holds its backend's lock from the gate check
 * through the step and is judged on the pool read fresh. Holds the target's TargetLock for the run (inherited by
 * the commands it starts, so a remediation whose child outlives a crash keeps it), reports the fault's phase to the
 * Detector, writes every action to the AuditSink and leaves automation to AutomationPolicy.
 */
class RemediationController : public QObject
{
    Q_OBJECT

public:
    using Settings = RemediationSettings;

    /// A finished or running remediation of one fault, for lists and the drill summary.
    struct Run
    {
        QString faultId;
        SafetyRequest::Purpose purpose = SafetyRequest::Purpose::Handle;
        QString operatorName;
        bool running = false;
        RunbookOutcome outcome;
        bool verified = false; ///< Recover: read-back equals the baseline and the target is healthy
        qint64 startedMs = 0;
        qint64 finishedMs = 0;
        int stepCount = 0; ///< steps of the runbook
        int step = -1; ///< the step reported last (0-based); -1 before the first
        QString stepName; ///< its name
        StepReport::Status stepStatus = StepReport::Status::Pending; ///< its status (Verifying while it verifies)
    };

    /// Acts on @p config's fleet as @p detector sees it; both must outlive the controller (the monitor's).
    RemediationController(const FleetConfig& config, Detector* detector, AuditSink* audit, QString lockDirectory,
        QString operatorName, QObject* parent = nullptr);
    ~RemediationController() override;

    /**
     * Takes the remediation locks (targets and backends) from @p locks, a team's PostgreSQL store, instead of the lock
     * directory (null: the directory again). Automation then acts only with such a lock (fail closed when the store
     * cannot be reached); a manual run falls back to the local lock directory with a warning. A fault whose
     * target another console is remediating (or remediated since this fault began) is left to that console's
     * automation: handledElsewhere() names it. Not owned; must outlive the controller.
     */
    void setSharedLocks(AdvisoryLocks* locks);
    AdvisoryLocks* sharedLocks() const { return m_shared; }
    /// Who holds the remediation lock of @p target now (another console or this one), if anyone.
    std::optional<TargetLock::Holder> lockHolder(const QString& target) const;
    /// "alice (host:1234) is handling web-2 since 10:41:07" while anyone holds the lock of @p faultId's target, else
    /// handledElsewhere(); empty when nobody acts on it. For the fault panel's "who is acting" line.
    QString actingOn(const QString& faultId) const;
    /// "handled by alice (host:1234, crash/handle since …)" when another console's automation owns @p faultId.
    QString handledElsewhere(const QString& faultId) const { return m_elsewhere.value(faultId); }

    /// The fleet configuration the controller acts on.
    const FleetConfig& fleetConfig() const { return m_config; }
    /// The operator this console acts for (the default for handle/recover/abort).
    QString operatorName() const { return m_operator; }
    void setSettings(const Settings& settings);
    Settings settings() const { return m_settings; }

    /// Whether Handle may start for @p faultId now, with the reasons when not.
    SafetyDecision canHandle(const QString& faultId) const;
    /// Whether Recover may start for @p faultId now (a baseline is needed, and the gates).
    SafetyDecision canRecover(const QString& faultId) const;
    /// The plan Handle or Recover would run, without running anything; @p switchBack as for recover().
    RemediationPlan preview(const QString& faultId, SafetyRequest::Purpose purpose, bool switchBack = false) const;
    /// Starts Handle; false with @p error when refused. runFinished() follows.
    bool handle(const QString& faultId, const QString& operatorName = {}, QString* error = nullptr);
    /**
     * Starts Recover; false with @p error when refused. runFinished() follows. @p switchBack (never automatic): a
     * PostgreSQL fail-over's Recover ends by making the rebuilt primary the primary again (the plan's
     * switchBackOffer); refused where none is offered.
     */
    bool recover(
        const QString& faultId, const QString& operatorName = {}, QString* error = nullptr, bool switchBack = false);
    /// Aborts the run of @p faultId: done steps are rolled back and listed in the outcome.
    bool abort(const QString& faultId, const QString& by);

    bool isRunning(const QString& faultId) const;
    /// The ids of the runs in flight (fault ids, or unfinishedRunId() for a recovery without a fault).
    QStringList runningIds() const { return m_active.keys(); }
    /**
     * For a shutdown: from now on no run starts (automatic or asked for). Each run in flight lets its running step
     * finish — or, with @p immediately, has it aborted — and then stops and rolls back its done steps where the
     * runbook can; runFinished() follows for each, with the audit trail complete. @p by names who stops them.
     */
    void stopRuns(const QString& by, bool immediately);
    /// stopRuns() was called: the controller starts nothing any more.
    bool isStopping() const { return !m_stoppedBy.isEmpty(); }
    std::optional<Run> lastRun(const QString& faultId, SafetyRequest::Purpose purpose) const;
    /// The baseline frozen for @p faultId, if any.
    std::optional<RemediationBaseline> baseline(const QString& faultId) const;
    /// The state read back most recently (HAProxy, databases).
    RemediationBaseline current() const;
    /// Forces an immediate read-back of HAProxy and the databases; @p done runs when both answered.
    void refresh(std::function<void()> done = {});

    // Automatic remediation: off by default, globally and per target or group. Every switch and re-enable is
    // audited and, with an automation state file, survives a restart.
    void setAutoEnabled(bool enabled) { m_automation->setEnabled(enabled); }
    bool autoEnabled() const { return m_automation->enabled(); }
    /// Turns automation on or off for a target or a group name (an explicit off wins over the global switch).
    void setAutoEnabledFor(const QString& targetOrGroup, bool enabled)
    {
        m_automation->setEnabledFor(targetOrGroup, enabled);
    }
    /// Removes the switch of a target or group: it follows its group (a target) or the global switch again.
    void clearAutoEnabledFor(const QString& targetOrGroup) { m_automation->clearEnabledFor(targetOrGroup); }
    /// The explicit switch of a target or group, if one is set.
    std::optional<bool> autoOverride(const QString& targetOrGroup) const
    {
        return m_automation->overrideFor(targetOrGroup);
    }
    /// Whether automation may act on @p target: its own switch, else its group's, else the global one.
    bool autoEnabledFor(const QString& target) const { return m_automation->enabledFor(target); }
    void setAutoPolicy(const AutoRemediationPolicy& policy) { m_automation->setLimits(policy); }
    /// Targets automation gave up on (attempt limit reached), with the reason.
    QList<QPair<QString, QString>> givenUp() const { return m_automation->givenUp(); }
    /// The attempts, backoff and give-up state per target.
    const AutoRemediationLedger& ledger() const { return m_automation->ledger(); }
    /// A person re-enables automation on @p target after it gave up (audited as @p operatorName).
    void reenable(const QString& target, const QString& operatorName = {})
    {
        m_automation->reenable(target, operatorName);
    }
    /// Why automation keeps its hands off @p target although it is enabled there (a remediation an earlier run
    /// left unfinished, until it is recovered or dismissed); empty when it does not.
    QString autoHeldBack(const QString& target) const { return m_automation->heldBack(target); }

    /**
     * Keeps the automation switches and the ledger (attempts, give-ups) in @p path (JSON, written atomically on
     * every change) and loads them from it now, so a restart neither re-arms automation a person turned off nor
     * forgets a target automation gave up on. False with @p error when the file exists but cannot be read; the
     * state then stays as it was (automation off).
     */
    bool setAutomationStateFile(const QString& path, QString* error = nullptr);
    QString automationStateFile() const { return m_automation->stateFile(); }
    /// automation.json in the user's application data folder.
    static QString defaultAutomationStateFile() { return AutomationPolicy::defaultStateFile(); }

    /// Remediations that started and never finished (an Intent without a Result in the audit trail), one per
    /// incident/target with the recorded baseline: offered for Recover. Automation keeps off their targets until
    /// they are recovered or dismissed.
    using Unfinished = UnfinishedRemediation;
    QList<Unfinished> unfinished() const;
    /**
     * Recover @p item from its recorded baseline: restores what differs (HAProxy weights, states, blocked sources)
     * and verifies that the read-back equals the baseline and the target is healthy. Runs against the open fault
     * of the target when there is one, else as a run of its own under unfinishedRunId(); the usual runStarted,
     * stepChanged and runFinished signals report it (purpose Recover) under @p runId. The unfinished intents are closed
     * in the audit trail when it succeeds.
     */
    bool recoverUnfinished(
        const Unfinished& item, const QString& operatorName, QString* error = nullptr, QString* runId = nullptr);
    /// Closes the intents of @p item in the audit trail as "dismissed" by @p operatorName, without acting.
    bool dismissUnfinished(const Unfinished& item, const QString& operatorName, QString* error = nullptr);
    /// The run id under which recoverUnfinished() reports a run that has no fault.
    static QString unfinishedRunId(const Unfinished& item);

Q_SIGNALS:
    void runStarted(const QString& faultId, FaultDesk::SafetyRequest::Purpose purpose);
    void stepChanged(const QString& faultId, int index, const FaultDesk::StepReport& report);
    void runFinished(const QString& faultId, FaultDesk::SafetyRequest::Purpose purpose,
        const FaultDesk::RunbookOutcome& outcome, bool verified);
    /// A gate decision may have changed (fault, lock, state): buttons re-ask canHandle/canRecover.
    void gatesChanged();
    void baselineCaptured(const QString& faultId);
    /// Loud problems: a failed verification, an escalation, automation giving up.
    void escalated(const QString& faultId, const QString& message);
    void autoChanged();

private:
    struct Active;

    void onPolled();
    void onFaultChanged(const Fault& fault);
    void maybeAuto(const Fault& fault);
    std::optional<Fault> faultOf(const QString& faultId) const;
    SafetyDecision decide(
        const QString& faultId, SafetyRequest::Purpose purpose, bool automatic, const QString& requester) const;
    /**
     * Whether Recover of @p f has something to return to the baseline: true when a Handle ran (or an unfinished
     * remediation is recovered); otherwise true with a warning in @p note when something differs from the baseline,
     * false with the reason when nothing does (or it cannot be told).
     */
    bool somethingToRecover(const Fault& f, QString* note) const;
    /// Writes a person's refused Handle or Recover of @p faultId to the audit trail, with @p why.
    void auditRefusal(
        const QString& faultId, SafetyRequest::Purpose purpose, const QString& operatorName, const QString& why) const;
    bool start(const QString& faultId, SafetyRequest::Purpose purpose, const QString& operatorName, bool automatic,
        QString* error, bool switchBack = false);
    void finishRun(const QString& faultId, const RunbookOutcome& outcome);
    /// Locks @p lockTargets, then runs @p runbook under @p runId with the safety gates before every step.
    bool startRun(const QString& runId, const Runbook& runbook, SafetyRequest::Purpose purpose, const QString& target,
        const QString& incidentId, const RemediationBaseline& baseline, const QString& operatorName,
        const QStringList& lockTargets, const TemplateFields& fields, QString* error, bool automatic = false);
    /// The lock of @p name for a run: the team's advisory lock, or the lock directory's.
    TargetLock acquireLock(const QString& name, const QString& operatorName, const QString& purpose, bool automatic,
        TargetLock::Holder* holder, QString* error);
    /// Another console acts (or acted since @p fault began) on its target: remembers and reports it; true then.
    bool markIfElsewhere(const Fault& fault);
    /// Names the console behind each "handled by another console" once its holder record is read.
    void nameElsewhereHolders();
    /// Closes @p item's intents and lets automation act on its target again once nothing else holds it back.
    void closeIntents(const Unfinished& item, const QString& status, const QString& operatorName, const QString& note);
    /// Holds automation back on every target a remediation of an earlier run left unfinished.
    void holdBackUnfinished();
    /// Reads the PostgreSQL servers of @p fault's group with SQL (role, replication, critical tables) into its
    /// frozen baseline: the content Recover verifies a rebuilt node against.
    void capturePostgresBaseline(const Fault& fault);

    const FleetConfig& m_config;
    Detector* m_detector;
    AuditSink* m_audit;
    QString m_lockDir;
    QString m_operator;
    Settings m_settings;
    BaselinePoller* m_poller;
    AutomationPolicy* m_automation;
    std::unique_ptr<RunbookFactory> m_runbooks;
    RemediationGates* m_gates;
    UnfinishedRemediations m_unfinished;
    RemediationBaseline m_lastHealthy; ///< latest read-back while nothing was wrong
    QHash<QString, RemediationBaseline> m_baselines; ///< fault id → frozen baseline
    QHash<QString, std::shared_ptr<Active>> m_active; ///< fault id → running remediation
    QHash<QString, Run> m_handleRuns;
    QHash<QString, Run> m_recoverRuns;
    QHash<QString, Unfinished> m_unfinishedRuns; ///< run id → the unfinished remediation it recovers
    QString m_stoppedBy; ///< stopRuns(): nothing starts any more
    AdvisoryLocks* m_shared = nullptr;
    QHash<QString, QString> m_elsewhere; ///< fault id → "handled by …" (another console's automation owns it)
    /// fault id → target, for m_elsewhere entries made before the holder recorded who it is (named once it has)
    QHash<QString, QString> m_elsewhereUnnamed;
    /// Faults whose automation was refused for want of the team's locks, told once per outage (not on every tick)
    QSet<QString> m_toldLocksUnavailable;
};

} // namespace FaultDesk
