#pragma once

#include "detect/targetpolicy.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * Tells an attack from a flash crowd on one target: an attack is traffic concentrated on a few sources (the
 * busiest `topSources` carry more than `shareEnter` of all requests) while the total rate is well above its
 * own baseline (the lower quartile of the recent smoothed total rate). A flash sale raises the rate too, but spread
 * over many sources. Hysteresis on both.
 *
 * The total rate is counted over the last `rateWindowMs` (a second or two reacts quickly, one short interval is
 * Poisson noise); the concentration is judged on per-source rates smoothed over `smoothingMs`, because one
 * interval's per-source counts are too few to tell a few heavy sources from the luck of an ordinary crowd. What
 * the verdict reports (total, the named sources' rates, the busiest sources' share) is all counted over the same
 * window, so the numbers of one sentence agree with each other.
 */
class AttackDetector
{
public:
    struct Verdict
    {
        bool underAttack = false;
        double totalRate = 0; ///< req/s summed over all sources, counted over the last `windowSeconds`
        double windowSeconds = 0; ///< the span the counted rates cover (whole intervals)
        double baselineRate = 0; ///< lower quartile of the smoothed total rate while not under attack
        double topShare = 0; ///< share of the `topSources` busiest sources (smoothed rates), 0…1: the criterion
        double countedTopShare = 0; ///< the same share counted over the window, 0…1: what the evidence quotes
        QStringList sources; ///< the flooding sources, busiest first
        QList<double> sourceRates; ///< their rates counted over the window, same order
    };

    explicit AttackDetector(const TargetPolicy::AttackRule& rule = {});

    /// Judges one set of per-source rates (req/s) measured at @p nowMs. Empty input is an interval measured without a
    /// request: the smoothed rates decay, the previous verdict stands.
    Verdict observe(const QHash<QString, double>& sourceRates, qint64 nowMs);
    Verdict verdict() const { return m_verdict; }
    int baselineSamples() const { return int(m_baseline.size()); }

private:
    double baselineRate() const;
    void smooth(const QHash<QString, double>& sourceRates, qint64 nowMs);
    void remember(const QHash<QString, double>& sourceRates, qint64 nowMs);
    /// Requests @p source sent within the last `smoothingMs` (the rates times their intervals).
    double recentRequests(const QString& source) const;
    /// Requests per source, and the seconds they cover, over the last `rateWindowMs` (at least the latest interval).
    QHash<QString, double> windowRequests(qint64 nowMs, double* seconds) const;

    TargetPolicy::AttackRule m_rule;
    QList<double> m_baseline;
    int m_next = 0;
    Verdict m_verdict;
    QHash<QString, double> m_smoothed; ///< source → EWMA of its rate
    qint64 m_lastMs = -1;
    struct Interval
    {
        qint64 endMs = 0;
        double seconds = 1;
        QHash<QString, double> rates;
    };
    QList<Interval> m_recent; ///< the inputs of the last `smoothingMs`, for counting a source's requests
};

} // namespace FaultDesk
