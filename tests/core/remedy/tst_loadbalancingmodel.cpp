#include "remedy/loadbalancingmodel.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace FaultDesk;

class TestLoadBalancingModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void equalCapacitiesSplitEqually_data();
    void equalCapacitiesSplitEqually();
    void kktClosedForm_data();
    void kktClosedForm();
    void matchesBruteForce_data();
    void matchesBruteForce();
    void slowServerGetsNothing();
    void weightsProportional();
    void downAndDrainingServersKeepTheirWeight();
    void capacityEstimates_data();
    void capacityEstimates();
    void degenerate_data();
    void degenerate();
};

static QList<ServerLoadInput> pool(const QList<double>& capacities)
{
    QList<ServerLoadInput> out;
    for (qsizetype i = 0; i < capacities.size(); ++i) {
        ServerLoadInput s;
        s.name = u"s%1"_qs.arg(i + 1);
        s.capacity = capacities[i];
        out.append(s);
    }
    return out;
}

static double objective(const QList<double>& c, const QList<double>& x)
{
    double f = 0;
    for (qsizetype i = 0; i < c.size(); ++i) {
        if (x[i] >= c[i])
            return std::numeric_limits<double>::infinity();
        f += x[i] / (c[i] - x[i]);
    }
    return f;
}

void TestLoadBalancingModel::equalCapacitiesSplitEqually_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<double>("capacity");
    QTest::addColumn<double>("load");
    QTest::addRow("2 servers, light") << 2 << 100.0 << 10.0;
    QTest::addRow("4 servers, flash sale") << 4 << 200.0 << 700.0;
    QTest::addRow("5 servers, near saturation") << 5 << 50.0 << 249.0;
}

void TestLoadBalancingModel::equalCapacitiesSplitEqually()
{
    QFETCH(int, n);
    QFETCH(double, capacity);
    QFETCH(double, load);
    const LoadBalancingPlan plan = LoadBalancingModel::solve(pool(QList<double>(n, capacity)), load);
    QVERIFY2(plan.feasible, qPrintable(plan.message));
    for (const auto& s : plan.servers) {
        QVERIFY(std::abs(s.load - load / n) < 1e-9 * load);
        QCOMPARE(s.weight, 256);
    }
}

void TestLoadBalancingModel::kktClosedForm_data()
{
    QTest::addColumn<QList<double>>("c");
    QTest::addColumn<double>("load");
    QTest::addRow("two unequal") << QList<double> { 100, 400 } << 300.0;
    QTest::addRow("three mixed") << QList<double> { 50, 120, 300 } << 200.0;
    QTest::addRow("four heavy") << QList<double> { 80, 90, 100, 500 } << 700.0;
}

void TestLoadBalancingModel::kktClosedForm()
{
    QFETCH(QList<double>, c);
    QFETCH(double, load);
    const LoadBalancingPlan plan = LoadBalancingModel::solve(pool(c), load);
    QVERIFY2(plan.feasible, qPrintable(plan.message));
    double sum = 0;
    for (qsizetype i = 0; i < c.size(); ++i) {
        const double x = plan.servers[i].load;
        sum += x;
        QVERIFY(x >= 0 && x < c[i]);
        if (x > 0) {
            // x_i = c_i − √(c_i/λ), i.e. f_i'(x_i) = c_i/(c_i − x_i)² = λ
            QVERIFY(std::abs(x - (c[i] - std::sqrt(c[i] / plan.lambda))) < 1e-6 * c[i]);
            QVERIFY(std::abs(c[i] / ((c[i] - x) * (c[i] - x)) / plan.lambda - 1) < 1e-6);
        } else {
            QVERIFY(1 / c[i] >= plan.lambda * (1 - 1e-9)); // f_i'(0) ≥ λ: not worth any load
        }
    }
    QVERIFY(std::abs(sum - load) < 1e-9 * load);
}

void TestLoadBalancingModel::matchesBruteForce_data()
{
    QTest::addColumn<QList<double>>("c");
    QTest::addColumn<double>("load");
    QTest::addRow("2: 100/300 at 200") << QList<double> { 100, 300 } << 200.0;
    QTest::addRow("2: 10/1000 at 50") << QList<double> { 10, 1000 } << 50.0;
    QTest::addRow("3: 60/80/100 at 150") << QList<double> { 60, 80, 100 } << 150.0;
    QTest::addRow("3: 5/200/210 at 380") << QList<double> { 5, 200, 210 } << 380.0;
}

