#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace FaultDesk::AlertmanagerJson {

// Strict readers for Alertmanager's API v2 replies: each returns std::nullopt and says which field is wrong.

/// RFC 3339 with any number of fractional digits (Go writes nanoseconds) → UTC with ms.
std::optional<QDateTime> parseTime(const QString& text);
/// RFC 3339 UTC with milliseconds, as Alertmanager accepts it.
QString formatTime(const QDateTime& time);
std::optional<QString> string(const QJsonObject& o, const QString& key, QString* error, bool required = true);
std::optional<QDateTime> time(const QJsonObject& o, const QString& key, QString* error, bool required = true);
std::optional<QMap<QString, QString>> stringMap(
    const QJsonObject& o, const QString& key, QString* error, bool required = true);
std::optional<QStringList> stringList(const QJsonObject& o, const QString& key, QString* error, bool required = true);

/**
 * Reads the fields of one reply object in turn with the readers above, so a parser lists its fields once instead
 * of chaining optionals. The first wrong field stops it: later reads return empty values, ok() is false and the
 * error names that field (a nested object's fields as "status: 'state' must be a string, got null").
 */
class Fields
{
public:
    /// Fields of @p value, which must be an object ("@p what must be an object" otherwise).
    Fields(const QJsonValue& value, const QString& what, QString* error);

    bool ok() const { return m_state->ok; }
    QString string(const QString& key, bool required = true);
    QDateTime time(const QString& key, bool required = true);
    QMap<QString, QString> stringMap(const QString& key, bool required = true);
    QStringList stringList(const QString& key, bool required = true);
    /// The object under @p key (it must be one); its errors count for this reader too.
    Fields object(const QString& key);
    /// The raw value under @p key, for shapes the readers do not cover.
    QJsonValue value(const QString& key) const { return m_object.value(key); }
    /// Records @p message (prefixed like the readers' errors) unless an error came first.
    void fail(const QString& message);

private:
    struct State
    {
        QString* error;
        bool ok = true;
    };
    Fields(std::shared_ptr<State> state, const QJsonValue& value, const QString& what, const QString& prefix);
    template <class T, class Read> T read(const QString& key, bool required, Read reader);

    std::shared_ptr<State> m_state;
    QJsonObject m_object;
    QString m_prefix; ///< "status: " inside a nested object
};

} // namespace FaultDesk::AlertmanagerJson
