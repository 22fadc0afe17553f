#include "remedy/automationpolicy.h"

#include "audit/auditsink.h"
#include "config/fleetconfig.h"
#include "util/logging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

namespace FaultDesk {

AutomationPolicy::AutomationPolicy(const FleetConfig& config, AuditSink* audit, QString operatorName, QObject* parent)
    : QObject(parent)
    , m_config(config)
    , m_audit(audit)
    , m_operator(std::move(operatorName))
{ }

void AutomationPolicy::audit(const QString& target, const QString& what, const QString& operatorName)
{
    if (!m_audit)
        return;
    // An Intent and its Result at once: the switch is the action, and it never stays unfinished.
    AuditRecord r;
    r.actionId = QStringLiteral("automation-%1-%2")
                     .arg(QDateTime::currentMSecsSinceEpoch())
                     .arg(quintptr(this) ^ quintptr(qHash(target + what)), 0, 16);
    r.phase = AuditRecord::Phase::Intent;
    r.timeUtc = QDateTime::currentDateTimeUtc();
    r.operatorName = operatorName.isEmpty() ? m_operator : operatorName;
    r.target = target;
    r.runbook = QStringLiteral("automation");
    r.actionKind = QStringLiteral("automation");
    r.description = what;
    QString error;
    if (!m_audit->append(r, &error)) {
        qCWarning(lcRemedy, "automation change not audited: %s", qUtf8Printable(error));
        return;
    }
    r.phase = AuditRecord::Phase::Result;
    r.status = QStringLiteral("ok");
    r.durationMs = 0;
    if (!m_audit->append(r, &error))
        qCWarning(lcRemedy, "automation change not audited: %s", qUtf8Printable(error));
}

void AutomationPolicy::setEnabled(bool enabled)
{
    if (m_limits.enabled == enabled)
        return;
    m_limits.enabled = enabled;
    audit(QString(), QStringLiteral("automatic remediation %1 (global switch)").arg(enabled ? u"on" : u"off"),
        m_operator);
    save();
    Q_EMIT changed();
}

void AutomationPolicy::setEnabledFor(const QString& targetOrGroup, bool enabled)
{
    if (m_override.contains(targetOrGroup) && m_override.value(targetOrGroup) == enabled)
        return;
    m_override.insert(targetOrGroup, enabled);
    audit(targetOrGroup, QStringLiteral("automatic remediation %1 for %2").arg(enabled ? u"on" : u"off", targetOrGroup),
        m_operator);
    save();
    Q_EMIT changed();
}

void AutomationPolicy::clearEnabledFor(const QString& targetOrGroup)
{
    if (!m_override.remove(targetOrGroup))
        return;
    audit(targetOrGroup,
        QStringLiteral("automatic remediation for %1 follows the wider switch again").arg(targetOrGroup), m_operator);
    save();
    Q_EMIT changed();
}

std::optional<bool> AutomationPolicy::overrideFor(const QString& targetOrGroup) const
{
    if (!m_override.contains(targetOrGroup))
        return std::nullopt;
    return m_override.value(targetOrGroup);
}

bool AutomationPolicy::enabledFor(const QString& target) const
{
    if (m_override.contains(target))
        return m_override.value(target);
    if (const TargetConfig* t = m_config.target(target))
        if (m_override.contains(t->group))
            return m_override.value(t->group);
    return m_limits.enabled;
}

void AutomationPolicy::setLimits(const AutoRemediationPolicy& limits)
{
    const bool enabled = m_limits.enabled;
    m_limits = limits;
    m_limits.enabled = enabled;
}

void AutomationPolicy::recordAttempt(const QString& target, qint64 cycle)
{
    m_ledger.recordAttempt(target, cycle, QDateTime::currentDateTimeUtc(), m_limits);
    save();
    Q_EMIT changed();
}

QList<QPair<QString, QString>> AutomationPolicy::givenUp() const
{
    QList<QPair<QString, QString>> out;
    for (const TargetConfig& t : m_config.targets) {
        const auto e = m_ledger.entry(t.name);
        if (e.suspended)
            out.append({ t.name, e.suspendedReason });
    }
    return out;
}

void AutomationPolicy::reenable(const QString& target, const QString& operatorName)
{
    const auto before = m_ledger.entry(target);
    m_ledger.reenable(target);
    audit(target,
        before.suspended ? QStringLiteral("automatic remediation re-enabled on %1 after it gave up: %2")
                               .arg(target, before.suspendedReason)
                         : QStringLiteral("automatic remediation attempts of %1 reset").arg(target),
        operatorName);
    save();
    Q_EMIT changed();
}

void AutomationPolicy::holdBack(const QString& target, const QString& reason)
{
    if (m_heldBack.value(target) == reason)
        return;
    m_heldBack.insert(target, reason);
    Q_EMIT changed();
}

void AutomationPolicy::release(const QString& target)
{
    if (m_heldBack.remove(target))
        Q_EMIT changed();
}

QString AutomationPolicy::defaultStateFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/automation.json");
}

bool AutomationPolicy::setStateFile(const QString& path, QString* error)
{
    m_stateFile = path;
    QFile file(path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(4 * 1024 * 1024), &parse);
    if (!doc.isObject()) {
        if (error)
            *error = QStringLiteral("%1: not an automation state file (%2)").arg(path, parse.errorString());
        return false;
    }
    const QJsonObject o = doc.object();
    m_limits.enabled = o.value(QStringLiteral("enabled")).toBool(false);
    m_override.clear();
    const QJsonObject overrides = o.value(QStringLiteral("overrides")).toObject();
    for (auto it = overrides.constBegin(); it != overrides.constEnd(); ++it)
        if (it.value().isBool())
            m_override.insert(it.key(), it.value().toBool());
    m_ledger = AutoRemediationLedger::fromJson(o.value(QStringLiteral("ledger")).toObject());
    Q_EMIT changed();
    return true;
}

void AutomationPolicy::save()
{
    if (m_stateFile.isEmpty())
        return;
    QJsonObject overrides;
    for (auto it = m_override.cbegin(); it != m_override.cend(); ++it)
        overrides.insert(it.key(), it.value());
    const QJsonObject o { { QStringLiteral("version"), 1 }, { QStringLiteral("enabled"), m_limits.enabled },
        { QStringLiteral("overrides"), overrides }, { QStringLiteral("ledger"), m_ledger.toJson() },
        { QStringLiteral("saved"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) } };
    QDir().mkpath(QFileInfo(m_stateFile).absolutePath());
    // Written whole or not at all: a crash while saving leaves the previous state, never half a file.
    QSaveFile file(m_stateFile);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(o).toJson()) < 0 || !file.commit())
        qCWarning(lcRemedy, "automation state not saved to %s: %s", qUtf8Printable(m_stateFile),
            qUtf8Printable(file.errorString()));
}

} // namespace FaultDesk