void TestLoadBalancingModel::matchesBruteForce()
{
    QFETCH(QList<double>, c);
    QFETCH(double, load);
    const LoadBalancingPlan plan = LoadBalancingModel::solve(pool(c), load);
    QVERIFY(plan.feasible);
    // Exhaustive search over a fine grid of feasible splits.
    double best = std::numeric_limits<double>::infinity();
    const int steps = c.size() == 2 ? 200000 : 1500;
    const double h = load / steps;
    if (c.size() == 2) {
        for (int i = 0; i <= steps; ++i)
            best = std::min(best, objective(c, { i * h, load - i * h }));
    } else {
        for (int i = 0; i <= steps; ++i)
            for (int j = 0; i + j <= steps; ++j)
                best = std::min(best, objective(c, { i * h, j * h, load - (i + j) * h }));
    }
    QList<double> x;
    for (const auto& s : plan.servers)
        x.append(s.load);
    const double ours = objective(c, x);
    QVERIFY2(ours <= best * (1 + 1e-9),
        qPrintable(u"model %1 > brute force %2"_qs.arg(ours, 0, 'g', 12).arg(best, 0, 'g', 12)));
    QVERIFY2(ours >= best * (1 - 1e-3), qPrintable(u"model %1 << brute force %2"_qs.arg(ours).arg(best)));
    QVERIFY(std::abs(plan.objective - ours) < 1e-9 * std::max(1.0, ours));
}

void TestLoadBalancingModel::slowServerGetsNothing()
{
    const LoadBalancingPlan plan = LoadBalancingModel::solve(pool({ 100, 100, 1 }), 10);
    QVERIFY(plan.feasible);
    QCOMPARE(plan.servers[2].load, 0.0);
    // The optimum gives it no load, but a rebalance never takes a server that answers out of rotation (weight 0 is
    // a drain, which only the gated drain step may do): it keeps the smallest weight, and the note says why.
    QCOMPARE(plan.servers[2].weight, 1);
    QVERIFY(plan.servers[2].note.contains(u"too slow"_qs));
    QVERIFY(plan.servers[2].note.contains(u"kept in rotation at weight 1"_qs));
    QCOMPARE(plan.weights().size(), 3);
    QCOMPARE(plan.weights()[2], qMakePair(u"s3"_qs, 1));
    QVERIFY(std::abs(plan.servers[0].load - 5) < 1e-9);
}

void TestLoadBalancingModel::downAndDrainingServersKeepTheirWeight()
{
    // A rebalance sets the weights of the servers it balances over and no other: a server that is down or being
    // drained is HAProxy's health check's and the drain step's business (weight 0 on it would also hide it from
    // Recover's view of what the rebalance changed).
    QList<ServerLoadInput> servers = pool({ 100, 100, 100, 100 });
    servers[1].up = false;
    const LoadBalancingPlan plan
        = LoadBalancingModel::solve(servers, 150, LoadBalancingModel::Options {}, { u"s4"_qs });
    QVERIFY(plan.feasible);
    QVERIFY(!plan.servers[1].available);
    QVERIFY(!plan.servers[3].available);
    const auto weights = plan.weights();
    QCOMPARE(weights.size(), 2);
    QCOMPARE(weights[0].first, u"s1"_qs);
    QCOMPARE(weights[1].first, u"s3"_qs);
    for (const auto& w : weights)
        QVERIFY(w.second >= 1);
}

void TestLoadBalancingModel::weightsProportional()
{
    const LoadBalancingPlan plan = LoadBalancingModel::solve(pool({ 100, 200, 400, 800 }), 1000);
    QVERIFY(plan.feasible);
    const auto weights = plan.weights();
    QCOMPARE(weights.size(), 4);
    double xmax = 0;
    for (const auto& s : plan.servers)
        xmax = std::max(xmax, s.load);
    for (qsizetype i = 0; i < weights.size(); ++i) {
        QCOMPARE(weights[i].first, plan.servers[i].name);
        QVERIFY(weights[i].second >= 0 && weights[i].second <= 256);
        QVERIFY(std::abs(weights[i].second - 256 * plan.servers[i].load / xmax) <= 0.5 + 1e-9);
    }
    QCOMPARE(weights.last().second, 256);
}

