// Scraping benchmark: FaultDesk's probe engine scraping N /metrics targets every second, side by side with
// Prometheus (Debian package) scraping the same targets in the same window. Prints CPU per scrape and in
// total for both and their ratio. Figures only; it never fails on time.
//
//   bench_probescrape [--targets 100,500] [--duration 25] [--warmup 8] [--payload FILE]
//                     [--client faultdesk|qnam] [--no-prometheus] [--server PROGRAM]
//
// The serving side is faultdesk-fleetsim from FAULTDESK_BIN_DIR when it has been built, else
// bench_probe_server (built beside this benchmark); both serve N endpoints on consecutive ports in a
// process of their own, so their CPU is not counted as the scraper's. --client qnam measures
// QNetworkAccessManager doing the same work instead of the engine (the figure the client choice rests on).

#include "probe/probeengine.h"
#include "probe/probescheduler.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <sys/resource.h>
#include <unistd.h>

using namespace FaultDesk;

namespace {

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

double processCpuSeconds()
{
    rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// utime + stime of another process, from /proc/PID/stat.
double childCpuSeconds(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (pid <= 0 || !file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = file.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the state (field 3), so utime (14) and stime (15) are at 11 and 12
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) / double(::sysconf(_SC_CLK_TCK));
}

quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

// One GET through the engine, for Prometheus' own endpoints.
ProbeResult fetch(ProbeEngine& engine, const QUrl& url)
{
    ProbeResult result;
    bool done = false;
    QEventLoop loop;
    auto connection = QObject::connect(&engine, &ProbeEngine::probeFinished, &loop, [&](const ProbeResult& r) {
        if (r.target == u"bench-fetch") {
            result = r;
            done = true;
            loop.quit();
        }
    });
    engine.submit(QStringLiteral("bench-fetch"), 0, ProbeSpec::metrics(url, 3000));
    if (!done)
        loop.exec();
    QObject::disconnect(connection);
    return result;
}

double promMetric(ProbeEngine& engine, quint16 port, const QByteArray& series)
{
    const ProbeResult result = fetch(engine, QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port)));
    for (const QByteArray& line : result.body.split('\n')) {
        if (line.startsWith(QByteArray(series + ' ')))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

struct Window
{
    double cpu = 0;
    quint64 scrapes = 0;
    quint64 ok = 0;
    quint64 bytes = 0;
    quint64 skipped = 0;
};

// QNetworkAccessManager in its own thread doing the same schedule, for the comparison.
class QnamScraper : public QObject
{
public:
    std::atomic<quint64> finished { 0 }, ok { 0 }, bytes { 0 }, skipped { 0 };

    void start(const QList<QUrl>& urls, int intervalMs, int timeoutMs)
    {
        m_urls = urls;
        m_interval = intervalMs;
        m_timeout = timeoutMs;
        m_nam = new QNetworkAccessManager(this);
        m_busy = QList<bool>(urls.size(), false);
        m_clock.start();
        m_next = QList<qint64>(urls.size());
        for (qsizetype i = 0; i < urls.size(); ++i)
            m_next[i] = i * intervalMs / urls.size();
        auto* timer = new QTimer(this);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, this, [this] { tick(); });
        timer->start(5);
    }

private:
    void tick()
    {
        const qint64 now = m_clock.elapsed();
        for (qsizetype i = 0; i < m_urls.size(); ++i) {
            if (m_next[i] > now)
                continue;
            m_next[i] += m_interval;
            if (m_busy[i]) {
                ++skipped;
                continue;
            }
            m_busy[i] = true;
            QNetworkRequest request(m_urls[i]);
            request.setTransferTimeout(m_timeout);
            QNetworkReply* reply = m_nam->get(request);
            QTimer::singleShot(m_timeout, reply, [reply] { reply->abort(); });
            connect(reply, &QNetworkReply::finished, this, [this, reply, i] {
                const QByteArray body = reply->readAll();
                if (reply->error() == QNetworkReply::NoError)
                    ++ok;
                bytes += quint64(body.size());
                ++finished;
                m_busy[i] = false;
                reply->deleteLater();
            });
        }
    }

    QList<QUrl> m_urls;
    QList<bool> m_busy;
    QList<qint64> m_next;
    QElapsedTimer m_clock;
    QNetworkAccessManager* m_nam = nullptr;
    int m_interval = 1000;
    int m_timeout = 900;
};

struct Options
{
    QList<int> targets { 100, 500 };
    int duration = 25;
    int warmup = 8;
    // FAULTDESK_SHARED_DIR in the environment overrides where the build found tests/shared (another payload set).
    QString payload = qEnvironmentVariable("FAULTDESK_SHARED_DIR", QStringLiteral(FAULTDESK_SHARED_DIR))
        + QStringLiteral("/fixtures/node_exporter.prom");
    QString client = QStringLiteral("faultdesk");
    QString server;
    bool prometheus = true;
};

QString serverProgram(const Options& options)
{
    if (!options.server.isEmpty())
        return options.server;
    const QString fleetsim = QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk-fleetsim");
    if (QFileInfo(fleetsim).isExecutable())
        return fleetsim;
    return QCoreApplication::applicationDirPath() + QStringLiteral("/bench_probe_server");
}

// Deadline accuracy: how late does a probe to a server that never answers report its timeout?
void deadlineAccuracy()
{
    QTcpServer silent;
    silent.listen(QHostAddress::LocalHost, 0);
    QList<QTcpSocket*> held;
    QObject::connect(&silent, &QTcpServer::newConnection, &silent, [&] {
        while (QTcpSocket* s = silent.nextPendingConnection())
            held << s;
    });
    ProbeEngine engine;
    QList<qint64> lateUs;
    QObject::connect(
        &engine, &ProbeEngine::probeFinished, &engine, [&](const ProbeResult& r) { lateUs << r.elapsedUs - 500'000; });
    QList<ProbeEngine::Request> batch;
    for (int i = 0; i < 50; ++i)
        batch.append({ QStringLiteral("hang-%1").arg(i), 0,
            ProbeSpec::http(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(silent.serverPort())), 500) });
    engine.submit(batch);
    QElapsedTimer clock;
    clock.start();
    while (lateUs.size() < batch.size() && clock.elapsed() < 10000)
        spin(20);
    std::sort(lateUs.begin(), lateUs.end());
    if (lateUs.isEmpty())
        return;
    std::printf("deadline accuracy: 50 probes to a silent server, timeout 500 ms: late by p50 %.2f ms, p99 %.2f ms, "
                "max %.2f ms\n",
        double(lateUs.at(lateUs.size() / 2)) / 1000, double(lateUs.at(lateUs.size() * 99 / 100)) / 1000,
        double(lateUs.last()) / 1000);
}

int runOne(const Options& options, int n)
{
    QProcess server;
    server.setProgram(serverProgram(options));
    server.setArguments(
        { QStringLiteral("--targets"), QString::number(n), QStringLiteral("--payload"), options.payload });
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.start();
    int firstPort = 0;
    QElapsedTimer waited;
    waited.start();
    while (firstPort == 0 && waited.elapsed() < 30000 && server.waitForReadyRead(1000)) {
        while (server.canReadLine()) {
            const QList<QByteArray> words = server.readLine().trimmed().split(' ');
            if (words.value(0) == "READY")
                firstPort = words.value(2).toInt();
        }
    }
    if (firstPort == 0) {
        std::printf("N=%d: %s did not become ready\n", n, qPrintable(server.program()));
        server.kill();
        server.waitForFinished();
        return 1;
    }

    QList<QUrl> urls;
    for (int i = 0; i < n; ++i)
        urls << QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(firstPort + i));

    // Prometheus on the same targets, started first so its scrape loops are warm too.
    QTemporaryDir promDir;
    QProcess prometheus;
    const quint16 promPort = freePort();
    ProbeEngine helper; // only for Prometheus' own endpoints
    if (options.prometheus) {
        QFile config(promDir.filePath(QStringLiteral("prometheus.yml")));
        config.open(QIODevice::WriteOnly);
        config.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n"
                     "  - job_name: fleet\n    static_configs:\n      - targets:\n");
        for (int i = 0; i < n; ++i)
            config.write("          - 127.0.0.1:" + QByteArray::number(firstPort + i) + '\n');
        config.close();
        prometheus.setProgram(QStringLiteral("prometheus"));
        prometheus.setArguments({ QStringLiteral("--config.file=") + config.fileName(),
            QStringLiteral("--storage.tsdb.path=") + promDir.filePath(QStringLiteral("data")),
            QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(promPort), QStringLiteral("--log.level=warn") });
        prometheus.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        prometheus.setStandardOutputFile(QProcess::nullDevice());
        prometheus.start();
        bool ready = false;
        for (int i = 0; i < 60 && !ready; ++i) {
            spin(250);
            ready = fetch(helper, QUrl(QStringLiteral("http://127.0.0.1:%1/-/ready").arg(promPort))).ok;
        }
        if (!ready)
            std::printf("N=%d: prometheus did not become ready; continuing without it\n", n);
    }

