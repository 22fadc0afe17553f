#pragma once

#include <QString>

#include <utility>
#include <vector>

namespace FaultDesk {

class SeriesStore;

/**
 * Reads a window of one live series for an incident snapshot. A translation unit of its own because the
 * metrics store should stay out of the incident store's translation units (they only exchange plain pairs).
 */
class IncidentSeriesReader
{
public:
    /// Samples of @p target / @p signal with time in [@p fromMs, @p toMs] as (ms, value); empty when unknown.
    static std::vector<std::pair<qint64, double>> read(
        const SeriesStore& store, const QString& target, const QString& signal, qint64 fromMs, qint64 toMs);
};

} // namespace FaultDesk
