#pragma once

#include <QCommandLineParser>
#include <QStringList>

#include <cstdio>
#include <optional>

namespace FaultDesk::Commands {

constexpr int ExitOk = 0;
constexpr int ExitFailed = 1;
constexpr int ExitBadInput = 2;

/// Parses @p arguments; when the command is done already — a parse error ("@p prefix: error", exit 2) or --help
/// (printed, exit 0) — returns its exit code.
inline std::optional<int> parseCommandLine(QCommandLineParser& parser, const QStringList& arguments, const char* prefix)
{
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "%s: %s\n", prefix, qPrintable(parser.errorText()));
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return ExitOk;
    }
    return std::nullopt;
}

/// --verbose and --log-dir: main() applies them before the command runs; each command's parser accepts them.
inline void addLogOptions(QCommandLineParser& parser)
{
    parser.addOptions({ { QStringLiteral("verbose"), QStringLiteral("Mirror the log to the terminal.") },
        { QStringLiteral("log-dir"), QStringLiteral("Directory for the log files."), QStringLiteral("DIR") } });
}

/// `faultdesk monitor FLEET.yaml [--json] [--duration S] [--db FILE|URL] [--auto [--stop-grace S]]`: headless
/// monitoring, one line per event; with --db the incidents are recorded in that database too; with --auto the
/// console's automatic remediation runs here (MonitorService), and SIGINT/SIGTERM stop it without leaving a
/// runbook half applied.
int monitor(const QStringList& arguments);
/// `faultdesk demo --headless [--json] [--duration S]`: the demo fleet monitored on the terminal.
int demoHeadless(const QStringList& arguments);
/// `faultdesk report [--db FILE|URL] (--incident ID | --last | --since T) --format md|html|pdf|json -o OUT`.
/// Needs a QApplication (charts); main() forces the offscreen platform when there is no display.
int report(const QStringList& arguments);

/// `faultdesk demo [--fill-screen] [--drill KIND[:TARGET]]` with a display: the demo fleet plus the console
/// watching it; the fleet stops when the window closes. Needs a QApplication.
int demoGui(const QStringList& arguments);
/// `faultdesk [FLEET.yaml] [--fill-screen]`: the console, monitoring FLEET.yaml when given. Needs a QApplication.
int console(const QStringList& arguments);

/// `faultdesk drill overload|crash|corruption|attack [--auto] [--json] [--db FILE|URL]`: a remediation fire drill on
/// the demo fleet; exit 0 only when the right root cause was located and the fleet recovered to its baseline.
int drill(const QStringList& arguments);

/// `faultdesk db migrate --db FILE|URL` and `faultdesk db copy --from FILE|URL --to FILE|URL`: create or upgrade an
/// incident database, and move a history into another (a single operator's file into the team's PostgreSQL).
int db(const QStringList& arguments);

} // namespace FaultDesk::Commands
