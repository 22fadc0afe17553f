#pragma once

#include "metrics/parsedscrape.h"
#include "metrics/signalspec.h"

#include <QList>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace FaultDesk {

/// One group of a Breakdown signal: a label value and its rate.
struct BreakdownEntry
{
    std::string_view labelValue; ///< valid until the next evaluate() of the same evaluator
    double rate = 0;
};

/// The value of one signal after one scrape.
struct SignalResult
{
    enum Flag : std::uint8_t {
        NoData = 1, ///< no series matched
        FirstScrape = 2, ///< a rate needs two scrapes
        CounterReset = 4, ///< a counter went down (restart); its new value counted as the increase
        ZeroOverZero = 8, ///< ratio of two zero rates, reported as 0
        DivisionByZero = 16, ///< ratio with a zero denominator and a non-zero numerator, reported as +Inf
        NoObservations = 32, ///< quantile of a histogram that observed nothing in the interval
        Truncated = 64, ///< more series than the evaluator tracks; the excess was ignored
        Accumulating = 128, ///< quantile: too few observations yet; they count towards the next value
    };

    double value = 0;
    bool valid = false; ///< false: no value this scrape (see flags); value is NaN
    std::uint8_t flags = 0;
    std::vector<BreakdownEntry> breakdown; ///< Breakdown only, largest rate first

    bool has(Flag f) const { return (flags & f) != 0; }
    /// Breakdown: share of the largest group in the total (0 when there is no traffic).
    double topShare() const;
};

/**
 * Computes a target's named signals from its successive scrapes.
 *
 * One evaluator per target: it keeps the previous scrape's values of the series the signals use (a 64-bit
 * identity hash and a double per series, shared by all selectors on the same metric name) and which series
 * matched which selector (a byte per series), so a scrape with the same series as the last one costs a hash
 * per used series and no regex. A 64-bit hash collision between two series of one target would pair the wrong
 * previous value; at these series counts the odds are below 1e-12. Rates follow PromQL: counter resets are handled per
 * series, a series seen for the first time contributes from its next scrape on. Not thread-safe: call from one thread.
 */
class SignalEvaluator
{
public:
    /// The bucket a Breakdown signal's values beyond maxGroupsPerSignal share (never a valid address or name).
    static constexpr std::string_view OtherGroup = "(other)";

    /**
     * @p specs are evaluated in this order; results()[i] belongs to specs[i]. At most @p maxSeriesPerSelector
     * series are tracked per selector; a Breakdown signal tracks at most @p maxGroupsPerSignal distinct values
     * of its `by` label, in the order they first appear, and sums the rest under OtherGroup (0 = no cap).
     */
    explicit SignalEvaluator(
        QList<SignalSpec> specs, std::uint32_t maxSeriesPerSelector = 10000, std::uint32_t maxGroupsPerSignal = 0);
    ~SignalEvaluator();
    SignalEvaluator(SignalEvaluator&&) noexcept;
    SignalEvaluator& operator=(SignalEvaluator&&) noexcept;

    const QList<SignalSpec>& specs() const { return m_specs; }

    /**
     * Evaluates every signal on @p scrape, taken at @p nowMs (milliseconds, any monotonic origin), into
     * @p results (resized to specs().size(); reuse it to avoid allocations). A failed scrape is simply not
     * passed in: the next successful one measures its rates over the whole gap.
     */
    void evaluate(const ParsedScrape& scrape, std::int64_t nowMs, std::vector<SignalResult>& results);

    /// Forgets the previous scrape (rates restart with FirstScrape), e.g. when the target was replaced.
    void reset();

    /// Bytes of state kept between scrapes (previous values, series identities, label groups).
    std::size_t stateBytes() const;

private:
    struct Track;
    struct Term;
    QList<SignalSpec> m_specs;
    std::vector<std::unique_ptr<Track>> m_tracks;
    std::vector<std::unique_ptr<Term>> m_terms;
    std::vector<int> m_specTerm; ///< first term of each spec
    std::vector<int> m_specTerm2; ///< denominator term of Ratio specs, else -1
    /// Quantile specs: bucket increases carried over from intervals with too few observations.
    struct Carry
    {
        std::vector<double> counts;
        double seconds = 0;
    };
    std::vector<Carry> m_carry;
    std::int64_t m_prevTime = 0;
    bool m_hasPrev = false;
};

} // namespace FaultDesk
