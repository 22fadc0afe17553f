#include "alert/alertmanagerjson.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace FaultDesk::AlertmanagerJson {

namespace {
QString kindOf(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}
} // namespace

std::optional<QDateTime> parseTime(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{4})-(\\d\\d)-(\\d\\d)[Tt](\\d\\d):(\\d\\d):(\\d\\d)(?:\\.("
                                                      "\\d{1,9}))?(?:([Zz])|([+-])(\\d\\d):(\\d\\d))$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    const QDate date(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
    const QString fraction = QString(m.captured(7) + QStringLiteral("000")).left(3);
    const QTime clock(m.captured(4).toInt(), m.captured(5).toInt(), m.captured(6).toInt(), fraction.toInt());
    if (!date.isValid() || !clock.isValid())
        return std::nullopt;
    QDateTime t(date, clock, Qt::UTC);
    if (m.capturedLength(9)) {
        const int offset = (m.captured(10).toInt() * 60 + m.captured(11).toInt()) * 60;
        t = t.addSecs(m.captured(9) == u"+" ? -offset : offset);
    }
    return t;
}

QString formatTime(const QDateTime& time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

std::optional<QString> string(const QJsonObject& o, const QString& key, QString* error, bool required)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() && !required)
        return QString();
    if (!v.isString()) {
        *error = QStringLiteral("'%1' must be a string, got %2").arg(key, kindOf(v));
        return std::nullopt;
    }
    return v.toString();
}

std::optional<QDateTime> time(const QJsonObject& o, const QString& key, QString* error, bool required)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() && !required)
        return QDateTime();
    const auto text = string(o, key, error);
    if (!text)
        return std::nullopt;
    const auto t = parseTime(*text);
    if (!t)
        *error = QStringLiteral("'%1' is not an RFC 3339 time: \"%2\"").arg(key, text->left(64));
    return t;
}

std::optional<QMap<QString, QString>> stringMap(const QJsonObject& o, const QString& key, QString* error, bool required)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() && !required)
        return QMap<QString, QString>();
    if (!v.isObject()) {
        *error = QStringLiteral("'%1' must be an object, got %2").arg(key, kindOf(v));
        return std::nullopt;
    }
    QMap<QString, QString> out;
    const QJsonObject m = v.toObject();
    for (auto it = m.begin(); it != m.end(); ++it) {
        if (!it->isString()) {
            *error = QStringLiteral("'%1.%2' must be a string, got %3").arg(key, it.key(), kindOf(*it));
            return std::nullopt;
        }
        out.insert(it.key(), it->toString());
    }
    return out;
}

std::optional<QStringList> stringList(const QJsonObject& o, const QString& key, QString* error, bool required)
{
    const QJsonValue v = o.value(key);
    if ((v.isUndefined() || v.isNull()) && !required)
        return QStringList();
    if (!v.isArray()) {
        *error = QStringLiteral("'%1' must be an array, got %2").arg(key, kindOf(v));
        return std::nullopt;
    }
    QStringList out;
    const QJsonArray a = v.toArray();
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a.at(i).isString()) {
            *error = QStringLiteral("'%1[%2]' must be a string, got %3").arg(key).arg(i).arg(kindOf(a.at(i)));
            return std::nullopt;
        }
        out.append(a.at(i).toString());
    }
    return out;
}

Fields::Fields(const QJsonValue& value, const QString& what, QString* error)
    : Fields(std::make_shared<State>(State { error }), value, what, QString())
{ }

Fields::Fields(std::shared_ptr<State> state, const QJsonValue& value, const QString& what, const QString& prefix)
    : m_state(std::move(state))
    , m_object(value.toObject())
    , m_prefix(prefix)
{
    if (m_state->ok && !value.isObject())
        fail(what + QStringLiteral(" must be an object"));
}

void Fields::fail(const QString& message)
{
    if (!m_state->ok)
        return;
    m_state->ok = false;
    *m_state->error = m_prefix + message;
}

template <class T, class Read> T Fields::read(const QString& key, bool required, Read reader)
{
    if (!m_state->ok)
        return T();
    QString why;
    std::optional<T> v = reader(m_object, key, &why, required);
    if (!v) {
        fail(why);
        return T();
    }
    return *std::move(v);
}

QString Fields::string(const QString& key, bool required)
{
    return read<QString>(key, required, &AlertmanagerJson::string);
}

QDateTime Fields::time(const QString& key, bool required)
{
    return read<QDateTime>(key, required, &AlertmanagerJson::time);
}

QMap<QString, QString> Fields::stringMap(const QString& key, bool required)
{
    return read<QMap<QString, QString>>(key, required, &AlertmanagerJson::stringMap);
}

QStringList Fields::stringList(const QString& key, bool required)
{
    return read<QStringList>(key, required, &AlertmanagerJson::stringList);
}

Fields Fields::object(const QString& key)
{
    const QJsonValue v = m_object.value(key);
    if (!v.isObject())
        fail(u'\'' + key + QStringLiteral("' must be an object"));
    return Fields(m_state, v, QString(), m_prefix + key + QStringLiteral(": "));
}

} // namespace FaultDesk::AlertmanagerJson
