#include "metrics/downsampler.h"

#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <limits>

using namespace FaultDesk;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double T0 = 1.7e12; // realistic epoch milliseconds: precision problems would show here

std::span<const QPointF> spanOf(const QList<QPointF>& points)
{
    return std::span<const QPointF>(points.constData(), std::size_t(points.size()));
}

/// A noisy load curve: 1 s spacing, values 20–60.
QList<QPointF> noisyLoad(qsizetype n, quint32 seed = 7)
{
    QRandomGenerator rng(seed);
    QList<QPointF> points;
    points.reserve(n);
    for (qsizetype i = 0; i < n; ++i)
        points.append(QPointF(T0 + double(i) * 1000, 40 + 15 * std::sin(double(i) / 500) + rng.bounded(5.0)));
    return points;
}

QList<QPointF> reduce(Downsampler::Method method, const QList<QPointF>& points, int n)
{
    return Downsampler::forPlot(method, spanOf(points), points.constFirst().x(), points.constLast().x(), n);
}

/// Equality where NaN equals NaN (a gap stays a gap).
bool samePoints(const QList<QPointF>& a, const QList<QPointF>& b)
{
    return a.size() == b.size() && std::equal(a.cbegin(), a.cend(), b.cbegin(), [](const QPointF& p, const QPointF& q) {
        return p.x() == q.x() && (p.y() == q.y() || (std::isnan(p.y()) && std::isnan(q.y())));
    });
}

qsizetype finiteCount(const QList<QPointF>& points)
{
    return std::count_if(points.cbegin(), points.cend(), [](const QPointF& p) { return !std::isnan(p.y()); });
}

/// The most points forPlot() may return for @p n pixels.
qsizetype bound(Downsampler::Method method, int n)
{
    return method == Downsampler::Method::MinMax ? 3 * n + 2 : n;
}

std::vector<SeriesPoint> series(int n, double (*f)(int))
{
    std::vector<SeriesPoint> out;
    for (int i = 0; i < n; ++i)
        out.push_back(SeriesPoint { std::int64_t(T0) + std::int64_t(i) * 1000, f(i) });
    return out;
}

} // namespace

