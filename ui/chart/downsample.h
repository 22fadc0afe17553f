#pragma once

#include <QList>
#include <QPointF>

#include <span>

namespace FaultDesk {

/// Reduces a time series to what a plot of a given pixel width can show, so Qt Charts only ever receives a few
/// thousand points per series (its geometry pass costs ~1 µs per point).
///
/// Input contract for every function: points are sorted by ascending x (time); a point whose y is NaN is a
/// missing sample and marks a gap. Outputs keep x ascending, never invent values, and represent each gap by a
/// single NaN point so the caller can break the line there (never draw it as zero).
namespace Downsample {

enum class Method {
    MinMax, ///< minimum and maximum per pixel column: exact envelope, every spike survives; ≤ 2 points per column
    Lttb, ///< Largest-Triangle-Three-Buckets (Steinarsson 2013): ≤ N points, keeps the visual shape
    MinMaxLttb, ///< min/max pre-selection then LTTB (Van Der Donckt et al. 2023): LTTB's shape at min/max cost
};

/// LTTB to at most @p threshold points (NaN gap markers included). Keeps the first and last point of every
/// run between gaps. Returns the input unchanged when it already has ≤ @p threshold points.
QList<QPointF> lttb(std::span<const QPointF> points, qsizetype threshold);

/// Minimum and maximum of each of @p columns equal-width columns spanning [@p x0, @p x1], emitted in time
/// order, plus the data's first and last finite sample: at most 2·@p columns + 2 finite points and at most one
/// NaN gap marker per column. Points outside [@p x0, @p x1] count in the first/last column. Returns the input
/// unchanged when it has ≤ 2·@p columns points.
/// Gaps narrower than one column are invisible at that width and are not kept.
QList<QPointF> minMax(std::span<const QPointF> points, double x0, double x1, int columns);

/// Min/max pre-selection into @p threshold·@p ratio / 2 columns over the data's own x extent, then LTTB to
/// @p threshold points. Returns the input unchanged when it has ≤ @p threshold points.
QList<QPointF> minMaxLttb(std::span<const QPointF> points, qsizetype threshold, int ratio = 4);

/// The points a plot of [@p x0, @p x1] needs: those inside plus one neighbour on each side, so the line
/// enters and leaves the plot at the right height. Binary search, no copy.
std::span<const QPointF> visibleSlice(std::span<const QPointF> points, double x0, double x1);

/// Reduces @p points for a plot of [@p x0, @p x1] that is @p pixels wide: MinMax uses one column per pixel
/// (≤ 2 points per pixel), the LTTB methods keep at most @p pixels points.
QList<QPointF> forPlot(Method method, std::span<const QPointF> points, double x0, double x1, int pixels);

} // namespace Downsample
} // namespace FaultDesk
