#include "downsampler.h"

#include <cmath>

namespace FaultDesk {

std::vector<SeriesPoint> Downsampler::minMax(std::span<const SeriesPoint> points, int maxPoints)
{
    const std::size_t n = points.size();
    if (maxPoints <= 0)
        return {};
    if (n <= std::size_t(maxPoints))
        return std::vector<SeriesPoint>(points.begin(), points.end());
    if (maxPoints == 1)
        return { points.front() };
    const std::size_t buckets = std::size_t(maxPoints) / 2;
    std::vector<SeriesPoint> out;
    out.reserve(buckets * 2);
    for (std::size_t b = 0; b < buckets; ++b) {
        const std::size_t begin = b * n / buckets;
        const std::size_t end = (b + 1) * n / buckets;
        std::size_t lo = begin;
        std::size_t hi = begin;
        for (std::size_t i = begin + 1; i < end; ++i) {
            // NaN never wins a comparison, so a NaN point is kept only when the whole bucket is NaN.
            if (points[i].value < points[lo].value || std::isnan(points[lo].value))
                lo = i;
            if (points[i].value > points[hi].value || std::isnan(points[hi].value))
                hi = i;
        }
        if (lo == hi) {
            out.push_back(points[lo]);
        } else {
            out.push_back(points[std::min(lo, hi)]);
            out.push_back(points[std::max(lo, hi)]);
        }
    }
    return out;
}

std::vector<SeriesPoint> Downsampler::lttb(std::span<const SeriesPoint> points, int maxPoints)
{
    const std::size_t n = points.size();
    if (maxPoints <= 0)
        return {};
    if (n <= std::size_t(maxPoints))
        return std::vector<SeriesPoint>(points.begin(), points.end());
    if (maxPoints < 3) {
        std::vector<SeriesPoint> out { points.front() };
        if (maxPoints == 2)
            out.push_back(points.back());
        return out;
    }
    std::vector<SeriesPoint> out;
    out.reserve(std::size_t(maxPoints));
    out.push_back(points.front());
    const double every = double(n - 2) / double(maxPoints - 2);
    std::size_t a = 0;
    for (int i = 0; i < maxPoints - 2; ++i) {
        // Average of the next bucket is the third corner of the triangle.
        std::size_t avgBegin = std::size_t(std::floor((i + 1) * every)) + 1;
        std::size_t avgEnd = std::min(std::size_t(std::floor((i + 2) * every)) + 1, n);
        if (avgBegin >= avgEnd)
            avgBegin = avgEnd - 1;
        double avgX = 0;
        double avgY = 0;
        for (std::size_t j = avgBegin; j < avgEnd; ++j) {
            avgX += double(points[j].timeMs);
            avgY += points[j].value;
        }
        avgX /= double(avgEnd - avgBegin);
        avgY /= double(avgEnd - avgBegin);

        const std::size_t rangeBegin = std::size_t(std::floor(i * every)) + 1;
        const std::size_t rangeEnd = std::size_t(std::floor((i + 1) * every)) + 1;
        const double ax = double(points[a].timeMs);
        const double ay = points[a].value;
        double maxArea = -1;
        std::size_t chosen = rangeBegin;
        for (std::size_t j = rangeBegin; j < rangeEnd && j < n; ++j) {
            const double area
                = std::abs((ax - avgX) * (points[j].value - ay) - (ax - double(points[j].timeMs)) * (avgY - ay));
            if (area > maxArea) {
                maxArea = area;
                chosen = j;
            }
        }
        out.push_back(points[chosen]);
        a = chosen;
    }
    out.push_back(points.back());
    return out;
}

} // namespace FaultDesk
