// ConfigMapping: the fleet configuration as the detector runs it.
#include "detect/adaptivethreshold.h"
#include "detect/configmapping.h"

#include <QRandomGenerator>
#include <QTest>

#include <cmath>

using namespace FaultDesk;

class TestConfigMapping : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // An adaptive rule learns its level from the target's own history, towards the level the configuration names as a
    // fault: on a quiet server whose p95 latency sits near 0.15 s with the odd 0.45 s wobble of a busy host, the
    // learnt level stays clear of the wobbles and below the configured 1.5 s.
    void adaptiveLevelLiesBetweenNormalAndTheConfiguredFault()
    {
        TargetConfig target;
        target.name = QStringLiteral("api-2");
        SignalConfig p95;
        p95.name = QStringLiteral("p95_latency");
        p95.kind = SignalConfig::Kind::Quantile;
        p95.cause = CauseClass::Latency;
        p95.threshold = SignalThreshold { SignalThreshold::Direction::Above, 1.5, 0.8, true };
        target.signalConfigs.append(p95);
        const TargetPolicy policy = ConfigMapping::targetPolicy(target, FleetDefaults {});
        QCOMPARE(policy.thresholds.size(), 1);
        const ThresholdRule& rule = policy.thresholds.constFirst();
        QVERIFY(rule.adaptive);
        QCOMPARE(rule.faultLevel, std::optional<double>(1.5));

        QRandomGenerator rng(1206);
        QList<double> quiet;
        for (int i = 0; i < 300; ++i)
            quiet.append(i % 60 == 59 ? 0.45 : 0.15 + 0.02 * (rng.generateDouble() - 0.5));
        const AdaptiveThreshold::Estimate e
            = AdaptiveThreshold::optimise(quiet, rule, AdaptiveThreshold::Model::Normal);
        QVERIFY(e.valid);
        QVERIFY2(e.enter > 0.45 && e.enter < 1.5, qPrintable(QString::number(e.enter)));
        QVERIFY2(e.clear > 0.45, qPrintable(QString::number(e.clear)));
    }

    // A fixed rule stays as configured.
    void fixedRuleHasNoFaultModel()
    {
        TargetConfig target;
        target.name = QStringLiteral("web-1");
        SignalConfig load;
        load.name = QStringLiteral("load");
        load.cause = CauseClass::Overload;
        load.threshold = SignalThreshold { SignalThreshold::Direction::Above, 0.85, 0.7, false };
        target.signalConfigs.append(load);
        const ThresholdRule rule = ConfigMapping::targetPolicy(target, FleetDefaults {}).thresholds.value(0);
        QVERIFY(!rule.adaptive);
        QCOMPARE(rule.enter, 0.85);
        QCOMPARE(rule.clear, 0.7);
        QVERIFY(!rule.faultLevel);
    }
};

QTEST_GUILESS_MAIN(TestConfigMapping)
#include "tst_configmapping.moc"
