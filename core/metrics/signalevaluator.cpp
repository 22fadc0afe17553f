#include "metrics/signalevaluator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

namespace FaultDesk {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// A histogram bucket's `le` when the parser did not validate it (histograms exposed without a TYPE line).
double parseBound(std::string_view v)
{
    if (v == "+Inf" || v == "Inf" || v == "inf" || v == "+inf")
        return kInf;
    double d = kNaN;
    const char* b = v.data();
    if (!v.empty() && *b == '+')
        ++b;
    const auto r = std::from_chars(b, v.data() + v.size(), d);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size())
        return kNaN;
    return d;
}

/// PromQL's bucketQuantile: @p bounds ascending upper bounds, @p counts cumulative counts per bound.
double bucketQuantile(double q, const std::vector<double>& bounds, std::vector<double> counts, bool& noObservations)
{
    noObservations = false;
    if (std::isnan(q))
        return kNaN;
    if (q < 0)
        return -kInf;
    if (q > 1)
        return kInf;
    const std::size_t n = bounds.size();
    if (n < 2 || !std::isinf(bounds[n - 1]) || bounds[n - 1] < 0)
        return kNaN;
    for (std::size_t i = 1; i < n; ++i) // ensureMonotonic: rates of separately scraped buckets can cross
        counts[i] = std::max(counts[i], counts[i - 1]);
    const double observations = counts[n - 1];
    if (observations <= 0) {
        noObservations = true;
        return kNaN;
    }
    double rank = q * observations;
    std::size_t b = 0;
    while (b < n - 1 && counts[b] < rank)
        ++b;
    if (b == n - 1)
        return bounds[n - 2];
    if (b == 0 && bounds[0] <= 0)
        return bounds[0];
    double start = 0;
    double count = counts[b];
    if (b > 0) {
        start = bounds[b - 1];
        count -= counts[b - 1];
        rank -= counts[b - 1];
    }
    return start + (bounds[b] - start) * (rank / count);
}

} // namespace

double SignalResult::topShare() const
{
    double total = 0;
    for (const BreakdownEntry& e : breakdown)
        total += e.rate;
    return total > 0 && !breakdown.empty() ? breakdown.front().rate / total : 0;
}

/// The series of one sample name in the target's scrapes: identities (64-bit hashes of the series text) and
/// previous values, shared by every selector on that name.
struct SignalEvaluator::Track
{
    std::string sampleName;
    std::uint32_t maxSeries = 0;
    std::vector<std::uint64_t> keys; ///< series identities, in this scrape's order
    std::vector<double> prev; ///< value at the previous scrape, aligned with keys; NaN when unknown
    std::vector<std::uint32_t> current; ///< this scrape's sample indices, aligned with keys
    bool changed = true; ///< the series differ from the last scrape's: selectors must match again
    bool truncated = false;

    void collect(const ParsedScrape& scrape)
    {
        current.clear();
        const auto samples = scrape.samples();
        const auto families = scrape.families();
        auto scanFamily = [&](int f) {
            if (f < 0)
                return;
            const PromFamily& fam = families[std::size_t(f)];
            if (fam.contiguous) {
                for (std::uint32_t i = fam.firstSample; i < fam.firstSample + fam.sampleCount; ++i) {
                    if (samples[i].name() == sampleName)
                        current.push_back(i);
                }
            } else {
                for (std::uint32_t i = 0; i < samples.size(); ++i) {
                    if (samples[i].family == std::uint32_t(f) && samples[i].name() == sampleName)
                        current.push_back(i);
                }
            }
        };
        const int own = scrape.findFamily(sampleName);
        scanFamily(own);
        for (std::string_view suffix :
            { std::string_view("_bucket"), std::string_view("_sum"), std::string_view("_count") }) {
            const std::string_view name(sampleName);
            if (name.size() > suffix.size() && name.ends_with(suffix)) {
                const int parent = scrape.findFamily(name.substr(0, name.size() - suffix.size()));
                if (parent != own)
                    scanFamily(parent);
            }
        }
        truncated = current.size() > maxSeries;
        if (truncated)
            current.resize(maxSeries);
    }

