#pragma once

#include <QList>
#include <QRegularExpression>
#include <QString>

#include <optional>
#include <string>
#include <string_view>

namespace FaultDesk {

/// One label matcher of a selector: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"` (regexes fully anchored).
struct LabelMatcher
{
    enum class Op {
        Equal,
        NotEqual,
        Regex,
        NotRegex,
    };

    QString name;
    Op op = Op::Equal;
    QString value;
    QRegularExpression regex; ///< compiled, anchored; only for Regex/NotRegex
    std::string nameUtf8; ///< name as UTF-8, for matching raw scraped bytes
    std::string valueUtf8; ///< value as UTF-8

    std::string_view nameView() const { return nameUtf8; }

    /// True when a label with this matcher's name and @p labelValue satisfies it. An absent label has value "".
    bool matches(std::string_view labelValue) const;
};

/**
 * A PromQL instant-vector selector without functions: `metric_name{label="v",other=~"5.."}`.
 * Used by the fleet configuration's signals; all series it matches are summed.
 */
class Selector
{
public:
    /// Parses @p text. On failure returns std::nullopt and sets @p error and the 0-based @p errorColumn.
    static std::optional<Selector> parse(QStringView text, QString* error = nullptr, int* errorColumn = nullptr);

    const QString& metric() const { return m_metric; }
    /// The metric name as UTF-8, for matching raw scraped bytes.
    std::string_view metricUtf8() const { return m_metricUtf8; }
    const QList<LabelMatcher>& matchers() const { return m_matchers; }
    /// The selector written back in canonical form.
    QString toString() const;

    /**
     * True when a series named @p metricName whose label values are returned by @p label (std::nullopt when the
     * series lacks that label) is selected.
     */
    template <typename LabelLookup> bool matches(std::string_view metricName, LabelLookup&& label) const
    {
        return nameEquals(metricName) && matchesLabels(label);
    }

    /// The label matchers alone (the caller has checked the name, e.g. against `metric_bucket` for a histogram).
    template <typename LabelLookup> bool matchesLabels(LabelLookup&& label) const
    {
        for (const LabelMatcher& m : m_matchers) {
            const std::optional<std::string_view> v = label(m.nameView());
            if (!m.matches(v.value_or(std::string_view())))
                return false;
        }
        return true;
    }

private:
    bool nameEquals(std::string_view name) const { return name == std::string_view(m_metricUtf8); }

    QString m_metric;
    std::string m_metricUtf8;
    QList<LabelMatcher> m_matchers;
};

} // namespace FaultDesk
