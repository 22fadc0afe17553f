// Chart refresh benchmark: what one live-chart frame costs with LoadChart (downsample to the plot's pixel width,
// one replace() per series, antialiased render of a 1280 × 480 chart into a QImage through the scene) next to raw
// Qt Charts on the same data (replace() with every point, same render). Prints median and p95 per size; never
// fails on time.
//
//   bench_chartrefresh [--runs N] [--sizes 1000,100000,1000000] [--series K] [--no-raw]

#include "metrics/downsampler.h"
#include "ui/chart/loadchart.h"

#include <QApplication>
#include <QChart>
#include <QElapsedTimer>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QImage>
#include <QLineSeries>
#include <QPainter>
#include <QSysInfo>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <time.h>

using namespace FaultDesk;

namespace {

constexpr QSize PlotSize(1280, 480);
constexpr qint64 Now = 1'790'000'000'000;
constexpr qint64 Hour = 3'600'000;

struct Figures
{
    double median = 0;
    double p95 = 0;
    double cpuMedian = 0; ///< thread CPU time, median
};

Figures summary(QList<double> ms)
{
    if (ms.isEmpty())
        return {};
    std::sort(ms.begin(), ms.end());
    const auto at = [&](double q) {
        return ms.at(std::clamp<qsizetype>(qsizetype(std::ceil(q * double(ms.size()))) - 1, 0, ms.size() - 1));
    };
    return { at(0.5), at(0.95) };
}

/// CPU time of this thread: on a shared machine, wall time also counts the time other processes held the core.
double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

Figures measure(int runs, const std::function<void(int)>& frame)
{
    frame(-1); // warm-up: first layout, font caches
    QList<double> ms;
    QList<double> cpu;
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer timer;
        const double cpu0 = threadCpuMs();
        timer.start();
        frame(run);
        ms.append(double(timer.nsecsElapsed()) / 1e6);
        cpu.append(threadCpuMs() - cpu0);
    }
    Figures f = summary(ms);
    f.cpuMedian = summary(cpu).median;
    return f;
}

/// Two variants of a load-like series over the last hour, so every frame hands over different data.
QList<QPointF> makeSeries(qsizetype n, int variant, int index)
{
    QList<QPointF> points;
    points.reserve(n);
    quint32 state = 12345u + quint32(variant) * 7u + quint32(index) * 131u;
    for (qsizetype i = 0; i < n; ++i) {
        state = state * 1664525u + 1013904223u;
        const double noise = double(state >> 8) / double(1u << 24) * 8.0;
        const double x = double(Now - Hour) + double(Hour) * double(i) / double(std::max<qsizetype>(1, n - 1));
        points.append(QPointF(x, 35 + index * 5 + 10 * std::sin(double(i) / double(n) * 40 + variant) + noise));
    }
    return points;
}

