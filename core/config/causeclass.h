#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/// What kind of fault a breach indicates; runbooks are bound per cause class.
enum class CauseClass {
    Down,
    Unhealthy,
    Overload,
    Latency,
    Errors,
    Attack,
    DataIntegrity,
};

/// Spelling of cause classes in the fleet configuration (`down`, …, `data-integrity`).
namespace CauseClasses {
QString toString(CauseClass cause);
std::optional<CauseClass> fromString(QStringView text);
QStringList names();
/// The cause class a signal gets when its configuration names none, guessed from the signal's name.
CauseClass defaultForSignal(QStringView signalName);
} // namespace CauseClasses

} // namespace FaultDesk
