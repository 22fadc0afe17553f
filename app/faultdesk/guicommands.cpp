// The window subcommands: `faultdesk demo` with a display and `faultdesk [FLEET.yaml]`.

#include "commands.h"

#include "config/fleetconfigloader.h"
#include "drill/demofleetprocess.h"
#include "incident/incidentstore.h"
#include "incident/storeurl.h"
#include "ui/consolesession.h"
#include "util/signalwatcher.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>

namespace FaultDesk::Commands {

namespace {

struct GuiOptions
{
    bool fillScreen = false;
    QString drill; ///< KIND or KIND:TARGET, injected after the baseline settles
    int drillDelayS = 20;
    bool drillAuto = false; ///< press Handle, end the cause, press Recover, as `faultdesk drill --auto` does
    QString fleet;
    QString db; ///< --db: the incident database (file or postgresql:// URL); empty = the default file
};

std::optional<int> parseGui(const QStringList& arguments, bool demo, GuiOptions& out)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(demo ? QStringLiteral("Start the demo fleet and the console watching it.")
                                          : QStringLiteral("Open the console."));
    parser.addHelpOption();
    parser.addOptions({
        { QStringLiteral("fill-screen"),
            QStringLiteral("Fill the screen (for displays without a window manager, e.g. Xvfb).") },
        { QStringLiteral("drill"), QStringLiteral("Demo: inject KIND (on TARGET) once the fleet has a baseline."),
            QStringLiteral("KIND[:TARGET]") },
        { QStringLiteral("drill-delay"), QStringLiteral("Seconds before --drill (default 20)."), QStringLiteral("S") },
        { QStringLiteral("drill-auto"),
            QStringLiteral(
                "Demo: once the drill's fault is located, press Handle, end the cause, then press Recover.") },
        { QStringLiteral("db"),
            QStringLiteral("Incident database: a file (SQLite) or postgresql://user@host:port/db?… (default: the "
                           "fleet file's store:, else %1).")
                .arg(IncidentStore::defaultPath()),
            QStringLiteral("FILE|URL") },
    });
    if (demo)
        parser.addPositionalArgument(QStringLiteral("demo"), QStringLiteral("The command."));
    else
        parser.addPositionalArgument(
            QStringLiteral("fleet"), QStringLiteral("Fleet description to monitor."), QStringLiteral("[FLEET.yaml]"));
    if (const auto code = parseCommandLine(parser, arguments, "faultdesk"))
        return *code;
    out.fillScreen = parser.isSet(QStringLiteral("fill-screen")) || qEnvironmentVariableIsSet("FAULTDESK_FILL_SCREEN");
    out.drill = parser.value(QStringLiteral("drill"));
    out.drillAuto = parser.isSet(QStringLiteral("drill-auto"));
    if (out.drillAuto && out.drill.isEmpty()) {
        std::fprintf(stderr, "faultdesk: --drill-auto needs --drill KIND\n");
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("drill-delay"))) {
        bool ok = false;
        out.drillDelayS = parser.value(QStringLiteral("drill-delay")).toInt(&ok);
        if (!ok || out.drillDelayS < 0) {
            std::fprintf(stderr, "faultdesk: --drill-delay needs a number of seconds\n");
            return ExitBadInput;
        }
    }
    const QStringList positional = parser.positionalArguments().mid(demo ? 1 : 0);
    if (positional.size() > 1 || (demo && !positional.isEmpty())) {
        std::fprintf(stderr, "faultdesk: unexpected argument '%s'\n", qPrintable(positional.constLast()));
        return ExitBadInput;
    }
    if (!demo && !positional.isEmpty())
        out.fleet = positional.constFirst();
    out.db = parser.value(QStringLiteral("db"));
    QString dbError;
    if (parser.isSet(QStringLiteral("db")) && !StoreUrl::parse(out.db, &dbError)) {
        std::fprintf(stderr, "faultdesk: --db: %s\n", qPrintable(dbError));
        return ExitBadInput;
    }
    return std::nullopt;
}

int runSession(ConsoleSession& session)
{
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, &session.window(), &QWidget::close);
    const int code = QApplication::exec();
    session.stop();
    return code;
}

} // namespace

int demoGui(const QStringList& arguments)
{
    GuiOptions options;
    if (const auto code = parseGui(arguments, true, options))
        return *code;
    ConsoleSession session(options.db);
    session.show(options.fillScreen);
    DemoFleetProcess fleet;
    if (!session.startDemo(&fleet))
        return ExitFailed;
    std::printf("Demo fleet running in %s\n", qPrintable(fleet.runtimeDirectory()));
    std::fflush(stdout);
    if (!options.drill.isEmpty())
        session.scheduleDrill(
            options.drill.section(u':', 0, 0), options.drill.section(u':', 1), options.drillAuto, options.drillDelayS);
    const int code = runSession(session);
    fleet.stop();
    return code;
}

int console(const QStringList& arguments)
{
    GuiOptions options;
    if (const auto code = parseGui(arguments, false, options))
        return *code;
    // --db wins over the fleet's `store:`, which wins over the default file.
    if (options.db.isEmpty() && !options.fleet.isEmpty()) {
        const ConfigLoadResult fleet = FleetConfigLoader::loadFile(options.fleet);
        if (fleet.ok())
            options.db = fleet.config->store.location();
    }
    ConsoleSession session(options.db);
    session.show(options.fillScreen);
    if (!options.fleet.isEmpty())
        session.openFleet(options.fleet);
    return runSession(session);
}

} // namespace FaultDesk::Commands
