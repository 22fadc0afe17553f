#include "signalevaluator.h"

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

/// One selector as used by one or more signals, with the state it needs between scrapes.
struct SignalEvaluator::Term
{
    enum class Mode {
        Sum, ///< gauge: sum of current values
        Counter, ///< increase of the summed counter
        Buckets, ///< increase per `le`
        Groups, ///< increase per value of a label
    };

    /// A series with the right name seen in the last scrape. Series text lives in `arena`.
    struct Entry
    {
        std::uint32_t offset = 0;
        std::uint32_t length = 0;
        double prev = 0;
        double bound = 0;
        std::uint32_t group = 0;
        bool matched = false;
        bool hasPrev = false;
    };

    Mode mode = Mode::Sum;
    Selector selector;
    std::string sampleName;
    std::string by;
    std::uint32_t maxSeries = 0;

    std::string arena;
    std::vector<Entry> entries;
    std::vector<std::string> groups; ///< Groups: label values
    std::vector<double> bounds; ///< Buckets: ascending distinct `le`
    std::vector<std::uint32_t> current; ///< this scrape's sample indices with the right name

    // This scrape's outcome.
    double sum = 0;
    double increase = 0;
    bool counterReset = false;
    bool truncated = false;
    std::uint32_t matched = 0;
    std::vector<double> perGroup;

    std::string_view series(const Entry& e) const { return std::string_view(arena).substr(e.offset, e.length); }

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

    bool sameSeriesAsLastScrape(const ParsedScrape& scrape) const
    {
        if (current.size() != entries.size())
            return false;
        const auto samples = scrape.samples();
        for (std::size_t k = 0; k < current.size(); ++k) {
            if (samples[current[k]].series != series(entries[k]))
                return false;
        }
        return true;
    }

    /// The series changed: match them again, carrying previous values over by series identity.
    void rebuild(const ParsedScrape& scrape)
    {
        std::unordered_map<std::string_view, const Entry*> old;
        old.reserve(entries.size());
        for (const Entry& e : entries)
            old.emplace(series(e), &e);

        std::string newArena;
        std::vector<Entry> newEntries;
        newEntries.reserve(current.size());
        std::vector<std::string> newGroups;
        std::unordered_map<std::string, std::uint32_t> groupIndex;
        const auto samples = scrape.samples();
        for (std::uint32_t index : current) {
            const PromSample& s = samples[index];
            Entry e;
            e.offset = std::uint32_t(newArena.size());
            e.length = std::uint32_t(s.series.size());
            newArena.append(s.series);
            e.matched = selector.matchesLabels([&](std::string_view n) { return scrape.label(s, n); });
            if (const auto it = old.find(s.series); it != old.end()) {
                e.prev = it->second->prev;
                e.hasPrev = it->second->hasPrev;
            }
            if (mode == Mode::Buckets) {
                e.bound = s.bound;
                if (std::isnan(e.bound))
                    e.bound = parseBound(scrape.label(s, "le").value_or(std::string_view()));
                if (std::isnan(e.bound))
                    e.matched = false;
            } else if (mode == Mode::Groups) {
                const std::string value(scrape.label(s, by).value_or(std::string_view()));
                const auto [it, added] = groupIndex.emplace(value, std::uint32_t(newGroups.size()));
                if (added)
                    newGroups.push_back(value);
                e.group = it->second;
            }
            newEntries.push_back(e);
        }
        if (mode == Mode::Buckets) {
            bounds.clear();
            for (const Entry& e : newEntries) {
                if (e.matched)
                    bounds.push_back(e.bound);
            }
            std::sort(bounds.begin(), bounds.end());
            bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
            for (Entry& e : newEntries) {
                if (e.matched)
                    e.group = std::uint32_t(std::lower_bound(bounds.begin(), bounds.end(), e.bound) - bounds.begin());
            }
        }
        arena = std::move(newArena);
        entries = std::move(newEntries);
        groups = std::move(newGroups);
    }

