#include "fuzz/signals/signals_harness.h"
#include "metrics/promparser.h"
#include "metrics/signalevaluator.h"

#include <QDirIterator>
#include <QFile>
#include <QTest>

#include <cmath>
#include <limits>

using namespace FaultDesk;

namespace {

Selector sel(const QString& text)
{
    QString error;
    const auto s = Selector::parse(text, &error);
    if (!s)
        qFatal("bad selector in test: %s", qPrintable(error));
    return *s;
}

SignalSpec gauge(const QString& name, const QString& selector)
{
    SignalSpec s;
    s.name = name;
    s.kind = SignalSpec::Kind::Gauge;
    s.selector = sel(selector);
    return s;
}

SignalSpec rate(const QString& name, const QString& selector)
{
    SignalSpec s = gauge(name, selector);
    s.kind = SignalSpec::Kind::Rate;
    return s;
}

SignalSpec ratioSpec(const QString& name, const QString& num, const QString& den)
{
    SignalSpec s = gauge(name, num);
    s.kind = SignalSpec::Kind::Ratio;
    s.denominator = sel(den);
    return s;
}

SignalSpec quantileSpec(const QString& name, const QString& histogram, double q)
{
    SignalSpec s = gauge(name, histogram);
    s.kind = SignalSpec::Kind::Quantile;
    s.quantile = q;
    return s;
}

SignalSpec breakdown(const QString& name, const QString& selector, const QString& by)
{
    SignalSpec s = gauge(name, selector);
    s.kind = SignalSpec::Kind::Breakdown;
    s.by = by;
    return s;
}

/// Parses @p text (kept alive in @p keep) and evaluates it at @p nowMs.
const std::vector<SignalResult>& feed(
    SignalEvaluator& ev, QByteArray text, std::int64_t nowMs, QByteArray& keep, ParsedScrape& scrape)
{
    static std::vector<SignalResult> results;
    keep = std::move(text);
    PromParseError error;
    if (!PromParser::parse(std::string_view(keep.constData(), std::size_t(keep.size())), scrape, &error))
        qFatal("bad payload in test: %s", error.toString().c_str());
    ev.evaluate(scrape, nowMs, results);
    return results;
}

QByteArray histogramPayload(const QList<double>& cumulative, const QByteArray& labels = "")
{
    static const char* les[] = { "0.1", "0.5", "1", "+Inf" };
    QByteArray out = "# TYPE lat histogram\n";
    for (int i = 0; i < cumulative.size(); ++i)
        out += "lat_bucket{" + labels + "le=\"" + les[i] + "\"} " + QByteArray::number(cumulative[i]) + '\n';
    return out;
}

} // namespace

