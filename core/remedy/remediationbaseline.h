#pragma once

#include "remedy/haproxybaseline.h"
#include "remedy/postgresbaseline.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMap>
#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * Everything remediation may touch, as it was before a fault: HAProxy (pool weights and states, blocked
 * sources) and each database's role, read-only flag and data checksum. Captured when a fault is detected from
 * the last state seen while the fleet was healthy; recorded in the audit Intent records so that Recover can
 * return to it even after FaultDesk restarted.
 */
struct RemediationBaseline
{
    /// One database as its status endpoint reported it.
    struct Database
    {
        QString role; ///< primary / replica
        bool readOnly = false;
        bool integrityOk = true;
        double checksum = 0;
        bool operator==(const Database& o) const
        {
            return role == o.role && readOnly == o.readOnly && integrityOk == o.integrityOk && checksum == o.checksum;
        }
    };

    HaproxyBaseline haproxy;
    bool haproxyKnown = false; ///< false: HAProxy could not be read (no instance, socket down)
    QMap<QString, Database> databases; ///< target name → state
    /// PostgreSQL servers read with SQL when the fault was detected (role, replication, critical tables' md5):
    /// target name → what was read. Recover of a rebuilt node compares its tables with these.
    QMap<QString, PostgresBaseline> postgres;
    QDateTime capturedUtc;

    bool isEmpty() const { return !haproxyKnown && databases.isEmpty() && postgres.isEmpty(); }
    QJsonObject toJson() const;
    static std::optional<RemediationBaseline> fromJson(const QJsonObject& object, QString* error = nullptr);
    /// How @p current differs from this baseline, restricted to @p backend's servers (all when empty) and the
    /// ACL files; databases compared by role, read-only, integrity and checksum. Empty: restored.
    QStringList differences(const RemediationBaseline& current, const QString& backend = {}) const;
};

} // namespace FaultDesk
