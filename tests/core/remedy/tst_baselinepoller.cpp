// BaselinePoller's database-status reads, against real loopback servers: the admin token reaches the admin
// origin's status endpoint and nothing else, a redirect to a second origin is refused (that origin receives
// nothing and its answer is never taken as the database's state), and a huge or slow body ends the read within
// its cap and deadline instead of holding the poll.

#include "config/fleetconfig.h"
#include "remedy/baselinepoller.h"
#include "shared/recordinghttpserver.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace FaultDesk;
using FaultDesk::Test::RecordingHttpServer;

namespace {

const QByteArray statusDocument = R"({"role":"primary","read_only":false,"integrity_ok":true,"checksum":4242})";
const QByteArray foreignDocument = R"({"role":"replica","read_only":true,"integrity_ok":true,"checksum":666})";

// A server that answers every request with a status line and headers, then a body written as @p mode says:
// endlessly as fast as the socket takes it (no Content-Length), or one byte every 100 ms of a long declared body.
class BodyServer : public QObject
{
public:
    enum class Mode {
        Endless,
        Drip,
    };

    explicit BodyServer(Mode mode)
        : m_mode(mode)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { answer(socket); });
            }
        });
    }

    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/db/status").arg(m_server.serverPort())); }
    qint64 bytesSent() const { return m_sent; }

private:
    void answer(QTcpSocket* socket)
    {
        socket->readAll();
        if (socket->property("answered").toBool())
            return;
        socket->setProperty("answered", true);
        if (m_mode == Mode::Endless) {
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"pad\":\"");
            auto more = [this, socket] {
                if (socket->bytesToWrite() < 256 * 1024 && socket->state() == QAbstractSocket::ConnectedState)
                    m_sent += socket->write(QByteArray(64 * 1024, 'x'));
            };
            connect(socket, &QTcpSocket::bytesWritten, socket, more);
            more();
        } else {
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
            auto* drip = new QTimer(socket);
            connect(drip, &QTimer::timeout, socket, [this, socket] { m_sent += socket->write(" "); });
            drip->start(100);
        }
    }

    Mode m_mode;
    QTcpServer m_server;
    qint64 m_sent = 0;
};

} // namespace

class TestBaselinePoller : public QObject
{
    Q_OBJECT

    QByteArray m_token;

    // A fleet of one database whose admin API lives at @p admin (with the test's token) and whose status
    // endpoint is @p status.
    static FleetConfig fleet(const QUrl& admin, const QUrl& status)
    {
        FleetConfig config;
        TargetConfig db;
        db.name = QStringLiteral("db-1");
        db.address = QStringLiteral("127.0.0.1");
        AdminConfig a;
        a.url = admin;
        a.statusUrl = status;
        a.token = SecretRef::env(QStringLiteral("FD_TEST_ADMIN_TOKEN"));
        db.admin = a;
        config.targets.append(db);
        return config;
    }

    // Polls once and waits until the poll finished; returns how long it took (ms), or -1 if it never did.
    static qint64 pollOnce(BaselinePoller& poller)
    {
        bool done = false;
        QElapsedTimer clock;
        clock.start();
        poller.poll([&done] { done = true; });
        if (!QTest::qWaitFor([&done] { return done; }, 30000))
            return -1;
        return clock.elapsed();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_token = "canary-" + QByteArray::number(QRandomGenerator::system()->generate64(), 36);
        qputenv("FD_TEST_ADMIN_TOKEN", m_token);
    }

    // The admin token goes with the status read when the endpoint is on the admin API's origin.
    void statusOnTheAdminOriginCarriesTheToken()
    {
        RecordingHttpServer origin;
        origin.route("/db/status", { 200, "Content-Type: application/json\r\n", statusDocument });
        const FleetConfig config
            = fleet(origin.url(QStringLiteral("/admin")), origin.url(QStringLiteral("/db/status")));
        BaselinePoller poller(config);
        QVERIFY(pollOnce(poller) >= 0);
        QCOMPARE(origin.requests().size(), 1);
        QCOMPARE(origin.requests().constFirst().header("Authorization"), "Bearer " + m_token);
        QVERIFY2(poller.databaseProblem(QStringLiteral("db-1")).isEmpty(),
            qPrintable(poller.databaseProblem(QStringLiteral("db-1"))));
        QVERIFY(poller.current().databases.contains(QStringLiteral("db-1")));
        QCOMPARE(poller.current().databases.value(QStringLiteral("db-1")).checksum, 4242.0);
        QCOMPARE(poller.current().databases.value(QStringLiteral("db-1")).role, QStringLiteral("primary"));
    }

    // A status endpoint on another origin than the admin API is read without the token it was never given.
    void statusOnAnotherOriginGetsNoToken()
    {
        RecordingHttpServer admin;
        RecordingHttpServer status;
        status.route("/db/status", { 200, {}, statusDocument });
        const FleetConfig config = fleet(admin.url(QStringLiteral("/admin")), status.url(QStringLiteral("/db/status")));
        BaselinePoller poller(config);
        QVERIFY(pollOnce(poller) >= 0);
        QCOMPARE(status.requests().size(), 1);
        QCOMPARE(status.requestsWithAuthorization(), 0);
        QCOMPARE(status.occurrences(m_token), 0);
        QVERIFY(poller.current().databases.contains(QStringLiteral("db-1")));
    }

