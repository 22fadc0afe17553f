#pragma once

#include "incident/reportdata.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/**
 * Writes a report in one of the export formats: the one place the CLI (`faultdesk report`) and the console's
 * Export dialog share. Markdown, HTML (self-contained, charts as embedded PNG drawn by LoadChart) and JSON come
 * from ReportRenderer, PDF from PdfReport. PDF and HTML charts need a QApplication (offscreen works).
 */
class ReportExporter
{
public:
    enum class Format {
        Markdown,
        Html,
        Pdf,
        Json,
    };

    /// "md", "html", "pdf", "json" (also "markdown"), case-insensitive; std::nullopt for anything else.
    static std::optional<Format> formatFromName(const QString& name);
    static QString formatName(Format format);
    /// The usual file suffix, without the dot.
    static QString suffix(Format format);
    static QStringList formatNames()
    {
        return { QStringLiteral("md"), QStringLiteral("html"), QStringLiteral("pdf"), QStringLiteral("json") };
    }

    /// The HTML report with each SVG chart replaced by LoadChart's PNG rendering (embedded as a data: URI).
    static QByteArray htmlWithCharts(const ReportData& report);
    /// Writes @p report as @p format to @p path (atomically for the text formats). False with @p error otherwise.
    static bool write(const ReportData& report, Format format, const QString& path, QString* error = nullptr);
};

} // namespace FaultDesk
