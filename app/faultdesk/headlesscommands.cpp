// The headless subcommands: the same core as the window, printing to the terminal.

#include "commands.h"

#include "alert/alertmanagersource.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "incident/incidentrecorder.h"
#include "incident/incidentstore.h"
#include "incident/storeurl.h"
#include "monitor/monitor.h"
#include "util/secretmask.h"
#include "util/signalwatcher.h"
#include "util/terminaltext.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QTextStream>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <vector>

namespace FaultDesk::Commands {

namespace {

struct RunOptions
{
    bool json = false;
    double durationS = 0; ///< 0 = until interrupted
    QString fleet;
    QString db; ///< --db: record incidents in this database (file or postgresql:// URL); empty = do not record
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
    const QCommandLineOption verbose(QStringLiteral("verbose"), QStringLiteral("Mirror the log to the terminal."));
    const QCommandLineOption logDir(
        QStringLiteral("log-dir"), QStringLiteral("Directory for the log files."), QStringLiteral("DIR"));
    const QCommandLineOption db(QStringLiteral("db"),
        QStringLiteral("Record the incidents in this incident database: a file (SQLite) or "
                       "postgresql://user@host:port/db?… (default: not recorded)."),
        QStringLiteral("FILE|URL"));
    parser.addOptions({ json, duration, headless, verbose, logDir, db });
    parser.addPositionalArgument(command, QStringLiteral("The command."));
    if (wantsFleet)
        parser.addPositionalArgument(
            QStringLiteral("fleet"), QStringLiteral("Fleet description."), QStringLiteral("FLEET.yaml"));
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "faultdesk %s: %s\n", qPrintable(command), qPrintable(parser.errorText()));
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return ExitOk;
    }
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

// Runs the monitor until the duration passes or SIGINT/SIGTERM arrives, printing every event.
int runMonitor(const FleetConfig& config, const RunOptions& options)
{
    Monitor monitor;
    monitor.setConfig(config);
    // With --db the incidents seen are recorded, as the console records them.
    std::unique_ptr<IncidentStore> store;
    std::unique_ptr<IncidentRecorder> recorder;
    // --db wins over the fleet's `store:`; with neither, monitor records nothing.
    const QString db = options.db.isEmpty() ? config.store.location() : options.db;
    if (!db.isEmpty()) {
        IncidentStore::Options o;
        o.path = db;
        store = std::make_unique<IncidentStore>(o);
        QString error;
        // A server that is away is not fatal: its writes wait in the local journal until it answers.
        if (!store->open(&error) && store->journalPath().isEmpty()) {
            std::fprintf(stderr, "faultdesk monitor: %s\n", qPrintable(error));
            return ExitFailed;
        }
        recorder = std::make_unique<IncidentRecorder>(store.get());
        recorder->attach(monitor.detector(), monitor.store(), monitor.config());
    }
    QTextStream out(stdout);
    QObject::connect(&monitor, &Monitor::eventRaised, &monitor, [&out, &options](const DetectionEvent& e) {
        // Both land on a terminal: a JSON line keeps its value with every control character escaped, a text line
        // has them replaced.
        if (options.json)
            out << TerminalText::safeJsonLine(QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact)) << '\n';
        else
            out << TerminalText::safeLine(e.toText()) << '\n';
        out.flush();
    });
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, qApp, &QCoreApplication::quit);
    if (options.durationS > 0)
        QTimer::singleShot(int(options.durationS * 1000), qApp, &QCoreApplication::quit);
    if (!options.json) {
        out << "Monitoring " << config.targets.size() << " targets from " << config.sourceFile << " (Ctrl+C to stop)\n";
        out.flush();
    }
    // The fleet's alert sources too: their alerts are faults like the probes' (as in the console).
    std::vector<std::unique_ptr<AlertmanagerSource>> alertSources;
    for (const AlertmanagerConfig& am : monitor.config().alertmanager) {
        alertSources.push_back(std::make_unique<AlertmanagerSource>(am, monitor.config(), monitor.detector()));
        alertSources.back()->start();
    }
    monitor.start();
    QCoreApplication::exec();
    for (const auto& source : alertSources)
        source->stop();
    if (recorder) {
        recorder->saveAllSeries();
        recorder->waitForWrites();
    }
    monitor.stop();
    if (!options.json) {
        const Monitor::Summary s = monitor.summary();
        out << "Stopped: " << s.up << '/' << s.total << " targets up, " << s.activeFaults << " active faults\n";
    }
    return ExitOk;
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
