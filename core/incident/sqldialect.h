#pragma once

#include "incident/storeurl.h"

#include <QSqlDatabase>
#include <QString>

class QSqlError;

namespace FaultDesk {

/**
 * Everything that differs between the incident database's two engines, in one place: column types, transaction
 * and session statements, catalogue queries and which errors mean "the store cannot write now". The SQL of the
 * store and its schema is written once in the common subset (portable upserts, CASE instead of MAX(a, b)) with
 * {id}, {int} and {blob} standing for the engine's types; translate() fills them in.
 */
class SqlDialect
{
public:
    explicit SqlDialect(StoreUrl::Engine engine)
        : m_engine(engine)
    { }
    /// The dialect of an open connection (QSQLITE or QPSQL).
    static SqlDialect of(const QSqlDatabase& db);
    /// The Qt SQL driver for @p engine.
    static QString driverName(StoreUrl::Engine engine);

    StoreUrl::Engine engine() const { return m_engine; }
    bool isPostgres() const { return m_engine == StoreUrl::Engine::Postgres; }

    /// @p sql with {id} (auto-numbered key), {int} (64-bit integer) and {blob} (bytes) made concrete.
    QString translate(const QString& sql) const;
    /// Starts a write transaction that holds the write lock from the start (SQLite: BEGIN IMMEDIATE).
    QString beginWrite() const;
    /// Case-insensitive LIKE (SQLite's LIKE already is for ASCII; PostgreSQL's is not).
    QString like() const;
    /// A query with one bind (the table name) returning a row when that table exists.
    QString tableExists() const;
    /// Whether control statements (BEGIN, SAVEPOINT, SET) can be prepared: PostgreSQL's PREPARE refuses them.
    bool canPrepareControl() const { return !isPostgres(); }
    /// Makes the session refuse writes (tests and read connections), or allow them again.
    QString readOnly(bool on) const;
    /**
     * Whether @p e means the storage cannot take writes now (full, read-only, unreachable, busy) rather than that
     * this write is wrong: such writes stay queued and are retried.
     */
    bool isStorageError(const QSqlError& e) const;
    /// Whether @p e reports a duplicate key.
    bool isUniqueViolation(const QSqlError& e) const;

private:
    StoreUrl::Engine m_engine;
};

} // namespace FaultDesk
