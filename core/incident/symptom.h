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
};

} // namespace FaultDesk