void TestLoadBalancingModel::capacityEstimates_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<double>("util");
    QTest::addColumn<double>("expected"); // < 0: not estimable
    QTest::addRow("half busy") << 100.0 << 0.5 << 200.0;
    QTest::addRow("saturated") << 150.0 << 1.0 << 150.0;
    QTest::addRow("over 100%% clipped") << 150.0 << 1.2 << 150.0;
    QTest::addRow("idle: too noisy") << 1.0 << 0.01 << -1.0;
    QTest::addRow("no traffic") << 0.0 << 0.3 << -1.0;
    QTest::addRow("nan") << std::nan("") << 0.5 << -1.0;
}

void TestLoadBalancingModel::capacityEstimates()
{
    QFETCH(double, rate);
    QFETCH(double, util);
    QFETCH(double, expected);
    QString why;
    const auto c = LoadBalancingModel::estimateCapacity(rate, util, LoadBalancingModel::Options {}, &why);
    if (expected < 0) {
        QVERIFY(!c);
        QVERIFY(!why.isEmpty());
    } else {
        QVERIFY(c);
        QCOMPARE(*c, expected);
    }
}

void TestLoadBalancingModel::degenerate_data()
{
    QTest::addColumn<QList<ServerLoadInput>>("servers");
    QTest::addColumn<double>("load");
    QTest::addColumn<QStringList>("drain");
    QTest::addColumn<QString>("message");

    QList<ServerLoadInput> measured;
    for (int i = 0; i < 4; ++i) {
        ServerLoadInput s;
        s.name = u"web-%1"_qs.arg(i + 1);
        s.rate = 100;
        s.utilisation = 0.5; // capacity 200 each
        measured.append(s);
    }
    QTest::addRow("drain leaves too little")
        << measured << 900.0 << QStringList { u"web-1"_qs }
        << u"infeasible: load 900 rps exceeds capacity 600 rps; drain not possible"_qs;
    QTest::addRow("load above capacity") << measured << 800.0 << QStringList {}
                                         << u"infeasible: load 800 rps exceeds capacity 800 rps"_qs;
    QList<ServerLoadInput> down = measured;
    for (auto& s : down)
        s.up = false;
    QTest::addRow("all servers down") << down << 100.0 << QStringList {} << u"infeasible: no server is up"_qs;
    QTest::addRow("zero capacities") << pool({ 0, 0 }) << 10.0 << QStringList {}
                                     << u"infeasible: no server has capacity left (capacities are zero or unknown)"_qs;
    QTest::addRow("empty pool") << QList<ServerLoadInput> {} << 10.0 << QStringList {}
                                << u"infeasible: the pool has no servers"_qs;
    QTest::addRow("nan load") << measured << std::nan("") << QStringList {}
                              << u"invalid: total load nan is not a non-negative number"_qs;
    QTest::addRow("negative load") << measured << -5.0 << QStringList {}
                                   << u"invalid: total load -5 is not a non-negative number"_qs;
}

void TestLoadBalancingModel::degenerate()
{
    QFETCH(QList<ServerLoadInput>, servers);
    QFETCH(double, load);
    QFETCH(QStringList, drain);
    QFETCH(QString, message);
    const LoadBalancingPlan plan = LoadBalancingModel::solve(servers, load, LoadBalancingModel::Options {}, drain);
    QVERIFY(!plan.feasible);
    QCOMPARE(plan.message, message);
    QVERIFY(plan.weights().isEmpty());
    for (const auto& s : plan.servers) {
        QVERIFY(std::isfinite(s.load) && std::isfinite(s.capacity) && std::isfinite(s.delay));
        QCOMPARE(s.weight, 0);
    }
    QVERIFY(std::isfinite(plan.lambda) && std::isfinite(plan.objective));
}

QTEST_GUILESS_MAIN(TestLoadBalancingModel)
#include "tst_loadbalancingmodel.moc"
