// `faultdesk report`: an incident report from the incident database, headless, in any export format.

#include "commands.h"

#include "incident/incidentstore.h"
#include "incident/reportdata.h"
#include "incident/storeurl.h"
#include "ui/report/reportexporter.h"
#include "util/timeargument.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

namespace FaultDesk::Commands {

namespace {

int fail(const QString& message, int code = ExitBadInput)
{
    std::fprintf(stderr, "faultdesk report: %s\n", qPrintable(message));
    return code;
}

} // namespace

int report(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Write an incident report from the incident database (exit 2 on bad input)."));
    parser.addHelpOption();
    const QCommandLineOption db(QStringLiteral("db"),
        QStringLiteral("Incident database: a file (SQLite) or postgresql://user@host:port/db?… (default: %1).")
            .arg(IncidentStore::defaultPath()),
        QStringLiteral("FILE|URL"));
    const QCommandLineOption incident(
        QStringLiteral("incident"), QStringLiteral("Report on one incident."), QStringLiteral("ID"));
    const QCommandLineOption last(QStringLiteral("last"), QStringLiteral("Report on the most recent incident."));
    const QCommandLineOption since(QStringLiteral("since"),
        QStringLiteral("Report on the incidents detected since T (ISO 8601, UTC unless a zone is given; or 24h, 7d)."),
        QStringLiteral("T"));
    const QCommandLineOption until(
        QStringLiteral("until"), QStringLiteral("With --since: up to T (default: now)."), QStringLiteral("T"));
    const QCommandLineOption format(
        QStringLiteral("format"), QStringLiteral("md, html, pdf or json."), QStringLiteral("FORMAT"));
    const QCommandLineOption output(
        { QStringLiteral("o"), QStringLiteral("output") }, QStringLiteral("Output file."), QStringLiteral("OUT"));
    const QCommandLineOption drills(QStringLiteral("include-drills"),
        QStringLiteral("With --since: list drills' incidents too and count them in the MTTx figures."));
    parser.addOptions({ db, incident, last, since, until, format, output, drills });
    addLogOptions(parser);
    parser.addPositionalArgument(QStringLiteral("report"), QStringLiteral("The command."));
    if (const auto code = parseCommandLine(parser, arguments, "faultdesk report"))
        return *code;
    if (parser.positionalArguments().size() > 1)
        return fail(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().at(1)));

    const int selectors = int(parser.isSet(incident)) + int(parser.isSet(last)) + int(parser.isSet(since));
    if (selectors != 1)
        return fail(QStringLiteral("choose exactly one of --incident ID, --last or --since T"));
    if (parser.isSet(until) && !parser.isSet(since))
        return fail(QStringLiteral("--until needs --since"));
    if (!parser.isSet(format))
        return fail(QStringLiteral("--format is required (%1)").arg(ReportExporter::formatNames().join(u", ")));
    const auto fmt = ReportExporter::formatFromName(parser.value(format));
    if (!fmt)
        return fail(QStringLiteral("unknown format '%1' (use %2)")
                        .arg(parser.value(format), ReportExporter::formatNames().join(u", ")));
    const QString out = parser.value(output);
    if (out.isEmpty())
        return fail(QStringLiteral("-o OUT is required"));
    const QFileInfo outInfo(out);
    if (outInfo.isDir())
        return fail(QStringLiteral("%1: is a directory").arg(out));
    if (!outInfo.absoluteDir().exists())
        return fail(QStringLiteral("%1: the directory %2 does not exist").arg(out, outInfo.absolutePath()));

    const QDateTime now = QDateTime::currentDateTimeUtc();
    QDateTime from, to = now;
    if (parser.isSet(since)) {
        const auto t = TimeArgument::parse(parser.value(since), now);
        if (!t)
            return fail(QStringLiteral("--since: '%1' is not a date (use ISO 8601 such as 2026-11-27T09:00:00Z, or "
                                       "24h, 7d)")
                            .arg(parser.value(since)));
        from = *t;
        if (parser.isSet(until)) {
            const auto u = TimeArgument::parse(parser.value(until), now);
            if (!u)
                return fail(QStringLiteral("--until: '%1' is not a date").arg(parser.value(until)));
            to = *u;
        }
        if (from >= to)
            return fail(QStringLiteral("--since %1 is not before %2")
                            .arg(from.toString(Qt::ISODate), to.toString(Qt::ISODate)));
    }

    QString dbError;
    const std::optional<StoreUrl> location
        = StoreUrl::parse(parser.isSet(db) ? parser.value(db) : IncidentStore::defaultPath(), &dbError);
    if (!location)
        return fail(QStringLiteral("--db: %1").arg(dbError));
    const QString path = location->displayName();
    if (!location->isPostgres() && !QFileInfo::exists(path))
        return fail(QStringLiteral("%1: no incident database there (record incidents with `faultdesk demo` or "
                                   "`faultdesk drill`, or choose one with --db)")
                        .arg(path));
    IncidentStore::Options options;
    options.path = parser.isSet(db) ? parser.value(db) : IncidentStore::defaultPath();
    options.pruneIntervalMs = 0;
    IncidentStore store(options);
    QString error;
    if (!store.open(&error))
        return fail(error);

    std::optional<ReportData> data;
    if (parser.isSet(incident)) {
        data = ReportData::forIncident(store, parser.value(incident), now, &error);
        if (!data)
            return fail(
                error.isEmpty() ? QStringLiteral("no incident '%1' in %2").arg(parser.value(incident), path) : error);
    } else if (parser.isSet(last)) {
        // The most recent incident, drill or not: after `faultdesk drill` the operator wants that drill's report.
        // Drills stay out of MTTx figures, which only range reports have.
        data = ReportData::forLast(store, true, now, &error);
        if (!data)
            return fail(error.isEmpty() ? QStringLiteral("%1 holds no incident").arg(path) : error);
    } else {
        data = ReportData::forRange(store, from, to, parser.isSet(drills), now, &error);
        if (!data)
            return fail(error.isEmpty() ? QStringLiteral("cannot read the incidents of %1").arg(path) : error);
    }

    if (!ReportExporter::write(*data, *fmt, out, &error))
        return fail(error);
    std::fprintf(stdout, "%s\n", qPrintable(QFileInfo(out).absoluteFilePath()));
    return ExitOk;
}

} // namespace FaultDesk::Commands
