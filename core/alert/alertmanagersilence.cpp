#include "alertmanagersilence.h"

#include "alertmanagerjson.h"

#include <QJsonArray>

namespace FaultDesk {

QJsonObject AlertmanagerSilence::toPostJson() const
{
    QJsonArray m;
    for (const Matcher& x : matchers)
        m.append(QJsonObject { { QStringLiteral("name"), x.name }, { QStringLiteral("value"), x.value },
            { QStringLiteral("isRegex"), x.isRegex }, { QStringLiteral("isEqual"), x.isEqual } });
    QJsonObject o { { QStringLiteral("matchers"), m },
        { QStringLiteral("startsAt"), AlertmanagerJson::formatTime(startsAt) },
        { QStringLiteral("endsAt"), AlertmanagerJson::formatTime(endsAt) }, { QStringLiteral("createdBy"), createdBy },
        { QStringLiteral("comment"), comment } };
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
    return o;
}

std::optional<AlertmanagerSilence> AlertmanagerSilence::fromJson(const QJsonValue& value, QString* error)
{
    namespace J = AlertmanagerJson;
    if (!value.isObject()) {
        *error = QStringLiteral("a silence must be an object");
        return std::nullopt;
    }
    const QJsonObject o = value.toObject();
    AlertmanagerSilence s;
    const auto id = J::string(o, QStringLiteral("id"), error);
    const auto startsAt = id ? J::time(o, QStringLiteral("startsAt"), error) : std::nullopt;
    const auto endsAt = startsAt ? J::time(o, QStringLiteral("endsAt"), error) : std::nullopt;
    const auto createdBy = endsAt ? J::string(o, QStringLiteral("createdBy"), error) : std::nullopt;
    const auto comment = createdBy ? J::string(o, QStringLiteral("comment"), error) : std::nullopt;
    if (!comment)
        return std::nullopt;
    const QJsonValue status = o.value(QStringLiteral("status"));
    const auto state = status.isObject() ? J::string(status.toObject(), QStringLiteral("state"), error) : std::nullopt;
    if (!state) {
        if (!status.isObject())
            *error = QStringLiteral("'status' must be an object");
        return std::nullopt;
    }
    const QJsonValue matchers = o.value(QStringLiteral("matchers"));
    if (!matchers.isArray()) {
        *error = QStringLiteral("'matchers' must be an array");
        return std::nullopt;
    }
    const QJsonArray list = matchers.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject m = list.at(i).toObject();
        const QJsonValue isEqual = m.value(QStringLiteral("isEqual"));
        if (!list.at(i).isObject() || !m.value(QStringLiteral("name")).isString()
            || !m.value(QStringLiteral("value")).isString() || !m.value(QStringLiteral("isRegex")).isBool()
            || !(isEqual.isUndefined() || isEqual.isBool())) {
            *error = QStringLiteral("'matchers[%1]' must be an object with name, value (strings) and isRegex (boolean)")
                         .arg(i);
            return std::nullopt;
        }
        s.matchers.append({ m.value(QStringLiteral("name")).toString(), m.value(QStringLiteral("value")).toString(),
            m.value(QStringLiteral("isRegex")).toBool(), isEqual.toBool(true) });
    }
    s.id = *id;
    s.startsAt = *startsAt;
    s.endsAt = *endsAt;
    s.createdBy = *createdBy;
    s.comment = *comment;
    s.state = *state;
    return s;
}

QString AlertmanagerSilence::matchersText() const
{
    QStringList parts;
    for (const Matcher& m : matchers) {
        const QString op = m.isRegex ? (m.isEqual ? QStringLiteral("=~") : QStringLiteral("!~"))
                                     : (m.isEqual ? QStringLiteral("=") : QStringLiteral("!="));
        parts << m.name + op + u'"' + m.value + u'"';
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace FaultDesk
