#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QString>

namespace FaultDesk::Commands {

constexpr int ExitOk = 0;
constexpr int ExitFailed = 1;
constexpr int ExitBadInput = 2;

/// The application a command runs in; it must exist before the command's arguments are parsed.
enum class Surface {
    Terminal, ///< QCoreApplication
    Window, ///< QApplication; with --headless or without a display, the Terminal command of the same name runs
    Offscreen, ///< QApplication, drawing offscreen when there is no display (PDF pages and charts)
};

/// A positional argument, as the usage line and the help show it.
struct Argument
{
    QString name;
    QString description;
    QString syntax = {}; ///< how the usage line shows it; empty: its name
};

/// One command of the program: its name, its application, what it accepts (the help is made of these) and the
/// function that does it once the arguments are parsed, help and parse errors answered.
struct Command
{
    QString name; ///< the first argument; empty: the console (`faultdesk [FLEET.yaml]`, with --version)
    Surface surface = Surface::Terminal;
    QString prefix; ///< of its messages: "faultdesk drill"
    QString description;
    QList<QCommandLineOption> options; ///< with --verbose and --log-dir, main() applies them before run
    QList<Argument> arguments;
    int (*run)(const QCommandLineParser& parser) = nullptr;
};

/// Prints "@p prefix: @p message" on stderr and returns @p code: how every command says what is wrong.
int fail(const char* prefix, const QString& message, int code = ExitBadInput);

/// Every command and its options: the one table main() dispatches through. The help texts name the default
/// incident database, so the application's identity must be set first.
QList<Command> commands();

/// `faultdesk check FLEET.yaml…`: validation only, no window and no log files.
int check(const QCommandLineParser& parser);
/// `faultdesk monitor FLEET.yaml [--json] [--duration S] [--db FILE|URL] [--auto [--stop-grace S]]`: headless
/// monitoring, one line per event; with --db the incidents are recorded in that database too; with --auto the
/// console's automatic remediation runs here (MonitorService), and SIGINT/SIGTERM stop it without leaving a
/// runbook half applied.
int monitor(const QCommandLineParser& parser);
/// `faultdesk demo --headless [--json] [--duration S]`: the demo fleet monitored on the terminal.
int demoHeadless(const QCommandLineParser& parser);
/// `faultdesk report [--db FILE|URL] (--incident ID | --last | --since T) --format md|html|pdf|json -o OUT`.
int report(const QCommandLineParser& parser);
/// `faultdesk drill overload|crash|corruption|attack|network [--auto] [--json] [--db FILE|URL]`: a remediation fire
/// drill on the demo fleet, or `faultdesk drill campaign`; exit 0 only when the right root cause was located and the
/// fleet recovered to its baseline.
int drill(const QCommandLineParser& parser);
/// `faultdesk db migrate --db FILE|URL` and `faultdesk db copy --from FILE|URL --to FILE|URL`: create or upgrade an
/// incident database, and move a history into another (a single operator's file into the team's PostgreSQL).
int db(const QCommandLineParser& parser);
/// `faultdesk demo [--fill-screen] [--drill KIND[:TARGET]]` with a display: the demo fleet plus the console
/// watching it; the fleet stops when the window closes.
int demoGui(const QCommandLineParser& parser);
/// `faultdesk [FLEET.yaml] [--fill-screen]`: the console, monitoring FLEET.yaml when given.
int console(const QCommandLineParser& parser);
/// `faultdesk [FLEET.yaml] --headless`, or without a display: says what it would monitor.
int consoleHeadless(const QCommandLineParser& parser);

} // namespace FaultDesk::Commands
