#pragma once

#include <QList>
#include <QPointF>

#include <cstdint>
#include <span>
#include <vector>

namespace FaultDesk {

/// One point of a time series: milliseconds since the epoch and a value; a NaN value is a missing sample.
struct SeriesPoint
{
    std::int64_t timeMs = 0;
    double value = 0;

    friend bool operator==(const SeriesPoint&, const SeriesPoint&) = default;
};

/**
 * Reduces a time series to what a plot of a given width can show, or a report needs to keep: the one
 * implementation behind the console's charts (QPointF, x in ms since the epoch), the series store and the incident
 * reports (SeriesPoint). Qt Charts costs ~1 µs per point in its geometry pass, so a chart should receive a few
 * thousand points per series, never a day of samples.
 *
 * Input contract of every function: points sorted by ascending time; a NaN value is a missing sample and marks a
 * gap. Outputs keep time ascending, are taken from the input (no value is invented), and represent each gap by a
 * single NaN point between its neighbours so the caller breaks the line there (never draws it as zero).
 */
class Downsampler
{
public:
    enum class Method {
        MinMax, ///< minimum and maximum per pixel column: exact envelope, every spike survives; ≤ 2 points a column
        Lttb, ///< Largest-Triangle-Three-Buckets (Steinarsson 2013): ≤ N points, keeps the visual shape
        MinMaxLttb, ///< min/max pre-selection then LTTB (Van Der Donckt et al. 2023): LTTB's shape at min/max cost
    };

    /// LTTB to at most @p threshold points (gap markers included). Keeps the first and last point of every run
    /// between gaps. Returns the input unchanged when it already has ≤ @p threshold points.
    static QList<QPointF> lttb(std::span<const QPointF> points, qsizetype threshold);
    static std::vector<SeriesPoint> lttb(std::span<const SeriesPoint> points, qsizetype threshold);

    /// Minimum and maximum of each of @p columns equal-width columns spanning [@p x0, @p x1], in time order, plus
    /// the data's first and last finite sample: at most 2·@p columns + 2 finite points and at most one gap marker
    /// per column. Points outside [@p x0, @p x1] count in the first/last column. Returns the input unchanged when
    /// it has ≤ 2·@p columns points. Gaps narrower than one column are invisible at that width and are not kept.
    static QList<QPointF> minMax(std::span<const QPointF> points, double x0, double x1, int columns);
    static std::vector<SeriesPoint> minMax(std::span<const SeriesPoint> points, double x0, double x1, int columns);

    /// Min/max pre-selection into @p threshold·@p ratio / 2 columns over the data's own time extent, then LTTB to
    /// @p threshold points. Returns the input unchanged when it has ≤ @p threshold points.
    static QList<QPointF> minMaxLttb(std::span<const QPointF> points, qsizetype threshold, int ratio = 4);

    /// The points a plot of [@p x0, @p x1] needs: those inside plus one neighbour on each side, so the line
    /// enters and leaves the plot at the right height. Binary search, no copy.
    static std::span<const QPointF> visibleSlice(std::span<const QPointF> points, double x0, double x1);

    /// Reduces @p points for a plot of [@p x0, @p x1] that is @p pixels wide: MinMax uses one column per pixel
    /// (≤ 2 points per pixel), the LTTB methods keep at most @p pixels points.
    static QList<QPointF> forPlot(Method method, std::span<const QPointF> points, double x0, double x1, int pixels);
};

} // namespace FaultDesk
