#pragma once

#include <QList>
#include <QPointF>
#include <QString>

namespace FaultDesk {

/// Plain value data a LoadChart draws; the charts never read the series store or the fault model themselves, so
/// the console and the offscreen report renderer feed them the same way. Times are ms since the epoch (UTC).

/// One line: a signal of one target. @c points are sorted by time (x = ms since epoch, y = value); a NaN y is a
/// missing sample and breaks the line. QList is implicitly shared, so handing the store's list over costs no copy.
struct ChartSeries
{
    QString target; ///< e.g. "web-2"
    QString signal; ///< e.g. "load"
    QString unit; ///< shown in tooltips and on the value axis: "%", "ms", "req/s", or empty
    QList<QPointF> points;
    QString label; ///< legend text; empty means the target name
};

/// A detection threshold (or its clear level) as a step function: each point is (time the value took effect, value);
/// the value holds until the next point and the last one until now. One point at time 0 is a constant threshold. An
/// empty
/// @c target means one threshold for the whole chart; otherwise it belongs to the series with that target/signal.
struct ChartThreshold
{
    QString target;
    QString signal;
    QList<QPointF> points;
    /// The clear level of a threshold with hysteresis (a breach ends only back past it): drawn dotted, not dashed.
    bool clear = false;

    /// A constant threshold for the whole chart.
    static ChartThreshold constant(double value) { return { {}, {}, { QPointF(0, value) } }; }
};

/// A fault period, shaded behind the lines. @c endMs < 0 means the fault is still open (the band reaches now).
struct ChartBand
{
    qint64 startMs = 0;
    qint64 endMs = -1;
    QString label; ///< e.g. "overload web-2"; drawn at the band's top and shown in the tooltip
};

/// An operator or automation action, drawn as a vertical line with a short label ("drain web-2", "restart").
struct ChartMarker
{
    qint64 timeMs = 0;
    QString label;
};

} // namespace FaultDesk
