#pragma once
// Shared by the fuzz_signals libFuzzer target and the ctest replay of its corpus (tst_signalevaluator): what
// follows a successful parse (signal evaluation over scrapes, the series store) must hold for any payload.
// The input is two payloads separated by the first "\n---\n"; the signals use the names a, h and b.
#include "metrics/promparser.h"
#include "metrics/seriesstore.h"
#include "metrics/signalevaluator.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace FaultDeskFuzz {

using namespace FaultDesk;

inline Selector sel(const char* text)
{
    return *Selector::parse(QString::fromUtf8(text));
}

inline QList<SignalSpec> signalSpecs()
{
    QList<SignalSpec> out;
    auto add = [&](SignalSpec::Kind kind, const char* selector, const char* den = nullptr) -> SignalSpec& {
        SignalSpec s;
        s.name = QStringLiteral("s%1").arg(out.size());
        s.kind = kind;
        s.selector = sel(selector);
        if (den)
            s.denominator = sel(den);
        out << s;
        return out.last();
    };
    add(SignalSpec::Kind::Gauge, "a");
    add(SignalSpec::Kind::Rate, "a{b=~\"x.*\"}");
    add(SignalSpec::Kind::Ratio, "a{b=\"1\"}", "a");
    add(SignalSpec::Kind::Quantile, "h").quantile = 0.9;
    add(SignalSpec::Kind::Quantile, "h{b!=\"\"}").quantile = 0.5;
    add(SignalSpec::Kind::Breakdown, "a").by = QStringLiteral("b");
    add(SignalSpec::Kind::Rate, "h_count");
    return out;
}

/// Runs one case; false when an invariant broke (the fuzzer aborts on it, the replay test fails).
inline bool runSignalsCase(std::string_view input)
{
    const std::size_t size = input.size();
    const std::size_t cut = input.find("\n---\n");
    const std::string_view first = input.substr(0, cut);
    const std::string_view second = cut == std::string_view::npos ? input : input.substr(cut + 5);

    static const QList<SignalSpec> specs = signalSpecs();
    SignalEvaluator evaluator(specs, 64);
    SeriesStore store(1000, 16);
    std::vector<SeriesStore::SeriesId> ids;
    for (const SignalSpec& s : specs)
        ids.push_back(store.addSeries(QStringLiteral("t"), s.name));

    ParsedScrape scrape;
    std::vector<SignalResult> results;
    std::int64_t now = 1000;
    for (std::string_view payload : { first, second, first }) {
        if (!PromParser::parse(payload, scrape))
            continue;
        evaluator.evaluate(scrape, now, results);
        if (results.size() != std::size_t(specs.size()))
            return false;
        for (std::size_t i = 0; i < results.size(); ++i) {
            if (!results[i].valid && !std::isnan(results[i].value))
                return false;
            store.append(ids[i], now + std::int64_t(size % 7) * 1000, results[i].value);
            (void)results[i].topShare();
        }
        now += 1000 + std::int64_t(size % 3000);
    }
    for (SeriesStore::SeriesId id : ids) {
        (void)store.downsampled(id, 0, now + 100000, 3, SeriesStore::Downsample::Lttb);
        (void)store.downsampled(id, 0, now + 100000, 5, SeriesStore::Downsample::MinMax);
    }
    return true;
}

} // namespace FaultDeskFuzz
