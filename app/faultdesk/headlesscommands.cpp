// The headless commands: check, monitor and `demo --headless` — the same core as the window, printing to the
// terminal.

#include "commands.h"

#include "automation/monitorrun.h"
#include "config/configcheck.h"
#include "config/fleetconfigloader.h"
#include "drill/demofleetprocess.h"
#include "incident/storeurl.h"
#include "util/terminaltext.h"

#include <QJsonDocument>
#include <QTextStream>

#include <chrono>
#include <cmath>
#include <cstdio>

namespace FaultDesk::Commands {

namespace {

struct RunOptions
{
    bool json = false;
    QString fleet;
    MonitorRun::Options run; ///< --duration, --db (empty: the fleet's `store:`, else none), --auto, --stop-grace
};

// Reads the options monitor and `demo --headless` share; prints what is wrong and returns 2 when one is.
std::optional<int> read(const QCommandLineParser& parser, const QString& command, bool wantsFleet, RunOptions& out)
{
    const QByteArray prefix = QStringLiteral("faultdesk %1").arg(command).toUtf8();
    const QStringList positional = parser.positionalArguments().mid(1);
    if (wantsFleet && positional.size() != 1)
        return fail(prefix.constData(), QStringLiteral("expected one fleet description (FLEET.yaml)"));
    if (!wantsFleet && !positional.isEmpty())
        return fail(prefix.constData(), QStringLiteral("unexpected argument '%1'").arg(positional.first()));
    out.json = parser.isSet(QStringLiteral("json"));
    bool ok = false;
    const QString duration = parser.value(QStringLiteral("duration"));
    const double durationS = parser.isSet(QStringLiteral("duration")) ? duration.toDouble(&ok) : 0;
    if (parser.isSet(QStringLiteral("duration")) && (!ok || durationS <= 0))
        return fail(prefix.constData(),
            QStringLiteral("--duration needs a positive number of seconds, got '%1'").arg(duration));
    out.run.duration = std::chrono::milliseconds(qint64(std::ceil(durationS * 1000))); // 0: until a signal
    out.run.service.automation = parser.isSet(QStringLiteral("auto"));
    if (parser.isSet(QStringLiteral("stop-grace"))) {
        const QString stopGrace = parser.value(QStringLiteral("stop-grace"));
        const double s = stopGrace.toDouble(&ok);
        if (!ok || s < 0)
            return fail(
                prefix.constData(), QStringLiteral("--stop-grace needs a number of seconds, got '%1'").arg(stopGrace));
        out.run.service.stopGrace = std::chrono::milliseconds(qint64(s * 1000));
    }
    if (wantsFleet)
        out.fleet = positional.first();
    QString error;
    out.run.service.db = parser.value(QStringLiteral("db"));
    if (parser.isSet(QStringLiteral("db")) && !StoreUrl::parse(out.run.service.db, &error))
        return fail(prefix.constData(), QStringLiteral("--db: %1").arg(error));
    return std::nullopt;
}

std::optional<FleetConfig> loadFleet(const QString& path)
{
    ConfigLoadResult result = FleetConfigLoader::loadFile(path);
    if (!result.ok()) {
        for (const ConfigError& e : result.errors)
            std::fprintf(stderr, "%s\n", qPrintable(e.toString()));
        return std::nullopt;
    }
    return std::move(result.config);
}

// Runs the monitor (and automation) until the duration passes or SIGINT/SIGTERM stops it, printing every event to
// stdout: a JSON object (every control character escaped) or a text line (with them replaced); both land on a
// terminal.
int runMonitor(const FleetConfig& config, const RunOptions& options)
{
    MonitorRun::Options o = options.run;
    // --db wins over the fleet's `store:`; with neither, monitor records nothing (--auto: the default file).
    if (o.service.db.isEmpty())
        o.service.db = config.store.location();
    MonitorRun run(o);
    QTextStream out(stdout);
    QObject::connect(&run, &MonitorRun::event, &run, [&out, &options](const QJsonObject& json, const QString& text) {
        if (options.json)
            out << TerminalText::safeJsonLine(QJsonDocument(json).toJson(QJsonDocument::Compact)) << '\n';
        else
            out << TerminalText::safeLine(text) << '\n';
        out.flush();
    });
    if (!options.json)
        QObject::connect(&run, &MonitorRun::progress, &run, [&out](const QString& line) {
            out << line << '\n';
            out.flush();
        });
    QString error;
    const bool clean = run.run(config, &error);
    if (!error.isEmpty())
        return fail("faultdesk monitor", error, ExitFailed);
    return clean ? ExitOk : ExitFailed;
}

} // namespace

int check(const QCommandLineParser& parser)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    return ConfigCheck::run(parser.positionalArguments().mid(1), out, err);
}

int monitor(const QCommandLineParser& parser)
{
    RunOptions options;
    if (const auto code = read(parser, QStringLiteral("monitor"), true, options))
        return *code;
    const std::optional<FleetConfig> config = loadFleet(options.fleet);
    if (!config)
        return ExitBadInput;
    return runMonitor(*config, options);
}

int demoHeadless(const QCommandLineParser& parser)
{
    RunOptions options;
    if (const auto code = read(parser, QStringLiteral("demo"), false, options))
        return *code;
    DemoFleetProcess fleet;
    QString error;
    if (!fleet.start(60000, &error))
        return fail("faultdesk demo", error, ExitFailed);
    if (!options.json)
        std::printf("Demo fleet running in %s\nInject faults with: faultdesk-fleetsim ctl --runtime-dir %s inject "
                    "crash web-2\n",
            qPrintable(fleet.runtimeDirectory()), qPrintable(fleet.runtimeDirectory()));
    const std::optional<FleetConfig> config = loadFleet(fleet.fleetConfigPath());
    if (!config)
        return ExitFailed;
    const int code = runMonitor(*config, options);
    fleet.stop();
    return code;
}

} // namespace FaultDesk::Commands
