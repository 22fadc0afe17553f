#pragma once

#include "config/secretref.h"
#include "config/sourceposition.h"

#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * `store:` — where the console keeps its incidents: a SQLite file (`store: PATH`, or `path:`) or a PostgreSQL server
 * shared by a team (`url: postgresql://user@host:port/db` with `password: { env | file }` by reference only, `sslmode`,
 * `sslrootcert`). `--db` on the command line wins over it; without either the local default file is used.
 */
struct StoreConfig
{
    QString path; ///< SQLite file, absolute (relative paths are taken from the fleet file's folder)
    QString url; ///< postgresql://user@host:port/database, without parameters
    std::optional<SecretRef> password;
    QString sslMode; ///< empty: the store's default (verify-full off loopback)
    QString sslRootCert; ///< absolute path of the CA bundle
    SourcePosition position;

    bool isSet() const { return !path.isEmpty() || !url.isEmpty(); }
    /// The location as `--db` takes it (a path, or the URL with its password reference and TLS parameters).
    QString location() const;
};

} // namespace FaultDesk
