#pragma once

#include <QString>

#include <memory>

namespace FaultDesk {
class SeriesStore;
}

/// SeriesStore for tst_incidentrecorder without including metrics/ next to incident/ headers.
namespace RecorderSeries {
std::shared_ptr<FaultDesk::SeriesStore> make();
void append(FaultDesk::SeriesStore& store, const QString& target, const QString& signal, qint64 timeMs, double value);
} // namespace RecorderSeries
