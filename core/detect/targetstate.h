#pragma once

#include <QString>

namespace FaultDesk {

/// The published state of a target (Nagios/Icinga semantics).
enum class TargetState {
    Unknown, ///< not checked yet, or the monitor cannot tell (monitoring degraded): no action may run
    Up, ///< the last check passed
    Soft, ///< failing, not confirmed yet: the caller should re-check fast
    Hard, ///< failing for `attempts` consecutive checks: a detected fault
    Unreachable, ///< failing without an answer while a dependency is down: a symptom, never acted on
};

/// How bad a state is, for sorting and colouring (the ui maps it to colours; core never does).
enum class Severity {
    Ok = 0,
    Unknown = 1,
    Symptom = 2, ///< unreachable, or a failure explained by a failing dependency
    Warning = 3, ///< SOFT
    Critical = 4, ///< HARD
};

/// "UP", "SOFT", "HARD", "UNREACHABLE", "UNKNOWN".
QString targetStateName(TargetState state);
/// The severity a state has on its own.
Severity severityOf(TargetState state);

} // namespace FaultDesk
