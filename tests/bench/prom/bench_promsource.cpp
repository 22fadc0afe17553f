// FaultDesk in front of Prometheus at scale: `faultdesk-fleetsim --targets N` (static node_exporter payloads)
// plus the demo fleet (whose servers can crash), all scraped by a real Prometheus at 1 s; a Monitor reads them
// through PrometheusSource at 1 s. Prints FaultDesk's CPU (whole process, % of one core), Prometheus' CPU
// (/proc/PID/stat), crash detection latency p50/p99 (injection → HARD) and the GUI-thread event-loop lag
// p50/p99 (a 10 ms QTimer on the main thread). Targets from issue 9: CPU ≤ 10 %, detection ≤ 5 s p99, lag
// p99 < 16 ms. Figures only: it never fails on time.
//
// bench_promsource [--targets N] [--crashes K] [--window SECONDS] [--warmup SECONDS]

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "monitor/monitor.h"
#include "prom/prometheussource.h"
#include "shared/prometheusprocess.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

using namespace FaultDesk;
using namespace FaultDesk::Test;

namespace {

struct Options
{
    int targets = 500;
    int crashes = 5;
    int windowS = 20;
    int warmupS = 10;
};

double selfCpuSeconds()
{
    rusage u {};
    ::getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double childCpuSeconds(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (pid <= 0 || !file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = file.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) / double(::sysconf(_SC_CLK_TCK));
}

// Runs the event loop for @p ms without burning CPU (a processEvents() loop would be counted as FaultDesk's).
void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, Qt::PreciseTimer, &loop, &QEventLoop::quit);
    loop.exec();
}

template <typename T> T percentile(QList<T> v, double p)
{
    if (v.isEmpty())
        return T {};
    std::sort(v.begin(), v.end());
    return v.at(std::min<qsizetype>(v.size() - 1, qsizetype(p * double(v.size() - 1) + 0.5)));
}

/// Main-thread lag: how late a 10 ms timer fires.
class LagProbe : public QObject
{
public:
    void start()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last > 0)
                lagUs.append(std::max<qint64>(0, (now - m_last) / 1000 - 10000));
            m_last = now;
        });
        m_clock.start();
        m_timer.start(10);
    }
    void stop() { m_timer.stop(); }

    QList<qint64> lagUs;

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
};

