#include "detect/attackdetector.h"

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <cmath>

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

/// An AttackDetector fed once a second, as the monitor feeds it.
struct Clocked
{
    explicit Clocked(const TargetPolicy::AttackRule& rule = {})
        : d(rule)
    { }
    AttackDetector::Verdict observe(const QHash<QString, double>& rates) { return d.observe(rates, t += 1000); }
    AttackDetector d;
    qint64 t = 1'000'000;
};

int poisson(QRandomGenerator& rng, double mean)
{
    const double limit = std::exp(-mean);
    int k = 0;
    for (double p = rng.generateDouble(); p > limit; p *= rng.generateDouble())
        ++k;
    return k;
}

/// One second of a server's traffic as the monitor measures it: whole requests per source.
QHash<QString, double> second(
    QRandomGenerator& rng, int sources, double ratePerSource, const QStringList& attackers = {}, double attackRate = 0)
{
    QHash<QString, double> out;
    for (int i = 0; i < sources; ++i) {
        if (const int n = poisson(rng, ratePerSource))
            out.insert(QStringLiteral("127.0.1.%1").arg(10 + i), n);
    }
    for (const QString& a : attackers) {
        if (const int n = poisson(rng, attackRate))
            out.insert(a, n);
    }
    if (out.isEmpty())
        out.insert(QStringLiteral("127.0.1.10"), 0);
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
        Clocked d;
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
        Clocked d;
        QHash<QString, double> flood = crowd(20, 5);
        flood.insert(QStringLiteral("203.0.113.7"), 600);
        QVERIFY(!d.observe(flood).underAttack);
        Clocked fresh;
        for (int i = 0; i < 10; ++i)
            fresh.observe(crowd(20, 5));
        for (int i = 0; i < 200; ++i)
            QVERIFY(fresh.observe(flood).underAttack);
        QCOMPARE(fresh.d.verdict().baselineRate, 100.0);
        // 240 req/s with 47.5% on the top 3: below enter (50%) but above clear (40%) and 2× baseline: still on.
        QHash<QString, double> fading = crowd(20, 7);
        fading.insert(QStringLiteral("203.0.113.7"), 100);
        QVERIFY(fresh.observe(fading).underAttack);
        Clocked calm;
        for (int i = 0; i < 10; ++i)
            calm.observe(crowd(20, 5));
        QVERIFY(!calm.observe(fading).underAttack);
        QVERIFY(!fresh.observe(crowd(20, 5)).underAttack);
    }

    // The demo fleet's shape: 48 clients at ~0.06 req/s each on one server, then a flash sale at 5x. One
    // second holds a handful of requests, so the busiest three often carry half of it; judged on one second's
    // counts that looked like an attack on every busy server. Smoothed, it never does.
    void flashCrowdOfFewRequestsIsNotAnAttack()
    {
        QRandomGenerator rng(20261127);
        Clocked smoothed;
        TargetPolicy::AttackRule raw;
        raw.smoothingMs = 0;
        raw.minSourceRequests = 0; // only the smoothing differs
        Clocked unsmoothed(raw);
        int rawAlarms = 0;
        for (int s = 0; s < 240; ++s) {
            const QHash<QString, double> traffic = second(rng, 48, s < 60 ? 0.0625 : 0.3125);
            const AttackDetector::Verdict v = smoothed.observe(traffic);
            QVERIFY2(!v.underAttack,
                qPrintable(QStringLiteral("second %1: %2% on the top sources, named %3")
                               .arg(s)
                               .arg(v.topShare * 100)
                               .arg(v.sources.join(u", "))));
            rawAlarms += unsmoothed.observe(traffic).underAttack ? 1 : 0;
        }
        // The same trace judged without smoothing raises false alarms: what this rule exists to prevent.
        QVERIFY2(rawAlarms > 0, "the trace should be noisy enough to fool a one-second judgement");
    }

    // A quiet api server (48 clients, 2 req/s in all), then one check that comes after a 2 s pause and counts one
    // client at 6.5 req/s: an instant that is 3x the baseline and concentrated, but that is all it is. Taken on
    // that instant alone it was called an attack on the quiet demo fleet; a flood lasts, and when the client keeps
    // it up it is one.
    void oneBurstIsNoFloodASustainedOneIs()
    {
        AttackDetector d { TargetPolicy::AttackRule {} };
        qint64 t = 1'000'000;
        for (int i = 0; i < 60; ++i)
            QVERIFY(!d.observe(crowd(48, 2.0 / 48), t += 1000).underAttack);
        const QHash<QString, double> burst { { QStringLiteral("127.0.1.24"), 6.5 } };
        const AttackDetector::Verdict instant = d.observe(burst, t += 2000);
        QVERIFY2(instant.topShare > 0.5 && instant.totalRate > 3 * instant.baselineRate,
            "the instant must look like a flood on its own");
        QVERIFY(!instant.underAttack);
        int detectedAfter = -1;
        for (int s = 1; s <= 10 && detectedAfter < 0; ++s) {
            const AttackDetector::Verdict v = d.observe(burst, t += 1000);
            if (v.underAttack) {
                detectedAfter = s;
                QCOMPARE(v.sources, QStringList { QStringLiteral("127.0.1.24") });
            }
        }
        QVERIFY2(detectedAfter > 0 && detectedAfter <= 3, qPrintable(QString::number(detectedAfter)));
    }

    // The flash sale as the monitor measures an api server under load: 48 clients, 2.25 req/s rising to 11 req/s,
    // scraped every second or sooner (retries, a busy monitor), each interval's whole requests divided by its length,
    // and an interval without a request reported as empty. Over 300 such traces, not one false attack. Judged with
    // the empty intervals left out — as the monitor used to — the next short interval's single request was weighed
    // as if it had lasted through the quiet one, and the same traces raised false attacks (one incident too many in
    // tst_monitor::overloadIsOneIncidentWithOneRoot). A real flood in the same conditions is still found.
    void irregularScrapesOfAFlashSaleAreNoAttack()
    {
        int alarms = 0;
        int alarmsSkippingQuiet = 0;
        int floodsFound = 0;
        const QStringList attackers { QStringLiteral("127.0.2.1"), QStringLiteral("127.0.2.2"),
            QStringLiteral("127.0.2.3") };
        for (quint32 seed = 1; seed <= 300; ++seed) {
            QRandomGenerator rng(seed);
            AttackDetector every { TargetPolicy::AttackRule {} };
            AttackDetector skipping { TargetPolicy::AttackRule {} };
            AttackDetector flooded { TargetPolicy::AttackRule {} };
            bool everyAlarmed = false;
            bool skippingAlarmed = false;
            bool floodFound = false;
            qint64 t = 1'000'000;
            for (int step = 0; step < 120; ++step) {
                const double seconds = step % 2 ? 0.05 + 0.95 * rng.generateDouble() : 1.0;
                t += qint64(seconds * 1000);
                const bool surge = step >= 60;
                QHash<QString, double> rates;
                for (int n = poisson(rng, (surge ? 11.25 : 2.25) * seconds); n > 0; --n)
                    rates[QStringLiteral("127.0.1.%1").arg(10 + rng.bounded(48))] += 1.0 / seconds;
                everyAlarmed |= every.observe(rates, t).underAttack;
                if (!rates.isEmpty())
                    skippingAlarmed |= skipping.observe(rates, t).underAttack;
                if (surge) {
                    for (const QString& a : attackers)
                        if (const int n = poisson(rng, 6.0 * seconds))
                            rates[a] += n / seconds;
                }
                const AttackDetector::Verdict v = flooded.observe(rates, t);
                if (surge && v.underAttack
                    && std::all_of(v.sources.cbegin(), v.sources.cend(),
                        [&](const QString& source) { return attackers.contains(source); }))
                    floodFound = true;
            }
            alarms += everyAlarmed ? 1 : 0;
            alarmsSkippingQuiet += skippingAlarmed ? 1 : 0;
            floodsFound += floodFound ? 1 : 0;
        }
        QCOMPARE(alarms, 0);
        QVERIFY2(alarmsSkippingQuiet > 0, "leaving the quiet intervals out should raise false attacks on these traces");
        QVERIFY2(floodsFound >= 295, qPrintable(QString::number(floodsFound)));
    }

    // A flood seen through irregular scrapes (a busy machine: 0.05–1 s apart, as in the CI run where the attack drill
    // failed) is one attack from the moment it is found until it stops. Judged on one interval, a 0.3 s scrape that
    // caught one request of a 12 req/s flood read 3 req/s and ended the attack: Handle then found nothing to handle.
    // And every verdict's numbers agree with each other: the named sources' rates fit in the busiest sources' share.
    void aFloodThroughIrregularScrapesIsOneAttack()
    {
        const QStringList attackers { QStringLiteral("127.0.1.201"), QStringLiteral("127.0.1.202"),
            QStringLiteral("127.0.1.203") };
        const auto run = [&](qint64 windowMs, int* broken, int* slowToClear, int* inconsistent) {
            TargetPolicy::AttackRule rule;
            rule.rateWindowMs = windowMs;
            for (quint32 seed = 1; seed <= 300; ++seed) {
                QRandomGenerator rng(seed);
                AttackDetector d(rule);
                qint64 t = 1'000'000;
                qint64 foundMs = -1;
                qint64 stoppedMs = -1;
                qint64 clearedMs = -1;
                bool brokenHere = false;
                for (int step = 0; step < 160; ++step) {
                    const double seconds = step % 2 ? 0.05 + 0.95 * rng.generateDouble() : 0.3;
                    t += qint64(seconds * 1000);
                    const bool flood = step >= 60 && step < 120;
                    if (step == 120)
                        stoppedMs = t;
                    QHash<QString, double> rates;
                    for (int n = poisson(rng, 1.0 * seconds); n > 0; --n)
                        rates[QStringLiteral("127.0.1.%1").arg(10 + rng.bounded(48))] += 1.0 / seconds;
                    if (flood) {
                        for (const QString& a : attackers)
                            if (const int n = poisson(rng, 3.6 * seconds))
                                rates[a] += n / seconds;
                    }
                    const AttackDetector::Verdict v = d.observe(rates, t);
                    if (flood && v.underAttack && foundMs < 0)
                        foundMs = t;
                    if (flood && foundMs >= 0 && !v.underAttack)
                        brokenHere = true;
                    if (stoppedMs >= 0 && !v.underAttack && clearedMs < 0)
                        clearedMs = t;
                    if (v.underAttack) {
                        double named = 0;
                        for (int i = 0; i < v.sourceRates.size(); ++i) {
                            named += v.sourceRates[i];
                            if (v.sourceRates[i] > v.totalRate + 1e-9)
                                ++*inconsistent;
                        }
                        if (v.sources.size() <= rule.topSources && named > v.countedTopShare * v.totalRate + 1e-6)
                            ++*inconsistent;
                    }
                }
                *broken += brokenHere ? 1 : 0;
                *slowToClear += clearedMs < 0 || clearedMs - stoppedMs > 4000 ? 1 : 0;
            }
        };
        int broken = 0;
        int slowToClear = 0;
        int inconsistent = 0;
        run(TargetPolicy::AttackRule {}.rateWindowMs, &broken, &slowToClear, &inconsistent);
        QCOMPARE(broken, 0);
        QCOMPARE(slowToClear, 0);
        QCOMPARE(inconsistent, 0);
        int brokenByOneInterval = 0;
        int ignored = 0;
        run(0, &brokenByOneInterval, &ignored, &ignored);
        QVERIFY2(brokenByOneInterval > 0, "judged on one interval, some of these floods should end early");
    }

    // Three sources flood the same server: found within seconds, and exactly they are named, every second.
    void attackFromThreeSourcesIsFoundAndNamed()
    {
        QRandomGenerator rng(7);
        const QStringList attackers { QStringLiteral("127.0.1.201"), QStringLiteral("127.0.1.202"),
            QStringLiteral("127.0.1.203") };
        Clocked d;
        for (int s = 0; s < 60; ++s)
            QVERIFY(!d.observe(second(rng, 48, 0.0625)).underAttack);
        int detectedAfter = -1;
        int allNamedAfter = -1;
        for (int s = 0; s < 60; ++s) {
            const AttackDetector::Verdict v = d.observe(second(rng, 48, 0.0625, attackers, 3.0));
            if (v.underAttack && detectedAfter < 0)
                detectedAfter = s + 1;
            if (!v.underAttack)
                continue;
            // Never an ordinary client; all three once their floods have shown for a few seconds, then always.
            for (const QString& source : v.sources)
                QVERIFY2(attackers.contains(source), qPrintable(QStringLiteral("second %1: %2").arg(s).arg(source)));
            if (v.sources.size() == attackers.size() && allNamedAfter < 0)
                allNamedAfter = s + 1;
            if (allNamedAfter > 0)
                QCOMPARE(v.sources.size(), attackers.size());
        }
        QVERIFY2(detectedAfter > 0 && detectedAfter <= 4, qPrintable(QString::number(detectedAfter)));
        QVERIFY2(allNamedAfter > 0 && allNamedAfter <= detectedAfter + 1, qPrintable(QString::number(allNamedAfter)));
        QVERIFY(d.d.verdict().underAttack);
        // The attacker leaves: the verdict ends within a few seconds.
        int clearedAfter = -1;
        for (int s = 0; s < 30 && clearedAfter < 0; ++s) {
            if (!d.observe(second(rng, 48, 0.0625)).underAttack)
                clearedAfter = s + 1;
        }
        QVERIFY2(clearedAfter > 0 && clearedAfter <= 5, qPrintable(QString::number(clearedAfter)));
    }
};

QTEST_GUILESS_MAIN(TestAttackDetector)
#include "tst_attackdetector.moc"
