#pragma once

#include "autoremediationledger.h"
#include "loadbalancingmodel.h"
#include "remediationbaseline.h"
#include "remediationplan.h"
#include "runbook.h"
#include "runbookoutcome.h"
#include "safetygates.h"
#include "targetlock.h"

#include "config/fleetconfig.h"
#include "config/runbookconfig.h"
#include "detect/fault.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <chrono>
#include <memory>

class QNetworkAccessManager;

namespace FaultDesk {

class AuditSink;
class HaproxyClient;
class Monitor;
class RunbookExecutor;

/**
 * Turns a located fault into one-click Handle (mitigate) and Recover (back to the pre-fault baseline). Keeps the
 * last healthy state of what remediation may touch (HAProxy pools and blocked sources, database role and
 * checksum, polled in the background) and freezes it as the fault's baseline when the fault is detected. Runs the
 * runbook bound in the fleet configuration to the fault's target, group or cause (RunbookBinding), else the
 * default runbooks for crash, overload, attack and data-integrity faults, through RunbookExecutor
 * with the safety gates checked before every step on a live snapshot, holds the target's TargetLock for the
 * run, reports the fault's phase to the Detector and writes every action to the AuditSink.
 */
class RemediationController : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        std::chrono::milliseconds pollInterval { 1000 }; ///< HAProxy and database status refresh
        std::chrono::milliseconds waitInterval { 500 }; ///< verification gates poll this often
        int healthyChecks = 2; ///< consecutive passing polls a verification needs
        std::chrono::milliseconds stepDeadline { 15000 };
        std::chrono::milliseconds verifyDeadline { 30000 };
        std::chrono::milliseconds settle { 3000 }; ///< overload: time the new weights get before a drain is judged
        std::chrono::milliseconds attackBlock { 600000 }; ///< blocked sources are unblocked after this
        double overloadLevel = 0.85; ///< load above which a server is overloaded
        double loadClear = 0.70; ///< load below which an overload or attack has subsided
        QString backupName = QStringLiteral("pre-upgrade");
    };

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
    };

    RemediationController(
        Monitor* monitor, AuditSink* audit, QString lockDirectory, QString operatorName, QObject* parent = nullptr);
    ~RemediationController() override;

    /// The fleet configuration the controller acts on (the monitor's).
    const FleetConfig& fleetConfig() const;
    /// The operator this console acts for (the default for handle/recover/abort).
    QString operatorName() const { return m_operator; }
    void setSettings(const Settings& settings);
    Settings settings() const { return m_settings; }

    /// Whether Handle may start for @p faultId now, with the reasons when not.
    SafetyDecision canHandle(const QString& faultId) const;
    /// Whether Recover may start for @p faultId now (a baseline is needed, and the gates).
    SafetyDecision canRecover(const QString& faultId) const;
    /// The plan Handle or Recover would run, without running anything.
    RemediationPlan preview(const QString& faultId, SafetyRequest::Purpose purpose) const;
    /// Starts Handle; false with @p error when refused. runFinished() follows.
    bool handle(const QString& faultId, const QString& operatorName = {}, QString* error = nullptr);
    /// Starts Recover; false with @p error when refused. runFinished() follows.
    bool recover(const QString& faultId, const QString& operatorName = {}, QString* error = nullptr);
    /// Aborts the run of @p faultId: done steps are rolled back and listed in the outcome.
    bool abort(const QString& faultId, const QString& by);

    bool isRunning(const QString& faultId) const;
    std::optional<Run> lastRun(const QString& faultId, SafetyRequest::Purpose purpose) const;
    /// The baseline frozen for @p faultId, if any.
    std::optional<RemediationBaseline> baseline(const QString& faultId) const;
    /// The state read back most recently (HAProxy, databases).
    RemediationBaseline current() const { return m_current; }
    /// Forces an immediate read-back of HAProxy and the databases; @p done runs when both answered.
    void refresh(std::function<void()> done = {});

    // Automatic remediation: off by default, globally and per target or group. Every switch and re-enable is
    // audited and, with an automation state file, survives a restart.
    void setAutoEnabled(bool enabled);
    bool autoEnabled() const { return m_policy.enabled; }
    /// Turns automation on or off for a target or a group name (an explicit off wins over the global switch).
    void setAutoEnabledFor(const QString& targetOrGroup, bool enabled);
    /// Removes the switch of a target or group: it follows its group (a target) or the global switch again.
    void clearAutoEnabledFor(const QString& targetOrGroup);
    /// The explicit switch of a target or group, if one is set.
    std::optional<bool> autoOverride(const QString& targetOrGroup) const;
    /// Whether automation may act on @p target: its own switch, else its group's, else the global one.
    bool autoEnabledFor(const QString& target) const;
    void setAutoPolicy(const AutoRemediationPolicy& policy);
    /// Targets automation gave up on (attempt limit reached), with the reason.
    QList<QPair<QString, QString>> givenUp() const;
    /// The attempts, backoff and give-up state per target.
    const AutoRemediationLedger& ledger() const { return m_ledger; }
    /// A person re-enables automation on @p target after it gave up (audited as @p operatorName).
    void reenable(const QString& target, const QString& operatorName = {});

    /**
     * Keeps the automation switches and the ledger (attempts, give-ups) in @p path (JSON, written atomically on
     * every change) and loads them from it now, so a restart neither re-arms automation a person turned off nor
     * forgets a target automation gave up on. False with @p error when the file exists but cannot be read; the
     * state then stays as it was (automation off).
     */
    bool setAutomationStateFile(const QString& path, QString* error = nullptr);
    QString automationStateFile() const { return m_stateFile; }
    /// automation.json in the user's application data folder.
    static QString defaultAutomationStateFile();

    /// Remediations that started and never finished (an Intent without a Result in the audit trail), one per
    /// incident/target with the recorded baseline: offered for Recover.
    struct Unfinished
    {
        QString target;
        QString incidentId;
        QString runbook;
        QString operatorName;
        QDateTime since;
        RemediationBaseline baseline;
        QString action; ///< masked description of the action that never reported a result
        QStringList actionIds; ///< every intent of this incident and target left without a result
    };
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
    struct Context;

    void poll();
    void pollHaproxy(std::function<void()> done);
    void pollDatabases(std::function<void()> done);
    void onFaultChanged(const Fault& fault);
    void maybeAuto(const Fault& fault);
    std::optional<Fault> faultOf(const QString& faultId) const;
    SafetySnapshot snapshot(const QString& target, const QString& backend) const;
    SafetyDecision decide(
        const QString& faultId, SafetyRequest::Purpose purpose, bool automatic, const QString& requester) const;
    bool start(const QString& faultId, SafetyRequest::Purpose purpose, const QString& operatorName, bool automatic,
        QString* error);
    void finishRun(const QString& faultId, const RunbookOutcome& outcome);
    /// Locks @p lockTargets, then runs @p runbook under @p runId with the safety gates before every step.
    bool startRun(const QString& runId, const Runbook& runbook, SafetyRequest::Purpose purpose, const QString& target,
        const QString& incidentId, const RemediationBaseline& baseline, const QString& operatorName,
        const QStringList& lockTargets, const TemplateFields& fields, QString* error);
    void auditAutomation(const QString& target, const QString& what, const QString& operatorName);
    void closeIntents(const Unfinished& item, const QString& status, const QString& operatorName, const QString& note);
    void saveAutomationState();

    // Runbooks bound in the fleet configuration (configuredrunbooks.cpp).
    std::optional<Runbook> configuredRunbook(const RunbookConfig& config, SafetyRequest::Purpose purpose,
        const Fault& f, const TargetConfig& t, const RemediationBaseline& b, QString* error) const;
    Runbook::ActionFactory configuredAction(const RunbookActionConfig& a, const Fault& f, const TargetConfig& t,
        const RemediationBaseline& b, const QString& source, QString* error) const;
    std::function<ConditionCheck()> configuredCondition(const RunbookCondition& c, const QString& target) const;
    /// The template fields of actions on @p f's target: target, address, group, cause, incident, and the pool
    /// membership (instance, backend, server) when it has one.
    TemplateFields fieldsFor(const Fault& f, const TargetConfig* t) const;
    LoadBalancingPlan poolModel(const Fault& f, const TargetConfig& t, QList<ServerLoadInput>* inputs) const;

    // Default runbooks (defaultrunbooks.cpp).
    std::optional<Runbook> buildRunbook(const Fault& fault, SafetyRequest::Purpose purpose,
        const RemediationBaseline& baseline, RemediationPlan* plan, QString* error) const;
    Runbook crashHandle(const Fault& f, const TargetConfig& t) const;
    std::optional<Runbook> overloadHandle(const Fault& f, const TargetConfig& t, const RemediationBaseline& b,
        RemediationPlan* plan, QString* error) const;
    Runbook attackHandle(const Fault& f, const RemediationBaseline& b) const;
    std::optional<Runbook> corruptionHandle(const Fault& f, const TargetConfig& t, const RemediationBaseline& b,
        RemediationPlan* plan, QString* error) const;
    Runbook recoverRunbook(const Fault& f, const RemediationBaseline& b) const;
    // Link faults (networkrunbooks.cpp).
    std::optional<Runbook> networkHandle(
        const Fault& f, const TargetConfig& t, RemediationPlan* plan, QString* error) const;
    /// The dependencies @p t measures its path to (its `link:` signals).
    QStringList linkSignals(const TargetConfig& t) const;
    Runbook::Step linkHealedStep(const Fault& f, const TargetConfig& t) const;
    /// Another member of @p dependency's group, to call while the link to it is broken (empty: none).
    QString linkPeer(const QString& dependency) const;
    void addRouteBackSteps(Runbook& rb, const TargetConfig& t) const;
    void addHaproxyRestoreSteps(Runbook& rb, const RemediationBaseline& b, const QString& backend) const;
    void addDatabaseRestoreSteps(Runbook& rb, const RemediationBaseline& b, const QString& corrupted) const;
    Runbook::Step verifyStep(const Fault& f, const RemediationBaseline& b) const;
    ConditionCheck verifyCondition(const Fault& f, const RemediationBaseline& b) const;
    Runbook::ActionFactory adminCall(const TargetConfig& t, const QString& action, const QJsonObject& body) const;
    Runbook::ActionFactory haproxyOp(const QString& endpoint, const HaproxyOperation& op) const;
    QString haproxyEndpoint(const QString& instance = {}) const;
    QString blockAcl() const;
    ConditionCheck targetHealthy(const QString& target) const;
    double value(const QString& target, const QString& signal, double fallback = -1) const;

    Monitor* m_monitor;
    AuditSink* m_audit;
    QString m_lockDir;
    QString m_operator;
    Settings m_settings;
    QTimer m_pollTimer;
    QNetworkAccessManager* m_nam = nullptr;
    HaproxyClient* m_haproxy = nullptr;
    RemediationBaseline m_current; ///< latest read-back
    RemediationBaseline m_lastHealthy; ///< latest read-back while nothing was wrong
    QHash<QString, RemediationBaseline> m_baselines; ///< fault id → frozen baseline
    QHash<QString, std::shared_ptr<Active>> m_active; ///< fault id → running remediation
    QHash<QString, Run> m_handleRuns;
    QHash<QString, Run> m_recoverRuns;
    AutoRemediationPolicy m_policy;
    AutoRemediationLedger m_ledger;
    QHash<QString, bool> m_autoOverride; ///< target or group → on/off
    QString m_stateFile; ///< where the automation switches and ledger persist; empty: not persisted
    QHash<QString, Unfinished> m_unfinishedRuns; ///< run id → the unfinished remediation it recovers
    qint64 m_cycle = 0;
    int m_pendingPolls = 0;
    QList<std::function<void()>> m_refreshWaiters;
};

} // namespace FaultDesk
