#include "remedytest.h"

#include "remedy/haproxyaction.h"
#include "remedy/haproxybaseline.h"
#include "remedy/haproxyclient.h"

#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

using namespace FaultDesk;
using namespace FaultDesk::RemedyTest;

// A real HAProxy on loopback: frontend on a unix socket and a TCP port, backend "web" with four servers that are
// small HTTP responders in this process; they answer only once a request is complete, so a half-sent request holds
// a session open (what a drain must wait for).
class TestHaproxyAction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void setWeightReadBack();
    void setWeightsRebalance();
    void setStateMaintThenReady();
    void badNamesRefusedBeforeSocket_data();
    void badNamesRefusedBeforeSocket();
    void unknownServerFails();
    void templatedNames();
    void drainTrackedToCompletion();
    void drainDeadline();
    void aclBlockAndUnblock();
    void unreachableSocket();
    void recoverToBaseline();

private:
    QList<HaproxyServerState> readStates();
    HaproxyBaseline capture();
    std::unique_ptr<HaproxyAction> action(const HaproxyOperation& op, int deadlineMs = 10000);
    QByteArray request(int timeoutMs = 5000);
    QTcpSocket* holdSession();

    QTemporaryDir m_dir { QDir::tempPath() + u"/fd-hap-XXXXXX"_qs };
    QProcess m_haproxy;
    QList<QTcpServer*> m_servers;
    QList<QTcpSocket*> m_held;
    quint16 m_frontendPort = 0;
    QString m_admin;
    QString m_acl;
    std::unique_ptr<JsonlAuditSink> m_sink;
};

