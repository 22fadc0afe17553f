#include "metrics/seriesstore.h"

#include <QTest>

#include <atomic>
#include <cmath>
#include <thread>

using namespace FaultDesk;

namespace {

constexpr std::int64_t kBase = 1'700'000'000'000; // a realistic epoch in ms

QList<double> values(const std::vector<SeriesPoint>& points)
{
    QList<double> out;
    for (const SeriesPoint& p : points)
        out << p.value;
    return out;
}

} // namespace

class TestSeriesStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void seriesAreNamed()
    {
        SeriesStore store;
        const auto a = store.addSeries(QStringLiteral("web-1"), QStringLiteral("load"));
        const auto b = store.addSeries(QStringLiteral("web-1"), QStringLiteral("rps"));
        QVERIFY(a != b);
        QCOMPARE(store.addSeries(QStringLiteral("web-1"), QStringLiteral("load")), a);
        QCOMPARE(store.find(QStringLiteral("web-1"), QStringLiteral("rps")), b);
        QCOMPARE(store.find(QStringLiteral("web-2"), QStringLiteral("rps")), -1);
        QCOMPARE(store.seriesCount(), 2);
        store.append(-1, kBase, 1); // ignored, no crash
        store.append(99, kBase, 1);
        QVERIFY(!store.latest(99).valid);
    }

    void rangeAndLatest()
    {
        SeriesStore store(1000, 10);
        const auto id = store.addSeries(QStringLiteral("t"), QStringLiteral("s"));
        QVERIFY(!store.latest(id).valid);
        for (int i = 0; i < 5; ++i)
            store.append(id, kBase + i * 1000 + 123, i * 1.5);
        const auto points = store.range(id, kBase, kBase + 10'000);
        QCOMPARE(values(points), QList<double>({ 0, 1.5, 3, 4.5, 6 }));
        QCOMPARE(points[2].timeMs, kBase + 2000); // time is the slot's start
        // Inclusive bounds on slot times.
        QCOMPARE(values(store.range(id, kBase + 1000, kBase + 3000)), QList<double>({ 1.5, 3, 4.5 }));
        QCOMPARE(values(store.range(id, kBase + 1001, kBase + 2999)), QList<double>({ 3 }));
        QVERIFY(store.range(id, kBase + 3000, kBase + 1000).empty());
        const auto latest = store.latest(id);
        QVERIFY(latest.valid);
        QCOMPARE(latest.timeMs, kBase + 4123); // exact time, not the slot
        QCOMPARE(latest.value, 6.0);
    }

    void wrapAround()
    {
        SeriesStore store(1000, 10);
        const auto id = store.addSeries(QStringLiteral("t"), QStringLiteral("s"));
        for (int i = 0; i < 25; ++i)
            store.append(id, kBase + i * 1000, i);
        // Only the last 10 slots survive, oldest first.
        QCOMPARE(
            values(store.range(id, kBase, kBase + 100'000)), QList<double>({ 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 }));
        // A sample older than the window is dropped; one inside it overwrites its slot.
        store.append(id, kBase + 3000, -1);
        store.append(id, kBase + 20'000, -20);
        QCOMPARE(values(store.range(id, kBase + 19'000, kBase + 21'000)), QList<double>({ 19, -20, 21 }));
        QCOMPARE(store.latest(id).value, 24.0);
    }

    void gaps()
    {
        SeriesStore store(1000, 10);
        const auto id = store.addSeries(QStringLiteral("t"), QStringLiteral("s"));
        store.append(id, kBase, 1);
        store.append(id, kBase + 1000, 2);
        store.append(id, kBase + 5000, 6); // three missed scrapes
        const auto points = store.range(id, kBase, kBase + 10'000);
        QCOMPARE(values(points), QList<double>({ 1, 2, 6 }));
        QCOMPARE(points[2].timeMs - points[1].timeMs, std::int64_t(4000));
        // A jump longer than the whole window leaves only the new sample (old slots become gaps, not stale data).
        store.append(id, kBase + 60'000, 7);
        QCOMPARE(values(store.range(id, kBase, kBase + 100'000)), QList<double>({ 7 }));
        // NaN is a value (e.g. a quantile without traffic), not a gap.
        store.append(id, kBase + 61'000, std::nan(""));
        const auto withNaN = store.range(id, kBase + 60'000, kBase + 61'000);
        QCOMPARE(withNaN.size(), 2u);
        QVERIFY(std::isnan(withNaN[1].value));
    }

    // For a chart, each run of missed scrapes is one NaN point at its first missing slot: the line breaks there.
    void gapsMarkedForCharts()
    {
        SeriesStore store(1000, 20);
        const auto id = store.addSeries(QStringLiteral("t"), QStringLiteral("s"));
        store.append(id, kBase + 2000, 1);
        store.append(id, kBase + 3000, 2);
        store.append(id, kBase + 7000, 6); // three missed scrapes
        store.append(id, kBase + 8000, 7);
        const auto points = store.rangeWithGaps(id, kBase, kBase + 10'000);
        QCOMPARE(points.size(), 5u);
        QCOMPARE(points[0].timeMs, kBase + 2000); // nothing to break before the first sample
        QCOMPARE(points[2].timeMs, kBase + 4000);
        QVERIFY(std::isnan(points[2].value));
        QCOMPARE(values(store.range(id, kBase, kBase + 10'000)), QList<double>({ 1, 2, 6, 7 }));
        QCOMPARE(points[3].value, 6.0);
        QVERIFY(store.rangeWithGaps(-1, kBase, kBase + 10'000).empty());
    }

    void exactLatestForLargeValues()
    {
        // A 32-bit checksum does not fit a float exactly; history is approximate, the latest value is exact.
        SeriesStore store;
        const auto id = store.addSeries(QStringLiteral("db"), QStringLiteral("checksum"));
        store.append(id, kBase, 4294967291.0);
        QCOMPARE(store.latest(id).value, 4294967291.0);
        QVERIFY(std::abs(store.range(id, kBase, kBase)[0].value - 4294967291.0) < 1000);
    }

    void downsampleKeepsExtremes_data()
    {
        QTest::addColumn<int>("method");
        QTest::addRow("min/max") << int(SeriesStore::Downsample::MinMax);
        QTest::addRow("LTTB") << int(SeriesStore::Downsample::Lttb);
    }

    void downsampleKeepsExtremes()
    {
        QFETCH(int, method);
        SeriesStore store(1000, 3600);
        const auto id = store.addSeries(QStringLiteral("t"), QStringLiteral("s"));
        for (int i = 0; i < 3600; ++i)
            store.append(id, kBase + i * 1000, std::sin(i / 50.0));
        store.append(id, kBase + 1234 * 1000, 25.0); // one spike
        store.append(id, kBase + 2345 * 1000, -30.0); // one dip
        const auto points = store.downsampled(id, kBase, kBase + 3600 * 1000, 200, SeriesStore::Downsample(method));
        QVERIFY(points.size() <= 200);
        QVERIFY(points.size() >= 100);
        const QList<double> v = values(points);
        QVERIFY(v.contains(25.0));
        QVERIFY(v.contains(-30.0));
        for (std::size_t i = 1; i < points.size(); ++i)
            QVERIFY(points[i].timeMs > points[i - 1].timeMs);
        if (SeriesStore::Downsample(method) == SeriesStore::Downsample::Lttb) {
            QCOMPARE(points.front().timeMs, kBase);
            QCOMPARE(points.back().timeMs, kBase + 3599 * 1000);
        }
        // Fewer points than asked for: returned as they are.
        QCOMPARE(store.downsampled(id, kBase, kBase + 99'000, 200, SeriesStore::Downsample(method)).size(), 100u);
    }

    void memoryPerSample()
    {
        QCOMPARE(SeriesStore::bytesPerSample(), std::size_t(4));
        SeriesStore store(1000, 3600);
        for (int t = 0; t < 50; ++t) {
            for (int s = 0; s < 8; ++s)
                store.addSeries(QStringLiteral("target-%1").arg(t), QStringLiteral("signal-%1").arg(s));
        }
        const std::size_t bytes = store.memoryBytes();
        const std::size_t samples = 50u * 8u * 3600u;
        // Rings are preallocated: the figure is what a full hour costs. Overhead stays under 5 % of the rings.
        QVERIFY(bytes >= samples * 4);
        QVERIFY2(bytes < samples * 4 * 105 / 100, qPrintable(QString::number(bytes)));
        qInfo("store: %zu bytes for 400 series x 3600 samples (%.2f bytes/sample)", bytes,
            double(bytes) / double(samples));
    }

    void concurrentReaderSeesWholeSamples()
    {
        // One writer, one reader (the GUI): every point read is a value that was written, never torn.
        SeriesStore store(1000, 600);
        const auto id = store.addSeries(QStringLiteral("t"), QStringLiteral("s"));
        std::atomic<bool> done { false };
        std::atomic<int> bad { 0 };
        std::thread reader([&] {
            while (!done.load()) {
                for (const SeriesPoint& p : store.range(id, kBase, kBase + 100'000'000)) {
                    if (p.value != double((p.timeMs - kBase) / 1000))
                        bad.fetch_add(1);
                }
                (void)store.latest(id);
            }
        });
        for (int i = 0; i < 20000; ++i)
            store.append(id, kBase + std::int64_t(i) * 1000, i);
        done = true;
        reader.join();
        QCOMPARE(bad.load(), 0);
        QCOMPARE(store.latest(id).value, 19999.0);
    }
};

QTEST_GUILESS_MAIN(TestSeriesStore)
#include "tst_seriesstore.moc"
