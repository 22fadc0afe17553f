#pragma once

#include <QHash>
#include <QList>
#include <QString>

namespace FaultDesk {

/// One active scrape target as Prometheus lists it in `/api/v1/targets`.
struct PromTargetInfo
{
    QHash<QString, QString> labels; ///< the target's labels after relabelling (instance, job, …)
    QString scrapePool;
    QString scrapeUrl;
    QString health; ///< "up", "down" or "unknown"
    QString lastError;
};

/// The answer to a targets request: the active targets, or the error (same wording rules as PromQueryResult).
struct PromTargetsResult
{
    QString errorText; ///< empty on success
    QList<PromTargetInfo> targets;

    bool ok() const { return errorText.isEmpty(); }
};

} // namespace FaultDesk
