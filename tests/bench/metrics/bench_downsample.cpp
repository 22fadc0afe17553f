// Downsampling benchmark: core/metrics' Downsampler (the one implementation behind the charts, the series store
// and the incident reports) on a load-like series, reduced to a plot's width, over QPointF as the charts hand it
// and over SeriesPoint as the stores do; with and without a gap. Prints the median thread CPU time per call;
// never fails on time.
//
//   bench_downsample [--runs N] [--sizes 100000,1000000] [--width 1280]

#include "metrics/downsampler.h"

#include <QCoreApplication>
#include <QList>
#include <QPointF>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <time.h>

using namespace FaultDesk;

namespace {

double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

double medianMs(int runs, const std::function<std::size_t()>& call, std::size_t* kept)
{
    *kept = call(); // warm-up
    QList<double> ms;
    for (int i = 0; i < runs; ++i) {
        const double t0 = threadCpuMs();
        *kept = call();
        ms.append(threadCpuMs() - t0);
    }
    std::sort(ms.begin(), ms.end());
    return ms.at(ms.size() / 2);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    int runs = 15;
    int width = 1280;
    QList<qsizetype> sizes = { 100'000, 1'000'000 };
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args.at(i) == u"--runs")
            runs = std::max(1, args.at(i + 1).toInt());
        else if (args.at(i) == u"--width")
            width = std::max(3, args.at(i + 1).toInt());
        else if (args.at(i) == u"--sizes") {
            sizes.clear();
            for (const QString& s : args.at(i + 1).split(u',', Qt::SkipEmptyParts))
                sizes.append(s.toLongLong());
        }
    }
    std::printf(
        "downsample to %d points (min/max: %d columns), median thread CPU of %d runs\n", width, width / 2, runs);
    std::printf("%10s  %-44s %10s %8s\n", "points", "call", "CPU ms", "kept");
    for (const qsizetype n : std::as_const(sizes)) {
        for (const bool gap : { false, true }) {
            std::vector<SeriesPoint> series;
            QList<QPointF> chart;
            quint32 state = 12345u;
            for (qsizetype i = 0; i < n; ++i) {
                state = state * 1664525u + 1013904223u;
                const double noise = double(state >> 8) / double(1u << 24) * 8.0;
                double v = 35 + 10 * std::sin(double(i) / double(n) * 40) + noise;
                if (gap && i >= n / 2 && i < n / 2 + n / 100) // 1 % of the time without samples
                    v = std::numeric_limits<double>::quiet_NaN();
                const qint64 t = 1'790'000'000'000 + i * 1000;
                series.push_back({ t, v });
                chart.append(QPointF(double(t), v));
            }
            const std::span<const QPointF> chartSpan(chart.constData(), std::size_t(chart.size()));
            const double x0 = chart.constFirst().x();
            const double x1 = chart.constLast().x();
            const char* suffix = gap ? ", 1 % gap" : "";
            const auto row = [&](const char* name, const std::function<std::size_t()>& call) {
                std::size_t kept = 0;
                const double ms = medianMs(runs, call, &kept);
                std::printf("%10lld  %-44s %10.3f %8zu\n", static_cast<long long>(n),
                    qPrintable(QString::fromLatin1(name) + QString::fromLatin1(suffix)), ms, kept);
            };
            row("lttb (SeriesPoint)", [&] { return Downsampler::lttb(series, width).size(); });
            row("lttb (QPointF)", [&] { return std::size_t(Downsampler::lttb(chartSpan, width).size()); });
            row("minMax (SeriesPoint)", [&] { return Downsampler::minMax(series, x0, x1, width / 2).size(); });
            row("minMax (QPointF)",
                [&] { return std::size_t(Downsampler::minMax(chartSpan, x0, x1, width / 2).size()); });
            row("minMaxLttb (QPointF)", [&] { return std::size_t(Downsampler::minMaxLttb(chartSpan, width).size()); });
        }
    }
    return 0;
}
