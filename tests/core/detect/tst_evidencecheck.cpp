#include "detect/evidencecheck.h"

#include <QTest>

using namespace FaultDesk;

class TestEvidenceCheck : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void problems_data()
    {
        QTest::addColumn<QString>("sentence");
        QTest::addColumn<int>("problems");
        QTest::addRow("above, true") << QStringLiteral(
            "web-1 is overloaded: load = 1.3 (above 0.85) for 2 checks (14:03:11, 14:03:12)")
                                     << 0;
        QTest::addRow("above, false (hysteresis told wrong)")
            << QStringLiteral("web-4 is overloaded: load = 0.84 (above 0.85) for 2 checks (14:03:11, 14:03:12)") << 1;
        QTest::addRow("percent scale, false") << QStringLiteral("web1 is overloaded: load = 56 (above 80)") << 1;
        QTest::addRow("below, true") << QStringLiteral("db-primary data integrity failed: integrity = 0 (below 1)")
                                     << 0;
        QTest::addRow("below, false") << QStringLiteral("db-primary data integrity failed: integrity = 1 (below 1)")
                                      << 1;
        QTest::addRow("adaptive level") << QStringLiteral("web-2 is slow: p95_latency = 2.5 (above 1.9, adaptive)")
                                        << 0;
        QTest::addRow("clear level, true")
            << QStringLiteral("web-4 is overloaded: load = 0.84, stayed above the clear level 0.7 after crossing 0.85 "
                              "at 06:59:40 for 2 checks (0.9 at 06:59:40, 0.84 at 06:59:41)")
            << 0;
        QTest::addRow("clear level, false")
            << QStringLiteral("web-4 is overloaded: load = 0.64, stayed above the clear level 0.7 after crossing 0.85")
            << 1;
        QTest::addRow("symbols") << QStringLiteral("queue 12 > 10, lag 3 ≤ 2") << 1;
        QTest::addRow("attack baseline, true")
            << QStringLiteral("web is under attack: 60 req/s, 4× its baseline of 15 req/s, 85% from the top 3 sources")
            << 0;
        QTest::addRow("attack baseline, false")
            << QStringLiteral("web is under attack: 60 req/s, 2× its baseline of 15 req/s") << 1;
        QTest::addRow("attack sources, true")
            << QStringLiteral("web-1 is under attack: 11.9 req/s, 11.9× its baseline of 1 req/s (counted over the last "
                              "2 s); the 3 busiest sources sent 92% of its requests; flooding sources: 127.0.1.202 "
                              "(3.9 req/s), 127.0.1.203 (3.6 req/s), 127.0.1.201 (3.4 req/s)")
            << 0;
        // Seen in a drill: the share smoothed over 5 s, the total over one interval, sources that had not caught up.
        QTest::addRow("attack sources, more than their share")
            << QStringLiteral("web-1 is under attack: 3.5 req/s, 3.5× its baseline of 1 req/s (counted over the last "
                              "2 s); the 3 busiest sources sent 68% of its requests; flooding sources: 127.0.1.201 "
                              "(1.28 req/s), 127.0.1.203 (1.201 req/s), 127.0.1.202 (1.063 req/s)")
            << 1;
        QTest::addRow("attack source above the total")
            << QStringLiteral("web-1 is under attack: 3 req/s, 3× its baseline of 1 req/s (counted over the last 2 s); "
                              "the busiest source sent 100% of its requests; flooding sources: 127.0.1.201 (4 req/s)")
            << 2;
        QTest::addRow("surge factor, true")
            << QStringLiteral("web pool overloaded: requests ×4.83 in 40 s (12 → 58 req/s across the web pool)") << 0;
        QTest::addRow("surge factor, false")
            << QStringLiteral("web pool overloaded: requests ×2 in 40 s (12 → 58 req/s across the web pool)") << 1;
        QTest::addRow("nothing to check") << QStringLiteral("web-2 is down: 2 consecutive probes refused") << 0;
        QTest::addRow("a comparison with no value quoted") << QStringLiteral("traffic rose above 80 req/s") << 0;
        QTest::addRow("two clauses, each its own value")
            << QStringLiteral("api-1 cannot reach db-primary: link_db-primary = 0 (below 0.5); load = 0.2 (above 0.85)")
            << 1;
    }
    void problems()
    {
        QFETCH(QString, sentence);
        QFETCH(int, problems);
        const QStringList found = EvidenceCheck::problems(sentence);
        QVERIFY2(found.size() == problems, qPrintable(found.join(u"; ")));
    }
};

QTEST_GUILESS_MAIN(TestEvidenceCheck)
#include "tst_evidencecheck.moc"
