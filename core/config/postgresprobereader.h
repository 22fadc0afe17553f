#pragma once

// Reading of `kind: postgres` probes for FleetConfigLoader (which owns the rest of the file): kept apart so the
// PostgreSQL knowledge of the configuration lives in one place.

#include "config/sourceposition.h"
#include "config/targetconfig.h"

#include <QString>

#include <functional>
#include <optional>

namespace YAML {
class Node;
}

namespace FaultDesk::PostgresProbeReader {

using ErrorSink = std::function<void(SourcePosition, const QString&)>;

/// Whether @p probe is a mapping with `kind: postgres`.
bool isPostgresProbe(const YAML::Node& probe);

/**
 * Reads a postgres probe; relative paths (ca_file, password file) are taken from @p baseDir. Every problem goes to
 * @p error as it is found; std::nullopt when there was any.
 */
std::optional<ProbeConfig> read(const YAML::Node& probe, const QString& baseDir, const ErrorSink& error);

/**
 * Appends the built-in pg_* signals of @p target's postgres probe (with their default thresholds) to its signals.
 * A target has at most one postgres probe, and its own signals may not reuse a built-in name.
 */
void addBuiltinSignals(TargetConfig& target, const ErrorSink& error);

} // namespace FaultDesk::PostgresProbeReader
