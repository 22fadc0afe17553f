#pragma once

#include <QDateTime>
#include <QString>

#include <optional>
#include <utility>

namespace FaultDesk::TimeArgument {

/**
 * A point in time as an operator types it on a command line: "2026-11-27", "2026-11-27T10:00",
 * "2026-11-27 10:00:00Z", "…+02:00" (no zone = UTC, like every time in the reports), or a span back from
 * @p nowUtc: "30m", "24h", "7d", "2w". Returned in UTC; std::nullopt when @p text is neither.
 */
std::optional<QDateTime> parse(const QString& text, const QDateTime& nowUtc);

/// A span of time `--since SINCE [--until UNTIL]`: [since, until), until @p nowUtc when no @p until is given.
/// std::nullopt with @p error saying which argument is wrong, and how, when either is no time or the span is empty.
std::optional<std::pair<QDateTime, QDateTime>> range(
    const QString& since, const std::optional<QString>& until, const QDateTime& nowUtc, QString* error);

} // namespace FaultDesk::TimeArgument