class TestSignalEvaluator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void gaugeSums_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<double>("expected");
        QTest::addColumn<bool>("valid");
        QTest::addRow("single series") << "load" << 0.5 << true;
        QTest::addRow("sum of all series") << "cpu" << 7.0 << true;
        QTest::addRow("equal matcher") << "cpu{mode=\"idle\"}" << 4.0 << true;
        QTest::addRow("not equal") << "cpu{mode!=\"idle\"}" << 3.0 << true;
        QTest::addRow("regex") << "cpu{mode=~\"us.*|sys\"}" << 3.0 << true;
        QTest::addRow("absent label matches empty") << "cpu{cpu=\"\"}" << 0.0 << false;
        QTest::addRow("no such metric") << "missing" << 0.0 << false;
        QTest::addRow("summary count by exact name") << "rpc_count" << 12.0 << true;
    }

    void gaugeSums()
    {
        QFETCH(QString, selector);
        QFETCH(double, expected);
        QFETCH(bool, valid);
        SignalEvaluator ev({ gauge(QStringLiteral("g"), selector) });
        QByteArray keep;
        ParsedScrape scrape;
        const QByteArray payload = "load 0.5\ncpu{cpu=\"0\",mode=\"idle\"} 4\ncpu{cpu=\"0\",mode=\"user\"} 2\n"
                                   "cpu{cpu=\"0\",mode=\"sys\"} 1\n# TYPE rpc summary\nrpc{quantile=\"0.5\"} 3\n"
                                   "rpc_sum 30\nrpc_count 12\n";
        const auto& r = feed(ev, payload, 1000, keep, scrape);
        QCOMPARE(r.size(), 1u);
        QCOMPARE(r[0].valid, valid);
        if (valid)
            QCOMPARE(r[0].value, expected);
        else
            QVERIFY(r[0].has(SignalResult::NoData));
        // A second scrape with the same series goes through the cached matches and gives the same answer.
        const auto& again = feed(ev, payload, 2000, keep, scrape);
        QCOMPARE(again[0].valid, valid);
        if (valid)
            QCOMPARE(again[0].value, expected);
    }

    void rateWithReset()
    {
        SignalEvaluator ev({ rate(QStringLiteral("rps"), QStringLiteral("req")) });
        QByteArray keep;
        ParsedScrape scrape;
        auto r = feed(ev, "req{a=\"1\"} 100\nreq{a=\"2\"} 50\n", 0, keep, scrape);
        QVERIFY(!r[0].valid);
        QVERIFY(r[0].has(SignalResult::FirstScrape));
        QVERIFY(std::isnan(r[0].value));

        r = feed(ev, "req{a=\"1\"} 110\nreq{a=\"2\"} 70\n", 2000, keep, scrape);
        QVERIFY(r[0].valid);
        QCOMPARE(r[0].value, 15.0); // (10 + 20) / 2 s
        QVERIFY(!r[0].has(SignalResult::CounterReset));

        // Series 1 restarted (110 → 5): its increase is 5, not -105; series 2 adds 5.
        r = feed(ev, "req{a=\"1\"} 5\nreq{a=\"2\"} 75\n", 3000, keep, scrape);
        QCOMPARE(r[0].value, 10.0);
        QVERIFY(r[0].has(SignalResult::CounterReset));

        // A new series contributes from its second scrape on (as PromQL); a vanished one is simply gone.
        r = feed(ev, "req{a=\"2\"} 80\nreq{a=\"3\"} 1000\n", 4000, keep, scrape);
        QCOMPARE(r[0].value, 5.0);
        r = feed(ev, "req{a=\"2\"} 80\nreq{a=\"3\"} 1010\n", 5000, keep, scrape);
        QCOMPARE(r[0].value, 10.0);
    }

    void rateOverFailedScrapes()
    {
        // Scrapes that failed are never fed: the next rate covers the whole gap.
        SignalEvaluator ev({ rate(QStringLiteral("rps"), QStringLiteral("req")) });
        QByteArray keep;
        ParsedScrape scrape;
        feed(ev, "req 0\n", 0, keep, scrape);
        const auto& r = feed(ev, "req 100\n", 10000, keep, scrape);
        QCOMPARE(r[0].value, 10.0);
    }

    void ratio_data()
    {
        QTest::addColumn<QByteArray>("first");
        QTest::addColumn<QByteArray>("second");
        QTest::addColumn<double>("expected");
        QTest::addColumn<int>("flag");
        QTest::addRow("ten percent errors") << QByteArray("req{code=\"200\"} 100\nreq{code=\"500\"} 0\n")
                                            << QByteArray("req{code=\"200\"} 190\nreq{code=\"500\"} 10\n") << 0.1 << 0;
        QTest::addRow("no traffic: 0/0 is 0")
            << QByteArray("req{code=\"200\"} 100\nreq{code=\"500\"} 3\n")
            << QByteArray("req{code=\"200\"} 100\nreq{code=\"500\"} 3\n") << 0.0 << int(SignalResult::ZeroOverZero);
        QTest::addRow("no 5xx series at all")
            << QByteArray("req{code=\"200\"} 100\n") << QByteArray("req{code=\"200\"} 150\n") << 0.0 << 0;
        QTest::addRow("all errors") << QByteArray("req{code=\"503\"} 1\n") << QByteArray("req{code=\"503\"} 9\n") << 1.0
                                    << 0;
    }

    void ratio()
    {
        QFETCH(QByteArray, first);
        QFETCH(QByteArray, second);
        QFETCH(double, expected);
        QFETCH(int, flag);
        SignalEvaluator ev(
            { ratioSpec(QStringLiteral("error_rate"), QStringLiteral("req{code=~\"5..\"}"), QStringLiteral("req")),
                rate(QStringLiteral("rps"), QStringLiteral("req")) });
        QByteArray keep;
        ParsedScrape scrape;
        auto r = feed(ev, first, 0, keep, scrape);
        QVERIFY(r[0].has(SignalResult::FirstScrape));
        r = feed(ev, second, 1000, keep, scrape);
        QVERIFY(r[0].valid);
        QCOMPARE(r[0].value, expected);
        if (flag)
            QVERIFY(r[0].has(SignalResult::Flag(flag)));
        else
            QCOMPARE(r[0].flags, std::uint8_t(0));
    }

    void quantile_data()
    {
        // Bucket increases over the interval (cumulative): ≤0.1: 50, ≤0.5: 80, ≤1: 95, +Inf: 100.
        // Hand-computed with PromQL's linear interpolation inside the bucket holding the rank q × 100.
        QTest::addColumn<double>("q");
        QTest::addColumn<double>("expected");
        QTest::addRow("p50 at a bucket edge") << 0.5 << 0.1; // rank 50 in (0, 0.1]: 0 + 0.1 × 50/50
        QTest::addRow("p25") << 0.25 << 0.05; // 0.1 × 25/50
        QTest::addRow("p65") << 0.65 << 0.3; // 0.1 + 0.4 × (65-50)/30
        QTest::addRow("p90") << 0.9 << 0.5 + 0.5 * (10.0 / 15.0); // 0.5 + 0.5 × (90-80)/15
        QTest::addRow("p95") << 0.95 << 1.0; // rank 95 = end of (0.5, 1]
        QTest::addRow("p99 falls in +Inf: highest finite bound") << 0.99 << 1.0;
        QTest::addRow("q above 1") << 1.5 << std::numeric_limits<double>::infinity();
        QTest::addRow("q below 0") << -0.5 << -std::numeric_limits<double>::infinity();
    }

    void quantile()
    {
        QFETCH(double, q);
        QFETCH(double, expected);
        SignalEvaluator ev({ quantileSpec(QStringLiteral("p"), QStringLiteral("lat"), q) });
        QByteArray keep;
        ParsedScrape scrape;
        // Two instances summed by le: their increases add up to the figures above.
        feed(ev,
            histogramPayload({ 10, 10, 10, 10 }, "i=\"a\",") + histogramPayload({ 0, 0, 0, 0 }, "i=\"b\",").mid(21), 0,
            keep, scrape);
        const auto& r = feed(ev,
            histogramPayload({ 40, 60, 70, 72 }, "i=\"a\",") + histogramPayload({ 20, 30, 35, 38 }, "i=\"b\",").mid(21),
            5000, keep, scrape);
        QVERIFY(r[0].valid);
        QVERIFY2(
            std::abs(r[0].value - expected) < 1e-12 || r[0].value == expected, qPrintable(QString::number(r[0].value)));
    }

    void quantileWithoutObservations()
    {
        SignalEvaluator ev({ quantileSpec(QStringLiteral("p95"), QStringLiteral("lat"), 0.95) });
        QByteArray keep;
        ParsedScrape scrape;
        feed(ev, histogramPayload({ 1, 2, 3, 4 }), 0, keep, scrape);
        const auto& r = feed(ev, histogramPayload({ 1, 2, 3, 4 }), 1000, keep, scrape);
        QVERIFY(!r[0].valid);
        QVERIFY(r[0].has(SignalResult::Accumulating));
        // Nothing observed over the whole window: no value, said so.
        const auto& late = feed(ev, histogramPayload({ 1, 2, 3, 4 }), 31000, keep, scrape);
        QVERIFY(!late[0].valid);
        QVERIFY(late[0].has(SignalResult::NoObservations));
    }

    // Two requests in a second have no 95th percentile worth judging: intervals with too few observations are
    // carried into the next value, so it speaks for at least minObservations requests (or the whole window).
    void quantileWaitsForEnoughObservations()
    {
        SignalSpec spec = quantileSpec(QStringLiteral("p95"), QStringLiteral("lat"), 0.95);
        spec.minObservations = 20;
        spec.maxWindowMs = 30000;
        SignalEvaluator ev({ spec });
        QByteArray keep;
        ParsedScrape scrape;
        // Cumulative buckets le=0.1, 0.5, 1, +Inf.
        feed(ev, histogramPayload({ 0, 0, 0, 0 }), 0, keep, scrape);
        // Second 1: one slow request only. Alone it would make p95 ≈ 1 s.
        auto r = feed(ev, histogramPayload({ 0, 0, 1, 1 }), 1000, keep, scrape);
        QVERIFY(!r[0].valid);
        QVERIFY(r[0].has(SignalResult::Accumulating));
        // Seconds 2-3: 19 fast ones. Now 20 observations: the carried slow one is just the tail.
        r = feed(ev, histogramPayload({ 10, 10, 11, 11 }), 2000, keep, scrape);
        QVERIFY(!r[0].valid);
        r = feed(ev, histogramPayload({ 19, 19, 20, 20 }), 3000, keep, scrape);
        QVERIFY(r[0].valid);
        QVERIFY2(r[0].value <= 0.1 + 1e-9, qPrintable(QString::number(r[0].value)));
        // The carry starts afresh after a value.
        r = feed(ev, histogramPayload({ 19, 19, 21, 21 }), 4000, keep, scrape);
        QVERIFY(!r[0].valid);
        // A quiet target still gets a value once the window is over, from what it saw.
        r = feed(ev, histogramPayload({ 19, 19, 22, 22 }), 34000, keep, scrape);
        QVERIFY(r[0].valid);
        QVERIFY2(r[0].value > 0.5, qPrintable(QString::number(r[0].value)));
    }

    void quantileWithoutTypeLine()
    {
        // Histograms exposed without a TYPE line are untyped families; `le` is read by the evaluator.
        SignalEvaluator ev({ quantileSpec(QStringLiteral("p50"), QStringLiteral("lat"), 0.5) });
        QByteArray keep;
        ParsedScrape scrape;
        feed(ev, histogramPayload({ 0, 0, 0, 0 }).mid(21), 0, keep, scrape);
        const auto& r = feed(ev, histogramPayload({ 50, 80, 95, 100 }).mid(21), 1000, keep, scrape);
        QCOMPARE(r[0].value, 0.1);
    }

    void breakdownBySource()
    {
        SignalEvaluator ev(
            { breakdown(QStringLiteral("sources"), QStringLiteral("by_source"), QStringLiteral("source")) });
        QByteArray keep;
        ParsedScrape scrape;
        feed(ev,
            "by_source{source=\"10.0.0.1\"} 0\nby_source{source=\"10.0.0.2\"} 0\nby_source{source=\"10.0.0.3\"} 5\n", 0,
            keep, scrape);
        const auto& r = feed(ev,
            "by_source{source=\"10.0.0.1\"} 10\nby_source{source=\"10.0.0.2\"} 900\nby_source{source=\"10.0.0.3\"} 5\n"
            "by_source{source=\"10.0.0.9\"} 1\n",
            2000, keep, scrape);
        QVERIFY(r[0].valid);
        QCOMPARE(r[0].value, 455.0); // (10 + 900) / 2 s; the new source counts from its next scrape
        QCOMPARE(r[0].breakdown.size(), 2u); // idle sources are left out
        QCOMPARE(QString::fromUtf8(r[0].breakdown[0].labelValue.data(), qsizetype(r[0].breakdown[0].labelValue.size())),
            QStringLiteral("10.0.0.2"));
        QCOMPARE(r[0].breakdown[0].rate, 450.0);
        QCOMPARE(r[0].breakdown[1].rate, 5.0);
        QCOMPARE(r[0].topShare(), 450.0 / 455.0);
    }

    void seriesChangeRematches()
    {
        // The cached matches must follow a scrape whose series moved, appeared or vanished.
        SignalEvaluator ev(
            { ratioSpec(QStringLiteral("err"), QStringLiteral("req{code=~\"5..\"}"), QStringLiteral("req")) });
        QByteArray keep;
        ParsedScrape scrape;
        feed(ev, "req{code=\"200\"} 100\nreq{code=\"404\"} 1\n", 0, keep, scrape);
        auto r = feed(ev, "req{code=\"500\"} 0\nreq{code=\"200\"} 150\nreq{code=\"404\"} 1\n", 1000, keep, scrape);
        QCOMPARE(r[0].value, 0.0);
        r = feed(ev, "req{code=\"404\"} 1\nreq{code=\"200\"} 200\nreq{code=\"500\"} 50\n", 2000, keep, scrape);
        QCOMPARE(r[0].value, 0.5); // 50 errors of 100 requests
    }

    void fixtureSignals()
    {
        const QString env = qEnvironmentVariable("FAULTDESK_SHARED_DIR");
        QFile f((env.isEmpty() ? QStringLiteral(FAULTDESK_SHARED_DIR) : env)
            + QStringLiteral("/fixtures/node_exporter.prom"));
        if (!f.open(QIODevice::ReadOnly))
            QSKIP("fixture not available");
        const QByteArray payload = f.readAll();
        SignalEvaluator ev({ rate(QStringLiteral("cpu"), QStringLiteral("node_cpu_seconds_total{mode!=\"idle\"}")),
            gauge(QStringLiteral("load"), QStringLiteral("node_load1")),
            gauge(QStringLiteral("mem"), QStringLiteral("node_memory_MemAvailable_bytes")),
            quantileSpec(QStringLiteral("gc"), QStringLiteral("go_gc_duration_seconds"), 0.5) });
        QByteArray keep;
        ParsedScrape scrape;
        auto r = feed(ev, payload, 0, keep, scrape);
        QVERIFY(r[1].valid);
        QVERIFY(r[2].value > 0);
        QVERIFY(r[3].has(SignalResult::NoData)); // a summary has no _bucket series
        r = feed(ev, payload, 1000, keep, scrape);
        QVERIFY(r[0].valid);
        QCOMPARE(r[0].value, 0.0); // same counters one second later
        // State kept between scrapes covers only the used series: a few KB, not the scrape.
        QVERIFY2(ev.stateBytes() < 8 * 1024, qPrintable(QString::number(ev.stateBytes())));
    }

    void resetForgetsPrevious()
    {
        SignalEvaluator ev({ rate(QStringLiteral("rps"), QStringLiteral("req")) });
        QByteArray keep;
        ParsedScrape scrape;
        feed(ev, "req 1\n", 0, keep, scrape);
        ev.reset();
        const auto& r = feed(ev, "req 5\n", 1000, keep, scrape);
        QVERIFY(r[0].has(SignalResult::FirstScrape));
    }

    /// Every seed and crasher of the fuzz_signals fuzzer goes through the same checks (no clang needed).
    void fuzzCorpusReplays()
    {
        QDirIterator it(QStringLiteral(FAULTDESK_SOURCE_DIR "/tests/fuzz/corpus/signals"), QDir::Files,
            QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray data = f.readAll();
            QVERIFY2(FaultDeskFuzz::runSignalsCase(std::string_view(data.constData(), std::size_t(data.size()))),
                qPrintable(path));
            ++files;
        }
        QVERIFY2(files > 0, "no fuzz corpus found");
    }
};

QTEST_GUILESS_MAIN(TestSignalEvaluator)
#include "tst_signalevaluator.moc"