int run(const Options& o)
{
    if (!PrometheusProcess::available()) {
        std::printf("prometheus not installed: nothing to measure\n");
        return 0;
    }
    // N static endpoints …
    QProcess bench;
    bench.setProgram(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk-fleetsim"));
    bench.setArguments({ QStringLiteral("--targets"), QString::number(o.targets) });
    bench.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    bench.start();
    int firstPort = 0;
    QElapsedTimer waited;
    waited.start();
    while (firstPort == 0 && waited.elapsed() < 30000 && bench.waitForReadyRead(1000)) {
        while (bench.canReadLine()) {
            const QList<QByteArray> words = bench.readLine().trimmed().split(' ');
            if (words.value(0) == "READY")
                firstPort = words.value(2).toInt();
        }
    }
    if (firstPort == 0) {
        std::printf("faultdesk-fleetsim --targets %d did not become ready\n", o.targets);
        bench.kill();
        bench.waitForFinished();
        return 1;
    }
    // … plus the demo fleet, whose servers can be crashed and restarted.
    DemoFleetProcess demo;
    QString error;
    if (!demo.start(60000, &error)) {
        std::printf("demo fleet did not start: %s\n", qPrintable(error));
        return 1;
    }
    const ConfigLoadResult demoConfig = FleetConfigLoader::loadFile(demo.fleetConfigPath());
    QByteArray scrape = "  - job_name: fleet\n    static_configs:\n";
    for (int i = 0; i < o.targets; ++i)
        scrape += "      - targets: ['127.0.0.1:" + QByteArray::number(firstPort + i) + "']\n        labels: { name: b-"
            + QByteArray::number(i) + ", group: bench }\n";
    QStringList victims;
    for (const TargetConfig& t : demoConfig.config->targets) {
        for (const ProbeConfig& p : t.probes) {
            if (p.kind != ProbeConfig::Kind::Metrics)
                continue;
            scrape += "      - targets: ['127.0.0.1:" + QByteArray::number(p.url.port())
                + "']\n        labels: { name: " + t.name.toUtf8() + ", group: " + t.group.toUtf8() + " }\n";
            if (t.group == u"web")
                victims << t.name;
        }
    }
    const int total = o.targets + int(demoConfig.config->targets.size());
    PrometheusProcess prom(scrape);
    int scraped = 0;
    if (!prom.start() || !prom.waitScraped(total, 90000, &scraped)) {
        std::printf("prometheus did not start or scrape all targets (%d of %d): %s\n", scraped, total,
            qPrintable(prom.stderrText()));
        bench.kill();
        bench.waitForFinished();
        return 1;
    }

    const QByteArray yaml
        = "version: 1\ndefaults: { interval: 1s, attempts: 2 }\nprometheus:\n  - name: prom\n    url: "
        + prom.url().toString().toUtf8()
        + "\n    discover: { job: fleet, name_label: name, group_label: group }\n"
          "    signals:\n"
          "      load: node_load1\n"
          "      mem_free: 'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes'\n";
    const ConfigLoadResult loaded = FleetConfigLoader::loadBytes(yaml, QStringLiteral("bench.yaml"));
    if (!loaded.ok()) {
        for (const ConfigError& e : loaded.errors)
            std::printf("%s\n", qPrintable(e.toString()));
        return 1;
    }
    Monitor monitor;
    monitor.setConfig(*loaded.config);
    QString victim;
    qint64 injectedMs = 0;
    QList<qint64> detectMs;
    QObject::connect(&monitor, &Monitor::eventRaised, &monitor, [&](const DetectionEvent& e) {
        if (injectedMs > 0 && e.kind == DetectionEvent::Kind::StateChanged && e.target == victim
            && e.to == TargetState::Hard) {
            detectMs.append(QDateTime::currentMSecsSinceEpoch() - injectedMs);
            injectedMs = 0;
        }
    });
    monitor.start();
    auto upCount = [&monitor] { return monitor.summary().up; };
    QElapsedTimer clock;
    clock.start();
    while (upCount() < total && clock.elapsed() < 90000)
        spin(200);
    std::printf("N=%d (+%lld demo targets): %d of %d UP after %.1f s\n", o.targets,
        qlonglong(demoConfig.config->targets.size()), upCount(), total, double(clock.elapsed()) / 1000);
    spin(o.warmupS * 1000);

    // Steady state: CPU and lag over the window.
    LagProbe lag;
    lag.start();
    const double fd0 = selfCpuSeconds();
    const double prom0 = childCpuSeconds(prom.pid());
    const quint64 rounds0 = monitor.prometheusSources().first()->rounds();
    QElapsedTimer window;
    window.start();
    spin(o.windowS * 1000);
    const double seconds = double(window.nsecsElapsed()) / 1e9;
    const double fdCpu = (selfCpuSeconds() - fd0) / seconds;
    const double promCpu = (childCpuSeconds(prom.pid()) - prom0) / seconds;
    const quint64 rounds = monitor.prometheusSources().first()->rounds() - rounds0;
    lag.stop(); // the crash phase runs `fleetsim ctl` synchronously, which would count as lag

    // Crashes: injection → HARD, then restart and wait for UP.
    for (int i = 0; i < o.crashes && !victims.isEmpty(); ++i) {
        victim = victims.at(i % victims.size());
        injectedMs = QDateTime::currentMSecsSinceEpoch();
        const qsizetype before = detectMs.size();
        if (!demo.inject(QStringLiteral("crash"), victim)) {
            std::printf("crash %d: injection failed\n", i + 1);
            break;
        }
        clock.restart();
        while (detectMs.size() == before && clock.elapsed() < 30000)
            spin(20);
        if (detectMs.size() == before)
            std::printf("crash %d of %s: not detected within 30 s\n", i + 1, qPrintable(victim));
        injectedMs = 0;
        demo.control({ QStringLiteral("start"), victim });
        clock.restart();
        while (monitor.detector()->status(victim)->state != TargetState::Up && clock.elapsed() < 30000)
            spin(100);
        spin(1000);
    }

    std::printf("window %.1f s, %llu rounds (%llu skipped), %d targets\n", seconds, qulonglong(rounds),
        qulonglong(monitor.prometheusSources().first()->skippedRounds()), total);
    std::printf("  faultdesk CPU: %.1f %% of one core (target <= 10 %%)\n", fdCpu * 100);
    std::printf("  prometheus CPU: %.1f %% of one core\n", promCpu * 100);
    if (!detectMs.isEmpty())
        std::printf("  crash detection (injection -> HARD): p50 %.2f s, p99 %.2f s, max %.2f s over %lld crashes "
                    "(target p99 <= 5 s)\n",
            double(percentile(detectMs, 0.5)) / 1000, double(percentile(detectMs, 0.99)) / 1000,
            double(*std::max_element(detectMs.cbegin(), detectMs.cend())) / 1000, qlonglong(detectMs.size()));
    std::printf("  GUI-thread lag (10 ms timer, %lld samples over the window): p50 %.2f ms, p99 %.2f ms, max %.2f ms "
                "(target p99 < 16 ms)\n",
        qlonglong(lag.lagUs.size()), double(percentile(lag.lagUs, 0.5)) / 1000,
        double(percentile(lag.lagUs, 0.99)) / 1000,
        lag.lagUs.isEmpty() ? 0.0 : double(*std::max_element(lag.lagUs.cbegin(), lag.lagUs.cend())) / 1000);
    std::fflush(stdout);

    monitor.stop();
    prom.stop();
    demo.stop();
    bench.terminate();
    if (!bench.waitForFinished(10000)) {
        bench.kill();
        bench.waitForFinished();
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString& a = args.at(i);
        const int value = args.value(i + 1).toInt();
        if (a == u"--targets")
            o.targets = std::clamp(value, 1, 2000);
        else if (a == u"--crashes")
            o.crashes = std::max(0, value);
        else if (a == u"--window")
            o.windowS = std::max(1, value);
        else if (a == u"--warmup")
            o.warmupS = std::max(0, value);
        else {
            std::fprintf(stderr, "usage: bench_promsource [--targets N] [--crashes K] [--window S] [--warmup S]\n");
            return 2;
        }
        ++i;
    }
    return run(o);
}