void renderScene(QGraphicsScene* scene, QChart* chart, QImage& image)
{
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    scene->render(&painter, QRectF(QPointF(0, 0), QSizeF(PlotSize)), QRectF(chart->pos(), QSizeF(PlotSize)));
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    int runs = 12;
    int seriesCount = 1;
    bool raw = true;
    QList<qsizetype> sizes = { 1'000, 100'000, 1'000'000 };
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString next = i + 1 < args.size() ? args.at(i + 1) : QString();
        if (args.at(i) == u"--no-raw") {
            raw = false;
        } else if (args.at(i) == u"--runs") {
            runs = std::max(1, next.toInt());
            ++i;
        } else if (args.at(i) == u"--series") {
            seriesCount = std::max(1, next.toInt());
            ++i;
        } else if (args.at(i) == u"--sizes") {
            sizes.clear();
            for (const QString& s : next.split(u',', Qt::SkipEmptyParts))
                sizes.append(s.toLongLong());
            ++i;
        }
    }

    std::printf("chart refresh: %d series, %d×%d px, antialiased, offscreen raster; Qt %s, %s, %d runs per size\n",
        seriesCount, PlotSize.width(), PlotSize.height(), qVersion(), qPrintable(QSysInfo::prettyProductName()), runs);
    std::printf("%10s  %-40s %10s %10s %12s\n", "points", "path", "median ms", "p95 ms", "CPU med ms");
    const auto row = [](qsizetype n, const char* name, const Figures& f, const QString& note = {}) {
        std::printf("%10lld  %-40s %10.3f %10.3f %12.3f   %s\n", static_cast<long long>(n), name, f.median, f.p95,
            f.cpuMedian, qPrintable(note));
    };

    QImage image(PlotSize, QImage::Format_ARGB32_Premultiplied);
    for (const qsizetype n : std::as_const(sizes)) {
        QList<QList<QPointF>> variants[2];
        for (int v = 0; v < 2; ++v) {
            for (int k = 0; k < seriesCount; ++k)
                variants[v].append(makeSeries(n, v, k));
        }

        // Downsampling alone, per series.
        for (const auto& [name, method] : { std::pair { "downsample only: min/max", Downsampler::Method::MinMax },
                 std::pair { "downsample only: LTTB", Downsampler::Method::Lttb },
                 std::pair { "downsample only: MinMaxLTTB", Downsampler::Method::MinMaxLttb } }) {
            qsizetype kept = 0;
            const Figures f = measure(runs, [&](int run) {
                const QList<QPointF>& points = variants[std::max(0, run) % 2].constFirst();
                kept = Downsampler::forPlot(method,
                    std::span<const QPointF>(points.constData(), std::size_t(points.size())), double(Now - Hour),
                    double(Now), 1200)
                           .size();
            });
            row(n, name, f, QStringLiteral("(%1 points kept)").arg(kept));
        }

        // LoadChart: the whole refresh as the console does it.
        for (const auto& [name, method] :
            { std::pair { "LoadChart: min/max + replace + render", Downsampler::Method::MinMax },
                std::pair { "LoadChart: MinMaxLTTB + replace + render", Downsampler::Method::MinMaxLttb } }) {
            LoadChart chart;
            chart.setClock([] { return Now; });
            chart.setLiveInterval(0);
            chart.setWindow(Hour);
            chart.setDownsampling(method);
            chart.setThresholds({ ChartThreshold::constant(80) });
            chart.chart()->resize(QSizeF(PlotSize));
            chart.chart()->layout()->activate();
            QList<ChartSeries> data[2];
            for (int v = 0; v < 2; ++v) {
                for (int k = 0; k < seriesCount; ++k)
                    data[v].append({ QStringLiteral("web-%1").arg(k + 1), QStringLiteral("load"), QStringLiteral("%"),
                        variants[v].at(k), {} });
            }
            const Figures f = measure(runs, [&](int run) {
                chart.setSeries(data[std::max(0, run) % 2]);
                chart.refreshNow();
                renderScene(chart.chart()->scene(), chart.chart(), image);
            });
            row(n, name, f,
                QStringLiteral("(%1 points per series drawn)").arg(chart.lineSeries(QStringLiteral("web-1"))->count()));
            // The same frame split in its two halves, timed within each frame.
            QList<double> refreshMs;
            QList<double> renderMs;
            measure(runs, [&](int run) {
                QElapsedTimer timer;
                timer.start();
                chart.setSeries(data[std::max(0, run) % 2]);
                chart.refreshNow();
                const qint64 refreshed = timer.nsecsElapsed();
                renderScene(chart.chart()->scene(), chart.chart(), image);
                if (run >= 0) {
                    refreshMs.append(double(refreshed) / 1e6);
                    renderMs.append(double(timer.nsecsElapsed() - refreshed) / 1e6);
                }
            });
            const Figures refresh = summary(refreshMs);
            const Figures render = summary(renderMs);
            std::printf("%10s    of which downsample + replace: median %.2f ms, render: median %.2f ms\n", "",
                refresh.median, render.median);
        }

        // Raw Qt Charts: every point handed to the series with one replace(), same chart size and render.
        if (raw) {
            QGraphicsScene scene;
            auto* chart = new QChart;
            chart->setAnimationOptions(QChart::NoAnimation);
            scene.addItem(chart);
            auto* xAxis = new QValueAxis;
            auto* yAxis = new QValueAxis;
            chart->addAxis(xAxis, Qt::AlignBottom);
            chart->addAxis(yAxis, Qt::AlignLeft);
            xAxis->setRange(double(Now - Hour), double(Now));
            yAxis->setRange(0, 100);
            QList<QLineSeries*> lines;
            for (int k = 0; k < seriesCount; ++k) {
                auto* line = new QLineSeries;
                chart->addSeries(line);
                line->attachAxis(xAxis);
                line->attachAxis(yAxis);
                // The same 1 px bevel-joined pen LoadChart draws with, so only the point count differs.
                QPen pen(QColor(0x00, 0x72, 0xb2), 1);
                pen.setCapStyle(Qt::FlatCap);
                pen.setJoinStyle(Qt::BevelJoin);
                line->setPen(pen);
                lines.append(line);
            }
            chart->resize(QSizeF(PlotSize));
            chart->layout()->activate();
            const Figures f = measure(runs, [&](int run) {
                for (int k = 0; k < seriesCount; ++k)
                    lines.at(k)->replace(variants[std::max(0, run) % 2].at(k));
                renderScene(&scene, chart, image);
            });
            row(n, "raw Qt Charts: replace(all) + render", f, QStringLiteral("(%1 points per series drawn)").arg(n));
        }
        std::fflush(stdout);
    }
    return 0;
}
