#pragma once

#include "incident/incident.h"

#include <QDateTime>
#include <QList>

#include <optional>

namespace FaultDesk {

class IncidentStore;

/**
 * Everything a report needs, read from the store in one go: the incidents with their timeline, actions and series,
 * and for a time range the MTTx figures. Renderers (ReportRenderer, the UI's PDF) only format this value.
 */
struct ReportData
{
    enum class Kind {
        Incident, ///< one incident, in depth
        Range, ///< incidents detected in [fromUtc, toUtc), with the table and MTTx figures
    };

    Kind kind = Kind::Incident;
    QDateTime generatedUtc;
    QString generator; ///< "FaultDesk 0.1.0"
    QDateTime fromUtc;
    QDateTime toUtc;
    bool includesDrills = false;
    QList<Incident> incidents; ///< newest first for ranges; full detail (timeline, actions, series)
    int omittedIncidents = 0; ///< range incidents beyond maxDetailed, listed in no detail
    QList<MttxFigures> mttxOverall; ///< one row (empty key) when there are incidents
    QList<MttxFigures> mttxByTarget;
    QList<MttxFigures> mttxByCause;

    /// A report on incident @p id. @p nowUtc stamps it (injectable for tests).
    static std::optional<ReportData> forIncident(
        const IncidentStore& store, const QString& id, const QDateTime& nowUtc, QString* error = nullptr);
    /// A report on the most recent incident (drills included when @p includeDrills).
    static std::optional<ReportData> forLast(
        const IncidentStore& store, bool includeDrills, const QDateTime& nowUtc, QString* error = nullptr);
    /// A report on the incidents detected in [@p fromUtc, @p toUtc); the first @p maxDetailed get full detail.
    static std::optional<ReportData> forRange(const IncidentStore& store, const QDateTime& fromUtc,
        const QDateTime& toUtc, bool includeDrills, const QDateTime& nowUtc, QString* error = nullptr,
        int maxDetailed = 100);
};

} // namespace FaultDesk
