#include "metrics/selector.h"

namespace FaultDesk {

namespace {

bool isNameStart(QChar c)
{
    return c.isLetter() || c == u'_' || c == u':';
}
bool isNameChar(QChar c)
{
    return isNameStart(c) || c.isDigit();
}
bool isLabelStart(QChar c)
{
    return (c.isLetter() && c.unicode() < 128) || c == u'_';
}
bool isLabelChar(QChar c)
{
    return isLabelStart(c) || (c.isDigit() && c.unicode() < 128);
}

struct Cursor
{
    QStringView text;
    qsizetype pos = 0;

    bool atEnd() const { return pos >= text.size(); }
    QChar peek() const { return atEnd() ? QChar() : text.at(pos); }
    void skipSpace()
    {
        while (!atEnd() && text.at(pos).isSpace())
            ++pos;
    }
};

QString quote(const QString& s)
{
    QString out = QStringLiteral("\"");
    for (QChar c : s) {
        if (c == u'"' || c == u'\\')
            out += u'\\';
        if (c == u'\n') {
            out += QStringLiteral("\\n");
            continue;
        }
        out += c;
    }
    return out + u'"';
}

} // namespace

bool LabelMatcher::matches(std::string_view labelValue) const
{
    switch (op) {
    case Op::Equal:
        return labelValue == std::string_view(valueUtf8);
    case Op::NotEqual:
        return labelValue != std::string_view(valueUtf8);
    case Op::Regex:
    case Op::NotRegex: {
        const bool hit = regex.match(QString::fromUtf8(labelValue.data(), qsizetype(labelValue.size()))).hasMatch();
        return op == Op::Regex ? hit : !hit;
    }
    }
    return false;
}

std::optional<Selector> Selector::parse(QStringView text, QString* error, int* errorColumn)
{
    Cursor c { text };
    auto fail = [&](const QString& why) -> std::optional<Selector> {
        if (error)
            *error = why;
        if (errorColumn)
            *errorColumn = int(c.pos);
        return std::nullopt;
    };

    Selector sel;
    c.skipSpace();
    if (c.atEnd())
        return fail(QStringLiteral("empty selector: expected a metric name"));
    if (!isNameStart(c.peek()))
        return fail(QStringLiteral("expected a metric name, found '%1'").arg(c.peek()));
    const qsizetype nameStart = c.pos;
    while (!c.atEnd() && isNameChar(c.peek()))
        ++c.pos;
    sel.m_metric = text.mid(nameStart, c.pos - nameStart).toString();
    sel.m_metricUtf8 = sel.m_metric.toStdString();
    c.skipSpace();

    if (c.peek() == u'{') {
        ++c.pos;
        for (;;) {
            c.skipSpace();
            if (c.peek() == u'}') {
                ++c.pos;
                break;
            }
            if (c.atEnd())
                return fail(QStringLiteral("unterminated label matchers: expected '}'"));
            if (!isLabelStart(c.peek()))
                return fail(QStringLiteral("expected a label name, found '%1'").arg(c.peek()));
            LabelMatcher m;
            const qsizetype labelStart = c.pos;
            while (!c.atEnd() && isLabelChar(c.peek()))
                ++c.pos;
            m.name = text.mid(labelStart, c.pos - labelStart).toString();
            c.skipSpace();
            const QStringView rest = text.mid(c.pos);
            if (rest.startsWith(u"=~")) {
                m.op = LabelMatcher::Op::Regex;
                c.pos += 2;
            } else if (rest.startsWith(u"!~")) {
                m.op = LabelMatcher::Op::NotRegex;
                c.pos += 2;
            } else if (rest.startsWith(u"!=")) {
                m.op = LabelMatcher::Op::NotEqual;
                c.pos += 2;
            } else if (rest.startsWith(u"=")) {
                m.op = LabelMatcher::Op::Equal;
                c.pos += 1;
            } else {
                return fail(QStringLiteral("expected one of = != =~ !~ after label '%1'").arg(m.name));
            }
            c.skipSpace();
            const QChar quoteChar = c.peek();
            if (quoteChar != u'"' && quoteChar != u'\'')
                return fail(QStringLiteral("expected a quoted value for label '%1'").arg(m.name));
            ++c.pos;
            QString value;
            bool closed = false;
            while (!c.atEnd()) {
                const QChar ch = c.peek();
                ++c.pos;
                if (ch == quoteChar) {
                    closed = true;
                    break;
                }
                if (ch == u'\\') {
                    if (c.atEnd())
                        break;
                    const QChar esc = c.peek();
                    ++c.pos;
                    value += esc == u'n' ? QChar(u'\n') : esc;
                    continue;
                }
                value += ch;
            }
            if (!closed)
                return fail(QStringLiteral("unterminated string value for label '%1'").arg(m.name));
            m.value = value;
            m.nameUtf8 = m.name.toStdString();
            m.valueUtf8 = m.value.toStdString();
            if (m.op == LabelMatcher::Op::Regex || m.op == LabelMatcher::Op::NotRegex) {
                m.regex = QRegularExpression(QRegularExpression::anchoredPattern(value));
                if (!m.regex.isValid()) {
                    c.pos -= 1;
                    return fail(QStringLiteral("invalid regular expression for label '%1': %2")
                                    .arg(m.name, m.regex.errorString()));
                }
                m.regex.optimize();
            }
            sel.m_matchers.append(std::move(m));
            c.skipSpace();
            if (c.peek() == u',') {
                ++c.pos;
                continue;
            }
            if (c.peek() == u'}') {
                ++c.pos;
                break;
            }
            return fail(
                QStringLiteral("expected ',' or '}' after the value of label '%1'").arg(sel.m_matchers.last().name));
        }
        c.skipSpace();
    }
    if (!c.atEnd())
        return fail(QStringLiteral("unexpected '%1' after the selector (functions and operators are not supported)")
                        .arg(c.peek()));
    return sel;
}

QString Selector::toString() const
{
    if (m_matchers.isEmpty())
        return m_metric;
    QStringList parts;
    for (const LabelMatcher& m : m_matchers) {
        QString op;
        switch (m.op) {
        case LabelMatcher::Op::Equal:
            op = QStringLiteral("=");
            break;
        case LabelMatcher::Op::NotEqual:
            op = QStringLiteral("!=");
            break;
        case LabelMatcher::Op::Regex:
            op = QStringLiteral("=~");
            break;
        case LabelMatcher::Op::NotRegex:
            op = QStringLiteral("!~");
            break;
        }
        parts << m.name + op + quote(m.value);
    }
    return m_metric + u'{' + parts.join(u',') + u'}';
}

} // namespace FaultDesk
