// Figures for faultdesk-fleetsim: how fast the demo fleet comes up, how quickly a crash shows on the wire, and
// what serving N node_exporter-sized /metrics endpoints from one process costs (benchmark mode).
// Usage: bench_fleetsim [TARGETS] [ROUNDS]   (defaults 200 and 10). Prints figures, never fails on time.
#include "fleetsim/fleetsimharness.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTcpSocket>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

using namespace FaultDesk::Test;

namespace {

double cpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> f = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return (f.value(11).toDouble() + f.value(12).toDouble()) / double(::sysconf(_SC_CLK_TCK));
}

void demoFleetFigures()
{
    QElapsedTimer clock;
    clock.start();
    FleetProcess fleet;
    if (!fleet.waitReady()) {
        std::printf("demo fleet: did not become ready\n");
        return;
    }
    std::printf(
        "demo fleet: READY after %lld ms (8 servers, haproxy, traffic)\n", static_cast<long long>(clock.elapsed()));
    const quint16 port = fleet.port(QStringLiteral("web-2"));
    clock.restart();
    fleet.ctl({ QStringLiteral("inject"), QStringLiteral("crash"), QStringLiteral("web-2") });
    while (httpGet(port, "/healthz", 500).connected && clock.elapsed() < 5000)
        QThread::msleep(5);
    std::printf("demo fleet: crash -> connection refused after %lld ms (ctl round trip included)\n",
        static_cast<long long>(clock.elapsed()));
    clock.restart();
    QByteArray err;
    const int rc = fleet.ctl({ QStringLiteral("start"), QStringLiteral("web-2") }, nullptr, &err);
    std::printf("demo fleet: ctl start -> listening after %lld ms (exit %d%s)\n",
        static_cast<long long>(clock.elapsed()), rc,
        err.trimmed().isEmpty() ? "" : qPrintable(u", " + QString::fromUtf8(err.trimmed())));
    clock.restart();
    while (!fleet.haproxyStatus("web", "web-2").startsWith("UP") && clock.elapsed() < 10000)
        QThread::msleep(20);
    QTest::qWait(1000);
    const double before = cpuSeconds(fleet.process().processId());
    QTest::qWait(5000);
    std::printf("demo fleet: supervisor + traffic generator CPU %.1f%% of a core at baseline traffic\n",
        (cpuSeconds(fleet.process().processId()) - before) / 5.0 * 100);
}

void benchModeFigures(int targets, int rounds)
{
    QProcess bench;
    bench.start(fleetsimBinary(), { QStringLiteral("--targets"), QString::number(targets) });
    QByteArray out;
    QElapsedTimer clock;
    clock.start();
    while (!out.contains('\n') && clock.elapsed() < 30000 && bench.state() != QProcess::NotRunning) {
        bench.waitForReadyRead(200);
        out += bench.readAllStandardOutput();
    }
    const QList<QByteArray> words = out.trimmed().split(' ');
    if (words.size() != 3) {
        std::printf("benchmark mode: no READY line (%s)\n", bench.readAllStandardError().constData());
        return;
    }
    std::printf(
        "benchmark mode: %d endpoints listening after %lld ms\n", targets, static_cast<long long>(clock.elapsed()));
    const quint16 first = quint16(words.at(2).toUInt());

    struct Scrape
    {
        QTcpSocket* socket = nullptr;
        QByteArray buffer;
        qint64 sentNs = 0;
        qsizetype want = -1;
    };
    std::vector<Scrape> scrapes(static_cast<size_t>(targets), Scrape {});
    int connected = 0;
    for (int i = 0; i < targets; ++i) {
        scrapes[size_t(i)].socket = new QTcpSocket;
        scrapes[size_t(i)].socket->connectToHost(QHostAddress::LocalHost, quint16(first + i));
    }
    for (auto& s : scrapes)
        connected += s.socket->waitForConnected(5000) ? 1 : 0;
    QList<double> latenciesMs;
    qint64 bytes = 0;
    QElapsedTimer wall;
    const double cpuBefore = cpuSeconds(bench.processId());
    wall.start();
    const QByteArray request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n";
    for (int round = 0; round < rounds; ++round) {
        int pending = 0;
        for (auto& s : scrapes) {
            s.buffer.clear();
            s.want = -1;
            s.sentNs = wall.nsecsElapsed();
            s.socket->write(request);
            ++pending;
        }
        QElapsedTimer roundClock;
        roundClock.start();
        while (pending > 0 && roundClock.elapsed() < 30000) {
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
            for (auto& s : scrapes) {
                if (s.want >= 0 && s.buffer.size() >= s.want)
                    continue;
                s.buffer += s.socket->readAll();
                const qsizetype end = s.buffer.indexOf("\r\n\r\n");
                if (end > 0 && s.want < 0) {
                    const qsizetype at = s.buffer.indexOf("Content-Length: ");
                    s.want = end + 4 + s.buffer.mid(at + 16, s.buffer.indexOf('\r', at) - at - 16).toLongLong();
                }
                if (s.want > 0 && s.buffer.size() >= s.want) {
                    latenciesMs << double(wall.nsecsElapsed() - s.sentNs) / 1e6;
                    bytes += s.buffer.size();
                    --pending;
                }
            }
        }
    }
    const double seconds = double(wall.nsecsElapsed()) / 1e9;
    const double cpu = cpuSeconds(bench.processId()) - cpuBefore;
    std::sort(latenciesMs.begin(), latenciesMs.end());
    const auto pct = [&](double q) {
        return latenciesMs.isEmpty() ? 0.0 : latenciesMs.at(qsizetype(q * double(latenciesMs.size() - 1)));
    };
    std::printf("benchmark mode: %d/%d connected, %d rounds: %lld scrapes in %.2f s = %.0f scrapes/s, %.1f MB/s\n",
        connected, targets, rounds, static_cast<long long>(latenciesMs.size()), seconds,
        double(latenciesMs.size()) / seconds, double(bytes) / seconds / 1e6);
    std::printf(
        "benchmark mode: round-trip latency (a whole round in flight) p50 %.2f ms, p99 %.2f ms\n", pct(0.5), pct(0.99));
    std::printf("benchmark mode: server CPU %.1f us per scrape (client and server share this machine)\n",
        latenciesMs.isEmpty() ? 0.0 : cpu / double(latenciesMs.size()) * 1e6);
    for (auto& s : scrapes)
        delete s.socket;
    bench.terminate();
    bench.waitForFinished(5000);
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const int targets = argc > 1 ? std::clamp(QByteArray(argv[1]).toInt(), 1, 2000) : 200;
    const int rounds = argc > 2 ? std::max(1, QByteArray(argv[2]).toInt()) : 10;
    demoFleetFigures();
    benchModeFigures(targets, rounds);
    return 0;
}
