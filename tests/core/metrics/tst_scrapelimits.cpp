// The limits production scrapes run under: a breach rejects the payload with a message an operator can act on,
// the Monitor reports it as the target's probe failure, and a flood of distinct `by` values costs no memory.
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "metrics/scrapelimits.h"
#include "metrics/signalevaluator.h"
#include "monitor/monitor.h"
#include "probe/proberesult.h"

#include <QTest>

using namespace FaultDesk;

class TestScrapeLimits : public QObject
{
    Q_OBJECT

    static QByteArray samples(int n, const QByteArray& metric = "m")
    {
        QByteArray out = "# TYPE " + metric + " gauge\n";
        for (int i = 0; i < n; ++i)
            out += metric + "{i=\"" + QByteArray::number(i) + "\"} 1\n";
        return out;
    }

    static QString breach(const QByteArray& payload)
    {
        ParsedScrape scrape;
        PromParseError error;
        if (PromParser::parse(std::string_view(payload.constData(), size_t(payload.size())), scrape, &error,
                ScrapeLimits::parseLimits()))
            return {};
        return ScrapeLimits::describe(error);
    }

private Q_SLOTS:
    void breachesSayWhichLimitAndBothNumbers_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("message");
        QTest::addRow("samples") << samples(61204) << u"scrape over its sample limit: 61,204 > 50,000"_qs;
        QTest::addRow("samples with comments between") << samples(30000, "a") + "# HELP b\n\n" + samples(30000, "b")
                                                       << u"scrape over its sample limit: 60,000 > 50,000"_qs;
        QByteArray labels = "m{";
        for (int i = 0; i < 70; ++i)
            labels += "l" + QByteArray::number(i) + "=\"v,}\",";
        labels += "} 1\n";
        QTest::addRow("labels per sample")
            << labels << u"scrape over its label limit: a sample with 70 > 64 labels (line 1)"_qs;
        QTest::addRow("label value length") << "ok 1\nm{src=\"" + QByteArray(5000, 'x')
                + "\"} 1\n" << u"scrape over its label value length limit: 5,000 > 4,096 bytes (line 2)"_qs;
        QTest::addRow("malformed, no limit") << QByteArray("m{ 1\n") << u"invalid payload (line 1"_qs;
    }
    void breachesSayWhichLimitAndBothNumbers()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, message);
        const QString said = breach(payload);
        QVERIFY2(said.startsWith(message), qPrintable(said));
    }

    void withinLimitsParses()
    {
        QVERIFY(breach(samples(50000)).isEmpty());
        QVERIFY(breach("m{src=\"" + QByteArray(4096, 'x') + "\"} 1\n").isEmpty());
    }

    // 5,000 distinct sources: the breakdown keeps the first 1,000 and sums the rest under "(other)".
    void breakdownValuesBeyondTheCapShareOneBucket()
    {
        auto selector = Selector::parse(u"requests_total"_qs);
        QVERIFY(selector);
        SignalSpec spec;
        spec.name = u"sources"_qs;
        spec.kind = SignalSpec::Kind::Breakdown;
        spec.selector = *selector;
        spec.by = u"source"_qs;
        SignalEvaluator evaluator({ spec }, 10000, ScrapeLimits::BreakdownValuesPerSignal);
        auto payload = [](int round) {
            QByteArray out = "# TYPE requests_total counter\n";
            for (int i = 0; i < 5000; ++i)
                out += "requests_total{source=\"10.1." + QByteArray::number(i / 250) + '.' + QByteArray::number(i % 250)
                    + "\"} " + QByteArray::number(round * 10) + '\n';
            return out;
        };
        std::vector<SignalResult> results;
        ParsedScrape scrape;
        for (int round = 0; round < 2; ++round) {
            const QByteArray p = payload(round);
            QVERIFY(PromParser::parse(std::string_view(p.constData(), size_t(p.size())), scrape));
            evaluator.evaluate(scrape, 1000 * (round + 1), results);
        }
        const std::vector<BreakdownEntry>& groups = results.at(0).breakdown;
        QCOMPARE(groups.size(), size_t(ScrapeLimits::BreakdownValuesPerSignal + 1));
        QCOMPARE(groups.front().labelValue, SignalEvaluator::OtherGroup);
        QCOMPARE(groups.front().rate, 4000 * 10.0);
        double total = 0;
        for (const BreakdownEntry& e : groups)
            total += e.rate;
        QCOMPARE(total, 5000 * 10.0);
    }

    // The Monitor scrapes under these limits: the breach is the target's probe failure, word for word.
    void monitorReportsTheBreach()
    {
        const ConfigLoadResult loaded = FleetConfigLoader::loadBytes("version: 1\n"
                                                                     "targets:\n"
                                                                     "  - name: big\n"
                                                                     "    probes:\n"
                                                                     "      - kind: metrics\n"
                                                                     "        url: http://127.0.0.1:9/metrics\n"
                                                                     "    signals:\n"
                                                                     "      - name: load\n"
                                                                     "        gauge: m\n",
            u"limits.yaml"_qs);
        QVERIFY(loaded.ok());
        Monitor monitor;
        monitor.setConfig(*loaded.config);
        ProbeResult r;
        r.target = u"big"_qs;
        r.kind = ProbeSpec::Kind::Metrics;
        r.ok = true;
        r.httpStatus = 200;
        r.body = samples(61204);
        monitor.ingestRound(u"big"_qs, { r }, 1000);
        monitor.detector()->tick(1000); // what the monitor's timer does next
        const auto status = monitor.detector()->status(u"big"_qs);
        QVERIFY(status);
        QVERIFY2(status->lastReason.contains(u"metrics probe: scrape over its sample limit: 61,204 > 50,000"_qs),
            qPrintable(status->lastReason));
    }
};

QTEST_GUILESS_MAIN(TestScrapeLimits)
#include "tst_scrapelimits.moc"
