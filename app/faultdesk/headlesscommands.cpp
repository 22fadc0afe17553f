// The headless subcommands: the same core as the window, printing to the terminal.

#include "commands.h"

#include "automation/monitorservice.h"
#include "config/fleetconfigloader.h"
#include "drill/demofleetprocess.h"
#include "incident/incidentstore.h"
#include "incident/storeurl.h"
#include "monitor/monitor.h"
#include "util/signalwatcher.h"
#include "util/terminaltext.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QTextStream>
#include <QTimer>

#include <chrono>
#include <csignal>
#include <cstdio>

namespace FaultDesk::Commands {

namespace {

struct RunOptions
{
    bool json = false;
    double durationS = 0; ///< 0 = until interrupted
    QString fleet;
    QString db; ///< --db: record incidents in this database (file or postgresql:// URL); empty = do not record
    bool automation = false; ///< --auto
    std::chrono::milliseconds stopGrace { 30000 }; ///< --stop-grace
};

std::optional<int> parse(const QStringList& arguments, const QString& command, bool wantsFleet, RunOptions& out)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(wantsFleet
            ? QStringLiteral("Monitor a fleet headless: one status line (or JSON object) per event.")
            : QStringLiteral("Start the demo fleet and monitor it headless."));
    parser.addHelpOption();
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("One JSON object per line."));
    const QCommandLineOption duration(QStringLiteral("duration"),
        QStringLiteral("Stop after S seconds (default: until interrupted)."), QStringLiteral("S"));
    const QCommandLineOption headless(QStringLiteral("headless"), QStringLiteral("Run without a window."));
    const QCommandLineOption db(QStringLiteral("db"),
        QStringLiteral("Record the incidents in this incident database: a file (SQLite) or "
                       "postgresql://user@host:port/db?… (default: not recorded)."),
        QStringLiteral("FILE|URL"));
    const QCommandLineOption automation(QStringLiteral("auto"),
        QStringLiteral("Remediate automatically, as the console's automation does: same safety gates, locks, "
                       "automation state and audit trail, in the --db database (default: the console's, %1).")
            .arg(IncidentStore::defaultPath()));
    const QCommandLineOption stopGrace(QStringLiteral("stop-grace"),
        QStringLiteral("With --auto: on SIGINT/SIGTERM a running step gets S seconds to finish before it is aborted "
                       "(default 30); a second signal aborts it at once."),
        QStringLiteral("S"));
    parser.addOptions({ json, duration, headless, db, automation, stopGrace });
    addLogOptions(parser);
    parser.addPositionalArgument(command, QStringLiteral("The command."));
    if (wantsFleet)
        parser.addPositionalArgument(
            QStringLiteral("fleet"), QStringLiteral("Fleet description."), QStringLiteral("FLEET.yaml"));
    if (const auto code = parseCommandLine(parser, arguments, qPrintable(QStringLiteral("faultdesk %1").arg(command))))
        return *code;
    const QStringList positional = parser.positionalArguments().mid(1);
    if (wantsFleet && positional.size() != 1) {
        std::fprintf(stderr, "faultdesk %s: expected one fleet description (FLEET.yaml)\n", qPrintable(command));
        return ExitBadInput;
    }
    if (!wantsFleet && !positional.isEmpty()) {
        std::fprintf(
            stderr, "faultdesk %s: unexpected argument '%s'\n", qPrintable(command), qPrintable(positional.first()));
        return ExitBadInput;
    }
    out.json = parser.isSet(json);
    if (parser.isSet(duration)) {
        bool ok = false;
        out.durationS = parser.value(duration).toDouble(&ok);
        if (!ok || out.durationS <= 0) {
            std::fprintf(stderr, "faultdesk %s: --duration needs a positive number of seconds, got '%s'\n",
                qPrintable(command), qPrintable(parser.value(duration)));
            return ExitBadInput;
        }
    }
    out.automation = parser.isSet(automation);
    if (parser.isSet(stopGrace)) {
        bool ok = false;
        const double s = parser.value(stopGrace).toDouble(&ok);
        if (!ok || s < 0) {
            std::fprintf(stderr, "faultdesk %s: --stop-grace needs a number of seconds, got '%s'\n",
                qPrintable(command), qPrintable(parser.value(stopGrace)));
            return ExitBadInput;
        }
        out.stopGrace = std::chrono::milliseconds(qint64(s * 1000));
    }
    if (wantsFleet)
        out.fleet = positional.first();
    if (parser.isSet(db)) {
        QString error;
        if (!StoreUrl::parse(parser.value(db), &error)) {
            std::fprintf(stderr, "faultdesk %s: --db: %s\n", qPrintable(command), qPrintable(error));
            return ExitBadInput;
        }
        out.db = parser.value(db);
    }
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

// Prints one line per event to stdout: a JSON object (every control character escaped) or a text line (with them
// replaced); both land on a terminal.
void printLine(QTextStream& out, bool json, const QJsonObject& object, const QString& text)
{
    if (json)
        out << TerminalText::safeJsonLine(QJsonDocument(object).toJson(QJsonDocument::Compact)) << '\n';
    else
        out << TerminalText::safeLine(text) << '\n';
    out.flush();
}

// Runs the monitor (and automation) until the duration passes or SIGINT/SIGTERM stops it, printing every event.
int runMonitor(const FleetConfig& config, const RunOptions& options)
{
    MonitorService::Options o;
    // --db wins over the fleet's `store:`; with neither, monitor records nothing (--auto: the default file).
    o.db = options.db.isEmpty() ? config.store.location() : options.db;
    o.automation = options.automation;
    o.stopGrace = options.stopGrace;
    MonitorService service(o);
    QTextStream out(stdout);
    QObject::connect(&service, &MonitorService::remediationEvent, &service,
        [&out, &options](const RemediationEvent& e) { printLine(out, options.json, e.toJson(), e.toText()); });
    QString error;
    if (!service.start(config, &error)) {
        std::fprintf(stderr, "faultdesk monitor: %s\n", qPrintable(error));
        return ExitFailed;
    }
    QObject::connect(service.monitor(), &Monitor::eventRaised, &service,
        [&out, &options](const DetectionEvent& e) { printLine(out, options.json, e.toJson(), e.toText()); });
    QObject::connect(&service, &MonitorService::finished, qApp,
        [](bool clean) { QCoreApplication::exit(clean ? ExitOk : ExitFailed); });
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, &service, [&service](int signal) {
        service.requestStop(signal == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"));
    });
    if (options.durationS > 0)
        QTimer::singleShot(
            int(options.durationS * 1000), &service, [&service] { service.requestStop(QStringLiteral("--duration")); });
    if (!options.json) {
        out << "Monitoring " << config.targets.size() << " targets from " << config.sourceFile
            << (options.automation ? " with automatic remediation" : "") << " (Ctrl+C to stop)\n";
        out.flush();
    }
    const int code = QCoreApplication::exec();
    if (!options.json) {
        const Monitor::Summary s = service.monitor()->summary();
        out << "Stopped: " << s.up << '/' << s.total << " targets up, " << s.activeFaults << " active faults\n";
    }
    return code;
}

} // namespace

int monitor(const QStringList& arguments)
{
    RunOptions options;
    if (const auto code = parse(arguments, QStringLiteral("monitor"), true, options))
        return *code;
    const std::optional<FleetConfig> config = loadFleet(options.fleet);
    if (!config)
        return ExitBadInput;
    return runMonitor(*config, options);
}

int demoHeadless(const QStringList& arguments)
{
    RunOptions options;
    if (const auto code = parse(arguments, QStringLiteral("demo"), false, options))
        return *code;
    DemoFleetProcess fleet;
    QString error;
    if (!fleet.start(60000, &error)) {
        std::fprintf(stderr, "faultdesk demo: %s\n", qPrintable(error));
        return ExitFailed;
    }
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
