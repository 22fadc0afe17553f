// The table of commands: every command's name, application, help, options and arguments in one place.

#include "commands.h"

#include "drill/drillscenario.h"
#include "incident/incidentstore.h"

#include <cstdio>

namespace FaultDesk::Commands {

namespace {

QCommandLineOption dbOption(const QString& description)
{
    return QCommandLineOption(QStringLiteral("db"), description, QStringLiteral("FILE|URL"));
}

} // namespace

int fail(const char* prefix, const QString& message, int code)
{
    std::fprintf(stderr, "%s: %s\n", prefix, qPrintable(message));
    return code;
}

QList<Command> commands()
{
    const QString theCommand = QStringLiteral("The command.");
    const QCommandLineOption verbose = { QStringLiteral("verbose"), QStringLiteral("Mirror the log to the terminal.") };
    const QCommandLineOption logDir
        = { QStringLiteral("log-dir"), QStringLiteral("Directory for the log files."), QStringLiteral("DIR") };

    const QList<QCommandLineOption> consoleOptions = { verbose,
        { QStringLiteral("headless"), QStringLiteral("Run without a window (the default when there is no display).") },
        { QStringLiteral("log-dir"), QStringLiteral("Directory for the rotating log files."), QStringLiteral("DIR") },
        { QStringLiteral("fill-screen"), QStringLiteral("Fill the screen (displays without a window manager).") },
        dbOption(
            QStringLiteral("Incident database: a file (SQLite) or postgresql://user@host:port/db?… (see `faultdesk db "
                           "--help`).")) };
    const QString consoleHelp
        = QStringLiteral("FaultDesk — detect, locate, handle and recover server faults.\n\n"
                         "Commands:\n"
                         "  (none)                 open the console window\n"
                         "  FLEET.yaml             open the console on a fleet description\n"
                         "  demo                   start the demo fleet and the console watching it\n"
                         "  check FLEET.yaml…      validate fleet descriptions (problems as file:line:col, exit 2)\n"
                         "  monitor, drill, report run headless (each has --help)\n"
                         "  db migrate|copy        create or upgrade an incident database, copy one into another");
    const QList<Argument> consoleArguments = { { QStringLiteral("fleet"),
        QStringLiteral("Fleet description to monitor."), QStringLiteral("[FLEET.yaml]") } };

    const QList<QCommandLineOption> monitorOptions
        = { { QStringLiteral("json"), QStringLiteral("One JSON object per line.") },
              { QStringLiteral("duration"), QStringLiteral("Stop after S seconds (default: until interrupted)."),
                  QStringLiteral("S") },
              { QStringLiteral("headless"), QStringLiteral("Run without a window.") },
              dbOption(QStringLiteral("Record the incidents in this incident database: a file (SQLite) or "
                                      "postgresql://user@host:port/db?… (default: not recorded).")),
              { QStringLiteral("auto"),
                  QStringLiteral("Remediate automatically, as the console's automation does: same safety gates, locks, "
                                 "automation state and audit trail, in the --db database (default: the console's, %1).")
                      .arg(IncidentStore::defaultPath()) },
              { QStringLiteral("stop-grace"),
                  QStringLiteral("With --auto: on SIGINT/SIGTERM a running step gets S seconds to finish before it is "
                                 "aborted (default 30); a second signal aborts it at once."),
                  QStringLiteral("S") },
              verbose, logDir };

    const QList<QCommandLineOption> demoOptions = {
        { QStringLiteral("fill-screen"),
            QStringLiteral("Fill the screen (for displays without a window manager, e.g. Xvfb).") },
        { QStringLiteral("drill"), QStringLiteral("Demo: inject KIND (on TARGET) once the fleet has a baseline."),
            QStringLiteral("KIND[:TARGET]") },
        { QStringLiteral("drill-delay"), QStringLiteral("Seconds before --drill (default 20)."), QStringLiteral("S") },
        { QStringLiteral("drill-auto"),
            QStringLiteral(
                "Demo: once the drill's fault is located, press Handle, end the cause, then press Recover.") },
        dbOption(QStringLiteral("Incident database: a file (SQLite) or postgresql://user@host:port/db?… (default: the "
                                "fleet file's store:, else %1).")
                     .arg(IncidentStore::defaultPath())),
        verbose, logDir
    };

    const QList<QCommandLineOption> reportOptions = {
        dbOption(QStringLiteral("Incident database: a file (SQLite) or postgresql://user@host:port/db?… (default: %1).")
                     .arg(IncidentStore::defaultPath())),
        { QStringLiteral("incident"), QStringLiteral("Report on one incident."), QStringLiteral("ID") },
        { QStringLiteral("last"), QStringLiteral("Report on the most recent incident.") },
        { QStringLiteral("since"),
            QStringLiteral(
                "Report on the incidents detected since T (ISO 8601, UTC unless a zone is given; or 24h, 7d)."),
            QStringLiteral("T") },
        { QStringLiteral("until"), QStringLiteral("With --since: up to T (default: now)."), QStringLiteral("T") },
        { QStringLiteral("format"), QStringLiteral("md, html, pdf or json."), QStringLiteral("FORMAT") },
        { { QStringLiteral("o"), QStringLiteral("output") }, QStringLiteral("Output file."), QStringLiteral("OUT") },
        { QStringLiteral("include-drills"),
            QStringLiteral("With --since: list drills' incidents too and count them in the MTTx figures.") },
        verbose, logDir
    };

    const QString kinds = DrillScenario::campaignKinds().join(QStringLiteral(", "));
    const QList<QCommandLineOption> drillOptions = { { QStringLiteral("auto"),
                                                         QStringLiteral("Press Handle and Recover without asking.") },
        { QStringLiteral("json"), QStringLiteral("Print the summary as JSON.") },
        dbOption(QStringLiteral("Record the drill (incidents, audit trail) in this incident database: a file (SQLite) "
                                "or postgresql://user@host:port/db?…")),
        { QStringLiteral("timeout"), QStringLiteral("Seconds each phase may take (default 60; 40 in a campaign)."),
            QStringLiteral("S") },
        { QStringLiteral("check-inter"),
            QStringLiteral("HAProxy health-check interval of the demo fleet (default 300ms)."),
            QStringLiteral("DURATION"), QStringLiteral("300ms") },
        { QStringLiteral("target"),
            QStringLiteral("Where to inject (default: web-2 for crash, the demo's default for the others)."),
            QStringLiteral("NAME") },
        { QStringLiteral("dependency"),
            QStringLiteral("network: the dependency the target loses its path to (default: its first)."),
            QStringLiteral("NAME") },
        { QStringLiteral("warmup"),
            QStringLiteral("Seconds of healthy traffic before the injection, for the baselines the detector learns "
                           "(default 12 for attack, 3 otherwise)."),
            QStringLiteral("S") },
        { QStringLiteral("runbooks"),
            QStringLiteral("Bind the runbooks of FILE (a YAML file with a top-level runbooks: list) to the demo "
                           "fleet, as if they were written in its fleet.yaml."),
            QStringLiteral("FILE") },
        { QStringLiteral("faults"), QStringLiteral("campaign: how many faults (default 30)."), QStringLiteral("N"),
            QStringLiteral("30") },
        { QStringLiteral("seed"), QStringLiteral("campaign: the seed of the draw (default 1)."), QStringLiteral("S"),
            QStringLiteral("1") },
        { QStringLiteral("gap"),
            QStringLiteral("campaign: seconds of quiet, healthy fleet before each fault (default 10)."),
            QStringLiteral("S"), QStringLiteral("10") },
        { QStringLiteral("kinds"),
            QStringLiteral("campaign: the kinds to draw from, comma-separated (default: all of %1).").arg(kinds),
            QStringLiteral("LIST") },
        { QStringLiteral("pairs"),
            QStringLiteral("campaign: percent chance that a fault comes with a second one at once (default 20)."),
            QStringLiteral("P"), QStringLiteral("20") },
        verbose, logDir };

    const QList<QCommandLineOption> dbOptions = { dbOption(QStringLiteral("migrate: the database.")),
        { QStringLiteral("from"), QStringLiteral("copy: the database to read."), QStringLiteral("FILE|URL") },
        { QStringLiteral("to"), QStringLiteral("copy: the database to write."), QStringLiteral("FILE|URL") }, verbose,
        logDir };

    return {
        { {}, Surface::Window, QStringLiteral("faultdesk"), consoleHelp, consoleOptions, consoleArguments, console },
        { {}, Surface::Terminal, QStringLiteral("faultdesk"), consoleHelp, consoleOptions, consoleArguments,
            consoleHeadless },
        { QStringLiteral("check"), Surface::Terminal, QStringLiteral("faultdesk check"),
            QStringLiteral("Validate fleet descriptions; exit 2 when any is invalid."), {},
            { { QStringLiteral("check"), QStringLiteral("The check command.") },
                { QStringLiteral("files"), QStringLiteral("Fleet descriptions to validate."),
                    QStringLiteral("FLEET.yaml…") } },
            check },
        { QStringLiteral("demo"), Surface::Window, QStringLiteral("faultdesk"),
            QStringLiteral("Start the demo fleet and the console watching it."), demoOptions,
            { { QStringLiteral("demo"), theCommand } }, demoGui },
        { QStringLiteral("demo"), Surface::Terminal, QStringLiteral("faultdesk demo"),
            QStringLiteral("Start the demo fleet and monitor it headless."), monitorOptions,
            { { QStringLiteral("demo"), theCommand } }, demoHeadless },
        { QStringLiteral("monitor"), Surface::Terminal, QStringLiteral("faultdesk monitor"),
            QStringLiteral("Monitor a fleet headless: one status line (or JSON object) per event."), monitorOptions,
            { { QStringLiteral("monitor"), theCommand },
                { QStringLiteral("fleet"), QStringLiteral("Fleet description."), QStringLiteral("FLEET.yaml") } },
            monitor },
        { QStringLiteral("drill"), Surface::Terminal, QStringLiteral("faultdesk drill"),
            QStringLiteral("Fire drill on the demo fleet: inject a fault, detect, locate, Handle, Recover, verify.\n"
                           "  faultdesk drill crash|overload|corruption|attack|network [--auto] [--json]\n"
                           "  faultdesk drill campaign --faults N --seed S [--json]   a seeded random campaign, "
                           "scored"),
            drillOptions,
            { { QStringLiteral("drill"), QStringLiteral("drill") },
                { QStringLiteral("kind"),
                    QStringLiteral("%1, or campaign").arg(DrillScenario::drillNames().join(QStringLiteral(", "))) } },
            drill },
        { QStringLiteral("report"), Surface::Offscreen, QStringLiteral("faultdesk report"),
            QStringLiteral("Write an incident report from the incident database (exit 2 on bad input)."), reportOptions,
            { { QStringLiteral("report"), theCommand } }, report },
        { QStringLiteral("db"), Surface::Terminal, QStringLiteral("faultdesk db"),
            QStringLiteral("Incident database maintenance.\n"
                           "  faultdesk db migrate --db FILE|URL           create the database or upgrade its schema\n"
                           "  faultdesk db copy --from FILE|URL --to FILE|URL   copy a history into another "
                           "database\n\n"
                           "Databases are a file path (SQLite) or "
                           "postgresql://[user@]host[:port]/database[?param=value&...].\n"
                           "The password is never part of the URL: password_file=PATH (mode 600), "
                           "password_env=NAME, or libpq's\n"
                           ".pgpass / PGPASSFILE. TLS: sslmode=verify-full&sslrootcert=CA.pem (required for a "
                           "server off this machine)."),
            dbOptions,
            { { QStringLiteral("db"), theCommand }, { QStringLiteral("action"), QStringLiteral("migrate or copy") } },
            db },
    };
}

} // namespace FaultDesk::Commands
