#pragma once

#include "detect/thresholdrule.h"

#include <QJsonObject>
#include <QString>

namespace FaultDesk {

/// The level a threshold rule applies right now, and where it comes from, so the ui can draw it.
struct EffectiveThreshold
{
    enum class Source {
        Pinned, ///< a fixed level: configured with adaptive off, or pinned by the operator
        Learning, ///< adaptive, still collecting baseline: the configured level applies
        Adaptive, ///< adaptive: the cost-minimising level learnt from the baseline
    };

    QString signal;
    ThresholdRule::Direction direction = ThresholdRule::Direction::Above;
    double enter = 0;
    double clear = 0;
    Source source = Source::Pinned;
    bool breached = false;
    double baselineMean = 0; ///< adaptive only
    double baselineSd = 0; ///< adaptive only
    int baselineSamples = 0;

    /// "pinned", "learning", "adaptive".
    static QString sourceName(Source source);
    QJsonObject toJson() const;
};

} // namespace FaultDesk
