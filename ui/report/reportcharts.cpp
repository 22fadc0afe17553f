#include "ui/report/reportcharts.h"

#include "incident/reportnarrative.h"
#include "ui/chart/loadchart.h"
#include "ui/chartfeed.h"

#include <QBuffer>
#include <QJsonArray>
#include <QSet>

#include <algorithm>

#include <cmath>
#include <limits>

namespace FaultDesk {

QStringList ReportCharts::signalNames(const Incident& incident)
{
    QStringList stored;
    QSet<QString> moved; // signals that were not zero all along for every target
    for (const SeriesSnapshot& s : incident.series) {
        if (s.points.isEmpty())
            continue;
        if (!stored.contains(s.signal))
            stored << s.signal;
        if (std::any_of(s.points.cbegin(), s.points.cend(), [](const SnapshotPoint& p) { return p.value != 0; }))
            moved.insert(s.signal);
    }
    // What breached, as the evidence recorded it, first; for an overload or a flood the demand (its request rate)
    // next; then load and the rest. A signal that stayed at zero throughout says nothing unless it breached.
    QStringList names;
    const auto add = [&](const QString& signal, bool evenIfFlat) {
        if (stored.contains(signal) && !names.contains(signal) && (evenIfFlat || moved.contains(signal)))
            names << signal;
    };
    for (const Evidence& e : incident.evidence) {
        for (const QJsonValue& v : e.detail.value(QStringLiteral("breached_signals")).toArray())
            add(v.toString(), true);
    }
    if (incident.causeClass == u"overload" || incident.causeClass == u"attack") {
        add(QStringLiteral("rps"), false);
        add(QStringLiteral("requests"), false);
    }
    add(QStringLiteral("load"), false);
    for (const QString& signal : std::as_const(stored))
        add(signal, false);
    return names.isEmpty() ? stored : names;
}

namespace {
QStringList chartedTargets(const Incident& incident, const QString& signal)
{
    QStringList targets;
    for (const SeriesSnapshot& s : incident.series)
        if (s.signal == signal && !s.points.isEmpty() && !targets.contains(s.target))
            targets << s.target;
    return targets;
}
} // namespace

QString ReportCharts::levelsText(const Incident& incident, const QString& signal)
{
    QStringList parts;
    for (const SignalLevel& l : ReportNarrative::chartLevels(incident, signal, chartedTargets(incident, signal))) {
        const QString owner = l.target.isEmpty() ? QString() : QStringLiteral(" of %1").arg(l.target);
        QString part = QStringLiteral("threshold%1 %2 (dashed)").arg(owner, QString::number(l.threshold, 'g', 4));
        if (l.clear != l.threshold)
            part += QStringLiteral(", clear level %1 (dotted)").arg(QString::number(l.clear, 'g', 4));
        parts << part;
    }
    if (parts.isEmpty())
        return {};
    return QStringLiteral("%1: %2.").arg(ChartFeed::valueTitle(signal), parts.join(QStringLiteral("; ")));
}

QImage ReportCharts::render(const Incident& incident, const QString& signal, QSize size)
{
    QList<ChartSeries> lines;
    qint64 t0 = std::numeric_limits<qint64>::max();
    qint64 t1 = std::numeric_limits<qint64>::min();
    for (const SeriesSnapshot& s : incident.series) {
        if (s.signal != signal || s.points.isEmpty())
            continue;
        ChartSeries c;
        c.target = s.target;
        c.signal = s.signal;
        c.points.reserve(s.points.size());
        for (const SnapshotPoint& p : s.points) {
            c.points.append(QPointF(double(p.timeMs), p.value));
            t0 = std::min(t0, p.timeMs);
            t1 = std::max(t1, p.timeMs);
        }
        lines << c;
    }
    if (lines.isEmpty() || t1 <= t0)
        return {};

    LoadChart chart;
    chart.setAttribute(Qt::WA_DontShowOnScreen);
    chart.setTitle(QStringLiteral("%1 — affected targets").arg(ChartFeed::valueTitle(signal)));
    chart.setValueTitle(ChartFeed::valueTitle(signal));
    chart.setMaxGap(5000);
    chart.setSeries(lines);
    // The rules in force, as the console draws them: an expert reading "load 0.84" sees the 0.85 line.
    QList<ChartThreshold> thresholds;
    for (const SignalLevel& l : ReportNarrative::chartLevels(incident, signal, chartedTargets(incident, signal))) {
        thresholds << ChartThreshold { l.target, signal, { QPointF(0, l.threshold) }, false };
        if (l.clear != l.threshold)
            thresholds << ChartThreshold { l.target, signal, { QPointF(0, l.clear) }, true };
    }
    chart.setThresholds(thresholds);
    ChartBand band;
    band.startMs = incident.detectedUtc.isValid() ? incident.detectedUtc.toMSecsSinceEpoch() : t0;
    band.endMs = incident.recoveredUtc.isValid() ? incident.recoveredUtc.toMSecsSinceEpoch() : t1;
    band.label = QStringLiteral("%1 %2").arg(incident.causeClass, incident.rootTarget);
    chart.setFaultPeriods({ band });
    QList<ChartMarker> markers;
    if (incident.detectedUtc.isValid())
        markers << ChartMarker { incident.detectedUtc.toMSecsSinceEpoch(), QStringLiteral("detected") };
    for (const AuditRecord& a : incident.actions) {
        if (a.phase != AuditRecord::Phase::Intent || !a.timeUtc.isValid())
            continue;
        // The steps of one run start within seconds under one label: one marker says it (as on the console).
        const ChartMarker m { a.timeUtc.toMSecsSinceEpoch(),
            a.runbook.isEmpty() ? a.actionKind : a.runbook.section(u'#', 0, 0).section(u'/', -1) };
        if (std::none_of(markers.cbegin(), markers.cend(),
                [&](const ChartMarker& o) { return o.label == m.label && std::abs(o.timeMs - m.timeMs) < 10000; }))
            markers << m;
    }
    if (incident.recoveredUtc.isValid())
        markers << ChartMarker { incident.recoveredUtc.toMSecsSinceEpoch(), QStringLiteral("recovered") };
    chart.setMarkers(markers);
    chart.setFollowLive(false);
    // Detection and recovery stay inside the picture even when the stored samples end at them, with a margin.
    for (const QDateTime& t : { incident.detectedUtc, incident.recoveredUtc })
        if (t.isValid())
            t1 = std::max(t1, t.toMSecsSinceEpoch());
    chart.pauseAt(t0, t1 + std::max<qint64>(1000, (t1 - t0) / 40));
    // The widget too, not only the chart: a never-shown chart view would otherwise keep its default geometry.
    chart.resize(size);
    // Lines broken by gaps get their segments on the first refresh; the legend must be laid out after that, or it
    // is left out of the picture.
    chart.refreshNow();
    return chart.renderToImage(size, 2.0);
}

QByteArray ReportCharts::png(const Incident& incident, const QString& signal, QSize size)
{
    const QImage image = render(incident, signal, size);
    if (image.isNull())
        return {};
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

} // namespace FaultDesk
