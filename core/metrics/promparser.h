#pragma once

#include "metrics/parsedscrape.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace FaultDesk {

/// Why a payload was rejected: the 1-based line and byte column, and the problem.
struct PromParseError
{
    /// Which of PromParseLimits the payload broke (None: it is malformed).
    enum class Limit : std::uint8_t {
        None,
        Samples,
        LabelsPerSample,
        LabelValueBytes,
    };

    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string message;
    Limit limit = Limit::None;
    std::uint64_t actual = 0; ///< the payload's count (all its samples; the sample's labels; the value's bytes)
    std::uint64_t allowed = 0; ///< the limit it broke

    /// "line 12, column 5: message"
    std::string toString() const;
};

/// Limits a scrape must respect (0 = unlimited), as Prometheus's sample_limit, label_limit and
/// label_value_length_limit. A payload over any of them is rejected whole, before it costs more memory.
struct PromParseLimits
{
    std::uint32_t maxSamples = 0;
    std::uint32_t maxLabelsPerSample = 0;
    std::uint32_t maxLabelValueBytes = 0;
};

/**
 * Parser for the Prometheus text exposition format 0.0.4 on raw bytes.
 *
 * Validates HELP/TYPE lines, names, label sets (escapes `\\`, `\"`, `\n`; UTF-8 values; no duplicate names),
 * values (decimal, exponent, NaN, ±Inf), optional integer millisecond timestamps, `le` of histogram buckets and
 * `quantile` of summaries. A payload is all-or-nothing: on the first error the output is emptied.
 * No Qt types and no per-sample allocation once the ParsedScrape has grown to the payload's shape.
 */
class PromParser
{
public:
    /**
     * Parses @p payload into @p out (reused; previous content is dropped). Returns true on success; on failure
     * @p out is empty and @p error (if given) names the line and the problem.
     */
    static bool parse(std::string_view payload, ParsedScrape& out, PromParseError* error = nullptr,
        const PromParseLimits& limits = PromParseLimits());

private:
    class Impl;
};

} // namespace FaultDesk
