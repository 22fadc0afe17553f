#pragma once

#include <QDateTime>
#include <QString>

namespace FaultDesk {

/// A fault seen on a target that localization attributed to an incident's root cause (UNREACHABLE, errors, …).
struct Symptom
{
    QDateTime timeUtc;
    QString target;
    QString signal; ///< the signal or probe that failed ("error_rate", "http"), may be empty
    QString causeClass; ///< how the symptom looked on its own (errors, latency, down, …)
    QString detail; ///< readable explanation ("depends on db-primary, which is down")

    /// How it entered its incident, as a timeline event: "member joined" (a pool or group peer hit by the same
    /// event), "aftershock" (after the incident had recovered), "another root cause", or "symptom".
    QString timelineEvent() const
    {
        if (detail.startsWith(u"affected member: "))
            return QStringLiteral("member joined");
        if (detail.startsWith(u"aftershock: "))
            return QStringLiteral("aftershock");
        if (detail.startsWith(u"another root cause"))
            return QStringLiteral("another root cause");
        return QStringLiteral("symptom");
    }
};

} // namespace FaultDesk
