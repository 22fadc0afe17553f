#include "remedy/recoveryplanner.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace FaultDesk {

QStringList RecoveryPlan::batch(int b) const
{
    QStringList out;
    for (const Step& s : steps)
        if (s.batch == b)
            out.append(s.target);
    return out;
}

static QString num(double v)
{
    return QString::number(v, 'g', 4);
}

RecoveryPlan RecoveryPlanner::plan(const QList<RecoveryItem>& items, const Budget& budget)
{
    RecoveryPlan plan;
    QHash<QString, RecoveryItem> byName;
    QStringList order;
    for (const RecoveryItem& item : items) {
        if (item.target.isEmpty()) {
            plan.blocked.append(QStringLiteral("(unnamed): no target name"));
            continue;
        }
        if (byName.contains(item.target)) {
            plan.blocked.append(QStringLiteral("%1: listed twice; the first entry is used").arg(item.target));
            continue;
        }
        if (!(item.priority > 0) || !(item.expectedSeconds > 0)) {
            plan.blocked.append(
                QStringLiteral("%1: priority and expected recovery time must be positive (got %2, %3 s)")
                    .arg(item.target, num(item.priority), num(item.expectedSeconds)));
            continue;
        }
        byName.insert(item.target, item);
        order.append(item.target);
    }
    const int concurrency = std::max(1, budget.concurrency);

    QHash<QString, int> batchOf;
    double capacity = budget.currentCapacity;
    double clock = 0;
    QStringList remaining = order;
    QHash<QString, QString> waitedBecause;
    int batch = 0;
    while (!remaining.isEmpty()) {
        // Ready: every dependency in the set is planned already.
        QStringList ready;
        for (const QString& t : std::as_const(remaining)) {
            const auto& deps = byName[t].dependsOn;
            if (std::all_of(deps.cbegin(), deps.cend(),
                    [&](const QString& d) { return d == t ? false : (!byName.contains(d) || batchOf.contains(d)); }))
                ready.append(t);
        }
        if (ready.isEmpty())
            break;
        std::stable_sort(ready.begin(), ready.end(), [&](const QString& a, const QString& b) {
            const double sa = byName[a].priority / byName[a].expectedSeconds;
            const double sb = byName[b].priority / byName[b].expectedSeconds;
            return sa != sb ? sa > sb : a < b;
        });
        QStringList chosen;
        QStringList waiting;
        double offline = 0;
        for (const QString& t : std::as_const(ready)) {
            const RecoveryItem& it = byName[t];
            if (chosen.size() >= concurrency) {
                waiting.append(t);
                waitedBecause.insert(t, QStringLiteral("waited for a free slot (at most %1 at once)").arg(concurrency));
                continue;
            }
            if (capacity - offline - it.capacityOfflineWhileRecovering < budget.capacityFloor - 1e-9) {
                waiting.append(t);
                waitedBecause.insert(t,
                    QStringLiteral("waited until enough capacity was back to stay above the floor %1")
                        .arg(num(budget.capacityFloor)));
                continue;
            }
            chosen.append(t);
            offline += it.capacityOfflineWhileRecovering;
        }
        if (chosen.isEmpty()) {
            for (const QString& t : std::as_const(ready))
                plan.blocked.append(
                    QStringLiteral("%1: recovering it takes %2 offline and capacity %3 would fall below "
                                   "the floor %4")
                        .arg(t, num(byName[t].capacityOfflineWhileRecovering),
                            num(capacity - byName[t].capacityOfflineWhileRecovering), num(budget.capacityFloor)));
            for (const QString& t : std::as_const(ready))
                remaining.removeAll(t);
            // Targets depending on these can no longer be planned; the loop below reports them.
            continue;
        }
        double batchLength = 0;
        for (qsizetype rank = 0; rank < chosen.size(); ++rank) {
            const QString& t = chosen.at(rank);
            const RecoveryItem& it = byName[t];
            RecoveryPlan::Step step;
            step.batch = batch;
            step.target = t;
            step.score = it.priority / it.expectedSeconds;
            step.startSeconds = clock;
            step.finishSeconds = clock + it.expectedSeconds;
            QStringList why;
            QStringList inSet;
            for (const QString& d : it.dependsOn)
                if (byName.contains(d))
                    inSet.append(d);
            if (inSet.isEmpty())
                why.append(it.dependsOn.isEmpty() ? QStringLiteral("no dependencies")
                                                  : QStringLiteral("its dependencies (%1) are healthy")
                                                        .arg(it.dependsOn.join(QStringLiteral(", "))));
            else
                why.append(QStringLiteral("after %1 (dependencies, batch %2)")
                               .arg(inSet.join(QStringLiteral(", ")))
                               .arg(batch));
            why.append(QStringLiteral("priority %1 / %2 s = %3 per s, #%4 of %5 ready")
                           .arg(num(it.priority), num(it.expectedSeconds), num(step.score))
                           .arg(rank + 1)
                           .arg(ready.size()));
            if (it.capacityOfflineWhileRecovering > 0)
                why.append(QStringLiteral("takes %1 offline; %2 remains (floor %3)")
                               .arg(num(it.capacityOfflineWhileRecovering), num(capacity - offline),
                                   num(budget.capacityFloor)));
            if (waitedBecause.contains(t))
                why.append(waitedBecause.value(t));
            if (it.capacityRestored > 0)
                why.append(QStringLiteral("restores %1").arg(num(it.capacityRestored)));
            step.reason = why.join(QStringLiteral("; "));
            plan.steps.append(step);
            batchOf.insert(t, batch);
            plan.weightedCompletion += it.priority * step.finishSeconds;
            batchLength = std::max(batchLength, it.expectedSeconds);
            capacity += it.capacityRestored;
            remaining.removeAll(t);
        }
        clock += batchLength;
        ++batch;
    }
    for (const QString& t : std::as_const(remaining)) {
        QStringList missing;
        for (const QString& d : byName[t].dependsOn)
            if (d == t || (byName.contains(d) && !batchOf.contains(d)))
                missing.append(d);
        plan.blocked.append(QStringLiteral("%1: waits for %2, which cannot be planned (a dependency cycle or a blocked "
                                           "dependency)")
                                .arg(t, missing.join(QStringLiteral(", "))));
    }
    plan.batchCount = batch;
    plan.expectedSeconds = clock;
    plan.summary = QStringLiteral("%1 targets in %2 batches (at most %3 at once), about %4 s")
                       .arg(plan.steps.size())
                       .arg(batch)
                       .arg(concurrency)
                       .arg(num(clock));
    if (!plan.blocked.isEmpty())
        plan.summary += QStringLiteral("; %1 not planned").arg(plan.blocked.size());
    return plan;
}

QStringList RecoveryPlanner::orderLines(QList<RecoveryItem> items)
{
    QStringList out;
    if (items.size() < 2)
        return out;
    for (auto& it : items)
        it.dependsOn.removeIf([&](const QString& n) {
            return std::none_of(items.cbegin(), items.cend(), [&](const RecoveryItem& x) { return x.target == n; });
        });
    const RecoveryPlan rp = plan(items, Budget {});
    for (const auto& s : rp.steps)
        out << QStringLiteral("batch %1: %2 (%3)").arg(s.batch + 1).arg(s.target, s.reason);
    return out;
}

} // namespace FaultDesk
