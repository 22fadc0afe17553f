#pragma once

#include "incident/incident.h"

#include <QImage>
#include <QSize>
#include <QStringList>

namespace FaultDesk {

/**
 * The charts of an incident report, drawn by LoadChart from the series stored with the incident: one chart per
 * signal (what breached first), each affected target a line, the fault period shaded from detection to recovery, and
 * markers at detection, each action and recovery. Needs a QApplication (any platform, offscreen included).
 */
class ReportCharts
{
public:
    /// Signals with stored series, the story first: those that breached (as the evidence recorded them), the request
    /// rate of an overload or an attack, load, then the rest; signals that stayed at zero throughout are left out
    /// unless they breached.
    static QStringList signalNames(const Incident& incident);
    /// The chart of @p signal over the incident window at @p size (logical pixels, drawn at twice the resolution for
    /// print); a null image when nothing was stored for it.
    static QImage render(const Incident& incident, const QString& signal, QSize size);
    /// The rule lines render() draws for @p signal, in words for a caption ("Load: threshold 0.85 (dashed), clear level
    /// 0.7 (dotted)."); empty when no rule was recorded.
    static QString levelsText(const Incident& incident, const QString& signal);
    /// render() as PNG bytes (for data: URIs in HTML).
    static QByteArray png(const Incident& incident, const QString& signal, QSize size);
};

} // namespace FaultDesk
