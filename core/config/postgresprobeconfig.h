#pragma once

#include "config/postgresdsn.h"
#include "config/sourceposition.h"

#include <QList>

#include <QString>

#include <chrono>
#include <optional>

namespace FaultDesk {

/**
 * A `kind: postgres` probe: where the server is (dsn, password reference, TLS) and the levels its built-in signals
 * are judged by. The probe reports these signals itself (SignalConfig::builtin), one connection kept per target:
 *
 * - `pg_up` — 1 while the server answers the probe's queries, 0 when it does not;
 * - `pg_role` — 1 on a primary, 0 on a replica (in recovery);
 * - `pg_replication_lag_seconds` — replica only: 0 while it streams and has replayed everything; otherwise how old
 *   its data may be — the smaller of the age of the last transaction it replayed and the time since the probe last
 *   saw it caught up (its uptime when neither is known), so it grows from 0 once its primary is gone; breached past
 *   `max_replication_lag`;
 * - `pg_replicas_streaming` — primary only: replicas connected and streaming (pg_stat_replication);
 * - `pg_checksum_failures` — data-page checksum failures PostgreSQL counted (pg_stat_database), summed over the
 *   databases: a counter, as the server reports it;
 * - `pg_checksum_failures_new` — failures counted since FaultDesk first saw each database: any increase is a
 *   `data-integrity` breach, which stays until the counter is reset (pg_stat_reset(), a rebuilt node);
 * - `pg_connections_used_ratio` — client connections over max_connections; `overload` past
 *   `max_connections_ratio`;
 * - `pg_oldest_transaction_seconds` — age of the oldest open transaction; `unhealthy` past `max_transaction_age`
 *   when one is given.
 */
struct PostgresProbeConfig
{
    /**
     * A table whose content the remediation baseline fingerprints (`critical_tables:`): the md5 of its rows as text
     * in primary-key order. A table estimated above @c maxRows rows is sampled instead: @c maxRows rows in four
     * primary-key ranges (a numeric first key column; else the first @c maxRows rows by key), and the baseline says
     * which.
     */
    struct CriticalTable
    {
        QString name; ///< `accounts` or `schema.accounts`, resolved by the server as SQL would
        qint64 maxRows = 1000000;
        SourcePosition position;
    };

    PostgresDsn dsn; ///< with the password reference and sslmode/ca_file applied
    std::chrono::milliseconds maxReplicationLag { 30000 };
    double maxConnectionsRatio = 0.9;
    std::optional<std::chrono::milliseconds> maxTransactionAge;
    QList<CriticalTable> criticalTables; ///< fingerprinted in the remediation baseline; recover verifies them

    static QString upSignal() { return QStringLiteral("pg_up"); }
    static QString roleSignal() { return QStringLiteral("pg_role"); }
    static QString replicationLagSignal() { return QStringLiteral("pg_replication_lag_seconds"); }
    static QString replicasStreamingSignal() { return QStringLiteral("pg_replicas_streaming"); }
    static QString checksumFailuresSignal() { return QStringLiteral("pg_checksum_failures"); }
    static QString newChecksumFailuresSignal() { return QStringLiteral("pg_checksum_failures_new"); }
    static QString connectionsUsedSignal() { return QStringLiteral("pg_connections_used_ratio"); }
    static QString oldestTransactionSignal() { return QStringLiteral("pg_oldest_transaction_seconds"); }
};

} // namespace FaultDesk
