// PrometheusClient against a real Prometheus on loopback (instant and range queries, the targets list, a
// rejected query) and against a local fake server that misbehaves (malformed JSON, HTTP 500, silence):
// every failure is a clear error naming the query, deadlines hold, and the bearer token never shows.

#include "prom/prometheusclient.h"
#include "shared/prometheusprocess.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <cmath>
#include <optional>

using namespace FaultDesk;
using namespace FaultDesk::Test;

namespace {

/// Answers every request with one canned reply (or never, when the reply is empty) and records the requests.
class FakeServer : public QObject
{
public:
    explicit FakeServer(const QByteArray& reply)
        : m_reply(reply)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection()) {
                s->setParent(this);
                connect(s, &QTcpSocket::readyRead, this, [this, s] {
                    m_buffer[s] += s->readAll();
                    if (!m_buffer[s].contains("\r\n\r\n"))
                        return;
                    requests << m_buffer.take(s);
                    if (m_reply.isEmpty())
                        return; // hang: hold the connection open without a word
                    s->write(m_reply);
                    s->disconnectFromHost();
                });
            }
        });
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }

    QList<QByteArray> requests;

private:
    QTcpServer m_server;
    QByteArray m_reply;
    QHash<QTcpSocket*, QByteArray> m_buffer;
};

QByteArray httpReply(const QByteArray& statusLine, const QByteArray& body)
{
    return "HTTP/1.1 " + statusLine + "\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

std::optional<PromQueryResult> runQuery(PrometheusClient& client, const QString& q, int waitMs = 15000)
{
    std::optional<PromQueryResult> out;
    client.query(q, 0, [&out](const PromQueryResult& r) { out = r; });
    QElapsedTimer clock;
    clock.start();
    while (!out && clock.elapsed() < waitMs)
        QTest::qWait(20);
    return out;
}

PrometheusClient::Settings settingsFor(const QUrl& url, int timeoutMs = 5000)
{
    PrometheusClient::Settings s;
    s.baseUrl = url;
    s.timeoutMs = timeoutMs;
    return s;
}

} // namespace

class TestPrometheusClient : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<PrometheusProcess> m_prom;

