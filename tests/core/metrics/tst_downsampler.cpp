#include "metrics/downsampler.h"

#include <QTest>

#include <cmath>

using namespace FaultDesk;

namespace {

std::vector<SeriesPoint> series(int n, double (*f)(int))
{
    std::vector<SeriesPoint> out;
    for (int i = 0; i < n; ++i)
        out.push_back(SeriesPoint { std::int64_t(i) * 1000, f(i) });
    return out;
}

using Method = std::vector<SeriesPoint> (*)(std::span<const SeriesPoint>, int);

} // namespace

class TestDownsampler : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sizes_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<int>("input");
        QTest::addColumn<int>("maxPoints");
        QTest::addColumn<int>("expected");
        for (int m = 0; m < 2; ++m) {
            const char* name = m ? "lttb" : "minmax";
            QTest::addRow("%s: empty", name) << m << 0 << 100 << 0;
            QTest::addRow("%s: fewer than asked", name) << m << 50 << 100 << 50;
            QTest::addRow("%s: zero asked", name) << m << 50 << 0 << 0;
            QTest::addRow("%s: one asked", name) << m << 50 << 1 << 1;
            QTest::addRow("%s: two asked", name) << m << 50 << 2 << 2;
            QTest::addRow("%s: 100k to 1280", name) << m << 100000 << 1280 << 1280;
        }
    }

    void sizes()
    {
        QFETCH(int, method);
        QFETCH(int, input);
        QFETCH(int, maxPoints);
        QFETCH(int, expected);
        const auto points = series(input, [](int i) { return std::sin(i * 0.01) + (i % 13) * 0.01; });
        const Method f = method ? &Downsampler::lttb : &Downsampler::minMax;
        const auto out = f(points, maxPoints);
        QCOMPARE(int(out.size()), expected);
        for (std::size_t i = 1; i < out.size(); ++i)
            QVERIFY(out[i].timeMs > out[i - 1].timeMs); // a subset, in time order
    }

    void minMaxKeepsEveryBucketExtreme()
    {
        // Square wave: min/max must keep both levels in every bucket, so the band looks solid, not aliased.
        const auto points = series(10000, [](int i) { return (i / 3) % 2 ? 1.0 : -1.0; });
        const auto out = Downsampler::minMax(points, 200);
        int highs = 0;
        for (const SeriesPoint& p : out)
            highs += p.value > 0;
        QCOMPARE(highs, 100);
    }

    void lttbFollowsShape()
    {
        // A flat line with one step: LTTB keeps the step's corners.
        const auto points = series(5000, [](int i) { return i < 2500 ? 0.0 : 10.0; });
        const auto out = Downsampler::lttb(points, 50);
        QCOMPARE(out.front(), points.front());
        QCOMPARE(out.back(), points.back());
        bool low = false, high = false;
        for (const SeriesPoint& p : out) {
            low |= p.value == 0.0 && p.timeMs >= 2400 * 1000;
            high |= p.value == 10.0 && p.timeMs <= 2600 * 1000;
        }
        QVERIFY(low && high);
    }

    void nanDoesNotBreakIt()
    {
        const auto points = series(1000, [](int i) { return i % 10 ? double(i) : std::nan(""); });
        QCOMPARE(Downsampler::minMax(points, 100).size(), 100u);
        QCOMPARE(Downsampler::lttb(points, 100).size(), 100u);
    }
};

QTEST_GUILESS_MAIN(TestDownsampler)
#include "tst_downsampler.moc"
