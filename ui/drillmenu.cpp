#include "ui/drillmenu.h"

#include "drill/demofleetprocess.h"
#include "drill/drillrunner.h"
#include "monitor/monitor.h"

#include <QMenu>
#include <QMenuBar>

namespace FaultDesk {

namespace {

/// Each phase may take this long in the console (a loaded desktop; the operator's own Handle and Recover do not
/// count: the engine waits for them).
constexpr std::chrono::milliseconds PhaseTimeout { 120000 };

} // namespace

DrillMenu::DrillMenu(QMenuBar* menuBar, QAction* before, QObject* parent)
    : QObject(parent)
    , m_menuBar(menuBar)
    , m_before(before)
    , m_menu(new QMenu(tr("&Drill"), menuBar))
{
    m_menu->setObjectName(QStringLiteral("drillMenu"));
    m_automaticAction = new QAction(tr("Handle and Recover &Automatically"), this);
    m_automaticAction->setObjectName(QStringLiteral("drillAutomatic"));
    m_automaticAction->setCheckable(true);
    m_automaticAction->setStatusTip(
        tr("The drill presses Handle and Recover itself; off, it waits for you to press them"));
    m_stopAction = new QAction(tr("&Stop Drill"), this);
    m_stopAction->setObjectName(QStringLiteral("drillStop"));
    m_stopAction->setStatusTip(tr("Stop the running drill and end the fault it injected"));
    connect(m_stopAction, &QAction::triggered, this, &DrillMenu::stop);
}

DrillMenu::~DrillMenu() = default;

void DrillMenu::setFleet(DemoFleetProcess* fleet, Monitor* monitor)
{
    const bool same = fleet == m_fleet && monitor == m_monitor;
    m_fleet = fleet;
    m_monitor = monitor;
    if (!same)
        makeRunner();
    rebuild();
}

void DrillMenu::setRemediation(RemediationController* controller)
{
    if (controller == m_controller)
        return;
    m_controller = controller;
    makeRunner();
    updateActions();
}

void DrillMenu::makeRunner()
{
    // The engine follows one monitor, controller and fleet; any change ends the drill that ran on the old ones.
    if (m_runner) {
        m_runner->disconnect(this);
        m_runner->abort(tr("the console switched fleets"));
        m_runner->deleteLater();
        m_runner = nullptr;
        if (!m_what.isEmpty())
            Q_EMIT finished(std::exchange(m_what, {}), false, tr("stopped: the console switched fleets"));
    }
    if (!m_fleet || !m_monitor || !m_controller)
        return;
    m_runner = new DrillRunner(m_monitor, m_controller, m_fleet, this);
    connect(m_runner, &DrillRunner::progress, this, &DrillMenu::progress);
    connect(m_runner, &DrillRunner::phaseChanged, this, [this](DrillRunner::Phase phase) {
        if (phase == DrillRunner::Phase::Detecting) {
            Q_EMIT injected(m_what);
        } else if (phase == DrillRunner::Phase::Handling) {
            for (const DrillOutcome::PerFault& f : m_runner->outcome().faults) {
                if (f.handled) {
                    Q_EMIT faultToHandle(f.handled->faultId);
                    if (!isAutomatic())
                        Q_EMIT prompt(tr("Drill: located %1 (%2) — press Handle when ready")
                                          .arg(f.handled->target, causeClassName(f.handled->cause)));
                    break;
                }
            }
        } else if (phase == DrillRunner::Phase::Recovering && !isAutomatic()) {
            Q_EMIT prompt(tr("Drill: the cause has ended — press Recover to return to the baseline"));
        }
    });
    connect(m_runner, &DrillRunner::finished, this, [this](const DrillOutcome& outcome) {
        const QString what = std::exchange(m_what, {});
        updateActions();
        Q_EMIT finished(what, outcome.passed(), summary(outcome));
    });
}

bool DrillMenu::isRunning() const
{
    return m_runner && m_runner->isRunning();
}

bool DrillMenu::isAutomatic() const
{
    return m_automaticAction->isChecked();
}

void DrillMenu::setAutomatic(bool automatic)
{
    m_automaticAction->setChecked(automatic);
}

void DrillMenu::rebuild()
{
    m_menu->clear();
    m_drillActions.clear();
    QAction* menuAction = m_menu->menuAction();
    if (!m_fleet || !m_monitor) {
        m_menuBar->removeAction(menuAction);
        return;
    }
    if (!m_menuBar->actions().contains(menuAction))
        m_menuBar->insertAction(m_before, menuAction);
    QStringList webServers;
    QList<std::pair<QString, QString>> links; // target → the dependency a `link:` signal watches
    for (const TargetConfig& target : m_monitor->config().targets) {
        if (target.group == u"web")
            webServers << target.name;
        for (const SignalConfig& signal : target.signalConfigs) {
            if (!signal.link.isEmpty())
                links.append({ target.name, signal.link });
        }
    }
    const auto add = [this](QMenu* menu, const QString& text, const QString& name, const QString& kind,
                         const QString& target = {}, const QString& dependency = {}) {
        QAction* action = menu->addAction(text);
        action->setObjectName(QStringLiteral("drill-") + name);
        connect(
            action, &QAction::triggered, this, [this, kind, target, dependency] { start(kind, target, dependency); });
        m_drillActions << action;
        return action;
    };
    add(m_menu, tr("Inject &Overload (flash sale)"), QStringLiteral("overload"), QStringLiteral("overload"));
    QMenu* crash = m_menu->addMenu(tr("Inject &Crash"));
    crash->setObjectName(QStringLiteral("drillCrashMenu"));
    for (const QString& server : std::as_const(webServers))
        add(crash, server, QStringLiteral("crash ") + server, QStringLiteral("crash"), server);
    add(m_menu, tr("Inject C&orruption"), QStringLiteral("corruption"), QStringLiteral("corruption"));
    add(m_menu, tr("Inject &Attack"), QStringLiteral("attack"), QStringLiteral("attack"));
    // Only the paths the fleet file watches with a `link:` signal can be located as a link fault.
    if (!links.isEmpty()) {
        QMenu* network = m_menu->addMenu(tr("Cut a &Network Path"));
        network->setObjectName(QStringLiteral("drillNetworkMenu"));
        for (const auto& [target, dependency] : std::as_const(links))
            add(network, tr("%1 → %2").arg(target, dependency),
                QStringLiteral("network %1 → %2").arg(target, dependency), QStringLiteral("network"), target,
                dependency);
    }
    m_menu->addSeparator();
    m_menu->addAction(m_automaticAction);
    m_menu->addAction(m_stopAction);
    QAction* clear = m_menu->addAction(tr("C&lear All"));
    clear->setObjectName(QStringLiteral("drill-clear"));
    clear->setStatusTip(tr("Stop the running drill and end every fault injected into the demo fleet"));
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    connect(clear, &QAction::triggered, this, &DrillMenu::clearAll);
    updateActions();
}

void DrillMenu::updateActions()
{
    // One drill at a time: the engine scores what FaultDesk says against the one fault it injected.
    const bool running = isRunning();
    for (QAction* action : std::as_const(m_drillActions)) {
        action->setEnabled(!running && m_controller);
        action->setToolTip(running ? tr("A drill runs: %1").arg(m_what) : QString());
    }
    m_stopAction->setEnabled(running);
    m_stopAction->setText(running ? tr("&Stop Drill (%1)").arg(m_what) : tr("&Stop Drill"));
}

void DrillMenu::drill(const QString& kind, const QString& target)
{
    if (kind == u"clear")
        clearAll();
    else
        start(kind, target, {});
}

void DrillMenu::start(const QString& kind, const QString& target, const QString& dependency)
{
    DrillFault fault { kind, target, dependency };
    const QString what = fault.describe();
    if (!m_fleet || !m_fleet->isRunning()) {
        Q_EMIT finished(what, false, tr("the demo fleet is not running"));
        return;
    }
    if (!m_runner) {
        Q_EMIT finished(what, false, tr("Handle and Recover are not ready yet"));
        return;
    }
    if (isRunning()) {
        Q_EMIT finished(what, false, tr("the drill %1 is still running; stop it first").arg(m_what));
        return;
    }
    DrillRunner::Settings settings;
    settings.mode = isAutomatic() ? DrillRunner::Mode::Auto : DrillRunner::Mode::Observe;
    settings.phaseTimeout = PhaseTimeout;
    m_runner->setSettings(settings);
    QString error;
    m_what = what;
    if (!m_runner->start({ fault }, &error)) {
        m_what.clear();
        Q_EMIT finished(what, false, error);
        return;
    }
    updateActions();
    Q_EMIT started(what);
}

void DrillMenu::stop()
{
    if (isRunning())
        m_runner->abort(tr("stopped by the operator"));
}

void DrillMenu::clearAll()
{
    stop();
    const QString what = QStringLiteral("clear");
    if (!m_fleet || !m_fleet->isRunning()) {
        Q_EMIT finished(what, false, tr("the demo fleet is not running"));
        return;
    }
    Q_EMIT started(what);
    m_fleet->controlAsync({ QStringLiteral("clear") }, this, [this, what](int code, const QByteArray& output) {
        const QString message = QString::fromUtf8(output).trimmed();
        Q_EMIT finished(what, code == 0,
            code == 0      ? QString()
                : code < 0 ? tr("fleetsim did not answer in time")
                           : (message.isEmpty() ? tr("exit code %1").arg(code) : message));
    });
}

QString DrillMenu::summary(const DrillOutcome& outcome)
{
    if (!outcome.failure.isEmpty())
        return outcome.failure;
    const DrillOutcome::PerFault first = outcome.faults.value(0);
    QString root;
    if (first.named && !first.named->pool.isEmpty())
        root = tr("root cause the %1 pool (%2, began at %3)")
                   .arg(first.named->pool, causeClassName(first.named->cause), first.named->target);
    else if (first.named)
        root = tr("root cause %1 (%2)").arg(first.named->target, causeClassName(first.named->cause));
    else
        root = tr("no root cause located");
    const QString incidents
        = outcome.incidents.size() == 1 ? tr("1 incident") : tr("%1 incidents").arg(outcome.incidents.size());
    if (outcome.passed())
        return tr("%1, %2, recovered to its baseline").arg(incidents, root);
    QStringList why;
    if (outcome.incidents.size() != outcome.faults.size())
        why << incidents;
    if (!outcome.falseRoots.isEmpty()) {
        QStringList roots;
        for (const JournalEntry& e : outcome.falseRoots)
            roots << e.target;
        roots.removeDuplicates();
        why << tr("blamed %1 wrongly").arg(roots.join(QStringLiteral(", ")));
    }
    if (!first.rightRoot)
        why << root;
    if (!first.recover)
        why << tr("not recovered");
    else if (!first.recovered)
        why << tr("Recover not verified");
    else if (!first.baselineRestored)
        why << tr("baseline differs: %1").arg(first.baselineDifferences.join(QStringLiteral("; ")));
    return tr("not passed: %1").arg(why.join(QStringLiteral(", ")));
}

} // namespace FaultDesk
