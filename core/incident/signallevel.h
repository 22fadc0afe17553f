#pragma once

#include <QString>

namespace FaultDesk {

/// A signal's detection rule on one target as recorded with an incident's evidence: the threshold and its clear level.
struct SignalLevel
{
    QString target;
    QString signal;
    bool above = true; ///< breached above the threshold (false: below it)
    double threshold = 0;
    double clear = 0; ///< equal to the threshold when the rule has no hysteresis
};

} // namespace FaultDesk
