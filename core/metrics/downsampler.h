#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace FaultDesk {

/// One point of a time series: milliseconds since the epoch and a value.
struct SeriesPoint
{
    std::int64_t timeMs = 0;
    double value = 0;

    friend bool operator==(const SeriesPoint&, const SeriesPoint&) = default;
};

/**
 * Reduces a time series to at most N points for drawing (Qt Charts costs ~1 µs per point; a chart needs about
 * one point per pixel column). Both methods run in one linear pass and return a subset of the input.
 */
class Downsampler
{
public:
    /// Min and max of each of N/2 equal buckets, in time order: every spike and dip survives.
    static std::vector<SeriesPoint> minMax(std::span<const SeriesPoint> points, int maxPoints);
    /// Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the first and last point and the visual shape.
    static std::vector<SeriesPoint> lttb(std::span<const SeriesPoint> points, int maxPoints);
};

} // namespace FaultDesk
