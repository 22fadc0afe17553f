#include "ui/report/pdfreport.h"

#include "incident/reportnarrative.h"
#include "incident/reportrenderer.h"
#include "ui/report/reportcharts.h"

#include <QAbstractTextDocumentLayout>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPageLayout>
#include <QPainter>
#include <QPdfWriter>
#include <QSet>
#include <QTextDocument>
#include <QUrl>

#include <algorithm>

namespace FaultDesk {

namespace {
QString esc(const QString& s)
{
    return s.toHtmlEscaped();
}

QString when(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QStringLiteral("—");
}

QString dur(std::optional<qint64> ms)
{
    return ReportRenderer::duration(ms);
}

QString mean(std::optional<double> v)
{
    return ReportRenderer::duration(v ? std::optional<qint64>(qint64(std::llround(*v))) : std::nullopt);
}

// A table with a grey header row; cells are plain text (escaped here).
QString table(const QStringList& header, const QList<QStringList>& rows, const QList<int>& widths = {},
    const QString& caption = {})
{
    QString out = QStringLiteral(
        "<table width=\"100%\" border=\"1\" cellspacing=\"0\" cellpadding=\"3\" style=\"border-color:#bbb\">"
        "<thead>"); // a thead repeats on every page the table continues on
    // A caption in the head cannot be left alone at the foot of a page, and names the table on each page it spans.
    if (!caption.isEmpty())
        out += QStringLiteral("<tr><th colspan=\"%1\" align=\"left\">%2</th></tr>")
                   .arg(header.size())
                   .arg(esc(caption));
    out += u"<tr>";
    for (qsizetype i = 0; i < header.size(); ++i) {
        const QString width = i < widths.size() ? QStringLiteral(" width=\"%1%\"").arg(widths[i]) : QString();
        out += QStringLiteral("<th bgcolor=\"#eef1f5\" align=\"left\"%1>%2</th>").arg(width, esc(header[i]));
    }
    out += u"</tr></thead>";
    for (const QStringList& r : rows) {
        out += u"<tr>";
        for (const QString& c : r)
            out += u"<td>" + esc(c).replace(u'\n', QStringLiteral("<br/>")) + u"</td>";
        out += u"</tr>";
    }
    return out + u"</table>";
}

QString fieldTable(const QList<QStringList>& rows)
{
    QString out = QStringLiteral("<table width=\"100%\" border=\"0\" cellspacing=\"0\" cellpadding=\"2\">");
    for (const QStringList& r : rows)
        out += QStringLiteral("<tr><td width=\"28%\"><b>%1</b></td><td>%2</td></tr>")
                   .arg(esc(r.value(0)), esc(r.value(1)));
    return out + u"</table>";
}

// Evidence samples as "name: value" lines a reader can scan, numbers to four significant digits.
QString detailText(const QJsonObject& detail)
{
    auto value = [](const QJsonValue& v) -> QString {
        if (v.isDouble())
            return QString::number(v.toDouble(), 'g', 4);
        if (v.isString())
            return v.toString();
        if (v.isBool())
            return v.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
        return QString::fromUtf8(QJsonDocument(v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject()))
                                     .toJson(QJsonDocument::Compact));
    };
    QStringList lines;
    for (auto it = detail.begin(); it != detail.end(); ++it) {
        if (it.key() == u"first_failure_estimate" || it.key() == u"fault" || it.key() == u"thresholds")
            continue; // bookkeeping, not evidence (the rules in force are drawn on the charts)
        if (it->isObject()) {
            QStringList parts;
            const QJsonObject o = it->toObject();
            for (auto in = o.begin(); in != o.end(); ++in)
                parts << in.key() + u" = " + value(*in);
            lines << it.key() + u": " + parts.join(QStringLiteral(", "));
        } else {
            lines << it.key() + u": " + value(*it);
        }
    }
    return lines.join(u'\n');
}

QString actionName(const AuditRecord& a)
{
    return a.runbook.isEmpty() ? a.actionKind : QStringLiteral("%1 (%2)").arg(a.runbook, a.actionKind);
}

// Whether the pre-fault baseline is back: recovered, and every recovery step that ran succeeded.
QString restoredText(const Incident& i)
{
    if (i.baseline.isEmpty())
        return QStringLiteral("No baseline was captured for this incident.");
    // A step is an Intent and its Result; a Result alone is a request refused before anything ran.
    QSet<QString> intents, results;
    for (const AuditRecord& a : i.actions)
        (a.phase == AuditRecord::Phase::Intent ? intents : results).insert(a.actionId);
    const auto isRecovery
        = [](const AuditRecord& a) { return a.runbook.contains(QStringLiteral("recover"), Qt::CaseInsensitive); };
    int recoverySteps = 0, failed = 0, running = 0, steps = 0;
    for (const AuditRecord& a : i.actions) {
        if (a.phase == AuditRecord::Phase::Intent) {
            running += isRecovery(a) && !results.contains(a.actionId) ? 1 : 0;
            continue;
        }
        if (!intents.contains(a.actionId))
            continue;
        ++steps;
        if (isRecovery(a))
            ++recoverySteps;
        if (a.status != u"ok")
            ++failed;
    }
    if (i.state != IncidentState::Recovered)
        return QStringLiteral("Not restored: the incident is %1.").arg(IncidentLifecycle::name(i.state));
    // The target passing its checks is not the baseline back while Recover still verifies it.
    if (running > 0)
        return QStringLiteral("Not restored yet: the target passes its checks, but %1 recovery step(s) had not "
                              "finished when this report was made.")
            .arg(running);
    if (failed > 0)
        return QStringLiteral("Recovered, but %1 action(s) did not succeed: check the actions above.").arg(failed);
    if (recoverySteps > 0)
        return QStringLiteral("Restored: the incident recovered and all %1 recovery step(s) passed their "
                              "verification.")
            .arg(recoverySteps);
    if (steps > 0)
        return QStringLiteral("Not restored: the target passes its checks, but no Recover ran after Handle's %1 "
                              "step(s).")
            .arg(steps);
    return QStringLiteral("Cleared on its own: no remediation ran, so there was nothing to restore.");
}

QString incidentSections(const Incident& i, int index, QTextDocument* resources, int chartWidthPx, bool nested)
{
    const QString h = nested ? QStringLiteral("h3") : QStringLiteral("h2");
    const PhaseTimes p = i.phases();
    QString out;
    if (nested)
        out += QStringLiteral("<h2 style=\"page-break-before: always\">%1</h2>")
                   .arg(esc(ReportNarrative::headline(i))); // each incident of a range on its own pages

    out += QStringLiteral("<%1>Summary</%1>").arg(h);
    QStringList symptomTargets = i.affectedTargets();
    symptomTargets.removeAll(i.rootTarget);
    // Peers of the root hit by the same event are its incident's members, not symptoms of it.
    QStringList memberTargets;
    for (const Symptom& sy : i.symptoms) {
        if (sy.timelineEvent() == u"member joined" && !memberTargets.contains(sy.target)) {
            memberTargets << sy.target;
            symptomTargets.removeAll(sy.target);
        }
    }
    out += fieldTable({
        { QStringLiteral("Incident"), i.id + (i.drill ? QStringLiteral("  (drill)") : QString()) },
        { QStringLiteral("Root cause"), ReportNarrative::rootCause(i) },
        { QStringLiteral("Cause class"), i.causeClass },
        { QStringLiteral("State"), IncidentLifecycle::name(i.state) },
        { QStringLiteral("Affected targets"), i.affectedTargets().join(QStringLiteral(", ")) },
        { QStringLiteral("Members"),
            memberTargets.isEmpty() ? QStringLiteral("none") : memberTargets.join(QStringLiteral(", ")) },
        { QStringLiteral("Symptoms"),
            symptomTargets.isEmpty() ? QStringLiteral("none") : symptomTargets.join(QStringLiteral(", ")) },
        { QStringLiteral("First failing sample"), when(i.firstFailureUtc) + QStringLiteral(" UTC") },
        { QStringLiteral("Detected"), when(i.detectedUtc) + QStringLiteral(" UTC") },
        { QStringLiteral("Recovered"),
            i.recoveredUtc.isValid() ? when(i.recoveredUtc) + QStringLiteral(" UTC") : QStringLiteral("not yet") },
        { QStringLiteral("Impact (duration)"), dur(p.impactMs) },
    });

    out += QStringLiteral("<%1>Phase times</%1>").arg(h);
    out += table({ QStringLiteral("Phase"), QStringLiteral("Time"), QStringLiteral("Reached (UTC)") },
        {
            { QStringLiteral("Detect (from the first failing sample)"), dur(p.detectMs), when(i.detectedUtc) },
            { QStringLiteral("Locate"), dur(p.locateMs), when(i.locatedUtc) },
            { QStringLiteral("Acknowledge"), dur(p.acknowledgeMs), when(i.acknowledgedUtc) },
            { QStringLiteral("Handle"), dur(p.handleMs), when(i.handledUtc) },
            { QStringLiteral("Recover"), dur(p.recoverMs), when(i.recoveredUtc) },
        },
        { 50, 20, 30 });

    const QStringList charts = ReportCharts::signalNames(i);
    if (!charts.isEmpty()) {
        // Heading and charts share one borderless table cell, so the heading is not left alone at the foot of a
        // page: it goes with the first chart. A cell taller than the rest of the page is still split (between its
        // charts, or inside the caption), as QTextDocument splits any row that does not fit.
        out += QStringLiteral("<table width=\"100%\" border=\"0\" cellspacing=\"0\" cellpadding=\"0\" "
                              "style=\"margin-top: 12px\"><tr><td>");
        out += QStringLiteral("<%1>Signals over the incident window</%1>").arg(h);
        int shown = 0;
        QStringList levelNotes;
        for (const QString& signal : charts) {
            if (shown == 2)
                break; // the first two signals tell the story; the rest are in the JSON
            QImage image = ReportCharts::render(i, signal, QSize(760, 320));
            if (image.isNull())
                continue;
            const QString name = QStringLiteral("chart:%1-%2").arg(index).arg(shown++);
            // QTextDocument crops high-DPI images to their logical size; the img's width/height scale it instead.
            image.setDevicePixelRatio(1.0);
            if (resources)
                resources->addResource(QTextDocument::ImageResource, QUrl(name), image);
            out += QStringLiteral("<p><img src=\"%1\" width=\"%2\" height=\"%3\"/></p>")
                       .arg(name)
                       .arg(chartWidthPx)
                       .arg(chartWidthPx * 320 / 760);
            levelNotes << ReportCharts::levelsText(i, signal);
        }
        levelNotes.removeAll(QString());
        out += QStringLiteral("<p><small>Shaded: the fault from detection to recovery. Vertical lines: detection, "
                              "each action, recovery. %1Times in UTC.</small></p>")
                   .arg(levelNotes.isEmpty() ? QString() : esc(levelNotes.join(u' ')) + u' ');
        out += QStringLiteral("</td></tr></table>");
    }

    out += QStringLiteral("<%1>Timeline</%1>").arg(h);
    QList<QStringList> rows;
    for (const IncidentEvent& e : i.events)
        rows << QStringList { when(e.timeUtc), IncidentLifecycle::name(e.state), e.actor,
            ReportNarrative::eventNote(i, e).isEmpty() ? QStringLiteral("—") : ReportNarrative::eventNote(i, e) };
    for (const AuditRecord& a : i.actions)
        rows << QStringList { when(a.timeUtc),
            a.phase == AuditRecord::Phase::Intent ? QStringLiteral("action started") : QStringLiteral("action result"),
            a.operatorName,
            actionName(a) + u" on " + a.target + u": "
                + (a.phase == AuditRecord::Phase::Intent ? a.description : a.status) };
    // Members, symptoms and aftershocks joining the incident belong to its story, in time order; the table
    // below explains each.
    for (const Symptom& sy : i.symptoms)
        rows << QStringList { when(sy.timeUtc), sy.timelineEvent(), QStringLiteral("auto"),
            sy.target + u" (" + sy.causeClass + u')' };
    std::stable_sort(rows.begin(), rows.end(), [](const QStringList& a, const QStringList& b) { return a[0] < b[0]; });
    out += rows.isEmpty() ? QStringLiteral("<p>No event recorded.</p>")
                          : table({ QStringLiteral("Time (UTC)"), QStringLiteral("Event"), QStringLiteral("Actor"),
                                      QStringLiteral("Note") },
                              rows, { 20, 16, 10, 54 });

    if (!i.symptoms.isEmpty()) {
        out += QStringLiteral("<%1>%2</%1>").arg(h, Symptom::heading(i.symptoms));
        rows.clear();
        for (const Symptom& s : i.symptoms)
            rows << QStringList { when(s.timeUtc), s.target, s.causeClass, s.detail };
        out += table({ QStringLiteral("Time (UTC)"), QStringLiteral("Target"), QStringLiteral("Looked like"),
                         QStringLiteral("Explanation") },
            rows, { 20, 16, 14, 50 });
    }
    if (!i.evidence.isEmpty()) {
        out += QStringLiteral("<%1>Evidence</%1>").arg(h);
        rows.clear();
        for (const Evidence& e : i.evidence)
            rows << QStringList { when(e.timeUtc), e.target, e.rule, detailText(e.detail) };
        out += table({ QStringLiteral("Time (UTC)"), QStringLiteral("Target"), QStringLiteral("Rule"),
                         QStringLiteral("Samples") },
            rows, { 17, 12, 33, 38 });
    }

    out += QStringLiteral("<%1>Actions</%1>").arg(h);
    rows.clear();
    for (const AuditRecord& a : i.actions)
        if (a.phase == AuditRecord::Phase::Result)
            rows << QStringList { a.timeUtc.toUTC().toString(QStringLiteral("HH:mm:ss")), actionName(a), a.target,
                a.operatorName, a.status, dur(a.durationMs >= 0 ? std::optional(a.durationMs) : std::nullopt),
                a.outputExcerpt.left(400) };
    out += rows.isEmpty() ? QStringLiteral("<p>No action was taken on this incident.</p>")
                          : table({ QStringLiteral("Time (UTC)"), QStringLiteral("Action"), QStringLiteral("Target"),
                                      QStringLiteral("By"), QStringLiteral("Result"), QStringLiteral("Took"),
                                      QStringLiteral("Verification / output") },
                              rows, { 10, 22, 13, 6, 8, 8, 33 });

    out += QStringLiteral("<%1>Baseline</%1>").arg(h);
    out += QStringLiteral("<p>%1 %2</p>").arg(esc(restoredText(i)), esc(ReportNarrative::baselineCaptured(i.baseline)));
    // Tables an operator reads at a glance; the raw record is in the JSON report.
    for (const ReportTable& t : ReportNarrative::baselineTables(i.baseline))
        out += QStringLiteral("<p style=\"margin: 0\"></p>") + table(t.header, t.rows, {}, t.caption);
    return out;
}

QList<QStringList> mttxRows(const QList<MttxFigures>& list)
{
    QList<QStringList> rows;
    for (const MttxFigures& m : list)
        rows << QStringList { m.key.isEmpty() ? QStringLiteral("all") : m.key, QString::number(m.incidents),
            QString::number(m.recovered), mean(m.mttdMs), mean(m.mttlMs), mean(m.mttaMs), mean(m.mtthMs),
            mean(m.mttrMs) };
    return rows;
}

QStringList mttxHeader(const QString& key)
{
    return { key, QStringLiteral("Incidents"), QStringLiteral("Recovered"), QStringLiteral("MTTD"),
        QStringLiteral("MTTL"), QStringLiteral("MTTA"), QStringLiteral("MTTH"), QStringLiteral("MTTR") };
}

QString reportTitle(const ReportData& r)
{
    if (r.kind == ReportData::Kind::Incident && !r.incidents.isEmpty()) {
        const Incident& i = r.incidents.constFirst();
        return QStringLiteral("Incident report: %1").arg(ReportNarrative::headline(i));
    }
    return QStringLiteral("Incidents %1 to %2 UTC").arg(when(r.fromUtc), when(r.toUtc));
}

QString reportSubtitle(const ReportData& r)
{
    if (r.kind == ReportData::Kind::Incident && !r.incidents.isEmpty())
        return r.incidents.constFirst().id;
    return QStringLiteral("%1 incident(s)").arg(r.incidents.size());
}
} // namespace