    /// Lines this scrape's series up with the previous scrape's; previous values follow their series.
    void align(const ParsedScrape& scrape)
    {
        collect(scrape);
        const auto samples = scrape.samples();
        changed = current.size() != keys.size();
        if (!changed) {
            for (std::size_t k = 0; k < current.size(); ++k) {
                if (hashBytes(samples[current[k]].series) != keys[k]) {
                    changed = true;
                    break;
                }
            }
        }
        if (!changed)
            return;
        std::unordered_map<std::uint64_t, double> old;
        old.reserve(keys.size());
        for (std::size_t k = 0; k < keys.size(); ++k)
            old.emplace(keys[k], prev[k]);
        keys.resize(current.size());
        prev.resize(current.size());
        for (std::size_t k = 0; k < current.size(); ++k) {
            keys[k] = hashBytes(samples[current[k]].series);
            const auto it = old.find(keys[k]);
            prev[k] = it == old.end() ? kNaN : it->second;
        }
        keys.shrink_to_fit();
        prev.shrink_to_fit();
    }

    void remember(const ParsedScrape& scrape)
    {
        const auto samples = scrape.samples();
        for (std::size_t k = 0; k < current.size(); ++k)
            prev[k] = samples[current[k]].value;
    }

    std::size_t bytes() const
    {
        return sizeof(*this) + sampleName.capacity() + keys.capacity() * sizeof(std::uint64_t)
            + prev.capacity() * sizeof(double) + current.capacity() * sizeof(std::uint32_t);
    }
};

/// One selector as used by one or more signals: which of its track's series match, and this scrape's sums.
struct SignalEvaluator::Term
{
    enum class Mode {
        Sum, ///< gauge: sum of current values
        Counter, ///< increase of the summed counter
        Buckets, ///< increase per `le`
        Groups, ///< increase per value of a label
    };

    Mode mode = Mode::Sum;
    Selector selector;
    std::string by;
    int track = 0;

    std::vector<std::uint8_t> matched; ///< per series of the track
    std::vector<std::uint32_t> group; ///< per series: index into bounds (Buckets) or groups (Groups)
    std::vector<double> bounds; ///< Buckets: ascending distinct `le`
    std::vector<std::string> groups; ///< Groups: label values
    std::uint32_t maxGroups = 0; ///< Groups: distinct values tracked; the rest share the OtherGroup bucket

    // This scrape's outcome.
    double sum = 0;
    double increase = 0;
    bool counterReset = false;
    std::uint32_t matchedCount = 0;
    std::vector<double> perGroup;

    void rematch(const ParsedScrape& scrape, const Track& t)
    {
        const auto samples = scrape.samples();
        matched.assign(t.current.size(), 0);
        group.assign(mode == Mode::Buckets || mode == Mode::Groups ? t.current.size() : 0, 0);
        std::vector<double> bound(mode == Mode::Buckets ? t.current.size() : 0, kNaN);
        std::unordered_map<std::string, std::uint32_t> groupIndex;
        groups.clear();
        for (std::size_t k = 0; k < t.current.size(); ++k) {
            const PromSample& s = samples[t.current[k]];
            bool hit = selector.matchesLabels([&](std::string_view n) { return scrape.label(s, n); });
            if (hit && mode == Mode::Buckets) {
                bound[k]
                    = std::isnan(s.bound) ? parseBound(scrape.label(s, "le").value_or(std::string_view())) : s.bound;
                hit = !std::isnan(bound[k]);
            } else if (hit && mode == Mode::Groups) {
                std::string value(scrape.label(s, by).value_or(std::string_view()));
                // Past the cap, new values share one bucket: a flood of distinct label values costs no memory.
                if (maxGroups && groupIndex.size() >= maxGroups && !groupIndex.count(value))
                    value = SignalEvaluator::OtherGroup;
                const auto [it, added] = groupIndex.emplace(std::move(value), std::uint32_t(groups.size()));
                if (added)
                    groups.push_back(it->first);
                group[k] = it->second;
            }
            matched[k] = hit;
        }
        if (mode == Mode::Buckets) {
            bounds.clear();
            for (std::size_t k = 0; k < bound.size(); ++k) {
                if (matched[k])
                    bounds.push_back(bound[k]);
            }
            std::sort(bounds.begin(), bounds.end());
            bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
            for (std::size_t k = 0; k < bound.size(); ++k) {
                if (matched[k])
                    group[k] = std::uint32_t(std::lower_bound(bounds.begin(), bounds.end(), bound[k]) - bounds.begin());
            }
        }
        matched.shrink_to_fit();
        group.shrink_to_fit();
    }

