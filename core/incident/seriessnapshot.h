#pragma once

#include <QList>
#include <QString>

namespace FaultDesk {

/// One sample of a stored series: time in ms since the epoch (UTC) and the value.
struct SnapshotPoint
{
    qint64 timeMs = 0;
    double value = 0;
    friend bool operator==(const SnapshotPoint&, const SnapshotPoint&) = default;
};

/// A target's signal over an incident's window, kept with the incident so reports can redraw its chart later.
struct SeriesSnapshot
{
    QString target;
    QString signal; ///< "load", "p95_latency", …
    QList<SnapshotPoint> points; ///< in time order
};

} // namespace FaultDesk
