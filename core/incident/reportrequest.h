#pragma once

#include "incident/reportdata.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace FaultDesk {

class IncidentStore;

/**
 * Which incidents a report covers (value type): one incident, the most recent one, or those detected in a time
 * range. `faultdesk report` builds one from its arguments; read() turns it into the report's data.
 */
struct ReportRequest
{
    enum class Scope {
        Incident, ///< incidentId, in depth
        Last, ///< the most recent incident, drill or not: after `faultdesk drill` the operator wants that drill's
        Range, ///< detected in [fromUtc, toUtc), with the MTTx figures (which leave drills out unless included)
    };

    Scope scope = Scope::Last;
    QString incidentId;
    QDateTime fromUtc;
    QDateTime toUtc;
    bool includeDrills = false; ///< Scope::Range: drills' incidents are listed and counted in the MTTx figures

    /// The report's data from @p store, stamped @p nowUtc. On failure *error says why, naming the store where the
    /// store itself gave no reason ("no incident 'inc-7' in …/incidents.db", "… holds no incident").
    std::optional<ReportData> read(const IncidentStore& store, const QDateTime& nowUtc, QString* error) const;
    /// The same from the incident database at @p location (a file or a postgresql:// URL), opened for this read
    /// only (no pruning); *error also says why it could not be opened.
    std::optional<ReportData> read(const QString& location, const QDateTime& nowUtc, QString* error) const;
};

} // namespace FaultDesk
