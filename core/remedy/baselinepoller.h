#pragma once

#include "remedy/haproxyserverstate.h"
#include "remedy/remediationbaseline.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>

#include <QHash>

#include <chrono>
#include <functional>
#include <optional>

namespace FaultDesk {

struct FleetConfig;
class HaproxyClient;
class HttpClient;

/**
 * Reads back, on an interval, what remediation may touch: the pools and blocked sources of the fleet's first
 * HAProxy instance (`show servers state`, `show stat`, `show acl`) and each database's role, read-only flag and
 * checksum from the status endpoint its `admin: status:` names. A read that fails or times out leaves the pool
 * state unknown, never half-known; state older than two intervals counts as unknown too (haproxyProblem()).
 * readPool() reads one backend fresh for a gate that is about to shrink it. Status endpoints are read through
 * the bounded HttpClient: a deadline and a body cap per read, the admin entry's token sent only to the admin
 * URL's own origin, redirects only within that origin; a database whose read fails is unknown, and
 * databaseProblem() says why.
 */
class BaselinePoller : public QObject
{
    Q_OBJECT

public:
    /// The servers of a backend read just now, or the reason they could not be.
    struct PoolRead
    {
        std::optional<QList<HaproxyServerState>> servers;
        QString error;
    };

    explicit BaselinePoller(const FleetConfig& config, QObject* parent = nullptr);
    ~BaselinePoller() override;

    /// Polls every @p interval from now on; state older than two intervals is stale.
    void start(std::chrono::milliseconds interval);
    /// Reads everything now (unless a read is under way); @p done runs once both HAProxy and the databases answered.
    void poll(std::function<void()> done = {});

    /// How many polls finished: the remediation cycle the automation's attempt window counts in.
    qint64 cycle() const { return m_cycle; }
    /// The state read back most recently (HAProxy only while haproxyProblem() is empty).
    const RemediationBaseline& current() const { return m_current; }
    /// Why HAProxy's pool state cannot be trusted at @p now: never read, the last read failed, or it is older than
    /// two poll intervals. Empty when it is fresh.
    QString haproxyProblem(const QDateTime& now = QDateTime::currentDateTimeUtc()) const;
    /// Why @p target's database status is unknown after the last poll (empty when it was read, or is not polled).
    QString databaseProblem(const QString& target) const { return m_databaseErrors.value(target); }
    /// Reads @p backend's servers on @p instance (the first when empty) right now: state, weight and status.
    void readPool(const QString& instance, const QString& backend, std::function<void(const PoolRead&)> done);

    /// The Runtime API endpoint of @p instance (the first when empty): socket path or host:port; empty if none.
    QString haproxyEndpoint(const QString& instance = {}) const;
    /// The block ACL of the first HAProxy instance; empty when blocking is not configured.
    QString blockAcl() const;

Q_SIGNALS:
    /// A poll finished (successful or not); current() and haproxyProblem() may have changed.
    void polled();

private:
    void pollHaproxy(std::function<void()> done);
    void pollDatabases(std::function<void()> done);
    void haproxyFailed(const QString& error);
    HaproxyClient* clientFor(const QString& instance);

    const FleetConfig& m_config;
    QTimer m_timer;
    std::chrono::milliseconds m_interval { 1000 };
    HttpClient* m_http = nullptr;
    HaproxyClient* m_haproxy = nullptr;
    RemediationBaseline m_current;
    QDateTime m_haproxyReadUtc; ///< when the last complete HAProxy read finished
    QString m_haproxyError; ///< why the last HAProxy read failed; empty after a complete one
    QHash<QString, QString> m_databaseErrors; ///< target → why its last status read failed
    int m_pending = 0;
    qint64 m_cycle = 0;
    QList<std::function<void()>> m_waiters;
};

} // namespace FaultDesk
