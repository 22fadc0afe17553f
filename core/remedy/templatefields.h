#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/**
 * Values for the {placeholders} of action templates ({target}, {address}, {backend}, {server}, {source} …)
 * and the one place where they are substituted and validated. Each template string is substituted on its
 * own (one argv element, one header, the URL), so a value can never split into several arguments.
 */
class TemplateFields
{
public:
    /// How a value is encoded where it lands.
    enum class Escape {
        None, ///< argv elements, header values, HAProxy names: inserted as is (after validation)
        Url, ///< URLs: percent-encoded
        Json, ///< JSON bodies: escaped as the content of a JSON string
    };

    TemplateFields() = default;
    TemplateFields(std::initializer_list<std::pair<const QString, QString>> values);

    void set(const QString& name, const QString& value) { m_values.insert(name, value); }
    QString value(const QString& name) const { return m_values.value(name); }
    bool contains(const QString& name) const { return m_values.contains(name); }
    QStringList names() const;

    /**
     * Substitutes every {name} in @p text. Refuses (std::nullopt, @p error names the field and the problem)
     * an unknown placeholder, a value with a control character or newline, and — when @p optionGuard is set —
     * a value starting with '-' placed at the start of the result, where a program would read it as an option.
     * Only {identifier} is a placeholder; any other brace (a JSON body's) is literal.
     */
    std::optional<QString> substitute(
        const QString& text, Escape escape = Escape::None, bool optionGuard = false, QString* error = nullptr) const;

    /// True when @p value has a control character (newline, CR, NUL, ESC …).
    static bool hasControlCharacter(const QString& value);

private:
    QHash<QString, QString> m_values;
};

} // namespace FaultDesk
