#pragma once

#include <QString>

namespace FaultDesk {

/**
 * @p text as a tooltip that shows exactly those characters. Qt renders any tooltip that looks like HTML as rich
 * text, so text from the network (an alert's summary, an HTTP error excerpt, a child's output) would otherwise
 * be interpreted; escaped and wrapped, it stays plain, line breaks included.
 */
inline QString plainToolTip(const QString& text)
{
    if (text.isEmpty())
        return text;
    return QStringLiteral("<p style='white-space:pre-wrap'>") + text.toHtmlEscaped() + QStringLiteral("</p>");
}

} // namespace FaultDesk
