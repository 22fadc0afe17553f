// FaultDesk's entry point: picks the application type for the requested mode and hands over to core/ui.

#include "commands.h"
#include "config/configcheck.h"
#include "util/buildinfo.h"
#include "util/logging.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QIcon>
#include <QTextStream>

#include <cstdio>
#include <memory>
#include <optional>

using namespace FaultDesk;

namespace {

constexpr int ExitOk = 0;
constexpr int ExitBadInput = 2;

bool hasDisplay()
{
    if (!qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        return true; // the caller chose a platform (offscreen, xcb, …) explicitly
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

void setIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("faultdesk"));
    QCoreApplication::setApplicationVersion(BuildInfo::version());
    QCoreApplication::setOrganizationName(BuildInfo::organizationName());
    QCoreApplication::setOrganizationDomain(BuildInfo::organizationDomain());
}

void setDesktopIdentity()
{
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/org.faultdesk.FaultDesk.svg")));
    QApplication::setDesktopFileName(BuildInfo::applicationId());
}

// The value after @p name in @p arguments ("--log-dir DIR" or "--log-dir=DIR"), or empty.
QString optionValue(const QStringList& arguments, const QString& name)
{
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        if (arguments.at(i) == name && i + 1 < arguments.size())
            return arguments.at(i + 1);
        if (arguments.at(i).startsWith(name + u'='))
            return arguments.at(i).mid(name.size() + 1);
    }
    return {};
}

// Runs @p command in an application of type App, named and logging as its --log-dir and --verbose ask.
template <typename App, typename Command>
int runCommand(int& argc, char** argv, const QStringList& arguments, Command command)
{
    const App app(argc, argv);
    setIdentity();
    Logging::install(
        { optionValue(arguments, QStringLiteral("--log-dir")), arguments.contains(QStringLiteral("--verbose")) });
    return command(arguments);
}

struct Options
{
    bool verbose = false;
    bool headless = false;
    QString logDir;
    QStringList positional;
};

// Parses the global options; prints help/version/errors itself and returns an exit code when done.
std::optional<int> parseOptions(const QStringList& arguments, Options& options)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("FaultDesk — detect, locate, handle and recover server faults.\n\n"
                       "Commands:\n"
                       "  (none)                 open the console window\n"
                       "  FLEET.yaml             open the console on a fleet description\n"
                       "  demo                   start the demo fleet and the console watching it\n"
                       "  check FLEET.yaml…      validate fleet descriptions (problems as file:line:col, exit 2)\n"
                       "  monitor, drill, report run headless (each has --help)\n"
                       "  db migrate|copy        create or upgrade an incident database, copy one into another"));
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption verbose(QStringLiteral("verbose"), QStringLiteral("Mirror the log to the terminal."));
    const QCommandLineOption headless(
        QStringLiteral("headless"), QStringLiteral("Run without a window (the default when there is no display)."));
    const QCommandLineOption logDir(
        QStringLiteral("log-dir"), QStringLiteral("Directory for the rotating log files."), QStringLiteral("DIR"));
    const QCommandLineOption fillScreen(
        QStringLiteral("fill-screen"), QStringLiteral("Fill the screen (displays without a window manager)."));
    const QCommandLineOption db(QStringLiteral("db"),
        QStringLiteral("Incident database: a file (SQLite) or postgresql://user@host:port/db?… (see `faultdesk db "
                       "--help`)."),
        QStringLiteral("FILE|URL"));
    parser.addOptions({ verbose, headless, logDir, fillScreen, db });
    parser.addPositionalArgument(
        QStringLiteral("fleet"), QStringLiteral("Fleet description to monitor."), QStringLiteral("[FLEET.yaml]"));

    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "faultdesk: %s\nTry 'faultdesk --help'.\n", qPrintable(parser.errorText()));
        return ExitBadInput;
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return ExitOk;
    }
    if (parser.isSet(version)) {
        std::printf("faultdesk %s\n", qPrintable(BuildInfo::version()));
        return ExitOk;
    }
    options.verbose = parser.isSet(verbose);
    options.headless = parser.isSet(headless);
    options.logDir = parser.value(logDir);
    options.positional = parser.positionalArguments();
    if (options.positional.size() > 1) {
        std::fprintf(stderr, "faultdesk: unexpected argument '%s'\nTry 'faultdesk --help'.\n",
            qPrintable(options.positional.at(1)));
        return ExitBadInput;
    }
    return std::nullopt;
}

