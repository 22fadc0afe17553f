#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * One thing automatic remediation did or decided, as the headless monitor reports it next to the detection
 * events: the automation state it starts with, a run starting, each step's transitions, a run's end, an
 * escalation, and a stop asked for. toJson() is one line of `faultdesk monitor --json`, toText() the terminal's.
 * Texts may quote replies from the network: the caller prints them through TerminalText.
 */
struct RemediationEvent
{
    enum class Kind {
        Automation, ///< the automation state at start (switches, give-ups, held-back targets)
        RunStarted,
        Step, ///< a step changed status
        RunFinished,
        Escalated, ///< a loud problem: verification failed, automation gave up
        Stopping, ///< a stop was asked for; what happens to the runs in flight
    };

    Kind kind = Kind::RunStarted;
    qint64 timeMs = 0;
    QString run; ///< the run's id (the fault id)
    QString target;
    QString incident; ///< the incident database's id where recorded, else the detector's
    QString purpose; ///< handle, recover
    QString operatorName; ///< "auto" for automation
    QString runbook;
    int step = -1; ///< Step: 0-based index
    QString stepName;
    QString status; ///< Step: StepReport::statusName()
    QString reason; ///< Step: why it failed, was skipped, aborted
    QString result; ///< RunFinished: succeeded, escalated, aborted
    bool verified = false; ///< RunFinished (recover): read back equal to the baseline and healthy
    QStringList rolledBack; ///< RunFinished
    QStringList notRolledBack; ///< RunFinished: done steps that could not be undone
    QStringList running; ///< Stopping: the runs in flight
    QString message;
    QJsonObject details; ///< Automation: the switches and what holds automation back

    static QString kindName(Kind kind);
    QJsonObject toJson() const;
    QString toText() const;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::RemediationEvent)
