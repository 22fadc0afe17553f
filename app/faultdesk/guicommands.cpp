// The window subcommands: `faultdesk demo` with a display and `faultdesk [FLEET.yaml]`.

#include "commands.h"

#include "alert/acknowledgementmanager.h"
#include "alert/alertmanagersource.h"
#include "audit/auditsink.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "drill/drillrunner.h"
#include "incident/incidentrecorder.h"
#include "incident/incidentstore.h"
#include "incident/storenotifier.h"
#include "incident/storeurl.h"
#include "maintenance/expiryreminder.h"
#include "maintenance/maintenancecontroller.h"
#include "maintenance/maintenancestore.h"
#include "model/faultmodel.h"
#include "monitor/monitor.h"
#include "remedy/advisorylocks.h"
#include "remedy/remediationcontroller.h"
#include "ui/alert/acknowledgeactions.h"
#include "ui/drillmenu.h"
#include "ui/history/exportreportdialog.h"
#include "ui/history/incidenthistoryview.h"
#include "ui/maintenance/maintenanceconsole.h"
#include "ui/mainwindow.h"
#include "ui/remedy/autoremediationpanel.h"
#include "ui/remedy/faultactions.h"
#include "ui/remedy/teamactivitylabel.h"
#include "ui/remedy/unfinishedremediationsbanner.h"
#include "util/buildinfo.h"
#include "util/signalwatcher.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QMessageBox>
#include <QPointer>
#include <QScreen>
#include <QSet>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <vector>

namespace FaultDesk::Commands {

namespace {

/// Where remediation's audit records go: into the incident database (through the recorder, which files them under
/// the right incident) and, as they are written, onto the window's action log and chart.
class ConsoleAuditSink : public AuditSink
{
public:
    ConsoleAuditSink(AuditSink* next, MainWindow* window)
        : m_next(next)
        , m_window(window)
    { }

    bool append(const AuditRecord& record, QString* error = nullptr) override
    {
        if (!m_next->append(record, error))
            return false;
        QMetaObject::invokeMethod(m_window, [window = m_window, record] {
            window->appendAuditRecord(record);
            if (record.phase == AuditRecord::Phase::Intent)
                window->addActionMarker(record.timeUtc.toMSecsSinceEpoch(), record.runbook.section(u'#', 0, 0));
        });
        return true;
    }
    QList<AuditRecord> records() const override { return m_next->records(); }

private:
    AuditSink* m_next;
    QPointer<MainWindow> m_window;
};

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
        // File ▸ Export Report… follows what the operator looks at: the selected fault's incident, or the past
        // incident opened in the history.
        QObject::connect(history, &IncidentHistoryView::incidentOpened, &m_window,
            [this](const QString& id) { m_window.setReportIncident(id, QObject::tr("incident %1").arg(id)); });
        QObject::connect(&m_window, &MainWindow::faultSelected, &m_window, [this](const QString& faultId) {
            if (faultId.isEmpty())
                return;
            const std::optional<Fault> fault = m_monitor.detector()->fault(faultId);
            if (!fault)
                return;
            const QString id = m_recorder.storeId(fault->incidentId);
            m_window.setReportIncident(id,
                id.isEmpty()
                    ? QObject::tr("The incident of %1 is still being recorded").arg(fault->target)
                    : QObject::tr("incident %1 (%2, %3)")
                          .arg(id, fault->rootCause ? fault->target : fault->rootTarget, causeClassName(fault->cause)));
        });
        QObject::connect(&m_window, &MainWindow::exportReportRequested, &m_window,
            [this](const QString& id) { ExportReportDialog::exportIncident(&m_store, id, &m_window); });
        QObject::connect(history, &IncidentHistoryView::exportRangeRequested, &m_window,
            [this](const QDateTime& from, const QDateTime& to, bool drills) {
                ExportReportDialog::exportRange(&m_store, from, to, drills, &m_window);
            });
        attachAcknowledgements();
        attachMaintenance();
        // "N in maintenance · M silenced": M is the Alertmanager silences FaultDesk holds for acknowledgements.
        QObject::connect(
            m_acks.get(), &AcknowledgementManager::countsChanged, m_maintenanceConsole, [this](int, int silenced) {
                m_maintenanceConsole->setSilencedCount(silenced);
                watchSilences();
            });
        m_maintenanceConsole->setSilencedCount(m_acks->silencedCount());
        // The same early warning as for maintenance windows, before a silence FaultDesk holds lapses.
        m_silenceReminder.setLead(std::chrono::minutes(
            std::max(0, QSettings().value(QStringLiteral("maintenance/reminderMinutes"), 10).toInt())));
        m_silenceReminder.setCheckInterval(std::chrono::seconds(5));
        QObject::connect(&m_silenceReminder, &ExpiryReminder::endingSoon, &m_window,
            [this](const QString&, const QString& label, const QDateTime& endsAt) {
                m_window.showNotification(QObject::tr("%1 lapses at %2; acknowledge again to keep it silenced")
                                              .arg(label, endsAt.toLocalTime().toString(QStringLiteral("HH:mm"))),
                    false);
            });
        watchSilences();
        attachTeam(history);
    }

