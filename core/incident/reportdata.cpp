#include "incident/reportdata.h"

#include "incident/incidentstore.h"
#include "util/buildinfo.h"

namespace FaultDesk {

namespace {
ReportData base(ReportData::Kind kind, const QDateTime& nowUtc)
{
    ReportData r;
    r.kind = kind;
    r.generatedUtc = nowUtc.toUTC();
    r.generator = BuildInfo::applicationName() + u' ' + BuildInfo::version();
    return r;
}
} // namespace

std::optional<ReportData> ReportData::forIncident(
    const IncidentStore& store, const QString& id, const QDateTime& nowUtc, QString* error)
{
    std::optional<Incident> inc = store.incident(id, true, error);
    if (!inc)
        return std::nullopt;
    ReportData r = base(Kind::Incident, nowUtc);
    r.includesDrills = inc->drill;
    r.fromUtc = inc->firstFailureUtc.isValid() ? inc->firstFailureUtc : inc->detectedUtc;
    r.toUtc = inc->recoveredUtc.isValid() ? inc->recoveredUtc : inc->updatedUtc;
    r.incidents.append(*inc);
    return r;
}

std::optional<ReportData> ReportData::forLast(
    const IncidentStore& store, bool includeDrills, const QDateTime& nowUtc, QString* error)
{
    IncidentFilter f;
    f.includeDrills = includeDrills;
    f.limit = 1;
    QString why;
    const QList<Incident> last = store.incidents(f, &why);
    if (last.isEmpty()) {
        if (error)
            *error = why.isEmpty() ? QStringLiteral("no incidents in %1").arg(store.displayName()) : why;
        return std::nullopt;
    }
    return forIncident(store, last.constFirst().id, nowUtc, error);
}

std::optional<ReportData> ReportData::forRange(const IncidentStore& store, const QDateTime& fromUtc,
    const QDateTime& toUtc, bool includeDrills, const QDateTime& nowUtc, QString* error, int maxDetailed)
{
    if (fromUtc.isValid() && toUtc.isValid() && toUtc < fromUtc) {
        if (error)
            *error = QStringLiteral("the report range ends (%1) before it starts (%2)")
                         .arg(toUtc.toString(Qt::ISODate), fromUtc.toString(Qt::ISODate));
        return std::nullopt;
    }
    ReportData r = base(Kind::Range, nowUtc);
    r.fromUtc = fromUtc.toUTC();
    r.toUtc = toUtc.isValid() ? toUtc.toUTC() : r.generatedUtc;
    r.includesDrills = includeDrills;
    IncidentFilter f;
    f.fromUtc = r.fromUtc;
    f.toUtc = r.toUtc;
    f.includeDrills = includeDrills;
    f.limit = 0;
    QString why;
    const QList<Incident> all = store.incidents(f, &why);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    for (const Incident& summary : all) {
        if (r.incidents.size() >= maxDetailed) {
            r.incidents.append(summary);
            ++r.omittedIncidents;
            continue;
        }
        std::optional<Incident> full = store.incident(summary.id, true, &why);
        r.incidents.append(full ? *full : summary);
    }
    r.mttxOverall = store.mttx(IncidentStore::Grouping::Overall, f);
    r.mttxByTarget = store.mttx(IncidentStore::Grouping::Target, f);
    r.mttxByCause = store.mttx(IncidentStore::Grouping::Cause, f);
    return r;
}

} // namespace FaultDesk