class TestDownsampler : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void methods_data()
    {
        QTest::addColumn<Downsampler::Method>("method");
        QTest::addRow("min/max") << Downsampler::Method::MinMax;
        QTest::addRow("LTTB") << Downsampler::Method::Lttb;
        QTest::addRow("MinMaxLTTB") << Downsampler::Method::MinMaxLttb;
    }

    void keepsFirstAndLast_data() { methods_data(); }
    void keepsFirstAndLast()
    {
        QFETCH(Downsampler::Method, method);
        const QList<QPointF> points = noisyLoad(100'000);
        const QList<QPointF> out = reduce(method, points, 1280);
        QVERIFY(out.size() < points.size());
        QCOMPARE(out.constFirst(), points.constFirst());
        QCOMPARE(out.constLast(), points.constLast());
    }

    void singleSpikeSurvives_data() { methods_data(); }
    void singleSpikeSurvives()
    {
        QFETCH(Downsampler::Method, method);
        for (const qsizetype at : { qsizetype(1), qsizetype(31'337), qsizetype(99'998) }) {
            QList<QPointF> points = noisyLoad(100'000);
            points[at].setY(500);
            QList<QPointF> dip = noisyLoad(100'000, 9);
            dip[at].setY(-500);
            const QList<QPointF> out = reduce(method, points, 800);
            const QList<QPointF> outDip = reduce(method, dip, 800);
            QVERIFY2(out.contains(points.at(at)), qPrintable(QStringLiteral("spike at %1 lost").arg(at)));
            QVERIFY2(outDip.contains(dip.at(at)), qPrintable(QStringLiteral("dip at %1 lost").arg(at)));
        }
    }

    void outputBounded_data()
    {
        QTest::addColumn<Downsampler::Method>("method");
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("pixels");
        for (const auto& [name, method] :
            { std::pair { "min/max", Downsampler::Method::MinMax }, std::pair { "LTTB", Downsampler::Method::Lttb },
                std::pair { "MinMaxLTTB", Downsampler::Method::MinMaxLttb } }) {
            for (const int size : { 10, 1000, 54'321, 1'000'000 }) {
                for (const int pixels : { 3, 7, 100, 1280 })
                    QTest::addRow("%s %d→%d", name, size, pixels) << method << size << pixels;
            }
        }
    }
    void outputBounded()
    {
        QFETCH(Downsampler::Method, method);
        QFETCH(int, size);
        QFETCH(int, pixels);
        const QList<QPointF> points = noisyLoad(size);
        const QList<QPointF> out = reduce(method, points, pixels);
        if (size <= pixels) {
            QCOMPARE(out, points);
            return;
        }
        QVERIFY2(out.size() <= bound(method, pixels), qPrintable(QString::number(out.size())));
        if (method == Downsampler::Method::MinMax)
            QVERIFY(finiteCount(out) <= 2 * pixels + 2);
        QVERIFY(out.size() >= std::min<qsizetype>(2, points.size()));
    }

    void timeStaysMonotoneAndValuesReal_data() { methods_data(); }
    void timeStaysMonotoneAndValuesReal()
    {
        QFETCH(Downsampler::Method, method);
        QList<QPointF> points = noisyLoad(200'000);
        for (qsizetype i = 50'000; i < 50'500; ++i)
            points[i].setY(NaN);
        const QList<QPointF> out = reduce(method, points, 1000);
        for (qsizetype i = 1; i < out.size(); ++i)
            QVERIFY2(out.at(i).x() >= out.at(i - 1).x(), qPrintable(QString::number(i)));
        // Every finite output point is an input sample: nothing is averaged or invented.
        for (const QPointF& p : out) {
            if (!std::isnan(p.y()))
                QVERIFY(std::binary_search(points.cbegin(), points.cend(), p,
                    [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); }));
        }
    }

    void gapStaysAGap_data() { methods_data(); }
    void gapStaysAGap()
    {
        QFETCH(Downsampler::Method, method);
        QList<QPointF> points = noisyLoad(100'000);
        // 10 % of the time range without samples: wide enough to be many pixels at any width here.
        const double gapStart = points.at(40'000).x();
        const double gapEnd = points.at(49'999).x();
        for (qsizetype i = 40'000; i < 50'000; ++i)
            points[i].setY(NaN);
        const QList<QPointF> out = reduce(method, points, 600);
        qsizetype markers = 0;
        for (qsizetype i = 0; i < out.size(); ++i) {
            const QPointF& p = out.at(i);
            if (std::isnan(p.y())) {
                ++markers;
                // Around the marker: the last sample before and the first after the gap (LTTB keeps run ends;
                // min/max keeps the envelope of the pixel column next to the gap, which looks the same).
                QVERIFY(i > 0 && i + 1 < out.size());
                if (method == Downsampler::Method::Lttb) {
                    QCOMPARE(out.at(i - 1), points.at(39'999));
                    QCOMPARE(out.at(i + 1), points.at(50'000));
                } else {
                    const double column = (points.constLast().x() - points.constFirst().x()) / 600;
                    QVERIFY(out.at(i - 1).x() <= points.at(39'999).x());
                    QVERIFY(out.at(i - 1).x() > points.at(39'999).x() - 2 * column);
                    QVERIFY(out.at(i + 1).x() >= points.at(50'000).x());
                    QVERIFY(out.at(i + 1).x() < points.at(50'000).x() + 2 * column);
                }
                continue;
            }
            QVERIFY2(p.x() < gapStart || p.x() > gapEnd, "a point inside the gap");
            QVERIFY2(p.y() > 10, "a missing sample became a low value");
        }
        QCOMPARE(markers, 1);
    }

    void manyGapsStayBounded_data() { methods_data(); }
    void manyGapsStayBounded()
    {
        QFETCH(Downsampler::Method, method);
        QList<QPointF> points = noisyLoad(100'000);
        for (qsizetype i = 0; i < points.size(); i += 3)
            points[i].setY(NaN);
        for (const int pixels : { 5, 64, 1280 }) {
            const QList<QPointF> out = reduce(method, points, pixels);
            QVERIFY2(out.size() <= bound(method, pixels),
                qPrintable(QStringLiteral("%1 px: %2").arg(pixels).arg(out.size())));
            QVERIFY(finiteCount(out) > 0);
        }
    }

    void smallInputIsReturnedAsIs_data() { methods_data(); }
    void smallInputIsReturnedAsIs()
    {
        QFETCH(Downsampler::Method, method);
        QList<QPointF> points = noisyLoad(500);
        points[100].setY(NaN);
        QVERIFY(samePoints(reduce(method, points, 500), points));
        QVERIFY(samePoints(reduce(method, points, 5000), points));
        QCOMPARE(Downsampler::forPlot(method, {}, 0, 1, 100), QList<QPointF>());
    }

    void onlyMissingSamples_data() { methods_data(); }
    void onlyMissingSamples()
    {
        QFETCH(Downsampler::Method, method);
        QList<QPointF> points;
        for (int i = 0; i < 10'000; ++i)
            points.append(QPointF(T0 + i * 1000.0, NaN));
        QCOMPARE(finiteCount(reduce(method, points, 100)), 0);
    }

    void visibleSliceAddsOneNeighbourEachSide()
    {
        const QList<QPointF> points = noisyLoad(1000);
        const auto slice = Downsampler::visibleSlice(spanOf(points), T0 + 100'500, T0 + 200'000);
        QCOMPARE(slice.front(), points.at(100));
        QCOMPARE(slice.back(), points.at(201));
        QCOMPARE(Downsampler::visibleSlice(spanOf(points), T0 - 5000, T0 + 2'000'000).size(), std::size_t(1000));
        QCOMPARE(Downsampler::visibleSlice(spanOf(points), T0 + 5'000'000, T0 + 6'000'000).size(), std::size_t(1));
    }

    void minMaxKeepsTheEnvelopePerColumn()
    {
        // 10 columns, 1000 samples each, a known minimum and maximum in every column.
        QList<QPointF> points;
        for (int c = 0; c < 10; ++c) {
            for (int i = 0; i < 1000; ++i) {
                const double y = i == 123 ? 100.0 + c : i == 877 ? -c : 50.0;
                points.append(QPointF(c * 1000.0 + i, y));
            }
        }
        const QList<QPointF> out = Downsampler::minMax(spanOf(points), 0, 10'000, 10);
        for (int c = 0; c < 10; ++c) {
            QVERIFY(out.contains(QPointF(c * 1000.0 + 123, 100.0 + c)));
            QVERIFY(out.contains(QPointF(c * 1000.0 + 877, -c)));
        }
        QVERIFY(out.size() <= 22);
    }
    // The same algorithms over SeriesPoint, as the series store and the incident store (reports) use them.
    void seriesPointLttbSizes_data()
    {
        QTest::addColumn<int>("input");
        QTest::addColumn<int>("maxPoints");
        QTest::addColumn<int>("expected");
        QTest::addRow("empty") << 0 << 100 << 0;
        QTest::addRow("fits already") << 100 << 2000 << 100;
        QTest::addRow("zero asked") << 50 << 0 << 0;
        QTest::addRow("one asked") << 50 << 1 << 1;
        QTest::addRow("two asked") << 50 << 2 << 2;
        QTest::addRow("just over") << 2001 << 2000 << 2000;
        QTest::addRow("100k to 1280") << 100000 << 1280 << 1280;
    }
    void seriesPointLttbSizes()
    {
        QFETCH(int, input);
        QFETCH(int, maxPoints);
        QFETCH(int, expected);
        const auto points = series(input, [](int i) { return std::sin(i * 0.01) + (i % 13) * 0.01; });
        const auto out = Downsampler::lttb(points, maxPoints);
        QCOMPARE(int(out.size()), expected);
        if (expected >= 2) {
            QCOMPARE(out.front(), points.front());
            QCOMPARE(out.back(), points.back());
        }
        for (std::size_t i = 1; i < out.size(); ++i)
            QVERIFY(out[i].timeMs > out[i - 1].timeMs); // a subset, in time order
    }

    void seriesPointLttbFollowsAStep()
    {
        // A flat line with one step: LTTB keeps the step's corners.
        const auto points = series(5000, [](int i) { return i < 2500 ? 0.0 : 10.0; });
        const auto out = Downsampler::lttb(points, 50);
        bool low = false, high = false;
        for (const SeriesPoint& p : out) {
            low |= p.value == 0.0 && p.timeMs >= std::int64_t(T0) + 2400 * 1000;
            high |= p.value == 10.0 && p.timeMs <= std::int64_t(T0) + 2600 * 1000;
        }
        QVERIFY(low && high);
    }

    void seriesPointMinMaxKeepsEveryColumnsExtremes()
    {
        // Square wave: min/max must keep both levels in every column, so the band looks solid, not aliased.
        const auto points = series(10000, [](int i) { return (i / 3) % 2 ? 1.0 : -1.0; });
        const auto out = Downsampler::minMax(points, double(points.front().timeMs), double(points.back().timeMs), 100);
        int highs = 0;
        int lows = 0;
        for (const SeriesPoint& p : out) {
            highs += p.value > 0;
            lows += p.value < 0;
        }
        QVERIFY2(highs >= 100 && lows >= 100, qPrintable(QStringLiteral("%1 highs, %2 lows").arg(highs).arg(lows)));
        QVERIFY(out.size() <= 202);
    }

    void seriesPointGapMarkerStaysBetweenItsNeighbours()
    {
        // Samples 1 ms apart with one missing: the marker's whole-millisecond time is strictly inside the gap.
        std::vector<SeriesPoint> points;
        for (int i = 0; i < 3000; ++i)
            points.push_back(SeriesPoint { 1000 + i, i == 1500 ? NaN : double(i % 7) });
        const auto out = Downsampler::lttb(points, 100);
        QVERIFY(out.size() <= 100);
        int markers = 0;
        for (std::size_t i = 1; i < out.size(); ++i) {
            QVERIFY(out[i].timeMs > out[i - 1].timeMs);
            markers += std::isnan(out[i].value) ? 1 : 0;
        }
        QCOMPARE(markers, 1);
    }
};

QTEST_GUILESS_MAIN(TestDownsampler)
#include "tst_downsampler.moc"
