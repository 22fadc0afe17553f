#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringList>

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

} // namespace FaultDesk::AlertmanagerJson
