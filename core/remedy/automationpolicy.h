#pragma once

#include "remedy/autoremediationledger.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

#include <optional>

namespace FaultDesk {

class AuditSink;
struct FleetConfig;

/**
 * Whether automatic remediation may act on a target: the global switch, per-target and per-group switches (an
 * explicit one wins), the attempt limits with their ledger, and the targets held back because a remediation of an
 * earlier FaultDesk run never finished (until a person resolves it). Every switch is audited; with a state file
 * the switches and the ledger survive a restart.
 */
class AutomationPolicy : public QObject
{
    Q_OBJECT

public:
    AutomationPolicy(const FleetConfig& config, AuditSink* audit, QString operatorName, QObject* parent = nullptr);

    bool enabled() const { return m_limits.enabled; }
    void setEnabled(bool enabled);
    /// Turns automation on or off for a target or a group name (an explicit off wins over the global switch).
    void setEnabledFor(const QString& targetOrGroup, bool enabled);
    /// Removes the switch of a target or group: it follows its group (a target) or the global switch again.
    void clearEnabledFor(const QString& targetOrGroup);
    std::optional<bool> overrideFor(const QString& targetOrGroup) const;
    /// Its own switch, else its group's, else the global one.
    bool enabledFor(const QString& target) const;

    /// The limits (attempts, window, backoff); enabled() stays as switched.
    void setLimits(const AutoRemediationPolicy& limits);
    const AutoRemediationPolicy& limits() const { return m_limits; }
    const AutoRemediationLedger& ledger() const { return m_ledger; }
    /// Counts an automatic attempt on @p target in @p cycle.
    void recordAttempt(const QString& target, qint64 cycle);
    /// Targets automation gave up on (attempt limit reached), with the reason.
    QList<QPair<QString, QString>> givenUp() const;
    /// A person re-enables automation on @p target after it gave up (audited as @p operatorName).
    void reenable(const QString& target, const QString& operatorName);

    /// Keeps automation off @p target until release(): a remediation of it never finished (@p reason says which).
    void holdBack(const QString& target, const QString& reason);
    void release(const QString& target);
    /// Why automation keeps off @p target although it is enabled; empty when it does not.
    QString heldBack(const QString& target) const { return m_heldBack.value(target); }

    /// Loads the switches and the ledger from @p path and saves them there on every change (see the controller).
    bool setStateFile(const QString& path, QString* error = nullptr);
    QString stateFile() const { return m_stateFile; }
    static QString defaultStateFile();
    void save();

Q_SIGNALS:
    /// A switch, the ledger or a hold changed.
    void changed();

private:
    void audit(const QString& target, const QString& what, const QString& operatorName);

    const FleetConfig& m_config;
    AuditSink* m_audit;
    QString m_operator;
    AutoRemediationPolicy m_limits;
    AutoRemediationLedger m_ledger;
    QHash<QString, bool> m_override; ///< target or group → on/off
    QHash<QString, QString> m_heldBack; ///< target → the unfinished remediation that holds automation back
    QString m_stateFile; ///< empty: not persisted
};

} // namespace FaultDesk
