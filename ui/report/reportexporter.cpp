#include "ui/report/reportexporter.h"

#include "incident/reportrenderer.h"
#include "ui/report/pdfreport.h"
#include "ui/report/reportcharts.h"

#include <QFileInfo>
#include <QSaveFile>

namespace FaultDesk {

std::optional<ReportExporter::Format> ReportExporter::formatFromName(const QString& name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"md" || n == u"markdown")
        return Format::Markdown;
    if (n == u"html" || n == u"htm")
        return Format::Html;
    if (n == u"pdf")
        return Format::Pdf;
    if (n == u"json")
        return Format::Json;
    return std::nullopt;
}

QString ReportExporter::formatName(Format format)
{
    switch (format) {
    case Format::Markdown:
        return QStringLiteral("md");
    case Format::Html:
        return QStringLiteral("html");
    case Format::Pdf:
        return QStringLiteral("pdf");
    case Format::Json:
        return QStringLiteral("json");
    }
    return {};
}

QString ReportExporter::suffix(Format format)
{
    return formatName(format);
}

QByteArray ReportExporter::htmlWithCharts(const ReportData& report)
{
    return ReportRenderer::html(report, [](const Incident& incident, const QString& signal) {
        return ReportCharts::png(incident, signal, QSize(900, 340));
    });
}

bool ReportExporter::write(const ReportData& report, Format format, const QString& path, QString* error)
{
    if (path.isEmpty()) {
        if (error)
            *error = QStringLiteral("no output file given");
        return false;
    }
    if (QFileInfo(path).isDir()) {
        if (error)
            *error = QStringLiteral("%1: is a directory").arg(path);
        return false;
    }
    if (format == Format::Pdf)
        return PdfReport::write(report, path, error);

    QByteArray bytes;
    switch (format) {
    case Format::Markdown:
        bytes = ReportRenderer::markdown(report);
        break;
    case Format::Html:
        bytes = htmlWithCharts(report);
        break;
    case Format::Json:
        bytes = ReportRenderer::jsonText(report);
        break;
    case Format::Pdf:
        break;
    }
    // Written whole or not at all: a half report would be worse than none.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace FaultDesk
