#pragma once

#include "config/causeclass.h"
#include "config/sourceposition.h"
#include "metrics/selector.h"

#include <QString>

#include <optional>

namespace FaultDesk {

/// A signal's threshold with hysteresis: a breach starts past `enter` and ends only back past `clear`.
struct SignalThreshold
{
    enum class Direction {
        Above, ///< breached while the value is above enter; clear <= enter
        Below, ///< breached while the value is below enter; clear >= enter
    };

    Direction direction = Direction::Above;
    double enter = 0;
    double clear = 0; ///< equals enter when the configuration gives none
    bool adaptive = false; ///< learnt from the baseline; enter/clear are the starting point
};

/// A named value derived from a target's metrics scrape.
struct SignalConfig
{
    enum class Kind {
        Gauge, ///< sum of the samples matching selector
        Rate, ///< per-second increase of the counters matching selector
        Ratio, ///< rate(selector) / rate(denominator)
        Quantile, ///< histogram quantile q over the rate of selector's `_bucket` series
    };

    QString name;
    Kind kind = Kind::Gauge;
    QString selectorText; ///< as written: the gauge/rate metric, the ratio's numerator or the histogram
    Selector selector; ///< selectorText parsed
    QString denominatorText; ///< ratio only
    Selector denominator; ///< ratio only
    double q = 0; ///< quantile only, in (0, 1)
    QString by; ///< non-empty: a per-label breakdown (gauge or rate) by this label
    std::optional<SignalThreshold> threshold;
    CauseClass cause = CauseClass::Unhealthy; ///< from `cause:` or guessed from the name
    /// `link:` — the signal measures the target's path to this other target (a dependency): its breach is a link
    /// fault between the two (cause `network` unless `cause:` says otherwise), not a fault of either end.
    QString link;
    SourcePosition linkPosition; ///< where `link:` names it (for the reference check)
    /// Reported by the target's probe itself (the postgres probe's pg_* signals), not derived from a scrape: no
    /// selector, and no metrics probe needed.
    bool builtin = false;
    SourcePosition position;

    bool isBreakdown() const { return !by.isEmpty(); }
    static QString kindName(Kind kind);
};

} // namespace FaultDesk
