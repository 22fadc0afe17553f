// `faultdesk report`: an incident report from the incident database, headless, in any export format.

#include "commands.h"

#include "incident/incidentstore.h"
#include "incident/reportdata.h"
#include "incident/storeurl.h"
#include "ui/report/reportexporter.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTimeZone>

#include <cstdio>

namespace FaultDesk::Commands {

namespace {

int fail(const QString& message, int code = ExitBadInput)
{
    std::fprintf(stderr, "faultdesk report: %s\n", qPrintable(message));
    return code;
}

// "2026-11-27", "2026-11-27T10:00", "2026-11-27 10:00:00Z", "…+02:00" (no zone = UTC), or a span back from
// now: "30m", "24h", "7d", "2w".
std::optional<QDateTime> parseTime(const QString& text, const QDateTime& nowUtc)
{
    const QString t = text.trimmed();
    static const QRegularExpression span(QStringLiteral("^(\\d+)\\s*([smhdw])$"));
    if (const auto m = span.match(t); m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 seconds = unit == u's' ? 1
            : unit == u'm'                  ? 60
            : unit == u'h'                  ? 3600
            : unit == u'd'                  ? 86400
                                            : 604800;
        return nowUtc.addSecs(-n * seconds);
    }
    QString iso = t;
    iso.replace(u' ', u'T');
    QDateTime d = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!d.isValid())
        d = QDateTime::fromString(iso, Qt::ISODate);
    if (!d.isValid()) {
        const QDate day = QDate::fromString(t, Qt::ISODate);
        if (day.isValid())
            d = QDateTime(day, QTime(0, 0), QTimeZone::utc());
    }
    if (!d.isValid())
        return std::nullopt;
    if (d.timeSpec() == Qt::LocalTime)
        d.setTimeZone(QTimeZone::utc()); // a time without a zone is UTC, like every time in the reports
    return d.toUTC();
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
    const QCommandLineOption verbose(QStringLiteral("verbose"), QStringLiteral("Mirror the log to the terminal."));
    const QCommandLineOption logDir(
        QStringLiteral("log-dir"), QStringLiteral("Directory for the log files."), QStringLiteral("DIR"));
    parser.addOptions({ db, incident, last, since, until, format, output, drills, verbose, logDir });
    parser.addPositionalArgument(QStringLiteral("report"), QStringLiteral("The command."));
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return ExitOk;
    }
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
        const auto t = parseTime(parser.value(since), now);
        if (!t)
            return fail(QStringLiteral("--since: '%1' is not a date (use ISO 8601 such as 2026-11-27T09:00:00Z, or "
                                       "24h, 7d)")
                            .arg(parser.value(since)));
        from = *t;
        if (parser.isSet(until)) {
            const auto u = parseTime(parser.value(until), now);
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