    void update(const ParsedScrape& scrape, const Track& t, bool countIncreases)
    {
        if (t.changed)
            rematch(scrape, t);
        sum = 0;
        increase = 0;
        counterReset = false;
        matchedCount = 0;
        perGroup.assign(mode == Mode::Buckets ? bounds.size() : groups.size(), 0.0);
        const auto samples = scrape.samples();
        for (std::size_t k = 0; k < t.current.size(); ++k) {
            if (!matched[k])
                continue;
            const double v = samples[t.current[k]].value;
            ++matchedCount;
            if (mode == Mode::Sum) {
                sum += v;
                continue;
            }
            const double p = t.prev[k];
            if (!countIncreases || std::isnan(v) || std::isnan(p))
                continue; // a series seen for the first time counts from its next scrape on
            double inc = v - p;
            if (v < p) {
                inc = v; // the counter restarted from zero
                counterReset = true;
            }
            increase += inc;
            if (mode != Mode::Counter)
                perGroup[group[k]] += inc;
        }
    }

    std::size_t bytes() const
    {
        std::size_t n = sizeof(*this) + by.capacity() + matched.capacity() + group.capacity() * sizeof(std::uint32_t)
            + bounds.capacity() * sizeof(double) + perGroup.capacity() * sizeof(double)
            + groups.capacity() * sizeof(std::string);
        for (const std::string& g : groups)
            n += g.capacity() > 15 ? g.capacity() : 0;
        return n;
    }
};

SignalEvaluator::SignalEvaluator(
    QList<SignalSpec> specs, std::uint32_t maxSeriesPerSelector, std::uint32_t maxGroupsPerSignal)
    : m_specs(std::move(specs))
{
    // Selectors on the same sample name share a track; signals sharing a selector (a rate and the denominator
    // of an error ratio) share its term.
    auto trackFor = [&](const std::string& sampleName) -> int {
        for (std::size_t i = 0; i < m_tracks.size(); ++i) {
            if (m_tracks[i]->sampleName == sampleName)
                return int(i);
        }
        auto t = std::make_unique<Track>();
        t->sampleName = sampleName;
        t->maxSeries = maxSeriesPerSelector;
        m_tracks.push_back(std::move(t));
        return int(m_tracks.size() - 1);
    };
    auto termFor
        = [&](Term::Mode mode, const Selector& selector, const std::string& sampleName, const std::string& by) -> int {
        const int track = trackFor(sampleName);
        for (std::size_t i = 0; i < m_terms.size(); ++i) {
            const Term& t = *m_terms[i];
            if (t.mode == mode && t.track == track && t.by == by && t.selector.toString() == selector.toString())
                return int(i);
        }
        auto t = std::make_unique<Term>();
        t->mode = mode;
        t->selector = selector;
        t->track = track;
        t->by = by;
        m_terms.push_back(std::move(t));
        return int(m_terms.size() - 1);
    };
    for (const SignalSpec& spec : std::as_const(m_specs)) {
        const std::string name(spec.selector.metricUtf8());
        int first = -1;
        int second = -1;
        switch (spec.kind) {
        case SignalSpec::Kind::Gauge:
            first = termFor(Term::Mode::Sum, spec.selector, name, {});
            break;
        case SignalSpec::Kind::Rate:
            first = termFor(Term::Mode::Counter, spec.selector, name, {});
            break;
        case SignalSpec::Kind::Ratio:
            first = termFor(Term::Mode::Counter, spec.selector, name, {});
            second = termFor(Term::Mode::Counter, spec.denominator, std::string(spec.denominator.metricUtf8()), {});
            break;
        case SignalSpec::Kind::Quantile:
            first = termFor(Term::Mode::Buckets, spec.selector, name + "_bucket", {});
            break;
        case SignalSpec::Kind::Breakdown:
            first = termFor(Term::Mode::Groups, spec.selector, name, spec.by.toStdString());
            m_terms[std::size_t(first)]->maxGroups = maxGroupsPerSignal;
            break;
        }
        m_specTerm.push_back(first);
        m_specTerm2.push_back(second);
    }
    m_carry.resize(std::size_t(m_specs.size()));
}

SignalEvaluator::~SignalEvaluator() = default;
SignalEvaluator::SignalEvaluator(SignalEvaluator&&) noexcept = default;
SignalEvaluator& SignalEvaluator::operator=(SignalEvaluator&&) noexcept = default;

void SignalEvaluator::reset()
{
    m_hasPrev = false;
    for (auto& t : m_tracks)
        std::fill(t->prev.begin(), t->prev.end(), kNaN);
    for (Carry& c : m_carry)
        c = Carry {};
}

std::size_t SignalEvaluator::stateBytes() const
{
    std::size_t n = sizeof(*this) + m_specTerm.capacity() * sizeof(int) * 2;
    for (const auto& t : m_tracks)
        n += t->bytes();
    for (const auto& t : m_terms)
        n += t->bytes();
    for (const Carry& c : m_carry)
        n += sizeof(Carry) + c.counts.capacity() * sizeof(double);
    return n;
}

