#pragma once

// A real Prometheus (the Debian package's /usr/bin/prometheus) for tests and benchmarks: loopback only, an
// ephemeral port, its TSDB in a temporary directory, stopped (SIGTERM, then SIGKILL) when destroyed.

#include "fleetsim/fleetsimharness.h"
#include "prom/prometheusclient.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUrl>

namespace FaultDesk::Test {

class PrometheusProcess
{
public:
    /// @p scrapeConfigs: the YAML list under `scrape_configs:` (each line already indented by two spaces);
    /// `$SELF` in it stands for Prometheus' own host:port.
    explicit PrometheusProcess(const QByteArray& scrapeConfigs, int scrapeIntervalMs = 1000)
        : m_scrapeConfigs(scrapeConfigs)
        , m_intervalMs(scrapeIntervalMs)
    { }
    ~PrometheusProcess() { stop(); }

    static QString program()
    {
        const QString onPath = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
        return onPath.isEmpty() ? QStringLiteral("/usr/bin/prometheus") : onPath;
    }
    static bool available() { return QFileInfo(program()).isExecutable(); }

    /// Starts it (on a fresh port the first time, on the same port after stop()) and waits for /-/ready.
    bool start(int timeoutMs = 30000)
    {
        for (int attempt = 0; attempt < 5; ++attempt) {
            if (m_port == 0 || attempt > 0)
                m_port = freePort();
            if (launch(timeoutMs))
                return true;
            stop();
            if (m_keepPort)
                return false;
        }
        return false;
    }

    /// Starts it again on the port it had, with the data it kept.
    bool restart(int timeoutMs = 30000)
    {
        m_keepPort = true;
        const bool ok = launch(timeoutMs);
        m_keepPort = false;
        return ok;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(15000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    quint16 port() const { return m_port; }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port)); }
    qint64 pid() const { return m_process.processId(); }
    QString stderrText() { return QString::fromLocal8Bit(m_process.readAllStandardError()); }

    /// Waits until every target of the scrape configs has been scraped once (health no longer "unknown").
    bool waitScraped(int expectedTargets, int timeoutMs = 30000, int* scrapedOut = nullptr)
    {
        // Through the client: Prometheus answers large replies chunked, which httpGet does not read.
        PrometheusClient::Settings settings;
        settings.baseUrl = url();
        settings.timeoutMs = 3000;
        PrometheusClient client(settings);
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            std::optional<PromTargetsResult> result;
            client.targets([&result](const PromTargetsResult& r) { result = r; });
            while (!result && clock.elapsed() < timeoutMs + 3000)
                QTest::qWait(20);
            if (result && !result->ok())
                qWarning("%s", qPrintable(result->errorText));
            if (result && result->ok()) {
                int scraped = 0;
                for (const PromTargetInfo& t : result->targets)
                    scraped += t.health != u"unknown" ? 1 : 0;
                if (scrapedOut)
                    *scrapedOut = scraped;
                if (scraped >= expectedTargets)
                    return true;
            }
            QTest::qWait(250);
        }
        return false;
    }

    static quint16 freePort()
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost, 0);
        return server.serverPort();
    }

private:
    bool launch(int timeoutMs)
    {
        QFile config(m_dir.filePath(QStringLiteral("prometheus.yml")));
        if (!config.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        const QByteArray interval = QByteArray::number(m_intervalMs) + "ms";
        const QByteArray timeout = QByteArray::number(std::max(100, m_intervalMs * 9 / 10)) + "ms";
        config.write("global:\n  scrape_interval: " + interval + "\n  scrape_timeout: " + timeout
            + "\n  evaluation_interval: " + interval + "\nscrape_configs:\n"
            + QByteArray(m_scrapeConfigs)
                  .replace(QByteArray("$SELF"), QByteArray("127.0.0.1:" + QByteArray::number(m_port))));
        config.close();
        m_process.setProgram(program());
        m_process.setArguments({ QStringLiteral("--config.file=") + config.fileName(),
            QStringLiteral("--storage.tsdb.path=") + m_dir.filePath(QStringLiteral("data")),
            QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(m_port), QStringLiteral("--log.level=warn"),
            QStringLiteral("--web.enable-lifecycle") });
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.setStandardOutputFile(QProcess::nullDevice());
        m_process.start();
        if (!m_process.waitForStarted(10000))
            return false;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs && m_process.state() == QProcess::Running) {
            if (httpGet(m_port, "/-/ready", 1000).status == 200)
                return true;
            QTest::qWait(200);
        }
        qWarning("prometheus did not become ready: %s", m_process.readAllStandardError().right(2000).constData());
        return false;
    }

    QByteArray m_scrapeConfigs;
    int m_intervalMs;
    QTemporaryDir m_dir { QDir::tempPath() + QStringLiteral("/fdpromXXXXXX") };
    QProcess m_process;
    quint16 m_port = 0;
    bool m_keepPort = false;
};

} // namespace FaultDesk::Test
