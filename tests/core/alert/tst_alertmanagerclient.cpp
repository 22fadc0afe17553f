// AlertmanagerClient against a real Alertmanager (alerts, silences) and against a tiny local server that answers
// badly or not at all: every failure is a clear error within the deadline, never a crash.

#include "alert/alertmanagerclient.h"
#include "alertmanagerprocess.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace FaultDesk;
using namespace FaultDesk::Test;

namespace {

/// Answers every request with @p reply (empty: never answers) and remembers the last request head.
class FakeServer
{
public:
    explicit FakeServer(QByteArray reply)
        : m_reply(std::move(reply))
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection()) {
                QObject::connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    m_request += s->readAll();
                    if (!m_request.contains("\r\n\r\n") || m_reply.isEmpty())
                        return;
                    s->write(m_reply);
                    s->disconnectFromHost();
                });
            }
        });
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
    QByteArray request() const { return m_request; }

private:
    QTcpServer m_server;
    QByteArray m_reply;
    QByteArray m_request;
};

QByteArray httpReply(int status, const QByteArray& body)
{
    return "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

AlertmanagerConfig configFor(const QString& url, int timeoutMs = 2000)
{
    AlertmanagerConfig c;
    c.name = QStringLiteral("am1");
    c.url = QUrl(url);
    c.timeout = std::chrono::milliseconds(timeoutMs);
    return c;
}

AlertmanagerAlert alert(const QString& name, const QString& instance)
{
    AlertmanagerAlert a;
    a.labels = { { QStringLiteral("alertname"), name }, { QStringLiteral("instance"), instance },
        { QStringLiteral("severity"), QStringLiteral("page") } };
    a.annotations = { { QStringLiteral("summary"), QStringLiteral("it hurts") } };
    a.startsAt = QDateTime::currentDateTimeUtc().addSecs(-5);
    a.endsAt = QDateTime::currentDateTimeUtc().addSecs(300);
    return a;
}

} // namespace

