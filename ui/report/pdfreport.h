#pragma once

#include "incident/reportdata.h"

#include <QString>

class QTextDocument;

namespace FaultDesk {

/**
 * The PDF incident report: A4, paginated, with a header (report title, incident id) and a footer (generator,
 * "Page n of m") on every page. Sections: summary (root cause — a pool-wide one named by its pool —, cause class,
 * members, symptoms, impact), phase times, charts of the first two signals (breached ones first) with their threshold
 * and clear levels, the fault shaded and detection, actions and recovery marked, timeline, members and symptoms,
 * evidence, actions with results and verification, the baseline as tables and whether it was restored; a time-range
 * report starts with the MTTx figures and the table of incidents. Every text from targets, labels and operators is
 * escaped (the document is laid out by QTextDocument, which runs nothing). Needs a QApplication (the charts are
 * widgets; offscreen works).
 */
class PdfReport
{
public:
    /// Writes @p report to @p path. False with a readable @p error when the file cannot be written.
    static bool write(const ReportData& report, const QString& path, QString* error = nullptr);
    /// The body as rich text (what write() paginates), for tests and previews; charts as "chart:N" resources.
    static QString bodyHtml(const ReportData& report, QTextDocument* resources = nullptr, int chartWidthPx = 1000);
};

} // namespace FaultDesk
