#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace FaultDesk {

/// Whether the incident store can write, and what waits: the UI shows this when the disk is full.
struct StoreHealth
{
    bool writable = true; ///< false while writes fail and records wait in memory
    int pending = 0; ///< writes waiting in memory for the database
    quint64 dropped = 0; ///< writes refused because the buffer was full (since the store opened)
    QString lastError; ///< the last storage error, readable ("database or disk is full: /path/incidents.db")
    QDateTime lastErrorUtc;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::StoreHealth)
