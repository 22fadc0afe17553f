#pragma once

#include "incident/reportdata.h"

#include <QByteArray>
#include <QJsonObject>

#include <functional>

namespace FaultDesk {

/**
 * Renders a ReportData as Markdown, one self-contained HTML file or JSON. Every piece of text that comes from
 * targets, labels, operators or commands is escaped for the format, so hostile text (`<script>`,
 * `](javascript:…)`) stays inert. The JSON follows resources/schema/incident-report.schema.json.
 */
class ReportRenderer
{
public:
    /// Identifier of the JSON layout, written as "schema" in every JSON report.
    static QString jsonSchemaId() { return QStringLiteral("faultdesk.incident-report/1"); }

    static QByteArray markdown(const ReportData& report);
    /// HTML with inline CSS and SVG charts of the stored series; no external resource, scripts blocked by CSP.
    static QByteArray html(const ReportData& report);
    /// PNG bytes of an incident's chart of one signal; empty = fall back to the SVG chart.
    using ChartImage = std::function<QByteArray(const Incident& incident, const QString& signal)>;
    /// html() with the charts drawn by @p chartImage (the UI's LoadChart) and embedded as data: URIs.
    static QByteArray html(const ReportData& report, const ChartImage& chartImage);
    static QJsonObject json(const ReportData& report);
    static QByteArray jsonText(const ReportData& report);

    /// Escapes @p text so Markdown renders it literally (no links, emphasis or HTML); newlines become spaces.
    static QString escapeMarkdown(const QString& text);
    /// A readable duration: "850 ms", "42 s", "3 min 05 s", "2 h 07 min".
    static QString duration(std::optional<qint64> ms);
};

} // namespace FaultDesk
