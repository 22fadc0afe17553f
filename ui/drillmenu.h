#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>

class QAction;
class QMenu;
class QMenuBar;

namespace FaultDesk {

class DemoFleetProcess;
class DrillRunner;
class Monitor;
class RemediationController;
struct DrillOutcome;

/**
 * The Drill menu of the demo fleet: an overload, a crash of one web server, a corruption, an attack or a network
 * interruption (a target cut from one dependency), run by the one drill engine (DrillRunner) that `faultdesk drill`
 * uses. The engine waits for a healthy baseline, injects the fault and follows the operator: Handle and Recover are
 * the operator's buttons, unless "Handle and Recover Automatically" is on; once Handle has contained an overload,
 * an attack or a cut link, the engine ends the cause as the world would; at the end it scores what FaultDesk said
 * against fleetsim's ground truth. Nothing blocks the window. The menu sits in the menu bar only while a demo fleet
 * is watched; a real fleet never shows it.
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
    /// The Handle/Recover controller the engine follows (not owned; nullptr: drills are refused until one is set).
    void setRemediation(RemediationController* controller);
    /// Rebuilds the entries (the fleet's targets changed).
    void rebuild();
    QMenu* menu() const { return m_menu; }
    /// The drill engine (null until a fleet, a monitor and a controller are set).
    DrillRunner* runner() const { return m_runner; }
    /// A drill runs (from the baseline wait to its score).
    bool isRunning() const;

    /// Whether the engine presses Handle and Recover itself (as `faultdesk drill --auto`); off: the operator does.
    bool isAutomatic() const;
    void setAutomatic(bool automatic);

    /// One sentence saying how a drill went, for the notification bar.
    static QString summary(const DrillOutcome& outcome);

public Q_SLOTS:
    /// Starts a drill of @p kind (crash, overload, corruption, attack, network, hang, slow, garbage) on @p target
    /// (empty: the drill's default; a network drill cuts the target from its first dependency). "clear" stops a
    /// running drill and ends every fault injected into the fleet. finished() reports the outcome.
    void drill(const QString& kind, const QString& target = {});
    /// Stops the running drill; what it injected is cleared.
    void stop();

Q_SIGNALS:
    /// A drill started ("overload", "crash web-2"); for the status bar.
    void started(const QString& what);
    /// One line of what the drill does now.
    void progress(const QString& line);
    /// The drill waits for the operator (to press Handle, then Recover): shown until the next line.
    void prompt(const QString& text);
    /// The drill's fault is in the fleet: FaultDesk should see it now.
    void injected(const QString& what);
    /// The drill located @p faultId as the root cause it follows: the fault Handle and Recover are for.
    void faultToHandle(const QString& faultId);
    /// A drill ended (@p ok: passed), or Clear All's call ended (@p ok false: @p message says why).
    void finished(const QString& what, bool ok, const QString& message);

private:
    void start(const QString& kind, const QString& target, const QString& dependency);
    void clearAll();
    void makeRunner();
    void updateActions();

    QMenuBar* m_menuBar = nullptr;
    QAction* m_before = nullptr;
    QMenu* m_menu = nullptr;
    QAction* m_automaticAction = nullptr;
    QAction* m_stopAction = nullptr;
    QList<QAction*> m_drillActions;
    QPointer<DemoFleetProcess> m_fleet;
    QPointer<Monitor> m_monitor;
    QPointer<RemediationController> m_controller;
    DrillRunner* m_runner = nullptr;
    QString m_what; ///< the drill running now
};

} // namespace FaultDesk
