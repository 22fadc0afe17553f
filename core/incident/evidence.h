#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace FaultDesk {

/// What decided a detection or a localization: the rule and the samples it saw.
struct Evidence
{
    QDateTime timeUtc;
    QString target;
    QString rule; ///< readable rule ("load above 0.85 for 2 checks")
    QJsonObject detail; ///< samples, thresholds, dependency path … (free-form, rendered as JSON)
};

} // namespace FaultDesk
