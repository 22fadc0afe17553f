#include "ui/chart/loadchart.h"
#include "ui/palette.h"

#include <QApplication>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <QValueAxis>

#include <cmath>
#include <limits>

using namespace FaultDesk;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr qint64 Now = 1'790'000'000'000; // a fixed "now" the tests move by hand
constexpr qint64 Minute = 60'000;

/// @p n samples ending at @p end, evenly spread over @p span ms, values around @p base.
QList<QPointF> samples(qsizetype n, qint64 end, qint64 span, double base)
{
    QList<QPointF> points;
    points.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const double x = double(end - span) + double(span) * double(i) / double(n - 1);
        points.append(QPointF(x, base + 10 * std::sin(double(i) / 97.0)));
    }
    return points;
}

QList<QLineSeries*> legendLines(QChart* chart)
{
    QList<QLineSeries*> lines;
    for (QLegendMarker* marker : chart->legend()->markers()) {
        auto* line = qobject_cast<QLineSeries*>(marker->series());
        if (line && marker->isVisible() && line->pen().style() == Qt::SolidLine)
            lines.append(line);
    }
    return lines;
}

/// Pixels of @p image close to @p colour.
int pixelsNear(const QImage& image, const QColor& colour, QRect area = {})
{
    if (area.isNull())
        area = image.rect();
    int count = 0;
    for (int y = area.top(); y <= area.bottom(); ++y) {
        for (int x = area.left(); x <= area.right(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - colour.red()) + std::abs(c.green() - colour.green())
                    + std::abs(c.blue() - colour.blue())
                < 60)
                ++count;
        }
    }
    return count;
}

} // namespace

class TestLoadChart : public QObject
{
    Q_OBJECT
private:
    qint64 m_now = Now;

    std::unique_ptr<LoadChart> makeChart()
    {
        auto chart = std::make_unique<LoadChart>();
        chart->setClock([this] { return m_now; });
        chart->setLiveInterval(0);
        chart->resize(1000, 500);
        chart->show();
        if (!QTest::qWaitForWindowExposed(chart.get()))
            return nullptr;
        return chart;
    }

private Q_SLOTS:
    void init() { m_now = Now; }

