#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/// One alert as Alertmanager's API v2 describes it (GET /api/v2/alerts), or one to post (POST /api/v2/alerts).
struct AlertmanagerAlert
{
    QString fingerprint; ///< Alertmanager's identity of the label set
    QMap<QString, QString> labels; ///< always holds `alertname`
    QMap<QString, QString> annotations;
    QDateTime startsAt; ///< UTC
    QDateTime endsAt; ///< UTC; for a firing alert the time it lapses unless re-sent
    QDateTime updatedAt;
    QString state; ///< "active", "suppressed" or "unprocessed"
    QStringList silencedBy; ///< silence ids muting it
    QStringList inhibitedBy;
    QString generatorUrl;

    QString alertName() const { return labels.value(QStringLiteral("alertname")); }
    /// The object POST /api/v2/alerts takes (labels, annotations, startsAt/endsAt when set, generatorURL).
    QJsonObject toPostJson() const;
    /// Parses one element of GET /api/v2/alerts strictly; std::nullopt with @p error naming the bad field.
    static std::optional<AlertmanagerAlert> fromJson(const QJsonValue& value, QString* error);
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::AlertmanagerAlert)
