// Detection latency for crashes on the real demo fleet: kill a web server, time until the fault is HARD
// (detected) and located, restart it, repeat. Prints p50/p99; never fails on time.
// usage: bench_crashdetect [REPETITIONS]   (default 20)

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "monitor/monitor.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace FaultDesk;

namespace {

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    return v[i];
}

// Runs the event loop until @p done or @p timeoutMs; returns whether done became true.
template <typename F> bool waitFor(F done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const int repetitions = argc > 1 ? std::max(1, QString::fromLocal8Bit(argv[1]).toInt()) : 20;
    if (qEnvironmentVariableIsEmpty("FAULTDESK_FLEETSIM"))
        qputenv("FAULTDESK_FLEETSIM", QByteArrayLiteral(FAULTDESK_BIN_DIR "/faultdesk-fleetsim"));

    DemoFleetProcess demo;
    QString error;
    if (!demo.start(60000, &error)) {
        std::fprintf(stderr, "bench_crashdetect: %s\n", qPrintable(error));
        return 1;
    }
    ConfigLoadResult loaded = FleetConfigLoader::loadFile(demo.fleetConfigPath());
    if (!loaded.ok()) {
        std::fprintf(stderr, "bench_crashdetect: the demo fleet's config is invalid\n");
        return 1;
    }
    Monitor monitor;
    monitor.setConfig(*loaded.config);
    qint64 detectedAt = 0;
    qint64 locatedAt = 0;
    QString victim;
    QObject::connect(&monitor, &Monitor::eventRaised, &monitor, [&](const DetectionEvent& e) {
        if (e.target != victim)
            return;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (e.kind == DetectionEvent::Kind::FaultDetected && !detectedAt)
            detectedAt = now;
        if (e.kind == DetectionEvent::Kind::FaultLocated && !locatedAt)
            locatedAt = now;
    });
    monitor.start();
    auto allUp = [&] {
        const auto statuses = monitor.detector()->statuses();
        return !statuses.isEmpty() && std::all_of(statuses.begin(), statuses.end(), [](const TargetStatus& s) {
            return s.state == TargetState::Up;
        });
    };
    if (!waitFor(allUp, 20000)) {
        std::fprintf(stderr, "bench_crashdetect: the fleet never came up\n");
        return 1;
    }

    std::vector<double> detect;
    std::vector<double> locate;
    const QStringList webs { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("web-3"),
        QStringLiteral("web-4") };
    for (int i = 0; i < repetitions; ++i) {
        victim = webs.at(i % webs.size());
        detectedAt = locatedAt = 0;
        // Spread the crash moments over the probe interval so the phase of the schedule is sampled too.
        QEventLoop pause;
        QTimer::singleShot(300 + (i * 137) % 1000, &pause, &QEventLoop::quit);
        pause.exec();
        const qint64 injected = QDateTime::currentMSecsSinceEpoch();
        if (!demo.inject(QStringLiteral("crash"), victim, &error)) {
            std::fprintf(stderr, "bench_crashdetect: inject failed: %s\n", qPrintable(error));
            return 1;
        }
        if (!waitFor([&] { return locatedAt != 0; }, 20000)) {
            std::fprintf(stderr, "bench_crashdetect: crash of %s not located within 20 s\n", qPrintable(victim));
            return 1;
        }
        detect.push_back(double(detectedAt - injected) / 1000.0);
        locate.push_back(double(locatedAt - injected) / 1000.0);
        demo.control({ QStringLiteral("start"), victim });
        waitFor(allUp, 20000);
    }
    std::printf(
        "crash detection on the demo fleet (interval 1 s, 2 attempts, retry 0.5 s), %d crashes:\n", repetitions);
    std::printf("  crash -> detected (HARD): p50 %.2f s  p99 %.2f s  max %.2f s\n", percentile(detect, 0.5),
        percentile(detect, 0.99), percentile(detect, 1.0));
    std::printf("  crash -> located:         p50 %.2f s  p99 %.2f s  max %.2f s\n", percentile(locate, 0.5),
        percentile(locate, 0.99), percentile(locate, 1.0));
    std::printf("  target: <= 3 s p99 at a 1 s interval (HAProxy defaults ~6 s, Kubernetes ~30 s)\n");
    monitor.stop();
    demo.stop();
    return 0;
}