    void redirectToASecondOriginIsRefused_data()
    {
        QTest::addColumn<int>("status");
        QTest::addRow("302") << 302;
        QTest::addRow("307") << 307;
        QTest::addRow("308") << 308;
    }
    // The second origin (localhost:B, not 127.0.0.1:A) receives no request at all — so no token — and what it
    // would answer is never taken as the database's state: the database is unknown, and the poller says why.
    void redirectToASecondOriginIsRefused()
    {
        QFETCH(int, status);
        RecordingHttpServer origin;
        RecordingHttpServer second;
        second.route("/db/status", { 200, {}, foreignDocument });
        origin.redirect("/db/status", second.url(QStringLiteral("/db/status"), QStringLiteral("localhost")), status);
        const FleetConfig config
            = fleet(origin.url(QStringLiteral("/admin")), origin.url(QStringLiteral("/db/status")));
        BaselinePoller poller(config);
        QVERIFY(pollOnce(poller) >= 0);
        QCOMPARE(origin.requestsWithAuthorization(), 1);
        QCOMPARE(second.requests().size(), 0);
        QCOMPARE(second.occurrences(m_token), 0);
        QVERIFY(!poller.current().databases.contains(QStringLiteral("db-1")));
        const QString why = poller.databaseProblem(QStringLiteral("db-1"));
        QVERIFY2(why.contains(QStringLiteral("leaves the configured origin")), qPrintable(why));
        QVERIFY2(!why.contains(QString::fromLatin1(m_token)), "the reason never quotes the token");
    }

    // A redirect within the origin is followed, token and all.
    void sameOriginRedirectIsFollowed()
    {
        RecordingHttpServer origin;
        origin.redirect("/db/status", origin.url(QStringLiteral("/db/status/v2")), 302);
        origin.route("/db/status/v2", { 200, {}, statusDocument });
        const FleetConfig config
            = fleet(origin.url(QStringLiteral("/admin")), origin.url(QStringLiteral("/db/status")));
        BaselinePoller poller(config);
        QVERIFY(pollOnce(poller) >= 0);
        QCOMPARE(origin.requestsWithAuthorization(), 2);
        QCOMPARE(poller.current().databases.value(QStringLiteral("db-1")).checksum, 4242.0);
    }

    // A database that was known becomes unknown when its status stops being readable (never the old state).
    void failedReadForgetsTheOldState()
    {
        RecordingHttpServer origin;
        origin.route("/db/status", { 200, {}, statusDocument });
        const FleetConfig config
            = fleet(origin.url(QStringLiteral("/admin")), origin.url(QStringLiteral("/db/status")));
        BaselinePoller poller(config);
        QVERIFY(pollOnce(poller) >= 0);
        QVERIFY(poller.current().databases.contains(QStringLiteral("db-1")));
        origin.route("/db/status", { 503, {}, "maintenance" });
        QVERIFY(pollOnce(poller) >= 0);
        QVERIFY(!poller.current().databases.contains(QStringLiteral("db-1")));
        QCOMPARE(poller.databaseProblem(QStringLiteral("db-1")),
            origin.url(QStringLiteral("/db/status")).toDisplayString() + QStringLiteral(": HTTP status 503"));
    }

    void hostileBodyEndsWithinItsBounds_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("reason");
        QTest::addRow("endless body") << int(BodyServer::Mode::Endless)
                                      << QStringLiteral("reply larger than 65536 bytes");
        QTest::addRow("one byte every 100 ms")
            << int(BodyServer::Mode::Drip) << QStringLiteral("no complete answer within 2 s");
    }
    // An endless body stops at the 64 KiB cap, a dripping one at the 2 s deadline (a transfer timeout that each
    // byte restarts would never fire): either way the poll ends, and the database is unknown, with the reason.
    void hostileBodyEndsWithinItsBounds()
    {
        QFETCH(int, mode);
        QFETCH(QString, reason);
        BodyServer server { BodyServer::Mode(mode) };
        RecordingHttpServer admin;
        const FleetConfig config = fleet(admin.url(QStringLiteral("/admin")), server.url());
        BaselinePoller poller(config);
        const qint64 took = pollOnce(poller);
        QVERIFY2(took >= 0, "the poll never finished");
        QVERIFY2(took < 10000, qPrintable(QStringLiteral("the poll took %1 ms").arg(took)));
        QVERIFY(!poller.current().databases.contains(QStringLiteral("db-1")));
        const QString why = poller.databaseProblem(QStringLiteral("db-1"));
        QVERIFY2(why.contains(reason), qPrintable(why));
        // The next poll reads again (the failed read left nothing in flight).
        QVERIFY(pollOnce(poller) >= 0);
        QVERIFY2(poller.databaseProblem(QStringLiteral("db-1")).contains(reason),
            qPrintable(poller.databaseProblem(QStringLiteral("db-1"))));
    }

    // A token that cannot be read is a reason, not a request without it.
    void unreadableTokenIsAReason()
    {
        RecordingHttpServer origin;
        origin.route("/db/status", { 200, {}, statusDocument });
        FleetConfig config = fleet(origin.url(QStringLiteral("/admin")), origin.url(QStringLiteral("/db/status")));
        config.targets.first().admin->token = SecretRef::env(QStringLiteral("FD_TEST_TOKEN_NOT_SET"));
        BaselinePoller poller(config);
        QVERIFY(pollOnce(poller) >= 0);
        QCOMPARE(origin.requests().size(), 0);
        const QString why = poller.databaseProblem(QStringLiteral("db-1"));
        QVERIFY2(why.contains(QStringLiteral("FD_TEST_TOKEN_NOT_SET")), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestBaselinePoller)
#include "tst_baselinepoller.moc"
