#include "incident/reportrequest.h"

#include "incident/incidentstore.h"

namespace FaultDesk {

std::optional<ReportData> ReportRequest::read(const IncidentStore& store, const QDateTime& nowUtc, QString* error) const
{
    QString why;
    std::optional<ReportData> data;
    QString otherwise;
    switch (scope) {
    case Scope::Incident:
        data = ReportData::forIncident(store, incidentId, nowUtc, &why);
        otherwise = QStringLiteral("no incident '%1' in %2").arg(incidentId, store.displayName());
        break;
    case Scope::Last:
        data = ReportData::forLast(store, true, nowUtc, &why);
        otherwise = QStringLiteral("%1 holds no incident").arg(store.displayName());
        break;
    case Scope::Range:
        data = ReportData::forRange(store, fromUtc, toUtc, includeDrills, nowUtc, &why);
        otherwise = QStringLiteral("cannot read the incidents of %1").arg(store.displayName());
        break;
    }
    if (!data && error)
        *error = why.isEmpty() ? otherwise : why;
    return data;
}

std::optional<ReportData> ReportRequest::read(const QString& location, const QDateTime& nowUtc, QString* error) const
{
    IncidentStore::Options options;
    options.path = location;
    options.pruneIntervalMs = 0;
    IncidentStore store(options);
    if (!store.open(error))
        return std::nullopt;
    return read(store, nowUtc, error);
}

} // namespace FaultDesk