QString PdfReport::bodyHtml(const ReportData& r, QTextDocument* resources, int chartWidthPx)
{
    QString out = QStringLiteral("<html><body>");
    out += QStringLiteral("<h1>%1</h1>").arg(esc(reportTitle(r)));
    out += QStringLiteral("<p><small>Generated %1 UTC by %2.%3</small></p>")
               .arg(when(r.generatedUtc), esc(r.generator),
                   r.includesDrills ? QStringLiteral(" Drills are included.") : QString());
    if (r.kind == ReportData::Kind::Incident) {
        if (!r.incidents.isEmpty())
            out += incidentSections(r.incidents.constFirst(), 0, resources, chartWidthPx, false);
    } else if (r.incidents.isEmpty()) {
        out += QStringLiteral("<p>No incident in this period.</p>");
    } else {
        out += QStringLiteral("<h2>Mean times</h2>");
        out += table(mttxHeader(QStringLiteral("Scope")), mttxRows(r.mttxOverall));
        out += QStringLiteral("<h3>By cause</h3>")
            + table(mttxHeader(QStringLiteral("Cause")), mttxRows(r.mttxByCause));
        out += QStringLiteral("<h3>By target</h3>")
            + table(mttxHeader(QStringLiteral("Target")), mttxRows(r.mttxByTarget));
        out += QStringLiteral("<h2>Incidents</h2>");
        QList<QStringList> rows;
        for (const Incident& i : r.incidents)
            rows << QStringList { i.id, when(i.detectedUtc), ReportNarrative::rootCause(i), i.causeClass,
                IncidentLifecycle::name(i.state), dur(i.phases().impactMs),
                i.drill ? QStringLiteral("yes") : QStringLiteral("no") };
        out += table(
            { QStringLiteral("Incident"), QStringLiteral("Detected (UTC)"), QStringLiteral("Root cause"),
                QStringLiteral("Cause"), QStringLiteral("State"), QStringLiteral("Impact"), QStringLiteral("Drill") },
            rows);
        if (r.omittedIncidents > 0)
            out += QStringLiteral("<p>%1 more incident(s) are listed without detail.</p>").arg(r.omittedIncidents);
        for (qsizetype k = 0; k < r.incidents.size() - r.omittedIncidents; ++k)
            out += incidentSections(r.incidents[k], int(k), resources, chartWidthPx, true);
    }
    return out + u"</body></html>";
}

