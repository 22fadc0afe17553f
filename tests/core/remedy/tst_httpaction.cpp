#include "remedytest.h"

#include "remedy/httpaction.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUrlQuery>

using namespace FaultDesk;
using namespace FaultDesk::RemedyTest;

class TestHttpAction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void bearerTokenArrivesAndIsMasked();
    void tokenFromFile();
    void valuesEncodedNotInjected();
    void headerInjectionRefused();
    void missingSecretRefused();
    void errorStatusFails();
    void deadlineOnSilentServer();
    void redirectsCapped();
    void responseBounded();

private:
    QString url(const QString& path) const { return u"http://127.0.0.1:%1%2"_qs.arg(m_port).arg(path); }

    QHttpServer m_server;
    quint16 m_port = 0;
    QByteArray m_lastAuthorization;
    QByteArray m_lastBody;
    QUrl m_lastUrl;
    QByteArray m_token;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<JsonlAuditSink> m_sink;
};

void TestHttpAction::initTestCase()
{
    m_server.route(u"/hook"_qs, [this](const QHttpServerRequest& req) {
        m_lastAuthorization = req.value("Authorization");
        m_lastBody = req.body();
        m_lastUrl = req.url();
        // An admin API that echoes the credentials back: the action must mask them in its output.
        return QHttpServerResponse(QByteArray("accepted, you sent: " + m_lastAuthorization));
    });
    m_server.route(
        u"/fail"_qs, [] { return QHttpServerResponse(QHttpServerResponse::StatusCode::InternalServerError); });
    m_server.route(u"/loop"_qs, [] {
        QHttpServerResponse r(QHttpServerResponse::StatusCode::Found);
        r.setHeader("Location", "/loop");
        return r;
    });
    m_server.route(u"/big"_qs, [] { return QHttpServerResponse(QByteArray(1024 * 1024, 'y')); });
    m_port = m_server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(m_port != 0);
}

void TestHttpAction::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_sink = std::make_unique<JsonlAuditSink>(m_dir->filePath(u"audit.jsonl"_qs));
    m_token = "tok-" + QByteArray::number(QRandomGenerator::global()->generate64(), 36);
    qputenv("FD_TEST_TOKEN", m_token);
    m_lastAuthorization.clear();
    m_lastBody.clear();
    m_lastUrl.clear();
}

void TestHttpAction::bearerTokenArrivesAndIsMasked()
{
    HttpSpec spec;
    spec.url = url(u"/hook"_qs);
    spec.body = u"{\"target\": \"{target}\"}"_qs;
    spec.bearerToken = SecretRef::env(u"FD_TEST_TOKEN"_qs);
    HttpAction action(spec, context(m_sink.get()));
    const ActionResult r = run(action);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QCOMPARE(r.exitCode, std::optional<int>(200));
    QCOMPARE(m_lastAuthorization, "Bearer " + m_token);
    QVERIFY2(r.output.contains(u"Bearer ****"_qs), qPrintable(r.output));
    QVERIFY(!r.output.contains(QString::fromLatin1(m_token)));
    QVERIFY(!r.description.contains(QString::fromLatin1(m_token)));
    QVERIFY2(r.description.contains(u"env:FD_TEST_TOKEN"_qs), qPrintable(r.description));
    const QByteArray audit = auditText(*m_sink);
    QVERIFY(!audit.isEmpty());
    QVERIFY2(!audit.contains(m_token), audit.constData());
    QCOMPARE(m_sink->records().size(), 2);
}

void TestHttpAction::tokenFromFile()
{
    const QString path = m_dir->filePath(u"token"_qs);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(m_token + '\n');
    f.close();
    HttpSpec spec;
    spec.method = u"GET"_qs;
    spec.url = url(u"/hook"_qs);
    spec.bearerToken = SecretRef::file(path);
    HttpAction action(spec, context(m_sink.get()));
    QVERIFY(run(action).ok());
    QCOMPARE(m_lastAuthorization, "Bearer " + m_token);
    QVERIFY(!auditText(*m_sink).contains(m_token));
}

