#pragma once

#include <QMetaType>
#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * Lifecycle of an incident. The main path runs Detected → Located → Acknowledged → Handling → Handled →
 * Recovering → Recovered; Escalated hands it to a human, Reopened brings a recovered incident back.
 */
enum class IncidentState {
    Detected,
    Located,
    Acknowledged,
    Handling,
    Handled,
    Recovering,
    Recovered,
    Escalated,
    Reopened,
};

/// Lifecycle rules and names of IncidentState, shared by the store, the UI and the reports.
class IncidentLifecycle
{
public:
    /// Stable lower-case name stored in the database and written in reports ("acknowledged").
    static QString name(IncidentState state);
    /// Parses a name written by name(); std::nullopt for anything else.
    static std::optional<IncidentState> fromName(const QString& name);
    /// Whether @p state is the end of the lifecycle (recovered).
    static bool isClosed(IncidentState state) { return state == IncidentState::Recovered; }
    /**
     * The state an incident in @p from is in after the event @p to, or std::nullopt (and @p error) when the
     * lifecycle forbids it. Phases may be skipped (automatic remediation needs no acknowledgement), never
     * undone; acknowledging while already handling records the acknowledgement and keeps the later state.
     */
    static std::optional<IncidentState> apply(IncidentState from, IncidentState to, QString* error = nullptr);
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::IncidentState)
