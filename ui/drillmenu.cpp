#include "drillmenu.h"

#include "drill/demofleetprocess.h"
#include "monitor/monitor.h"

#include <QMenu>
#include <QMenuBar>
#include <QProcess>

namespace FaultDesk {

DrillMenu::DrillMenu(QMenuBar* menuBar, QAction* before, QObject* parent)
    : QObject(parent)
    , m_menuBar(menuBar)
    , m_before(before)
    , m_menu(new QMenu(tr("&Drill"), menuBar))
{
    m_menu->setObjectName(QStringLiteral("drillMenu"));
}

DrillMenu::~DrillMenu() = default;

void DrillMenu::setFleet(DemoFleetProcess* fleet, Monitor* monitor)
{
    m_fleet = fleet;
    m_monitor = monitor;
    rebuild();
}

void DrillMenu::rebuild()
{
    m_menu->clear();
    QAction* menuAction = m_menu->menuAction();
    if (!m_fleet || !m_monitor) {
        m_menuBar->removeAction(menuAction);
        return;
    }
    if (!m_menuBar->actions().contains(menuAction))
        m_menuBar->insertAction(m_before, menuAction);
    QStringList webServers;
    for (const TargetConfig& target : m_monitor->config().targets) {
        if (target.group == u"web")
            webServers << target.name;
    }
    const auto add = [this](QMenu* menu, const QString& text, const QString& what, const QStringList& args) {
        QAction* action = menu->addAction(text);
        action->setObjectName(QStringLiteral("drill-") + what);
        connect(action, &QAction::triggered, this, [this, what, args] { run(what, args); });
        return action;
    };
    add(m_menu, tr("Inject &Overload"), QStringLiteral("overload"),
        { QStringLiteral("inject"), QStringLiteral("overload") });
    QMenu* crash = m_menu->addMenu(tr("Inject &Crash"));
    crash->setObjectName(QStringLiteral("drillCrashMenu"));
    for (const QString& server : std::as_const(webServers))
        add(crash, server, QStringLiteral("crash ") + server,
            { QStringLiteral("inject"), QStringLiteral("crash"), server });
    add(m_menu, tr("Inject C&orruption"), QStringLiteral("corruption"),
        { QStringLiteral("inject"), QStringLiteral("corruption") });
    add(m_menu, tr("Inject &Attack"), QStringLiteral("attack"), { QStringLiteral("inject"), QStringLiteral("attack") });
    m_menu->addSeparator();
    QAction* clear = add(m_menu, tr("C&lear All"), QStringLiteral("clear"), { QStringLiteral("clear") });
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
}

void DrillMenu::drill(const QString& kind, const QString& target)
{
    if (kind == u"clear") {
        run(kind, { QStringLiteral("clear") });
        return;
    }
    QStringList args { QStringLiteral("inject"), kind };
    if (!target.isEmpty())
        args << target;
    run(target.isEmpty() ? kind : kind + u' ' + target, args);
}

void DrillMenu::run(const QString& what, const QStringList& ctlArguments)
{
    if (!m_fleet || !m_fleet->isRunning()) {
        Q_EMIT finished(what, false, tr("the demo fleet is not running"));
        return;
    }
    // fleetsim's ctl answers over its runtime directory; run it as a child without waiting so the window never
    // blocks, and report when it ends.
    auto* process = new QProcess(this);
    process->setProgram(DemoFleetProcess::findProgram());
    process->setArguments(
        QStringList { QStringLiteral("ctl"), QStringLiteral("--runtime-dir"), m_fleet->runtimeDirectory() }
        + ctlArguments);
    process->setStandardInputFile(QProcess::nullDevice());
    ++m_running;
    Q_EMIT started(what);
    const auto done = [this, process, what](bool ok, const QString& message) {
        --m_running;
        process->deleteLater();
        Q_EMIT finished(what, ok, message);
    };
    connect(process, &QProcess::finished, this, [process, done](int code, QProcess::ExitStatus status) {
        const QString err = QString::fromLocal8Bit(process->readAllStandardError()).trimmed();
        const bool ok = status == QProcess::NormalExit && code == 0;
        done(ok, ok ? QString() : (err.isEmpty() ? QStringLiteral("exit code %1").arg(code) : err));
    });
    connect(process, &QProcess::errorOccurred, this, [process, done](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            done(false, process->errorString());
    });
    process->start();
}

} // namespace FaultDesk
