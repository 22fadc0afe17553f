#include "seriesdownsampler.h"

#include <cmath>

namespace FaultDesk {

QList<SnapshotPoint> SeriesDownsampler::lttb(const QList<SnapshotPoint>& points, int maxPoints)
{
    const qsizetype n = points.size();
    if (maxPoints < 3 || n <= maxPoints)
        return points;
    QList<SnapshotPoint> out;
    out.reserve(maxPoints);
    out.append(points.first());
    // Buckets over the inner points; the first and last points are always kept.
    const double bucket = double(n - 2) / double(maxPoints - 2);
    qsizetype a = 0;
    for (int i = 0; i < maxPoints - 2; ++i) {
        const auto start = qsizetype(std::floor(i * bucket)) + 1;
        const auto end = std::min(qsizetype(std::floor((i + 1) * bucket)) + 1, n - 1);
        // Average of the next bucket is the third corner of the triangle.
        const auto nextStart = end;
        const auto nextEnd = std::min(qsizetype(std::floor((i + 2) * bucket)) + 1, n);
        double avgX = 0, avgY = 0;
        qsizetype counted = 0;
        for (qsizetype j = nextStart; j < nextEnd; ++j) {
            if (!std::isfinite(points[j].value))
                continue;
            avgX += double(points[j].timeMs);
            avgY += points[j].value;
            ++counted;
        }
        if (counted > 0) {
            avgX /= double(counted);
            avgY /= double(counted);
        } else {
            avgX = double(points[nextStart < n ? nextStart : n - 1].timeMs);
            avgY = points[a].value;
        }
        const double ax = double(points[a].timeMs), ay = points[a].value;
        qsizetype best = start;
        double bestArea = -1;
        for (qsizetype j = start; j < end; ++j) {
            const double area
                = std::abs((ax - avgX) * (points[j].value - ay) - (ax - double(points[j].timeMs)) * (avgY - ay));
            if (std::isfinite(area) && area > bestArea) {
                bestArea = area;
                best = j;
            }
        }
        out.append(points[best]);
        a = best;
    }
    out.append(points.last());
    return out;
}

} // namespace FaultDesk