    void oneDownsampledLinePerTarget()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        QList<ChartSeries> series;
        for (const QString& target : { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("db-1") }) {
            QList<QPointF> points = samples(100'000, Now, 5 * Minute, 40);
            if (target == u"web-2")
                points[60'000].setY(97.5); // one spike must survive the reduction
            series.append({ target, QStringLiteral("load"), QStringLiteral("%"), points, {} });
        }
        chart->setSeries(series);
        chart->refreshNow();

        const QList<QLineSeries*> lines = legendLines(chart->chart());
        QCOMPARE(lines.size(), 3);
        const double plotWidth = chart->chart()->plotArea().width();
        QVERIFY(plotWidth > 500);
        for (const QString& target : { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("db-1") }) {
            QLineSeries* line = chart->lineSeries(target, QStringLiteral("load"));
            QVERIFY(line);
            QVERIFY(lines.contains(line));
            QVERIFY2(line->count() > 100, qPrintable(QString::number(line->count())));
            QVERIFY2(line->count() <= 2 * plotWidth + 4,
                qPrintable(QStringLiteral("%1 points for %2 px").arg(line->count()).arg(plotWidth)));
            QCOMPARE(chart->lineSegments(target).size(), 1);
        }
        const auto web2 = chart->lineSeries(QStringLiteral("web-2"))->points();
        QVERIFY(std::any_of(web2.cbegin(), web2.cend(), [](const QPointF& p) { return p.y() == 97.5; }));
        // Colours differ between targets.
        QVERIFY(lines.at(0)->color() != lines.at(1)->color());
        QVERIFY(lines.at(1)->color() != lines.at(2)->color());
        // Legend names the targets.
        QCOMPARE(chart->lineSeries(QStringLiteral("db-1"))->name(), QStringLiteral("db-1"));

        // A refresh hands each line one replace() and no per-point appends.
        QSignalSpy replaced(chart->lineSeries(QStringLiteral("web-1")), &QXYSeries::pointsReplaced);
        QSignalSpy added(chart->lineSeries(QStringLiteral("web-1")), &QXYSeries::pointAdded);
        chart->refreshNow();
        QCOMPARE(replaced.size(), 1);
        QCOMPARE(added.size(), 0);

        // Deselecting a target removes its line; the others keep their colours.
        const QColor web1Colour = chart->lineSeries(QStringLiteral("web-1"))->color();
        const QColor db1Colour = chart->lineSeries(QStringLiteral("db-1"))->color();
        series.removeAt(1);
        chart->setSeries(series);
        chart->refreshNow();
        QCOMPARE(legendLines(chart->chart()).size(), 2);
        QVERIFY(!chart->lineSeries(QStringLiteral("web-2")));
        QCOMPARE(chart->lineSeries(QStringLiteral("web-1"))->color(), web1Colour);
        QCOMPARE(chart->lineSeries(QStringLiteral("db-1"))->color(), db1Colour);
    }

    void thresholdIsDashedAtItsValue()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"),
            samples(1000, Now, 5 * Minute, 40), {} } });
        chart->setThresholds({ ChartThreshold::constant(80) });
        chart->refreshNow();
        QLineSeries* threshold = chart->thresholdSeries();
        QVERIFY(threshold);
        QCOMPARE(threshold->pen().style(), Qt::DashLine);
        QVERIFY(threshold->count() >= 2);
        for (const QPointF& p : threshold->points())
            QCOMPARE(p.y(), 80.0);
        QCOMPARE(qint64(threshold->points().constFirst().x()), chart->rangeStart());
        QCOMPARE(qint64(threshold->points().constLast().x()), chart->rangeEnd());
        // The value axis makes room for the threshold even when the data stays below it.
        auto* valueAxis = qobject_cast<QValueAxis*>(chart->chart()->axes(Qt::Vertical).constFirst());
        QVERIFY(valueAxis->max() >= 80);
        QVERIFY2(chart->toolTipText(Now - Minute).contains(QStringLiteral("80 %")),
            qPrintable(chart->toolTipText(Now - Minute)));

        // An adaptive threshold is a step function: 70 until two minutes ago, 90 since.
        chart->setThresholds({ { QStringLiteral("web-1"), QStringLiteral("load"),
            { QPointF(0, 70), QPointF(double(Now - 2 * Minute), 90) } } });
        chart->refreshNow();
        threshold = chart->thresholdSeries(QStringLiteral("web-1"), QStringLiteral("load"));
        QVERIFY(threshold);
        const QList<QPointF> points = threshold->points();
        QCOMPARE(points.constFirst().y(), 70.0);
        QCOMPARE(points.constLast().y(), 90.0);
        const auto step = std::find_if(points.cbegin(), points.cend(), [](const QPointF& p) { return p.y() == 90; });
        QVERIFY(step != points.cend());
        QCOMPARE(qint64(step->x()), Now - 2 * Minute);
        QCOMPARE(legendLines(chart->chart()).size(), 1); // the threshold has its own, dashed legend entry
    }

    void faultBandsAndMarkersAtTheirTimes()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        chart->setSeries({ { QStringLiteral("web-2"), QStringLiteral("load"), QStringLiteral("%"),
            samples(3000, Now, 5 * Minute, 40), {} } });
        chart->setFaultPeriods({
            { Now - 4 * Minute, Now - 3 * Minute, QStringLiteral("overload web-2") },
            { Now - Minute, -1, QStringLiteral("crash web-3") }, // still open
            { Now - 30 * Minute, Now - 20 * Minute, QStringLiteral("old fault") }, // outside the window
        });
        chart->setMarkers({ { Now - 3 * Minute - 30'000, QStringLiteral("drain web-2") },
            { Now - 2 * Minute, QStringLiteral("restore weights") } });
        chart->refreshNow();

        QLineSeries* line = chart->lineSeries(QStringLiteral("web-2"));
        const auto xAt = [&](qint64 ms) { return chart->chart()->mapToPosition(QPointF(double(ms), 0), line).x(); };
        const QList<QGraphicsRectItem*> bands = chart->faultBandItems();
        QCOMPARE(bands.size(), 3);
        QVERIFY(bands.at(0)->isVisible());
        QVERIFY(std::abs(bands.at(0)->rect().left() - xAt(Now - 4 * Minute)) < 1.5);
        QVERIFY(std::abs(bands.at(0)->rect().right() - xAt(Now - 3 * Minute)) < 1.5);
        QVERIFY(bands.at(1)->isVisible());
        QVERIFY(std::abs(bands.at(1)->rect().right() - chart->chart()->plotArea().right()) < 1.5);
        QVERIFY(!bands.at(2)->isVisible());
        // Bands lie behind the lines, markers in front.
        QVERIFY(bands.at(0)->zValue() < line->chart()->zValue() + 4);

        const QList<QGraphicsLineItem*> markers = chart->markerItems();
        QCOMPARE(markers.size(), 2);
        QVERIFY(markers.at(0)->isVisible());
        QVERIFY(std::abs(markers.at(0)->line().x1() - xAt(Now - 3 * Minute - 30'000)) < 1.5);
        QVERIFY(std::abs(markers.at(1)->line().x1() - xAt(Now - 2 * Minute)) < 1.5);
        QCOMPARE(markers.at(0)->line().y1(), chart->chart()->plotArea().top());

        const QString tip = chart->toolTipText(Now - 3 * Minute - 30'000);
        QVERIFY2(tip.contains(QStringLiteral("overload web-2")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("drain web-2")), qPrintable(tip));
        QVERIFY(chart->toolTipText(Now - 30'000).contains(QStringLiteral("ongoing")));
    }

    void pauseFreezesFollowLiveMoves()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        QSignalSpy followSpy(chart.get(), &LoadChart::followLiveChanged);
        chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"),
            samples(300, Now, 5 * Minute, 40), {} } });
        chart->refreshNow();
        QVERIFY(chart->followLive());
        QCOMPARE(chart->rangeEnd(), Now);
        QCOMPARE(chart->rangeEnd() - chart->rangeStart(), 5 * Minute);

        // Following: new data and a later "now" move the range.
        m_now = Now + 10'000;
        chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"),
            samples(310, m_now, 5 * Minute + 10'000, 40), {} } });
        chart->refreshNow();
        QCOMPARE(chart->rangeEnd(), Now + 10'000);

        // Paused: the range stays while data keeps arriving.
        auto* liveButton = chart->findChild<QToolButton*>();
        QVERIFY(liveButton);
        liveButton->click();
        QVERIFY(!chart->followLive());
        QCOMPARE(followSpy.size(), 1);
        const qint64 frozenStart = chart->rangeStart();
        const qint64 frozenEnd = chart->rangeEnd();
        for (int tick = 1; tick <= 5; ++tick) {
            m_now = Now + 10'000 + tick * 1000;
            chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"),
                samples(310 + tick, m_now, 5 * Minute + 10'000 + tick * 1000, 40), {} } });
            chart->refreshNow();
            QCOMPARE(chart->rangeStart(), frozenStart);
            QCOMPARE(chart->rangeEnd(), frozenEnd);
        }
        QVERIFY(qint64(chart->lineSeries(QStringLiteral("web-1"))->points().constLast().x()) <= frozenEnd + 2000);

        // Resuming jumps to now.
        chart->setFollowLive(true);
        chart->refreshNow();
        QCOMPARE(chart->rangeEnd(), m_now);
        QVERIFY(liveButton->isChecked());
        QCOMPARE(followSpy.size(), 2);
    }

    void windowSelectorChangesTheRange()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        QSignalSpy windowSpy(chart.get(), &LoadChart::windowChanged);
        chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"),
            samples(3600, Now, 60 * Minute, 40), {} } });
        chart->refreshNow();
        QCOMPARE(chart->rangeEnd() - chart->rangeStart(), 5 * Minute);

        auto* box = chart->findChild<QComboBox*>();
        QVERIFY(box);
        QCOMPARE(box->count(), 4);
        box->setCurrentIndex(3);
        Q_EMIT box->activated(3);
        QCOMPARE(chart->window(), 60 * Minute);
        QCOMPARE(windowSpy.size(), 1);
        chart->refreshNow();
        QCOMPARE(chart->rangeEnd() - chart->rangeStart(), 60 * Minute);
        auto* timeAxis = qobject_cast<QCategoryAxis*>(chart->chart()->axes(Qt::Horizontal).constFirst());
        QVERIFY(timeAxis);
        QCOMPARE(qint64(timeAxis->min()), Now - 60 * Minute);
        QCOMPARE(qint64(timeAxis->max()), Now);

        chart->setWindow(Minute);
        chart->refreshNow();
        QCOMPARE(box->currentIndex(), 0);
        QCOMPARE(qint64(timeAxis->max() - timeAxis->min()), Minute);
    }

    void timeLabelsSitOnRoundTimes()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        for (const qint64 window : LoadChart::windowChoices()) {
            chart->setWindow(window);
            m_now += 1234; // an unround "now"
            chart->refreshNow();
            auto* timeAxis = qobject_cast<QCategoryAxis*>(chart->chart()->axes(Qt::Horizontal).constFirst());
            const QStringList labels = timeAxis->categoriesLabels();
            QVERIFY2(labels.size() >= 3 && labels.size() <= 12, qPrintable(labels.join(u' ')));
            for (const QString& label : labels) {
                const qint64 at = qint64(timeAxis->endValue(label));
                QVERIFY(at >= chart->rangeStart() && at <= chart->rangeEnd());
                QCOMPARE(at % 5000, 0);
                // Seconds only while ticks are closer than a minute: "14:05:30", else "14:05".
                const QDateTime time = QDateTime::fromMSecsSinceEpoch(at);
                if (label.size() == 5)
                    QCOMPARE(at % Minute, 0);
                QVERIFY2(label == time.toString(QStringLiteral("HH:mm:ss"))
                        || label == time.toString(QStringLiteral("HH:mm")),
                    qPrintable(label));
            }
        }
    }

    void missingSamplesBreakTheLine()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        QList<QPointF> points = samples(100'000, Now, 5 * Minute, 60);
        // Samples 40 000–59 999 (two minutes) are missing.
        for (qsizetype i = 40'000; i < 60'000; ++i)
            points[i].setY(NaN);
        const double gapStart = points.at(40'000).x();
        const double gapEnd = points.at(59'999).x();
        chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"), points, {} } });
        chart->refreshNow();

        const QList<QLineSeries*> segments = chart->lineSegments(QStringLiteral("web-1"));
        QCOMPARE(segments.size(), 2);
        QCOMPARE(legendLines(chart->chart()).size(), 1); // one legend entry, however many gaps
        QCOMPARE(segments.at(0)->color(), segments.at(1)->color());
        for (QLineSeries* segment : segments) {
            for (const QPointF& p : segment->points()) {
                QVERIFY2(p.x() < gapStart || p.x() > gapEnd, "a point inside the gap");
                QVERIFY2(std::isfinite(p.y()) && p.y() > 30, "a missing sample drawn as a value");
            }
        }
        QVERIFY(chart->toolTipText(qint64((gapStart + gapEnd) / 2)).contains(QStringLiteral("no data")));

        // On screen: the middle of the gap has no pixel of the line's colour.
        const QSize size = chart->chart()->size().toSize();
        const QImage image = chart->renderToImage(size);
        const QRectF plot = chart->chart()->plotArea();
        const double middle = chart->chart()->mapToPosition(QPointF((gapStart + gapEnd) / 2, 0), segments.at(0)).x();
        const QColor colour = segments.at(0)->color();
        QCOMPARE(pixelsNear(image, colour, QRect(int(middle) - 20, int(plot.top()), 40, int(plot.height()))), 0);
        QVERIFY(pixelsNear(image, colour, QRect(int(plot.left()) + 20, int(plot.top()), 40, int(plot.height()))) > 10);
    }

    void silenceLongerThanMaxGapBreaksTheLine()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        QList<QPointF> points;
        for (qint64 t = Now - 5 * Minute; t <= Now; t += 1000) {
            if (t < Now - 3 * Minute || t > Now - 2 * Minute) // a minute without samples
                points.append(QPointF(double(t), 50));
        }
        chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"), points, {} } });
        chart->refreshNow();
        QCOMPARE(chart->lineSegments(QStringLiteral("web-1")).size(), 1);
        chart->setMaxGap(5000);
        chart->refreshNow();
        const QList<QLineSeries*> segments = chart->lineSegments(QStringLiteral("web-1"));
        QCOMPARE(segments.size(), 2);
        QVERIFY(segments.at(0)->points().constLast().x() <= double(Now - 3 * Minute));
        QVERIFY(segments.at(1)->points().constFirst().x() > double(Now - 2 * Minute));
    }

    void tooltipShowsNearestValuesWithUnits()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        QList<QPointF> web;
        QList<QPointF> db;
        for (qint64 t = Now - 5 * Minute; t <= Now; t += 1000) {
            web.append(QPointF(double(t), t == Now - Minute ? 73.4 : 20));
            db.append(QPointF(double(t), t == Now - Minute ? 1234.0 : 5));
        }
        chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"), web, {} },
            { QStringLiteral("db-1"), QStringLiteral("latency"), QStringLiteral("ms"), db,
                QStringLiteral("db-1 p99") } });
        chart->refreshNow();
        const QString tip = chart->toolTipText(Now - Minute + 300); // the nearest sample is 300 ms earlier
        QVERIFY2(tip.contains(QStringLiteral("web-1")), qPrintable(tip));
        QVERIFY2(tip.contains(QLocale().toString(73.4, 'f', 1) + QStringLiteral(" %")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("db-1 p99")), qPrintable(tip));
        QVERIFY2(tip.contains(QLocale().toString(1234.0, 'f', 0) + QStringLiteral(" ms")), qPrintable(tip));
        QVERIFY2(tip.contains(QDateTime::fromMSecsSinceEpoch(Now - Minute + 300).toString(QStringLiteral("HH:mm:ss"))),
            qPrintable(tip));
    }

    void hoverShowsCrosshairDragPansDoubleClickResumes()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"),
            samples(3000, Now, 5 * Minute, 40), {} } });
        chart->refreshNow();
        auto* view = chart->findChild<QChartView*>();
        QVERIFY(view);
        QSignalSpy hovered(chart.get(), &LoadChart::hovered);
        const QRectF plot = chart->chart()->plotArea();
        const auto viewPos = [&](double chartX) {
            return view->mapFromScene(chart->chart()->mapToScene(QPointF(chartX, plot.center().y())));
        };

        // Hovering the middle of the plot reports the time there and draws the crosshair.
        QTest::mouseMove(view->viewport(), viewPos(plot.center().x()));
        QTRY_VERIFY(!hovered.isEmpty());
        const qint64 middle = Now - 5 * Minute / 2;
        QVERIFY2(std::abs(hovered.constLast().at(0).toLongLong() - middle) < 5 * Minute / 100,
            qPrintable(QString::number(hovered.constLast().at(0).toLongLong() - middle)));
        const auto lines = chart->chart()->childItems();
        QVERIFY(std::any_of(lines.cbegin(), lines.cend(), [&](QGraphicsItem* item) {
            auto* line = dynamic_cast<QGraphicsLineItem*>(item);
            return line && line->isVisible() && std::abs(line->line().x1() - plot.center().x()) < 2
                && line->pen().style() == Qt::DotLine;
        }));

        // Dragging to the right looks back in time: pauses and moves the range earlier by the dragged distance.
        QTest::mousePress(view->viewport(), Qt::LeftButton, {}, viewPos(plot.center().x()));
        QMouseEvent drag(QEvent::MouseMove, viewPos(plot.center().x() + plot.width() / 5),
            view->viewport()->mapToGlobal(viewPos(plot.center().x() + plot.width() / 5)), Qt::NoButton, Qt::LeftButton,
            Qt::NoModifier);
        QApplication::sendEvent(view->viewport(), &drag);
        QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, viewPos(plot.center().x() + plot.width() / 5));
        QVERIFY(!chart->followLive());
        QVERIFY2(std::abs(chart->rangeEnd() - (Now - Minute)) < 5 * Minute / 50,
            qPrintable(QString::number(chart->rangeEnd() - Now)));
        QCOMPARE(chart->rangeEnd() - chart->rangeStart(), 5 * Minute);

        // Double-click goes back to live.
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, viewPos(plot.center().x()));
        QVERIFY(chart->followLive());
        chart->refreshNow();
        QCOMPARE(chart->rangeEnd(), Now);
    }

    void keyboardPausesPansAndResumes()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"),
            samples(300, Now, 5 * Minute, 40), {} } });
        chart->refreshNow();
        auto* view = chart->findChild<QChartView*>();
        QVERIFY(view);
        QTest::keyClick(view, Qt::Key_Space);
        QVERIFY(!chart->followLive());
        QTest::keyClick(view, Qt::Key_Left);
        chart->refreshNow();
        QCOMPARE(chart->rangeEnd(), Now - 30'000); // a tenth of the 5 m window
        QTest::keyClick(view, Qt::Key_Left);
        QTest::keyClick(view, Qt::Key_Right);
        chart->refreshNow();
        QCOMPARE(chart->rangeEnd(), Now - 30'000);
        QTest::keyClick(view, Qt::Key_End);
        QVERIFY(chart->followLive());
        chart->refreshNow();
        QCOMPARE(chart->rangeEnd(), Now);
    }

    void rendersOffscreenToAnImage()
    {
        // Reports render charts that were never shown.
        LoadChart chart;
        chart.setClock([] { return Now; });
        chart.setTitle(QStringLiteral("Load — web"));
        chart.setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"),
            samples(100'000, Now, 5 * Minute, 40), {} } });
        chart.setThresholds({ ChartThreshold::constant(80) });
        chart.setFaultPeriods({ { Now - 2 * Minute, Now - Minute, QStringLiteral("overload web-1") } });
        const QImage image = chart.renderToImage(QSize(800, 360));
        QCOMPARE(image.size(), QSize(800, 360));
        const QColor background = image.pixelColor(2, 2);
        int differing = 0;
        for (int y = 0; y < image.height(); y += 2) {
            for (int x = 0; x < image.width(); x += 2)
                differing += image.pixelColor(x, y) != background;
        }
        QVERIFY2(differing > 2000, qPrintable(QString::number(differing)));
        QVERIFY(pixelsNear(image, chart.lineSeries(QStringLiteral("web-1"))->color()) > 300);
        QVERIFY(pixelsNear(image, chart.thresholdSeries()->color()) > 100);
        QCOMPARE(chart.renderToImage(QSize(1600, 900), 2.0).size(), QSize(3200, 1800));
    }

    void followsThePalette()
    {
        auto chart = makeChart();
        QVERIFY(chart);
        chart->setSeries({ { QStringLiteral("web-1"), QStringLiteral("load"), QStringLiteral("%"),
            samples(100, Now, 5 * Minute, 40), {} } });
        chart->refreshNow();
        const QColor lightLine = chart->lineSeries(QStringLiteral("web-1"))->color();
        const QPalette dark = Palette::forScheme(Palette::Scheme::Dark, chart->palette());
        chart->setPalette(dark);
        QCOMPARE(chart->chart()->backgroundBrush().color(), dark.color(QPalette::Base));
        const QImage image = chart->renderToImage(QSize(400, 300));
        QVERIFY(image.pixelColor(3, 3).lightness() < 80);
        chart->setPalette(Palette::forScheme(Palette::Scheme::Light, chart->palette()));
        QVERIFY(chart->renderToImage(QSize(400, 300)).pixelColor(3, 3).lightness() > 200);
        QCOMPARE(chart->lineSeries(QStringLiteral("web-1"))->color(), lightLine);
    }
};

QTEST_MAIN(TestLoadChart)
#include "tst_loadchart.moc"
