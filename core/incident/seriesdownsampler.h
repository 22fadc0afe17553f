#pragma once

#include "seriessnapshot.h"

namespace FaultDesk {

/// Reduces long series for storage and charts while keeping their visual shape.
class SeriesDownsampler
{
public:
    /**
     * Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the first and last point and, per bucket, the point
     * spanning the largest triangle with its neighbours, so spikes survive. Returns @p points unchanged when they
     * already fit in @p maxPoints (or @p maxPoints < 3). Non-finite values are kept as gaps where chosen.
     */
    static QList<SnapshotPoint> lttb(const QList<SnapshotPoint>& points, int maxPoints);
};

} // namespace FaultDesk
