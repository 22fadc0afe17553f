#pragma once

#include "config/causeclass.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * An operator took a fault: who, when, why, and for an Alertmanager alert the silence that mutes it. Sticky until the
 * fault recovers. key() identifies "the same fault" across a restart: the alert (source, alertname, target label
 * value) or the probe fault (target, cause).
 */
struct Acknowledgement
{
    QString faultId;
    QString incidentId; ///< the detector's incident id when acknowledged (may be empty: not located yet)
    QString target;
    CauseClass cause = CauseClass::Unhealthy;
    QString operatorName;
    QString comment;
    QDateTime timeUtc;
    QString source; ///< Alertmanager source name; empty for a probe fault
    QString alertName;
    QString alertInstance; ///< value of the source's target label
    QString silenceId; ///< the silence FaultDesk created and will expire; empty when none (yet)
    bool restored = false; ///< rebuilt from the store after a restart
    bool shared = false; ///< made in another console sharing the store (its records are that console's)

    bool isAlert() const { return !source.isEmpty(); }
    QString key() const;
    QJsonObject toJson() const;
    static std::optional<Acknowledgement> fromJson(const QJsonObject& object);
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::Acknowledgement)
