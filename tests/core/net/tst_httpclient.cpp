#include "net/httpclient.h"
#include "shared/recordinghttpserver.h"
#include "shared/selfsignedcert.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSslKey>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace FaultDesk;
using FaultDesk::Test::RecordingHttpServer;
using namespace std::chrono_literals;

class TestHttpClient : public QObject
{
    Q_OBJECT

    static QByteArray randomToken()
    {
        QByteArray t;
        for (int i = 0; i < 4; ++i)
            t += QByteArray::number(QRandomGenerator::global()->generate64(), 36);
        return "canary-" + t;
    }

    // Sends @p request and waits for its answer.
    static std::optional<HttpResponse> fetch(HttpClient& client, const HttpRequest& request)
    {
        std::optional<HttpResponse> out;
        client.send(request, &client, [&out](const HttpResponse& r) { out = r; });
        if (!QTest::qWaitFor([&out] { return out.has_value(); }, 20000))
            return std::nullopt;
        return out;
    }

    QTemporaryDir m_certDir;
    QSslConfiguration m_serverTls;
    QList<QSslCertificate> m_ca;

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
        QFile key(m_certDir.filePath(u"key.pem"_qs));
        QVERIFY(key.open(QIODevice::ReadOnly));
        QString why;
        const auto ca = HttpClient::readCaFile(m_certDir.filePath(u"ca.pem"_qs), &why);
        QVERIFY2(ca.has_value(), qPrintable(why));
        m_ca = *ca;
        m_serverTls = QSslConfiguration::defaultConfiguration();
        m_serverTls.setLocalCertificate(m_ca.first());
        m_serverTls.setPrivateKey(QSslKey(key.readAll(), QSsl::Rsa));
        m_serverTls.setPeerVerifyMode(QSslSocket::VerifyNone);
    }

    void tokenReachesItsOrigin()
    {
        RecordingHttpServer a;
        HttpClient client;
        HttpRequest request;
        request.url = a.url(u"/api"_qs);
        request.bearerToken = randomToken();
        const auto r = fetch(client, request);
        QVERIFY(r);
        QVERIFY2(r->ok(), qPrintable(r->errorText));
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, "ok\n");
        QCOMPARE(a.requests().size(), 1);
        QCOMPARE(a.requests().first().header("Authorization"), "Bearer " + request.bearerToken);
    }

    // The reproduced leak: a redirect from 127.0.0.1:A to localhost:B handed B the token. Now B is never
    // contacted, the request fails saying why, and the token reached only A.
    void redirectToAnotherOriginCarriesNoToken_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("host");
        QTest::addColumn<QByteArray>("method");
        QTest::addRow("302 to localhost:B") << 302 << u"localhost"_qs << QByteArray("GET");
        QTest::addRow("301 to localhost:B") << 301 << u"localhost"_qs << QByteArray("GET");
        QTest::addRow("303 to localhost:B after POST") << 303 << u"localhost"_qs << QByteArray("POST");
        QTest::addRow("307 to localhost:B after POST") << 307 << u"localhost"_qs << QByteArray("POST");
        QTest::addRow("308 to 127.0.0.1:B (same host, other port)") << 308 << u"127.0.0.1"_qs << QByteArray("PUT");
    }
    void redirectToAnotherOriginCarriesNoToken()
    {
        QFETCH(int, status);
        QFETCH(QString, host);
        QFETCH(QByteArray, method);
        RecordingHttpServer a;
        RecordingHttpServer b;
        a.redirect("/start", b.url(u"/steal"_qs, host), status);
        HttpClient client;
        HttpRequest request;
        request.method = method;
        request.url = a.url(u"/start"_qs);
        request.body = method == "GET" ? QByteArray() : QByteArray("{}");
        request.bearerToken = randomToken();
        const auto r = fetch(client, request);
        QVERIFY(r);
        QCOMPARE(r->error, HttpResponse::Error::Redirect);
        QVERIFY2(r->errorText.contains(u"leaves the configured origin http://127.0.0.1:"_qs), qPrintable(r->errorText));
        QVERIFY(!r->errorText.contains(QString::fromLatin1(request.bearerToken)));
        QCOMPARE(a.requestsWithAuthorization(), 1);
        QCOMPARE(b.requests().size(), 0);
        QCOMPARE(b.requestsWithAuthorization(), 0);
        QCOMPARE(b.occurrences(request.bearerToken), 0);
    }

    void sameOriginRedirectKeepsToken()
    {
        RecordingHttpServer a;
        a.redirect("/old", a.url(u"/new"_qs));
        a.route("/new", { 200, {}, "moved here\n" });
        HttpClient client;
        HttpRequest request;
        request.url = a.url(u"/old"_qs);
        request.bearerToken = randomToken();
        const auto r = fetch(client, request);
        QVERIFY(r);
        QVERIFY2(r->ok(), qPrintable(r->errorText));
        QCOMPARE(r->body, "moved here\n");
        QCOMPARE(r->redirects, 1);
        QCOMPARE(r->url.path(), u"/new"_qs);
        QCOMPARE(a.requestsWithAuthorization(), 2);
    }

    void redirectLoopIsCapped()
    {
        RecordingHttpServer a;
        a.redirect("/loop", a.url(u"/loop"_qs));
        HttpClient client;
        HttpRequest request;
        request.url = a.url(u"/loop"_qs);
        request.maxRedirects = 2;
        const auto r = fetch(client, request);
        QVERIFY(r);
        QCOMPARE(r->error, HttpResponse::Error::Redirect);
        QVERIFY2(r->errorText.contains(u"too many redirects (limit 2)"_qs), qPrintable(r->errorText));
        QCOMPARE(a.requests().size(), 3);
    }

    void httpsNeverDowngradesToHttp()
    {
        if (m_ca.isEmpty())
            QSKIP("openssl is not available to make a certificate");
        RecordingHttpServer secure(m_serverTls);
        RecordingHttpServer plain;
        secure.redirect("/down", plain.url(u"/"_qs, u"localhost"_qs));
        HttpClient client;
        HttpRequest request;
        request.url = secure.url(u"/down"_qs, u"localhost"_qs);
        request.extraCaCertificates = m_ca;
        request.bearerToken = randomToken();
        const auto r = fetch(client, request);
        QVERIFY(r);
        QCOMPARE(r->error, HttpResponse::Error::Redirect);
        QVERIFY2(r->errorText.contains(u"downgrade https to http"_qs), qPrintable(r->errorText));
        QCOMPARE(secure.requests().size(), 1);
        QCOMPARE(plain.requests().size(), 0);
    }

    void tlsIsVerified()
    {
        if (m_ca.isEmpty())
            QSKIP("openssl is not available to make a certificate");
        RecordingHttpServer secure(m_serverTls);
        HttpClient client;
        HttpRequest request;
        request.url = secure.url(u"/ok"_qs, u"localhost"_qs);
        request.bearerToken = randomToken();
        const auto untrusted = fetch(client, request);
        QVERIFY(untrusted);
        QCOMPARE(untrusted->error, HttpResponse::Error::Tls);
        QCOMPARE(secure.requests().size(), 0); // the handshake failed before any header was sent
        request.extraCaCertificates = m_ca;
        HttpClient fresh; // a deployment's CAs do not change between requests; a new client starts clean
        const auto trusted = fetch(fresh, request);
        QVERIFY(trusted);
        QVERIFY2(trusted->ok(), qPrintable(trusted->errorText));
        QCOMPARE(secure.requestsWithAuthorization(), 1);
    }

    void tokenOverPlainHttpToRemoteHostIsRefused()
    {
        HttpClient client;
        HttpRequest request;
        request.url = QUrl(u"http://192.0.2.10:9090/api"_qs); // TEST-NET-1: refused before any connection
        request.bearerToken = randomToken();
        const auto r = fetch(client, request);
        QVERIFY(r);
        QCOMPARE(r->error, HttpResponse::Error::Invalid);
        QVERIFY2(r->errorText.contains(u"insecure_token_over_http"_qs), qPrintable(r->errorText));
        QVERIFY(HttpClient::isLoopbackHost(u"localhost"_qs));
        QVERIFY(HttpClient::isLoopbackHost(u"127.3.4.5"_qs));
        QVERIFY(HttpClient::isLoopbackHost(u"::1"_qs));
        QVERIFY(!HttpClient::isLoopbackHost(u"192.0.2.10"_qs));
        QVERIFY(!HttpClient::isLoopbackHost(u"localhost.example.com"_qs));
    }

    void deadlineCoversTheWholeExchange()
    {
        QTcpServer silent; // accepts and never answers
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        HttpClient client;
        HttpRequest request;
        request.url = QUrl(u"http://127.0.0.1:%1/hang"_qs.arg(silent.serverPort()));
        request.timeout = 300ms;
        QElapsedTimer clock;
        clock.start();
        const auto r = fetch(client, request);
        QVERIFY(r);
        QCOMPARE(r->error, HttpResponse::Error::Timeout);
        QVERIFY2(r->errorText.contains(u"no complete answer within 0.3 s"_qs), qPrintable(r->errorText));
        QVERIFY(clock.elapsed() < 5000);
        QCOMPARE(client.inFlight(), 0);
    }

    void bodyIsCapped_data()
    {
        QTest::addColumn<bool>("truncate");
        QTest::addRow("fail") << false;
        QTest::addRow("truncate") << true;
    }
    void bodyIsCapped()
    {
        QFETCH(bool, truncate);
        RecordingHttpServer a;
        a.route("/big", { 200, {}, QByteArray(256 * 1024, 'x') });
        HttpClient client;
        HttpRequest request;
        request.url = a.url(u"/big"_qs);
        request.maxBodyBytes = 1024;
        request.overLimit = truncate ? HttpRequest::OverLimit::Truncate : HttpRequest::OverLimit::Fail;
        const auto r = fetch(client, request);
        QVERIFY(r);
        if (truncate) {
            QVERIFY2(r->ok(), qPrintable(r->errorText));
            QVERIFY(r->truncated);
            QCOMPARE(r->body.size(), 1024);
            QCOMPARE(r->status, 200);
        } else {
            QCOMPARE(r->error, HttpResponse::Error::TooLarge);
            QVERIFY2(r->errorText.contains(u"reply larger than 1024 bytes"_qs), qPrintable(r->errorText));
            QVERIFY(r->body.isEmpty());
        }
    }

    void refusedConnectionIsNamed()
    {
        quint16 port = 0;
        {
            QTcpServer s;
            QVERIFY(s.listen(QHostAddress::LocalHost, 0));
            port = s.serverPort();
        }
        HttpClient client;
        HttpRequest request;
        request.url = QUrl(u"http://127.0.0.1:%1/"_qs.arg(port));
        const auto r = fetch(client, request);
        QVERIFY(r);
        QCOMPARE(r->error, HttpResponse::Error::Refused);
        QCOMPARE(r->errorText, u"connection refused"_qs);
    }

    void abortedOrOrphanedRequestsNeverCallBack()
    {
        RecordingHttpServer a;
        HttpClient client;
        HttpRequest request;
        request.url = a.url(u"/ok"_qs);
        int calls = 0;
        const quint64 id = client.send(request, &client, [&calls](const HttpResponse&) { ++calls; });
        client.abort(id);
        auto* context = new QObject;
        client.send(request, context, [&calls](const HttpResponse&) { ++calls; });
        delete context;
        QTRY_COMPARE(client.inFlight(), 0);
        QTest::qWait(50);
        QCOMPARE(calls, 0);
    }

    void authorizationHeaderCannotBeSmuggled()
    {
        HttpClient client;
        HttpRequest request;
        request.url = QUrl(u"http://127.0.0.1:1/"_qs);
        request.headers.emplaceBack(QByteArray("authorization"), "Bearer x");
        const auto r = fetch(client, request);
        QVERIFY(r);
        QCOMPARE(r->error, HttpResponse::Error::Invalid);
    }
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
