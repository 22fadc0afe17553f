// `faultdesk db`: create or upgrade an incident database, and copy one into another. The work is in core
// (IncidentSchema, StoreCopy); this file reads the command line and prints.

#include "commands.h"

#include "incident/incidentschema.h"
#include "incident/incidentstore.h"
#include "incident/storecopy.h"
#include "incident/storeurl.h"

#include <QFileInfo>

#include <cstdio>

namespace FaultDesk::Commands {

namespace {

int fail(const QString& message, int code = ExitBadInput)
{
    return Commands::fail("faultdesk db", message, code);
}

// Opens @p location as the store does (creating and migrating it) and reports its schema version.
int migrate(const QString& location)
{
    IncidentStore::Options options;
    options.path = location;
    options.pruneIntervalMs = 0;
    IncidentStore store(options);
    QString error;
    if (!store.open(&error))
        return fail(error, ExitFailed);
    std::printf("%s: schema version %d\n", qPrintable(store.displayName()), IncidentSchema::currentVersion);
    return ExitOk;
}

int copy(const StoreUrl& from, const StoreUrl& to)
{
    if (!from.isPostgres() && !QFileInfo::exists(from.path()))
        return fail(QStringLiteral("--from %1: no incident database there").arg(from.path()));
    QString error;
    const std::optional<StoreCopy::Result> r = StoreCopy::copy(from, to, &error);
    if (!r)
        return fail(error, ExitFailed);
    std::printf("%s -> %s: %lld incidents copied (%lld already there), %lld timeline events, %lld symptoms, "
                "%lld evidence, %lld series, %lld audit records, %lld maintenance windows\n",
        qPrintable(from.displayName()), qPrintable(to.displayName()), r->incidents, r->skipped, r->events, r->symptoms,
        r->evidence, r->series, r->audit, r->maintenance);
    return ExitOk;
}

} // namespace

int db(const QCommandLineParser& parser)
{
    const QString db = QStringLiteral("db"), from = QStringLiteral("from"), to = QStringLiteral("to");
    const QStringList positional = parser.positionalArguments().mid(1);
    const QString action = positional.value(0);
    if (positional.size() != 1 || (action != u"migrate" && action != u"copy"))
        return fail(QStringLiteral("name one action: migrate or copy (see faultdesk db --help)"));
    QString error;
    if (action == u"migrate") {
        if (!parser.isSet(db))
            return fail(QStringLiteral("migrate needs --db FILE|URL"));
        if (!StoreUrl::parse(parser.value(db), &error))
            return fail(QStringLiteral("--db: %1").arg(error));
        return migrate(parser.value(db));
    }
    if (!parser.isSet(from) || !parser.isSet(to))
        return fail(QStringLiteral("copy needs --from FILE|URL and --to FILE|URL"));
    const std::optional<StoreUrl> source = StoreUrl::parse(parser.value(from), &error);
    if (!source)
        return fail(QStringLiteral("--from: %1").arg(error));
    const std::optional<StoreUrl> destination = StoreUrl::parse(parser.value(to), &error);
    if (!destination)
        return fail(QStringLiteral("--to: %1").arg(error));
    return copy(*source, *destination);
}

} // namespace FaultDesk::Commands