void TestHttpAction::valuesEncodedNotInjected()
{
    const QString evil = u"web 1&admin=1#\", \"role\": \"root"_qs;
    ActionContext ctx = context(m_sink.get());
    ctx.fields.set(u"target"_qs, evil);
    HttpSpec spec;
    spec.url = url(u"/hook?target={target}"_qs);
    spec.body = u"{\"target\": \"{target}\"}"_qs;
    HttpAction action(spec, ctx);
    QVERIFY(run(action).ok());
    QCOMPARE(QUrlQuery(m_lastUrl).queryItemValue(u"target"_qs, QUrl::FullyDecoded), evil);
    QVERIFY(!QUrlQuery(m_lastUrl).hasQueryItem(u"admin"_qs));
    const QJsonObject body = QJsonDocument::fromJson(m_lastBody).object();
    QCOMPARE(body.size(), 1);
    QCOMPARE(body.value(u"target"_qs).toString(), evil);
}

void TestHttpAction::headerInjectionRefused()
{
    ActionContext ctx = context(m_sink.get());
    ctx.fields.set(u"target"_qs, u"web-1\r\nX-Admin: yes"_qs);
    HttpSpec spec;
    spec.url = url(u"/hook"_qs);
    spec.headers = { { u"X-Target"_qs, u"{target}"_qs } };
    HttpAction action(spec, ctx);
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Refused);
    QVERIFY2(r.error.contains(u"control character"_qs), qPrintable(r.error));
    QVERIFY(m_lastAuthorization.isEmpty() && m_lastBody.isEmpty());
}

void TestHttpAction::missingSecretRefused()
{
    HttpSpec spec;
    spec.url = url(u"/hook"_qs);
    spec.bearerToken = SecretRef::env(u"FD_TEST_NO_SUCH_TOKEN"_qs);
    HttpAction action(spec, context(m_sink.get()));
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Refused);
    QVERIFY2(r.error.contains(u"env:FD_TEST_NO_SUCH_TOKEN"_qs), qPrintable(r.error));
}

void TestHttpAction::errorStatusFails()
{
    HttpSpec spec;
    spec.url = url(u"/fail"_qs);
    HttpAction action(spec, context(m_sink.get()));
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Failed);
    QCOMPARE(r.exitCode, std::optional<int>(500));
    QCOMPARE(m_sink->records().last().exitCode, std::optional<int>(500));
}

void TestHttpAction::deadlineOnSilentServer()
{
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket*> held;
    connect(&silent, &QTcpServer::newConnection, this, [&] {
        while (auto* s = silent.nextPendingConnection())
            held.append(s); // accept and never answer
    });
    HttpSpec spec;
    spec.url = u"http://127.0.0.1:%1/hook"_qs.arg(silent.serverPort());
    HttpAction action(spec, context(m_sink.get(), u"web-1"_qs, 1000));
    QElapsedTimer clock;
    clock.start();
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Timeout);
    QVERIFY(clock.elapsed() < 10000);
    qDeleteAll(held);
}

void TestHttpAction::redirectsCapped()
{
    HttpSpec spec;
    spec.method = u"GET"_qs;
    spec.url = url(u"/loop"_qs);
    spec.maxRedirects = 2;
    HttpAction action(spec, context(m_sink.get()));
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Failed);
}

void TestHttpAction::responseBounded()
{
    HttpSpec spec;
    spec.method = u"GET"_qs;
    spec.url = url(u"/big"_qs);
    spec.maxResponseBytes = 16 * 1024;
    ActionContext ctx = context(m_sink.get());
    ctx.outputLimit = 16 * 1024;
    HttpAction action(spec, ctx);
    const ActionResult r = run(action);
    QVERIFY(r.output.size() < 20 * 1024);
    QVERIFY(r.data.value(u"truncated"_qs).toBool());
}

QTEST_GUILESS_MAIN(TestHttpAction)
#include "tst_httpaction.moc"
