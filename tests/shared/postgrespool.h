#pragma once

// The bank case's pool for tests: the PostgreSQL pair (tests/shared/postgrespair.h) behind a real HAProxy in TCP mode,
// both servers in backend bank-db whose health check passes only on the writable primary, so clients of the frontend
// reach the primary and never the replica. start() brings it all up and waits until HAProxy says so; fleetYaml() is
// the fleet file monitoring it. Shared by the remedy fail-over test, the headless `monitor --auto` test and the
// console test.

#include "shared/haproxyharness.h"
#include "shared/postgrespair.h"

namespace FaultDesk::Test {

class PostgresPool
{
public:
    static QString backend() { return QStringLiteral("bank-db"); }
    /// The pool before any fault: the primary serves, the replica fails the check.
    static QString healthy() { return QStringLiteral("pg-primary=ready/UP pg-replica=ready/DOWN"); }
    /// After the fail-over: the damaged primary in maintenance, the promoted replica serves.
    static QString failedOver() { return QStringLiteral("pg-primary=maint/MAINT pg-replica=ready/UP"); }

    PostgresPool() = default;
    PostgresPool(const PostgresPool&) = delete;
    PostgresPool& operator=(const PostgresPool&) = delete;
    ~PostgresPool() { stop(); }

    /// Why the pool cannot run here (PostgreSQL, its Qt driver or HAProxy missing); empty when it can.
    static QString missing()
    {
        if (PostgresHarness::binDir().isEmpty())
            return QStringLiteral("PostgreSQL is missing: scripts/install-deps installs it");
        if (HaproxyHarness::binary().isEmpty())
            return QStringLiteral("haproxy is missing: scripts/install-deps installs it");
        return {};
    }

    /**
     * Starts both servers with the bank's data, then HAProxy in front of them, and waits until only the primary is UP
     * in the pool; false with @p error when any of it fails.
     */
    bool start(QString* error)
    {
        m_started = true;
        if (!m_pair.setUp(error) || !m_haproxy.startBackend(backend(), m_pair.haproxyBackendLines(), 2, error))
            return false;
        return waitFor(healthy(), error);
    }

    /// Waits until HAProxy reports the pool as @p state (healthy(), failedOver(), …); false with @p error if not.
    bool waitFor(const QString& state, QString* error, int timeoutMs = 15000)
    {
        if (QTest::qWaitFor([&] { return this->state() == state; }, timeoutMs))
            return true;
        if (error)
            *error = QStringLiteral("the pool is \"%1\", not \"%2\"").arg(this->state(), state);
        return false;
    }

    /// The pool's servers as HAProxy reports them: "pg-primary=ready/UP pg-replica=ready/DOWN".
    QString state()
    {
        QStringList out;
        for (const HaproxyServerState& s : m_haproxy.readStates(backend()))
            out << QStringLiteral("%1=%2/%3").arg(s.server, s.adminState, s.status.section(u' ', 0, 0));
        return out.join(u' ');
    }

    /**
     * A client writes a payment through HAProxy's frontend; the port of the server it landed on (inet_server_port()),
     * or the client's error.
     */
    QString writeThroughPool(int amount, bool* ok = nullptr)
    {
        return m_pair.psqlAt(m_haproxy.frontendPort(),
            QStringLiteral("INSERT INTO payments (amount) VALUES (%1) RETURNING inet_server_port()").arg(amount), ok);
    }

    /**
     * The fleet file monitoring the pair at 300 ms with the HAProxy instance `lb` and both targets in its pool, the
     * replica described as @p replica says; @p extra goes before `haproxy:` (e.g. "store: incidents.db\n").
     */
    QString fleetYaml(const QString& extra = {}, const PostgresPair::ReplicaOptions& replica = {}) const
    {
        return QStringLiteral("version: 1\n"
                              "defaults: {interval: 300ms, timeout: 2s, attempts: 2}\n")
            + extra
            + QStringLiteral("haproxy:\n"
                             "  - {name: lb, socket: '%1'}\n"
                             "targets:\n")
                  .arg(m_haproxy.adminSocket())
            + m_pair.targetsYaml({ QStringLiteral("lb"), backend() }, replica);
    }

    /// Stops HAProxy, then both servers (the primary as its rebuild left it).
    void stop()
    {
        if (!m_started)
            return;
        m_started = false;
        m_haproxy.stop();
        m_pair.stopAll();
    }

    PostgresPair& pair() { return m_pair; }
    PostgresHarness& primary() { return m_pair.primary(); }
    PostgresHarness& replica() { return m_pair.replica(); }
    HaproxyHarness& haproxy() { return m_haproxy; }

private:
    PostgresPair m_pair;
    HaproxyHarness m_haproxy;
    bool m_started = false;
};

} // namespace FaultDesk::Test
