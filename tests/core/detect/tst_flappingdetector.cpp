#include "detect/flappingdetector.h"

#include <QTest>

using namespace FaultDesk;

Q_DECLARE_METATYPE(FlappingDetector::Weighting)

class TestFlappingDetector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The golden vectors of reference/reliability.md §2, within 0.01 percentage points.
    void goldenVectors_data()
    {
        QTest::addColumn<FlappingDetector::Weighting>("weighting");
        QTest::addColumn<QString>("states"); // one character per check, oldest first
        QTest::addColumn<double>("percent");
        const QString alternating = QStringLiteral("010101010101010101010");
        const QString newest = QStringLiteral("000000000000000000001");
        const QString oldest = QStringLiteral("011111111111111111111");
        QTest::addRow("nagios alternating") << FlappingDetector::Weighting::Nagios << alternating << 100.0;
        QTest::addRow("icinga alternating") << FlappingDetector::Weighting::Icinga << alternating << 99.0;
        QTest::addRow("nagios one change at newest") << FlappingDetector::Weighting::Nagios << newest << 6.25;
        QTest::addRow("icinga one change at newest") << FlappingDetector::Weighting::Icinga << newest << 5.9;
        QTest::addRow("nagios one change at oldest") << FlappingDetector::Weighting::Nagios << oldest << 3.75;
        QTest::addRow("icinga one change at oldest") << FlappingDetector::Weighting::Icinga << oldest << 4.0;
        QTest::addRow("icinga steady") << FlappingDetector::Weighting::Icinga << QStringLiteral("000000000000000000000")
                                       << 0.0;
    }
    void goldenVectors()
    {
        QFETCH(FlappingDetector::Weighting, weighting);
        QFETCH(QString, states);
        QFETCH(double, percent);
        FlappingDetector d(25, 30, weighting);
        for (QChar c : states)
            d.record(c == u'1');
        QVERIFY2(qAbs(d.percent() - percent) < 0.01, qPrintable(QString::number(d.percent())));
    }

    // A change scrolls out of the 20-check window.
    void changeLeavesTheWindow()
    {
        FlappingDetector d;
        d.record(0);
        d.record(1);
        QVERIFY(d.percent() > 0);
        for (int i = 0; i < 19; ++i)
            d.record(1);
        QVERIFY(d.percent() > 0);
        d.record(1);
        QCOMPARE(d.percent(), 0.0);
    }

    // Starts once above high, stays flapping between low and high, stops at low or below.
    void hysteresis()
    {
        FlappingDetector d(25, 30);
        int starts = 0;
        int stops = 0;
        double startedAt = -1;
        double stoppedAt = -1;
        bool sawBandWhileFlapping = false;
        int state = 0;
        for (int i = 0; i < 40; ++i) {
            state ^= 1;
            if (d.record(state)) {
                QVERIFY(d.isFlapping());
                ++starts;
                startedAt = d.percent();
            }
        }
        QCOMPARE(starts, 1);
        QVERIFY(startedAt > 30);
        for (int i = 0; i < 40; ++i) {
            if (d.record(state)) {
                QVERIFY(!d.isFlapping());
                ++stops;
                stoppedAt = d.percent();
            } else if (d.isFlapping() && d.percent() <= 30 && d.percent() > 25) {
                sawBandWhileFlapping = true;
            }
        }
        QCOMPARE(stops, 1);
        QVERIFY(stoppedAt <= 25);
        QVERIFY(sawBandWhileFlapping);
        QVERIFY(!d.isFlapping());
    }

    // At exactly the high threshold Nagios starts flapping (>=) and Icinga does not (>).
    void boundaryComparison_data()
    {
        QTest::addColumn<FlappingDetector::Weighting>("weighting");
        QTest::addColumn<bool>("flappingAtHigh");
        QTest::addRow("nagios") << FlappingDetector::Weighting::Nagios << true;
        QTest::addRow("icinga") << FlappingDetector::Weighting::Icinga << false;
    }
    void boundaryComparison()
    {
        QFETCH(FlappingDetector::Weighting, weighting);
        QFETCH(bool, flappingAtHigh);
        const QString states = QStringLiteral("000000000000000001010");
        FlappingDetector probe(0, 1000, weighting);
        for (QChar c : states)
            probe.record(c == u'1');
        const double exact = probe.percent();
        QVERIFY(exact > 0);
        FlappingDetector d(exact / 2, exact, weighting);
        for (QChar c : states)
            d.record(c == u'1');
        QCOMPARE(d.isFlapping(), flappingAtHigh);
    }
};

QTEST_GUILESS_MAIN(TestFlappingDetector)
#include "tst_flappingdetector.moc"