// `faultdesk check FILE…`: validation only, no window and no log files.
int runCheck(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Validate fleet descriptions; exit 2 when any is invalid."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("check"), QStringLiteral("The check command."));
    parser.addPositionalArgument(
        QStringLiteral("files"), QStringLiteral("Fleet descriptions to validate."), QStringLiteral("FLEET.yaml…"));
    if (const auto code = Commands::parseCommandLine(parser, arguments, "faultdesk check"))
        return *code;
    QTextStream out(stdout);
    QTextStream err(stderr);
    return ConfigCheck::run(parser.positionalArguments().mid(1), out, err);
}

int runHeadless(const Options& options)
{
    QTextStream out(stdout);
    out << "FaultDesk " << BuildInfo::version() << " (headless)\n";
    if (options.positional.isEmpty()) {
        out << "Nothing to monitor: give a fleet description (faultdesk FLEET.yaml --headless).\n";
        return ExitOk;
    }
    out << "Fleet: " << options.positional.constFirst() << '\n';
    return ExitOk;
}

} // namespace

int main(int argc, char** argv)
{
    QStringList arguments;
    arguments.reserve(argc);
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    const QString command = arguments.size() > 1 ? arguments.at(1) : QString();
    if (command == u"check") {
        const QCoreApplication app(argc, argv);
        setIdentity();
        return runCheck(arguments);
    }
    if (command == u"db")
        return runCommand<QCoreApplication>(argc, argv, arguments, Commands::db);
    if (command == u"report") {
        // PDF pages and charts are drawn by widgets: a QApplication, offscreen when there is no display.
        if (!hasDisplay())
            qputenv("QT_QPA_PLATFORM", "offscreen");
        return runCommand<QApplication>(argc, argv, arguments, Commands::report);
    }
    if (command == u"drill")
        return runCommand<QCoreApplication>(argc, argv, arguments, Commands::drill);
    if (command == u"monitor")
        return runCommand<QCoreApplication>(argc, argv, arguments, Commands::monitor);
    if (command == u"demo" && (arguments.contains(QStringLiteral("--headless")) || !hasDisplay()))
        return runCommand<QCoreApplication>(argc, argv, arguments, [](const QStringList& args) {
            if (!args.contains(QStringLiteral("--headless")))
                std::fprintf(
                    stderr, "faultdesk: no display found (DISPLAY and WAYLAND_DISPLAY are unset); running headless.\n");
            return Commands::demoHeadless(args);
        });
    if (command == u"demo")
        return runCommand<QApplication>(argc, argv, arguments, [](const QStringList& args) {
            setDesktopIdentity();
            return Commands::demoGui(args);
        });

    Options options;
    // The application type must be chosen before parsing: a window needs QApplication, everything else must not.
    std::unique_ptr<QCoreApplication> app;
    const bool wantsInfoOnly = arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h"))
        || arguments.contains(QStringLiteral("--version")) || arguments.contains(QStringLiteral("-v"));
    const bool headlessRequested = arguments.contains(QStringLiteral("--headless"));
    const bool gui = !wantsInfoOnly && !headlessRequested && hasDisplay();
    if (gui)
        app = std::make_unique<QApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    setIdentity();

    if (const auto exitCode = parseOptions(arguments, options))
        return *exitCode;

    Logging::install({ options.logDir, options.verbose });

    if (!gui) {
        if (!headlessRequested)
            std::fprintf(
                stderr, "faultdesk: no display found (DISPLAY and WAYLAND_DISPLAY are unset); running headless.\n");
        return runHeadless(options);
    }

    setDesktopIdentity();
    return Commands::console(arguments);
}
