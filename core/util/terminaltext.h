#pragma once

#include <QString>

namespace FaultDesk {

/**
 * Text for a terminal line. Events quote text from the network (alert summaries, label values, replies), and a
 * terminal obeys control characters: an escape sequence could retitle the window, rewrite earlier lines or hide
 * text. safeLine() replaces every C0/C1 control character, DEL and the Unicode bidirectional overrides with
 * U+FFFD, and masks every known secret, so the line shows exactly what it says and nothing else.
 */
class TerminalText
{
public:
    static QString safeLine(const QString& text);
    /**
     * A compact JSON document (one line, as QJsonDocument writes it) made safe for a terminal without changing
     * its value: QJsonDocument escapes C0 controls itself, this escapes what it leaves raw (DEL, C1, the
     * bidirectional controls) as \uXXXX, and masks every known secret.
     */
    static QByteArray safeJsonLine(const QByteArray& json);
};

} // namespace FaultDesk
