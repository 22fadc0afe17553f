#pragma once

#include "detect/observation.h"
#include "detect/targetpolicy.h"

#include <QDateTime>

namespace FaultDesk::TestUtil {

/// 2026-11-27 14:03:10 UTC: evidence sentences in the tests read like a real afternoon.
inline qint64 t0()
{
    return QDateTime(QDate(2026, 11, 27), QTime(14, 3, 10), Qt::UTC).toMSecsSinceEpoch();
}

inline TargetPolicy policy(const QString& name, const QString& group = QString())
{
    TargetPolicy p;
    p.name = name;
    p.group = group;
    return p;
}

inline Observation ok(const QString& target, qint64 timeMs, const QHash<QString, double>& values = {})
{
    Observation o;
    o.target = target;
    o.timeMs = timeMs;
    o.values = values;
    return o;
}

inline Observation refused(const QString& target, qint64 timeMs)
{
    Observation o;
    o.target = target;
    o.timeMs = timeMs;
    o.probe = Observation::Probe::Down;
    o.failureKind = Observation::FailureKind::Refused;
    o.reason = QStringLiteral("connection refused");
    return o;
}

inline Observation unhealthy(
    const QString& target, qint64 timeMs, const QString& reason, const QHash<QString, double>& values = {})
{
    Observation o;
    o.target = target;
    o.timeMs = timeMs;
    o.probe = Observation::Probe::Unhealthy;
    o.failureKind = Observation::FailureKind::HttpStatus;
    o.reason = reason;
    o.values = values;
    return o;
}

} // namespace FaultDesk::TestUtil
