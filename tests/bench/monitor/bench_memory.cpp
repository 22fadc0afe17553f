// Memory for N scraped targets with a full hour of history: the whole pipeline (probes, parser, signals,
// series store, detector) monitors N fleetsim benchmark endpoints serving the node_exporter fixture at 1 s,
// then the store's rings are filled to their 1 h capacity and the process RSS is read. Prints figures only.
// usage: bench_memory [TARGETS] [SECONDS]   (default 500 targets, 20 s of live monitoring)

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "metrics/seriesstore.h"
#include "monitor/monitor.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QTimer>

#include <cstdio>

using namespace FaultDesk;

namespace {

double statusKb(const char* key)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith(key))
            return line.mid(qsizetype(qstrlen(key))).trimmed().split(' ').value(0).toDouble();
    return 0;
}

// Eight signals of the kinds the demo fleet uses, on node_exporter metrics.
QByteArray fleetYaml(int targets, int firstPort)
{
    QByteArray y = "version: 1\ndefaults: { interval: 1s, timeout: 1s }\ntargets:\n";
    for (int i = 0; i < targets; ++i) {
        const QByteArray port = QByteArray::number(firstPort + i);
        y += "  - name: node-" + QByteArray::number(i) + "\n    group: g" + QByteArray::number(i % 10)
            + "\n    probes:\n      - kind: metrics\n        url: http://127.0.0.1:" + port
            + "/metrics\n    signals:\n"
              "      - { name: load, gauge: node_load1, threshold: { above: 8, clear: 6 } }\n"
              "      - { name: load5, gauge: node_load5 }\n"
              "      - { name: mem_available, gauge: node_memory_MemAvailable_bytes }\n"
              "      - { name: cpu_idle, rate: 'node_cpu_seconds_total{mode=\"idle\"}' }\n"
              "      - { name: cpu_user, rate: 'node_cpu_seconds_total{mode=\"user\"}' }\n"
              "      - { name: net_rx, rate: node_network_receive_bytes_total }\n"
              "      - { name: disk_io, rate: node_disk_io_time_seconds_total }\n"
              "      - { name: error_rate, ratio: { num: node_network_receive_errs_total, den: "
              "node_network_receive_packets_total } }\n";
    }
    return y;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const int targets = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 500;
    const int seconds = argc > 2 ? QString::fromLocal8Bit(argv[2]).toInt() : 20;
    const double rssStart = statusKb("VmRSS:");

    QProcess fleet;
    fleet.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk-fleetsim"),
        { QStringLiteral("--targets"), QString::number(targets), QStringLiteral("--payload"),
            QStringLiteral(FAULTDESK_SHARED_DIR "/fixtures/node_exporter.prom") });
    if (!fleet.waitForStarted() || !fleet.waitForReadyRead(60000)) {
        std::fprintf(stderr, "bench_memory: faultdesk-fleetsim did not start\n");
        return 1;
    }
    const QList<QByteArray> ready = fleet.readLine().trimmed().split(' ');
    if (ready.value(0) != "READY") {
        std::fprintf(stderr, "bench_memory: unexpected first line from fleetsim\n");
        return 1;
    }
    const int firstPort = ready.value(2).toInt();
    ConfigLoadResult loaded = FleetConfigLoader::loadBytes(fleetYaml(targets, firstPort), QStringLiteral("bench"));
    if (!loaded.ok()) {
        for (const ConfigError& e : loaded.errors)
            std::fprintf(stderr, "%s\n", qPrintable(e.toString()));
        return 1;
    }
    Monitor monitor;
    monitor.setConfig(*loaded.config);
    monitor.start();
    QTimer::singleShot(seconds * 1000, &app, &QCoreApplication::quit);
    QCoreApplication::exec();
    monitor.stop();
    const Monitor::Summary live = monitor.summary();
    const double rssLive = statusKb("VmRSS:");

    // Fill every ring to a full hour, as if the console had been open that long.
    SeriesStore* store = monitor.store();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 step = store->stepMs();
    int seriesCount = 0;
    for (const TargetConfig& t : monitor.config().targets) {
        for (const SignalConfig& s : t.signalConfigs) {
            const auto id = store->find(t.name, s.name);
            if (id < 0)
                continue;
            ++seriesCount;
            for (quint32 k = 0; k < store->capacity(); ++k)
                store->append(id, now - qint64(store->capacity() - k) * step, double(k % 97));
        }
    }
    const double rssFull = statusKb("VmRSS:");
    std::printf("memory, %d targets x 8 signals, node_exporter payload, 1 s interval, %d s live:\n", targets, seconds);
    std::printf("  rounds received %llu (%.0f/s), targets up %d/%d\n", static_cast<unsigned long long>(live.rounds),
        double(live.rounds) / seconds, live.up, live.total);
    std::printf("  RSS at start %.1f MB, after live monitoring %.1f MB, with 1 h history in %d series %.1f MB\n",
        rssStart / 1024, rssLive / 1024, seriesCount, rssFull / 1024);
    std::printf("  series store %.1f MB (%zu bytes/sample); peak RSS (VmHWM) %.1f MB; target <= 150 MB\n",
        double(store->memoryBytes()) / 1e6, SeriesStore::bytesPerSample(), statusKb("VmHWM:") / 1024);
    fleet.terminate();
    fleet.waitForFinished(10000);
    return 0;
}
