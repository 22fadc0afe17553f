#include "maintenance/maintenancecontroller.h"

#include "audit/auditsink.h"
#include "config/fleetconfig.h"
#include "detect/detector.h"
#include "maintenance/maintenancestore.h"

#include <QUuid>

namespace FaultDesk {

MaintenanceController::MaintenanceController(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<FaultDesk::MaintenanceWindow>();
    connect(&m_timer, &QTimer::timeout, this, &MaintenanceController::evaluate);
    connect(&m_reminder, &ExpiryReminder::endingSoon, this, &MaintenanceController::endingSoon);
    setSettings(m_settings);
}

MaintenanceController::~MaintenanceController()
{
    // The detector may outlive this controller: leave no target suppressed by a schedule nobody keeps.
    if (m_detector)
        for (auto it = m_notes.cbegin(); it != m_notes.cend(); ++it)
            m_detector->setSuppressed(it.key(), {});
}

void MaintenanceController::setSettings(const Settings& settings)
{
    m_settings = settings;
    m_timer.setInterval(settings.checkInterval);
    m_reminder.setLead(settings.reminderLead);
    m_reminder.setCheckInterval(settings.reminderCheck);
    m_schedule.setMaxLengthMs(settings.maxLengthMs);
}

void MaintenanceController::setClock(MaintenanceSchedule::Clock clock)
{
    m_schedule.setClock(clock);
    m_reminder.setClock(std::move(clock));
}

void MaintenanceController::setDetector(Detector* detector)
{
    if (m_detector) {
        m_detector->disconnect(this);
        for (auto it = m_notes.cbegin(); it != m_notes.cend(); ++it)
            m_detector->setSuppressed(it.key(), {});
    }
    m_detector = detector;
    m_notes.clear();
    if (m_detector) {
        // A reload replaces the detector's targets and with them their suppression: apply it again.
        auto reapply = [this] {
            m_notes.clear();
            evaluate();
        };
        connect(m_detector, &Detector::targetsReset, this, reapply);
        connect(m_detector, &Detector::targetAdded, this, reapply);
    }
    evaluate();
}

bool MaintenanceController::setStore(MaintenanceStore* store, QString* error)
{
    m_store = store;
    if (!store)
        return true;
    QString why;
    const QDateTime keepFrom = now().addMSecs(-m_settings.keepEndedMs);
    const QList<MaintenanceWindow> stored = store->windows(keepFrom, &why);
    if (!why.isEmpty()) {
        if (error)
            *error = QStringLiteral("maintenance windows could not be read: %1").arg(why);
        return false;
    }
    for (const MaintenanceWindow& w : stored)
        m_schedule.add(w, true);
    store->pruneEndedBefore(keepFrom);
    Q_EMIT windowsChanged();
    evaluate();
    return true;
}

bool MaintenanceController::applyStored(const QString& id, QString* error)
{
    if (!m_store)
        return false;
    QString why;
    const std::optional<MaintenanceWindow> w = m_store->window(id, &why);
    if (!w) {
        if (error)
            *error = why.isEmpty() ? QStringLiteral("maintenance window %1 is not stored").arg(id) : why;
        return false;
    }
    if (!m_schedule.add(*w, true, error))
        return false;
    Q_EMIT windowsChanged();
    evaluate();
    return true;
}

void MaintenanceController::setFleet(const FleetConfig& config)
{
    QHash<QString, QString> groups;
    for (const TargetConfig& t : config.targets)
        groups.insert(t.name, t.group);
    m_schedule.setGroups(groups);
    QList<MaintenanceWindow> configured;
    int n = 0;
    for (const MaintenanceConfig& c : config.maintenance) {
        MaintenanceWindow w;
        w.id = QStringLiteral("cfg-%1").arg(++n);
        w.targets = c.targets;
        w.groups = c.groups;
        w.startUtc = c.startUtc;
        w.endUtc = c.endUtc;
        w.comment = c.comment;
        w.createdBy = QStringLiteral("config");
        w.origin = MaintenanceWindow::Origin::Config;
        configured.append(w);
    }
    m_schedule.setConfigured(configured);
    Q_EMIT windowsChanged();
    evaluate();
}

void MaintenanceController::start()
{
    m_timer.start();
    evaluate();
}

void MaintenanceController::stop()
{
    m_timer.stop();
}

bool MaintenanceController::audit(const QString& runbook, const MaintenanceWindow& window, const QString& operatorName,
    const QString& description, QString* error)
{
    if (!m_audit)
        return true;
    AuditRecord r;
    r.actionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    r.phase = AuditRecord::Phase::Result;
    r.timeUtc = now();
    r.operatorName = operatorName;
    r.target = window.scope();
    r.runbook = runbook;
    r.actionKind = QStringLiteral("maintenance");
    r.description = description;
    r.status = QStringLiteral("ok");
    r.durationMs = 0;
    QString why;
    if (m_audit->append(r, &why))
        return true;
    if (error)
        *error = QStringLiteral("the audit trail could not record it (%1); nothing was changed").arg(why);
    return false;
}

void MaintenanceController::save(const MaintenanceWindow& window)
{
    if (!m_store)
        return;
    m_store->save(window).then(this, [this, id = window.id](const WriteResult& r) {
        if (!r.ok)
            Q_EMIT errorOccurred(QStringLiteral("maintenance window %1 was not saved: %2").arg(id, r.error));
    });
}

QString MaintenanceController::create(
    MaintenanceWindow window, const QString& operatorName, bool confirmedLong, QString* error)
{
    auto fail = [error](const QString& why) {
        if (error)
            *error = why;
        return QString();
    };
    const QDateTime at = now();
    window.id = QStringLiteral("mw-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
    window.createdBy = operatorName;
    window.createdUtc = at;
    window.origin = MaintenanceWindow::Origin::Runtime;
    window.startUtc = window.startUtc.toUTC();
    window.endUtc = window.endUtc.toUTC();
    if (const QString why = window.problem(m_settings.maxLengthMs, confirmedLong); !why.isEmpty())
        return fail(why);
    if (window.endUtc <= at)
        return fail(QStringLiteral("the maintenance window would be over already (it ends %1)")
                        .arg(MaintenanceWindow::localTime(window.endUtc, at)));
    const QStringList known = m_schedule.knownTargets();
    if (!known.isEmpty()) {
        for (const QString& t : std::as_const(window.targets))
            if (!known.contains(t))
                return fail(QStringLiteral("%1 is not a target of this fleet").arg(t));
    }
    const QString description = QStringLiteral("maintenance %1 of %2 from %3 to %4 UTC%5")
                                    .arg(window.id, window.scope(), window.startUtc.toString(Qt::ISODate),
                                        window.endUtc.toString(Qt::ISODate),
                                        window.comment.isEmpty() ? QString() : QStringLiteral(": ") + window.comment);
    QString why;
    if (!audit(QStringLiteral("maintenance/start"), window, operatorName, description, &why))
        return fail(why);
    if (!m_schedule.add(window, confirmedLong, &why))
        return fail(why);
    save(window);
    Q_EMIT windowsChanged();
    evaluate();
    return window.id;
}

bool MaintenanceController::endNow(const QString& id, const QString& operatorName, QString* error)
{
    const auto current = m_schedule.window(id);
    if (!current) {
        if (error)
            *error = QStringLiteral("no maintenance window %1").arg(id);
        return false;
    }
    MaintenanceSchedule trial = m_schedule;
    MaintenanceWindow ended;
    if (!trial.end(id, now(), operatorName, error, &ended))
        return false;
    if (!audit(QStringLiteral("maintenance/end"), ended, operatorName,
            QStringLiteral("maintenance %1 of %2 ended early").arg(id, ended.scope()), error))
        return false;
    m_schedule = trial;
    save(ended);
    Q_EMIT windowsChanged();
    evaluate();
    return true;
}

void MaintenanceController::evaluate()
{
    const QDateTime at = now();
    if (m_settings.keepEndedMs > 0)
        m_schedule.prune(at.addMSecs(-m_settings.keepEndedMs));
    const QHash<QString, MaintenanceWindow> active = m_schedule.targetsInMaintenance(at);
    QHash<QString, QString> notes;
    QSet<QString> windowIds;
    QHash<QString, std::pair<QString, QDateTime>> remind; ///< window id → label, end of its chain
    for (auto it = active.cbegin(); it != active.cend(); ++it) {
        QDateTime until;
        const auto w = m_schedule.windowFor(it.key(), at, &until);
        if (!w)
            continue;
        notes.insert(it.key(),
            QStringLiteral("in a maintenance window until %1%2")
                .arg(MaintenanceWindow::localTime(until, at),
                    w->comment.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(w->comment)));
        windowIds.insert(w->id);
        if (!remind.contains(w->id) || remind.value(w->id).second < until)
            remind.insert(w->id, { w->label(), until });
    }
    // Windows covering only unknown targets still count as running for start/end announcements.
    for (const MaintenanceWindow& w : m_schedule.windows())
        if (w.activeAt(at))
            windowIds.insert(w.id);

    if (m_detector) {
        for (auto it = m_notes.cbegin(); it != m_notes.cend(); ++it)
            if (!notes.contains(it.key()))
                m_detector->setSuppressed(it.key(), {});
        for (auto it = notes.cbegin(); it != notes.cend(); ++it)
            if (m_notes.value(it.key()) != it.value())
                m_detector->setSuppressed(it.key(), it.value());
    }
    const bool changed = notes != m_notes;
    m_notes = notes;

    const QSet<QString> before = std::exchange(m_activeWindows, windowIds);
    for (const QString& id : windowIds)
        if (!before.contains(id))
            if (const auto w = m_schedule.window(id))
                Q_EMIT windowStarted(*w);
    for (const QString& id : before)
        if (!windowIds.contains(id))
            if (const auto w = m_schedule.window(id))
                Q_EMIT windowEnded(*w);
    if (changed)
        Q_EMIT activeChanged();

    // Last: a window that starts already close to its end announces its start before the reminder.
    for (const QString& id : m_reminder.watched())
        if (!remind.contains(id))
            m_reminder.unwatch(id);
    for (auto it = remind.cbegin(); it != remind.cend(); ++it)
        m_reminder.watch(it.key(), it.value().first, it.value().second);
}

} // namespace FaultDesk
