#include "remedy/remediationbaseline.h"

#include <QJsonArray>

namespace FaultDesk {

QJsonObject RemediationBaseline::toJson() const
{
    QJsonObject o;
    if (haproxyKnown)
        o.insert(QStringLiteral("haproxy"), haproxy.toJson());
    QJsonObject dbs;
    for (auto it = databases.cbegin(); it != databases.cend(); ++it)
        dbs.insert(it.key(),
            QJsonObject { { QStringLiteral("role"), it->role }, { QStringLiteral("read_only"), it->readOnly },
                { QStringLiteral("integrity_ok"), it->integrityOk }, { QStringLiteral("checksum"), it->checksum } });
    if (!dbs.isEmpty())
        o.insert(QStringLiteral("databases"), dbs);
    QJsonObject pg;
    for (auto it = postgres.cbegin(); it != postgres.cend(); ++it)
        pg.insert(it.key(), it->toJson());
    if (!pg.isEmpty())
        o.insert(QStringLiteral("postgres"), pg);
    o.insert(QStringLiteral("captured_utc"), capturedUtc.toString(Qt::ISODateWithMs));
    return o;
}

std::optional<RemediationBaseline> RemediationBaseline::fromJson(const QJsonObject& object, QString* error)
{
    RemediationBaseline b;
    if (object.contains(QStringLiteral("haproxy"))) {
        const auto h = HaproxyBaseline::fromJson(object.value(QStringLiteral("haproxy")).toObject(), error);
        if (!h)
            return std::nullopt;
        b.haproxy = *h;
        b.haproxyKnown = true;
    }
    const QJsonObject dbs = object.value(QStringLiteral("databases")).toObject();
    for (auto it = dbs.begin(); it != dbs.end(); ++it) {
        const QJsonObject d = it.value().toObject();
        if (!d.value(QStringLiteral("checksum")).isDouble() || !d.value(QStringLiteral("role")).isString()) {
            if (error)
                *error = QStringLiteral("baseline of database %1: role or checksum missing").arg(it.key());
            return std::nullopt;
        }
        b.databases.insert(it.key(),
            Database { d.value(QStringLiteral("role")).toString(), d.value(QStringLiteral("read_only")).toBool(),
                d.value(QStringLiteral("integrity_ok")).toBool(true), d.value(QStringLiteral("checksum")).toDouble() });
    }
    const QJsonObject pg = object.value(QStringLiteral("postgres")).toObject();
    for (auto it = pg.begin(); it != pg.end(); ++it)
        b.postgres.insert(it.key(), PostgresBaseline::fromJson(it.value().toObject()));
    b.capturedUtc = QDateTime::fromString(object.value(QStringLiteral("captured_utc")).toString(), Qt::ISODateWithMs);
    return b;
}

QStringList RemediationBaseline::differences(const RemediationBaseline& current, const QString& backend) const
{
    QStringList out;
    if (haproxyKnown) {
        if (!current.haproxyKnown) {
            out.append(QStringLiteral("HAProxy state could not be read back"));
        } else {
            HaproxyBaseline want = haproxy;
            if (!backend.isEmpty())
                want.servers.removeIf([&](const HaproxyServerState& s) { return s.backend != backend; });
            out += want.differences(current.haproxy);
        }
    }
    for (auto it = databases.cbegin(); it != databases.cend(); ++it) {
        const auto have = current.databases.constFind(it.key());
        if (have == current.databases.cend()) {
            out.append(QStringLiteral("%1: status could not be read back").arg(it.key()));
            continue;
        }
        if (have->role != it->role)
            out.append(QStringLiteral("%1 role %2, baseline %3").arg(it.key(), have->role, it->role));
        if (have->readOnly != it->readOnly)
            out.append(QStringLiteral("%1 read-only %2, baseline %3")
                           .arg(it.key(), have->readOnly ? u"on" : u"off", it->readOnly ? u"on" : u"off"));
        if (have->checksum != it->checksum)
            out.append(QStringLiteral("%1 checksum %2, baseline %3")
                           .arg(it.key())
                           .arg(qint64(have->checksum))
                           .arg(qint64(it->checksum)));
        if (!have->integrityOk)
            out.append(QStringLiteral("%1 integrity check fails").arg(it.key()));
    }
    return out;
}

} // namespace FaultDesk