void TestHaproxyAction::initTestCase()
{
    const QString haproxy = QStandardPaths::findExecutable(u"haproxy"_qs, { u"/usr/sbin"_qs, u"/usr/bin"_qs });
    if (haproxy.isEmpty())
        QSKIP("haproxy is not installed");
    QVERIFY(m_dir.isValid());
    QStringList serverLines;
    for (int i = 1; i <= 4; ++i) {
        auto* server = new QTcpServer(this);
        QVERIFY(server->listen(QHostAddress::LocalHost, 0));
        connect(server, &QTcpServer::newConnection, this, [this, server, i] {
            while (QTcpSocket* s = server->nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [s, i] {
                    if (s->peek(4096).contains("\r\n\r\n")) {
                        s->readAll();
                        s->write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\ns" + QByteArray::number(i) + '\n');
                        s->disconnectFromHost();
                    }
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        m_servers.append(server);
        serverLines.append(u"    server s%1 127.0.0.1:%2 weight 10"_qs.arg(i).arg(server->serverPort()));
    }
    {
        QTcpServer probe; // a free port for the TCP frontend (HAProxy cannot bind port 0)
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        m_frontendPort = probe.serverPort();
    }
    m_admin = m_dir.filePath(u"admin.sock"_qs);
    m_acl = m_dir.filePath(u"blocked.acl"_qs);
    QFile acl(m_acl);
    QVERIFY(acl.open(QIODevice::WriteOnly));
    acl.close();
    const QString config = u"global\n"
                           "    stats socket %1 mode 600 level admin\n"
                           "    stats timeout 10s\n"
                           "defaults\n"
                           "    mode tcp\n"
                           "    timeout connect 2s\n"
                           "    timeout client 60s\n"
                           "    timeout server 60s\n"
                           "frontend fe\n"
                           "    bind %2\n"
                           "    bind 127.0.0.1:%3\n"
                           "    acl blocked src -f %4\n"
                           "    tcp-request connection reject if blocked\n"
                           "    default_backend web\n"
                           "backend web\n"
                           "    balance roundrobin\n"
                           "%5\n"_qs.arg(m_admin, m_dir.filePath(u"fe.sock"_qs))
                               .arg(m_frontendPort)
                               .arg(m_acl, serverLines.join(u'\n'));
    QFile cfg(m_dir.filePath(u"haproxy.cfg"_qs));
    QVERIFY(cfg.open(QIODevice::WriteOnly));
    cfg.write(config.toUtf8());
    cfg.close();
    m_haproxy.setProcessChannelMode(QProcess::MergedChannels);
    m_haproxy.start(haproxy, { u"-db"_qs, u"-f"_qs, cfg.fileName() });
    QVERIFY(m_haproxy.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(m_admin) || m_haproxy.state() == QProcess::NotRunning, 10000);
    QVERIFY2(m_haproxy.state() == QProcess::Running, m_haproxy.readAll().constData());
    QCOMPARE(QFileInfo(m_admin).permissions() & (QFile::ReadOther | QFile::WriteOther), QFile::Permissions());
    QTRY_COMPARE_WITH_TIMEOUT(readStates().size(), 4, 10000);
}

void TestHaproxyAction::cleanupTestCase()
{
    qDeleteAll(m_held);
    m_held.clear();
    if (m_haproxy.state() != QProcess::NotRunning) {
        m_haproxy.terminate();
        if (!m_haproxy.waitForFinished(5000)) {
            m_haproxy.kill();
            m_haproxy.waitForFinished(5000);
        }
    }
}

void TestHaproxyAction::init()
{
    m_sink = std::make_unique<JsonlAuditSink>(m_dir.filePath(u"audit.jsonl"_qs));
    qDeleteAll(m_held);
    m_held.clear();
    // Every test starts from the configured pool.
    HaproxyClient client(m_admin);
    int pending = 8;
    for (int i = 1; i <= 4; ++i) {
        client.send(HaproxyCommand::setState(u"web"_qs, u"s%1"_qs.arg(i), u"ready"_qs),
            [&](const HaproxyClient::Reply&) { --pending; });
        client.send(HaproxyCommand::setWeight(u"web"_qs, u"s%1"_qs.arg(i), 10),
            [&](const HaproxyClient::Reply&) { --pending; });
    }
    QTRY_COMPARE_WITH_TIMEOUT(pending, 0, 10000);
}

QList<HaproxyServerState> TestHaproxyAction::readStates()
{
    HaproxyClient client(m_admin);
    QList<HaproxyServerState> states;
    bool done = false;
    client.send(HaproxyCommand::showServersState(u"web"_qs), [&](const HaproxyClient::Reply& r) {
        states = HaproxyServerState::parseServersState(r.text);
        client.send(HaproxyCommand::showStat(), [&](const HaproxyClient::Reply& s) {
            HaproxyServerState::mergeStat(states, s.text);
            done = true;
        });
    });
    if (!QTest::qWaitFor([&] { return done; }, 5000))
        qWarning("HAProxy did not answer the read-back");
    return states;
}

std::unique_ptr<HaproxyAction> TestHaproxyAction::action(const HaproxyOperation& op, int deadlineMs)
{
    ActionContext ctx = context(m_sink.get(), u"web-1"_qs, deadlineMs);
    ctx.fields.set(u"backend"_qs, u"web"_qs);
    ctx.fields.set(u"server"_qs, u"s3"_qs);
    ctx.fields.set(u"source"_qs, u"127.0.0.1"_qs); // must never be substituted into an ACL pattern
    return std::make_unique<HaproxyAction>(m_admin, op, ctx);
}

QByteArray TestHaproxyAction::request(int timeoutMs)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, m_frontendPort);
    if (!s.waitForConnected(timeoutMs))
        return {};
    s.write("GET / HTTP/1.0\r\n\r\n");
    QByteArray reply;
    QElapsedTimer clock;
    clock.start();
    while (s.state() == QAbstractSocket::ConnectedState && clock.elapsed() < timeoutMs) {
        QTest::qWait(10);
        reply += s.readAll();
    }
    return reply + s.readAll();
}

QTcpSocket* TestHaproxyAction::holdSession()
{
    auto* s = new QTcpSocket;
    s->connectToHost(QHostAddress::LocalHost, m_frontendPort);
    s->waitForConnected(5000);
    s->write("GET / HTTP/1.0\r\n"); // incomplete: the backend server waits, the session stays
    s->flush();
    m_held.append(s);
    return s;
}

static int weightOf(const QList<HaproxyServerState>& states, const QString& server)
{
    const auto s = HaproxyServerState::find(states, u"web"_qs, server);
    return s ? s->weight : -1;
}

void TestHaproxyAction::setWeightReadBack()
{
    auto a = action(HaproxyOperation::setWeight(u"web"_qs, u"s2"_qs, 5));
    const ActionResult r = run(*a);
    QVERIFY2(r.ok(), qPrintable(r.summary() + u'\n' + r.output));
    QCOMPARE(weightOf(a->servers(), u"s2"_qs), 5);
    QCOMPARE(r.data.value(u"servers"_qs).toArray().size(), 4);
    QCOMPARE(weightOf(readStates(), u"s2"_qs), 5);
    auto get = action(HaproxyOperation::getWeight(u"web"_qs, u"s2"_qs));
    QCOMPARE(run(*get).data.value(u"weight"_qs).toInt(), 5);
    const auto records = m_sink->records();
    QVERIFY(records.size() >= 2);
    QCOMPARE(records.first().description, u"set weight web/s2 5 @ "_qs + m_admin);
}

void TestHaproxyAction::setWeightsRebalance()
{
    auto a = action(HaproxyOperation::setWeights(
        u"web"_qs, { { u"s1"_qs, 256 }, { u"s2"_qs, 128 }, { u"s3"_qs, 1 }, { u"s4"_qs, 0 } }));
    const ActionResult r = run(*a);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    const auto states = readStates();
    QCOMPARE(weightOf(states, u"s1"_qs), 256);
    QCOMPARE(weightOf(states, u"s2"_qs), 128);
    QCOMPARE(weightOf(states, u"s3"_qs), 1);
    QCOMPARE(weightOf(states, u"s4"_qs), 0);
}

void TestHaproxyAction::setStateMaintThenReady()
{
    auto maint = action(HaproxyOperation::setState(u"web"_qs, u"s1"_qs, u"maint"_qs));
    QVERIFY(run(*maint).ok());
    auto s1 = HaproxyServerState::find(maint->servers(), u"web"_qs, u"s1"_qs);
    QVERIFY(s1);
    QCOMPARE(s1->adminState, u"maint"_qs);
    QCOMPARE(s1->status, u"MAINT"_qs);
    // With s1 in maintenance the other servers answer every request.
    for (int i = 0; i < 6; ++i) {
        const QByteArray reply = request();
        QVERIFY2(reply.contains("200 OK") && !reply.contains("s1\n"), reply.constData());
    }
    auto ready = action(HaproxyOperation::setState(u"web"_qs, u"s1"_qs, u"ready"_qs));
    QVERIFY(run(*ready).ok());
    QCOMPARE(HaproxyServerState::find(ready->servers(), u"web"_qs, u"s1"_qs)->adminState, u"ready"_qs);
}

void TestHaproxyAction::badNamesRefusedBeforeSocket_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("why");
    QTest::addRow("command separator") << u"web"_qs << u"s1;set weight web/s2 0"_qs << u"';'"_qs;
    QTest::addRow("newline") << u"web"_qs << u"s1\nset weight web/s2 0"_qs << u"a newline"_qs;
    QTest::addRow("space") << u"web set weight web/s2"_qs << u"s1"_qs << u"a space"_qs;
    QTest::addRow("escaped separator") << u"web\\;x"_qs << u"s1"_qs << u"'\\'"_qs;
}

void TestHaproxyAction::badNamesRefusedBeforeSocket()
{
    QFETCH(QString, backend);
    QFETCH(QString, server);
    QFETCH(QString, why);
    auto a = action(HaproxyOperation::setWeight(backend, server, 0));
    const ActionResult r = run(*a);
    QCOMPARE(r.status, ActionResult::Status::Refused);
    QVERIFY2(r.error.contains(why) && r.error.contains(u"refused"_qs), qPrintable(r.error));
    // Nothing changed on HAProxy: s2 (the injection's victim) keeps its weight.
    QCOMPARE(weightOf(readStates(), u"s2"_qs), 10);
}

void TestHaproxyAction::unknownServerFails()
{
    auto a = action(HaproxyOperation::setWeight(u"web"_qs, u"s9"_qs, 3));
    const ActionResult r = run(*a);
    QCOMPARE(r.status, ActionResult::Status::Failed);
    QVERIFY2(r.error.contains(u"No such server"_qs), qPrintable(r.error));
    QCOMPARE(r.data.value(u"servers"_qs).toArray().size(), 4); // read back even after a refusal
}

void TestHaproxyAction::templatedNames()
{
    auto a = action(HaproxyOperation::setWeight(u"{backend}"_qs, u"{server}"_qs, 7));
    QVERIFY(run(*a).ok());
    QCOMPARE(weightOf(readStates(), u"s3"_qs), 7);
}

void TestHaproxyAction::drainTrackedToCompletion()
{
    QTcpSocket* client = holdSession();
    QString busy;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const auto& s : readStates())
                if (s.sessions > 0)
                    busy = s.server;
            return !busy.isEmpty();
        }(),
        10000);
    auto a = action(HaproxyOperation::drain(u"web"_qs, busy, std::chrono::milliseconds(100)), 30000);
    QSignalSpy finished(a.get(), &Action::finished);
    a->start();
    // While the session lasts the server drains: no new sessions, not yet in maintenance.
    QTRY_COMPARE_WITH_TIMEOUT(HaproxyServerState::find(readStates(), u"web"_qs, busy)->adminState, u"drain"_qs, 10000);
    QTest::qWait(500);
    QVERIFY(finished.isEmpty());
    QCOMPARE(HaproxyServerState::find(readStates(), u"web"_qs, busy)->adminState, u"drain"_qs);
    client->abort();
    QVERIFY(finished.wait(15000) || !finished.isEmpty());
    const ActionResult r = a->result();
    QVERIFY2(r.ok(), qPrintable(r.summary() + u'\n' + r.output));
    const auto s = HaproxyServerState::find(a->servers(), u"web"_qs, busy);
    QCOMPARE(s->adminState, u"maint"_qs);
    QCOMPARE(s->sessions, 0);
    QVERIFY2(r.output.contains(u"no sessions left"_qs), qPrintable(r.output));
}

