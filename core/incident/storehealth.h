#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace FaultDesk {

/// Whether the incident store can write, and what waits: the status bar shows this (connected, reconnecting since …,
/// N writes journaled, disk full).
struct StoreHealth
{
    bool writable = true; ///< false while writes fail and records wait in memory or in the journal
    int pending = 0; ///< writes waiting in memory for the database
    quint64 dropped = 0; ///< writes refused because the buffer or the journal was full (since the store opened)
    bool server = false; ///< a server database (PostgreSQL) rather than a local file
    QString store; ///< the store for display (file path, or postgresql://user@host:port/db)
    QDateTime downSinceUtc; ///< when the database stopped taking writes (invalid while writable)
    bool journalEnabled = false; ///< writes wait on disk (not in memory) while the database is away
    int journaled = 0; ///< writes in the local journal waiting for the database
    qint64 journalBytes = 0;
    qint64 journalMaxBytes = 0;
    bool journalFull = false; ///< the journal refused a write: new writes are not recorded until it drains
    QString journalPath;
    quint64 replayRefused = 0; ///< journaled writes the database refused on replay (each reported when it happened)
    QString lastError; ///< the last storage error, readable ("database or disk is full: /path/incidents.db")
    QDateTime lastErrorUtc;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::StoreHealth)
