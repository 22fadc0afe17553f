#pragma once

// A real Prometheus (the Debian package's /usr/bin/prometheus) for tests and benchmarks: loopback only, a free
// port, its TSDB in the scratch directory, stopped (SIGTERM, then SIGKILL) when destroyed.

#include "prom/prometheusclient.h"
#include "shared/loopbackdaemon.h"

#include <QFileInfo>
#include <QStandardPaths>
#include <QUrl>

namespace FaultDesk::Test {

class PrometheusProcess : public LoopbackDaemon
{
public:
    /// @p scrapeConfigs: the YAML list under `scrape_configs:` (each line already indented by two spaces);
    /// `$SELF` in it stands for Prometheus' own host:port.
    explicit PrometheusProcess(const QByteArray& scrapeConfigs, int scrapeIntervalMs = 1000)
        : m_scrapeConfigs(scrapeConfigs)
        , m_intervalMs(scrapeIntervalMs)
    { }

    static QString program()
    {
        const QString onPath = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
        return onPath.isEmpty() ? QStringLiteral("/usr/bin/prometheus") : onPath;
    }
    static bool available() { return QFileInfo(program()).isExecutable(); }
    static quint16 freePort() { return Test::freePort(); }

    /// Starts it on a fresh port and waits for /-/ready.
    bool start(int timeoutMs = 30000) { return launch(timeoutMs, false); }
    /// Starts it again on the port it had, with the data it kept.
    bool restart(int timeoutMs = 30000) { return launch(timeoutMs, true); }

    QUrl url() const { return QUrl(LoopbackDaemon::url()); }
    QString stderrText() const { return QString::fromLocal8Bit(output()); }

    /// Waits until every target of the scrape configs has been scraped once (health no longer "unknown").
    bool waitScraped(int expectedTargets, int timeoutMs = 30000, int* scrapedOut = nullptr)
    {
        // Through the client: Prometheus answers large replies chunked, which a plain GET here does not read.
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

protected:
    bool prepare() override
    {
        const QByteArray interval = QByteArray::number(m_intervalMs) + "ms";
        const QByteArray timeout = QByteArray::number(std::max(100, m_intervalMs * 9 / 10)) + "ms";
        return writeFile(QStringLiteral("prometheus.yml"),
            "global:\n  scrape_interval: " + interval + "\n  scrape_timeout: " + timeout
                + "\n  evaluation_interval: " + interval + "\nscrape_configs:\n"
                + QByteArray(m_scrapeConfigs)
                      .replace(QByteArray("$SELF"), QByteArray("127.0.0.1:" + QByteArray::number(port()))));
    }

private:
    bool launch(int timeoutMs, bool keepPort)
    {
        return LoopbackDaemon::start(program(),
            { QStringLiteral("--config.file=") + dir() + QStringLiteral("/prometheus.yml"),
                QStringLiteral("--storage.tsdb.path=") + dir() + QStringLiteral("/data"),
                QStringLiteral("--web.listen-address=127.0.0.1:%PORT%"), QStringLiteral("--log.level=warn"),
                QStringLiteral("--web.enable-lifecycle") },
            "/-/ready", timeoutMs, keepPort);
    }

    QByteArray m_scrapeConfigs;
    int m_intervalMs;
};

} // namespace FaultDesk::Test