void TestHaproxyAction::drainDeadline()
{
    holdSession();
    QString busy;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const auto& s : readStates())
                if (s.sessions > 0)
                    busy = s.server;
            return !busy.isEmpty();
        }(),
        10000);
    auto a = action(HaproxyOperation::drain(u"web"_qs, busy, std::chrono::milliseconds(100)), 1500);
    const ActionResult r = run(*a);
    QCOMPARE(r.status, ActionResult::Status::Timeout);
    // It stays draining (never forced into maintenance with a session on it); the result says so.
    const auto s = HaproxyServerState::find(readStates(), u"web"_qs, busy);
    QCOMPARE(s->adminState, u"drain"_qs);
    QVERIFY(r.data.value(u"sessions"_qs).toInt() > 0);
    QVERIFY2(r.error.contains(u"still has 1 sessions and stays in drain"_qs), qPrintable(r.error));
}

void TestHaproxyAction::aclBlockAndUnblock()
{
    QVERIFY(request().contains("200 OK"));
    // A pattern is data, never a template: "{source}" is refused as it stands, before HAProxy is asked.
    auto templated = action(HaproxyOperation::addAcl(m_acl, u"{source}"_qs));
    const ActionResult refused = run(*templated);
    QCOMPARE(refused.status, ActionResult::Status::Refused);
    QVERIFY2(refused.error.contains(u"a template, not an address"_qs), qPrintable(refused.error));
    auto network = action(HaproxyOperation::addAcl(m_acl, u"0.0.0.0/0"_qs));
    QVERIFY2(
        run(*network).error.contains(u"a network, not a single host address"_qs), qPrintable(network->result().error));
    auto block = action(HaproxyOperation::addAcl(m_acl, u"127.0.0.1"_qs));
    const ActionResult r = run(*block);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QVERIFY(r.data.value(u"entries"_qs).toArray().contains(u"127.0.0.1"_qs));
    QVERIFY2(!request(2000).contains("200 OK"), "a blocked source must be rejected");
    auto show = action(HaproxyOperation::showAcl(m_acl));
    QVERIFY(run(*show).output.contains(u"127.0.0.1"_qs));
    auto unblock = action(HaproxyOperation::delAcl(m_acl, u"127.0.0.1"_qs));
    QVERIFY(run(*unblock).ok());
    QVERIFY(unblock->result().data.value(u"entries"_qs).toArray().isEmpty());
    QVERIFY(request().contains("200 OK"));
    auto again = action(HaproxyOperation::delAcl(m_acl, u"127.0.0.1"_qs));
    const ActionResult gone = run(*again);
    QCOMPARE(gone.status, ActionResult::Status::Failed);
    QVERIFY2(gone.error.contains(u"not found"_qs), qPrintable(gone.error));
}

