// FaultDesk's entry point: finds the command in the table (commands.cpp), makes the application it needs, parses
// its arguments (help, version and errors answered here, the same way for every command), applies the log options
// and hands over to the command.

#include "commands.h"
#include "util/buildinfo.h"
#include "util/logging.h"

#include <QApplication>
#include <QCoreApplication>
#include <QIcon>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

using namespace FaultDesk;
using namespace FaultDesk::Commands;

namespace {

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

// The command @p arguments name: a window needs a display and no --headless, else its Terminal twin runs; the console
// answers --help and --version without a window.
const Command& choose(const QList<Command>& table, const QStringList& arguments)
{
    const QString first = arguments.value(1);
    const bool named = !first.isEmpty()
        && std::any_of(table.cbegin(), table.cend(), [&](const Command& c) { return c.name == first; });
    const QString name = named ? first : QString();
    const bool infoOnly = !named
        && (arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h"))
            || arguments.contains(QStringLiteral("--version")) || arguments.contains(QStringLiteral("-v")));
    const bool window = !infoOnly && !arguments.contains(QStringLiteral("--headless")) && hasDisplay();
    for (const Command& c : table)
        if (c.name == name && (window || c.surface != Surface::Window))
            return c;
    Q_UNREACHABLE();
}

std::unique_ptr<QCoreApplication> makeApplication(Surface surface, int& argc, char** argv)
{
    if (surface == Surface::Terminal)
        return std::make_unique<QCoreApplication>(argc, argv);
    if (surface == Surface::Offscreen && !hasDisplay())
        qputenv("QT_QPA_PLATFORM", "offscreen");
    return std::make_unique<QApplication>(argc, argv);
}

// Parses @p arguments for @p command; when that is all — a parse error ("prefix: error", exit 2), --help or
// --version — returns the exit code.
std::optional<int> parse(QCommandLineParser& parser, const Command& command, const QStringList& arguments)
{
    const bool console = command.name.isEmpty();
    parser.setApplicationDescription(command.description);
    parser.addHelpOption();
    if (console)
        parser.addVersionOption();
    parser.addOptions(command.options);
    for (const Argument& argument : command.arguments)
        parser.addPositionalArgument(argument.name, argument.description, argument.syntax);
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "%s: %s\n%s", qPrintable(command.prefix), qPrintable(parser.errorText()),
            console ? "Try 'faultdesk --help'.\n" : "");
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return ExitOk;
    }
    if (console && parser.isSet(QStringLiteral("version"))) {
        std::printf("faultdesk %s\n", qPrintable(BuildInfo::version()));
        return ExitOk;
    }
    return std::nullopt;
}

bool takesLogOptions(const Command& command)
{
    return std::any_of(command.options.cbegin(), command.options.cend(),
        [](const QCommandLineOption& o) { return o.names().contains(QStringLiteral("log-dir")); });
}

} // namespace

int main(int argc, char** argv)
{
    QStringList arguments;
    arguments.reserve(argc);
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    setIdentity(); // first: the table's help names the default incident database, which is found by it
    const QList<Command> table = commands();
    const Command& command = choose(table, arguments);
    const std::unique_ptr<QCoreApplication> app = makeApplication(command.surface, argc, argv);

    QCommandLineParser parser;
    if (const auto code = parse(parser, command, arguments))
        return *code;
    if (takesLogOptions(command))
        Logging::install({ parser.value(QStringLiteral("log-dir")), parser.isSet(QStringLiteral("verbose")) });
    const bool hasWindowTwin = std::any_of(table.cbegin(), table.cend(),
        [&](const Command& c) { return c.name == command.name && c.surface == Surface::Window; });
    if (command.surface == Surface::Terminal && hasWindowTwin && !hasDisplay()
        && !parser.isSet(QStringLiteral("headless")))
        std::fprintf(
            stderr, "faultdesk: no display found (DISPLAY and WAYLAND_DISPLAY are unset); running headless.\n");
    if (command.surface == Surface::Window)
        setDesktopIdentity();
    return command.run(parser);
}
