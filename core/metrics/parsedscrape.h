#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace FaultDesk {

/// Metric type declared by a `# TYPE` line (Untyped when there is none).
enum class MetricType : std::uint8_t {
    Untyped,
    Counter,
    Gauge,
    Histogram,
    Summary,
};

/// Name of @p type as written in a `# TYPE` line.
std::string_view metricTypeName(MetricType type);

/// A fast 64-bit hash of @p bytes (family index, series identity between scrapes). Not for security.
std::uint64_t hashBytes(std::string_view bytes);

/// One label of a sample. Views point into the payload, or into the scrape's own buffer for escaped values.
struct PromLabel
{
    std::string_view name;
    std::string_view value; ///< unescaped
};

/// One sample line of a scrape.
struct PromSample
{
    /// Metric name and label set exactly as written (`foo{a="b"}`): the series identity between two scrapes.
    std::string_view series;
    double value = 0;
    /// `le` of a histogram bucket or `quantile` of a summary sample, NaN otherwise.
    double bound = 0;
    std::int64_t timestampMs = 0; ///< only meaningful when hasTimestamp
    std::uint32_t labelBegin = 0; ///< index of the first label in ParsedScrape::labels()
    std::uint32_t labelCount = 0;
    std::uint32_t family = 0; ///< index into ParsedScrape::families()
    std::uint32_t line = 0; ///< 1-based line in the payload
    std::uint32_t nameLength = 0;
    bool hasTimestamp = false;

    std::string_view name() const { return series.substr(0, nameLength); }
};

/// A metric family: the samples sharing a name (plus `_bucket`/`_sum`/`_count` for histograms and summaries).
struct PromFamily
{
    std::string_view name;
    std::string_view help; ///< unescaped HELP text, empty when absent
    MetricType type = MetricType::Untyped;
    bool hasType = false;
    bool hasHelp = false;
    /// True when the family's samples are one block [firstSample, firstSample + sampleCount), as the format
    /// requires; false when they were interleaved with other families' samples.
    bool contiguous = true;
    std::uint32_t firstSample = 0;
    std::uint32_t sampleCount = 0;
    std::uint32_t line = 0; ///< line that opened the family
};

/**
 * The result of parsing one Prometheus text payload, reusable across scrapes so that steady-state parsing does
 * not allocate. Names, label names and most values are views into the payload: keep the payload alive and
 * unchanged while the scrape is used.
 */
class ParsedScrape
{
public:
    ParsedScrape();
    ~ParsedScrape();
    ParsedScrape(ParsedScrape&&) noexcept;
    ParsedScrape& operator=(ParsedScrape&&) noexcept;
    ParsedScrape(const ParsedScrape&) = delete;
    ParsedScrape& operator=(const ParsedScrape&) = delete;

    std::span<const PromSample> samples() const { return m_samples; }
    std::span<const PromFamily> families() const { return m_families; }
    /// The labels of @p sample, in the order written.
    std::span<const PromLabel> labels(const PromSample& sample) const
    {
        return std::span<const PromLabel>(m_labels).subspan(sample.labelBegin, sample.labelCount);
    }
    /// Value of the label @p name of @p sample, std::nullopt when the sample has no such label.
    std::optional<std::string_view> label(const PromSample& sample, std::string_view name) const
    {
        for (const PromLabel& l : labels(sample)) {
            if (l.name == name)
                return l.value;
        }
        return std::nullopt;
    }
    /// Index of the family called @p name, or -1.
    int findFamily(std::string_view name) const;

    /// Forgets everything (keeps the buffers' capacity).
    void clear();

private:
    friend class PromParser;

    std::vector<PromSample> m_samples;
    std::vector<PromFamily> m_families;
    std::vector<PromLabel> m_labels;
    /// Open-addressing index of m_families by name: slot = family index + 1, 0 = empty.
    std::vector<std::uint32_t> m_familyIndex;
    /// Holds unescaped label values and HELP texts; never longer than the payload, so it never moves mid-parse.
    std::unique_ptr<char[]> m_text;
    std::size_t m_textCapacity = 0;
    std::size_t m_textUsed = 0;
};

} // namespace FaultDesk
