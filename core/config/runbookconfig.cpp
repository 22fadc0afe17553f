// Helpers of the runbook configuration types (runbookconfig.h): descriptions and the binding precedence.

#include "config/runbookconfig.h"

#include "config/fleetconfig.h"

namespace FaultDesk {

QString RunbookCondition::describe() const
{
    switch (kind) {
    case Kind::Healthy:
        return checks > 1 ? QStringLiteral("healthy for %1 checks").arg(checks) : QStringLiteral("healthy");
    case Kind::Below:
        return QStringLiteral("%1 below %2").arg(signal).arg(level);
    case Kind::Above:
        return QStringLiteral("%1 above %2").arg(signal).arg(level);
    case Kind::Equals:
        return QStringLiteral("%1 equals %2").arg(signal, equalsText.isEmpty() ? QString::number(level) : equalsText);
    }
    return {};
}

QString RunbookActionConfig::kindName() const
{
    switch (kind) {
    case Kind::Command:
        return QStringLiteral("command");
    case Kind::Http:
        return QStringLiteral("http");
    case Kind::Haproxy:
        return QStringLiteral("haproxy");
    case Kind::Wait:
        return QStringLiteral("wait");
    case Kind::Sql:
        return QStringLiteral("sql");
    }
    return {};
}

std::optional<RunbookConfig::Level> RunbookConfig::levelFor(const TargetConfig& target, CauseClass cause) const
{
    if (!on.contains(cause))
        return std::nullopt;
    if (targets.contains(target.name))
        return Level::Target;
    if (!target.group.isEmpty() && groups.contains(target.group))
        return Level::Group;
    if (targets.isEmpty() && groups.isEmpty())
        return Level::Cause;
    return std::nullopt;
}

QString RunbookBinding::levelName(RunbookConfig::Level level)
{
    switch (level) {
    case RunbookConfig::Level::Target:
        return QStringLiteral("target");
    case RunbookConfig::Level::Group:
        return QStringLiteral("group");
    case RunbookConfig::Level::Cause:
        return QStringLiteral("cause");
    }
    return {};
}

RunbookBinding RunbookBinding::resolve(const FleetConfig& config, const TargetConfig& target, CauseClass cause)
{
    RunbookBinding best;
    for (const RunbookConfig& r : config.runbooks) {
        const auto level = r.levelFor(target, cause);
        if (!level)
            continue;
        // Levels are ordered most specific first; on a tie the first in the file wins (the loader refuses ties).
        if (!best.runbook || int(*level) < int(best.level)) {
            best.runbook = &r;
            best.level = *level;
        }
    }
    const QString causeName = causeClassName(cause);
    if (!best.runbook) {
        best.reason
            = QStringLiteral("built-in default runbook for cause %1 (no runbook in %2 is bound to %3 for %1)")
                  .arg(causeName,
                      config.sourceFile.isEmpty() ? QStringLiteral("the fleet configuration") : config.sourceFile,
                      target.name);
        return best;
    }
    switch (best.level) {
    case RunbookConfig::Level::Target:
        best.reason = QStringLiteral("runbook '%1' bound to target %2 for cause %3")
                          .arg(best.runbook->name, target.name, causeName);
        break;
    case RunbookConfig::Level::Group:
        best.reason = QStringLiteral("runbook '%1' bound to group %2 for cause %3")
                          .arg(best.runbook->name, target.group, causeName);
        break;
    case RunbookConfig::Level::Cause:
        best.reason = QStringLiteral("runbook '%1' bound to cause %2 (all targets)").arg(best.runbook->name, causeName);
        break;
    }
    return best;
}

} // namespace FaultDesk
