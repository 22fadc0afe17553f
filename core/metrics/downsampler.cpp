#include "metrics/downsampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace FaultDesk {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// The algorithms below are written once over the point type; these say how to read and make each kind of point.
double xOf(const QPointF& p)
{
    return p.x();
}
double yOf(const QPointF& p)
{
    return p.y();
}
double xOf(const SeriesPoint& p)
{
    return double(p.timeMs);
}
double yOf(const SeriesPoint& p)
{
    return p.value;
}
// A gap marker halfway between @p before and @p after (a NaN sample lies between them, so for whole milliseconds
// the midpoint stays strictly between its neighbours).
void appendGap(QList<QPointF>& out, double before, double after)
{
    out.push_back(QPointF((before + after) / 2, NaN));
}
void appendGap(std::vector<SeriesPoint>& out, double before, double after)
{
    out.push_back(SeriesPoint { std::int64_t(std::floor((before + after) / 2)), NaN });
}

template <class Out, class P> Out copyOf(std::span<const P> points)
{
    return Out(points.begin(), points.end());
}

/// The runs of finite samples between gaps; consecutive NaNs count as one gap.
template <class P> std::vector<std::span<const P>> finiteRuns(std::span<const P> points)
{
    std::vector<std::span<const P>> runs;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= points.size(); ++i) {
        if (i == points.size() || std::isnan(yOf(points[i]))) {
            if (i > start)
                runs.push_back(points.subspan(start, i - start));
            start = i + 1;
        }
    }
    return runs;
}

/// Plain LTTB over a run without gaps, appended to @p out. Returns false when it met a missing sample on the way
/// (then @p out holds nothing useful): its bucket loops visit every point once, so the check costs no extra pass.
template <class Out, class P> bool lttbRun(std::span<const P> p, qsizetype threshold, Out& out)
{
    const auto len = qsizetype(p.size());
    if (threshold >= len) {
        for (const P& x : p)
            out.push_back(x);
        return true;
    }
    if (threshold <= 0)
        return true;
    if (std::isnan(yOf(p.front())) || std::isnan(yOf(p.back())))
        return false;
    out.push_back(p.front());
    if (threshold == 1)
        return true;
    bool gap = false;
    if (threshold > 2) {
        // Bucket boundaries by index, as in the reference implementation (flot-downsample): the first and last
        // points are fixed, the rest is split into threshold - 2 buckets.
        const double every = double(len - 2) / double(threshold - 2);
        qsizetype a = 0;
        for (qsizetype i = 0; i < threshold - 2; ++i) {
            const qsizetype avgStart = qsizetype(double(i + 1) * every) + 1;
            const qsizetype avgEnd = std::min(qsizetype(double(i + 2) * every) + 1, len);
            double avgX = 0;
            double avgY = 0;
            if (avgEnd > avgStart) {
                for (qsizetype j = avgStart; j < avgEnd; ++j) {
                    avgX += xOf(p[j]);
                    avgY += yOf(p[j]);
                }
                avgX /= double(avgEnd - avgStart);
                avgY /= double(avgEnd - avgStart);
            } else {
                avgX = xOf(p[len - 1]);
                avgY = yOf(p[len - 1]);
            }
            const qsizetype rangeStart = qsizetype(double(i) * every) + 1;
            const qsizetype rangeEnd = std::min(qsizetype(double(i + 1) * every) + 1, len - 1);
            const double ax = xOf(p[a]);
            const double ay = yOf(p[a]);
            double maxArea = -1;
            qsizetype chosen = rangeStart;
            // The buckets [rangeStart, rangeEnd) cover every inner point exactly once: the gap check rides along.
            for (qsizetype j = rangeStart; j < rangeEnd; ++j) {
                const double y = yOf(p[j]);
                gap |= std::isnan(y);
                // Twice the triangle's area; the factor does not change the arg max.
                const double area = std::abs((ax - avgX) * (y - ay) - (ax - xOf(p[j])) * (avgY - ay));
                if (area > maxArea) {
                    maxArea = area;
                    chosen = j;
                }
            }
            if (gap)
                return false; // the caller splits the runs out: stop the wasted pass here
            out.push_back(p[chosen]);
            a = chosen;
        }
    } else {
        for (qsizetype j = 1; j + 1 < len; ++j)
            gap |= std::isnan(yOf(p[j]));
    }
    out.push_back(p.back());
    return !gap;
}