void TestHaproxyAction::unreachableSocket()
{
    ActionContext ctx = context(m_sink.get());
    HaproxyAction a(m_dir.filePath(u"nosuch.sock"_qs), HaproxyOperation::setWeight(u"web"_qs, u"s1"_qs, 1), ctx);
    const ActionResult r = run(a);
    QCOMPARE(r.status, ActionResult::Status::Failed);
    QVERIFY(!r.error.isEmpty());
}

HaproxyBaseline TestHaproxyAction::capture()
{
    auto servers = action(HaproxyOperation::showServersState(u"web"_qs));
    auto acl = action(HaproxyOperation::showAcl(m_acl));
    if (!run(*servers).ok() || !run(*acl).ok())
        return {};
    return HaproxyBaseline::fromActionData(servers->result().data, { acl->result().data });
}

void TestHaproxyAction::recoverToBaseline()
{
    const HaproxyBaseline baseline = capture();
    QCOMPARE(baseline.servers.size(), 4);
    QVERIFY(baseline.acls.contains(m_acl));
    // Handle: rebalance, drain one, block a source.
    QVERIFY(run(*action(HaproxyOperation::setWeights(u"web"_qs, { { u"s1"_qs, 256 }, { u"s2"_qs, 3 } }))).ok());
    QVERIFY(run(*action(HaproxyOperation::setState(u"web"_qs, u"s4"_qs, u"maint"_qs))).ok());
    QVERIFY(run(*action(HaproxyOperation::addAcl(m_acl, u"10.9.8.7"_qs))).ok());
    HaproxyBaseline now = capture();
    const QStringList diff = baseline.differences(now);
    QCOMPARE(diff.size(), 4);
    QVERIFY2(diff.contains(u"web/s4 maint, baseline ready"_qs), qPrintable(diff.join(u" | ")));
    QVERIFY(diff.contains(u"%1: 10.9.8.7 not in the baseline"_qs.arg(m_acl)));
    // Recover: apply the computed operations, then the read-back must equal the baseline.
    const auto ops = baseline.restoreOperations(now);
    QCOMPARE(ops.size(), 4);
    for (const HaproxyOperation& op : ops) {
        auto a = action(op);
        const ActionResult r = run(*a);
        QVERIFY2(r.ok(), qPrintable(a->description() + u": " + r.summary()));
    }
    now = capture();
    QVERIFY2(baseline.differences(now).isEmpty(), qPrintable(baseline.differences(now).join(u" | ")));
    // The baseline survives the audit record it is stored in.
    QCOMPARE(HaproxyBaseline::fromJson(baseline.toJson())->differences(now), QStringList {});
}

QTEST_GUILESS_MAIN(TestHaproxyAction)
#include "tst_haproxyaction.moc"
