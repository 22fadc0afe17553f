#pragma once

#include <QDateTime>

#include <optional>

namespace FaultDesk {

/**
 * How long each phase of one incident took, in ms. Time to detect runs from the first failing sample to
 * detection; the others run from detection, because the console cannot act on a fault before it sees it.
 * Impact is the outage as users saw it: first failing sample (or detection) to recovery.
 * A phase the incident has not reached is std::nullopt.
 */
struct PhaseTimes
{
    std::optional<qint64> detectMs;
    std::optional<qint64> locateMs;
    std::optional<qint64> acknowledgeMs;
    std::optional<qint64> handleMs;
    std::optional<qint64> recoverMs;
    std::optional<qint64> impactMs;
};

/// Mean phase times over a group of incidents (MTTD, MTTL, MTTA, MTTH, MTTR), in ms.
struct MttxFigures
{
    QString key; ///< the target or cause class the row groups by; empty for the overall row
    int incidents = 0; ///< incidents in the group
    int recovered = 0; ///< of which recovered (the MTTR sample size)
    std::optional<double> mttdMs;
    std::optional<double> mttlMs;
    std::optional<double> mttaMs;
    std::optional<double> mtthMs;
    std::optional<double> mttrMs;
};

} // namespace FaultDesk