template <class Out, class P> Out minMaxOf(std::span<const P> points, double x0, double x1, int columns)
{
    columns = std::max(1, columns);
    if (qsizetype(points.size()) <= 2 * qsizetype(columns))
        return copyOf<Out>(points);

    Out out;
    out.reserve(2 * qsizetype(columns) + 2);
    const double scale = x1 > x0 ? double(columns) / (x1 - x0) : 0.0;
    const int lastColumn = columns - 1;

    std::size_t first = points.size();
    std::size_t last = points.size();
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!std::isnan(yOf(points[i]))) {
            first = i;
            break;
        }
    }
    if (first == points.size())
        return {};
    for (std::size_t i = points.size(); i-- > 0;) {
        if (!std::isnan(yOf(points[i]))) {
            last = i;
            break;
        }
    }

    int column = -1;
    std::size_t columnStart = 0;
    std::size_t minIndex = 0;
    std::size_t maxIndex = 0;
    bool gapBeforeColumn = false;
    bool sawGap = false;
    auto flush = [&](bool final) {
        if (column < 0)
            return;
        if (gapBeforeColumn && !out.empty())
            appendGap(out, xOf(out.back()), xOf(points[columnStart]));
        // The data's own first and last samples stay too, so the line starts and ends where the data does.
        std::size_t picks[4] = { minIndex, maxIndex, minIndex, maxIndex };
        std::size_t count = 2;
        if (columnStart == first)
            picks[count++] = first;
        if (final)
            picks[count++] = last;
        std::sort(picks, picks + count);
        const auto end = std::unique(picks, picks + count);
        for (auto* it = picks; it != end; ++it)
            out.push_back(points[*it]);
    };

    // The column index is only computed when a point crosses the current column's right boundary; inside a column
    // the loop is a NaN test and two comparisons, so a million points take about a millisecond.
    const double columnWidth = scale > 0 ? 1.0 / scale : 0.0;
    double boundary = -std::numeric_limits<double>::infinity();
    double minY = 0;
    double maxY = 0;
    for (std::size_t i = first; i <= last; ++i) {
        const double x = xOf(points[i]);
        const double y = yOf(points[i]);
        if (std::isnan(y)) {
            sawGap = true;
            continue;
        }
        if (x >= boundary) {
            const int c = int(std::clamp((x - x0) * scale, 0.0, double(lastColumn)));
            boundary = scale > 0 && c < lastColumn ? x0 + double(c + 1) * columnWidth
                                                   : std::numeric_limits<double>::infinity();
            if (c != column) {
                flush(false);
                column = c;
                columnStart = minIndex = maxIndex = i;
                minY = maxY = y;
                gapBeforeColumn = sawGap;
                sawGap = false;
                continue;
            }
            // Rounding put the point back in the current column: the boundary moved past it, go on as usual.
        }
        if (y < minY) {
            minY = y;
            minIndex = i;
        } else if (y > maxY) {
            maxY = y;
            maxIndex = i;
        }
        // A gap inside one column is narrower than a pixel: invisible, so it is dropped.
        sawGap = false;
    }
    flush(true);
    return out;
}