private Q_SLOTS:
    void initTestCase()
    {
        if (!PrometheusProcess::available())
            QSKIP("prometheus is not installed (scripts/install-deps)");
        m_prom = std::make_unique<PrometheusProcess>(
            QByteArray("  - job_name: self\n    static_configs:\n      - targets: ['$SELF']\n"));
        QVERIFY2(m_prom->start(), qPrintable(m_prom->stderrText()));
        QVERIFY(m_prom->waitScraped(1));
    }

    void cleanupTestCase() { m_prom.reset(); }

    void instantQueryGivesTheVector()
    {
        PrometheusClient client(settingsFor(m_prom->url()));
        const auto r = runQuery(client, QStringLiteral("up{job=\"self\"}"));
        QVERIFY(r);
        QVERIFY2(r->ok(), qPrintable(r->errorText));
        QCOMPARE(r->type, PromQueryResult::Type::Vector);
        QCOMPARE(r->series.size(), 1);
        QCOMPARE(r->series.first().labels.value(QStringLiteral("job")), QStringLiteral("self"));
        QCOMPARE(r->series.first().labels.value(QStringLiteral("instance")),
            QStringLiteral("127.0.0.1:%1").arg(m_prom->port()));
        QCOMPARE(r->series.first().samples.first().value, 1.0);
        QVERIFY(std::abs(r->series.first().samples.first().timeMs - QDateTime::currentMSecsSinceEpoch()) < 60000);
    }

    void scalarsKeepNaNAndInfinity_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<double>("expected");
        QTest::addRow("number") << QStringLiteral("1 + 1") << 2.0;
        QTest::addRow("NaN") << QStringLiteral("0 / 0") << std::nan("");
        QTest::addRow("+Inf") << QStringLiteral("1 / 0") << HUGE_VAL;
        QTest::addRow("-Inf") << QStringLiteral("-1 / 0") << -HUGE_VAL;
    }
    void scalarsKeepNaNAndInfinity()
    {
        QFETCH(QString, query);
        QFETCH(double, expected);
        PrometheusClient client(settingsFor(m_prom->url()));
        const auto r = runQuery(client, query); // '+' in PromQL must survive the URL encoding
        QVERIFY(r);
        QVERIFY2(r->ok(), qPrintable(r->errorText));
        QCOMPARE(r->type, PromQueryResult::Type::Scalar);
        const double v = r->series.first().samples.first().value;
        if (std::isnan(expected))
            QVERIFY(std::isnan(v));
        else
            QCOMPARE(v, expected);
    }

    void rangeQueryGivesTheMatrix()
    {
        PrometheusClient client(settingsFor(m_prom->url()));
        QTRY_VERIFY_WITH_TIMEOUT(m_prom->waitScraped(1, 1000), 10000);
        QTest::qWait(2500); // a few scrapes to have a range of
        const qint64 to = QDateTime::currentMSecsSinceEpoch();
        const qint64 from = to - 30000;
        std::optional<PromQueryResult> out;
        client.queryRange(QStringLiteral("up"), from, to, 1000, [&out](const PromQueryResult& r) { out = r; });
        QTRY_VERIFY_WITH_TIMEOUT(out.has_value(), 15000);
        QVERIFY2(out->ok(), qPrintable(out->errorText));
        QCOMPARE(out->type, PromQueryResult::Type::Matrix);
        QCOMPARE(out->series.size(), 1);
        const QList<PromPoint>& samples = out->series.first().samples;
        QVERIFY2(samples.size() >= 2, qPrintable(QString::number(samples.size())));
        for (qsizetype i = 0; i < samples.size(); ++i) {
            QVERIFY(samples.at(i).timeMs >= from - 1000 && samples.at(i).timeMs <= to + 1000);
            QCOMPARE(samples.at(i).value, 1.0);
            if (i > 0)
                QCOMPARE(samples.at(i).timeMs - samples.at(i - 1).timeMs, qint64(1000));
        }
    }

    void targetsListsTheActiveTargets()
    {
        PrometheusClient client(settingsFor(m_prom->url()));
        std::optional<PromTargetsResult> out;
        client.targets([&out](const PromTargetsResult& r) { out = r; });
        QTRY_VERIFY_WITH_TIMEOUT(out.has_value(), 15000);
        QVERIFY2(out->ok(), qPrintable(out->errorText));
        QCOMPARE(out->targets.size(), 1);
        QCOMPARE(out->targets.first().labels.value(QStringLiteral("job")), QStringLiteral("self"));
        QCOMPARE(out->targets.first().scrapePool, QStringLiteral("self"));
        QCOMPARE(out->targets.first().health, QStringLiteral("up"));
    }

    void rejectedQuerySaysWhy()
    {
        PrometheusClient client(settingsFor(m_prom->url()));
        const auto r = runQuery(client, QStringLiteral("sum(up{job=\"self\"}"));
        QVERIFY(r);
        QCOMPARE(r->error, PromQueryResult::Error::Http);
        QVERIFY2(r->errorText.contains(QStringLiteral("HTTP 400")), qPrintable(r->errorText));
        QVERIFY2(r->errorText.contains(QStringLiteral("bad_data")), qPrintable(r->errorText));
        QVERIFY2(r->errorText.contains(QStringLiteral("sum(up{job=\"self\"}")), qPrintable(r->errorText));
    }

    void unreachableServerIsNamed()
    {
        const quint16 port = PrometheusProcess::freePort(); // nobody listens there any more
        PrometheusClient client(settingsFor(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port))));
        const auto r = runQuery(client, QStringLiteral("up"));
        QVERIFY(r);
        QCOMPARE(r->error, PromQueryResult::Error::Unreachable);
        QCOMPARE(r->errorText,
            QStringLiteral("Prometheus at http://127.0.0.1:%1 unreachable: connection refused").arg(port));
    }

    void badRepliesAreClearErrors_data()
    {
        QTest::addColumn<QByteArray>("reply");
        QTest::addColumn<int>("error");
        QTest::addColumn<QString>("says");
        const int malformed = int(PromQueryResult::Error::Malformed);
        const QByteArray ok = "200 OK";
        QTest::addRow("not JSON") << httpReply(ok, "<html>proxy login</html>") << malformed
                                  << QStringLiteral("not JSON");
        QTest::addRow("truncated") << httpReply(ok, "{\"status\":\"success\",\"data\":{\"resultType\":\"vec")
                                   << malformed << QStringLiteral("not JSON");
        QTest::addRow("HTTP 500") << httpReply("500 Internal Server Error", "boom") << int(PromQueryResult::Error::Http)
                                  << QStringLiteral("HTTP 500 Internal Server Error");
        QTest::addRow("status") << httpReply(ok, "{\"status\":\"maybe\"}") << malformed << QStringLiteral("'status'");
        QTest::addRow("no data") << httpReply(ok, "{\"status\":\"success\"}") << malformed << QStringLiteral("'data'");
        QTest::addRow("resultType") << httpReply(
            ok, "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":[]}}")
                                    << malformed << QStringLiteral("unsupported resultType 'streams'");
        QTest::addRow("value as number") << httpReply(ok,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
            "\"value\":[1700000000,1]}]}}")
                                         << malformed << QStringLiteral("sample value");
        QTest::addRow("value not numeric") << httpReply(ok,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
            "\"value\":[1700000000,\"many\"]}]}}")
                                           << malformed << QStringLiteral("sample value");
        QTest::addRow("time as string") << httpReply(ok,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
            "\"value\":[\"now\",\"1\"]}]}}")
                                        << malformed << QStringLiteral("sample time");
        QTest::addRow("label not a string") << httpReply(ok,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":1},"
            "\"value\":[1700000000,\"1\"]}]}}")
                                            << malformed << QStringLiteral("label 'a'");
        QTest::addRow("matrix without values") << httpReply(
            ok, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{}}]}}")
                                               << malformed << QStringLiteral("'values'");
    }
    void badRepliesAreClearErrors()
    {
        QFETCH(QByteArray, reply);
        QFETCH(int, error);
        QFETCH(QString, says);
        FakeServer server(reply);
        PrometheusClient client(settingsFor(server.url()));
        const QString query = QStringLiteral("sum by (instance) (rate(x_total[5s]))");
        const auto r = runQuery(client, query);
        QVERIFY(r);
        QCOMPARE(int(r->error), error);
        QVERIFY(r->series.isEmpty());
        QVERIFY2(r->errorText.contains(says), qPrintable(r->errorText));
        QVERIFY2(r->errorText.contains(QStringLiteral("Prometheus at ") + server.url().toString()),
            qPrintable(r->errorText));
        if (error != int(PromQueryResult::Error::Http) || !says.contains(QStringLiteral("500")))
            QVERIFY2(r->errorText.contains(query), qPrintable(r->errorText));
    }

    void silentServerHitsTheDeadline()
    {
        FakeServer server({}); // accepts, reads, never answers
        PrometheusClient client(settingsFor(server.url(), 500));
        QElapsedTimer clock;
        clock.start();
        const auto r = runQuery(client, QStringLiteral("up"));
        const qint64 took = clock.elapsed();
        QVERIFY(r);
        QCOMPARE(r->error, PromQueryResult::Error::Timeout);
        QVERIFY2(took >= 450 && took < 4000, qPrintable(QString::number(took)));
        QVERIFY2(
            r->errorText.contains(QStringLiteral("query 'up' got no answer within 0.5 s")), qPrintable(r->errorText));
        QCOMPARE(client.inFlight(), 0);
    }

    void bearerTokenIsSentAndNeverShown()
    {
        const QByteArray secret = "s3cr3t-bearer-value";
        qputenv("FD_TEST_PROM_TOKEN", secret);
        FakeServer server(httpReply(
            "401 Unauthorized", "{\"status\":\"error\",\"errorType\":\"unauthorized\",\"error\":\"bad token\"}"));
        PrometheusClient::Settings s = settingsFor(server.url());
        s.token = SecretRef::env(QStringLiteral("FD_TEST_PROM_TOKEN"));
        PrometheusClient client(s);
        const auto r = runQuery(client, QStringLiteral("up"));
        QVERIFY(r);
        QCOMPARE(server.requests.size(), 1);
        QVERIFY2(server.requests.first().contains(QByteArray("\r\nAuthorization: Bearer " + secret + "\r\n")),
            server.requests.first().constData());
        QCOMPARE(r->error, PromQueryResult::Error::Http);
        QVERIFY2(r->errorText.contains(QStringLiteral("HTTP 401")), qPrintable(r->errorText));
        QVERIFY(!r->errorText.contains(QString::fromLatin1(secret)));

        // An unset variable is an error naming the reference, and nothing is sent without the token.
        qunsetenv("FD_TEST_PROM_TOKEN");
        const auto missing = runQuery(client, QStringLiteral("up"));
        QVERIFY(missing);
        QCOMPARE(missing->error, PromQueryResult::Error::NoToken);
        QVERIFY2(missing->errorText.contains(QStringLiteral("FD_TEST_PROM_TOKEN")), qPrintable(missing->errorText));
        QCOMPARE(server.requests.size(), 1);
    }

    void targetsReplyIsValidated()
    {
        QVERIFY(!PrometheusClient::parseTargetsReply("{\"status\":\"success\",\"data\":{}}").ok());
        QVERIFY(!PrometheusClient::parseTargetsReply("[]").ok());
        const PromTargetsResult r = PrometheusClient::parseTargetsReply(
            "{\"status\":\"success\",\"data\":{\"activeTargets\":[{\"labels\":{\"instance\":\"h:1\",\"job\":\"j\"},"
            "\"scrapePool\":\"j\",\"health\":\"down\",\"lastError\":\"connection refused\"}],\"droppedTargets\":[]}}");
        QVERIFY2(r.ok(), qPrintable(r.errorText));
        QCOMPARE(r.targets.size(), 1);
        QCOMPARE(r.targets.first().labels.value(QStringLiteral("instance")), QStringLiteral("h:1"));
        QCOMPARE(r.targets.first().lastError, QStringLiteral("connection refused"));
    }
};

QTEST_GUILESS_MAIN(TestPrometheusClient)
#include "tst_prometheusclient.moc"