    ProbeScheduler* scheduler = nullptr;
    QThread qnamThread;
    QnamScraper* qnam = nullptr;
    Window counted;
    if (options.client == u"qnam") {
        qnam = new QnamScraper;
        qnam->moveToThread(&qnamThread);
        QObject::connect(&qnamThread, &QThread::finished, qnam, &QObject::deleteLater);
        qnamThread.start();
        QMetaObject::invokeMethod(qnam, [qnam, urls] { qnam->start(urls, 1000, 900); });
    } else {
        scheduler = new ProbeScheduler;
        scheduler->setInterval(1000);
        QList<ProbeTarget> targets;
        for (int i = 0; i < n; ++i)
            targets << ProbeTarget { QStringLiteral("node-%1").arg(i), { ProbeSpec::metrics(urls.at(i), 900) }, 0 };
        scheduler->setTargets(targets);
        QObject::connect(scheduler, &ProbeScheduler::resultReady, scheduler, [&counted](const ProbeResult& r) {
            ++counted.scrapes;
            counted.ok += r.ok ? 1 : 0;
            counted.bytes += quint64(r.bytesRead);
        });
        scheduler->start();
    }
    auto snapshot = [&] {
        Window w;
        w.cpu = processCpuSeconds();
        if (qnam) {
            w.scrapes = qnam->finished;
            w.ok = qnam->ok;
            w.bytes = qnam->bytes;
            w.skipped = qnam->skipped;
        } else {
            w.scrapes = counted.scrapes;
            w.ok = counted.ok;
            w.bytes = counted.bytes;
            w.skipped = scheduler->counters().roundsSkipped;
        }
        return w;
    };

