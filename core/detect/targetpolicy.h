#pragma once

#include "detect/thresholdrule.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * How one target is judged: the detection part of its fleet.yaml entry (the config loader fills it; the
 * defaults are the documented ones). Independent of the config classes so detection can be tested alone.
 */
struct TargetPolicy
{
    /// Attack rule on the per-source request rates of an Observation.
    struct AttackRule
    {
        bool enabled = true;
        int topSources = 3; ///< the N busiest sources …
        double shareEnter = 0.5; ///< … carry more than this share of all requests …
        double shareClear = 0.4;
        double rateFactor = 3.0; ///< … while the total rate is above this × its baseline (lower quartile) …
        double rateClearFactor = 2.0;
        double minRate
            = 5.0; ///< … and above this absolute rate (req/s); it ends below this × rateClearFactor / rateFactor
        double heavyFactor = 5.0; ///< sources named: rate ≥ this × the median source's rate
        double minSourceShare = 0.05; ///< … and carry at least this share of all requests
        double minOfBusiest = 0.2; ///< … and at least this fraction of the busiest source's rate …
        /// … and sent at least this many requests within the smoothing window: an ordinary client that sent
        /// two requests in a row is not a flooding source, whatever the ratios say.
        double minSourceRequests = 5;
        int maxNamed = 10;
        /// Time constant of the per-source rate smoothing (EWMA) the concentration is judged on. Per-source
        /// rates over one interval are a handful of requests each, so the busiest three of an ordinary crowd
        /// easily carry half of one second's requests; over a few seconds they do not. 0 = no smoothing.
        qint64 smoothingMs = 5000;
        /// The total rate judged, and every rate shown, is counted over the intervals of this window, never one
        /// interval alone: a 0.3 s scrape that caught one request of a 12 req/s flood reads 3 req/s, and under a
        /// busy machine's irregular scrapes that once ended an attack half a second after it was located.
        qint64 rateWindowMs = 2000;
        int window = 300; ///< baseline samples of the total rate
        int minSamples = 10;
    };

    QString name;
    QString group;
    int priority = 5; ///< 1 (low) … 10 (high)
    int attempts = 2; ///< consecutive failing checks before HARD
    qint64 intervalMs = 1000;
    qint64 retryIntervalMs = 500; ///< fast re-check while SOFT
    qint64 staleAfterMs = 3000; ///< no fresh check for this long counts as a failure
    double flappingHigh = 30;
    double flappingLow = 25;
    QList<ThresholdRule> thresholds;
    AttackRule attack;
    /// The HAProxy pool the target serves in, "instance/backend" (empty: none). Members of one pool are peers: a
    /// surge or flood over several of them is one pool-level fault.
    QString pool;
    /// The entry point its traffic comes through (the HAProxy instance): pools behind one entry share a traffic path.
    QString entry;
    /// The signal that counts its requests per second (empty: none); an overload names where demand rose with it.
    QString requestSignal;
    QStringList dependsOn; ///< each must be up
    QList<QStringList> anyOf; ///< redundancy groups: at least one member must be up
};

} // namespace FaultDesk
