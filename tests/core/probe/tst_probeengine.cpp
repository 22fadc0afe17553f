#include "probe/probeengine.h"
#include "shared/selfsignedcert.h"
#include "testhttpserver.h"

#include <QSignalSpy>
#include <QSslKey>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;
using FaultDesk::Test::TestHttpServer;
using Reason = ProbeResult::FailureReason;

class TestProbeEngine : public QObject
{
    Q_OBJECT

private:
    ProbeResult run(const ProbeSpec& spec, int waitMs = 20000)
    {
        QSignalSpy spy(m_engine.get(), &ProbeEngine::probeFinished);
        m_engine->submit(QStringLiteral("web-1"), 2, spec);
        if (!spy.wait(waitMs))
            return {};
        return spy.at(0).at(0).value<ProbeResult>();
    }

    static quint16 closedPort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        const quint16 port = probe.serverPort();
        probe.close();
        return port;
    }

    std::unique_ptr<TestHttpServer> m_server;
    std::unique_ptr<ProbeEngine> m_engine;
    QTemporaryDir m_certDir;
    QSslConfiguration m_serverTls;

private Q_SLOTS:
    // A self-signed certificate for "localhost", made with the openssl tool, for the HTTPS cases.
    void initTestCase()
    {
        const QString openssl = QStandardPaths::findExecutable(u"openssl"_qs);
        if (openssl.isEmpty())
            return;
        QString error;
        QVERIFY2(Test::makeSelfSignedCertificate(
                     m_certDir.filePath(u"key.pem"_qs), m_certDir.filePath(u"ca.pem"_qs), u"localhost"_qs, &error),
            qPrintable(error));
        QFile cert(m_certDir.filePath(u"ca.pem"_qs));
        QFile key(m_certDir.filePath(u"key.pem"_qs));
        QVERIFY(cert.open(QIODevice::ReadOnly) && key.open(QIODevice::ReadOnly));
        m_serverTls = QSslConfiguration::defaultConfiguration();
        m_serverTls.setLocalCertificate(QSslCertificate(cert.readAll()));
        m_serverTls.setPrivateKey(QSslKey(key.readAll(), QSsl::Rsa));
        m_serverTls.setPeerVerifyMode(QSslSocket::VerifyNone); // the server does not ask for client certificates
    }

    void init()
    {
        m_server = std::make_unique<TestHttpServer>();
        QVERIFY(m_server->isListening());
        m_engine = std::make_unique<ProbeEngine>();
    }

    void cleanup()
    {
        m_engine.reset();
        m_server.reset();
    }

    void reasonNames()
    {
        const QList<Reason> all { Reason::None, Reason::Refused, Reason::Timeout, Reason::Reset, Reason::Dns,
            Reason::Tls, Reason::HttpStatus, Reason::BodyLimit, Reason::BodyMismatch, Reason::Parse, Reason::Other };
        QSet<QString> names;
        for (Reason reason : all)
            names.insert(ProbeResult::reasonName(reason));
        QCOMPARE(names.size(), all.size());
        QCOMPARE(ProbeResult::reasonName(Reason::HttpStatus), QStringLiteral("http-status"));
        QCOMPARE(ProbeResult::reasonName(Reason::BodyLimit), QStringLiteral("body-limit"));
        QCOMPARE(ProbeResult::reasonName(Reason::Timeout), QStringLiteral("timeout"));
    }

    void outcomes_data()
    {
        QTest::addColumn<QString>("url"); // "%1" is replaced by the server's port, "%2" by a closed port
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("expectedStatus");
        QTest::addColumn<QByteArray>("bodyContains");
        QTest::addColumn<QString>("caFile");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("reason");
        QTest::addColumn<QString>("textContains");
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<QByteArray>("body");

        const int http = int(ProbeSpec::Kind::Http);
        const int metrics = int(ProbeSpec::Kind::Metrics);
        const int tcp = int(ProbeSpec::Kind::Tcp);
        const QString base = QStringLiteral("http://127.0.0.1:%1");
        auto add = [&](const char* name, const QString& url, int kind, bool ok, Reason reason, const QString& text,
                       int status = 0, const QByteArray& body = {}, int expected = 0, const QByteArray& contains = {},
                       const QString& ca = {}) {
            QTest::addRow("%s", name) << url << kind << expected << contains << ca << ok << int(reason) << text
                                      << status << body;
        };
        add("ok", base + u"/ok", http, true, Reason::None, {}, 200, "ok\n");
        add("metrics", base + u"/metrics", metrics, true, Reason::None, {}, 200, "# TYPE up gauge\nup 1\n");
        add("chunked body", base + u"/chunked", http, true, Reason::None, {}, 200, "hello chunked world");
        add("HTTP/1.0 close-delimited", base + u"/http10", http, true, Reason::None, {}, 200, "close-delimited body");
        add("expected 404", base + u"/missing", http, true, Reason::None, {}, 404, "no such page\n", 404);
        add("body contains", base + u"/ok", http, true, Reason::None, {}, 200, "ok\n", 0, "ok");
        add("2 redirects", base + u"/redirect/2", http, true, Reason::None, {}, 200, "ok\n");
        add("refused", QStringLiteral("http://127.0.0.1:%2/ok"), http, false, Reason::Refused,
            u"connection refused"_qs);
        add("dns", QStringLiteral("http://no-such-host.invalid/ok"), http, false, Reason::Dns, u"DNS lookup"_qs);
        add("503 with reason", base + u"/503", http, false, Reason::HttpStatus,
            u"HTTP 503: db integrity check failed"_qs, 503);
        add("404 unexpected", base + u"/missing", metrics, false, Reason::HttpStatus, u"HTTP 404: no such page"_qs,
            404);
        add("200 where 404 expected", base + u"/ok", http, false, Reason::HttpStatus, u"(expected 404)"_qs, 200, {},
            404);
        add("body mismatch", base + u"/ok", http, false, Reason::BodyMismatch, u"does not contain \"healthy\""_qs, 200,
            {}, 0, "healthy");
        add("garbage", base + u"/garbage", http, false, Reason::Other, u"malformed HTTP response"_qs);
        add("reset", base + u"/reset", http, false, Reason::Reset, u"connection reset by"_qs);
        // Host names are resolved (QHostInfo, cached) before the connect; localhost also has ::1, tried second.
        const QString named = QStringLiteral("http://localhost:%1");
        add("ok via host name", named + u"/chunked", http, true, Reason::None, {}, 200, "hello chunked world");
        add("503 via host name", named + u"/503", http, false, Reason::HttpStatus, u"HTTP 503: db integrity"_qs, 503);
        add("reset via host name", named + u"/reset", http, false, Reason::Reset, u"before responding"_qs);
        add("refused via host name", QStringLiteral("http://localhost:%2/ok"), http, false, Reason::Refused,
            u"connection refused"_qs);
        add("closed without answer", base + u"/close", http, false, Reason::Reset, u"connection closed by"_qs);
        add("too many redirects", base + u"/redirect/5", http, false, Reason::HttpStatus, u"too many redirects"_qs,
            302);
        add("redirect loop", base + u"/loop", http, false, Reason::HttpStatus, u"too many redirects"_qs, 301);
        add("redirect to ftp", base + u"/toftp", http, false, Reason::Other, u"unsupported URL"_qs, 302);
        add("tls to a plain server", QStringLiteral("https://127.0.0.1:%1/ok"), http, false, Reason::Tls, u"TLS"_qs);
        add("unreadable CA file", QStringLiteral("https://127.0.0.1:%1/ok"), http, false, Reason::Tls, u"CA file"_qs, 0,
            {}, 0, {}, u"/nonexistent/ca.pem"_qs);
        add("unsupported scheme", QStringLiteral("ftp://127.0.0.1:%1/"), http, false, Reason::Other,
            u"unsupported URL scheme"_qs);
        add("tcp connect", QStringLiteral("tcp://127.0.0.1:%1"), tcp, true, Reason::None, {});
        add("tcp refused", QStringLiteral("tcp://127.0.0.1:%2"), tcp, false, Reason::Refused, u"connection refused"_qs);
    }

    void outcomes()
    {
        QFETCH(QString, url);
        QFETCH(int, kind);
        QFETCH(int, expectedStatus);
        QFETCH(QByteArray, bodyContains);
        QFETCH(QString, caFile);
        QFETCH(bool, ok);
        QFETCH(int, reason);
        QFETCH(QString, textContains);
        QFETCH(int, httpStatus);
        QFETCH(QByteArray, body);

        ProbeSpec spec;
        spec.kind = ProbeSpec::Kind(kind);
        if (url.contains(u"%2"))
            spec.url = QUrl(url.arg(closedPort()));
        else if (url.contains(u"%1"))
            spec.url = QUrl(url.arg(m_server->port()));
        else
            spec.url = QUrl(url);
        spec.expectedStatus = expectedStatus;
        spec.bodyContains = bodyContains;
        spec.caFile = caFile;
        spec.timeoutMs = 5000;

        const ProbeResult result = run(spec);
        QCOMPARE(result.target, QStringLiteral("web-1"));
        QCOMPARE(result.probeIndex, 2);
        QCOMPARE(int(result.kind), kind);
        QVERIFY2(result.ok == ok, qPrintable(result.reasonText));
        QCOMPARE(ProbeResult::reasonName(result.reason), ProbeResult::reasonName(Reason(reason)));
        QVERIFY2(result.reasonText.contains(textContains), qPrintable(result.reasonText));
        QVERIFY2(ok || !result.reasonText.isEmpty(), "a failure always has a readable reason");
        QCOMPARE(result.httpStatus, httpStatus);
        if (ok && kind != int(ProbeSpec::Kind::Tcp))
            QCOMPARE(result.body, body);
        QVERIFY(result.startedAt.isValid());
        QVERIFY(result.elapsedUs > 0);
        QVERIFY(result.elapsedUs < 5'000'000);
    }

    void tls_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("trustCa");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("textContains");
        QTest::addRow("verified with the target's CA file")
            << u"localhost"_qs << u"/chunked"_qs << true << true << QString();
        QTest::addRow("self-signed, CA not given") << u"localhost"_qs << u"/ok"_qs << false << false << u"TLS"_qs;
        QTest::addRow("name mismatch") << u"127.0.0.1"_qs << u"/ok"_qs << true << false << u"TLS"_qs;
        QTest::addRow("redirect https to http")
            << u"localhost"_qs << u"/tohttp"_qs << true << false << u"refused redirect from https"_qs;
    }

    void tls()
    {
        QFETCH(QString, host);
        QFETCH(QString, path);
        QFETCH(bool, trustCa);
        QFETCH(bool, ok);
        QFETCH(QString, textContains);
        if (m_serverTls.isNull())
            QSKIP("openssl is not installed");
        TestHttpServer server(m_serverTls);
        QVERIFY(server.isListening());
        ProbeSpec spec = ProbeSpec::http(server.url(path, host), 10000);
        if (trustCa)
            spec.caFile = m_certDir.filePath(u"ca.pem"_qs);
        const ProbeResult result = run(spec);
        QVERIFY2(result.ok == ok, qPrintable(result.reasonText));
        if (ok) {
            QCOMPARE(result.body, QByteArray("hello chunked world"));
        } else {
            QCOMPARE(result.reason, Reason::Tls);
            QVERIFY2(result.reasonText.contains(textContains), qPrintable(result.reasonText));
        }
    }

    // A server that hangs or trickles is cut off at the probe's wall-clock deadline.
    void deadline_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("phase");
        QTest::addRow("accepts, never answers") << u"/hang"_qs << u"waiting for the response"_qs;
        QTest::addRow("trickles the status line") << u"/slow"_qs << u"reading the response"_qs;
        QTest::addRow("trickles the body") << u"/slowbody"_qs << u"reading the response"_qs;
    }

    void deadline()
    {
        QFETCH(QString, path);
        QFETCH(QString, phase);
        ProbeSpec spec = ProbeSpec::http(m_server->url(path), 700);
        const ProbeResult result = run(spec);
        QVERIFY(!result.ok);
        QCOMPARE(result.reason, Reason::Timeout);
        QVERIFY2(result.reasonText.startsWith(u"timeout after 700 ms"), qPrintable(result.reasonText));
        QVERIFY2(result.reasonText.contains(phase), qPrintable(result.reasonText));
        QVERIFY2(result.elapsedUs >= 650'000, qPrintable(QString::number(result.elapsedUs)));
        QVERIFY2(result.elapsedUs < 700'000 + 2'000'000, qPrintable(QString::number(result.elapsedUs)));
        if (path != u"/hang")
            QVERIFY(result.bytesRead > 0); // bytes kept coming, and the deadline still held
    }

    // 100 MB bodies stop at the limit, and the process never holds them.
    void bodyLimit_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("announced");
        QTest::addRow("Content-Length 100 MB") << u"/huge-length"_qs << true;
        QTest::addRow("close-delimited 100 MB") << u"/huge-stream"_qs << false;
        QTest::addRow("chunked 100 MB") << u"/huge-chunked"_qs << false;
    }

    void bodyLimit()
    {
        QFETCH(QString, path);
        QFETCH(bool, announced);
        QVERIFY(FaultDesk::Test::resetPeakRss());
        const qint64 rssBefore = FaultDesk::Test::procStatusKiB("VmRSS");
        ProbeSpec spec = ProbeSpec::metrics(m_server->url(path), 20000);
        const qint64 limit = spec.effectiveBodyLimit();
        QCOMPARE(limit, 10LL * 1024 * 1024);
        const ProbeResult result = run(spec, 30000);
        const qint64 peakGrowthKiB = FaultDesk::Test::procStatusKiB("VmHWM") - rssBefore;
        QVERIFY2(!result.ok, qPrintable(result.reasonText));
        QCOMPARE(result.reason, Reason::BodyLimit);
        QVERIFY2(result.reasonText.contains(QString::number(limit)), qPrintable(result.reasonText));
        QVERIFY(result.body.isEmpty());
        // Reading stopped at the limit: not a byte more than one socket slice past it.
        QVERIFY2(result.bytesRead <= limit + 512 * 1024, qPrintable(QString::number(result.bytesRead)));
        if (!announced)
            QVERIFY2(result.bytesRead >= limit - 64 * 1024, qPrintable(QString::number(result.bytesRead)));
        // The 100 MB never lived in memory (server and client share this process).
        QVERIFY2(peakGrowthKiB < 48 * 1024, qPrintable(QStringLiteral("peak RSS grew by %1 KiB").arg(peakGrowthKiB)));
        qInfo("%s: read %lld bytes, peak RSS +%lld KiB, %lld ms", qPrintable(path), result.bytesRead, peakGrowthKiB,
            result.elapsedUs / 1000);
    }

    void keepAliveReusesOneConnection()
    {
        for (int i = 0; i < 5; ++i) {
            const ProbeResult result = run(ProbeSpec::http(m_server->url(u"/ok"_qs), 5000));
            QVERIFY2(result.ok, qPrintable(result.reasonText));
        }
        QCOMPARE(m_server->requestsServed(), 5);
        QCOMPARE(m_server->connectionsAccepted(), 1);
    }

    // The server closes an idle kept-alive connection; the next probe must not report that as a failure.
    void staleKeepAliveIsRetried()
    {
        QVERIFY(run(ProbeSpec::http(m_server->url(u"/okclose"_qs), 5000)).ok);
        QTest::qWait(300);
        const ProbeResult result = run(ProbeSpec::http(m_server->url(u"/ok"_qs), 5000));
        QVERIFY2(result.ok, qPrintable(result.reasonText));
        QCOMPARE(m_server->connectionsAccepted(), 2);
    }

    // Hanging probes hold their own slots only: healthy probes submitted with them finish long before.
    void hangingProbesDoNotBlockOthers()
    {
        QSignalSpy spy(m_engine.get(), &ProbeEngine::probeFinished);
        QList<ProbeEngine::Request> batch;
        for (int i = 0; i < 20; ++i)
            batch.append({ u"hang"_qs, i, ProbeSpec::http(m_server->url(u"/hang"_qs), 8000) });
        for (int i = 0; i < 100; ++i)
            batch.append({ u"ok-%1"_qs.arg(i), 0, ProbeSpec::http(m_server->url(u"/ok"_qs), 8000) });
        QElapsedTimer clock;
        clock.start();
        m_engine->submit(batch);
        QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 100, 7000);
        QVERIFY(clock.elapsed() < 7000);
        for (const QList<QVariant>& args : std::as_const(spy)) {
            const auto result = args.at(0).value<ProbeResult>();
            QVERIFY2(result.ok, qPrintable(result.target + u": "_qs + result.reasonText));
            QVERIFY(result.target.startsWith(u"ok-"));
        }
        QCOMPARE(m_engine->pending(), 20);
    }

    // With maxInFlight 1 the probes queue, and each one's deadline only starts when it runs.
    void maxInFlightQueues()
    {
        m_engine->setMaxInFlight(1);
        QSignalSpy spy(m_engine.get(), &ProbeEngine::probeFinished);
        m_engine->submit({ { u"a"_qs, 0, ProbeSpec::http(m_server->url(u"/hang"_qs), 400) },
            { u"b"_qs, 0, ProbeSpec::http(m_server->url(u"/ok"_qs), 400) } });
        QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 2, 5000);
        const auto first = spy.at(0).at(0).value<ProbeResult>();
        const auto second = spy.at(1).at(0).value<ProbeResult>();
        QCOMPARE(first.target, u"a"_qs);
        QCOMPARE(first.reason, Reason::Timeout);
        QCOMPARE(second.target, u"b"_qs);
        QVERIFY2(second.ok, qPrintable(second.reasonText));
    }

    void deletingTheEngineAbortsRunningProbes()
    {
        m_engine->submit(u"x"_qs, 0, ProbeSpec::http(m_server->url(u"/hang"_qs), 60000));
        QTRY_COMPARE(m_server->requestsServed(), 1);
        QElapsedTimer clock;
        clock.start();
        m_engine.reset();
        QVERIFY(clock.elapsed() < 2000);
    }
};

QTEST_GUILESS_MAIN(TestProbeEngine)
#include "tst_probeengine.moc"