    void update(const ParsedScrape& scrape, bool countIncreases)
    {
        collect(scrape);
        if (!sameSeriesAsLastScrape(scrape))
            rebuild(scrape);
        sum = 0;
        increase = 0;
        counterReset = false;
        matched = 0;
        const std::size_t groupCount = mode == Mode::Buckets ? bounds.size() : groups.size();
        perGroup.assign(groupCount, 0.0);
        const auto samples = scrape.samples();
        for (std::size_t k = 0; k < entries.size(); ++k) {
            Entry& e = entries[k];
            if (!e.matched)
                continue;
            const double v = samples[current[k]].value;
            ++matched;
            if (mode == Mode::Sum) {
                sum += v;
                continue;
            }
            if (countIncreases && e.hasPrev && !std::isnan(v) && !std::isnan(e.prev)) {
                double inc = v - e.prev;
                if (v < e.prev) {
                    inc = v; // the counter restarted from zero
                    counterReset = true;
                }
                increase += inc;
                if (mode != Mode::Counter)
                    perGroup[e.group] += inc;
            }
            e.prev = v;
            e.hasPrev = true;
        }
    }

    std::size_t bytes() const
    {
        std::size_t n = sizeof(*this) + arena.capacity() + entries.capacity() * sizeof(Entry)
            + bounds.capacity() * sizeof(double) + current.capacity() * sizeof(std::uint32_t)
            + perGroup.capacity() * sizeof(double) + groups.capacity() * sizeof(std::string);
        for (const std::string& g : groups)
            n += g.capacity() > 15 ? g.capacity() : 0;
        return n;
    }
};

SignalEvaluator::SignalEvaluator(QList<SignalSpec> specs, std::uint32_t maxSeriesPerSelector)
    : m_specs(std::move(specs))
{
    // Signals sharing a selector (a rate and the denominator of an error ratio) share its term.
    auto termFor
        = [&](Term::Mode mode, const Selector& selector, const std::string& sampleName, const std::string& by) -> int {
        for (std::size_t i = 0; i < m_terms.size(); ++i) {
            const Term& t = *m_terms[i];
            if (t.mode == mode && t.sampleName == sampleName && t.by == by
                && t.selector.toString() == selector.toString())
                return int(i);
        }
        auto t = std::make_unique<Term>();
        t->mode = mode;
        t->selector = selector;
        t->sampleName = sampleName;
        t->by = by;
        t->maxSeries = maxSeriesPerSelector;
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
            break;
        }
        m_specTerm.push_back(first);
        m_specTerm2.push_back(second);
    }
}

SignalEvaluator::~SignalEvaluator() = default;
SignalEvaluator::SignalEvaluator(SignalEvaluator&&) noexcept = default;
SignalEvaluator& SignalEvaluator::operator=(SignalEvaluator&&) noexcept = default;

void SignalEvaluator::reset()
{
    m_hasPrev = false;
    for (auto& t : m_terms) {
        for (auto& e : t->entries)
            e.hasPrev = false;
    }
}

std::size_t SignalEvaluator::stateBytes() const
{
    std::size_t n = sizeof(*this) + m_specTerm.capacity() * sizeof(int) * 2;
    for (const auto& t : m_terms)
        n += t->bytes();
    return n;
}

void SignalEvaluator::evaluate(const ParsedScrape& scrape, std::int64_t nowMs, std::vector<SignalResult>& results)
{
    const bool haveInterval = m_hasPrev && nowMs > m_prevTime;
    for (auto& t : m_terms)
        t->update(scrape, haveInterval);
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
        if (t.truncated)
            r.flags |= SignalResult::Truncated;
        // A ratio's numerator may select nothing yet (no 5xx ever served): that is a zero rate, not missing data.
        if (t.matched == 0 && spec.kind != SignalSpec::Kind::Ratio) {
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
            if (d.matched == 0) {
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
            bool none = false;
            r.value = bucketQuantile(spec.quantile, t.bounds, t.perGroup, none);
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