    ~ConsoleSession()
    {
        m_maintenance.setDetector(nullptr);
        // The buttons and the drill engine go before the controller they call.
        m_window.setFaultActions(nullptr);
        m_window.setRemediation(nullptr);
        m_window.setBanner(nullptr);
        m_remedy.reset();
        m_recorder.saveAllSeries();
        m_recorder.waitForWrites();
    }

    MainWindow& window() { return m_window; }
    Monitor& monitor() { return m_monitor; }
    /// Handle/Recover for the fleet now monitored (null before a fleet is open).
    RemediationController* remedy() const { return m_remedy.get(); }

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
        m_recorder.attach(m_monitor.detector(), m_monitor.store(), m_monitor.config());
        attachAlertSources(*result.config);
        m_maintenance.setFleet(m_monitor.config());
        m_maintenance.setDetector(m_monitor.detector());
        m_monitor.start();
        m_running = true;
        m_window.setMonitor(&m_monitor);
        attachRemediation();
        return true;
    }

    void setDemo(DemoFleetProcess* demo)
    {
        m_demo = demo;
        m_window.setDemoFleet(demo);
    }

    void stop() { m_monitor.stop(); }

private:
    /// Acknowledge/Unacknowledge (Faults menu, context menu, Ctrl+K) and the acknowledgements kept from the last run.
    void attachAcknowledgements()
    {
        m_acks = std::make_unique<AcknowledgementManager>(m_monitor.detector(), &m_audit);
        m_acks->setIncidentRecorder(&m_recorder);
        m_window.faultModel()->setAcknowledgementManager(m_acks.get());
        QObject::connect(m_acks.get(), &AcknowledgementManager::notice, &m_window,
            [this](const QString& text, bool critical) { m_window.showNotification(text, critical); });
        auto* actions = new AcknowledgeActions(m_acks.get(), m_window.faultView(), &m_window);
        m_window.addFaultMenuActions({ actions->acknowledgeAction(), actions->unacknowledgeAction() });
        m_acks->restore();
    }

    /**
     * A team's PostgreSQL store: the other consoles' incidents, acknowledgements and maintenance windows as they are
     * committed (LISTEN/NOTIFY, then that one row is read), and remediation locks that are the store's advisory locks,
     * with who is acting in the status bar.
     */
    void attachTeam(IncidentHistoryView* history)
    {
        if (!m_store.url().isPostgres())
            return;
        m_notifier = std::make_unique<StoreNotifier>(m_store.url());
        m_locks = std::make_unique<AdvisoryLocks>(m_store.url());
        m_locks->follow(m_notifier.get());
        QString error;
        if (!m_notifier->start(&error))
            m_window.showNotification(QObject::tr("Not hearing the other consoles (retrying): %1").arg(error), true);
        if (!m_locks->open(&error))
            m_window.showNotification(
                QObject::tr("%1 — automation does not act until the store is back").arg(error), true);
        // A burst of changes (a drill's incident and its events) reloads the history once.
        auto* reload = new QTimer(history);
        reload->setSingleShot(true);
        reload->setInterval(300);
        QObject::connect(reload, &QTimer::timeout, history, &IncidentHistoryView::refresh);
        QObject::connect(m_notifier.get(), &StoreNotifier::resynced, reload, qOverload<>(&QTimer::start));
        QObject::connect(m_notifier.get(), &StoreNotifier::changed, &m_window,
            [this, reload](const QString& table, const QString&, const QString& key) {
                if (table == u"incidents" || table == u"incident_events") {
                    reload->start();
                } else if (table == u"maintenance_windows") {
                    m_maintenance.applyStored(key);
                } else if (table == u"audit" && m_acks) {
                    bool isSeq = false;
                    const qint64 seq = key.toLongLong(&isSeq);
                    if (const auto record = isSeq ? m_store.auditRecord(seq) : std::nullopt)
                        m_acks->applyShared(*record);
                }
            });
        m_window.statusBar()->addPermanentWidget(new TeamActivityLabel(m_locks.get(), m_notifier.get()));
    }

    /// Keeps the reminder's list equal to the silences FaultDesk holds now.
    void watchSilences()
    {
        QSet<QString> now;
        for (const AcknowledgementManager::SilenceEnd& s : m_acks->silenceEnds()) {
            now.insert(s.id);
            if (s.endsUtc.isValid())
                m_silenceReminder.watch(s.id, QObject::tr("The silence for %1").arg(s.target), s.endsUtc);
        }
        for (const QString& id : std::as_const(m_watchedSilences)) {
            if (!now.contains(id))
                m_silenceReminder.unwatch(id);
        }
        m_watchedSilences = now;
    }

    /// One AlertmanagerSource per `alertmanager:` entry of the fleet now monitored; its alerts become faults.
    void attachAlertSources(const FleetConfig& config)
    {
        m_acks->clearSources();
        m_alertSources.clear();
        for (const AlertmanagerConfig& am : config.alertmanager) {
            auto source = std::make_unique<AlertmanagerSource>(am, config, m_monitor.detector());
            m_acks->addSource(source.get());
            source->start();
            m_alertSources.push_back(std::move(source));
        }
    }

    /// Handle/Recover for the fleet now monitored: the controller reads the configuration when it is made.
    void attachRemediation()
    {
        m_window.setFaultActions(nullptr);
        m_window.setBanner(nullptr);
        m_window.setRemediation(nullptr);
        if (m_autoDock) {
            m_autoDock->deleteLater();
            m_autoDock = nullptr;
        }
        m_remedy.reset();
        const QString lockDir = m_store.localDirectory() + QStringLiteral("/locks");
        QDir().mkpath(lockDir);
        m_remedy = std::make_unique<RemediationController>(m_monitor.config(), m_monitor.detector(), &m_audit, lockDir,
            qEnvironmentVariable("USER", QStringLiteral("operator")));
        // Automation switches and give-ups survive a restart: kept beside the incident database.
        QString stateError;
        if (!m_remedy->setAutomationStateFile(
                QFileInfo(lockDir).absolutePath() + QStringLiteral("/automation.json"), &stateError))
            m_window.showNotification(
                QObject::tr("Automation state not restored (automation stays off): %1").arg(stateError), true);
        if (m_locks)
            m_remedy->setSharedLocks(m_locks.get());
        m_window.setRemediation(m_remedy.get());
        auto* actions = new FaultActions(m_remedy.get());
        m_window.setFaultActions(actions);
        actions->setFaultId(m_window.selectedFaultId());
        QObject::connect(&m_window, &MainWindow::faultSelected, actions, &FaultActions::setFaultId);
        // Batch Handle: the fault panel's selection; refusals land in the action log next to the runs' own records.
        actions->setFaultIds(m_window.selectedFaultIds());
        QObject::connect(&m_window, &MainWindow::faultsSelected, actions, &FaultActions::setFaultIds);
        QObject::connect(actions, &FaultActions::batchItemDone, &m_window,
            [this](const QString& faultId, bool started, const QString& message) {
                if (started)
                    return;
                AuditRecord r;
                r.actionId = QStringLiteral("batch-") + faultId;
                r.phase = AuditRecord::Phase::Result;
                r.timeUtc = QDateTime::currentDateTimeUtc();
                r.operatorName = m_remedy ? m_remedy->operatorName() : QString();
                if (const auto f = m_monitor.detector()->fault(faultId)) {
                    r.target = f->target;
                    r.incidentId = f->incidentId;
                }
                r.runbook = QStringLiteral("batch/handle");
                r.actionKind = QStringLiteral("handle");
                r.description = QStringLiteral("Handle selected: %1 %2").arg(faultId, message);
                r.status = QStringLiteral("refused");
                m_window.appendAuditRecord(r);
            });
        QObject::connect(m_remedy.get(), &RemediationController::escalated, &m_window,
            [this](const QString&, const QString& message) { m_window.showNotification(message, true); });
        QObject::connect(
            m_remedy.get(), &RemediationController::baselineCaptured, &m_window, [this](const QString& faultId) {
                const auto fault = m_monitor.detector()->fault(faultId);
                const auto baseline = m_remedy->baseline(faultId);
                if (fault && baseline)
                    m_recorder.setBaseline(fault->incidentId, baseline->toJson());
            });
        m_autoDock = m_window.addDock(new AutoRemediationPanel(m_remedy.get()), QObject::tr("Automation"),
            QStringLiteral("automationDock"), Qt::RightDockWidgetArea);
        // Remediations a previous run left unfinished (intent without result): offered for Recover or Dismiss.
        UnfinishedRemediationsBanner::showIn(&m_window, m_remedy.get());
    }

    /// Maintenance windows: restored from the incident database, audited, shown in the status bar and fleet view.
    void attachMaintenance()
    {
        MaintenanceController::Settings settings;
        const int minutes = QSettings().value(QStringLiteral("maintenance/reminderMinutes"), 10).toInt();
        settings.reminderLead = std::chrono::minutes(std::max(0, minutes));
        m_maintenance.setSettings(settings);
        m_maintenance.setAuditSink(&m_audit);
        QString error;
        if (!m_maintenance.setStore(&m_maintenanceStore, &error))
            m_window.showNotification(error, true);
        m_maintenanceConsole = new MaintenanceConsole(
            &m_window, &m_maintenance, qEnvironmentVariable("USER", QStringLiteral("operator")));
        m_maintenance.start();
    }

