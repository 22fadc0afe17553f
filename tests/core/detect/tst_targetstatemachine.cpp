#include "detect/targetstatemachine.h"
#include "detecttestutil.h"

#include <QRandomGenerator>
#include <QTest>

using namespace FaultDesk;
using namespace FaultDesk::TestUtil;

namespace {

QString letter(TargetState s)
{
    switch (s) {
    case TargetState::Up:
        return QStringLiteral("U");
    case TargetState::Soft:
        return QStringLiteral("S");
    case TargetState::Hard:
        return QStringLiteral("H");
    case TargetState::Unreachable:
        return QStringLiteral("R");
    case TargetState::Unknown:
        return QStringLiteral("?");
    }
    return QString();
}

} // namespace

class TestTargetStateMachine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // o = passing check, x = failing check; one state letter per check.
    void softHard_data()
    {
        QTest::addColumn<int>("attempts");
        QTest::addColumn<QString>("checks");
        QTest::addColumn<QString>("states");
        QTest::addRow("one failure stays SOFT") << 2 << QStringLiteral("oxo") << QStringLiteral("USU");
        QTest::addRow("two failures are HARD") << 2 << QStringLiteral("oxxo") << QStringLiteral("USHU");
        QTest::addRow("first check failing") << 2 << QStringLiteral("xxx") << QStringLiteral("SHH");
        QTest::addRow("attempts 1 is HARD at once") << 1 << QStringLiteral("oxo") << QStringLiteral("UHU");
        QTest::addRow("attempts 3") << 3 << QStringLiteral("xxoxxx") << QStringLiteral("SSUSSH");
        QTest::addRow("counter restarts after a pass") << 2 << QStringLiteral("xoxoxo") << QStringLiteral("SUSUSU");
    }
    void softHard()
    {
        QFETCH(int, attempts);
        QFETCH(QString, checks);
        QFETCH(QString, states);
        TargetPolicy p = policy(QStringLiteral("web-1"));
        p.attempts = attempts;
        TargetStateMachine m(p);
        QCOMPARE(m.state(), TargetState::Unknown);
        QString seen;
        qint64 t = t0();
        for (QChar c : checks) {
            m.observe(c == u'o' ? ok(p.name, t) : refused(p.name, t));
            seen += letter(m.state());
            t += 1000;
        }
        QCOMPARE(seen, states);
    }

    // reliability.md T9: random check sequences agree with the reference model
    // "HARD iff the last `attempts` checks all failed; SOFT iff the last one failed".
    void agreesWithReferenceModel()
    {
        QRandomGenerator rng(20261127);
        for (int run = 0; run < 1000; ++run) {
            const int attempts = 1 + int(rng.bounded(4));
            TargetPolicy p = policy(QStringLiteral("t"));
            p.attempts = attempts;
            TargetStateMachine m(p);
            int streak = 0;
            for (int i = 0; i < 30; ++i) {
                const bool fail = rng.bounded(100) < 45;
                m.observe(fail ? refused(p.name, t0() + i * 1000) : ok(p.name, t0() + i * 1000));
                streak = fail ? streak + 1 : 0;
                const TargetState expected = streak == 0 ? TargetState::Up
                    : streak >= attempts                 ? TargetState::Hard
                                                         : TargetState::Soft;
                QCOMPARE(m.state(), expected);
            }
        }
    }

    void transitionsCarryTimeAndReason()
    {
        TargetStateMachine m(policy(QStringLiteral("web-2")));
        m.observe(ok(QStringLiteral("web-2"), t0()));
        m.observe(refused(QStringLiteral("web-2"), t0() + 1000));
        m.observe(refused(QStringLiteral("web-2"), t0() + 1500));
        const auto ts = m.takeTransitions();
        QCOMPARE(ts.size(), 3);
        QCOMPARE(ts[0].to, TargetState::Up);
        QCOMPARE(ts[1].from, TargetState::Up);
        QCOMPARE(ts[1].to, TargetState::Soft);
        QCOMPARE(ts[1].timeMs, t0() + 1000);
        QCOMPARE(ts[1].reason, QStringLiteral("check failed (down), attempt 1 of 2"));
        QCOMPARE(ts[2].to, TargetState::Hard);
        QCOMPARE(ts[2].timeMs, t0() + 1500);
        QCOMPARE(ts[2].reason,
            QStringLiteral("web-2 is down: 2 consecutive probes refused (connection refused at 14:03:11, 14:03:11)"));
        QVERIFY(m.takeTransitions().isEmpty());
    }

    // SOFT asks for the fast retry; otherwise the normal interval.
    void nextCheckDue()
    {
        TargetStateMachine m(policy(QStringLiteral("web-1")));
        m.observe(ok(QStringLiteral("web-1"), t0()));
        QCOMPARE(m.nextCheckDueMs(), t0() + 1000);
        m.observe(refused(QStringLiteral("web-1"), t0() + 1000));
        QCOMPARE(m.baseState(), TargetState::Soft);
        QCOMPARE(m.nextCheckDueMs(), t0() + 1500);
    }

    void lateObservationIgnored()
    {
        TargetStateMachine m(policy(QStringLiteral("web-1")));
        m.observe(ok(QStringLiteral("web-1"), t0() + 2000));
        m.observe(refused(QStringLiteral("web-1"), t0() + 1000));
        QCOMPARE(m.state(), TargetState::Up);
    }

    // Threshold rules enter at one level and leave at another.
    void hysteresis_data()
    {
        QTest::addColumn<bool>("above");
        QTest::addColumn<double>("enter");
        QTest::addColumn<double>("clear");
        QTest::addColumn<QList<double>>("values");
        QTest::addColumn<QString>("breached"); // one char per value
        QTest::addRow("load above 0.85 clear 0.70")
            << true << 0.85 << 0.70 << QList<double> { 0.5, 0.85, 0.9, 0.8, 0.71, 0.70, 0.8, 0.86 }
            << QStringLiteral("..xxx..x");
        QTest::addRow("integrity below 1 clear 1")
            << false << 1.0 << 1.0 << QList<double> { 1, 0, 0, 1, 1 } << QStringLiteral(".xx..");
        QTest::addRow("free space below 10 clear 20")
            << false << 10.0 << 20.0 << QList<double> { 50, 9, 15, 19.9, 20, 12 } << QStringLiteral(".xxx..");
    }
    void hysteresis()
    {
        QFETCH(bool, above);
        QFETCH(double, enter);
        QFETCH(double, clear);
        QFETCH(QList<double>, values);
        QFETCH(QString, breached);
        TargetPolicy p = policy(QStringLiteral("t"));
        p.thresholds.append(above ? ThresholdRule::above(QStringLiteral("x"), enter, clear)
                                  : ThresholdRule::below(QStringLiteral("x"), enter, clear));
        TargetStateMachine m(p);
        QString seen;
        for (int i = 0; i < values.size(); ++i) {
            m.observe(ok(p.name, t0() + i * 1000, { { QStringLiteral("x"), values[i] } }));
            seen += m.lastCheckFailed() ? u'x' : u'.';
            QCOMPARE(m.thresholds().first().breached, m.lastCheckFailed());
        }
        QCOMPARE(seen, breached);
    }

    // A missing value (no requests in the interval, say) neither clears a breach nor confirms it: confirming
    // takes failing checks that each measured the value.
    void missingValueKeepsBreachButDoesNotConfirmIt()
    {
        TargetPolicy p = policy(QStringLiteral("t"));
        p.thresholds.append(ThresholdRule::above(QStringLiteral("load"), 0.85, 0.7));
        TargetStateMachine m(p);
        m.observe(ok(p.name, t0(), { { QStringLiteral("load"), 0.95 } }));
        QCOMPARE(m.state(), TargetState::Soft);
        m.observe(ok(p.name, t0() + 500));
        m.observe(ok(p.name, t0() + 1000));
        QVERIFY(m.lastCheckFailed());
        QVERIFY(m.thresholds().first().breached);
        QCOMPARE(m.state(), TargetState::Soft);
        m.observe(ok(p.name, t0() + 1500, { { QStringLiteral("load"), 0.97 } }));
        QCOMPARE(m.state(), TargetState::Hard);
        QVERIFY2(m.evidence().contains(QStringLiteral("0.95")) && m.evidence().contains(QStringLiteral("0.97")),
            qPrintable(m.evidence()));
        m.observe(ok(p.name, t0() + 2000));
        QCOMPARE(m.state(), TargetState::Hard);
        m.observe(ok(p.name, t0() + 2500, { { QStringLiteral("load"), 0.5 } }));
        QCOMPARE(m.state(), TargetState::Up);
    }

    // A probe failure is a witness of its own, with or without values.
    void probeFailureConfirmsWithoutValues()
    {
        TargetPolicy p = policy(QStringLiteral("t"));
        p.thresholds.append(ThresholdRule::above(QStringLiteral("load"), 0.85, 0.7));
        TargetStateMachine m(p);
        m.observe(ok(p.name, t0(), { { QStringLiteral("load"), 0.95 } }));
        Observation refused = ok(p.name, t0() + 500);
        refused.probe = Observation::Probe::Down;
        refused.failureKind = Observation::FailureKind::Refused;
        refused.reason = QStringLiteral("connection refused");
        m.observe(refused);
        QCOMPARE(m.state(), TargetState::Hard);
    }

    // A check's values update the target's last known values: a signal the check did not report keeps its last
    // value; one it reported replaces it; a check that reports every signal the target has is taken as it is.
    void valuesKeepWhatACheckDidNotReport_data()
    {
        QTest::addColumn<QHash<QString, double>>("second");
        QTest::addColumn<QHash<QString, double>>("expected");
        const QString load = QStringLiteral("load");
        const QString rps = QStringLiteral("rps");
        const QString errors = QStringLiteral("error_rate");
        QTest::addRow("every signal again") << QHash<QString, double> { { load, 0.5 }, { rps, 20 } }
                                            << QHash<QString, double> { { load, 0.5 }, { rps, 20 } };
        QTest::addRow("one signal missing")
            << QHash<QString, double> { { load, 0.5 } } << QHash<QString, double> { { load, 0.5 }, { rps, 10 } };
        QTest::addRow("a new signal besides the old ones") << QHash<QString, double> { { load, 0.5 }, { rps, 20 },
            { errors, 0.1 } } << QHash<QString, double> { { load, 0.5 }, { rps, 20 }, { errors, 0.1 } };
        QTest::addRow("a new signal instead of an old one") << QHash<QString, double> { { load, 0.5 },
            { errors, 0.1 } } << QHash<QString, double> { { load, 0.5 }, { rps, 10 }, { errors, 0.1 } };
        QTest::addRow("no values (a failed scrape)")
            << QHash<QString, double> {} << QHash<QString, double> { { load, 0.4 }, { rps, 10 } };
    }
    void valuesKeepWhatACheckDidNotReport()
    {
        using Values = QHash<QString, double>;
        QFETCH(Values, second);
        QFETCH(Values, expected);
        TargetStateMachine m(policy(QStringLiteral("t")));
        m.observe(ok(QStringLiteral("t"), t0(), { { QStringLiteral("load"), 0.4 }, { QStringLiteral("rps"), 10 } }));
        const QHash<QString, double> shared = m.values(); // what a model's status holds meanwhile
        m.observe(ok(QStringLiteral("t"), t0() + 1000, second));
        QCOMPARE(m.values(), expected);
        QCOMPARE(shared.value(QStringLiteral("load")), 0.4);
    }

    // Staleness counts as a failure: after staleAfter, then once per interval.
    void staleness()
    {
        TargetStateMachine m(policy(QStringLiteral("web-3")));
        QVERIFY(!m.checkStaleness(t0()));
        QVERIFY(!m.checkStaleness(t0() + 2999));
        QVERIFY(m.checkStaleness(t0() + 3000));
        QCOMPARE(m.state(), TargetState::Soft);
        QVERIFY(!m.checkStaleness(t0() + 3500));
        QVERIFY(m.checkStaleness(t0() + 4000));
        QCOMPARE(m.state(), TargetState::Hard);
        QCOMPARE(m.primaryCause(), CauseClass::Down);
        QVERIFY2(m.evidence().startsWith(QStringLiteral("web-3 is down: 2 consecutive probes went stale")),
            qPrintable(m.evidence()));
        m.observe(ok(QStringLiteral("web-3"), t0() + 4200));
        QCOMPARE(m.state(), TargetState::Up);
        QVERIFY(!m.checkStaleness(t0() + 5000));
    }

    void evidence_data()
    {
        QTest::addColumn<QList<Observation>>("checks");
        QTest::addColumn<QString>("evidence");
        const QString web = QStringLiteral("web-2");
        QTest::addRow("refused twice") << QList<Observation> { refused(web, t0() + 1000), refused(web, t0() + 2000) }
                                       << QStringLiteral("web-2 is down: 2 consecutive probes refused (connection "
                                                         "refused at 14:03:11, 14:03:12)");
        Observation timeout = refused(web, t0() + 2000);
        timeout.failureKind = Observation::FailureKind::Timeout;
        timeout.reason = QStringLiteral("no answer within 1 s");
        QTest::addRow("mixed reasons") << QList<Observation> { refused(web, t0() + 1000), timeout }
                                       << QStringLiteral("web-2 is down: 2 consecutive probes failed (connection "
                                                         "refused at 14:03:11; no answer within 1 s at 14:03:12)");
        Observation slow = refused(web, t0() + 1000);
        slow.failureKind = Observation::FailureKind::SlowAnswer;
        slow.reason = QStringLiteral("http probe: timeout after 1000 ms reading the response (5 bytes so far)");
        Observation slower = slow;
        slower.timeMs = t0() + 2000;
        QTest::addRow("answering too slowly")
            << QList<Observation> { slow, slower }
            << QStringLiteral("web-2 is slow: 2 consecutive probes answered too slowly (http probe: timeout after "
                              "1000 ms reading the response (5 bytes so far) at 14:03:11, 14:03:12)");
        QTest::addRow("503 twice") << QList<Observation> { unhealthy(web, t0() + 1000, QStringLiteral("HTTP 503")),
            unhealthy(web, t0() + 2000, QStringLiteral("HTTP 503")) }
                                   << QStringLiteral("web-2 is unhealthy: 2 consecutive health checks failed (HTTP "
                                                     "503 at 14:03:11, 14:03:12)");
        const QString db = QStringLiteral("db-primary");
        QTest::addRow("integrity") << QList<Observation> { ok(db, t0() + 1000, { { QStringLiteral("integrity"), 0 } }),
            ok(db, t0() + 2000, { { QStringLiteral("integrity"), 0 } }) }
                                   << QStringLiteral("db-primary data integrity failed: integrity = 0 (below 1) for 2 "
                                                     "checks (14:03:11, 14:03:12)");
        QTest::addRow("load rising") << QList<Observation> { ok(web, t0() + 1000, { { QStringLiteral("load"), 1.21 } }),
            ok(web, t0() + 2000, { { QStringLiteral("load"), 1.42 } }) }
                                     << QStringLiteral("web-2 is overloaded: load = 1.42 (above 0.85) for 2 checks "
                                                       "(1.21 at 14:03:11, 1.42 at 14:03:12)");
    }
    void evidence()
    {
        QFETCH(QList<Observation>, checks);
        QFETCH(QString, evidence);
        TargetPolicy p = policy(checks.first().target);
        p.thresholds.append(ThresholdRule::below(QStringLiteral("integrity"), 1, 1));
        p.thresholds.append(ThresholdRule::above(QStringLiteral("load"), 0.85, 0.7));
        TargetStateMachine m(p);
        for (const Observation& o : checks)
            m.observe(o);
        QCOMPARE(m.state(), TargetState::Hard);
        QCOMPARE(m.evidence(), evidence);
    }

    // The worst cause names the failure: a crashed server is "down", not "slow".
    void causePrecedence()
    {
        TargetPolicy p = policy(QStringLiteral("api-1"));
        p.thresholds.append(ThresholdRule::above(QStringLiteral("p95_latency"), 0.5, 0.3));
        p.thresholds.append(ThresholdRule::above(QStringLiteral("error_rate"), 0.05, 0.01));
        TargetStateMachine m(p);
        m.observe(ok(p.name, t0(), { { QStringLiteral("p95_latency"), 0.9 } }));
        QCOMPARE(m.primaryCause(), CauseClass::Latency);
        m.observe(ok(p.name, t0() + 1000, { { QStringLiteral("error_rate"), 0.2 } }));
        QCOMPARE(m.primaryCause(), CauseClass::Errors);
        m.observe(refused(p.name, t0() + 2000));
        QCOMPARE(m.primaryCause(), CauseClass::Down);
    }

    void unreachableOnlyWhileHard()
    {
        TargetStateMachine m(policy(QStringLiteral("api-1")));
        m.observe(refused(QStringLiteral("api-1"), t0()));
        m.setUnreachable(true, t0(), QStringLiteral("db down"));
        QCOMPARE(m.state(), TargetState::Soft);
        m.observe(refused(QStringLiteral("api-1"), t0() + 500));
        QCOMPARE(m.state(), TargetState::Unreachable);
        m.setUnreachable(false, t0() + 600, QStringLiteral("db up"));
        QCOMPARE(m.state(), TargetState::Hard);
        m.setUnreachable(true, t0() + 700, QStringLiteral("db down"));
        m.observe(ok(QStringLiteral("api-1"), t0() + 1000));
        QCOMPARE(m.state(), TargetState::Up);
        QVERIFY(!m.isUnreachable());
    }

    // UNKNOWN while the monitor is degraded: failures do not count, and the target starts afresh.
    void unknownHold()
    {
        TargetStateMachine m(policy(QStringLiteral("web-1")));
        m.observe(refused(QStringLiteral("web-1"), t0()));
        QCOMPARE(m.state(), TargetState::Soft);
        m.setUnknown(true, t0() + 100, QStringLiteral("monitoring degraded"));
        QCOMPARE(m.state(), TargetState::Unknown);
        for (int i = 1; i <= 5; ++i)
            m.observe(refused(QStringLiteral("web-1"), t0() + i * 1000));
        QCOMPARE(m.state(), TargetState::Unknown);
        QVERIFY(m.lastProbeDown());
        m.setUnknown(false, t0() + 6000, QStringLiteral("recovered"));
        QCOMPARE(m.state(), TargetState::Unknown);
        m.observe(refused(QStringLiteral("web-1"), t0() + 7000));
        QCOMPARE(m.state(), TargetState::Soft);
    }

    void flappingReportedOnce()
    {
        TargetStateMachine m(policy(QStringLiteral("web-1")));
        for (int i = 0; i < 30; ++i)
            m.observe(i % 2 ? refused(QStringLiteral("web-1"), t0() + i * 1000)
                            : ok(QStringLiteral("web-1"), t0() + i * 1000));
        const auto changes = m.takeFlappingChanges();
        QCOMPARE(changes.size(), 1);
        QVERIFY(changes.first().flapping);
        QVERIFY(changes.first().percent > 30);
        QVERIFY(m.isFlapping());
    }

    // An adaptive rule uses the configured level while learning, then the learnt one; a pin overrides both.
    void adaptiveAndPinned()
    {
        TargetPolicy p = policy(QStringLiteral("api-1"));
        ThresholdRule r = ThresholdRule::above(QStringLiteral("p95_latency"), 0.5, 0.3);
        r.adaptive = true;
        r.minSamples = 30;
        p.thresholds.append(r);
        TargetStateMachine m(p);
        QCOMPARE(m.thresholds().first().source, EffectiveThreshold::Source::Learning);
        QCOMPARE(m.thresholds().first().enter, 0.5);
        QRandomGenerator rng(7);
        for (int i = 0; i < 40; ++i) {
            const double v = 0.1 + (rng.generateDouble() - 0.5) * 0.02;
            m.observe(ok(p.name, t0() + i * 1000, { { QStringLiteral("p95_latency"), v } }));
        }
        const EffectiveThreshold learnt = m.thresholds().first();
        QCOMPARE(learnt.source, EffectiveThreshold::Source::Adaptive);
        QVERIFY2(learnt.enter > 0.1 && learnt.enter < 0.2, qPrintable(QString::number(learnt.enter)));
        QVERIFY(learnt.clear < learnt.enter);
        // 0.3 s is well above this baseline: breached although below the configured 0.5.
        m.observe(ok(p.name, t0() + 50000, { { QStringLiteral("p95_latency"), 0.3 } }));
        QVERIFY(m.lastCheckFailed());
        QVERIFY2(m.evidence().contains(QStringLiteral(", adaptive)")), qPrintable(m.evidence()));
        QVERIFY(m.pinThreshold(QStringLiteral("p95_latency"), 0.4));
        QCOMPARE(m.thresholds().first().source, EffectiveThreshold::Source::Pinned);
        QCOMPARE(m.thresholds().first().enter, 0.4);
        QCOMPARE(m.thresholds().first().clear, 0.2);
        QVERIFY(!m.pinThreshold(QStringLiteral("nope"), 1.0));
    }
};

QTEST_GUILESS_MAIN(TestTargetStateMachine)
#include "tst_targetstatemachine.moc"
