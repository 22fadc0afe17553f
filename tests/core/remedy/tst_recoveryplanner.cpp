#include "remedy/recoveryplanner.h"

#include <QTest>

#include <algorithm>

using namespace FaultDesk;

class TestRecoveryPlanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dependenciesFirst();
    void priorityPerSecond();
    void smithRuleOptimalOnOneWorker_data();
    void smithRuleOptimalOnOneWorker();
    void concurrencyBudget();
    void capacityFloor();
    void blocked_data();
    void blocked();
};

static RecoveryItem item(
    const QString& t, double p, double s, QStringList deps = {}, double restored = 0, double offline = 0)
{
    RecoveryItem i;
    i.target = t;
    i.priority = p;
    i.expectedSeconds = s;
    i.dependsOn = deps;
    i.capacityRestored = restored;
    i.capacityOfflineWhileRecovering = offline;
    return i;
}

static QStringList order(const RecoveryPlan& plan)
{
    QStringList out;
    for (const auto& s : plan.steps)
        out.append(s.target);
    return out;
}

void TestRecoveryPlanner::dependenciesFirst()
{
    // The web tier is worth the most, but it cannot come back before its API and database.
    const RecoveryPlan plan
        = RecoveryPlanner::plan({ item(u"web-1"_qs, 100, 5, { u"api-1"_qs }), item(u"api-1"_qs, 10, 30, { u"db-1"_qs }),
                                    item(u"db-1"_qs, 1, 120, { u"storage"_qs }) },
            { 4, 0, 0 });
    QVERIFY(plan.complete());
    QCOMPARE(order(plan), (QStringList { u"db-1"_qs, u"api-1"_qs, u"web-1"_qs }));
    QCOMPARE(plan.batchCount, 3);
    QVERIFY2(
        plan.steps[0].reason.contains(u"its dependencies (storage) are healthy"_qs), qPrintable(plan.steps[0].reason));
    QVERIFY2(plan.steps[1].reason.startsWith(u"after db-1"_qs), qPrintable(plan.steps[1].reason));
    QCOMPARE(plan.steps[2].startSeconds, 150.0);
    QCOMPARE(plan.expectedSeconds, 155.0);
}

void TestRecoveryPlanner::priorityPerSecond()
{
    const RecoveryPlan plan = RecoveryPlanner::plan(
        { item(u"big"_qs, 10, 100), item(u"mid"_qs, 5, 10), item(u"quick"_qs, 1, 1) }, { 1, 0, 0 });
    QCOMPARE(order(plan), (QStringList { u"quick"_qs, u"mid"_qs, u"big"_qs }));
    QVERIFY2(plan.steps[0].reason.contains(u"priority 1 / 1 s = 1 per s, #1 of 3 ready"_qs),
        qPrintable(plan.steps[0].reason));
    QVERIFY(plan.steps[1].reason.contains(u"waited for a free slot"_qs));
}

void TestRecoveryPlanner::smithRuleOptimalOnOneWorker_data()
{
    QTest::addColumn<QList<double>>("priorities");
    QTest::addColumn<QList<double>>("seconds");
    QTest::addRow("four") << QList<double> { 3, 1, 4, 1 } << QList<double> { 50, 10, 90, 5 };
    QTest::addRow("five") << QList<double> { 9, 2, 6, 5, 3 } << QList<double> { 30, 4, 25, 60, 8 };
}

void TestRecoveryPlanner::smithRuleOptimalOnOneWorker()
{
    QFETCH(QList<double>, priorities);
    QFETCH(QList<double>, seconds);
    QList<RecoveryItem> items;
    for (qsizetype i = 0; i < priorities.size(); ++i)
        items.append(item(u"t%1"_qs.arg(i), priorities[i], seconds[i]));
    const RecoveryPlan plan = RecoveryPlanner::plan(items, { 1, 0, 0 });
    // Brute force: the least Σ p_i·finish_i over every order.
    QList<int> perm;
    for (qsizetype i = 0; i < items.size(); ++i)
        perm.append(int(i));
    double best = 1e300;
    do {
        double clock = 0, cost = 0;
        for (int i : perm) {
            clock += seconds[i];
            cost += priorities[i] * clock;
        }
        best = std::min(best, cost);
    } while (std::next_permutation(perm.begin(), perm.end()));
    QCOMPARE(plan.weightedCompletion, best);
}