class TestAlertmanagerClient : public QObject
{
    Q_OBJECT
private:
    struct Fetched
    {
        bool done = false;
        QList<AlertmanagerAlert> alerts;
        QString error;
    };
    static Fetched fetch(AlertmanagerClient& client, bool silenced = true)
    {
        Fetched f;
        QObject context;
        client.fetchAlerts(silenced, false, &context, [&f](const QList<AlertmanagerAlert>& a, const QString& e) {
            f.done = true;
            f.alerts = a;
            f.error = e;
        });
        QElapsedTimer t;
        t.start();
        while (!f.done && t.elapsed() < 15000)
            QTest::qWait(10);
        if (!f.done)
            f.error = QStringLiteral("(test) no answer within 15 s");
        return f;
    }

private Q_SLOTS:
    void alertsAndSilencesAgainstRealAlertmanager()
    {
        AlertmanagerProcess am;
        QVERIFY2(am.start(), am.output().constData());
        AlertmanagerClient client(configFor(am.url()));

        QString postError = QStringLiteral("pending");
        client.postAlerts({ alert(QStringLiteral("HighErrorRate"), QStringLiteral("127.0.0.1:18001")),
                              alert(QStringLiteral("DiskFull"), QStringLiteral("db-primary")) },
            this, [&postError](const QString& e) { postError = e; });
        QTRY_COMPARE_WITH_TIMEOUT(postError, QString(), 10000);

        Fetched f = fetch(client);
        QVERIFY2(f.error.isEmpty(), qPrintable(f.error));
        QCOMPARE(f.alerts.size(), 2);
        const auto high = std::find_if(f.alerts.cbegin(), f.alerts.cend(),
            [](const AlertmanagerAlert& a) { return a.alertName() == u"HighErrorRate"; });
        QVERIFY(high != f.alerts.cend());
        QCOMPARE(high->labels.value(QStringLiteral("instance")), QStringLiteral("127.0.0.1:18001"));
        QCOMPARE(high->annotations.value(QStringLiteral("summary")), QStringLiteral("it hurts"));
        QCOMPARE(high->state, QStringLiteral("active"));
        QVERIFY(!high->fingerprint.isEmpty());
        QVERIFY(high->startsAt.isValid());

        AlertmanagerSilence s;
        s.matchers = { { QStringLiteral("alertname"), QStringLiteral("HighErrorRate") },
            { QStringLiteral("instance"), QStringLiteral("127.0.0.1:18001") } };
        s.startsAt = QDateTime::currentDateTimeUtc();
        s.endsAt = s.startsAt.addSecs(3600);
        s.createdBy = QStringLiteral("alice");
        s.comment = QStringLiteral("looking at it");
        QString silenceId;
        QString error = QStringLiteral("pending");
        client.createSilence(s, this, [&](const QString& id, const QString& e) {
            silenceId = id;
            error = e;
        });
        QTRY_COMPARE_WITH_TIMEOUT(error, QString(), 10000);
        QVERIFY(!silenceId.isEmpty());

        std::optional<AlertmanagerSilence> read;
        error = QStringLiteral("pending");
        client.fetchSilence(silenceId, this, [&](const std::optional<AlertmanagerSilence>& x, const QString& e) {
            read = x;
            error = e;
        });
        QTRY_COMPARE_WITH_TIMEOUT(error, QString(), 10000);
        QVERIFY(read);
        QCOMPARE(read->id, silenceId);
        QCOMPARE(read->state, QStringLiteral("active"));
        QCOMPARE(read->createdBy, QStringLiteral("alice"));
        QCOMPARE(read->matchers.size(), 2);
        QVERIFY(read->matchers.contains(
            AlertmanagerSilence::Matcher { QStringLiteral("alertname"), QStringLiteral("HighErrorRate") }));
        QVERIFY(read->matchers.contains(
            AlertmanagerSilence::Matcher { QStringLiteral("instance"), QStringLiteral("127.0.0.1:18001") }));

        // The silenced alert is listed as suppressed by that silence, and left out when silenced ones are not asked.
        f = fetch(client);
        for (const AlertmanagerAlert& a : std::as_const(f.alerts)) {
            if (a.alertName() == u"HighErrorRate") {
                QCOMPARE(a.state, QStringLiteral("suppressed"));
                QCOMPARE(a.silencedBy, QStringList { silenceId });
            }
        }
        QCOMPARE(fetch(client, false).alerts.size(), 1);

        error = QStringLiteral("pending");
        client.expireSilence(silenceId, this, [&](const QString& e) { error = e; });
        QTRY_COMPARE_WITH_TIMEOUT(error, QString(), 10000);
        error = QStringLiteral("pending");
        client.fetchSilence(silenceId, this, [&](const std::optional<AlertmanagerSilence>& x, const QString& e) {
            read = x;
            error = e;
        });
        QTRY_COMPARE_WITH_TIMEOUT(error, QString(), 10000);
        QCOMPARE(read->state, QStringLiteral("expired"));
        QTRY_COMPARE_WITH_TIMEOUT(fetch(client, false).alerts.size(), 2, 10000);

        // Unknown silence: Alertmanager's own answer, with the request named.
        error.clear();
        client.fetchSilence(QStringLiteral("00000000-0000-0000-0000-000000000000"), this,
            [&](const std::optional<AlertmanagerSilence>&, const QString& e) { error = e; });
        QTRY_VERIFY_WITH_TIMEOUT(!error.isEmpty(), 10000);
        QVERIFY2(error.startsWith(QStringLiteral("Alertmanager am1: GET /api/v2/silence/")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("HTTP 404")), qPrintable(error));
    }

