#pragma once

#include "remedy/haproxyaction.h"
#include "remedy/haproxyserverstate.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/**
 * The part of HAProxy that remediation may touch, as it was before the fault: every server's administrative
 * state and weight, and the entries of the ACL files used for blocking. Recover compares the read-back state
 * with it and computes the operations that return to it. A value type, stored in the audit Intent record.
 */
struct HaproxyBaseline
{
    QList<HaproxyServerState> servers;
    QMap<QString, QStringList> acls; ///< ACL file → entries
    QDateTime capturedUtc;

    QJsonObject toJson() const;
    static std::optional<HaproxyBaseline> fromJson(const QJsonObject& object, QString* error = nullptr);

    /// Builds a baseline from the data of a ShowServersState action (data["servers"]) and ShowAcl actions.
    static HaproxyBaseline fromActionData(const QJsonObject& serversData, const QList<QJsonObject>& aclData = {});

    /**
     * How @p current differs from this baseline, one line per item: "web/s1 weight 3, baseline 10",
     * "web/s2 drain, baseline ready", "/etc/haproxy/blocked.acl: 10.0.0.5 not in the baseline". Empty: restored.
     */
    QStringList differences(const HaproxyBaseline& current) const;
    /// The operations that turn @p current into this baseline: weights first, then states, then ACL entries.
    QList<HaproxyOperation> restoreOperations(const HaproxyBaseline& current) const;
};

} // namespace FaultDesk