    spin(options.warmup * 1000);
    const QByteArray promScrapes = "prometheus_target_interval_length_seconds_count{interval=\"1s\"}";
    const double promScrapes0 = options.prometheus ? promMetric(helper, promPort, promScrapes) : 0;
    const double promCpu0 = childCpuSeconds(prometheus.processId());
    const double serverCpu0 = childCpuSeconds(server.processId());
    const Window w0 = snapshot();
    QElapsedTimer wall;
    wall.start();
    spin(options.duration * 1000);
    const Window w1 = snapshot();
    const double seconds = double(wall.nsecsElapsed()) / 1e9;
    const double promCpu = childCpuSeconds(prometheus.processId()) - promCpu0;
    const double serverCpu = childCpuSeconds(server.processId()) - serverCpu0;
    const double promScrapesN = options.prometheus ? promMetric(helper, promPort, promScrapes) - promScrapes0 : 0;

    const double cpu = w1.cpu - w0.cpu;
    const auto scrapes = double(w1.scrapes - w0.scrapes);
    const double fdMs = scrapes > 0 ? cpu * 1000 / scrapes : 0;
    std::printf("N=%d (%s client, %.1f s window, server %s)\n", n, qPrintable(options.client), seconds,
        qPrintable(QFileInfo(server.program()).fileName()));
    std::printf("  %-10s: %.0f scrapes/s of %d, %.1f%% ok, %.1f MB/s, %llu skipped rounds, CPU %.3f cores, "
                "%.3f ms CPU/scrape\n",
        qPrintable(options.client), scrapes / seconds, n, scrapes > 0 ? 100.0 * double(w1.ok - w0.ok) / scrapes : 0.0,
        double(w1.bytes - w0.bytes) / seconds / 1e6, static_cast<unsigned long long>(w1.skipped - w0.skipped),
        cpu / seconds, fdMs);
    if (options.prometheus && promScrapesN > 0) {
        const double promMs = promCpu * 1000 / promScrapesN;
        std::printf("  prometheus: %.0f scrapes/s, CPU %.3f cores, %.3f ms CPU/scrape\n", promScrapesN / seconds,
            promCpu / seconds, promMs);
        std::printf("  ratio faultdesk/prometheus: %.2fx CPU per scrape, %.2fx cores\n", fdMs / promMs,
            (cpu / seconds) / (promCpu / seconds));
    }
    std::printf("  serving side: %.3f cores (both scrapers' requests)\n", serverCpu / seconds);
    std::fflush(stdout);

    if (scheduler) {
        scheduler->stop();
        delete scheduler;
    }
    if (qnam) {
        qnamThread.quit();
        qnamThread.wait();
    }
    if (options.prometheus) {
        prometheus.terminate();
        if (!prometheus.waitForFinished(10000)) {
            prometheus.kill();
            prometheus.waitForFinished();
        }
    }
    server.closeWriteChannel();
    server.terminate();
    if (!server.waitForFinished(5000)) {
        server.kill();
        server.waitForFinished();
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    Options options;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString& arg = args.at(i);
        const QString value = args.value(i + 1);
        if (arg == u"--targets") {
            options.targets.clear();
            for (const QString& part : value.split(u','))
                options.targets << part.toInt();
            ++i;
        } else if (arg == u"--duration") {
            options.duration = value.toInt();
            ++i;
        } else if (arg == u"--warmup") {
            options.warmup = value.toInt();
            ++i;
        } else if (arg == u"--payload") {
            options.payload = value;
            ++i;
        } else if (arg == u"--client") {
            options.client = value;
            ++i;
        } else if (arg == u"--server") {
            options.server = value;
            ++i;
        } else if (arg == u"--no-prometheus") {
            options.prometheus = false;
        } else {
            std::fprintf(stderr, "unknown argument %s\n", qPrintable(arg));
            return 2;
        }
    }
    rlimit limit {};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    if (options.prometheus && QStandardPaths::findExecutable(QStringLiteral("prometheus")).isEmpty()) {
        std::printf("prometheus not found: FaultDesk alone\n");
        options.prometheus = false;
    }
    if (!QFileInfo(options.payload).isReadable()) {
        std::fprintf(stderr, "payload %s is not readable: pass --payload FILE\n", qPrintable(options.payload));
        return 2;
    }
    std::printf("payload %s (%lld bytes); machine shared with other work: figures are indicative\n",
        qPrintable(options.payload), QFileInfo(options.payload).size());
    deadlineAccuracy();
    int status = 0;
    for (int n : std::as_const(options.targets))
        status |= runOne(options, n);
    return status;
}
