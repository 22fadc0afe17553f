// The console — `faultdesk [FLEET.yaml]`, with a window or headless — and `faultdesk demo` with a window.

#include "commands.h"

#include "config/fleetconfigloader.h"
#include "drill/demofleetprocess.h"
#include "incident/storeurl.h"
#include "ui/consolesession.h"
#include "util/buildinfo.h"
#include "util/signalwatcher.h"

#include <QApplication>
#include <QTextStream>

#include <cstdio>
#include <optional>

namespace FaultDesk::Commands {

namespace {

// The fleet description the console is given (empty: none), or the exit code of a second one.
std::optional<int> readFleet(const QCommandLineParser& parser, QString* fleet)
{
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return fail(
            "faultdesk", QStringLiteral("unexpected argument '%1'\nTry 'faultdesk --help'.").arg(positional.at(1)));
    *fleet = positional.value(0);
    return std::nullopt;
}

// --fill-screen (or FAULTDESK_FILL_SCREEN) and --db, checked: the options the console and the demo share.
std::optional<int> readWindow(const QCommandLineParser& parser, bool* fillScreen, QString* db)
{
    *fillScreen = parser.isSet(QStringLiteral("fill-screen")) || qEnvironmentVariableIsSet("FAULTDESK_FILL_SCREEN");
    *db = parser.value(QStringLiteral("db"));
    QString error;
    if (parser.isSet(QStringLiteral("db")) && !StoreUrl::parse(*db, &error))
        return fail("faultdesk", QStringLiteral("--db: %1").arg(error));
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

int demoGui(const QCommandLineParser& parser)
{
    const QString drill = parser.value(QStringLiteral("drill")); // KIND or KIND:TARGET, once the baseline settles
    const bool drillAuto = parser.isSet(QStringLiteral("drill-auto"));
    if (drillAuto && drill.isEmpty())
        return fail("faultdesk", QStringLiteral("--drill-auto needs --drill KIND"));
    bool ok = true;
    const int drillDelayS
        = parser.isSet(QStringLiteral("drill-delay")) ? parser.value(QStringLiteral("drill-delay")).toInt(&ok) : 20;
    if (!ok || drillDelayS < 0)
        return fail("faultdesk", QStringLiteral("--drill-delay needs a number of seconds"));
    const QStringList positional = parser.positionalArguments().mid(1);
    if (!positional.isEmpty())
        return fail("faultdesk", QStringLiteral("unexpected argument '%1'").arg(positional.constLast()));
    bool fillScreen = false;
    QString db;
    if (const auto code = readWindow(parser, &fillScreen, &db))
        return *code;

    ConsoleSession session(db);
    session.show(fillScreen);
    DemoFleetProcess fleet;
    if (!session.startDemo(&fleet))
        return ExitFailed;
    std::printf("Demo fleet running in %s\n", qPrintable(fleet.runtimeDirectory()));
    std::fflush(stdout);
    if (!drill.isEmpty())
        session.scheduleDrill(drill.section(u':', 0, 0), drill.section(u':', 1), drillAuto, drillDelayS);
    const int code = runSession(session);
    fleet.stop();
    return code;
}

int console(const QCommandLineParser& parser)
{
    QString fleet;
    if (const auto code = readFleet(parser, &fleet))
        return *code;
    bool fillScreen = false;
    QString db;
    if (const auto code = readWindow(parser, &fillScreen, &db))
        return *code;
    // --db wins over the fleet's `store:`, which wins over the default file.
    if (db.isEmpty() && !fleet.isEmpty()) {
        const ConfigLoadResult loaded = FleetConfigLoader::loadFile(fleet);
        if (loaded.ok())
            db = loaded.config->store.location();
    }
    ConsoleSession session(db);
    session.show(fillScreen);
    if (!fleet.isEmpty())
        session.openFleet(fleet);
    return runSession(session);
}

int consoleHeadless(const QCommandLineParser& parser)
{
    QString fleet;
    if (const auto code = readFleet(parser, &fleet))
        return *code;
    QTextStream out(stdout);
    out << "FaultDesk " << BuildInfo::version() << " (headless)\n";
    if (fleet.isEmpty())
        out << "Nothing to monitor: give a fleet description (faultdesk FLEET.yaml --headless).\n";
    else
        out << "Fleet: " << fleet << '\n';
    return ExitOk;
}

} // namespace FaultDesk::Commands
