// How long the team's remediation locks (AdvisoryLocks: PostgreSQL advisory locks) block the thread that calls them —
// the GUI thread, when a person presses Handle or Recover — while the store cannot be reached: nothing listening on
// the port (refused at once), and a socket that accepts the TCP connection but never answers (the server hung, a
// firewall swallowing the reply), where only connect_timeout ends the wait; and how long the event loop stalls over
// 45 s with a lost session, idle and with automation asking every second. Prints figures; never fails on time.
#include "remedy/advisorylocks.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTcpServer>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace FaultDesk;

namespace {

struct Figures
{
    qint64 openMs = 0;
    qint64 acquireMs = 0;
    QString error;
};

Figures measure(quint16 port, int connectTimeoutS)
{
    const auto url
        = StoreUrl::parse(QStringLiteral("postgresql://faultdesk@127.0.0.1:%1/team?sslmode=disable&connect_timeout=%2")
                              .arg(port)
                              .arg(connectTimeoutS));
    Figures f;
    if (!url) {
        f.error = QStringLiteral("bad url");
        return f;
    }
    AdvisoryLocks locks(*url);
    QElapsedTimer clock;
    clock.start();
    locks.open(&f.error);
    f.openMs = clock.restart();
    // Handle or Recover pressed while the store is still away: the same wait again, on the caller's thread.
    locks.tryAcquire(
        QStringLiteral("web-1"), QStringLiteral("alice"), QStringLiteral("crash/handle"), nullptr, &f.error);
    f.acquireMs = clock.elapsed();
    return f;
}

void report(const char* what, int connectTimeoutS, const Figures& f)
{
    std::printf("FIGURES advisory locks, %s, connect_timeout=%d s: open() blocked %lld ms, tryAcquire() blocked "
                "%lld ms (%s)\n",
        what, connectTimeoutS, f.openMs, f.acquireMs, qPrintable(f.error.left(120)));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    // Nothing on the port: the kernel refuses the connection.
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 1;
    const quint16 closedPort = probe.serverPort();
    probe.close();
    report("nothing listening", 10, measure(closedPort, 10));

    // Listening, never answering: the kernel completes the handshake (backlog); nobody accepts, nothing is written.
    QTcpServer silent;
    if (!silent.listen(QHostAddress::LocalHost, 0))
        return 1;
    silent.pauseAccepting();
    for (int timeout : { 2, 10 })
        report("a socket that never answers", timeout, measure(silent.serverPort(), timeout));

    // A lost session at the default connect_timeout, over 45 s: how long does the event loop stall (a 20 ms timer's
    // gaps)? Idle: nobody presses anything, only the watch and the reconnect attempts run. Automation: an open fault
    // of an automated target asks who handles it and tries its lock on every probe tick (each second).
    const int timeout = 10;
    const auto url
        = StoreUrl::parse(QStringLiteral("postgresql://faultdesk@127.0.0.1:%1/team?sslmode=disable&connect_timeout=%2")
                              .arg(silent.serverPort())
                              .arg(timeout));
    for (const bool automation : { false, true }) {
        AdvisoryLocks locks(*url);
        locks.refresh(); // not connected: one attempt now (the console's open at start), then the retries
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0, worst = 0, stalledMs = 0;
        QTimer tick;
        QObject::connect(&tick, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            const qint64 gap = now - last;
            worst = std::max(worst, gap);
            stalledMs += gap > 100 ? gap : 0;
            last = now;
        });
        tick.start(20);
        int calls = 0;
        QTimer probeTick;
        QObject::connect(&probeTick, &QTimer::timeout, [&] {
            bool active = false;
            locks.latestHolder(QStringLiteral("web-1"), &active);
            locks.heldElsewhere(QStringLiteral("web-1"));
            locks.tryAcquire(QStringLiteral("web-1"), QStringLiteral("auto"), QStringLiteral("crash/handle"));
            calls += 3;
        });
        if (automation)
            probeTick.start(1000);
        QEventLoop loop;
        QTimer::singleShot(45000, &loop, &QEventLoop::quit);
        loop.exec();
        std::printf("FIGURES advisory locks, %s with a lost session, connect_timeout=%d s: event loop stalled %lld ms "
                    "of %lld ms, longest stall %lld ms (%d lock calls; %s)\n",
            automation ? "automation asking each second" : "idle", timeout, stalledMs, clock.elapsed(), worst, calls,
            qPrintable(locks.problem().left(160)));
        std::fflush(stdout);
    }
    return 0;
}
