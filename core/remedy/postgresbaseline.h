#pragma once

#include "config/postgresprobeconfig.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

class PgConnection;

/**
 * One PostgreSQL server as the remediation baseline records it, read with SQL: its role, whether it is fenced
 * read-only, its replication state, and a content fingerprint of each critical table (the md5 of the rows as text,
 * in primary-key order; a large table sampled by primary-key range, the sampling spelled out in @c Table::sampling so
 * a report says what was compared). Read on a session of its own thread (read() blocks, each query bounded).
 */
struct PostgresBaseline
{
    struct Table
    {
        QString name; ///< as configured
        QString relation; ///< as the server names it (quoted, schema-qualified where needed)
        qint64 rows = 0; ///< rows fingerprinted
        QString md5; ///< empty when it could not be read
        QString sampling; ///< "all 1200 rows by primary key (id)", or the ranges sampled
        QStringList rangeStarts; ///< sampled: where each primary-key range starts (read again at the same places)
        qint64 rowsPerRange = 0; ///< sampled: rows read from each range start
        QString error; ///< why it could not be read ("invalid page in block 3 …")
    };

    QString target;
    QString role; ///< primary, replica; empty when the server could not be read
    bool readOnly = false; ///< default_transaction_read_only (a fenced primary)
    QString replication; ///< "2 replicas streaming (…)" on a primary, "streaming from 127.0.0.1:5432" on a replica
    QString lsn; ///< current WAL position (primary) or last replayed (replica)
    QList<Table> tables;
    QString error; ///< why the server could not be read at all
    QDateTime readUtc;
    /// amcheck of the critical tables when asked for: "clean (…)", "skipped: …" (the extension is not installed)
    /// or what it found; empty when not asked.
    QString amcheck;
    bool amcheckClean = true; ///< false only when amcheck ran and found corruption (or failed)

    bool readable() const { return error.isEmpty(); }
    const Table* table(const QString& name) const;
    /// Lines for reports and previews: role, replication, each table's fingerprint and sampling.
    QStringList describe() const;
    QJsonObject toJson() const;
    static PostgresBaseline fromJson(const QJsonObject& object);

    /**
     * Reads @p connection's server (opened already) within @p timeoutMs per query. Tables sample as @p reference
     * did (its range starts) when given, so a verification fingerprints exactly the rows the baseline did.
     */
    static PostgresBaseline read(PgConnection& connection, const QList<PostgresProbeConfig::CriticalTable>& tables,
        int timeoutMs, const PostgresBaseline* reference = nullptr, bool amcheck = false);

    /**
     * The content each critical table should have, from the baselines of several servers of one group: the
     * fingerprint every readable copy agrees on. A table no copy could read, or whose copies disagree, is left out
     * and named in @p problems.
     */
    static QMap<QString, Table> expectedTables(const QList<PostgresBaseline>& copies, QStringList* problems = nullptr);
};

} // namespace FaultDesk
