// bench_guilag: how late the GUI event loop runs while the console monitors N fleetsim endpoints at 1 s and 8 live
// charts (8 targets each) refresh every second — the figure behind "the window never stutters".
//
//   bench_guilag [--targets N[,N…]] [--seconds S] [--payload FILE | --small-payload | --synthetic]
//
// Defaults: 500 targets, 20 s measured after 5 s of warm-up, fleetsim serving node_exporter.prom. With several
// counts (--targets 500,2000,5000) each runs in turn against its own fleetsims (2,000 endpoints per process) and a
// summary table ends the output. Each run first times the idle event loop for 3 s: the machine's own noise.
// --small-payload serves a 6-line page instead, so the console's own cost (models, charts, ticks) is measured rather
// than the parsing of 56 KB per target per second. --synthetic goes further: no fleetsim and no network, each
// target's round is fed on the GUI thread as the probe thread would deliver it (parse, signals, store, detector,
// models, views, charts), for a figure a loaded machine's probe timeouts cannot spoil. A 10 ms probe timer on the GUI
// thread measures its own lateness (actual − expected interval); p50/p99/max are printed together with the monitor's
// tick time — wall clock, and (synthetic) the GUI thread's CPU time inside the tick — and how busy the GUI thread was.
// On a loaded host the wall-clock tick is the CPU time plus the time the thread waited for a core: the two apart say
// what is the console's cost and what is the host's. The figures never fail the run.

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "metrics/seriesstore.h"
#include "monitor/monitor.h"
#include "probe/proberesult.h"
#include "ui/chart/loadchart.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGridLayout>
#include <QProcess>
#include <QTemporaryFile>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <vector>

using namespace FaultDesk;

namespace {

/// CPU time the calling thread has used, in ms.
double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

double percentile(std::vector<double> values, double q)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto i = std::min(values.size() - 1, size_t(q * double(values.size() - 1) + 0.5));
    return values[i];
}

/// One fleetsim process: its first port and how many endpoints it serves from there.
struct Endpoints
{
    int firstPort = 0;
    int count = 0;
};

QByteArray fleetYaml(const QList<Endpoints>& chunks)
{
    QByteArray yaml = "version: 1\ndefaults:\n  interval: 1s\n  timeout: 900ms\ntargets:\n";
    int i = 0;
    for (const Endpoints& chunk : chunks) {
        for (int k = 0; k < chunk.count; ++k, ++i) {
            yaml += "  - name: bench-" + QByteArray::number(i) + "\n    group: g" + QByteArray::number(i % 8)
                + "\n    probes:\n      - kind: metrics\n        url: http://127.0.0.1:"
                + QByteArray::number(chunk.firstPort + k)
                + "/metrics\n    signals:\n      - name: load\n        gauge: node_load1\n"
                  "        threshold: { above: 1000, clear: 900 }\n";
        }
    }
    return yaml;
}

/// How late a 10 ms timer fires, in ms per firing, while the event loop runs for @p ms (nothing else of ours).
std::vector<double> timerLateness(QApplication& app, int ms)
{
    std::vector<double> lateness;
    QElapsedTimer clock;
    clock.start();
    qint64 last = -1;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (last >= 0)
            lateness.push_back(std::max(0.0, double(now - last) / 1e6 - 10.0));
        last = now;
    });
    probe.start();
    QTimer::singleShot(ms, &app, &QCoreApplication::quit);
    QApplication::exec();
    return lateness;
}

// A page with the one gauge the fleet reads and a few neighbours, as a tiny exporter would serve.
constexpr char SmallPayload[] = "# TYPE node_load1 gauge\n"
                                "node_load1 0.42\n"
                                "# TYPE node_load5 gauge\n"
                                "node_load5 0.40\n"
                                "# TYPE up gauge\n"
                                "up 1\n";