    void badRepliesAreClearErrors_data()
    {
        QTest::addColumn<QByteArray>("reply");
        QTest::addColumn<QString>("expected");
        QTest::addRow("not JSON") << httpReply(200, "{oops") << QStringLiteral("not JSON");
        QTest::addRow("object, not array")
            << httpReply(200, "{\"alerts\": []}") << QStringLiteral("expected a JSON array of alerts");
        QTest::addRow("labels not an object") << httpReply(200,
            "[{\"fingerprint\":\"a\",\"labels\":[],\"startsAt\":\"2024-01-01T00:00:00Z\","
            "\"status\":{\"state\":\"active\"}}]")
                                              << QStringLiteral("alert #0: 'labels' must be an object");
        QTest::addRow("no alertname") << httpReply(200,
            "[{\"fingerprint\":\"a\",\"labels\":{\"x\":\"y\"},\"startsAt\":\"2024-01-01T00:00:00Z\","
            "\"status\":{\"state\":\"active\"}}]")
                                      << QStringLiteral("no alertname");
        QTest::addRow("bad time") << httpReply(200,
            "[{\"fingerprint\":\"a\",\"labels\":{\"alertname\":\"y\"},\"startsAt\":\"yesterday\","
            "\"status\":{\"state\":\"active\"}}]")
                                  << QStringLiteral("'startsAt' is not an RFC 3339 time");
        QTest::addRow("label value not a string") << httpReply(200,
            "[{\"fingerprint\":\"a\",\"labels\":{\"alertname\":3},\"startsAt\":\"2024-01-01T00:00:00Z\","
            "\"status\":{\"state\":\"active\"}}]") << QStringLiteral("'labels.alertname' must be a string");
        QTest::addRow("server error") << httpReply(500, "boom") << QStringLiteral("HTTP 500: boom");
        QTest::addRow("garbage, not HTTP") << QByteArray("\x01\x02 nonsense\r\n\r\n") << QString();
    }

    void badRepliesAreClearErrors()
    {
        QFETCH(QByteArray, reply);
        QFETCH(QString, expected);
        FakeServer server(reply);
        AlertmanagerClient client(configFor(server.url()));
        const Fetched f = fetch(client);
        QVERIFY(f.alerts.isEmpty());
        QVERIFY2(f.error.startsWith(QStringLiteral("Alertmanager am1: GET /api/v2/alerts: ")), qPrintable(f.error));
        QVERIFY2(f.error.contains(expected), qPrintable(f.error));
    }

    void hangingServerTimesOutWithinTheDeadline()
    {
        FakeServer server({}); // accepts, reads, never answers
        AlertmanagerClient client(configFor(server.url(), 400));
        QElapsedTimer t;
        t.start();
        const Fetched f = fetch(client);
        QVERIFY2(f.error.contains(QStringLiteral("no complete reply within 400 ms")), qPrintable(f.error));
        QVERIFY2(t.elapsed() < 5000, "the deadline ends the request");
        QCOMPARE(client.pendingRequests(), 0);
    }

    void oversizedReplyIsRefused()
    {
        const QByteArray body = '[' + QByteArray(4096, ' ') + ']';
        FakeServer server(httpReply(200, body));
        AlertmanagerClient client(configFor(server.url()));
        client.setMaxBodyBytes(1024);
        const Fetched f = fetch(client);
        QVERIFY2(f.error.contains(QStringLiteral("larger than 1024 bytes")), qPrintable(f.error));
    }

    void bearerTokenComesFromItsReferenceAndIsNeverShown()
    {
        FakeServer server(httpReply(200, "[]"));
        AlertmanagerConfig c = configFor(server.url());
        c.token = SecretRef::env(QStringLiteral("FAULTDESK_TEST_AM_TOKEN"));
        qputenv("FAULTDESK_TEST_AM_TOKEN", "s3cret-value");
        {
            AlertmanagerClient client(c);
            const Fetched f = fetch(client);
            QVERIFY2(f.error.isEmpty(), qPrintable(f.error));
            QVERIFY(server.request().contains("Authorization: Bearer s3cret-value\r\n"));
            QVERIFY(server.request().contains("GET /api/v2/alerts?active=true&silenced=true&inhibited=false"));
        }
        qunsetenv("FAULTDESK_TEST_AM_TOKEN");
        AlertmanagerClient client(c);
        const Fetched f = fetch(client);
        QVERIFY2(f.error.contains(QStringLiteral("FAULTDESK_TEST_AM_TOKEN")), qPrintable(f.error));
        QVERIFY(!f.error.contains(QStringLiteral("s3cret")));
    }

    void unreachableIsAnError()
    {
        AlertmanagerClient client(configFor(QStringLiteral("http://127.0.0.1:%1").arg(freePort()), 2000));
        const Fetched f = fetch(client);
        QVERIFY2(f.error.contains(QStringLiteral("refused"), Qt::CaseInsensitive), qPrintable(f.error));
    }
};

QTEST_GUILESS_MAIN(TestAlertmanagerClient)
#include "tst_alertmanagerclient.moc"
