#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>

class QAction;
class QMenu;
class QMenuBar;

namespace FaultDesk {

class DemoFleetProcess;
class Monitor;

/**
 * The Drill menu of the demo fleet: inject an overload, a crash of one web server, a corruption or an attack, or
 * clear them all, through fleetsim's ctl run as a child process so the window never blocks. It sits in the menu
 * bar only while a demo fleet is watched; a real fleet never shows it.
 */
class DrillMenu : public QObject
{
    Q_OBJECT
public:
    /// Lives in @p menuBar, before @p before (e.g. Help's menu action).
    DrillMenu(QMenuBar* menuBar, QAction* before, QObject* parent = nullptr);
    ~DrillMenu() override;

    /// Offers drills for @p fleet watched by @p monitor (neither owned); either nullptr takes the menu away.
    void setFleet(DemoFleetProcess* fleet, Monitor* monitor);
    /// Rebuilds the entries (the fleet's targets changed).
    void rebuild();
    QMenu* menu() const { return m_menu; }
    /// Drills still running.
    int running() const { return m_running; }

public Q_SLOTS:
    /// Injects @p kind (overload, crash, corruption, attack, …) on @p target (empty: fleetsim's choice), or ends
    /// every drill for @p kind "clear". finished() reports the outcome.
    void drill(const QString& kind, const QString& target = {});

Q_SIGNALS:
    /// A drill started ("overload", "crash web-2"); for the status bar.
    void started(const QString& what);
    /// A drill's ctl call finished (@p ok false: @p message says why).
    void finished(const QString& what, bool ok, const QString& message);

private:
    void run(const QString& what, const QStringList& ctlArguments);

    QMenuBar* m_menuBar = nullptr;
    QAction* m_before = nullptr;
    QMenu* m_menu = nullptr;
    QPointer<DemoFleetProcess> m_fleet;
    QPointer<Monitor> m_monitor;
    int m_running = 0;
};

} // namespace FaultDesk
