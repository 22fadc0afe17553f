#include "incident/reportrenderer.h"

#include "incident/reportnarrative.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace FaultDesk {

namespace {
QString iso(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QString shortTime(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")) : QStringLiteral("—");
}

QJsonValue jsonTime(const QDateTime& t)
{
    return t.isValid() ? QJsonValue(iso(t)) : QJsonValue();
}

QJsonValue jsonMs(std::optional<qint64> v)
{
    return v ? QJsonValue(*v) : QJsonValue();
}

QJsonValue jsonMean(std::optional<double> v)
{
    return v ? QJsonValue(std::round(*v)) : QJsonValue();
}

QString yesNo(bool b)
{
    return b ? QStringLiteral("yes") : QStringLiteral("no");
}

QString meanText(std::optional<double> v)
{
    return ReportRenderer::duration(v ? std::optional<qint64>(qint64(std::llround(*v))) : std::nullopt);
}

QString actionTitle(const AuditRecord& a)
{
    return a.runbook.isEmpty() ? a.actionKind : QStringLiteral("%1 (%2)").arg(a.runbook, a.actionKind);
}

QString title(const ReportData& r)
{
    if (r.kind == ReportData::Kind::Incident && !r.incidents.isEmpty()) {
        const Incident& i = r.incidents.constFirst();
        return QStringLiteral("Incident report: %1").arg(ReportNarrative::headline(i));
    }
    return QStringLiteral("Incident report: %1 to %2").arg(shortTime(r.fromUtc), shortTime(r.toUtc));
}

QString baselineText(const QJsonObject& baseline)
{
    return QString::fromUtf8(QJsonDocument(baseline).toJson(QJsonDocument::Indented)).trimmed();
}

// An evidence record's samples; the rules in force are shown with the series and on the charts instead.
QString samplesText(QJsonObject detail)
{
    detail.remove(QStringLiteral("thresholds"));
    return QString::fromUtf8(QJsonDocument(detail).toJson(QJsonDocument::Compact));
}

// A note left empty is shown as a dash, never as a blank cell that reads like data lost.
QString noteText(const Incident& i, const IncidentEvent& e)
{
    const QString note = ReportNarrative::eventNote(i, e);
    return note.isEmpty() ? QStringLiteral("—") : note;
}

QString restoredState(const Incident& i)
{
    return i.state == IncidentState::Recovered ? QStringLiteral("recovered") : QStringLiteral("not recovered");
}

// A fence longer than any backtick run in the content, so the content cannot close it.
QString fenceFor(const QString& content)
{
    int longest = 0, run = 0;
    for (QChar c : content) {
        run = c == u'`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return QString(std::max(3, longest + 1), u'`');
}

// ---- Markdown ----

void mdRow(QString& out, const QStringList& cells)
{
    out += u"| ";
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i)
            out += u" | ";
        out += cells[i];
    }
    out += u" |\n";
}

void mdTable(QString& out, const QStringList& header, const QList<QStringList>& rows)
{
    mdRow(out, header);
    QStringList rule;
    for (qsizetype i = 0; i < header.size(); ++i)
        rule << QStringLiteral("---");
    mdRow(out, rule);
    for (const QStringList& r : rows)
        mdRow(out, r);
    out += u'\n';
}

void mdMttx(QString& out, const QString& keyName, const QList<MttxFigures>& rows)
{
    QList<QStringList> cells;
    for (const MttxFigures& m : rows)
        cells << QStringList { ReportRenderer::escapeMarkdown(m.key.isEmpty() ? QStringLiteral("all") : m.key),
            QString::number(m.incidents), QString::number(m.recovered), meanText(m.mttdMs), meanText(m.mttlMs),
            meanText(m.mttaMs), meanText(m.mtthMs), meanText(m.mttrMs) };
    mdTable(out,
        { keyName, QStringLiteral("Incidents"), QStringLiteral("Recovered"), QStringLiteral("MTTD"),
            QStringLiteral("MTTL"), QStringLiteral("MTTA"), QStringLiteral("MTTH"), QStringLiteral("MTTR") },
        cells);
}

void mdIncident(QString& out, const Incident& i, const QString& h)
{
    using R = ReportRenderer;
    const PhaseTimes p = i.phases();
    out += h + u"# Summary\n\n";
    mdTable(out, { QStringLiteral("Field"), QStringLiteral("Value") },
        {
            { QStringLiteral("Incident"), R::escapeMarkdown(i.id) },
            { QStringLiteral("Root cause"), R::escapeMarkdown(ReportNarrative::rootCause(i)) },
            { QStringLiteral("Cause class"), R::escapeMarkdown(i.causeClass) },
            { QStringLiteral("State"), IncidentLifecycle::name(i.state) },
            { QStringLiteral("Affected targets"), R::escapeMarkdown(i.affectedTargets().join(QStringLiteral(", "))) },
            { QStringLiteral("First failing sample (UTC)"), shortTime(i.firstFailureUtc) },
            { QStringLiteral("Detected (UTC)"), shortTime(i.detectedUtc) },
            { QStringLiteral("Recovered (UTC)"), shortTime(i.recoveredUtc) },
            { QStringLiteral("Impact"), R::duration(p.impactMs) },
            { QStringLiteral("Drill"), yesNo(i.drill) },
        });
    out += h + u"# Phase times\n\n";
    mdTable(out, { QStringLiteral("Phase"), QStringLiteral("Time") },
        {
            { QStringLiteral("Time to detect (from the first failing sample)"), R::duration(p.detectMs) },
            { QStringLiteral("Time to locate"), R::duration(p.locateMs) },
            { QStringLiteral("Time to acknowledge"), R::duration(p.acknowledgeMs) },
            { QStringLiteral("Time to handle"), R::duration(p.handleMs) },
            { QStringLiteral("Time to recover"), R::duration(p.recoverMs) },
        });
    out += h + u"# Timeline\n\n";
    QList<QStringList> rows;
    for (const IncidentEvent& e : i.events)
        rows << QStringList { shortTime(e.timeUtc), IncidentLifecycle::name(e.state),
            IncidentLifecycle::name(e.resultingState), R::escapeMarkdown(e.actor), R::escapeMarkdown(noteText(i, e)) };
    for (const AuditRecord& a : i.actions)
        rows << QStringList { shortTime(a.timeUtc),
            a.phase == AuditRecord::Phase::Intent ? QStringLiteral("action started") : QStringLiteral("action result"),
            QString(), R::escapeMarkdown(a.operatorName),
            R::escapeMarkdown(
                actionTitle(a) + u": " + (a.phase == AuditRecord::Phase::Intent ? a.description : a.status)) };
    // Members, symptoms and aftershocks joining the incident belong to its story, in time order.
    for (const Symptom& sy : i.symptoms)
        rows << QStringList { shortTime(sy.timeUtc), sy.timelineEvent(), QString(), QStringLiteral("auto"),
            R::escapeMarkdown(sy.target + u" (" + sy.causeClass + u')') };
    std::stable_sort(rows.begin(), rows.end(), [](const QStringList& a, const QStringList& b) { return a[0] < b[0]; });
    mdTable(out,
        { QStringLiteral("Time (UTC)"), QStringLiteral("Event"), QStringLiteral("State"), QStringLiteral("Actor"),
            QStringLiteral("Note") },
        rows);
    if (!i.symptoms.isEmpty()) {
        out += h + u"# " + Symptom::heading(i.symptoms) + u"\n\n";
        rows.clear();
        for (const Symptom& s : i.symptoms)
            rows << QStringList { shortTime(s.timeUtc), R::escapeMarkdown(s.target), R::escapeMarkdown(s.signal),
                R::escapeMarkdown(s.causeClass), R::escapeMarkdown(s.detail) };
        mdTable(out,
            { QStringLiteral("Time (UTC)"), QStringLiteral("Target"), QStringLiteral("Signal"),
                QStringLiteral("Looked like"), QStringLiteral("Explanation") },
            rows);
    }
    if (!i.evidence.isEmpty()) {
        out += h + u"# Evidence\n\n";
        rows.clear();
        for (const Evidence& e : i.evidence)
            rows << QStringList { shortTime(e.timeUtc), R::escapeMarkdown(e.target), R::escapeMarkdown(e.rule),
                R::escapeMarkdown(samplesText(e.detail)) };
        mdTable(out,
            { QStringLiteral("Time (UTC)"), QStringLiteral("Target"), QStringLiteral("Rule"),
                QStringLiteral("Samples") },
            rows);
    }
    out += h + u"# Actions\n\n";
    if (i.actions.isEmpty()) {
        out += u"No action was taken.\n\n";
    } else {
        rows.clear();
        for (const AuditRecord& a : i.actions) {
            if (a.phase != AuditRecord::Phase::Result)
                continue;
            rows << QStringList { shortTime(a.timeUtc), R::escapeMarkdown(actionTitle(a)), R::escapeMarkdown(a.target),
                R::escapeMarkdown(a.operatorName), R::escapeMarkdown(a.status),
                a.exitCode ? QString::number(*a.exitCode) : QStringLiteral("—"),
                R::duration(a.durationMs >= 0 ? std::optional(a.durationMs) : std::nullopt),
                R::escapeMarkdown(a.outputExcerpt) };
        }
        for (const AuditRecord& a : i.actions) {
            if (a.phase != AuditRecord::Phase::Intent)
                continue;
            bool finished = false;
            for (const AuditRecord& b : i.actions)
                finished |= b.phase == AuditRecord::Phase::Result && b.actionId == a.actionId;
            if (!finished)
                rows << QStringList { shortTime(a.timeUtc), R::escapeMarkdown(actionTitle(a)),
                    R::escapeMarkdown(a.target), R::escapeMarkdown(a.operatorName), QStringLiteral("outcome unknown"),
                    QStringLiteral("—"), QStringLiteral("—"), R::escapeMarkdown(a.description) };
        }
        mdTable(out,
            { QStringLiteral("Time (UTC)"), QStringLiteral("Action"), QStringLiteral("Target"), QStringLiteral("By"),
                QStringLiteral("Result"), QStringLiteral("Exit"), QStringLiteral("Took"),
                QStringLiteral("Output / verification") },
            rows);
    }
    out += h + u"# Baseline\n\n";
    if (i.baseline.isEmpty()) {
        out += u"No baseline was captured.\n\n";
    } else {
        out += R::escapeMarkdown(QStringLiteral("The pre-fault state Recover returns to; the incident is %1. %2")
                                     .arg(restoredState(i), ReportNarrative::baselineCaptured(i.baseline))
                                     .trimmed())
            + u"\n\n";
        for (const ReportTable& t : ReportNarrative::baselineTables(i.baseline)) {
            out += u"**" + R::escapeMarkdown(t.caption) + u"**\n\n";
            QList<QStringList> cells = t.rows;
            for (QStringList& row : cells)
                for (QString& c : row)
                    c = R::escapeMarkdown(c);
            mdTable(out, t.header, cells);
        }
    }
    if (!i.series.isEmpty()) {
        out += h + u"# Stored series\n\n";
        rows.clear();
        for (const SeriesSnapshot& s : i.series) {
            // The rule each series was judged by, as recorded with the evidence ("—": none recorded).
            QString threshold = QStringLiteral("—"), clear = QStringLiteral("—");
            for (const SignalLevel& l : ReportNarrative::levels(i, s.signal)) {
                if (l.target != s.target)
                    continue;
                threshold = (l.above ? QStringLiteral("above ") : QStringLiteral("below "))
                    + QString::number(l.threshold, 'g', 4);
                clear = QString::number(l.clear, 'g', 4);
            }
            rows << QStringList { R::escapeMarkdown(s.target), R::escapeMarkdown(s.signal),
                QString::number(s.points.size()), threshold, clear };
        }
        mdTable(out,
            { QStringLiteral("Target"), QStringLiteral("Signal"), QStringLiteral("Points"), QStringLiteral("Threshold"),
                QStringLiteral("Clear level") },
            rows);
    }
    if (!i.baseline.isEmpty()) {
        // The baseline exactly as stored, for whoever needs a value the tables above leave out.
        const QString text = baselineText(i.baseline);
        const QString fence = fenceFor(text);
        out += h + u"# Appendix: baseline as recorded\n\n" + fence + u"json\n" + text + u'\n' + fence + u"\n\n";
    }
}

// ---- HTML ----

QString esc(const QString& s)
{
    return s.toHtmlEscaped();
}

void htmlTable(QString& out, const QStringList& header, const QList<QStringList>& rows)
{
    out += u"<table><thead><tr>";
    for (const QString& c : header)
        out += u"<th>" + esc(c) + u"</th>";
    out += u"</tr></thead><tbody>\n";
    for (const QStringList& r : rows) {
        out += u"<tr>";
        for (const QString& c : r)
            out += u"<td>" + esc(c) + u"</td>";
        out += u"</tr>\n";
    }
    out += u"</tbody></table>\n";
}

// One SVG chart per signal: each target a line, detection/actions/recovery as vertical markers.
QString svgChart(const Incident& i, const QString& signal)
{
    static const QStringList palette = { QStringLiteral("#1f77b4"), QStringLiteral("#d62728"),
        QStringLiteral("#2ca02c"), QStringLiteral("#ff7f0e"), QStringLiteral("#9467bd"), QStringLiteral("#8c564b") };
    const double w = 760, hgt = 220, left = 60, right = 10, top = 10, bottom = 30;
    qint64 t0 = std::numeric_limits<qint64>::max(), t1 = std::numeric_limits<qint64>::min();
    double v0 = std::numeric_limits<double>::max(), v1 = std::numeric_limits<double>::lowest();
    QList<const SeriesSnapshot*> lines;
    for (const SeriesSnapshot& s : i.series) {
        if (s.signal != signal)
            continue;
        lines << &s;
        for (const SnapshotPoint& p : s.points) {
            t0 = std::min(t0, p.timeMs);
            t1 = std::max(t1, p.timeMs);
            if (std::isfinite(p.value)) {
                v0 = std::min(v0, p.value);
                v1 = std::max(v1, p.value);
            }
        }
    }
    if (lines.isEmpty() || t1 <= t0 || v0 > v1)
        return QString();
    QStringList targets;
    for (const SeriesSnapshot* s : std::as_const(lines))
        targets << s->target;
    const QList<SignalLevel> levels = ReportNarrative::chartLevels(i, signal, targets);
    for (const SignalLevel& l : levels) { // a value near its threshold must be seen next to it
        v0 = std::min({ v0, l.threshold, l.clear });
        v1 = std::max({ v1, l.threshold, l.clear });
    }
    if (v1 - v0 < 1e-12) {
        v0 -= 0.5;
        v1 += 0.5;
    }
    v0 = std::min(v0, 0.0);
    auto x = [&](qint64 t) { return left + (w - left - right) * double(t - t0) / double(t1 - t0); };
    auto y = [&](double v) { return top + (hgt - top - bottom) * (1.0 - (v - v0) / (v1 - v0)); };
    QString svg = QStringLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" height=\"%2\" role=\"img\" "
                                 "aria-label=\"%3\">")
                      .arg(w)
                      .arg(hgt)
                      .arg(esc(signal));
    svg += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"#fff\" stroke=\"#999\"/>")
               .arg(left)
               .arg(top)
               .arg(w - left - right)
               .arg(hgt - top - bottom);
    for (int k = 0; k <= 4; ++k) {
        const double v = v0 + (v1 - v0) * k / 4;
        svg += QStringLiteral("<text x=\"%1\" y=\"%2\" font-size=\"10\" text-anchor=\"end\">%3</text>")
                   .arg(left - 4)
                   .arg(y(v) + 3, 0, 'f', 1)
                   .arg(QString::number(v, 'g', 3));
    }
    svg += QStringLiteral("<text x=\"%1\" y=\"%2\" font-size=\"10\">%3</text>")
               .arg(left)
               .arg(hgt - 8)
               .arg(esc(QDateTime::fromMSecsSinceEpoch(t0, Qt::UTC).toString(QStringLiteral("HH:mm:ss"))));
    svg += QStringLiteral("<text x=\"%1\" y=\"%2\" font-size=\"10\" text-anchor=\"end\">%3 UTC</text>")
               .arg(w - right)
               .arg(hgt - 8)
               .arg(esc(QDateTime::fromMSecsSinceEpoch(t1, Qt::UTC).toString(QStringLiteral("HH:mm:ss"))));
    int markers = 0;
    auto marker = [&](const QDateTime& t, const QString& colour, const QString& label) {
        if (!t.isValid() || t.toMSecsSinceEpoch() < t0 || t.toMSecsSinceEpoch() > t1)
            return;
        const double px = x(t.toMSecsSinceEpoch());
        svg += QStringLiteral("<line x1=\"%1\" x2=\"%1\" y1=\"%2\" y2=\"%3\" stroke=\"%4\" stroke-dasharray=\"4 3\"/>"
                              "<text x=\"%5\" y=\"%6\" font-size=\"10\" fill=\"%4\">%7</text>")
                   .arg(px, 0, 'f', 1)
                   .arg(top)
                   .arg(hgt - bottom)
                   .arg(colour)
                   .arg(px + 2, 0, 'f', 1)
                   .arg(top + 10 + 11 * (markers++ % 3)) // staggered: close markers must not overprint
                   .arg(esc(label));
    };
    for (const SignalLevel& l : levels) {
        const QString owner = l.target.isEmpty() ? QString() : u' ' + l.target;
        QList<std::pair<double, QString>> drawn { { l.threshold, QStringLiteral("threshold") } };
        if (l.clear != l.threshold)
            drawn.append({ l.clear, QStringLiteral("clear level") });
        for (const auto& [value, name] : drawn) {
            const bool clear = name != u"threshold";
            svg += QStringLiteral("<line x1=\"%1\" x2=\"%2\" y1=\"%3\" y2=\"%3\" stroke=\"#c98a00\" "
                                  "stroke-dasharray=\"%4\"/><text x=\"%5\" y=\"%6\" font-size=\"10\" "
                                  "fill=\"#8a5f00\">%7</text>")
                       .arg(left)
                       .arg(w - right)
                       .arg(y(value), 0, 'f', 1)
                       .arg(clear ? QStringLiteral("2 3") : QStringLiteral("6 4"))
                       .arg(left + 4)
                       .arg(y(value) - 3, 0, 'f', 1)
                       .arg(esc(QStringLiteral("%1%2 %3").arg(name, owner, QString::number(value, 'g', 4))));
        }
    }
    marker(i.detectedUtc, QStringLiteral("#d62728"), QStringLiteral("detected"));
    for (const AuditRecord& a : i.actions)
        if (a.phase == AuditRecord::Phase::Intent)
            marker(a.timeUtc, QStringLiteral("#555"), a.actionKind);
    marker(i.recoveredUtc, QStringLiteral("#2ca02c"), QStringLiteral("recovered"));
    for (qsizetype k = 0; k < lines.size(); ++k) {
        QString pts;
        for (const SnapshotPoint& p : lines[k]->points)
            if (std::isfinite(p.value))
                pts += QStringLiteral("%1,%2 ").arg(x(p.timeMs), 0, 'f', 1).arg(y(p.value), 0, 'f', 1);
        const QString& colour = palette[k % palette.size()];
        svg += QStringLiteral("<polyline fill=\"none\" stroke=\"%1\" stroke-width=\"1.5\" points=\"%2\"/>")
                   .arg(colour, pts.trimmed());
        svg += QStringLiteral("<text x=\"%1\" y=\"%2\" font-size=\"11\" fill=\"%3\">%4</text>")
                   .arg(w - right - 150)
                   .arg(top + 14 + 13 * k)
                   .arg(
                       colour, esc(lines[k]->target.size() > 24 ? lines[k]->target.left(23) + u'…' : lines[k]->target));
    }
    svg += u"</svg>";
    return svg;
}

void htmlIncident(QString& out, const Incident& i, const QString& h, const ReportRenderer::ChartImage& chartImage)
{
    using R = ReportRenderer;
    const PhaseTimes p = i.phases();
    out += QStringLiteral("<section class=\"incident\" id=\"%1\">\n").arg(esc(i.id));
    if (h == u"h3")
        out += QStringLiteral("<h2>%1</h2>\n").arg(esc(ReportNarrative::headline(i)));
    out += u'<' + h + u">Summary</" + h + u">\n";
    htmlTable(out, { QStringLiteral("Field"), QStringLiteral("Value") },
        {
            { QStringLiteral("Incident"), i.id },
            { QStringLiteral("Root cause"), ReportNarrative::rootCause(i) },
            { QStringLiteral("Cause class"), i.causeClass },
            { QStringLiteral("State"), IncidentLifecycle::name(i.state) },
            { QStringLiteral("Affected targets"), i.affectedTargets().join(QStringLiteral(", ")) },
            { QStringLiteral("First failing sample (UTC)"), shortTime(i.firstFailureUtc) },
            { QStringLiteral("Detected (UTC)"), shortTime(i.detectedUtc) },
            { QStringLiteral("Recovered (UTC)"), shortTime(i.recoveredUtc) },
            { QStringLiteral("Impact"), R::duration(p.impactMs) },
            { QStringLiteral("Drill"), yesNo(i.drill) },
        });
    out += u'<' + h + u">Phase times</" + h + u">\n";
    htmlTable(out, { QStringLiteral("Phase"), QStringLiteral("Time") },
        {
            { QStringLiteral("Time to detect (from the first failing sample)"), R::duration(p.detectMs) },
            { QStringLiteral("Time to locate"), R::duration(p.locateMs) },
            { QStringLiteral("Time to acknowledge"), R::duration(p.acknowledgeMs) },
            { QStringLiteral("Time to handle"), R::duration(p.handleMs) },
            { QStringLiteral("Time to recover"), R::duration(p.recoverMs) },
        });
    QStringList signalNames;
    for (const SeriesSnapshot& s : i.series)
        if (!signalNames.contains(s.signal))
            signalNames << s.signal;
    if (!signalNames.isEmpty()) {
        out += u'<' + h + u">Signals over the incident window</" + h + u">\n";
        for (const QString& s : signalNames) {
            const QByteArray png = chartImage ? chartImage(i, s) : QByteArray();
            const QString chart = png.isEmpty()
                ? svgChart(i, s)
                : QStringLiteral("<img alt=\"%1\" style=\"max-width:100%\" src=\"data:image/png;base64,%2\">")
                      .arg(esc(s), QString::fromLatin1(png.toBase64()));
            out += QStringLiteral("<figure>%1<figcaption>%2</figcaption></figure>\n").arg(chart, esc(s));
        }
    }
    out += u'<' + h + u">Timeline</" + h + u">\n";
    QList<QStringList> rows;
    for (const IncidentEvent& e : i.events)
        rows << QStringList { shortTime(e.timeUtc), IncidentLifecycle::name(e.state),
            IncidentLifecycle::name(e.resultingState), e.actor, noteText(i, e) };
    for (const AuditRecord& a : i.actions)
        rows << QStringList { shortTime(a.timeUtc),
            a.phase == AuditRecord::Phase::Intent ? QStringLiteral("action started") : QStringLiteral("action result"),
            QString(), a.operatorName,
            actionTitle(a) + u": " + (a.phase == AuditRecord::Phase::Intent ? a.description : a.status) };
    for (const Symptom& sy : i.symptoms)
        rows << QStringList { shortTime(sy.timeUtc), sy.timelineEvent(), QString(), QStringLiteral("auto"),
            sy.target + u" (" + sy.causeClass + u')' };
    std::stable_sort(rows.begin(), rows.end(), [](const QStringList& a, const QStringList& b) { return a[0] < b[0]; });
    htmlTable(out,
        { QStringLiteral("Time (UTC)"), QStringLiteral("Event"), QStringLiteral("State"), QStringLiteral("Actor"),
            QStringLiteral("Note") },
        rows);
    if (!i.symptoms.isEmpty()) {
        out += u'<' + h + u'>' + Symptom::heading(i.symptoms) + u"</" + h + u">\n";
        rows.clear();
        for (const Symptom& s : i.symptoms)
            rows << QStringList { shortTime(s.timeUtc), s.target, s.signal, s.causeClass, s.detail };
        htmlTable(out,
            { QStringLiteral("Time (UTC)"), QStringLiteral("Target"), QStringLiteral("Signal"),
                QStringLiteral("Looked like"), QStringLiteral("Explanation") },
            rows);
    }
    if (!i.evidence.isEmpty()) {
        out += u'<' + h + u">Evidence</" + h + u">\n";
        rows.clear();
        for (const Evidence& e : i.evidence)
            rows << QStringList { shortTime(e.timeUtc), e.target, e.rule, samplesText(e.detail) };
        htmlTable(out,
            { QStringLiteral("Time (UTC)"), QStringLiteral("Target"), QStringLiteral("Rule"),
                QStringLiteral("Samples") },
            rows);
    }
    out += u'<' + h + u">Actions</" + h + u">\n";
    rows.clear();
    for (const AuditRecord& a : i.actions)
        if (a.phase == AuditRecord::Phase::Result)
            rows << QStringList { shortTime(a.timeUtc), actionTitle(a), a.target, a.operatorName, a.status,
                a.exitCode ? QString::number(*a.exitCode) : QStringLiteral("—"),
                R::duration(a.durationMs >= 0 ? std::optional(a.durationMs) : std::nullopt), a.outputExcerpt };
    if (rows.isEmpty())
        out += u"<p>No action finished.</p>\n";
    else
        htmlTable(out,
            { QStringLiteral("Time (UTC)"), QStringLiteral("Action"), QStringLiteral("Target"), QStringLiteral("By"),
                QStringLiteral("Result"), QStringLiteral("Exit"), QStringLiteral("Took"),
                QStringLiteral("Output / verification") },
            rows);
    out += u'<' + h + u">Baseline</" + h + u">\n";
    if (i.baseline.isEmpty())
        out += u"<p>No baseline was captured.</p>\n";
    else {
        out += QStringLiteral("<p>%1</p>\n")
                   .arg(esc(QStringLiteral("The pre-fault state Recover returns to; the "
                                           "incident is %1. %2")
                                .arg(restoredState(i), ReportNarrative::baselineCaptured(i.baseline))
                                .trimmed()));
        for (const ReportTable& t : ReportNarrative::baselineTables(i.baseline)) {
            out += QStringLiteral("<h4>%1</h4>\n").arg(esc(t.caption));
            htmlTable(out, t.header, t.rows);
        }
        // The raw record stays available, folded, for a value the tables leave out.
        out += QStringLiteral("<details><summary>Baseline as recorded (JSON)</summary><pre>%1</pre></details>\n")
                   .arg(esc(baselineText(i.baseline)));
    }
    out += u"</section>\n";
}

void htmlMttx(QString& out, const QString& keyName, const QList<MttxFigures>& rows)
{
    QList<QStringList> cells;
    for (const MttxFigures& m : rows)
        cells << QStringList { m.key.isEmpty() ? QStringLiteral("all") : m.key, QString::number(m.incidents),
            QString::number(m.recovered), meanText(m.mttdMs), meanText(m.mttlMs), meanText(m.mttaMs),
            meanText(m.mtthMs), meanText(m.mttrMs) };
    htmlTable(out,
        { keyName, QStringLiteral("Incidents"), QStringLiteral("Recovered"), QStringLiteral("MTTD"),
            QStringLiteral("MTTL"), QStringLiteral("MTTA"), QStringLiteral("MTTH"), QStringLiteral("MTTR") },
        cells);
}

QList<QStringList> incidentTable(const ReportData& r)
{
    QList<QStringList> rows;
    for (const Incident& i : r.incidents)
        rows << QStringList { i.id, shortTime(i.detectedUtc), ReportNarrative::rootCause(i), i.causeClass,
            IncidentLifecycle::name(i.state), ReportRenderer::duration(i.phases().impactMs), yesNo(i.drill) };
    return rows;
}

const QStringList kIncidentTableHeader
    = { QStringLiteral("Incident"), QStringLiteral("Detected (UTC)"), QStringLiteral("Root cause"),
          QStringLiteral("Cause"), QStringLiteral("State"), QStringLiteral("Impact"), QStringLiteral("Drill") };

QJsonObject mttxJson(const MttxFigures& m)
{
    return QJsonObject { { QStringLiteral("key"), m.key }, { QStringLiteral("incidents"), m.incidents },
        { QStringLiteral("recovered"), m.recovered }, { QStringLiteral("mttd_ms"), jsonMean(m.mttdMs) },
        { QStringLiteral("mttl_ms"), jsonMean(m.mttlMs) }, { QStringLiteral("mtta_ms"), jsonMean(m.mttaMs) },
        { QStringLiteral("mtth_ms"), jsonMean(m.mtthMs) }, { QStringLiteral("mttr_ms"), jsonMean(m.mttrMs) } };
}

QJsonArray mttxArray(const QList<MttxFigures>& rows)
{
    QJsonArray a;
    for (const MttxFigures& m : rows)
        a.append(mttxJson(m));
    return a;
}
} // namespace

QString ReportRenderer::escapeMarkdown(const QString& text)
{
    // Only what can start markup in running text or a table cell is escaped, so the raw file stays readable:
    // emphasis, code, links and images, raw HTML and entities, table cells, strikethrough and GFM autolinks.
    static const QString special = QStringLiteral("\\`*_[]<>|&~@!");
    QString out;
    out.reserve(text.size() + text.size() / 4);
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        const char16_t u = c.unicode();
        if (u == u'\n' || u == u'\r' || u == u'\t') {
            out += u' ';
        } else if (u < 0x20 || u == 0x7f) {
            continue; // control characters have no business in a report
        } else if (special.contains(c) || (u == u'/' && i > 0 && text[i - 1] == u':') // "http://" would autolink
            || (u == u'.' && i >= 3 && text.mid(i - 3, 3).compare(u"www", Qt::CaseInsensitive) == 0)) {
            out += u'\\';
            out += c;
        } else {
            out += c;
        }
    }
    return out;
}

QString ReportRenderer::duration(std::optional<qint64> ms)
{
    if (!ms)
        return QStringLiteral("—");
    const qint64 v = *ms;
    if (v < 0)
        return QStringLiteral("-") + duration(-v);
    if (v < 1000)
        return QStringLiteral("%1 ms").arg(v);
    if (v < 60000)
        return QStringLiteral("%1 s").arg(QString::number(v / 1000.0, 'f', v < 10000 ? 1 : 0));
    const qint64 s = v / 1000;
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QByteArray ReportRenderer::markdown(const ReportData& r)
{
    QString out = u"# " + escapeMarkdown(title(r)) + u"\n\n";
    out += QStringLiteral("Generated %1 UTC by %2.%3\n\n")
               .arg(shortTime(r.generatedUtc), escapeMarkdown(r.generator),
                   r.includesDrills ? QStringLiteral(" Drills are included.") : QString());
    if (r.kind == ReportData::Kind::Incident) {
        if (!r.incidents.isEmpty())
            mdIncident(out, r.incidents.constFirst(), QStringLiteral("#"));
        return out.toUtf8();
    }
    out += QStringLiteral("## Mean times\n\n");
    if (r.incidents.isEmpty()) {
        out += u"No incident in this period.\n\n";
        return out.toUtf8();
    }
    mdMttx(out, QStringLiteral("Scope"), r.mttxOverall);
    out += u"### By cause\n\n";
    mdMttx(out, QStringLiteral("Cause"), r.mttxByCause);
    out += u"### By target\n\n";
    mdMttx(out, QStringLiteral("Target"), r.mttxByTarget);
    out += u"## Incidents\n\n";
    QList<QStringList> rows = incidentTable(r);
    for (QStringList& row : rows)
        for (QString& c : row)
            c = escapeMarkdown(c);
    mdTable(out, kIncidentTableHeader, rows);
    for (qsizetype k = 0; k < r.incidents.size() - r.omittedIncidents; ++k) {
        const Incident& i = r.incidents[k];
        out += u"## " + escapeMarkdown(ReportNarrative::headline(i)) + u"\n\n";
        mdIncident(out, i, QStringLiteral("##"));
    }
    if (r.omittedIncidents > 0)
        out += QStringLiteral("%1 more incidents are listed above without detail.\n").arg(r.omittedIncidents);
    return out.toUtf8();
}

QByteArray ReportRenderer::html(const ReportData& r)
{
    return html(r, ChartImage());
}

QByteArray ReportRenderer::html(const ReportData& r, const ChartImage& chartImage)
{
    QString out = QStringLiteral(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        // Defence in depth: even if some text escaped its escaping, nothing could run or load.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">\n"
        "<title>%1</title>\n<style>\n"
        "body{font-family:sans-serif;margin:2em;color:#222;max-width:60em}\n"
        "table{border-collapse:collapse;margin:0 0 1.5em 0}th,td{border:1px solid #ccc;padding:3px 8px;"
        "text-align:left;vertical-align:top;font-size:90%%}th{background:#f0f0f0}\n"
        "pre{background:#f6f6f6;padding:8px;overflow-x:auto}figure{margin:0 0 1em 0}"
        "figcaption{font-size:85%%;color:#555}\nsection.incident{page-break-before:auto}\n"
        "</style></head><body>\n")
                      .arg(esc(title(r)));
    out.replace(QStringLiteral("%%"), QStringLiteral("%"));
    out += u"<h1>" + esc(title(r)) + u"</h1>\n";
    out += QStringLiteral("<p>Generated %1 UTC by %2.%3</p>\n")
               .arg(shortTime(r.generatedUtc), esc(r.generator),
                   r.includesDrills ? QStringLiteral(" Drills are included.") : QString());
    if (r.kind == ReportData::Kind::Incident) {
        if (!r.incidents.isEmpty())
            htmlIncident(out, r.incidents.constFirst(), QStringLiteral("h2"), chartImage);
    } else if (r.incidents.isEmpty()) {
        out += u"<p>No incident in this period.</p>\n";
    } else {
        out += u"<h2>Mean times</h2>\n";
        htmlMttx(out, QStringLiteral("Scope"), r.mttxOverall);
        out += u"<h3>By cause</h3>\n";
        htmlMttx(out, QStringLiteral("Cause"), r.mttxByCause);
        out += u"<h3>By target</h3>\n";
        htmlMttx(out, QStringLiteral("Target"), r.mttxByTarget);
        out += u"<h2>Incidents</h2>\n";
        htmlTable(out, kIncidentTableHeader, incidentTable(r));
        for (qsizetype k = 0; k < r.incidents.size() - r.omittedIncidents; ++k)
            htmlIncident(out, r.incidents[k], QStringLiteral("h3"), chartImage);
    }
    out += u"</body></html>\n";
    return out.toUtf8();
}

QJsonObject ReportRenderer::json(const ReportData& r)
{
    QJsonArray incidents;
    for (const Incident& i : r.incidents) {
        const PhaseTimes p = i.phases();
        QJsonArray timeline, symptoms, evidence, actions, series;
        for (const IncidentEvent& e : i.events)
            timeline.append(QJsonObject { { QStringLiteral("time"), iso(e.timeUtc) },
                { QStringLiteral("event"), IncidentLifecycle::name(e.state) },
                { QStringLiteral("state"), IncidentLifecycle::name(e.resultingState) },
                { QStringLiteral("actor"), e.actor }, { QStringLiteral("note"), ReportNarrative::eventNote(i, e) } });
        for (const Symptom& s : i.symptoms)
            symptoms.append(QJsonObject { { QStringLiteral("time"), jsonTime(s.timeUtc) },
                { QStringLiteral("target"), s.target }, { QStringLiteral("signal"), s.signal },
                { QStringLiteral("cause_class"), s.causeClass }, { QStringLiteral("detail"), s.detail } });
        for (const Evidence& e : i.evidence)
            evidence.append(
                QJsonObject { { QStringLiteral("time"), jsonTime(e.timeUtc) }, { QStringLiteral("target"), e.target },
                    { QStringLiteral("rule"), e.rule }, { QStringLiteral("detail"), e.detail } });
        for (const AuditRecord& a : i.actions)
            actions.append(a.toJson());
        for (const SeriesSnapshot& s : i.series) {
            QJsonArray points;
            for (const SnapshotPoint& pt : s.points)
                points.append(QJsonArray { pt.timeMs, std::isfinite(pt.value) ? QJsonValue(pt.value) : QJsonValue() });
            QJsonObject entry { { QStringLiteral("target"), s.target }, { QStringLiteral("signal"), s.signal },
                { QStringLiteral("points"), points } };
            for (const SignalLevel& l : ReportNarrative::levels(i, s.signal)) {
                if (l.target != s.target)
                    continue;
                entry.insert(QStringLiteral("threshold"), l.threshold);
                entry.insert(QStringLiteral("clear"), l.clear);
                entry.insert(QStringLiteral("direction"), l.above ? QStringLiteral("above") : QStringLiteral("below"));
            }
            series.append(entry);
        }
        incidents.append(QJsonObject {
            { QStringLiteral("id"), i.id },
            { QStringLiteral("title"), i.title },
            { QStringLiteral("root_target"), i.rootTarget },
            { QStringLiteral("pool"),
                ReportNarrative::pool(i).isEmpty() ? QJsonValue() : QJsonValue(ReportNarrative::pool(i)) },
            { QStringLiteral("root_cause"), ReportNarrative::rootCause(i) },
            { QStringLiteral("cause_class"), i.causeClass },
            { QStringLiteral("state"), IncidentLifecycle::name(i.state) },
            { QStringLiteral("drill"), i.drill },
            { QStringLiteral("affected_targets"), QJsonArray::fromStringList(i.affectedTargets()) },
            { QStringLiteral("times"),
                QJsonObject { { QStringLiteral("first_failure"), jsonTime(i.firstFailureUtc) },
                    { QStringLiteral("detected"), jsonTime(i.detectedUtc) },
                    { QStringLiteral("located"), jsonTime(i.locatedUtc) },
                    { QStringLiteral("acknowledged"), jsonTime(i.acknowledgedUtc) },
                    { QStringLiteral("handling"), jsonTime(i.handlingUtc) },
                    { QStringLiteral("handled"), jsonTime(i.handledUtc) },
                    { QStringLiteral("recovering"), jsonTime(i.recoveringUtc) },
                    { QStringLiteral("recovered"), jsonTime(i.recoveredUtc) } } },
            { QStringLiteral("phases"),
                QJsonObject { { QStringLiteral("detect_ms"), jsonMs(p.detectMs) },
                    { QStringLiteral("locate_ms"), jsonMs(p.locateMs) },
                    { QStringLiteral("acknowledge_ms"), jsonMs(p.acknowledgeMs) },
                    { QStringLiteral("handle_ms"), jsonMs(p.handleMs) },
                    { QStringLiteral("recover_ms"), jsonMs(p.recoverMs) },
                    { QStringLiteral("impact_ms"), jsonMs(p.impactMs) } } },
            { QStringLiteral("timeline"), timeline },
            { QStringLiteral("symptoms"), symptoms },
            { QStringLiteral("evidence"), evidence },
            { QStringLiteral("actions"), actions },
            { QStringLiteral("baseline"), i.baseline },
            { QStringLiteral("series"), series },
        });
    }
    QJsonObject o {
        { QStringLiteral("schema"), jsonSchemaId() },
        { QStringLiteral("kind"),
            r.kind == ReportData::Kind::Incident ? QStringLiteral("incident") : QStringLiteral("range") },
        { QStringLiteral("generated"), iso(r.generatedUtc) },
        { QStringLiteral("generator"), r.generator },
        { QStringLiteral("from"), jsonTime(r.fromUtc) },
        { QStringLiteral("to"), jsonTime(r.toUtc) },
        { QStringLiteral("includes_drills"), r.includesDrills },
        { QStringLiteral("omitted_incidents"), r.omittedIncidents },
        { QStringLiteral("incidents"), incidents },
    };
    if (r.kind == ReportData::Kind::Range)
        o.insert(QStringLiteral("mttx"),
            QJsonObject { { QStringLiteral("overall"), mttxArray(r.mttxOverall) },
                { QStringLiteral("by_target"), mttxArray(r.mttxByTarget) },
                { QStringLiteral("by_cause"), mttxArray(r.mttxByCause) } });
    return o;
}

QByteArray ReportRenderer::jsonText(const ReportData& report)
{
    return QJsonDocument(json(report)).toJson(QJsonDocument::Indented);
}

} // namespace FaultDesk
