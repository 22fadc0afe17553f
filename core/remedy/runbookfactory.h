#pragma once

#include "remedy/blocksourcepolicy.h"
#include "remedy/loadbalancingmodel.h"
#include "remedy/remediationbaseline.h"
#include "remedy/remediationplan.h"
#include "remedy/remediationsettings.h"
#include "remedy/runbook.h"
#include "remedy/safetygates.h"
#include "remedy/templatefields.h"

#include "config/fleetconfig.h"
#include "config/runbookconfig.h"
#include "detect/fault.h"

#include <optional>

namespace FaultDesk {

class BaselinePoller;
class Detector;
struct HaproxyOperation;

/**
 * Builds the runbook Handle or Recover runs for one fault: the one bound in the fleet configuration
 * (configuredrunbooks.cpp), else the built-in default for its cause (defaultrunbooks.cpp). Reads only what it is
 * given: the fleet configuration, the detector's view of the targets and the poller's read-back; the steps' checks
 * read them live while the run goes on, so the factory outlives every runbook it made. Attack sources pass the
 * BlockSourcePolicy before any step is made for them.
 */
class RunbookFactory
{
public:
    RunbookFactory(const FleetConfig& config, const Detector* detector, const BaselinePoller* poller);

    void setSettings(const RemediationSettings& settings) { m_settings = settings; }

    /**
     * The runbook for @p fault, with what it affects in @p plan (may be null); std::nullopt with @p error when none.
     * @p switchBack: Recover of a PostgreSQL fail-over ends by switching back (RemediationPlan::switchBackOffer);
     * refused for any other runbook.
     */
    std::optional<Runbook> buildRunbook(const Fault& fault, SafetyRequest::Purpose purpose,
        const RemediationBaseline& baseline, RemediationPlan* plan, QString* error, bool switchBack = false) const;
    /// Returns what differs from @p baseline in @p backend's pool and the ACLs, then verifies @p fault's target.
    Runbook restoreRunbook(const Fault& fault, const RemediationBaseline& baseline, const QString& backend) const;
    /// The template fields of actions on @p f's target: target, address, group, cause, incident, and the pool
    /// membership (instance, backend, server) when it has one.
    TemplateFields fieldsFor(const Fault& f, const TargetConfig* t) const;
    /// The connection of @p t's postgres probe (what sql steps and the database baseline use), if it has one.
    static std::optional<PostgresDsn> postgresDsnOf(const TargetConfig& t);
    /// The sources of @p f's incident that may be blocked, and what was refused and why.
    BlockSourcePolicy::Screened screenSources(const Fault& f) const;

private:
    // Runbooks bound in the fleet configuration (configuredrunbooks.cpp).
    std::optional<Runbook> configuredRunbook(const RunbookConfig& config, SafetyRequest::Purpose purpose,
        const Fault& f, const TargetConfig& t, const RemediationBaseline& b, QString* error) const;
    Runbook::ActionFactory configuredAction(const RunbookActionConfig& a, const Fault& f, const TargetConfig& t,
        const RemediationBaseline& b, const QString& source, QString* error) const;
    std::function<ConditionCheck()> configuredCondition(const RunbookCondition& c, const QString& target) const;
    LoadBalancingPlan poolModel(const Fault& f, const TargetConfig& t, QList<ServerLoadInput>* inputs) const;

    // Default runbooks (defaultrunbooks.cpp).
    Runbook crashHandle(const Fault& f, const TargetConfig& t) const;
    std::optional<Runbook> overloadHandle(const Fault& f, const TargetConfig& t, const RemediationBaseline& b,
        RemediationPlan* plan, QString* error) const;
    Runbook attackHandle(const Fault& f, const RemediationBaseline& b, const QStringList& sources) const;
    std::optional<Runbook> corruptionHandle(const Fault& f, const TargetConfig& t, const RemediationBaseline& b,
        RemediationPlan* plan, QString* error) const;
    Runbook recoverRunbook(const Fault& f, const RemediationBaseline& b) const;
    // PostgreSQL primary/replica pairs (postgresrunbooks.cpp).
    /// The other server of @p t's pair: the one other target of its group labelled `role: primary` or `role: replica`
    /// (labels say who was which when configured; a fail-over swaps them), both with a postgres probe; nullptr when
    /// @p t is not in such a pair.
    const TargetConfig* postgresPeer(const TargetConfig& t) const;
    /// Whether @p t is the primary now: its probe's pg_role, else (not measured) its `role:` label.
    bool postgresIsPrimary(const TargetConfig& t) const;
    std::optional<Runbook> postgresFailoverHandle(const Fault& f, const TargetConfig& primary,
        const TargetConfig& replica, const RemediationBaseline& b, RemediationPlan* plan, QString* error) const;
    std::optional<Runbook> postgresRebuildRecover(const Fault& f, const TargetConfig& damaged,
        const TargetConfig& source, const RemediationBaseline& b, bool switchBack, RemediationPlan* plan,
        QString* error) const;
    // The steps both runbooks and the switch back are made of; @p prefix leads each step's name ("switch back: ").
    Runbook::Step postgresFence(const TargetConfig& t, const QString& prefix) const;
    Runbook::Step postgresEndWriters(const TargetConfig& t, const QString& prefix) const;
    Runbook::Step postgresPromote(const TargetConfig& t, const QString& prefix) const;
    /// Sets @p backend/@p server ready and waits until HAProxy reports it UP; the rollback sets it back to @p was.
    Runbook::Step postgresPoolIn(const QString& endpoint, const QString& backend, const QString& server,
        const QString& was, const QString& prefix) const;
    Runbook::Step postgresWriteCheck(const TargetConfig& t, const QString& prefix) const;
    Runbook::Step postgresHealthy(const TargetConfig& t, const QString& prefix) const;
    /// Stop, rebuild from @p source, start @p damaged (its commands), then wait until it streams from @p source.
    bool addPostgresRebuildSteps(Runbook& rb, const TargetConfig& damaged, const TargetConfig& source,
        const QString& prefix, QString* error) const;
    /// The switch back after a rebuild: @p original (rebuilt) becomes the primary again, @p promoted its replica.
    bool addPostgresSwitchBack(Runbook& rb, const TargetConfig& original, const TargetConfig& promoted,
        RemediationPlan* plan, QString* error) const;
    /// Whether HAProxy reports @p backend/@p server ready and UP (its health check passes) in a fresh read.
    ConditionCheck haproxyServerUp(const QString& backend, const QString& server) const;
    std::function<ConditionCheck()> signalEquals(
        const QString& target, const QString& signal, double wanted, const QString& wantedText) const;
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
    const RemediationBaseline& current() const;
    ConditionCheck targetHealthy(const QString& target) const;
    double value(const QString& target, const QString& signal, double fallback = -1) const;

    const FleetConfig& m_config;
    const Detector* m_detector;
    const BaselinePoller* m_poller;
    RemediationSettings m_settings;
};

} // namespace FaultDesk
