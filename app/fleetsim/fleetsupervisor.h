#pragma once

#include "demofleet.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHttpServer>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QTimer>

#include <memory>

namespace FaultDesk {

class TrafficGenerator;

/// Settings of `faultdesk-fleetsim run` (value type).
struct SupervisorOptions
{
    QString runtimeDir; ///< empty: a fresh private directory under $XDG_RUNTIME_DIR or /tmp
    QString demoFile; ///< empty: the installed or built-in description
    double rateScale = 1; ///< multiplies capacities and traffic alike
    qint64 checkInterMs = -1; ///< HAProxy check interval; -1: from the description
    int readyTimeoutMs = 30000;
    bool traffic = true;
    QString executable; ///< absolute path of faultdesk-fleetsim (children and commands.start use it)
};

/**
 * `faultdesk-fleetsim run`: starts every demo target as its own child process, HAProxy in front of the web and
 * api tiers, the traffic generator and the control endpoint; writes fleet.yaml, admin.token and control.json into
 * the runtime directory; prints `READY <dir>` once HAProxy answers and every target is healthy; injects and clears
 * faults and keeps the ground truth; stops everything it started on shutdown().
 */
class FleetSupervisor : public QObject
{
    Q_OBJECT
public:
    FleetSupervisor(DemoFleet fleet, SupervisorOptions options, QObject* parent = nullptr);
    ~FleetSupervisor() override;

    /// Prepares the runtime directory and starts the children; false (with *error) when that fails.
    bool start(QString* error);
    /// Stops traffic, children and HAProxy, waiting briefly for each; idempotent.
    void shutdown();
    QString runtimeDir() const { return m_dir; }

Q_SIGNALS:
    /// Emitted once everything is up (after READY was printed).
    void ready();
    /// Emitted when the fleet cannot come up; the program should exit with status 1.
    void failed(const QString& why);

private:
    struct Child
    {
        DemoTarget spec;
        quint16 port = 0;
        QProcess* process = nullptr;
        bool listening = false;
        bool crashed = false; ///< killed by a crash fault (or died on its own) and not started again
        QByteArray stdoutBuffer;
    };
    struct Fault
    {
        QString kind;
        QString target;
        QString rootCause;
        QString cause;
        QStringList sources;
        QStringList targets;
        QDateTime since;
        QDateTime until;
        bool injected = true;
        QString dependency; ///< partition: the dependency the target lost its path to
    };

    bool prepareDirectory(QString* error);
    bool spawn(Child& child, QString* error);
    void onChildOutput(Child& child);
    void onChildFinished(Child& child, int exitCode, QProcess::ExitStatus status);
    bool startHaproxy(QString* error);
    QString haproxyConfig() const;
    QString fleetYaml() const;
    bool writeFile(const QString& name, const QByteArray& data, QFile::Permissions permissions, QString* error) const;
    void checkReady();
    bool serversUp(QString* why) const;
    bool startControl(QString* error);
    QHttpServerResponse control(const QString& action, const QHttpServerRequest& request);
    bool authorised(const QHttpServerRequest& request) const;
    QJsonObject inject(const QJsonObject& body, int* status);
    QJsonObject clear(const QString& what, const QString& target, int* status);
    QJsonObject startTarget(const QString& name, bool restart, int* status);
    QJsonObject truth() const;
    QJsonObject status() const;
    void endFault(qsizetype index);
    void expireFaults();
    void tellChild(const QString& name, const QByteArray& line);
    Child* child(const QString& name);
    quint16 freePort() const;

    DemoFleet m_fleet;
    SupervisorOptions m_options;
    QString m_dir;
    bool m_ownsDir = false;
    QByteArray m_token;
    quint32 m_checksum = 0;
    std::vector<std::unique_ptr<Child>> m_children;
    QProcess* m_haproxy = nullptr;
    quint16 m_frontendPort = 0;
    QHttpServer m_control;
    quint16 m_controlPort = 0;
    TrafficGenerator* m_traffic = nullptr;
    QTimer m_readyPoll;
    QElapsedTimer m_startClock;
    bool m_ready = false;
    bool m_stopping = false;
    QList<Fault> m_faults;
    QTimer m_expiry;
};

} // namespace FaultDesk
