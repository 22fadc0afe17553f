#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace FaultDesk {

/// A silence as Alertmanager's API v2 knows it (POST /api/v2/silences, GET /api/v2/silence/{id}).
struct AlertmanagerSilence
{
    /// One label matcher; FaultDesk only creates exact (isEqual, not isRegex) ones.
    struct Matcher
    {
        QString name;
        QString value;
        bool isRegex = false;
        bool isEqual = true;

        friend bool operator==(const Matcher&, const Matcher&) = default;
    };

    QString id; ///< empty when creating
    QList<Matcher> matchers;
    QDateTime startsAt; ///< UTC
    QDateTime endsAt; ///< UTC
    QString createdBy;
    QString comment;
    QString state; ///< "active", "pending" or "expired" (read only)

    /// The object POST /api/v2/silences takes.
    QJsonObject toPostJson() const;
    /// Parses GET /api/v2/silence/{id} strictly; std::nullopt with @p error naming the bad field.
    static std::optional<AlertmanagerSilence> fromJson(const QJsonValue& value, QString* error);
    /// `alertname="X", instance="Y"` — for logs, audit records and the UI.
    QString matchersText() const;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::AlertmanagerSilence)
