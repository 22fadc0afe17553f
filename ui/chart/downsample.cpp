#include "downsample.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace FaultDesk::Downsample {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

QList<QPointF> copyOf(std::span<const QPointF> points)
{
    return QList<QPointF>(points.begin(), points.end());
}

/// The runs of finite samples between gaps; consecutive NaNs count as one gap.
std::vector<std::span<const QPointF>> finiteRuns(std::span<const QPointF> points)
{
    std::vector<std::span<const QPointF>> runs;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= points.size(); ++i) {
        if (i == points.size() || std::isnan(points[i].y())) {
            if (i > start)
                runs.push_back(points.subspan(start, i - start));
            start = i + 1;
        }
    }
    return runs;
}

/// Plain LTTB over a run without gaps, appended to @p out.
void lttbRun(std::span<const QPointF> p, qsizetype threshold, QList<QPointF>& out)
{
    const auto len = qsizetype(p.size());
    if (threshold >= len || len <= 2) {
        out.append(QList<QPointF>(p.begin(), p.end()));
        return;
    }
    if (threshold <= 0)
        return;
    if (threshold == 1) {
        out.append(p.front());
        return;
    }
    out.append(p.front());
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
                    avgX += p[j].x();
                    avgY += p[j].y();
                }
                avgX /= double(avgEnd - avgStart);
                avgY /= double(avgEnd - avgStart);
            } else {
                avgX = p[len - 1].x();
                avgY = p[len - 1].y();
            }
            const qsizetype rangeStart = qsizetype(double(i) * every) + 1;
            const qsizetype rangeEnd = std::min(qsizetype(double(i + 1) * every) + 1, len - 1);
            const double ax = p[a].x();
            const double ay = p[a].y();
            double maxArea = -1;
            qsizetype chosen = rangeStart;
            for (qsizetype j = rangeStart; j < rangeEnd; ++j) {
                // Twice the triangle's area; the factor does not change the arg max.
                const double area = std::abs((ax - avgX) * (p[j].y() - ay) - (ax - p[j].x()) * (avgY - ay));
                if (area > maxArea) {
                    maxArea = area;
                    chosen = j;
                }
            }
            out.append(p[chosen]);
            a = chosen;
        }
    }
    out.append(p.back());
}

} // namespace

QList<QPointF> lttb(std::span<const QPointF> points, qsizetype threshold)
{
    if (qsizetype(points.size()) <= threshold)
        return copyOf(points);
    if (threshold <= 0)
        return {};
    const auto runs = finiteRuns(points);
    if (runs.empty())
        return {};
    QList<QPointF> out;
    out.reserve(threshold);
    const auto runCount = qsizetype(runs.size());
    const qsizetype budget = threshold - (runCount - 1);
    if (budget < 2 * runCount) {
        // More gaps than the budget can show one by one: an envelope of a few columns still shows where data is
        // missing. Each column yields at most 2 points and one gap marker, plus the first and last point.
        if (threshold >= 5) {
            const int columns = int((threshold - 2) / 3);
            return minMax(points, points.front().x(), points.back().x(), columns);
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
            out.append(QPointF((runs[std::size_t(i - 1)].back().x() + run.front().x()) / 2, NaN));
        const qsizetype inner = std::max<qsizetype>(0, qsizetype(run.size()) - 2);
        const qsizetype share = innerTotal > 0 ? qsizetype(double(extra) * double(inner) / double(innerTotal)) : 0;
        lttbRun(run, std::min<qsizetype>(qsizetype(run.size()), 2 + share), out);
    }
    return out;
}

QList<QPointF> minMax(std::span<const QPointF> points, double x0, double x1, int columns)
{
    columns = std::max(1, columns);
    if (qsizetype(points.size()) <= 2 * qsizetype(columns))
        return copyOf(points);

    QList<QPointF> out;
    out.reserve(2 * qsizetype(columns) + 2);
    const double scale = x1 > x0 ? double(columns) / (x1 - x0) : 0.0;
    const int lastColumn = columns - 1;

    std::size_t first = points.size();
    std::size_t last = points.size();
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!std::isnan(points[i].y())) {
            first = i;
            break;
        }
    }
    if (first == points.size())
        return {};
    for (std::size_t i = points.size(); i-- > 0;) {
        if (!std::isnan(points[i].y())) {
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
        if (gapBeforeColumn && !out.isEmpty())
            out.append(QPointF((out.constLast().x() + points[columnStart].x()) / 2, NaN));
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
            out.append(points[*it]);
    };

    // The column index is only computed when a point crosses the current column's right boundary; inside a column
    // the loop is a NaN test and two comparisons, so a million points take about a millisecond.
    const double columnWidth = scale > 0 ? 1.0 / scale : 0.0;
    double boundary = -std::numeric_limits<double>::infinity();
    double minY = 0;
    double maxY = 0;
    for (std::size_t i = first; i <= last; ++i) {
        const QPointF& p = points[i];
        const double y = p.y();
        if (std::isnan(y)) {
            sawGap = true;
            continue;
        }
        if (p.x() >= boundary) {
            const int c = int(std::clamp((p.x() - x0) * scale, 0.0, double(lastColumn)));
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

QList<QPointF> minMaxLttb(std::span<const QPointF> points, qsizetype threshold, int ratio)
{
    if (qsizetype(points.size()) <= threshold)
        return copyOf(points);
    const int columns = int(std::max<qsizetype>(1, threshold * std::max(1, ratio) / 2));
    const QList<QPointF> preselected = minMax(points, points.front().x(), points.back().x(), columns);
    return lttb(std::span<const QPointF>(preselected.constData(), std::size_t(preselected.size())), threshold);
}

std::span<const QPointF> visibleSlice(std::span<const QPointF> points, double x0, double x1)
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

QList<QPointF> forPlot(Method method, std::span<const QPointF> points, double x0, double x1, int pixels)
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

} // namespace FaultDesk::Downsample
