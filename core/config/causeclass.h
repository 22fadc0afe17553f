#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace FaultDesk {

/// Why a target is faulty; runbooks are bound per cause class. The order is the precedence used when several
/// rules fail at once: the first matching class names the fault (a crashed server is "down" even though its
/// latency also looks bad).
enum class CauseClass {
    Down, ///< the process is not there: connection refused or reset, or the checks stopped arriving (stale)
    Unreachable, ///< no answer at all: the probe timed out (host or path unreachable), DNS or TLS failed
    DataIntegrity, ///< integrity/checksum signals failed
    Network, ///< a link fault: the target cannot reach one of its dependencies (a signal with `link:`)
    Attack, ///< traffic concentrated on a few sources, rate well above baseline
    Overload, ///< load above capacity
    Errors, ///< error ratio too high
    Latency, ///< latency too high
    Unhealthy, ///< the health check answered but said "not ok", or any other rule
};

/// The configuration spelling: down, unreachable, data-integrity, network, attack, overload, errors, latency,
/// unhealthy.
QString causeClassName(CauseClass cause);
/// Parses the configuration spelling; std::nullopt for anything else.
std::optional<CauseClass> causeClassFromName(QStringView name);
/// The cause a signal's breach gets when the configuration names none, guessed from the signal's name
/// (integrity/checksum→data-integrity, *latency*→latency, error*→errors, load/utilisation→overload, else unhealthy).
CauseClass defaultCauseForSignal(QStringView signalName);

/// Spelling helpers used by the configuration loader.
namespace CauseClasses {
inline QString toString(CauseClass cause)
{
    return causeClassName(cause);
}
inline std::optional<CauseClass> fromString(QStringView text)
{
    return causeClassFromName(text);
}
/// Every spelling, in the order the documentation lists them.
QStringList names();
inline CauseClass defaultForSignal(QStringView signalName)
{
    return defaultCauseForSignal(signalName);
}
} // namespace CauseClasses

} // namespace FaultDesk
