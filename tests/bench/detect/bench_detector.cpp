// Cost of one Detector tick for 500 and 2000 targets, and the detection latency of a crash as the detection
// logic alone sees it (probe schedule simulated: interval, fast retry, tick cadence; no network time).
// Prints figures; never fails on time.

#include "detect/detector.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <ctime>

using namespace FaultDesk;

namespace {

QList<TargetPolicy> fleet(int n)
{
    // A quarter databases, a quarter apis depending on one database each, half web servers with sources.
    QList<TargetPolicy> out;
    const int dbs = std::max(1, n / 4);
    for (int i = 0; i < n; ++i) {
        TargetPolicy p;
        if (i < dbs) {
            p.name = QStringLiteral("db-%1").arg(i);
            p.group = QStringLiteral("db");
            p.thresholds.append(ThresholdRule::below(QStringLiteral("integrity"), 1, 1));
        } else if (i < 2 * dbs) {
            p.name = QStringLiteral("api-%1").arg(i);
            p.group = QStringLiteral("api");
            p.dependsOn = QStringList { QStringLiteral("db-%1").arg(i % dbs) };
            p.anyOf = { { QStringLiteral("db-%1").arg(i % dbs), QStringLiteral("db-%1").arg((i + 1) % dbs) } };
            p.thresholds.append(ThresholdRule::above(QStringLiteral("error_rate"), 0.05, 0.01));
        } else {
            p.name = QStringLiteral("web-%1").arg(i);
            p.group = QStringLiteral("web");
            p.thresholds.append(ThresholdRule::above(QStringLiteral("load"), 0.85, 0.7));
        }
        ThresholdRule latency = ThresholdRule::above(QStringLiteral("p95_latency"), 0.5, 0.3);
        latency.adaptive = true;
        p.thresholds.append(latency);
        out.append(p);
    }
    return out;
}

// CPU time of this thread: the machine is shared, so wall-clock figures mostly measure the neighbours.
double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double percentile(QList<double> v, double q)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[std::min<qsizetype>(v.size() - 1, qsizetype(q * (v.size() - 1) + 0.5))];
}

void tickCost(QTextStream& out, int n, int ticks)
{
    Detector detector;
    const QList<TargetPolicy> policies = fleet(n);
    detector.setTargets(policies);
    QRandomGenerator rng(42);
    qint64 now = 1'800'000'000'000;
    QList<double> costs;
    QList<double> cpuCosts;
    QList<double> observeCosts;
    QHash<QString, double> sources;
    for (int s = 0; s < 20; ++s)
        sources.insert(QStringLiteral("10.0.0.%1").arg(s), 5 + rng.generateDouble());
    for (int t = 0; t < ticks + 50; ++t) {
        now += 1000;
        QElapsedTimer feed;
        feed.start();
        for (int i = 0; i < policies.size(); ++i) {
            Observation o;
            o.target = policies[i].name;
            o.timeMs = now - 10;
            // 1% of the fleet failing at any time, moving around.
            if ((i + t / 10) % 100 == 0) {
                o.probe = Observation::Probe::Down;
                o.failureKind = Observation::FailureKind::Refused;
                o.reason = QStringLiteral("connection refused");
            }
            o.values = { { QStringLiteral("load"), 0.4 + 0.1 * rng.generateDouble() },
                { QStringLiteral("error_rate"), 0.002 * rng.generateDouble() },
                { QStringLiteral("p95_latency"), 0.1 + 0.02 * rng.generateDouble() },
                { QStringLiteral("integrity"), 1 } };
            if (o.target.startsWith(u"web"))
                o.sourceRates = sources;
            detector.observe(o);
        }
        const double feedMs = feed.nsecsElapsed() / 1e6;
        QElapsedTimer timer;
        timer.start();
        const double cpu = threadCpuMs();
        detector.tick(now);
        if (t >= 50) {
            costs.append(timer.nsecsElapsed() / 1e6);
            cpuCosts.append(threadCpuMs() - cpu);
            observeCosts.append(feedMs);
        }
    }
    out << QStringLiteral("tick, %1 targets: CPU p50 %6 ms, p99 %7 ms; wall p50 %2 ms, p99 %3 ms, max %4 ms "
                          "(observe() of one round: p50 %5 ms)\n")
               .arg(n)
               .arg(percentile(costs, 0.5), 0, 'f', 2)
               .arg(percentile(costs, 0.99), 0, 'f', 2)
               .arg(percentile(costs, 1.0), 0, 'f', 2)
               .arg(percentile(observeCosts, 0.5), 0, 'f', 2)
               .arg(percentile(cpuCosts, 0.5), 0, 'f', 2)
               .arg(percentile(cpuCosts, 0.99), 0, 'f', 2);
}

// A crash at a random moment; probes every interval at the target's own phase, the fast retry while SOFT; the
// detector ticks every tickMs. Latency = the tick that reports "fault detected" minus the crash.
void detectionLatency(QTextStream& out, qint64 tickMs, int runs)
{
    QRandomGenerator rng(7);
    QList<double> latencies;
    for (int run = 0; run < runs; ++run) {
        Detector detector;
        TargetPolicy p;
        p.name = QStringLiteral("web-1");
        QList<TargetPolicy> fleetPolicies { p };
        for (int i = 2; i <= 6; ++i) {
            TargetPolicy other = p;
            other.name = QStringLiteral("web-%1").arg(i);
            fleetPolicies.append(other);
        }
        detector.setTargets(fleetPolicies);
        const qint64 start = 1'800'000'000'000;
        const qint64 phase = rng.bounded(1000);
        const qint64 crash = start + 10'000 + rng.bounded(1000);
        qint64 nextProbe = start + phase;
        qint64 lastProbe = -1;
        qint64 detected = -1;
        for (qint64 now = start + tickMs; now < start + 30'000 && detected < 0; now += tickMs) {
            // Probes due by now, each finishing 5 ms after it starts.
            while (nextProbe + 5 <= now) {
                for (const TargetPolicy& t : fleetPolicies) {
                    Observation o;
                    o.target = t.name;
                    o.timeMs = nextProbe + 5;
                    if (t.name == p.name && nextProbe >= crash) {
                        o.probe = Observation::Probe::Down;
                        o.failureKind = Observation::FailureKind::Refused;
                    }
                    detector.observe(o);
                }
                lastProbe = nextProbe;
                nextProbe += p.intervalMs;
            }
            for (const DetectionEvent& e : detector.tick(now)) {
                if (e.kind == DetectionEvent::Kind::FaultDetected && e.target == p.name)
                    detected = now;
            }
            // The scheduler honours a SOFT target's request for the fast retry.
            if (detector.status(p.name)->state == TargetState::Soft)
                nextProbe = std::min(nextProbe, std::max(lastProbe + p.retryIntervalMs, now));
        }
        if (detected > 0)
            latencies.append(double(detected - crash));
    }
    out << QStringLiteral("crash → fault detected (logic only, interval 1 s, retry 0.5 s, attempts 2, tick %1 ms, %2 "
                          "runs): p50 %3 ms, p99 %4 ms, max %5 ms\n")
               .arg(tickMs)
               .arg(latencies.size())
               .arg(percentile(latencies, 0.5), 0, 'f', 0)
               .arg(percentile(latencies, 0.99), 0, 'f', 0)
               .arg(percentile(latencies, 1.0), 0, 'f', 0);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const int ticks = app.arguments().size() > 1 ? app.arguments().at(1).toInt() : 200;
    tickCost(out, 500, ticks);
    tickCost(out, 2000, ticks);
    detectionLatency(out, 1000, 300);
    detectionLatency(out, 250, 300);
    return 0;
}
