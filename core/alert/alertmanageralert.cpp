#include "alert/alertmanageralert.h"

#include "alert/alertmanagerjson.h"

namespace FaultDesk {

QJsonObject AlertmanagerAlert::toPostJson() const
{
    QJsonObject l;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        l.insert(it.key(), it.value());
    QJsonObject a;
    for (auto it = annotations.cbegin(); it != annotations.cend(); ++it)
        a.insert(it.key(), it.value());
    QJsonObject o { { QStringLiteral("labels"), l } };
    if (!a.isEmpty())
        o.insert(QStringLiteral("annotations"), a);
    if (startsAt.isValid())
        o.insert(QStringLiteral("startsAt"), AlertmanagerJson::formatTime(startsAt));
    if (endsAt.isValid())
        o.insert(QStringLiteral("endsAt"), AlertmanagerJson::formatTime(endsAt));
    if (!generatorUrl.isEmpty())
        o.insert(QStringLiteral("generatorURL"), generatorUrl);
    return o;
}

std::optional<AlertmanagerAlert> AlertmanagerAlert::fromJson(const QJsonValue& value, QString* error)
{
    AlertmanagerJson::Fields f(value, QStringLiteral("an alert"), error);
    AlertmanagerAlert a;
    a.fingerprint = f.string(QStringLiteral("fingerprint"));
    a.labels = f.stringMap(QStringLiteral("labels"));
    a.annotations = f.stringMap(QStringLiteral("annotations"), false);
    a.startsAt = f.time(QStringLiteral("startsAt"));
    a.endsAt = f.time(QStringLiteral("endsAt"), false);
    a.updatedAt = f.time(QStringLiteral("updatedAt"), false);
    a.generatorUrl = f.string(QStringLiteral("generatorURL"), false);
    if (f.ok() && a.fingerprint.isEmpty())
        f.fail(QStringLiteral("'fingerprint' is empty"));
    if (f.ok() && a.alertName().isEmpty())
        f.fail(QStringLiteral("'labels' has no alertname"));
    AlertmanagerJson::Fields status = f.object(QStringLiteral("status"));
    a.state = status.string(QStringLiteral("state"));
    a.silencedBy = status.stringList(QStringLiteral("silencedBy"), false);
    a.inhibitedBy = status.stringList(QStringLiteral("inhibitedBy"), false);
    if (!f.ok())
        return std::nullopt;
    return a;
}

} // namespace FaultDesk
