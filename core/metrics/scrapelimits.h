#pragma once

#include "metrics/promparser.h"

#include <QString>

#include <cstdint>

namespace FaultDesk {

/**
 * The limits every production scrape runs under, so that no target can make FaultDesk's memory grow without
 * bound (documented in resources/examples/README.md, "Scrape limits"):
 * - SamplesPerScrape: a payload with more samples is rejected whole (Prometheus's sample_limit);
 * - LabelsPerSample: a sample with more label pairs rejects its payload (label_limit);
 * - LabelValueBytes: a label value longer than this rejects its payload (label_value_length_limit);
 * - BreakdownValuesPerSignal: a `by` signal tracks this many distinct label values, in the order they first
 *   appear; later ones are summed under SignalEvaluator::OtherGroup ("(other)").
 * A rejected payload makes the metrics probe fail with a message naming the limit and both numbers.
 */
struct ScrapeLimits
{
    static constexpr std::uint32_t SamplesPerScrape = 50'000;
    static constexpr std::uint32_t LabelsPerSample = 64;
    static constexpr std::uint32_t LabelValueBytes = 4096;
    static constexpr std::uint32_t BreakdownValuesPerSignal = 1000;

    /// The parser's limits for a production scrape.
    static PromParseLimits parseLimits();
    /// "scrape over its sample limit: 61,204 > 50,000" for a limit breach; the parser's own text otherwise.
    static QString describe(const PromParseError& error);
};

} // namespace FaultDesk
