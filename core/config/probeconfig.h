#pragma once

#include "config/postgresprobeconfig.h"
#include "config/sourceposition.h"

#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>

namespace FaultDesk {

/// One probe of a target: an HTTP health check, a Prometheus metrics scrape, a TCP connect or a PostgreSQL session.
struct ProbeConfig
{
    enum class Kind {
        Http,
        Metrics,
        Tcp,
        Postgres, ///< queries a PostgreSQL server for its built-in pg_* signals (PostgresProbeConfig)
    };

    Kind kind = Kind::Http;
    QUrl url; ///< http and metrics probes
    QString address; ///< tcp probes: `host:port`
    int expectStatus = 200; ///< http probes
    QString bodyMatch; ///< http probes: substring the body must contain; empty = no check
    std::optional<PostgresProbeConfig> postgres; ///< postgres probes
    std::optional<std::chrono::milliseconds> timeout; ///< overrides defaults.timeout for this probe
    SourcePosition position;

    /// This probe's deadline: its own timeout, else @p fleetDefault.
    std::chrono::milliseconds timeoutOr(std::chrono::milliseconds fleetDefault) const
    {
        return timeout.value_or(fleetDefault);
    }
    /// "http", "metrics", "tcp" or "postgres", as the configuration spells it (also ProbeSpec's kind: the same enum).
    static QString kindName(Kind kind);
};

} // namespace FaultDesk
