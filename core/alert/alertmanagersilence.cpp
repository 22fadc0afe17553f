#include "alert/alertmanagersilence.h"

#include "alert/alertmanagerjson.h"

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
    AlertmanagerJson::Fields f(value, QStringLiteral("a silence"), error);
    AlertmanagerSilence s;
    s.id = f.string(QStringLiteral("id"));
    s.startsAt = f.time(QStringLiteral("startsAt"));
    s.endsAt = f.time(QStringLiteral("endsAt"));
    s.createdBy = f.string(QStringLiteral("createdBy"));
    s.comment = f.string(QStringLiteral("comment"));
    s.state = f.object(QStringLiteral("status")).string(QStringLiteral("state"));
    const QJsonValue matchers = f.value(QStringLiteral("matchers"));
    if (!matchers.isArray())
        f.fail(QStringLiteral("'matchers' must be an array"));
    if (!f.ok())
        return std::nullopt;
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