struct Result
{
    int targets = 0;
    double lagP50 = 0;
    double lagP99 = 0;
    double lagMax = 0;
    double idleP99 = 0;
    double tickP50 = 0;
    double tickP99 = 0;
    double tickCpuP50 = -1; ///< synthetic only
    double tickCpuP99 = -1;
    double guiBusy = 0; ///< share of one core the GUI thread used while measured
    int up = 0;
    quint64 rounds = 0;
    quint64 skipped = 0;
};

std::optional<Result> measure(QApplication& app, int count, int seconds, const QString& payload, bool synthetic)
{
    // The machine's own scheduling noise first: the same timer on an idle event loop.
    const std::vector<double> idle = timerLateness(app, 3000);

    // fleetsim serves at most 2,000 endpoints per process: larger fleets take several. Synthetic: no endpoints at
    // all, the rounds are made up below.
    constexpr int PerProcess = 2000;
    std::vector<std::unique_ptr<QProcess>> fleetsims;
    QList<Endpoints> chunks;
    if (synthetic)
        chunks << Endpoints { 9, count };
    for (int done = 0; !synthetic && done < count; done += PerProcess) {
        const int n = std::min(PerProcess, count - done);
        auto process = std::make_unique<QProcess>();
        process->setProgram(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk-fleetsim"));
        process->setArguments(
            { QStringLiteral("--targets"), QString::number(n), QStringLiteral("--payload"), payload });
        process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process->start();
        int firstPort = -1;
        QElapsedTimer wait;
        wait.start();
        while (firstPort < 0 && wait.elapsed() < 60000 && process->waitForReadyRead(1000)) {
            while (process->canReadLine()) {
                const QList<QByteArray> words = process->readLine().trimmed().split(' ');
                if (words.value(0) == "READY")
                    firstPort = words.value(2).toInt();
            }
        }
        if (firstPort <= 0) {
            std::fprintf(stderr, "bench_guilag: faultdesk-fleetsim --targets %d did not get ready\n", n);
            return std::nullopt;
        }
        chunks << Endpoints { firstPort, n };
        fleetsims.push_back(std::move(process));
    }

    const ConfigLoadResult config = FleetConfigLoader::loadBytes(fleetYaml(chunks), QStringLiteral("bench"));
    if (!config.ok()) {
        std::fprintf(stderr, "bench_guilag: %s\n", qPrintable(config.errors.value(0).toString()));
        return std::nullopt;
    }
    Monitor monitor;
    monitor.setConfig(*config.config);
    QTimer feeder;
    std::vector<double> ticks;
    std::vector<double> tickCpu;
    bool measuring = false;
    bool tickPending = false;
    int feedsSkipped = 0;
    int slice = 0; // the tenth of the fleet the feeder delivers next; outlives the feeder's lambda, which counts on it
    if (synthetic) {
        // The probe thread's deliveries without the network: every 100 ms a tenth of the fleet reports a round
        // (the real path on the GUI thread: parse, signals, store, detector), then the monitor ticks.
        QByteArray body(SmallPayload);
        feeder.setInterval(100);
        QObject::connect(&feeder, &QTimer::timeout, &monitor,
            [&monitor, &ticks, &tickCpu, &measuring, &slice, &tickPending, &feedsSkipped, count, body] {
                // Back-pressure: while the last slice's tick has not run, a starved GUI thread would only queue more
                // rounds than it can take (on a loaded host the backlog grew to gigabytes); count the slice instead.
                if (tickPending) {
                    ++feedsSkipped;
                    return;
                }
                tickPending = true;
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                // One event per round, as the probe thread's queued signals arrive; then the tick, as its timer fires.
                for (int i = slice; i < count; i += 10) {
                    ProbeResult r;
                    r.target = QStringLiteral("bench-%1").arg(i);
                    r.kind = ProbeSpec::Kind::Metrics;
                    r.ok = true;
                    r.httpStatus = 200;
                    r.body = body;
                    QMetaObject::invokeMethod(
                        &monitor, [&monitor, r, now] { monitor.ingestRound(r.target, { r }, now); },
                        Qt::QueuedConnection);
                }
                slice = (slice + 1) % 10;
                QMetaObject::invokeMethod(
                    &monitor,
                    [&monitor, &ticks, &tickCpu, &measuring, &tickPending] {
                        tickPending = false;
                        QElapsedTimer tick;
                        tick.start();
                        const double cpu = threadCpuMs();
                        monitor.tick(QDateTime::currentMSecsSinceEpoch());
                        if (measuring) {
                            ticks.push_back(double(tick.nsecsElapsed()) / 1e6);
                            tickCpu.push_back(threadCpuMs() - cpu);
                        }
                    },
                    Qt::QueuedConnection);
            });
        feeder.start();
    } else {
        monitor.start();
    }

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
                const QString name = QStringLiteral("bench-%1").arg((int(c + 1) * 8 + t) % count);
                ChartSeries s { name, QStringLiteral("load"), {}, {}, {} };
                for (const SeriesPoint& p :
                    store->rangeWithGaps(store->find(name, QStringLiteral("load")), now - 300000, now))
                    s.points.append(QPointF(double(p.timeMs), p.value));
                list << s;
            }
            charts[c]->setSeries(list);
        }
    });
    chartTimer.start();

    std::vector<double> lateness;
    QElapsedTimer clock;
    clock.start();
    qint64 last = -1;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (measuring && last >= 0)
            lateness.push_back(std::max(0.0, double(now - last) / 1e6 - 10.0));
        last = now;
    });
    if (!synthetic) {
        QObject::connect(&monitor, &Monitor::ticked, &app, [&] {
            if (measuring)
                ticks.push_back(monitor.summary().lastTickMs);
        });
    }
    probe.start();
    double cpuAtStart = 0;
    double cpuAtEnd = 0;
    QTimer::singleShot(5000, &app, [&] {
        measuring = true;
        cpuAtStart = threadCpuMs();
    });
    QTimer::singleShot((5 + seconds) * 1000, &app, [&] {
        cpuAtEnd = threadCpuMs();
        QCoreApplication::quit();
    });
    QApplication::exec();

    const Monitor::Summary summary = monitor.summary();
    feeder.stop();
    window.setMonitor(nullptr);
    monitor.stop();
    for (const auto& process : fleetsims)
        process->terminate();
    for (const auto& process : fleetsims)
        process->waitForFinished(10000);

    Result r;
    r.targets = count;
    r.lagP50 = percentile(lateness, 0.5);
    r.lagP99 = percentile(lateness, 0.99);
    r.lagMax = percentile(lateness, 1.0);
    r.idleP99 = percentile(idle, 0.99);
    r.tickP50 = percentile(ticks, 0.5);
    r.tickP99 = percentile(ticks, 0.99);
    if (!tickCpu.empty()) {
        r.tickCpuP50 = percentile(tickCpu, 0.5);
        r.tickCpuP99 = percentile(tickCpu, 0.99);
    }
    r.guiBusy = (cpuAtEnd - cpuAtStart) / (seconds * 1000.0);
    r.up = summary.up;
    r.rounds = summary.rounds;
    r.skipped = summary.skippedRounds;
    std::printf("bench_guilag: %d targets at 1 s%s, 8 charts x 8 series refreshed at 1 s, %d s measured (%s)\n", count,
        synthetic ? " (synthetic rounds, no network)" : "", seconds, qPrintable(QGuiApplication::platformName()));
    std::printf("  event-loop lag  p50 %.2f ms   p99 %.2f ms   max %.2f ms   (%zu samples of a 10 ms timer)\n",
        r.lagP50, r.lagP99, r.lagMax, lateness.size());
    std::printf("  idle loop lag   p99 %.2f ms   (the same timer before the fleet started: the machine's own noise)\n",
        r.idleP99);
    std::printf(
        "  monitor tick    p50 %.2f ms   p99 %.2f ms   (%zu ticks, wall clock)\n", r.tickP50, r.tickP99, ticks.size());
    if (r.tickCpuP50 >= 0)
        std::printf("  tick CPU time   p50 %.2f ms   p99 %.2f ms   (the GUI thread's own CPU inside the tick)\n",
            r.tickCpuP50, r.tickCpuP99);
    std::printf("  GUI thread busy %.0f %% of one core\n", r.guiBusy * 100);
    if (synthetic)
        std::printf(
            "  feed slices skipped %d   (the GUI thread had not yet run the previous slice's tick)\n", feedsSkipped);
    std::printf("  targets up %d/%d, rounds %llu, skipped %llu\n", r.up, count,
        static_cast<unsigned long long>(r.rounds), static_cast<unsigned long long>(r.skipped));
    std::fflush(stdout);
    return r;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({ { QStringLiteral("targets"), QStringLiteral("Monitored endpoints; a comma list runs each."),
                            QStringLiteral("N[,N…]"), QStringLiteral("500") },
        { QStringLiteral("seconds"), QStringLiteral("Measured seconds."), QStringLiteral("S"), QStringLiteral("20") },
        { QStringLiteral("payload"), QStringLiteral("Metrics page each endpoint serves (default: node_exporter.prom)."),
            QStringLiteral("FILE"), QStringLiteral(FAULTDESK_SHARED_DIR "/fixtures/node_exporter.prom") },
        { QStringLiteral("small-payload"),
            QStringLiteral("Serve a 6-line metrics page: measures the console, not the parser.") },
        { QStringLiteral("synthetic"),
            QStringLiteral("No fleetsim: each target's round (the 6-line page) is fed on the GUI thread as the probe "
                           "thread would deliver it; the console's own cost without the network's.") } });
    parser.process(app);
    const int seconds = parser.value(QStringLiteral("seconds")).toInt();
    QList<int> counts;
    for (const QString& word : parser.value(QStringLiteral("targets")).split(u',', Qt::SkipEmptyParts)) {
        const int n = word.trimmed().toInt();
        if (n <= 0) {
            std::fprintf(stderr, "bench_guilag: --targets wants positive counts, got '%s'\n", qPrintable(word));
            return 2;
        }
        counts << n;
    }
    QString payload = parser.value(QStringLiteral("payload"));
    QTemporaryFile small;
    const bool synthetic = parser.isSet(QStringLiteral("synthetic"));
    if (parser.isSet(QStringLiteral("small-payload")) || synthetic) {
        if (!small.open() || small.write(SmallPayload) < 0 || !small.flush()) {
            std::fprintf(stderr, "bench_guilag: cannot write the small payload: %s\n", qPrintable(small.errorString()));
            return 1;
        }
        payload = small.fileName();
    }
    std::printf("bench_guilag: payload %s (%lld bytes)\n",
        parser.isSet(QStringLiteral("small-payload")) || synthetic ? "small (6 lines)"
                                                                   : qPrintable(QFileInfo(payload).fileName()),
        static_cast<long long>(QFileInfo(payload).size()));

    QList<Result> results;
    for (int count : std::as_const(counts)) {
        const std::optional<Result> r = measure(app, count, seconds, payload, synthetic);
        if (!r)
            return 1;
        results << *r;
    }
    if (results.size() > 1) {
        std::printf("\n  targets   lag p50   lag p99   lag max   idle p99   tick p50   tick p99   cpu p50   cpu p99"
                    "   gui busy\n");
        // The tick's own CPU time is measured only with synthetic rounds: "n/a" rather than a negative time.
        const auto cpu = [](double ms) {
            if (ms < 0)
                return QByteArrayLiteral("      n/a");
            return QByteArray(QByteArray::number(ms, 'f', 2).rightJustified(6) + " ms");
        };
        for (const Result& r : std::as_const(results))
            std::printf("  %7d  %6.2f ms %6.2f ms %6.2f ms %6.2f ms  %6.2f ms  %6.2f ms  %s %s  %5.0f %%\n", r.targets,
                r.lagP50, r.lagP99, r.lagMax, r.idleP99, r.tickP50, r.tickP99, cpu(r.tickCpuP50).constData(),
                cpu(r.tickCpuP99).constData(), r.guiBusy * 100);
    }
    return 0;
}
