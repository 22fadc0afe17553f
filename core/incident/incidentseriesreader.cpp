#include "incident/incidentseriesreader.h"

#include "metrics/seriesstore.h"

namespace FaultDesk {

std::vector<std::pair<qint64, double>> IncidentSeriesReader::read(
    const SeriesStore& store, const QString& target, const QString& signal, qint64 fromMs, qint64 toMs)
{
    std::vector<std::pair<qint64, double>> out;
    const SeriesStore::SeriesId id = store.find(target, signal);
    if (id < 0)
        return out;
    const auto points = store.range(id, fromMs, toMs);
    out.reserve(points.size());
    for (const auto& p : points)
        out.emplace_back(p.timeMs, p.value);
    return out;
}

} // namespace FaultDesk
