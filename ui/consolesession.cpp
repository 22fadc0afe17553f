#include "ui/consolesession.h"

#include "alert/acknowledgementmanager.h"
#include "alert/alertmanagersource.h"
#include "audit/auditsink.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "incident/storenotifier.h"
#include "model/faultmodel.h"
#include "remedy/advisorylocks.h"
#include "remedy/recorderfeed.h"
#include "remedy/remediationcontroller.h"
#include "ui/alert/acknowledgeactions.h"
#include "ui/drillmenu.h"
#include "ui/history/exportreportdialog.h"
#include "ui/history/incidenthistoryview.h"
#include "ui/maintenance/maintenanceconsole.h"
#include "ui/remedy/autoremediationpanel.h"
#include "ui/remedy/faultactions.h"
#include "ui/remedy/teamactivitylabel.h"
#include "ui/remedy/unfinishedremediationsbanner.h"
#include "ui/storestatuslabel.h"

#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMessageBox>
#include <QPointer>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include <cstdio>

namespace FaultDesk {

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

} // namespace

IncidentStore::Options ConsoleSession::storeOptions(const QString& path)
{
    IncidentStore::Options o;
    o.path = path;
    return o;
}

ConsoleSession::ConsoleSession(const QString& dbPath)
    : m_store(storeOptions(dbPath))
    , m_recorder(&m_store)
    , m_audit(std::make_unique<ConsoleAuditSink>(&m_recorder, &m_window))
{
    QObject::connect(
        &m_window, &MainWindow::openFleetRequested, &m_window, [this](const QString& path) { openFleet(path); });
    QString dbError;
    if (!m_store.open(&dbError))
        m_window.showNotification(
            QObject::tr("Incident database unavailable: %1 — incidents wait %2")
                .arg(dbError,
                    m_store.journalPath().isEmpty() ? QObject::tr("in memory") : QObject::tr("in the local journal")),
            true);
    // Which store, and whether it takes writes: connected, reconnecting since …, N writes journaled.
    auto* storeStatus = new StoreStatusLabel(&m_window);
    storeStatus->watch(&m_store);
    m_window.statusBar()->addPermanentWidget(storeStatus);
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

ConsoleSession::~ConsoleSession()
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

bool ConsoleSession::openFleet(const QString& path)
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

void ConsoleSession::show(bool fillScreen)
{
    if (fillScreen) {
        if (QScreen* screen = QGuiApplication::primaryScreen())
            m_window.setGeometry(screen->availableGeometry());
    }
    m_window.show();
}

bool ConsoleSession::startDemo(DemoFleetProcess* fleet)
{
    m_window.statusBar()->showMessage(QObject::tr("Starting the demo fleet…"));
    QString error;
    if (!fleet->start(60000, &error)) {
        std::fprintf(stderr, "faultdesk demo: %s\n", qPrintable(error));
        QMessageBox::critical(
            &m_window, QObject::tr("Demo fleet"), QObject::tr("The demo fleet did not start: %1").arg(error));
        return false;
    }
    QObject::connect(fleet, &DemoFleetProcess::stopped, &m_window, [this](const QString& reason) {
        m_window.showNotification(QObject::tr("The demo fleet stopped: %1").arg(reason), false);
    });
    if (!openFleet(fleet->fleetConfigPath()))
        return false;
    setDemo(fleet);
    return true;
}

void ConsoleSession::scheduleDrill(const QString& kind, const QString& target, bool automatic, int delayS)
{
    m_window.drillMenu()->setAutomatic(automatic);
    QTimer::singleShot(delayS * 1000, &m_window, [this, kind, target] { m_window.drill(kind, target); });
}

void ConsoleSession::setDemo(DemoFleetProcess* demo)
{
    m_demo = demo;
    m_window.setDemoFleet(demo);
}

void ConsoleSession::attachAcknowledgements()
{
    m_acks = std::make_unique<AcknowledgementManager>(m_monitor.detector(), m_audit.get());
    m_acks->setIncidentRecorder(&m_recorder);
    m_window.faultModel()->setAcknowledgementManager(m_acks.get());
    QObject::connect(m_acks.get(), &AcknowledgementManager::notice, &m_window,
        [this](const QString& text, bool critical) { m_window.showNotification(text, critical); });
    auto* actions = new AcknowledgeActions(m_acks.get(), m_window.faultView(), &m_window);
    m_window.addFaultMenuActions({ actions->acknowledgeAction(), actions->unacknowledgeAction() });
    m_acks->restore();
}

void ConsoleSession::attachTeam(IncidentHistoryView* history)
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
        m_window.showNotification(QObject::tr("%1 — automation does not act until the store is back").arg(error), true);
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

void ConsoleSession::watchSilences()
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

void ConsoleSession::attachAlertSources(const FleetConfig& config)
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

void ConsoleSession::attachRemediation()
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
    m_remedy = std::make_unique<RemediationController>(m_monitor.config(), m_monitor.detector(), m_audit.get(), lockDir,
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
    // Batch Handle: the fault panel's selection. A refused Handle is in the audit trail (and so the action log) as the
    // controller writes every person's refused request.
    actions->setFaultIds(m_window.selectedFaultIds());
    QObject::connect(&m_window, &MainWindow::faultsSelected, actions, &FaultActions::setFaultIds);
    // Baselines and runs reach the incident record: recovered once Recover verified what Handle changed, not when the
    // target passes its checks.
    RecorderFeed::connect(*m_remedy, *m_monitor.detector(), m_recorder);
    QObject::connect(m_remedy.get(), &RemediationController::escalated, &m_window,
        [this](const QString&, const QString& message) { m_window.showNotification(message, true); });
    m_autoDock = m_window.addDock(new AutoRemediationPanel(m_remedy.get()), QObject::tr("Automation"),
        QStringLiteral("automationDock"), Qt::RightDockWidgetArea);
    // Remediations a previous run left unfinished (intent without result): offered for Recover or Dismiss.
    UnfinishedRemediationsBanner::showIn(&m_window, m_remedy.get());
}

void ConsoleSession::attachMaintenance()
{
    MaintenanceController::Settings settings;
    const int minutes = QSettings().value(QStringLiteral("maintenance/reminderMinutes"), 10).toInt();
    settings.reminderLead = std::chrono::minutes(std::max(0, minutes));
    m_maintenance.setSettings(settings);
    m_maintenance.setAuditSink(m_audit.get());
    QString error;
    if (!m_maintenance.setStore(&m_maintenanceStore, &error))
        m_window.showNotification(error, true);
    m_maintenanceConsole
        = new MaintenanceConsole(&m_window, &m_maintenance, qEnvironmentVariable("USER", QStringLiteral("operator")));
    m_maintenance.start();
}

} // namespace FaultDesk
