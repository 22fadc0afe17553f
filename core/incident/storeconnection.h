#pragma once

#include "incident/storeurl.h"

#include <QSqlDatabase>
#include <QString>

namespace FaultDesk {

/**
 * Opens a named Qt SQL connection to the incident database with the session settings its engine needs: for
 * SQLite WAL, full syncs, foreign keys and a busy timeout; for PostgreSQL (QPSQL, libpq underneath) the TLS and
 * timeout options of the URL and the password its reference resolves to. Read connections refuse writes.
 */
class StoreConnection
{
public:
    enum class Purpose {
        Write,
        Read,
    };

    /**
     * Adds (or reuses) the connection @p name on the calling thread and opens it. An invalid QSqlDatabase with
     * @p error ("postgresql://alice@db:5432/faultdesk: connection refused") when it cannot be opened.
     */
    static QSqlDatabase open(const StoreUrl& url, const QString& name, Purpose purpose, QString* error = nullptr);
};

} // namespace FaultDesk
