#include "remedy/haproxybaseline.h"

#include <QJsonArray>

namespace FaultDesk {

QJsonObject HaproxyBaseline::toJson() const
{
    QJsonArray list;
    for (const HaproxyServerState& s : servers)
        list.append(s.toJson());
    QJsonObject acl;
    for (auto it = acls.cbegin(); it != acls.cend(); ++it)
        acl.insert(it.key(), QJsonArray::fromStringList(it.value()));
    return QJsonObject { { QStringLiteral("servers"), list }, { QStringLiteral("acls"), acl },
        { QStringLiteral("captured"), capturedUtc.toUTC().toString(Qt::ISODateWithMs) } };
}

std::optional<HaproxyBaseline> HaproxyBaseline::fromJson(const QJsonObject& o, QString* error)
{
    HaproxyBaseline b;
    const QJsonArray list = o.value(QStringLiteral("servers")).toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const auto s = HaproxyServerState::fromJson(list.at(i).toObject());
        if (!s) {
            if (error)
                *error = QStringLiteral("baseline: servers[%1] has no backend or server name").arg(i);
            return std::nullopt;
        }
        b.servers.append(*s);
    }
    const QJsonObject acl = o.value(QStringLiteral("acls")).toObject();
    for (auto it = acl.constBegin(); it != acl.constEnd(); ++it) {
        QStringList entries;
        for (const QJsonValue& v : it.value().toArray())
            entries.append(v.toString());
        b.acls.insert(it.key(), entries);
    }
    b.capturedUtc = QDateTime::fromString(o.value(QStringLiteral("captured")).toString(), Qt::ISODateWithMs);
    return b;
}

HaproxyBaseline HaproxyBaseline::fromActionData(const QJsonObject& serversData, const QList<QJsonObject>& aclData)
{
    HaproxyBaseline b;
    b.capturedUtc = QDateTime::currentDateTimeUtc();
    for (const QJsonValue& v : serversData.value(QStringLiteral("servers")).toArray())
        if (const auto s = HaproxyServerState::fromJson(v.toObject()))
            b.servers.append(*s);
    for (const QJsonObject& a : aclData) {
        QStringList entries;
        for (const QJsonValue& v : a.value(QStringLiteral("entries")).toArray())
            entries.append(v.toString());
        b.acls.insert(a.value(QStringLiteral("acl_file")).toString(), entries);
    }
    return b;
}

QStringList HaproxyBaseline::differences(const HaproxyBaseline& current) const
{
    QStringList out;
    for (const HaproxyServerState& want : servers) {
        const QString name = want.backend + u'/' + want.server;
        const auto have = HaproxyServerState::find(current.servers, want.backend, want.server);
        if (!have) {
            out.append(QStringLiteral("%1 missing, baseline %2 weight %3").arg(name, want.adminState).arg(want.weight));
            continue;
        }
        if (have->adminState != want.adminState)
            out.append(QStringLiteral("%1 %2, baseline %3").arg(name, have->adminState, want.adminState));
        if (have->weight != want.weight)
            out.append(QStringLiteral("%1 weight %2, baseline %3").arg(name).arg(have->weight).arg(want.weight));
    }
    for (auto it = acls.cbegin(); it != acls.cend(); ++it) {
        const QStringList now = current.acls.value(it.key());
        for (const QString& e : now)
            if (!it.value().contains(e))
                out.append(QStringLiteral("%1: %2 not in the baseline").arg(it.key(), e));
        for (const QString& e : it.value())
            if (!now.contains(e))
                out.append(QStringLiteral("%1: %2 missing").arg(it.key(), e));
    }
    return out;
}

QList<HaproxyOperation> HaproxyBaseline::restoreOperations(const HaproxyBaseline& current) const
{
    QList<HaproxyOperation> weights;
    QList<HaproxyOperation> states;
    for (const HaproxyServerState& want : servers) {
        const auto have = HaproxyServerState::find(current.servers, want.backend, want.server);
        if (!have)
            continue; // a server that vanished cannot be restored through the runtime API
        if (have->weight != want.weight && want.weight >= 0)
            weights.append(HaproxyOperation::setWeight(want.backend, want.server, want.weight));
        if (have->adminState != want.adminState && !want.adminState.isEmpty())
            states.append(HaproxyOperation::setState(want.backend, want.server, want.adminState));
    }
    QList<HaproxyOperation> out = weights + states;
    for (auto it = acls.cbegin(); it != acls.cend(); ++it) {
        const QStringList now = current.acls.value(it.key());
        for (const QString& e : now)
            if (!it.value().contains(e))
                out.append(HaproxyOperation::delAcl(it.key(), e));
        for (const QString& e : it.value())
            if (!now.contains(e))
                out.append(HaproxyOperation::restoreAcl(it.key(), e));
    }
    return out;
}

} // namespace FaultDesk
