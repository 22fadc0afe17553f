#include "detect/adaptivethreshold.h"

#include <QRandomGenerator>
#include <QTest>

#include <cmath>

using namespace FaultDesk;

Q_DECLARE_METATYPE(AdaptiveThreshold::Model)

namespace {

QList<double> normalSamples(int n, double mean, double sd, quint32 seed)
{
    QRandomGenerator rng(seed);
    QList<double> out;
    out.reserve(n);
    while (out.size() < n) {
        // Box–Muller
        const double u1 = std::max(rng.generateDouble(), 1e-300);
        const double u2 = rng.generateDouble();
        const double r = std::sqrt(-2 * std::log(u1));
        out.append(mean + sd * r * std::cos(2 * M_PI * u2));
        out.append(mean + sd * r * std::sin(2 * M_PI * u2));
    }
    out.resize(n);
    return out;
}

} // namespace

class TestAdaptiveThreshold : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Normal baseline and fault with equal variances: the optimum of c_fa·P(FA) + c_miss·P(miss) has the
    // closed form x* = μ + δ/2 + σ²·ln(c_fa/c_miss)/δ (mirrored for "below"), δ = fault shift.
    void normalClosedForm_data()
    {
        QTest::addColumn<AdaptiveThreshold::Model>("model");
        QTest::addColumn<bool>("above");
        QTest::addColumn<double>("mean");
        QTest::addColumn<double>("sd");
        QTest::addColumn<double>("shiftSd");
        QTest::addColumn<double>("costFa");
        QTest::addColumn<double>("costMiss");
        QTest::addColumn<int>("samples");
        QTest::addColumn<double>("toleranceSd");
        using M = AdaptiveThreshold::Model;
        QTest::addRow("equal costs") << M::Normal << true << 0.1 << 0.01 << 6.0 << 1.0 << 1.0 << 20000 << 0.05;
        QTest::addRow("false alarms 5x dearer")
            << M::Normal << true << 0.1 << 0.01 << 6.0 << 5.0 << 1.0 << 20000 << 0.05;
        QTest::addRow("misses 10x dearer") << M::Normal << true << 200.0 << 15.0 << 4.0 << 1.0 << 10.0 << 20000 << 0.05;
        QTest::addRow("below, integrity-like")
            << M::Normal << false << 50.0 << 2.0 << 5.0 << 3.0 << 1.0 << 20000 << 0.05;
        QTest::addRow("small window") << M::Normal << true << 0.1 << 0.01 << 6.0 << 5.0 << 1.0 << 300 << 0.3;
        // The kernel density widens the spread a little (bandwidth), so a looser tolerance.
        QTest::addRow("empirical equal costs")
            << M::Empirical << true << 0.1 << 0.01 << 6.0 << 1.0 << 1.0 << 2000 << 0.15;
        QTest::addRow("empirical uneven costs")
            << M::Empirical << true << 0.1 << 0.01 << 6.0 << 5.0 << 1.0 << 2000 << 0.2;
    }
    void normalClosedForm()
    {
        QFETCH(AdaptiveThreshold::Model, model);
        QFETCH(bool, above);
        QFETCH(double, mean);
        QFETCH(double, sd);
        QFETCH(double, shiftSd);
        QFETCH(double, costFa);
        QFETCH(double, costMiss);
        QFETCH(int, samples);
        QFETCH(double, toleranceSd);
        ThresholdRule rule
            = above ? ThresholdRule::above(QStringLiteral("x"), 0, 0) : ThresholdRule::below(QStringLiteral("x"), 0, 0);
        rule.faultShiftSd = shiftSd;
        rule.costFalseAlarm = costFa;
        rule.costMiss = costMiss;
        rule.minSamples = 30;
        const QList<double> baseline = normalSamples(samples, mean, sd, 1234);
        const AdaptiveThreshold::Estimate e = AdaptiveThreshold::optimise(baseline, rule, model);
        QVERIFY(e.valid);
        const double delta = shiftSd * sd;
        const double offset = delta / 2 + sd * sd * std::log(costFa / costMiss) / delta;
        const double expected = above ? mean + offset : mean - offset;
        QVERIFY2(std::abs(e.enter - expected) < toleranceSd * sd,
            qPrintable(QStringLiteral("enter %1, closed form %2").arg(e.enter).arg(expected)));
        QVERIFY2(std::abs(e.mean - mean) < 0.2 * sd, qPrintable(QString::number(e.mean)));
        QVERIFY2(std::abs(e.sd - sd) < 0.15 * sd, qPrintable(QString::number(e.sd)));
        // The reported probabilities are those of the chosen level, and it is a minimum.
        QVERIFY(std::abs(e.expectedCost - (costFa * e.falseAlarmProbability + costMiss * e.missProbability)) < 1e-9);
        AdaptiveThreshold learner(rule, model);
        for (double v : baseline.mid(0, std::min(400, samples)))
            learner.addSample(v);
        const double at = learner.estimate().enter;
        QVERIFY(learner.expectedCost(at) <= learner.expectedCost(at + 0.5 * sd) + 1e-12);
        QVERIFY(learner.expectedCost(at) <= learner.expectedCost(at - 0.5 * sd) + 1e-12);
        // Clear is on the baseline side of enter.
        QVERIFY(above ? e.clear < e.enter : e.clear > e.enter);
    }

    // A configured fault level replaces the k·sd shift: δ = level − μ.
    void faultLevel()
    {
        ThresholdRule rule = ThresholdRule::above(QStringLiteral("load"), 0.85, 0.7);
        rule.faultLevel = 1.2;
        rule.costFalseAlarm = 1;
        rule.costMiss = 1;
        const AdaptiveThreshold::Estimate e
            = AdaptiveThreshold::optimise(normalSamples(20000, 0.4, 0.05, 99), rule, AdaptiveThreshold::Model::Normal);
        QVERIFY2(std::abs(e.enter - 0.8) < 0.005, qPrintable(QString::number(e.enter)));
        QCOMPARE(e.faultMean, 1.2);
    }

    // A skewed baseline (exponential latencies): the empirical model keeps false alarms near what the costs
    // ask for, where the normal model's tail is too thin.
    void skewedBaseline()
    {
        QRandomGenerator rng(5);
        QList<double> baseline;
        for (int i = 0; i < 3000; ++i)
            baseline.append(0.05 - 0.02 * std::log(std::max(rng.generateDouble(), 1e-12)));
        ThresholdRule rule = ThresholdRule::above(QStringLiteral("p95_latency"), 0.5, 0.3);
        rule.faultLevel = 0.5;
        rule.costFalseAlarm = 20;
        rule.costMiss = 1;
        const auto empirical = AdaptiveThreshold::optimise(baseline, rule, AdaptiveThreshold::Model::Empirical);
        int alarms = 0;
        for (double v : baseline)
            alarms += v > empirical.enter ? 1 : 0;
        const double observed = double(alarms) / baseline.size();
        QVERIFY2(std::abs(observed - empirical.falseAlarmProbability) < 0.01,
            qPrintable(QStringLiteral("observed %1, model %2").arg(observed).arg(empirical.falseAlarmProbability)));
        QVERIFY(empirical.enter > 0.05 && empirical.enter < 0.5);
    }

    // A flat baseline (a gauge stuck at 1) does not make every wobble an alarm.
    void flatBaselineFloorsSpread()
    {
        ThresholdRule rule = ThresholdRule::above(QStringLiteral("x"), 0, 0);
        const auto e = AdaptiveThreshold::optimise(QList<double>(100, 1.0), rule, AdaptiveThreshold::Model::Normal);
        QVERIFY(e.sd > 0);
        QVERIFY2(e.enter > 1.02, qPrintable(QString::number(e.enter)));
    }

    void validAfterMinSamples()
    {
        ThresholdRule rule = ThresholdRule::above(QStringLiteral("x"), 0, 0);
        rule.minSamples = 30;
        rule.window = 50;
        AdaptiveThreshold a(rule);
        const QList<double> s = normalSamples(200, 10, 1, 3);
        for (int i = 0; i < 29; ++i)
            a.addSample(s[i]);
        QVERIFY(!a.estimate().valid);
        a.addSample(s[29]);
        QVERIFY(a.estimate().valid);
        for (int i = 30; i < 200; ++i)
            a.addSample(s[i]);
        QCOMPARE(a.sampleCount(), 50);
        // Non-finite samples are ignored.
        a.addSample(std::nan(""));
        QCOMPARE(a.sampleCount(), 50);
    }

    // The window follows the baseline: after a permanent change the level moves with it.
    void followsBaselineShift()
    {
        ThresholdRule rule = ThresholdRule::above(QStringLiteral("x"), 0, 0);
        rule.window = 100;
        AdaptiveThreshold a(rule);
        for (double v : normalSamples(100, 10, 1, 11))
            a.addSample(v);
        const double before = a.estimate().enter;
        for (double v : normalSamples(100, 20, 1, 12))
            a.addSample(v);
        QVERIFY(a.estimate().enter > before + 8);
    }
};

QTEST_GUILESS_MAIN(TestAdaptiveThreshold)
#include "tst_adaptivethreshold.moc"
