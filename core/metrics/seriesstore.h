#pragma once

#include "metrics/downsampler.h"

#include <QHash>
#include <QString>

#include <cstdint>
#include <limits>
#include <memory>
#include <shared_mutex>
#include <vector>

namespace FaultDesk {

/**
 * History of the named signals, one fixed-capacity ring per (target, signal): by default 3,600 slots of 1 s,
 * i.e. one hour. A slot is a 4-byte float whose time is implied by its position (slot × step), so a sample
 * costs 4 bytes; a missing scrape leaves a gap marker. The latest value is also kept exactly (double and
 * millisecond time) for staleness checks and for values a float cannot hold (checksums).
 *
 * Threads: written by one thread (the monitor), read by others (the GUI). Each series has its own mutex,
 * held for one slot write or for copying at most one ring out (~14 KB); downsampling runs after the copy,
 * outside the lock. The store never emits signals, so nothing is ever emitted under a lock. Adding series
 * takes the table lock exclusively; do it at configuration time.
 */
class SeriesStore
{
public:
    using SeriesId = int;

    /// The most recent sample of a series.
    struct Latest
    {
        std::int64_t timeMs = 0;
        double value = std::numeric_limits<double>::quiet_NaN();
        bool valid = false; ///< false until the first append
    };

    /// @p stepMs: time per slot; @p capacity: slots per series (history = stepMs × capacity).
    explicit SeriesStore(std::int64_t stepMs = 1000, std::uint32_t capacity = 3600);
    ~SeriesStore();
    SeriesStore(const SeriesStore&) = delete;
    SeriesStore& operator=(const SeriesStore&) = delete;

    std::int64_t stepMs() const { return m_stepMs; }
    std::uint32_t capacity() const { return m_capacity; }

    /// The series of @p target / @p signal, created (with its whole ring) if new.
    SeriesId addSeries(const QString& target, const QString& signal);
    /// The series of @p target / @p signal, or -1.
    SeriesId find(const QString& target, const QString& signal) const;
    int seriesCount() const;

    /**
     * Records @p value at @p timeMs. A later slot than the newest marks the skipped slots as gaps; an earlier
     * slot still inside the window overwrites it; older samples are dropped. Invalid ids are ignored.
     */
    void append(SeriesId id, std::int64_t timeMs, double value);

    /// The newest sample (exact value and time), for "last seen" and staleness.
    Latest latest(SeriesId id) const;

    /// Samples with time in [t0Ms, t1Ms], oldest first, gaps left out (a jump of more than one step is a gap).
    std::vector<SeriesPoint> range(SeriesId id, std::int64_t t0Ms, std::int64_t t1Ms) const;
    /// range() for a chart: the same samples, and a point with a NaN value at the first missing slot of each gap,
    /// so a line drawn through them breaks where the target stopped reporting.
    std::vector<SeriesPoint> rangeWithGaps(SeriesId id, std::int64_t t0Ms, std::int64_t t1Ms) const;

    enum class Downsample {
        MinMax,
        Lttb,
    };
    /// range() reduced to at most @p maxPoints points for a chart (Downsampler: min/max over (@p maxPoints − 2) / 2
    /// columns spanning [@p t0Ms, @p t1Ms], or LTTB).
    std::vector<SeriesPoint> downsampled(
        SeriesId id, std::int64_t t0Ms, std::int64_t t1Ms, int maxPoints, Downsample method = Downsample::MinMax) const;

    /// Bytes this store holds: rings plus per-series bookkeeping.
    std::size_t memoryBytes() const;
    /// Bytes one stored sample costs.
    static constexpr std::size_t bytesPerSample() { return sizeof(float); }

private:
    /// The samples of @p id in [t0, t1]; with @p markGaps a NaN point at the first missing slot of each gap.
    std::vector<SeriesPoint> collect(SeriesId id, std::int64_t t0Ms, std::int64_t t1Ms, bool markGaps) const;
    struct Series;
    Series* series(SeriesId id) const;

    std::int64_t m_stepMs;
    std::uint32_t m_capacity;
    mutable std::shared_mutex m_tableLock;
    std::vector<std::unique_ptr<Series>> m_series;
    QHash<QString, SeriesId> m_index;
};

} // namespace FaultDesk
