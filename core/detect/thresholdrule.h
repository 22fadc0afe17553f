#pragma once

#include "config/causeclass.h"

#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * A threshold on one signal with hysteresis: it is breached when the value passes `enter` and stays
 * breached until the value comes back past `clear`. With `adaptive`, `enter`/`clear` are only the starting
 * values: once the target has enough baseline, the level minimising the expected cost of false alarms and
 * missed faults replaces them (see AdaptiveThreshold). `pinned` fixes the level whatever `adaptive` says.
 */
struct ThresholdRule
{
    enum class Direction {
        Above, ///< breached when the value rises above `enter`, cleared at or below `clear`
        Below, ///< breached when the value drops below `enter`, cleared at or above `clear`
    };

    QString signal;
    Direction direction = Direction::Above;
    double enter = 0;
    double clear = 0;
    CauseClass cause = CauseClass::Unhealthy;
    bool adaptive = false;
    std::optional<double> pinned; ///< a fixed enter level chosen by the operator (clear keeps the band width)
    /// The signal measures the path to this other target (a dependency): its breach is a link fault between the two.
    QString link;

    // Cost model of the adaptive threshold (detection model: min Σ d_i(x_i)).
    double costFalseAlarm = 5.0; ///< cost of alarming on a healthy target (per check)
    double costMiss = 1.0; ///< cost of missing a fault (per check); fold a prior P(fault) into these two
    double faultShiftSd = 6.0; ///< fault model: the mean shifts by this many baseline standard deviations …
    std::optional<double> faultLevel; ///< … or moves to this level when set
    int window = 300; ///< baseline samples kept
    int minSamples = 30; ///< baseline samples needed before the adaptive level is used
    double clearBandSd = 1.0; ///< adaptive clear level = enter ∓ this many standard deviations

    /// A rule with the cause derived from the signal name.
    static ThresholdRule above(const QString& signal, double enter, double clear);
    static ThresholdRule below(const QString& signal, double enter, double clear);
};

} // namespace FaultDesk