template <class Out, class P> Out lttbOf(std::span<const P> points, qsizetype threshold)
{
    if (qsizetype(points.size()) <= threshold)
        return copyOf<Out>(points);
    if (threshold <= 0)
        return {};
    Out out;
    out.reserve(threshold);
    // Most series have no gap: the plain algorithm notices one on its way, and only then are the runs split out.
    if (lttbRun(points, threshold, out))
        return out;
    out.clear();
    const auto runs = finiteRuns(points);
    if (runs.empty())
        return {};
    const auto runCount = qsizetype(runs.size());
    const qsizetype budget = threshold - (runCount - 1);
    if (budget < 2 * runCount) {
        // More gaps than the budget can show one by one: an envelope of a few columns still shows where data is
        // missing. Each column yields at most 2 points and one gap marker, plus the first and last point.
        if (threshold >= 5) {
            const int columns = int((threshold - 2) / 3);
            return minMaxOf<Out>(points, xOf(points.front()), xOf(points.back()), columns);
        }
        const auto longest = std::max_element(
            runs.begin(), runs.end(), [](const auto& l, const auto& r) { return l.size() < r.size(); });
        lttbRun(*longest, threshold, out);
        return out;
    }
    // Every run keeps its two ends; the remaining budget goes to runs in proportion to their inner points.
    const qsizetype extra = budget - 2 * runCount;
    qsizetype innerTotal = 0;
    for (const auto& run : runs)
        innerTotal += std::max<qsizetype>(0, qsizetype(run.size()) - 2);
    for (qsizetype i = 0; i < runCount; ++i) {
        const auto& run = runs[std::size_t(i)];
        if (i > 0)
            appendGap(out, xOf(runs[std::size_t(i - 1)].back()), xOf(run.front()));
        const qsizetype inner = std::max<qsizetype>(0, qsizetype(run.size()) - 2);
        const qsizetype share = innerTotal > 0 ? qsizetype(double(extra) * double(inner) / double(innerTotal)) : 0;
        lttbRun(run, std::min<qsizetype>(qsizetype(run.size()), 2 + share), out);
    }
    return out;
}

} // namespace

QList<QPointF> Downsampler::lttb(std::span<const QPointF> points, qsizetype threshold)
{
    return lttbOf<QList<QPointF>>(points, threshold);
}

std::vector<SeriesPoint> Downsampler::lttb(std::span<const SeriesPoint> points, qsizetype threshold)
{
    return lttbOf<std::vector<SeriesPoint>>(points, threshold);
}

QList<QPointF> Downsampler::minMax(std::span<const QPointF> points, double x0, double x1, int columns)
{
    return minMaxOf<QList<QPointF>>(points, x0, x1, columns);
}

std::vector<SeriesPoint> Downsampler::minMax(std::span<const SeriesPoint> points, double x0, double x1, int columns)
{
    return minMaxOf<std::vector<SeriesPoint>>(points, x0, x1, columns);
}

QList<QPointF> Downsampler::minMaxLttb(std::span<const QPointF> points, qsizetype threshold, int ratio)
{
    if (qsizetype(points.size()) <= threshold)
        return copyOf<QList<QPointF>>(points);
    const int columns = int(std::max<qsizetype>(1, threshold * std::max(1, ratio) / 2));
    const QList<QPointF> preselected = minMax(points, points.front().x(), points.back().x(), columns);
    return lttb(std::span<const QPointF>(preselected.constData(), std::size_t(preselected.size())), threshold);
}

std::span<const QPointF> Downsampler::visibleSlice(std::span<const QPointF> points, double x0, double x1)
{
    const auto byX = [](const QPointF& p, double x) { return p.x() < x; };
    auto begin = std::lower_bound(points.begin(), points.end(), x0, byX);
    auto end = std::upper_bound(begin, points.end(), x1, [](double x, const QPointF& p) { return x < p.x(); });
    if (begin != points.begin())
        --begin;
    if (end != points.end())
        ++end;
    return std::span<const QPointF>(begin, end);
}

QList<QPointF> Downsampler::forPlot(Method method, std::span<const QPointF> points, double x0, double x1, int pixels)
{
    pixels = std::max(1, pixels);
    switch (method) {
    case Method::MinMax:
        return minMax(points, x0, x1, pixels);
    case Method::Lttb:
        return lttb(points, pixels);
    case Method::MinMaxLttb:
        return minMaxLttb(points, pixels);
    }
    return minMax(points, x0, x1, pixels);
}

} // namespace FaultDesk
