#include "detect/thresholdrule.h"

namespace FaultDesk {

ThresholdRule ThresholdRule::above(const QString& signal, double enter, double clear)
{
    ThresholdRule r;
    r.signal = signal;
    r.direction = Direction::Above;
    r.enter = enter;
    r.clear = clear;
    r.cause = defaultCauseForSignal(signal);
    return r;
}

ThresholdRule ThresholdRule::below(const QString& signal, double enter, double clear)
{
    ThresholdRule r = above(signal, enter, clear);
    r.direction = Direction::Below;
    return r;
}

} // namespace FaultDesk
