#pragma once

#include "remedy/postgresbaseline.h"

#include "config/postgresdsn.h"

#include <QList>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace FaultDesk {

struct FleetConfig;

/**
 * Reads PostgresBaselines of one or more servers on a thread of its own (each read blocks on the server), so neither
 * the event loop nor the monitor waits; the answer comes back in the caller's thread. Each server gets a session of
 * its own, bounded per query; interrupt() breaks the one in flight.
 */
class PostgresBaselineReader
{
public:
    struct Request
    {
        QString target;
        PostgresDsn dsn;
        QList<PostgresProbeConfig::CriticalTable> tables;
        std::optional<PostgresBaseline> reference; ///< sample the tables as this baseline did
        bool amcheck = false;
    };
    using Done = std::function<void(const QList<PostgresBaseline>&)>;

    /// Requests for those of @p targets that have a postgres probe (the others are left out).
    static QList<Request> requestsFor(const FleetConfig& config, const QStringList& targets);
    /// The targets of @p group with a postgres probe, in configuration order.
    static QStringList postgresTargetsOf(const FleetConfig& config, const QString& group);

    /**
     * Starts reading @p requests; @p done runs in @p context's thread (not at all if @p context is gone). Returns a
     * handle whose interrupt() ends the read early (each server not yet read reports "interrupted").
     */
    static std::shared_ptr<PostgresBaselineReader> read(
        const QList<Request>& requests, int timeoutMs, QObject* context, Done done);

    /// Thread-safe: breaks the session in flight and skips the servers not yet read.
    void interrupt();

    struct State;
    explicit PostgresBaselineReader(std::shared_ptr<State> state);

private:
    std::shared_ptr<State> m_state;
};

} // namespace FaultDesk
