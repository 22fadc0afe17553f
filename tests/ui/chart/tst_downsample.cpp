#include "downsample.h"

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

QList<QPointF> reduce(Downsample::Method method, const QList<QPointF>& points, int n)
{
    return Downsample::forPlot(method, spanOf(points), points.constFirst().x(), points.constLast().x(), n);
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
qsizetype bound(Downsample::Method method, int n)
{
    return method == Downsample::Method::MinMax ? 3 * n + 2 : n;
}

} // namespace

class TestDownsample : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void methods_data()
    {
        QTest::addColumn<Downsample::Method>("method");
        QTest::addRow("min/max") << Downsample::Method::MinMax;
        QTest::addRow("LTTB") << Downsample::Method::Lttb;
        QTest::addRow("MinMaxLTTB") << Downsample::Method::MinMaxLttb;
    }

    void keepsFirstAndLast_data() { methods_data(); }
    void keepsFirstAndLast()
    {
        QFETCH(Downsample::Method, method);
        const QList<QPointF> points = noisyLoad(100'000);
        const QList<QPointF> out = reduce(method, points, 1280);
        QVERIFY(out.size() < points.size());
        QCOMPARE(out.constFirst(), points.constFirst());
        QCOMPARE(out.constLast(), points.constLast());
    }

    void singleSpikeSurvives_data() { methods_data(); }
    void singleSpikeSurvives()
    {
        QFETCH(Downsample::Method, method);
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
        QTest::addColumn<Downsample::Method>("method");
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("pixels");
        for (const auto& [name, method] :
            { std::pair { "min/max", Downsample::Method::MinMax }, std::pair { "LTTB", Downsample::Method::Lttb },
                std::pair { "MinMaxLTTB", Downsample::Method::MinMaxLttb } }) {
            for (const int size : { 10, 1000, 54'321, 1'000'000 }) {
                for (const int pixels : { 3, 7, 100, 1280 })
                    QTest::addRow("%s %d→%d", name, size, pixels) << method << size << pixels;
            }
        }
    }
    void outputBounded()
    {
        QFETCH(Downsample::Method, method);
        QFETCH(int, size);
        QFETCH(int, pixels);
        const QList<QPointF> points = noisyLoad(size);
        const QList<QPointF> out = reduce(method, points, pixels);
        if (size <= pixels) {
            QCOMPARE(out, points);
            return;
        }
        QVERIFY2(out.size() <= bound(method, pixels), qPrintable(QString::number(out.size())));
        if (method == Downsample::Method::MinMax)
            QVERIFY(finiteCount(out) <= 2 * pixels + 2);
        QVERIFY(out.size() >= std::min<qsizetype>(2, points.size()));
    }

    void timeStaysMonotoneAndValuesReal_data() { methods_data(); }
    void timeStaysMonotoneAndValuesReal()
    {
        QFETCH(Downsample::Method, method);
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
        QFETCH(Downsample::Method, method);
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
                if (method == Downsample::Method::Lttb) {
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
        QFETCH(Downsample::Method, method);
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
        QFETCH(Downsample::Method, method);
        QList<QPointF> points = noisyLoad(500);
        points[100].setY(NaN);
        QVERIFY(samePoints(reduce(method, points, 500), points));
        QVERIFY(samePoints(reduce(method, points, 5000), points));
        QCOMPARE(Downsample::forPlot(method, {}, 0, 1, 100), QList<QPointF>());
    }

    void onlyMissingSamples_data() { methods_data(); }
    void onlyMissingSamples()
    {
        QFETCH(Downsample::Method, method);
        QList<QPointF> points;
        for (int i = 0; i < 10'000; ++i)
            points.append(QPointF(T0 + i * 1000.0, NaN));
        QCOMPARE(finiteCount(reduce(method, points, 100)), 0);
    }

    void visibleSliceAddsOneNeighbourEachSide()
    {
        const QList<QPointF> points = noisyLoad(1000);
        const auto slice = Downsample::visibleSlice(spanOf(points), T0 + 100'500, T0 + 200'000);
        QCOMPARE(slice.front(), points.at(100));
        QCOMPARE(slice.back(), points.at(201));
        QCOMPARE(Downsample::visibleSlice(spanOf(points), T0 - 5000, T0 + 2'000'000).size(), std::size_t(1000));
        QCOMPARE(Downsample::visibleSlice(spanOf(points), T0 + 5'000'000, T0 + 6'000'000).size(), std::size_t(1));
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
        const QList<QPointF> out = Downsample::minMax(spanOf(points), 0, 10'000, 10);
        for (int c = 0; c < 10; ++c) {
            QVERIFY(out.contains(QPointF(c * 1000.0 + 123, 100.0 + c)));
            QVERIFY(out.contains(QPointF(c * 1000.0 + 877, -c)));
        }
        QVERIFY(out.size() <= 22);
    }
};

QTEST_GUILESS_MAIN(TestDownsample)
#include "tst_downsample.moc"
