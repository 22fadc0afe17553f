#include "util/terminaltext.h"

#include "util/secretmask.h"

namespace FaultDesk {

namespace {

bool unsafe(char16_t c)
{
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) // C0, DEL, C1 (0x9b is a one-byte CSI)
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) // bidirectional embeddings and isolates
        || c == 0x200e || c == 0x200f || c == 0x061c; // direction marks
}

} // namespace

QString TerminalText::safeLine(const QString& text)
{
    QString out = SecretMask::apply(text);
    for (QChar& c : out) {
        if (unsafe(c.unicode()))
            c = QChar(QChar::ReplacementCharacter);
    }
    return out;
}

QByteArray TerminalText::safeJsonLine(const QByteArray& json)
{
    // Every unsafe character can only be inside a JSON string (the syntax is ASCII), where \uXXXX means it.
    const QString text = SecretMask::apply(QString::fromUtf8(json));
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        if (unsafe(c.unicode()) && c.unicode() != u'\n')
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out.toUtf8();
}

} // namespace FaultDesk
