#include "remedy/templatefields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QUrl>

#include <algorithm>

namespace FaultDesk {

TemplateFields::TemplateFields(std::initializer_list<std::pair<const QString, QString>> values)
{
    for (const auto& [k, v] : values)
        m_values.insert(k, v);
}

QStringList TemplateFields::names() const
{
    QStringList out = m_values.keys();
    std::sort(out.begin(), out.end());
    return out;
}

bool TemplateFields::hasControlCharacter(const QString& value)
{
    return std::any_of(value.cbegin(), value.cend(), [](QChar c) {
        return c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Other_Control
            || c == QChar::LineSeparator || c == QChar::ParagraphSeparator;
    });
}

static QString jsonStringContent(const QString& value)
{
    // Serialise ["value"] and strip the brackets and quotes: QJsonDocument does the escaping.
    const QByteArray doc = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(doc.mid(2, doc.size() - 4));
}

std::optional<QString> TemplateFields::substitute(
    const QString& text, Escape escape, bool optionGuard, QString* error) const
{
    auto fail = [error](const QString& why) -> std::optional<QString> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        // Only {identifier} is a placeholder, so JSON bodies keep their own braces.
        qsizetype close = -1;
        if (c == u'{') {
            qsizetype j = i + 1;
            while (j < text.size()
                && (text.at(j) == u'_' || (text.at(j).unicode() < 0x80 && text.at(j).isLetterOrNumber())))
                ++j;
            if (j > i + 1 && j < text.size() && text.at(j) == u'}' && !text.at(i + 1).isDigit())
                close = j;
        }
        if (close < 0) {
            out += c;
            continue;
        }
        const QString name = text.mid(i + 1, close - i - 1);
        if (!m_values.contains(name))
            return fail(QStringLiteral("unknown field {%1} in '%2' (known: %3)")
                            .arg(name, text, names().join(QStringLiteral(", "))));
        const QString value = m_values.value(name);
        if (hasControlCharacter(value))
            return fail(
                QStringLiteral("field {%1} refused: its value contains a control character or newline").arg(name));
        if (optionGuard && out.isEmpty() && value.startsWith(u'-'))
            return fail(
                QStringLiteral("field {%1} refused: its value '%2' starts with '-' and would be read as an option")
                    .arg(name, value));
        switch (escape) {
        case Escape::None:
            out += value;
            break;
        case Escape::Url:
            out += QString::fromLatin1(QUrl::toPercentEncoding(value));
            break;
        case Escape::Json:
            out += jsonStringContent(value);
            break;
        }
        i = close;
    }
    return out;
}

} // namespace FaultDesk
