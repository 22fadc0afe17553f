#include "terminaltext.h"

#include "secretmask.h"

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

} // namespace FaultDesk
