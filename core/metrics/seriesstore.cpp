#include "metrics/seriesstore.h"

#include <cmath>
#include <cstring>
#include <mutex>

namespace FaultDesk {

namespace {

/// A quiet NaN with a payload no arithmetic produces: "no sample in this slot". Real NaN values are stored as
/// the canonical quiet NaN, so the two never meet.
constexpr std::uint32_t kGapBits = 0x7FC0DEADu;
constexpr std::int64_t kNoSlot = std::numeric_limits<std::int64_t>::min();

float gapValue()
{
    float f;
    std::memcpy(&f, &kGapBits, sizeof f);
    return f;
}

bool isGap(float f)
{
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    return bits == kGapBits;
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b)
{
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::int64_t ceilDiv(std::int64_t a, std::int64_t b)
{
    return -floorDiv(-a, b);
}

QString key(const QString& target, const QString& signal)
{
    return target + QChar(0) + signal;
}

} // namespace

struct SeriesStore::Series
{
    mutable std::mutex lock;
    std::unique_ptr<float[]> ring;
    std::int64_t head = kNoSlot; ///< absolute slot number of the newest sample
    Latest latest;
    QString target;
    QString signal;
};

SeriesStore::SeriesStore(std::int64_t stepMs, std::uint32_t capacity)
    : m_stepMs(stepMs > 0 ? stepMs : 1000)
    , m_capacity(capacity > 0 ? capacity : 1)
{ }

SeriesStore::~SeriesStore() = default;

SeriesStore::SeriesId SeriesStore::addSeries(const QString& target, const QString& signal)
{
    std::unique_lock guard(m_tableLock);
    const QString k = key(target, signal);
    if (const auto it = m_index.constFind(k); it != m_index.cend())
        return it.value();
    auto s = std::make_unique<Series>();
    s->ring = std::make_unique<float[]>(m_capacity);
    std::fill(s->ring.get(), s->ring.get() + m_capacity, gapValue());
    s->target = target;
    s->signal = signal;
    m_series.push_back(std::move(s));
    const SeriesId id = SeriesId(m_series.size() - 1);
    m_index.insert(k, id);
    return id;
}

SeriesStore::SeriesId SeriesStore::find(const QString& target, const QString& signal) const
{
    std::shared_lock guard(m_tableLock);
    return m_index.value(key(target, signal), -1);
}

int SeriesStore::seriesCount() const
{
    std::shared_lock guard(m_tableLock);
    return int(m_series.size());
}

SeriesStore::Series* SeriesStore::series(SeriesId id) const
{
    // Series are never removed and live behind unique_ptrs, so the pointer outlives the table lock.
    std::shared_lock guard(m_tableLock);
    return id >= 0 && std::size_t(id) < m_series.size() ? m_series[std::size_t(id)].get() : nullptr;
}

void SeriesStore::append(SeriesId id, std::int64_t timeMs, double value)
{
    Series* s = series(id);
    if (!s)
        return;
    const std::int64_t slot = floorDiv(timeMs, m_stepMs);
    const std::int64_t cap = m_capacity;
    const float stored = std::isnan(value) ? std::numeric_limits<float>::quiet_NaN() : float(value);
    std::lock_guard guard(s->lock);
    if (s->head == kNoSlot || slot > s->head) {
        if (s->head != kNoSlot) {
            const std::int64_t firstGap = std::max(s->head + 1, slot - cap + 1);
            for (std::int64_t g = firstGap; g < slot; ++g)
                s->ring[std::size_t(((g % cap) + cap) % cap)] = gapValue();
        }
        s->head = slot;
    } else if (slot <= s->head - cap) {
        return; // older than the window
    }
    s->ring[std::size_t(((slot % cap) + cap) % cap)] = stored;
    if (!s->latest.valid || timeMs >= s->latest.timeMs)
        s->latest = Latest { timeMs, value, true };
}

SeriesStore::Latest SeriesStore::latest(SeriesId id) const
{
    const Series* s = series(id);
    if (!s)
        return {};
    std::lock_guard guard(s->lock);
    return s->latest;
}

std::vector<SeriesPoint> SeriesStore::range(SeriesId id, std::int64_t t0Ms, std::int64_t t1Ms) const
{
    return collect(id, t0Ms, t1Ms, false);
}

std::vector<SeriesPoint> SeriesStore::rangeWithGaps(SeriesId id, std::int64_t t0Ms, std::int64_t t1Ms) const
{
    return collect(id, t0Ms, t1Ms, true);
}

std::vector<SeriesPoint> SeriesStore::collect(SeriesId id, std::int64_t t0Ms, std::int64_t t1Ms, bool markGaps) const
{
    std::vector<SeriesPoint> out;
    const Series* s = series(id);
    if (!s || t1Ms < t0Ms)
        return out;
    const std::int64_t cap = m_capacity;
    std::lock_guard guard(s->lock);
    if (s->head == kNoSlot)
        return out;
    const std::int64_t first = std::max(ceilDiv(t0Ms, m_stepMs), s->head - cap + 1);
    const std::int64_t last = std::min(floorDiv(t1Ms, m_stepMs), s->head);
    if (last < first)
        return out;
    out.reserve(std::size_t(last - first + 1));
    bool inGap = true; // nothing to break before the first sample
    for (std::int64_t slot = first; slot <= last; ++slot) {
        const float v = s->ring[std::size_t(((slot % cap) + cap) % cap)];
        if (!isGap(v)) {
            out.push_back(SeriesPoint { slot * m_stepMs, double(v) });
            inGap = false;
        } else if (markGaps && !inGap) {
            out.push_back(SeriesPoint { slot * m_stepMs, std::numeric_limits<double>::quiet_NaN() });
            inGap = true;
        }
    }
    return out;
}

std::vector<SeriesPoint> SeriesStore::downsampled(
    SeriesId id, std::int64_t t0Ms, std::int64_t t1Ms, int maxPoints, Downsample method) const
{
    const std::vector<SeriesPoint> points = range(id, t0Ms, t1Ms);
    // Min/max keeps up to two points per column plus the first and last sample: (maxPoints − 2) / 2 columns stay
    // within maxPoints. Below four points there is no room for an envelope; LTTB keeps the ends.
    if (method == Downsample::Lttb || maxPoints < 4)
        return Downsampler::lttb(points, maxPoints);
    return Downsampler::minMax(points, double(t0Ms), double(t1Ms), (maxPoints - 2) / 2);
}

std::size_t SeriesStore::memoryBytes() const
{
    std::shared_lock guard(m_tableLock);
    std::size_t n = sizeof(*this) + m_series.capacity() * sizeof(std::unique_ptr<Series>);
    for (const auto& s : m_series) {
        n += sizeof(Series) + std::size_t(m_capacity) * bytesPerSample();
        n += std::size_t(s->target.capacity() + s->signal.capacity()) * sizeof(QChar);
    }
    // The name index: one node per series (key string + id + hash overhead, roughly).
    n += std::size_t(m_index.size()) * (sizeof(QString) + sizeof(SeriesId) + 64);
    return n;
}

} // namespace FaultDesk
