// bench_guilag: how late the GUI event loop runs while the console monitors N fleetsim endpoints at 1 s and 8 live
// charts (8 targets each) refresh every second — the figure behind "the window never stutters".
//
//   bench_guilag [--targets N] [--seconds S]     (defaults: 500 targets, 20 s measured after 5 s of warm-up)
//
// A 10 ms probe timer on the GUI thread measures its own lateness (actual − expected interval); p50/p99/max are
// printed together with the monitor's tick time. The figures never fail the run.

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "loadchart.h"
#include "mainwindow.h"
#include "metrics/seriesstore.h"
#include "monitor/monitor.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGridLayout>
#include <QProcess>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <vector>

using namespace FaultDesk;

namespace {

double percentile(std::vector<double> values, double q)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto i = std::min(values.size() - 1, size_t(q * double(values.size() - 1) + 0.5));
    return values[i];
}

QByteArray fleetYaml(int count, int firstPort)
{
    QByteArray yaml = "version: 1\ndefaults:\n  interval: 1s\n  timeout: 900ms\ntargets:\n";
    for (int i = 0; i < count; ++i) {
        yaml += "  - name: bench-" + QByteArray::number(i) + "\n    group: g" + QByteArray::number(i % 8)
            + "\n    probes:\n      - kind: metrics\n        url: http://127.0.0.1:" + QByteArray::number(firstPort + i)
            + "/metrics\n    signals:\n      - name: load\n        gauge: node_load1\n"
              "        threshold: { above: 1000, clear: 900 }\n";
    }
    return yaml;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({ { QStringLiteral("targets"), QStringLiteral("Monitored endpoints."), QStringLiteral("N"),
                            QStringLiteral("500") },
        { QStringLiteral("seconds"), QStringLiteral("Measured seconds."), QStringLiteral("S"), QStringLiteral("20") },
        { QStringLiteral("payload"), QStringLiteral("Metrics page each endpoint serves (default: node_exporter.prom)."),
            QStringLiteral("FILE"), QStringLiteral(FAULTDESK_SHARED_DIR "/fixtures/node_exporter.prom") } });
    parser.process(app);
    const int count = parser.value(QStringLiteral("targets")).toInt();
    const int seconds = parser.value(QStringLiteral("seconds")).toInt();

    QProcess fleetsim;
    fleetsim.setProgram(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk-fleetsim"));
    const QString payload = parser.value(QStringLiteral("payload"));
    fleetsim.setArguments(
        { QStringLiteral("--targets"), QString::number(count), QStringLiteral("--payload"), payload });
    fleetsim.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    fleetsim.start();
    int firstPort = -1;
    QElapsedTimer wait;
    wait.start();
    while (firstPort < 0 && wait.elapsed() < 30000 && fleetsim.waitForReadyRead(1000)) {
        while (fleetsim.canReadLine()) {
            const QList<QByteArray> words = fleetsim.readLine().trimmed().split(' ');
            if (words.value(0) == "READY")
                firstPort = words.value(2).toInt();
        }
    }
    if (firstPort <= 0) {
        std::fprintf(stderr, "bench_guilag: faultdesk-fleetsim --targets %d did not get ready\n", count);
        return 1;
    }

    const ConfigLoadResult config = FleetConfigLoader::loadBytes(fleetYaml(count, firstPort), QStringLiteral("bench"));
    if (!config.ok()) {
        std::fprintf(stderr, "bench_guilag: %s\n", qPrintable(config.errors.value(0).toString()));
        return 1;
    }
    Monitor monitor;
    monitor.setConfig(*config.config);
    monitor.start();

    MainWindow window;
    window.resize(1600, 1000);
    window.setMonitor(&monitor);
    window.show();

    // Seven more charts beside the window's own: 8 charts × 8 targets, each refreshed once per second.
    QWidget dashboard;
    auto* grid = new QGridLayout(&dashboard);
    std::vector<LoadChart*> charts;
    for (int i = 0; i < 7; ++i) {
        auto* chart = new LoadChart(&dashboard);
        chart->setWindow(5 * 60 * 1000);
        grid->addWidget(chart, i / 4, i % 4);
        charts.push_back(chart);
    }
    dashboard.resize(1600, 800);
    dashboard.show();
    QTimer chartTimer;
    chartTimer.setInterval(1000);
    QObject::connect(&chartTimer, &QTimer::timeout, &dashboard, [&] {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        SeriesStore* store = monitor.store();
        for (size_t c = 0; c < charts.size(); ++c) {
            QList<ChartSeries> list;
            for (int t = 0; t < 8; ++t) {
                const QString name = QStringLiteral("bench-%1").arg(int(c + 1) * 8 + t);
                ChartSeries s { name, QStringLiteral("load"), {}, {}, {} };
                for (const SeriesPoint& p : store->range(store->find(name, QStringLiteral("load")), now - 300000, now))
                    s.points.append(QPointF(double(p.timeMs), p.value));
                list << s;
            }
            charts[c]->setSeries(list);
        }
    });
    chartTimer.start();

    std::vector<double> lateness;
    std::vector<double> ticks;
    QElapsedTimer clock;
    clock.start();
    qint64 last = -1;
    bool measuring = false;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (measuring && last >= 0)
            lateness.push_back(std::max(0.0, double(now - last) / 1e6 - 10.0));
        last = now;
    });
    QObject::connect(&monitor, &Monitor::ticked, &app, [&] {
        if (measuring)
            ticks.push_back(monitor.summary().lastTickMs);
    });
    probe.start();
    QTimer::singleShot(5000, &app, [&] { measuring = true; });
    QTimer::singleShot((5 + seconds) * 1000, &app, &QCoreApplication::quit);
    QApplication::exec();

    const Monitor::Summary summary = monitor.summary();
    monitor.stop();
    fleetsim.terminate();
    fleetsim.waitForFinished(5000);

    std::printf(
        "bench_guilag: %d targets at 1 s serving %s, 8 charts x 8 series refreshed at 1 s, %d s measured (%s)\n", count,
        qPrintable(QFileInfo(payload).fileName()), seconds, qPrintable(QGuiApplication::platformName()));
    std::printf("  event-loop lag  p50 %.2f ms   p99 %.2f ms   max %.2f ms   (%zu samples of a 10 ms timer)\n",
        percentile(lateness, 0.5), percentile(lateness, 0.99), percentile(lateness, 1.0), lateness.size());
    std::printf("  monitor tick    p50 %.2f ms   p99 %.2f ms\n", percentile(ticks, 0.5), percentile(ticks, 0.99));
    std::printf("  targets up %d/%d, probe rounds %llu, skipped %llu\n", summary.up, summary.total,
        static_cast<unsigned long long>(summary.rounds), static_cast<unsigned long long>(summary.skippedRounds));
    return 0;
}
