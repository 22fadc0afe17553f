#include "incident/incidentstate.h"

#include <array>

namespace FaultDesk {

namespace {
constexpr std::array<std::u16string_view, 9> kNames = { u"detected", u"located", u"acknowledged", u"handling",
    u"handled", u"recovering", u"recovered", u"escalated", u"reopened" };

// Position on the main path; Escalated and Reopened are off it.
int rank(IncidentState s)
{
    switch (s) {
    case IncidentState::Detected:
    case IncidentState::Reopened:
        return 0;
    case IncidentState::Located:
        return 1;
    case IncidentState::Acknowledged:
    case IncidentState::Escalated:
        return 2;
    case IncidentState::Handling:
        return 3;
    case IncidentState::Handled:
        return 4;
    case IncidentState::Recovering:
        return 5;
    case IncidentState::Recovered:
        return 6;
    }
    return 0;
}
} // namespace

QString IncidentLifecycle::name(IncidentState state)
{
    const auto& n = kNames.at(static_cast<size_t>(state));
    return QString::fromUtf16(n.data(), qsizetype(n.size()));
}

std::optional<IncidentState> IncidentLifecycle::fromName(const QString& name)
{
    for (size_t i = 0; i < kNames.size(); ++i)
        if (name == QStringView(kNames[i].data(), qsizetype(kNames[i].size())))
            return static_cast<IncidentState>(i);
    return std::nullopt;
}

std::optional<IncidentState> IncidentLifecycle::apply(IncidentState from, IncidentState to, QString* error)
{
    auto refuse = [&]() -> std::optional<IncidentState> {
        if (error)
            *error = QStringLiteral("an incident that is %1 cannot become %2").arg(name(from), name(to));
        return std::nullopt;
    };
    if (from == IncidentState::Recovered)
        return to == IncidentState::Reopened ? std::optional(to) : refuse();
    switch (to) {
    case IncidentState::Detected:
        return refuse();
    case IncidentState::Reopened:
        return refuse();
    case IncidentState::Escalated:
        return from == IncidentState::Escalated ? refuse() : std::optional(to);
    case IncidentState::Acknowledged:
        if (from == IncidentState::Acknowledged)
            return refuse();
        // An operator may acknowledge while automatic remediation is already under way.
        return rank(from) > rank(to) || from == IncidentState::Escalated ? std::optional(from) : std::optional(to);
    default:
        return rank(to) > rank(from) ? std::optional(to) : refuse();
    }
}

} // namespace FaultDesk
