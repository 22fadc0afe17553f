#include "probe/probeengine.h"
#include "probe/probescheduler.h"
#include "testhttpserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace FaultDesk;
using FaultDesk::Test::TestHttpServer;

class TestProbeScheduler : public QObject
{
    Q_OBJECT

private:
    ProbeTarget target(const QString& name, const QString& path, int timeoutMs = 5000) const
    {
        return ProbeTarget { name, { ProbeSpec::http(m_server->url(path), timeoutMs) }, 0 };
    }

    static QStringList startedTargets(const QSignalSpy& spy)
    {
        QStringList names;
        for (const QList<QVariant>& args : spy)
            names << args.at(0).toString();
        return names;
    }

    std::unique_ptr<TestHttpServer> m_server;

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<TestHttpServer>();
        QVERIFY(m_server->isListening());
    }

    void cleanup() { m_server.reset(); }

    void offsetsAreSpreadOverTheInterval_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("interval");
        QTest::addRow("4 targets, 1 s") << 4 << 1000;
        QTest::addRow("3 targets, 900 ms") << 3 << 900;
        QTest::addRow("10 targets, 2 s") << 10 << 2000;
    }

    void offsetsAreSpreadOverTheInterval()
    {
        QFETCH(int, count);
        QFETCH(int, interval);
        ProbeScheduler scheduler;
        scheduler.setInterval(interval);
        QList<ProbeTarget> targets;
        for (int i = 0; i < count; ++i)
            targets << target(QStringLiteral("t%1").arg(i), u"/ok"_qs);
        scheduler.setTargets(targets);
        QSignalSpy started(&scheduler, &ProbeScheduler::roundStarted);

        // Drive a fake clock through one interval: each target starts exactly once, at its own offset.
        QList<qint64> startTimes;
        for (qint64 now = 0; now < interval; now += 10) {
            const qsizetype before = started.size();
            scheduler.tick(now);
            for (qsizetype i = before; i < started.size(); ++i)
                startTimes << started.at(i).at(1).toLongLong();
        }
        QCOMPARE(started.size(), count);
        for (int i = 0; i < count; ++i) {
            const qint64 expected = qint64(i) * interval / count;
            QCOMPARE(scheduler.offsetMs(QStringLiteral("t%1").arg(i)), expected);
            QCOMPARE(started.at(i).at(0).toString(), QStringLiteral("t%1").arg(i));
            QVERIFY2(qAbs(startTimes.at(i) - expected) < 10, qPrintable(QString::number(startTimes.at(i))));
        }
        // Gaps between consecutive starts are even: no burst at the start of the interval.
        for (int i = 1; i < count; ++i)
            QVERIFY(startTimes.at(i) - startTimes.at(i - 1) >= interval / count - 10);
        QCOMPARE(scheduler.counters().roundsStarted, quint64(count));
    }

    // A round still running at its next due time is skipped (and counted), not queued behind.
    void busyTargetSkipsItsOwnRounds()
    {
        ProbeScheduler scheduler;
        scheduler.setInterval(100);
        scheduler.setTargets({ target(u"stuck"_qs, u"/hang"_qs, 60000), target(u"healthy"_qs, u"/ok"_qs) });
        QSignalSpy finished(&scheduler, &ProbeScheduler::roundFinished);
        QSignalSpy skipped(&scheduler, &ProbeScheduler::roundSkipped);
        for (qint64 now = 0; now <= 300; now += 50) {
            scheduler.tick(now);
            // let the healthy round finish before its next slot, as it would in real time
            QTRY_VERIFY(scheduler.counters().inFlight == 1);
        }
        QCOMPARE(startedTargets(skipped), QStringList({ u"stuck"_qs, u"stuck"_qs, u"stuck"_qs }));
        const ProbeScheduler::Counters counters = scheduler.counters();
        QCOMPARE(counters.roundsSkipped, quint64(3));
        QCOMPARE(counters.roundsStarted, quint64(1 + 3)); // healthy is due at 50, 150, 250
        QCOMPARE(counters.roundsFinished, quint64(3));
        QCOMPARE(counters.inFlight, 1);
        QVERIFY(counters.maxTickUs >= counters.lastTickUs);
        for (const QList<QVariant>& args : std::as_const(finished))
            QCOMPARE(args.at(0).toString(), u"healthy"_qs);
    }

    void retryingUsesTheFastInterval()
    {
        ProbeScheduler scheduler;
        scheduler.setInterval(10000);
        scheduler.setRetryInterval(100);
        scheduler.setTargets({ target(u"web"_qs, u"/ok"_qs) });
        QSignalSpy started(&scheduler, &ProbeScheduler::roundStarted);
        scheduler.tick(0);
        QCOMPARE(started.size(), 1);
        QTRY_COMPARE(scheduler.counters().inFlight, 0);
        scheduler.tick(100);
        QCOMPARE(started.size(), 1); // normal cadence: nothing until 10 s

        scheduler.setRetrying(u"web"_qs, true);
        QVERIFY(scheduler.isRetrying(u"web"_qs));
        QCOMPARE(scheduler.nextDueMs(u"web"_qs), 100);
        for (qint64 now = 100; now <= 500; now += 100) {
            scheduler.tick(now);
            QTRY_COMPARE(scheduler.counters().inFlight, 0);
        }
        QCOMPARE(started.size(), 1 + 5);

        scheduler.setRetrying(u"web"_qs, false);
        scheduler.tick(600);
        scheduler.tick(9990);
        QCOMPARE(started.size(), 6);
        scheduler.tick(10000); // back on its original phase
        QCOMPARE(started.size(), 7);
    }

    void roundCarriesAllProbesInOrder()
    {
        ProbeScheduler scheduler;
        ProbeTarget web { u"web"_qs,
            { ProbeSpec::http(m_server->url(u"/503"_qs), 5000), ProbeSpec::metrics(m_server->url(u"/metrics"_qs), 5000),
                ProbeSpec::tcp(u"127.0.0.1"_qs, m_server->port(), 5000) },
            0 };
        scheduler.setTargets({ web });
        QSignalSpy results(&scheduler, &ProbeScheduler::resultReady);
        QSignalSpy rounds(&scheduler, &ProbeScheduler::roundFinished);
        scheduler.tick(0);
        QTRY_COMPARE(rounds.size(), 1);
        QCOMPARE(results.size(), 3);
        const auto round = rounds.at(0).at(1).value<QList<ProbeResult>>();
        QCOMPARE(round.size(), 3);
        QCOMPARE(round.at(0).reason, ProbeResult::FailureReason::HttpStatus);
        QCOMPARE(round.at(0).reasonText, u"HTTP 503: db integrity check failed"_qs);
        QVERIFY(round.at(1).ok);
        QCOMPARE(round.at(1).kind, ProbeSpec::Kind::Metrics);
        QVERIFY(round.at(2).ok);
        QCOMPARE(round.at(2).kind, ProbeSpec::Kind::Tcp);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(round.at(i).probeIndex, i);
    }

    void reloadKeepsStateOfRetainedTargets()
    {
        ProbeScheduler scheduler;
        scheduler.setTargets({ target(u"a"_qs, u"/ok"_qs), target(u"b"_qs, u"/hang"_qs, 60000) });
        scheduler.setRetrying(u"a"_qs, true);
        scheduler.tick(0);
        scheduler.tick(500);
        QCOMPARE(scheduler.counters().inFlight, 2);
        QTRY_COMPARE(scheduler.counters().inFlight, 1);
        scheduler.setTargets({ target(u"a"_qs, u"/ok"_qs), target(u"c"_qs, u"/ok"_qs) });
        QVERIFY(scheduler.isRetrying(u"a"_qs));
        QVERIFY(!scheduler.isRetrying(u"c"_qs));
        QCOMPARE(scheduler.counters().inFlight, 0); // b's round is forgotten with b
        QCOMPARE(scheduler.offsetMs(u"b"_qs), -1);
        QCOMPARE(scheduler.offsetMs(u"c"_qs), 500);
    }

    // Real time: a hanging target next to a healthy one; the healthy one keeps its cadence.
    void hangingTargetDoesNotDelayHealthyOne()
    {
        ProbeScheduler scheduler;
        scheduler.setInterval(200);
        scheduler.setTargets({ target(u"hung"_qs, u"/hang"_qs, 3000), target(u"healthy"_qs, u"/ok"_qs, 3000),
            target(u"slow"_qs, u"/slow"_qs, 3000) });
        QSignalSpy rounds(&scheduler, &ProbeScheduler::roundFinished);
        QElapsedTimer clock;
        clock.start();
        scheduler.start();
        QVERIFY(scheduler.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(rounds.size() >= 6, 2500);
        const qint64 elapsed = clock.elapsed();
        scheduler.stop();
        // 6 healthy rounds at 200 ms take ~1.1 s; far less than the 3 s the others hang for
        QVERIFY2(elapsed < 2500, qPrintable(QString::number(elapsed)));
        for (const QList<QVariant>& args : std::as_const(rounds)) {
            QCOMPARE(args.at(0).toString(), u"healthy"_qs);
            const auto results = args.at(1).value<QList<ProbeResult>>();
            QVERIFY2(results.at(0).ok, qPrintable(results.at(0).reasonText));
        }
        QVERIFY(scheduler.counters().roundsSkipped >= 2 * 4);
    }
};

QTEST_GUILESS_MAIN(TestProbeScheduler)
#include "tst_probescheduler.moc"
