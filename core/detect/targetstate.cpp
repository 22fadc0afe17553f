#include "detect/targetstate.h"

namespace FaultDesk {

QString targetStateName(TargetState state)
{
    switch (state) {
    case TargetState::Unknown:
        return QStringLiteral("UNKNOWN");
    case TargetState::Up:
        return QStringLiteral("UP");
    case TargetState::Soft:
        return QStringLiteral("SOFT");
    case TargetState::Hard:
        return QStringLiteral("HARD");
    case TargetState::Unreachable:
        return QStringLiteral("UNREACHABLE");
    }
    return QStringLiteral("UNKNOWN");
}

Severity severityOf(TargetState state)
{
    switch (state) {
    case TargetState::Unknown:
        return Severity::Unknown;
    case TargetState::Up:
        return Severity::Ok;
    case TargetState::Soft:
        return Severity::Warning;
    case TargetState::Hard:
        return Severity::Critical;
    case TargetState::Unreachable:
        return Severity::Symptom;
    }
    return Severity::Unknown;
}

} // namespace FaultDesk
