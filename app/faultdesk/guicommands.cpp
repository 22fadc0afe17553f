// The window subcommands: `faultdesk demo` with a display and `faultdesk [FLEET.yaml]`.

#include "commands.h"

#include "config/fleetconfigloader.h"
#include "exportreportdialog.h"
#include "incident/incidentrecorder.h"
#include "incident/incidentstore.h"
#include "incidenthistoryview.h"
#include "mainwindow.h"
#include "monitor/demofleet.h"
#include "monitor/monitor.h"
#include "util/buildinfo.h"
#include "util/signalwatcher.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QScreen>
#include <QStatusBar>
#include <QTimer>

#include <cstdio>

namespace FaultDesk::Commands {

namespace {

/// One console: the window, its monitor and (for the demo) the fleet it watches.
class ConsoleSession
{
public:
    explicit ConsoleSession(const QString& dbPath = {})
        : m_store(storeOptions(dbPath))
        , m_recorder(&m_store)
    {
        QObject::connect(
            &m_window, &MainWindow::openFleetRequested, &m_window, [this](const QString& path) { openFleet(path); });
        QString dbError;
        if (!m_store.open(&dbError))
            m_window.showNotification(
                QObject::tr("Incident database unavailable: %1 — incidents wait in memory").arg(dbError), true);
        QObject::connect(&m_store, &IncidentStore::errorOccurred, &m_window,
            [this](const QString& error) { m_window.showNotification(error, true); });
        // Past incidents, searchable, each exportable as a report.
        auto* history = new IncidentHistoryView(&m_store, &m_window);
        m_window.addHistoryDock(history);
        QObject::connect(history, &IncidentHistoryView::exportRequested, &m_window,
            [this](const QString& id) { ExportReportDialog::exportIncident(&m_store, id, &m_window); });
        QObject::connect(history, &IncidentHistoryView::exportRangeRequested, &m_window,
            [this](const QDateTime& from, const QDateTime& to, bool drills) {
                ExportReportDialog::exportRange(&m_store, from, to, drills, &m_window);
            });
    }

    ~ConsoleSession()
    {
        m_recorder.saveAllSeries();
        m_recorder.waitForWrites();
    }

    MainWindow& window() { return m_window; }
    Monitor& monitor() { return m_monitor; }

    /// Loads and monitors @p path; on errors shows them (file:line:col) and keeps what runs now.
    bool openFleet(const QString& path)
    {
        const ConfigLoadResult result
            = m_running ? FleetConfigLoader::reload(path, m_monitor.config()) : FleetConfigLoader::loadFile(path);
        if (!result.ok()) {
            QStringList lines;
            for (const ConfigError& e : result.errors)
                lines << e.toString();
            const QString kept = m_running
                ? QObject::tr("\n\nThe console keeps monitoring %1.").arg(m_monitor.config().sourceFile)
                : QString();
            std::fprintf(stderr, "%s\n", qPrintable(lines.join(u'\n')));
            QMessageBox box(QMessageBox::Warning, QObject::tr("Fleet description has errors"),
                QObject::tr("%1 cannot be used:").arg(path) + kept, QMessageBox::Ok, &m_window);
            box.setDetailedText(lines.join(u'\n'));
            box.setInformativeText(lines.mid(0, 5).join(u'\n'));
            box.exec();
            return false;
        }
        if (m_demo && path != m_demo->fleetConfigPath())
            m_window.setDemoFleet(nullptr);
        m_window.setMonitor(nullptr);
        m_monitor.stop();
        m_monitor.setConfig(*result.config);
        m_recorder.attach(&m_monitor);
        m_monitor.start();
        m_running = true;
        m_window.setMonitor(&m_monitor);
        return true;
    }

    void setDemo(DemoFleet* demo)
    {
        m_demo = demo;
        m_window.setDemoFleet(demo);
    }

    void stop() { m_monitor.stop(); }

private:
    static IncidentStore::Options storeOptions(const QString& path)
    {
        IncidentStore::Options o;
        o.path = path;
        return o;
    }

    // Declared in this order so the window goes first and the monitor last.
    Monitor m_monitor;
    IncidentStore m_store;
    IncidentRecorder m_recorder;
    MainWindow m_window;
    DemoFleet* m_demo = nullptr;
    bool m_running = false;
};

struct GuiOptions
{
    bool fillScreen = false;
    QString drill; ///< KIND or KIND:TARGET, injected after the baseline settles
    int drillDelayS = 20;
    QString fleet;
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
        { QStringLiteral("verbose"), QStringLiteral("Mirror the log to the terminal.") },
        { QStringLiteral("log-dir"), QStringLiteral("Directory for the log files."), QStringLiteral("DIR") },
    });
    if (demo)
        parser.addPositionalArgument(QStringLiteral("demo"), QStringLiteral("The command."));
    else
        parser.addPositionalArgument(
            QStringLiteral("fleet"), QStringLiteral("Fleet description to monitor."), QStringLiteral("[FLEET.yaml]"));
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "faultdesk: %s\n", qPrintable(parser.errorText()));
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return ExitOk;
    }
    out.fillScreen = parser.isSet(QStringLiteral("fill-screen")) || qEnvironmentVariableIsSet("FAULTDESK_FILL_SCREEN");
    out.drill = parser.value(QStringLiteral("drill"));
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
    return std::nullopt;
}

void showWindow(MainWindow& window, const GuiOptions& options)
{
    if (options.fillScreen) {
        if (QScreen* screen = QGuiApplication::primaryScreen())
            window.setGeometry(screen->availableGeometry());
    }
    window.show();
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
    ConsoleSession session;
    showWindow(session.window(), options);
    session.window().statusBar()->showMessage(QObject::tr("Starting the demo fleet…"));

    DemoFleet fleet;
    QString error;
    if (!fleet.start(60000, &error)) {
        std::fprintf(stderr, "faultdesk demo: %s\n", qPrintable(error));
        QMessageBox::critical(
            &session.window(), QObject::tr("Demo fleet"), QObject::tr("The demo fleet did not start: %1").arg(error));
        return ExitFailed;
    }
    std::printf("Demo fleet running in %s\n", qPrintable(fleet.runtimeDirectory()));
    std::fflush(stdout);
    QObject::connect(&fleet, &DemoFleet::stopped, &session.window(), [&session](const QString& reason) {
        session.window().showNotification(QObject::tr("The demo fleet stopped: %1").arg(reason), false);
    });
    if (!session.openFleet(fleet.fleetConfigPath()))
        return ExitFailed;
    session.setDemo(&fleet);
    if (!options.drill.isEmpty()) {
        const QString kind = options.drill.section(u':', 0, 0);
        const QString target = options.drill.section(u':', 1);
        QTimer::singleShot(options.drillDelayS * 1000, &session.window(),
            [&session, kind, target] { session.window().drill(kind, target); });
    }
    const int code = runSession(session);
    fleet.stop();
    return code;
}

int console(const QStringList& arguments)
{
    GuiOptions options;
    if (const auto code = parseGui(arguments, false, options))
        return *code;
    ConsoleSession session;
    showWindow(session.window(), options);
    if (!options.fleet.isEmpty())
        session.openFleet(options.fleet);
    return runSession(session);
}

} // namespace FaultDesk::Commands
