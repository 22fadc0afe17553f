#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/// A target waiting for recovery, as the recovery model sees it.
struct RecoveryItem
{
    QString target;
    double priority = 1; ///< business value of having it back (p_i), > 0
    double expectedSeconds = 60; ///< expected recovery time, > 0
    QStringList dependsOn; ///< targets that must be recovered first (others are assumed healthy)
    double capacityRestored = 0; ///< capacity it brings back when recovered (e.g. rps)
    double capacityOfflineWhileRecovering = 0; ///< capacity it takes away while its recovery runs
};

/// The ordered, batched plan the UI shows before running Recover.
struct RecoveryPlan
{
    struct Step
    {
        int batch = 0; ///< 0-based; the steps of one batch run concurrently
        QString target;
        double score = 0; ///< priority per second of recovery time
        double startSeconds = 0; ///< expected start, from the plan's start
        double finishSeconds = 0;
        QString reason; ///< why here: dependencies, score, capacity floor
    };

    QList<Step> steps; ///< in execution order
    int batchCount = 0;
    QStringList blocked; ///< "db-2: depends on itself through cache-1 → db-2" — targets not planned, with reasons
    double expectedSeconds = 0; ///< expected makespan
    double weightedCompletion = 0; ///< Σ p_i · finish_i (lower is better: value comes back sooner)
    QString summary;

    bool complete() const { return blocked.isEmpty(); }
    /// The targets of batch @p batch.
    QStringList batch(int batch) const;
};

/**
 * The recovery model, max Σ p_i(x_i): orders targets for recovery in batches under a concurrency budget and a
 * capacity floor. A target is ready once every dependency it names is planned in an earlier batch; ready targets
 * go by priority per unit of expected recovery time (Smith's rule, which maximises value recovered over time on
 * one worker) as long as the batch has room and the capacity while it runs stays at or above the floor.
 */
class RecoveryPlanner
{
public:
    struct Budget
    {
        int concurrency = 2; ///< recoveries running at once
        double currentCapacity = 0; ///< capacity serving now
        double capacityFloor = 0; ///< capacity that must remain while recoveries run
    };

    static RecoveryPlan plan(const QList<RecoveryItem>& items, const Budget& budget);
    /// "batch 1: db-1 (…)" for each item when there are several, dependencies limited to the items themselves.
    static QStringList orderLines(QList<RecoveryItem> items);
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::RecoveryPlan)
