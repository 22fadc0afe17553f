#include "alertmanageralert.h"

#include "alertmanagerjson.h"

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
    namespace J = AlertmanagerJson;
    if (!value.isObject()) {
        *error = QStringLiteral("an alert must be an object");
        return std::nullopt;
    }
    const QJsonObject o = value.toObject();
    AlertmanagerAlert a;
    const auto fingerprint = J::string(o, QStringLiteral("fingerprint"), error);
    const auto labels = fingerprint ? J::stringMap(o, QStringLiteral("labels"), error) : std::nullopt;
    const auto annotations = labels ? J::stringMap(o, QStringLiteral("annotations"), error, false) : std::nullopt;
    const auto startsAt = annotations ? J::time(o, QStringLiteral("startsAt"), error) : std::nullopt;
    const auto endsAt = startsAt ? J::time(o, QStringLiteral("endsAt"), error, false) : std::nullopt;
    const auto updatedAt = endsAt ? J::time(o, QStringLiteral("updatedAt"), error, false) : std::nullopt;
    const auto generator = updatedAt ? J::string(o, QStringLiteral("generatorURL"), error, false) : std::nullopt;
    if (!generator)
        return std::nullopt;
    if (fingerprint->isEmpty()) {
        *error = QStringLiteral("'fingerprint' is empty");
        return std::nullopt;
    }
    if (labels->value(QStringLiteral("alertname")).isEmpty()) {
        *error = QStringLiteral("'labels' has no alertname");
        return std::nullopt;
    }
    const QJsonValue status = o.value(QStringLiteral("status"));
    if (!status.isObject()) {
        *error = QStringLiteral("'status' must be an object");
        return std::nullopt;
    }
    const QJsonObject s = status.toObject();
    const auto state = J::string(s, QStringLiteral("state"), error);
    const auto silencedBy = state ? J::stringList(s, QStringLiteral("silencedBy"), error, false) : std::nullopt;
    const auto inhibitedBy = silencedBy ? J::stringList(s, QStringLiteral("inhibitedBy"), error, false) : std::nullopt;
    if (!inhibitedBy) {
        *error = QStringLiteral("status: ") + *error;
        return std::nullopt;
    }
    a.fingerprint = *fingerprint;
    a.labels = *labels;
    a.annotations = *annotations;
    a.startsAt = *startsAt;
    a.endsAt = *endsAt;
    a.updatedAt = *updatedAt;
    a.generatorUrl = *generator;
    a.state = *state;
    a.silencedBy = *silencedBy;
    a.inhibitedBy = *inhibitedBy;
    return a;
}

} // namespace FaultDesk