bool PdfReport::write(const ReportData& report, const QString& path, QString* error)
{
    {
        // QPdfWriter reports nothing when it cannot open its file: find out first, with the system's reason.
        QFile probe(path);
        if (!probe.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            if (error)
                *error = QStringLiteral("%1: cannot write: %2").arg(path, probe.errorString());
            return false;
        }
    }
    QPdfWriter pdf(path);
    pdf.setResolution(150);
    pdf.setTitle(reportTitle(report));
    pdf.setCreator(report.generator);
    pdf.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));

    const QRectF page = pdf.pageLayout().paintRectPixels(pdf.resolution());
    const double dpmm = pdf.resolution() / 25.4;
    const QRectF body(
        page.left() + 16 * dpmm, page.top() + 22 * dpmm, page.width() - 32 * dpmm, page.height() - 40 * dpmm);

    QTextDocument doc;
    doc.documentLayout()->setPaintDevice(&pdf);
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPointSizeF(8.5);
    // A hair of letter spacing (1/64 px: QFixed rounds anything smaller to 0) turns ligatures off, so "ff" and "fi" in
    // ids and names copy and search as typed.
    font.setLetterSpacing(QFont::AbsoluteSpacing, 0.02);
    doc.setDefaultFont(font);
    doc.setDefaultStyleSheet(QStringLiteral("h1 { font-size: 15pt; color: #1d2b3a; } "
                                            "h2 { font-size: 12pt; color: #1d2b3a; margin-top: 14px; } "
                                            "h3 { font-size: 10pt; color: #1d2b3a; margin-top: 10px; } "
                                            "th { font-weight: bold; } pre { font-size: 7.5pt; }"));
    doc.setDocumentMargin(0);
    // Image sizes in rich text are taken at 96 dpi and scaled to the device's resolution.
    doc.setHtml(bodyHtml(report, &doc, int(body.width() * 96.0 / pdf.resolution())));
    doc.setPageSize(body.size());
    const int pages = std::max(1, doc.pageCount());

    QPainter painter;
    if (!painter.begin(&pdf)) {
        if (error)
            *error = QStringLiteral("%1: cannot start the PDF").arg(path);
        return false;
    }
    QFont small(QStringLiteral("DejaVu Sans"));
    small.setPointSizeF(7.5);
    small.setLetterSpacing(QFont::AbsoluteSpacing, 0.02);
    const QString title = reportTitle(report);
    const QString subtitle = reportSubtitle(report);
    for (int n = 0; n < pages; ++n) {
        if (n > 0)
            pdf.newPage();
        painter.save();
        painter.setFont(small);
        painter.setPen(QColor(0x55, 0x5f, 0x6b));
        const QRectF header(body.left(), page.top() + 9 * dpmm, body.width(), 6 * dpmm);
        const QString headerTitle = QFontMetricsF(small, &pdf).elidedText(title, Qt::ElideRight, body.width() * 0.7);
        painter.drawText(header, Qt::AlignLeft | Qt::AlignVCenter, headerTitle);
        painter.drawText(header, Qt::AlignRight | Qt::AlignVCenter, subtitle);
        painter.drawLine(QPointF(body.left(), header.bottom() + dpmm), QPointF(body.right(), header.bottom() + dpmm));
        const QRectF footer(body.left(), page.bottom() - 14 * dpmm, body.width(), 6 * dpmm);
        painter.drawLine(QPointF(body.left(), footer.top() - dpmm), QPointF(body.right(), footer.top() - dpmm));
        painter.drawText(footer, Qt::AlignLeft | Qt::AlignVCenter,
            QStringLiteral("%1 · generated %2 UTC").arg(report.generator, when(report.generatedUtc)));
        painter.drawText(
            footer, Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("Page %1 of %2").arg(n + 1).arg(pages));
        painter.restore();

        painter.save();
        painter.translate(body.left(), body.top() - n * body.height());
        const QRectF clip(0, n * body.height(), body.width(), body.height());
        QAbstractTextDocumentLayout::PaintContext context;
        context.clip = clip;
        painter.setClipRect(clip);
        doc.documentLayout()->draw(&painter, context);
        painter.restore();
    }
    painter.end();
    if (!QFileInfo(path).size()) {
        if (error)
            *error = QStringLiteral("%1: the PDF could not be written").arg(path);
        return false;
    }
    return true;
}

} // namespace FaultDesk
