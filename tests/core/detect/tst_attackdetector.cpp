#include "detect/attackdetector.h"

#include <QTest>

using namespace FaultDesk;

using Traffic = QHash<QString, double>;

namespace {

QHash<QString, double> crowd(int sources, double ratePerSource)
{
    QHash<QString, double> out;
    for (int i = 0; i < sources; ++i)
        out.insert(QStringLiteral("10.1.0.%1").arg(i + 1), ratePerSource);
    return out;
}

} // namespace

class TestAttackDetector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void verdicts_data()
    {
        QTest::addColumn<Traffic>("traffic");
        QTest::addColumn<bool>("attack");
        QTest::addColumn<QStringList>("named");
        QHash<QString, double> flood = crowd(20, 5);
        flood.insert(QStringLiteral("203.0.113.7"), 300);
        flood.insert(QStringLiteral("203.0.113.8"), 250);
        flood.insert(QStringLiteral("203.0.113.9"), 200);
        QTest::addRow("three flooding sources") << flood << true
                                                << QStringList { QStringLiteral("203.0.113.7"),
                                                       QStringLiteral("203.0.113.8"), QStringLiteral("203.0.113.9") };
        QHash<QString, double> single = crowd(20, 5);
        single.insert(QStringLiteral("198.51.100.1"), 900);
        QTest::addRow("one flooding source") << single << true << QStringList { QStringLiteral("198.51.100.1") };
        QTest::addRow("flash crowd: 5x from everyone") << crowd(20, 25) << false << QStringList();
        QHash<QString, double> heavyButNormal = crowd(20, 5);
        heavyButNormal.insert(QStringLiteral("10.9.9.9"), 40);
        QTest::addRow("one heavy client, rate near baseline") << heavyButNormal << false << QStringList();
        QTest::addRow("no traffic") << crowd(20, 0) << false << QStringList();
    }
    void verdicts()
    {
        QFETCH(Traffic, traffic);
        QFETCH(bool, attack);
        QFETCH(QStringList, named);
        AttackDetector d;
        for (int i = 0; i < 20; ++i)
            QVERIFY(!d.observe(crowd(20, 5)).underAttack);
        const AttackDetector::Verdict v = d.observe(traffic);
        QCOMPARE(v.underAttack, attack);
        QCOMPARE(v.sources, named);
        QCOMPARE(v.sourceRates.size(), named.size());
        QVERIFY(qAbs(v.baselineRate - 100) < 1e-9);
    }

    // Not armed before a baseline exists; the flood does not become the baseline; hysteresis on the way out.
    void baselineAndHysteresis()
    {
        AttackDetector d;
        QHash<QString, double> flood = crowd(20, 5);
        flood.insert(QStringLiteral("203.0.113.7"), 600);
        QVERIFY(!d.observe(flood).underAttack);
        AttackDetector fresh;
        for (int i = 0; i < 10; ++i)
            fresh.observe(crowd(20, 5));
        for (int i = 0; i < 200; ++i)
            QVERIFY(fresh.observe(flood).underAttack);
        QCOMPARE(fresh.verdict().baselineRate, 100.0);
        // 240 req/s with 47.5% on the top 3: below enter (50%) but above clear (40%) and 2× baseline: still on.
        QHash<QString, double> fading = crowd(20, 7);
        fading.insert(QStringLiteral("203.0.113.7"), 100);
        QVERIFY(fresh.observe(fading).underAttack);
        AttackDetector calm;
        for (int i = 0; i < 10; ++i)
            calm.observe(crowd(20, 5));
        QVERIFY(!calm.observe(fading).underAttack);
        QVERIFY(!fresh.observe(crowd(20, 5)).underAttack);
    }
};

QTEST_GUILESS_MAIN(TestAttackDetector)
#include "tst_attackdetector.moc"
