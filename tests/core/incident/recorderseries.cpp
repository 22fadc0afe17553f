// The test's access to SeriesStore, in a translation unit of its own: metrics/ and incident/ both define a
// FaultDesk::SeriesPoint, so no file may include both.

#include "recorderseries.h"

#include "metrics/seriesstore.h"

namespace RecorderSeries {

std::shared_ptr<FaultDesk::SeriesStore> make()
{
    return std::make_shared<FaultDesk::SeriesStore>(1000, 3600);
}

void append(FaultDesk::SeriesStore& store, const QString& target, const QString& signal, qint64 timeMs, double value)
{
    store.append(store.addSeries(target, signal), timeMs, value);
}

} // namespace RecorderSeries