public:
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
    MaintenanceStore m_maintenanceStore { &m_store };
    IncidentRecorder m_recorder;
    MainWindow m_window;
    ConsoleAuditSink m_audit { &m_recorder, &m_window };
    MaintenanceController m_maintenance;
    MaintenanceConsole* m_maintenanceConsole = nullptr; ///< owned by m_window
    std::unique_ptr<StoreNotifier> m_notifier; ///< a team's store only
    std::unique_ptr<AdvisoryLocks> m_locks; ///< a team's store only; outlives the controller
    std::unique_ptr<RemediationController> m_remedy;
    std::unique_ptr<AcknowledgementManager> m_acks;
    ExpiryReminder m_silenceReminder;
    QSet<QString> m_watchedSilences;
    std::vector<std::unique_ptr<AlertmanagerSource>> m_alertSources;
    QDockWidget* m_autoDock = nullptr;
    DemoFleetProcess* m_demo = nullptr;
    bool m_running = false;
};

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
        { QStringLiteral("verbose"), QStringLiteral("Mirror the log to the terminal.") },
        { QStringLiteral("log-dir"), QStringLiteral("Directory for the log files."), QStringLiteral("DIR") },
        { QStringLiteral("db"),
            QStringLiteral("Incident database: a file (SQLite) or postgresql://user@host:port/db?… (default: %1).")
                .arg(IncidentStore::defaultPath()),
            QStringLiteral("FILE|URL") },
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

