#pragma once

#include "targetpolicy.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * Tells an attack from a flash crowd on one target: an attack is traffic concentrated on a few sources (the
 * busiest `topSources` carry more than `shareEnter` of all requests) while the total rate is well above its
 * own baseline. A flash sale raises the rate too, but spread over many sources. Hysteresis on both.
 */
class AttackDetector
{
public:
    struct Verdict
    {
        bool underAttack = false;
        double totalRate = 0; ///< req/s summed over all sources
        double baselineRate = 0; ///< median total rate while not under attack
        double topShare = 0; ///< share of the `topSources` busiest sources, 0…1
        QStringList sources; ///< the flooding sources, busiest first
        QList<double> sourceRates; ///< their rates, same order
    };

    explicit AttackDetector(const TargetPolicy::AttackRule& rule = {});

    /// Judges one set of per-source rates (req/s). Empty input keeps the previous verdict.
    Verdict observe(const QHash<QString, double>& sourceRates);
    Verdict verdict() const { return m_verdict; }
    int baselineSamples() const { return int(m_baseline.size()); }

private:
    double baselineMedian() const;

    TargetPolicy::AttackRule m_rule;
    QList<double> m_baseline;
    int m_next = 0;
    Verdict m_verdict;
};

} // namespace FaultDesk