void SignalEvaluator::evaluate(const ParsedScrape& scrape, std::int64_t nowMs, std::vector<SignalResult>& results)
{
    const bool haveInterval = m_hasPrev && nowMs > m_prevTime;
    for (auto& t : m_tracks)
        t->align(scrape);
    for (auto& t : m_terms)
        t->update(scrape, *m_tracks[std::size_t(t->track)], haveInterval);
    for (auto& t : m_tracks)
        t->remember(scrape);
    const double seconds = haveInterval ? double(nowMs - m_prevTime) / 1000.0 : 0;

    results.resize(std::size_t(m_specs.size()));
    for (qsizetype i = 0; i < m_specs.size(); ++i) {
        const SignalSpec& spec = m_specs.at(i);
        SignalResult& r = results[std::size_t(i)];
        r.value = kNaN;
        r.valid = false;
        r.flags = 0;
        r.breakdown.clear();
        const Term& t = *m_terms[std::size_t(m_specTerm[std::size_t(i)])];
        if (m_tracks[std::size_t(t.track)]->truncated)
            r.flags |= SignalResult::Truncated;
        // A ratio's numerator may select nothing yet (no 5xx ever served): that is a zero rate, not missing data.
        if (t.matchedCount == 0 && spec.kind != SignalSpec::Kind::Ratio) {
            r.flags |= SignalResult::NoData;
            continue;
        }
        if (spec.kind == SignalSpec::Kind::Gauge) {
            r.value = t.sum;
            r.valid = true;
            continue;
        }
        if (!haveInterval) {
            r.flags |= SignalResult::FirstScrape;
            continue;
        }
        if (t.counterReset)
            r.flags |= SignalResult::CounterReset;
        switch (spec.kind) {
        case SignalSpec::Kind::Gauge:
            break;
        case SignalSpec::Kind::Rate:
            r.value = t.increase / seconds;
            r.valid = true;
            break;
        case SignalSpec::Kind::Ratio: {
            const Term& d = *m_terms[std::size_t(m_specTerm2[std::size_t(i)])];
            if (d.matchedCount == 0) {
                r.flags |= SignalResult::NoData;
                break;
            }
            if (d.counterReset)
                r.flags |= SignalResult::CounterReset;
            r.valid = true;
            if (d.increase > 0) {
                r.value = t.increase / d.increase;
            } else if (t.increase > 0) {
                r.value = kInf;
                r.flags |= SignalResult::DivisionByZero;
            } else {
                r.value = 0;
                r.flags |= SignalResult::ZeroOverZero;
            }
            break;
        }
        case SignalSpec::Kind::Quantile: {
            Carry& carry = m_carry[std::size_t(i)];
            if (carry.counts.size() != t.perGroup.size() || t.counterReset) {
                carry.counts.assign(t.perGroup.size(), 0.0);
                carry.seconds = 0;
            }
            for (std::size_t b = 0; b < t.perGroup.size(); ++b)
                carry.counts[b] += t.perGroup[b];
            carry.seconds += seconds;
            const double observed
                = carry.counts.empty() ? 0.0 : *std::max_element(carry.counts.cbegin(), carry.counts.cend());
            if (observed < spec.minObservations && carry.seconds * 1000.0 < double(spec.maxWindowMs)) {
                r.flags |= SignalResult::Accumulating;
                break;
            }
            bool none = false;
            r.value = bucketQuantile(spec.quantile, t.bounds, carry.counts, none);
            std::fill(carry.counts.begin(), carry.counts.end(), 0.0);
            carry.seconds = 0;
            if (none)
                r.flags |= SignalResult::NoObservations;
            r.valid = !std::isnan(r.value);
            break;
        }
        case SignalSpec::Kind::Breakdown:
            r.value = t.increase / seconds;
            r.valid = true;
            for (std::size_t g = 0; g < t.perGroup.size(); ++g) {
                if (t.perGroup[g] > 0)
                    r.breakdown.push_back(BreakdownEntry { t.groups[g], t.perGroup[g] / seconds });
            }
            std::sort(r.breakdown.begin(), r.breakdown.end(), [](const BreakdownEntry& a, const BreakdownEntry& b) {
                return a.rate != b.rate ? a.rate > b.rate : a.labelValue < b.labelValue;
            });
            break;
        }
    }
    // Counter values were taken as the new baseline even without an interval, so the time goes with them.
    m_prevTime = nowMs;
    m_hasPrev = true;
}

} // namespace FaultDesk