/// `--drill KIND[:TARGET]` after the delay, run as the Drill menu runs it: with `--drill-auto` the engine presses
/// Handle, ends the cause and presses Recover (audited as "drill"); without, the operator presses the buttons and the
/// engine follows.
void startDrill(MainWindow& window, const GuiOptions& options)
{
    const QString kind = options.drill.section(u':', 0, 0);
    const QString target = options.drill.section(u':', 1);
    window.drillMenu()->setAutomatic(options.drillAuto);
    QTimer::singleShot(options.drillDelayS * 1000, &window, [&window, kind, target] { window.drill(kind, target); });
}

} // namespace

int demoGui(const QStringList& arguments)
{
    GuiOptions options;
    if (const auto code = parseGui(arguments, true, options))
        return *code;
    ConsoleSession session(options.db);
    showWindow(session.window(), options);
    session.window().statusBar()->showMessage(QObject::tr("Starting the demo fleet…"));

    DemoFleetProcess fleet;
    QString error;
    if (!fleet.start(60000, &error)) {
        std::fprintf(stderr, "faultdesk demo: %s\n", qPrintable(error));
        QMessageBox::critical(
            &session.window(), QObject::tr("Demo fleet"), QObject::tr("The demo fleet did not start: %1").arg(error));
        return ExitFailed;
    }
    std::printf("Demo fleet running in %s\n", qPrintable(fleet.runtimeDirectory()));
    std::fflush(stdout);
    QObject::connect(&fleet, &DemoFleetProcess::stopped, &session.window(), [&session](const QString& reason) {
        session.window().showNotification(QObject::tr("The demo fleet stopped: %1").arg(reason), false);
    });
    if (!session.openFleet(fleet.fleetConfigPath()))
        return ExitFailed;
    session.setDemo(&fleet);
    if (!options.drill.isEmpty())
        startDrill(session.window(), options);
    const int code = runSession(session);
    fleet.stop();
    return code;
}

int console(const QStringList& arguments)
{
    GuiOptions options;
    if (const auto code = parseGui(arguments, false, options))
        return *code;
    ConsoleSession session(options.db);
    showWindow(session.window(), options);
    if (!options.fleet.isEmpty())
        session.openFleet(options.fleet);
    return runSession(session);
}

} // namespace FaultDesk::Commands
