#pragma once

#include "metrics/selector.h"

#include <QString>

#include <cstdint>

namespace FaultDesk {

/// How a named signal is derived from a target's scrape (the `signals:` entries of the fleet configuration).
struct SignalSpec
{
    enum class Kind {
        Gauge, ///< sum of the samples the selector matches
        Rate, ///< per-second increase of the summed counter between two scrapes
        Ratio, ///< rate(selector) / rate(denominator)
        Quantile, ///< histogram_quantile(quantile, sum by (le) (rate(selector's _bucket series)))
        Breakdown, ///< rate(selector) split by the values of label `by`
    };

    QString name;
    Kind kind = Kind::Gauge;
    /// The series (Gauge, Rate, Breakdown), the numerator (Ratio) or the histogram's name (Quantile).
    Selector selector;
    Selector denominator; ///< Ratio only
    double quantile = 0.95; ///< Quantile only, 0…1
    /// Quantile only: observations a value needs. Intervals with fewer are carried into the next one (the
    /// quantile of two requests is just the slower of them), up to maxWindowMs, after which what there is counts.
    double minObservations = 20;
    std::int64_t maxWindowMs = 30000; ///< Quantile only
    QString by; ///< Breakdown only: the label to split by
};

} // namespace FaultDesk
