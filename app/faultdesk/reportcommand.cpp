// `faultdesk report`: an incident report from the incident database, headless, in any export format. Which
// incidents it covers is a ReportRequest (core); this file reads the command line, opens the database and writes.

#include "commands.h"

#include "incident/incidentstore.h"
#include "incident/reportrequest.h"
#include "incident/storeurl.h"
#include "ui/report/reportexporter.h"
#include "util/timeargument.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include <cstdio>
#include <tuple>

namespace FaultDesk::Commands {

namespace {

int fail(const QString& message)
{
    return Commands::fail("faultdesk report", message);
}

} // namespace

int report(const QCommandLineParser& parser)
{
    const auto isSet = [&parser](const char* name) { return parser.isSet(QString::fromLatin1(name)); };
    const auto value = [&parser](const char* name) { return parser.value(QString::fromLatin1(name)); };
    if (parser.positionalArguments().size() > 1)
        return fail(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().at(1)));

    if (int(isSet("incident")) + int(isSet("last")) + int(isSet("since")) != 1)
        return fail(QStringLiteral("choose exactly one of --incident ID, --last or --since T"));
    if (isSet("until") && !isSet("since"))
        return fail(QStringLiteral("--until needs --since"));
    if (!isSet("format"))
        return fail(QStringLiteral("--format is required (%1)").arg(ReportExporter::formatNames().join(u", ")));
    const auto format = ReportExporter::formatFromName(value("format"));
    if (!format)
        return fail(QStringLiteral("unknown format '%1' (use %2)")
                        .arg(value("format"), ReportExporter::formatNames().join(u", ")));
    const QString out = value("output");
    if (out.isEmpty())
        return fail(QStringLiteral("-o OUT is required"));
    const QFileInfo outInfo(out);
    if (outInfo.isDir())
        return fail(QStringLiteral("%1: is a directory").arg(out));
    if (!outInfo.absoluteDir().exists())
        return fail(QStringLiteral("%1: the directory %2 does not exist").arg(out, outInfo.absolutePath()));

    const QDateTime now = QDateTime::currentDateTimeUtc();
    ReportRequest request;
    request.scope = isSet("incident") ? ReportRequest::Scope::Incident
        : isSet("last")               ? ReportRequest::Scope::Last
                                      : ReportRequest::Scope::Range;
    request.incidentId = value("incident");
    request.includeDrills = isSet("include-drills");
    QString error;
    if (isSet("since")) {
        const std::optional<QString> until = isSet("until") ? std::optional<QString>(value("until")) : std::nullopt;
        const auto span = TimeArgument::range(value("since"), until, now, &error);
        if (!span)
            return fail(error);
        std::tie(request.fromUtc, request.toUtc) = *span;
    }

    const QString db = isSet("db") ? value("db") : IncidentStore::defaultPath();
    const std::optional<StoreUrl> location = StoreUrl::parse(db, &error);
    if (!location)
        return fail(QStringLiteral("--db: %1").arg(error));
    if (!location->isPostgres() && !QFileInfo::exists(location->displayName()))
        return fail(QStringLiteral("%1: no incident database there (record incidents with `faultdesk demo` or "
                                   "`faultdesk drill`, or choose one with --db)")
                        .arg(location->displayName()));
    const std::optional<ReportData> data = request.read(db, now, &error);
    if (!data || !ReportExporter::write(*data, *format, out, &error))
        return fail(error);
    std::fprintf(stdout, "%s\n", qPrintable(QFileInfo(out).absoluteFilePath()));
    return ExitOk;
}

} // namespace FaultDesk::Commands
