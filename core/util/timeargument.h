#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace FaultDesk::TimeArgument {

/**
 * A point in time as an operator types it on a command line: "2026-11-27", "2026-11-27T10:00",
 * "2026-11-27 10:00:00Z", "…+02:00" (no zone = UTC, like every time in the reports), or a span back from
 * @p nowUtc: "30m", "24h", "7d", "2w". Returned in UTC; std::nullopt when @p text is neither.
 */
std::optional<QDateTime> parse(const QString& text, const QDateTime& nowUtc);

} // namespace FaultDesk::TimeArgument