void TestRecoveryPlanner::concurrencyBudget()
{
    QList<RecoveryItem> items;
    for (int i = 0; i < 5; ++i)
        items.append(item(u"web-%1"_qs.arg(i + 1), 5 - i, 10));
    const RecoveryPlan plan = RecoveryPlanner::plan(items, { 2, 0, 0 });
    QCOMPARE(plan.batchCount, 3);
    QCOMPARE(plan.batch(0), (QStringList { u"web-1"_qs, u"web-2"_qs }));
    QCOMPARE(plan.batch(1), (QStringList { u"web-3"_qs, u"web-4"_qs }));
    QCOMPARE(plan.batch(2), QStringList { u"web-5"_qs });
    QCOMPARE(plan.expectedSeconds, 30.0);
}

void TestRecoveryPlanner::capacityFloor()
{
    // Serving 300, must keep 200: a restart takes 100 offline and brings 100 back.
    const RecoveryPlan plan = RecoveryPlanner::plan(
        { item(u"x"_qs, 3, 10, {}, 100, 100), item(u"y"_qs, 2, 10, {}, 100, 100), item(u"z"_qs, 1, 10, {}, 100, 100) },
        { 3, 300, 200 });
    QVERIFY(plan.complete());
    QCOMPARE(plan.batch(0), QStringList { u"x"_qs });
    QCOMPARE(plan.batch(1), (QStringList { u"y"_qs, u"z"_qs }));
    QVERIFY2(
        plan.steps[1].reason.contains(u"waited until enough capacity was back"_qs), qPrintable(plan.steps[1].reason));
    QVERIFY(plan.steps[0].reason.contains(u"takes 100 offline; 200 remains (floor 200)"_qs));
}

void TestRecoveryPlanner::blocked_data()
{
    QTest::addColumn<QList<RecoveryItem>>("items");
    QTest::addColumn<QStringList>("planned");
    QTest::addColumn<QString>("blockedPart");
    QTest::addRow("cycle") << QList<RecoveryItem> { item(u"a"_qs, 1, 1, { u"b"_qs }), item(u"b"_qs, 1, 1, { u"a"_qs }),
        item(u"c"_qs, 1, 1) }
                           << QStringList { u"c"_qs } << u"a: waits for b"_qs;
    QTest::addRow("self dependency") << QList<RecoveryItem> { item(u"a"_qs, 1, 1, { u"a"_qs }) } << QStringList {}
                                     << u"a: waits for a"_qs;
    QTest::addRow("below floor") << QList<RecoveryItem> { item(u"db"_qs, 1, 1, {}, 0, 500),
        item(u"api"_qs, 1, 1, { u"db"_qs }) }
                                 << QStringList {} << u"db: recovering it takes 500 offline"_qs;
    QTest::addRow("bad numbers") << QList<RecoveryItem> { item(u"a"_qs, 0, 1), item(u"b"_qs, 1, 1) }
                                 << QStringList { u"b"_qs }
                                 << u"a: priority and expected recovery time must be positive"_qs;
    QTest::addRow("duplicate") << QList<RecoveryItem> { item(u"a"_qs, 1, 1), item(u"a"_qs, 2, 1) }
                               << QStringList { u"a"_qs } << u"a: listed twice"_qs;
}

void TestRecoveryPlanner::blocked()
{
    QFETCH(QList<RecoveryItem>, items);
    QFETCH(QStringList, planned);
    QFETCH(QString, blockedPart);
    const RecoveryPlan plan = RecoveryPlanner::plan(items, { 2, 600, 300 });
    QCOMPARE(order(plan), planned);
    QVERIFY(!plan.complete());
    QVERIFY2(std::any_of(plan.blocked.cbegin(), plan.blocked.cend(),
                 [&](const QString& b) { return b.startsWith(blockedPart); }),
        qPrintable(plan.blocked.join(u" | ")));
    QVERIFY(plan.summary.contains(u"not planned"_qs));
}

QTEST_GUILESS_MAIN(TestRecoveryPlanner)
#include "tst_recoveryplanner.moc"
