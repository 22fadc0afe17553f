// Integration tests of the demo fleet: a real faultdesk-fleetsim with its server processes and HAProxy on loopback.
// Every test function gets a fresh fleet in a fresh runtime directory and stops it afterwards.
#include "fleetsimharness.h"

#include <QJsonArray>
#include <QTest>

#include <csignal>
#include <memory>
#include <sys/stat.h>

using namespace FaultDesk::Test;

class TestFleetsim : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void cleanupTestCase();

    void readyWritesRuntimeFiles();
    void everyTargetServesValidMetrics();
    void haproxyBalancesAndWeightMovesLoad();
    void crashRefusesUntilStarted();
    void corruptionFailsIntegrityAndApis();
    void failoverMovesApisToTheReplica();
    void partitionCutsOneLinkWhileBothEndsAnswer();
    void externalKillIsReportedAsCrash();
    void attackFloodsFromFewSources();
    void hangAcceptsButNeverAnswers();
    void slowTrickles();
    void garbageMetricsAreInvalid();
    void overloadSaturatesTheSlowServer();
    void faultWithDurationExpires();
    void adminNeedsTheToken_data();
    void adminNeedsTheToken();
    void controlNeedsTheToken();
    void ctlRejectsBadInput_data();
    void ctlRejectsBadInput();

private:
    double deltaOver(const QString& target, const QString& metric, const QStringList& labels, int waitMs);
    std::unique_ptr<FleetProcess> m_fleet;
    QByteArray m_fleetFor;
};

void TestFleetsim::init()
{
    // Rows of one data-driven test share a fleet (they do not change its state); every test function gets its own.
    if (m_fleet && m_fleetFor == QTest::currentTestFunction())
        return;
    m_fleet.reset();
    m_fleetFor = QTest::currentTestFunction();
    m_fleet = std::make_unique<FleetProcess>();
    QVERIFY2(m_fleet->waitReady(), "faultdesk-fleetsim did not print READY");
    QCOMPARE(m_fleet->targets().size(), 8);
}

void TestFleetsim::cleanup()
{
    if (!QTest::currentDataTag() || QTest::currentTestFailed())
        m_fleet.reset();
}

void TestFleetsim::cleanupTestCase()
{
    m_fleet.reset();
}

void TestFleetsim::readyWritesRuntimeFiles()
{
    const QString dir = m_fleet->dir();
    struct stat st
    { };
    QCOMPARE(::stat(QFile::encodeName(dir).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);
    QCOMPARE(::stat(QFile::encodeName(dir + QStringLiteral("/admin.token")).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    QVERIFY(m_fleet->token().size() >= 32);
    QCOMPARE(::stat(QFile::encodeName(dir + QStringLiteral("/haproxy.sock")).constData(), &st), 0);
    QVERIFY(S_ISSOCK(st.st_mode));
    QCOMPARE(st.st_mode & 0777, 0600u);

    QFile control(dir + QStringLiteral("/control.json"));
    QVERIFY(control.open(QIODevice::ReadOnly));
    const QJsonObject c = QJsonDocument::fromJson(control.readAll()).object();
    QCOMPARE(c.value(QStringLiteral("pid")).toInteger(), m_fleet->process().processId());
    QVERIFY(c.value(QStringLiteral("control_url")).toString().startsWith(u"http://127.0.0.1:"));

    const QByteArray yaml = m_fleet->fleetYaml();
    QVERIFY(yaml.contains("\nversion: 1\n"));
    QVERIFY(yaml.contains(QByteArray("socket: '" + QFile::encodeName(dir) + "/haproxy.sock'")));
    QVERIFY(yaml.contains(QByteArray("block_acl: '" + QFile::encodeName(dir) + "/blocked.acl'")));
    QVERIFY(yaml.contains("haproxy: { instance: lb, backend: web, server: web-3 }"));
    QVERIFY(yaml.contains("depends_on: [db-primary]"));
    QVERIFY(yaml.contains("gauge: db_integrity_ok"));
    QVERIFY(yaml.contains(QByteArray("token: { file: '" + QFile::encodeName(dir) + "/admin.token' }")));
    QVERIFY(yaml.contains(QByteArray("start: ['" + QFile::encodeName(QFileInfo(fleetsimBinary()).absoluteFilePath())
        + "', ctl, --runtime-dir, '" + QFile::encodeName(dir) + "', start, '{target}']")));
    QVERIFY2(!yaml.contains(m_fleet->token()), "the token must be referenced, never inlined");
    for (const QString& name : { QStringLiteral("web-1"), QStringLiteral("web-4"), QStringLiteral("api-2"),
             QStringLiteral("db-primary"), QStringLiteral("db-replica") }) {
        QVERIFY2(m_fleet->port(name) != 0, qPrintable(name));
        const HttpResult health = httpGet(m_fleet->port(name), "/healthz");
        QCOMPARE(health.status, 200);
        QCOMPARE(health.body, QByteArray("ok\n"));
    }
}

void TestFleetsim::everyTargetServesValidMetrics()
{
    QTest::qWait(1500); // some traffic, so counters and histograms have samples
    for (const QString& name : m_fleet->targets()) {
        const HttpResult r = httpGet(m_fleet->port(name), "/metrics");
        QCOMPARE(r.status, 200);
        QVERIFY(r.head.toLower().contains("content-type: text/plain; version=0.0.4"));
        const QString problem = checkPrometheusText(r.body);
        QVERIFY2(problem.isEmpty(), qPrintable(name + u": " + problem));
        QStringList wanted = { QStringLiteral("fleetsim_utilisation"), QStringLiteral("fleetsim_capacity_rps"),
            QStringLiteral("http_requests_total"), QStringLiteral("http_request_duration_seconds_bucket"),
            QStringLiteral("node_load1"), QStringLiteral("node_cpu_seconds_total"),
            QStringLiteral("node_memory_MemTotal_bytes"), QStringLiteral("node_memory_MemAvailable_bytes"),
            QStringLiteral("process_resident_memory_bytes") };
        if (name.startsWith(u"db"))
            wanted << QStringLiteral("db_integrity_ok") << QStringLiteral("db_data_checksum")
                   << QStringLiteral("db_role") << QStringLiteral("db_read_only");
        else
            wanted << QStringLiteral("http_requests_by_source_total");
        for (const QString& metric : std::as_const(wanted))
            QVERIFY2(r.body.contains(QByteArray("\n" + metric.toUtf8())), qPrintable(name + u" lacks " + metric));
    }
    const QByteArray db = m_fleet->metrics(QStringLiteral("db-primary"));
    QCOMPARE(sumSamples(db, QStringLiteral("db_integrity_ok")), 1.0);
    QCOMPARE(sumSamples(db, QStringLiteral("db_role"), { QStringLiteral("role=\"primary\"") }), 1.0);
    QCOMPARE(sumSamples(m_fleet->metrics(QStringLiteral("db-replica")), QStringLiteral("db_data_checksum")),
        sumSamples(db, QStringLiteral("db_data_checksum")));
}

double TestFleetsim::deltaOver(const QString& target, const QString& metric, const QStringList& labels, int waitMs)
{
    const double before = sumSamples(m_fleet->metrics(target), metric, labels);
    QTest::qWait(waitMs);
    return sumSamples(m_fleet->metrics(target), metric, labels) - before;
}

void TestFleetsim::haproxyBalancesAndWeightMovesLoad()
{
    const QStringList web
        = { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("web-3"), QStringLiteral("web-4") };
    auto snapshot = [&] {
        QList<double> v;
        for (const QString& w : web)
            v << sumSamples(m_fleet->metrics(w), QStringLiteral("http_requests_total"));
        return v;
    };
    QList<double> before = snapshot();
    QTest::qWait(4000);
    QList<double> after = snapshot();
    for (int i = 0; i < 4; ++i)
        QVERIFY2(
            after.at(i) - before.at(i) >= 3, qPrintable(web.at(i) + QStringLiteral(" got no share of the traffic")));

    QCOMPARE(m_fleet->runtimeApi("set weight web/web-1 0").trimmed(), QByteArray());
    QVERIFY(m_fleet->runtimeApi("get weight web/web-1").startsWith("0 (initial 100)"));
    QTest::qWait(500); // requests already queued at web-1 drain
    before = snapshot();
    QTest::qWait(4000);
    after = snapshot();
    QVERIFY2(after.at(0) - before.at(0) <= 1, "web-1 still receives traffic at weight 0");
    double others = 0;
    for (int i = 1; i < 4; ++i)
        others += after.at(i) - before.at(i);
    QVERIFY2(others >= 15, "the other web servers do not carry the load");
    // Utilisation follows: web-1 goes idle.
    QTRY_VERIFY_WITH_TIMEOUT(
        sumSamples(m_fleet->metrics(QStringLiteral("web-1")), QStringLiteral("fleetsim_utilisation")) < 0.02, 8000);
}

void TestFleetsim::crashRefusesUntilStarted()
{
    const quint16 port = m_fleet->port(QStringLiteral("web-2"));
    QCOMPARE(m_fleet->ctl({ QStringLiteral("inject"), QStringLiteral("crash"), QStringLiteral("web-2") }), 0);
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(port, "/healthz", 1000).error, QAbstractSocket::ConnectionRefusedError, 5000);
    const QJsonArray faults = m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray();
    QCOMPARE(faults.size(), 1);
    const QJsonObject f = faults.at(0).toObject();
    QCOMPARE(f.value(QStringLiteral("kind")).toString(), QStringLiteral("crash"));
    QCOMPARE(f.value(QStringLiteral("target")).toString(), QStringLiteral("web-2"));
    QCOMPARE(f.value(QStringLiteral("root_cause")).toString(), QStringLiteral("web-2"));
    QCOMPARE(f.value(QStringLiteral("cause")).toString(), QStringLiteral("down"));
    QVERIFY(QDateTime::fromString(f.value(QStringLiteral("since")).toString(), Qt::ISODateWithMs).isValid());
    QTRY_VERIFY_WITH_TIMEOUT(m_fleet->haproxyStatus("web", "web-2").startsWith("DOWN"), 8000);
    QTest::qWait(1000);
    QCOMPARE(httpGet(port, "/healthz", 1000).error, QAbstractSocket::ConnectionRefusedError); // stays down

    QCOMPARE(m_fleet->ctl({ QStringLiteral("start"), QStringLiteral("web-2") }), 0);
    const HttpResult health = httpGet(port, "/healthz");
    QCOMPARE(health.status, 200);
    QVERIFY(m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(m_fleet->haproxyStatus("web", "web-2").startsWith("UP"), 8000);
    // Starting a running target is a no-op, like systemctl start.
    QCOMPARE(m_fleet->ctl({ QStringLiteral("start"), QStringLiteral("web-2") }), 0);
}

void TestFleetsim::corruptionFailsIntegrityAndApis()
{
    const QString db = QStringLiteral("db-primary");
    const double checksum = sumSamples(m_fleet->metrics(db), QStringLiteral("db_data_checksum"));
    QVERIFY(checksum > 0);
    QCOMPARE(m_fleet->ctl({ QStringLiteral("inject"), QStringLiteral("corruption") }), 0);
    const HttpResult health = httpGet(m_fleet->port(db), "/healthz");
    QCOMPARE(health.status, 503);
    QVERIFY(health.body.endsWith('\n') && health.body.count('\n') == 1 && health.body.size() > 5);
    const QByteArray m = m_fleet->metrics(db);
    QCOMPARE(sumSamples(m, QStringLiteral("db_integrity_ok")), 0.0);
    QVERIFY(sumSamples(m, QStringLiteral("db_data_checksum")) != checksum);

    const QStringList errors = { QStringLiteral("code=\"5") };
    auto apiErrors = [&] {
        return sumSamples(m_fleet->metrics(QStringLiteral("api-1")), QStringLiteral("http_requests_total"), errors)
            + sumSamples(m_fleet->metrics(QStringLiteral("api-2")), QStringLiteral("http_requests_total"), errors);
    };
    const double errorsBefore = apiErrors();
    QTRY_VERIFY_WITH_TIMEOUT(apiErrors() - errorsBefore >= 5, 10000);
    const QJsonObject f
        = m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().at(0).toObject();
    QCOMPARE(f.value(QStringLiteral("cause")).toString(), QStringLiteral("data-integrity"));
    QCOMPARE(f.value(QStringLiteral("root_cause")).toString(), db);

    // Remediation: restore the named backup through the admin API; the checksum is the pre-fault one again.
    const HttpResult restore = httpRequest(m_fleet->port(db), "POST", "/admin/restore", 3000,
        { { "Authorization", "Bearer " + m_fleet->token() } }, R"({"backup":"pre-upgrade"})");
    QCOMPARE(restore.status, 200);
    QCOMPARE(sumSamples(m_fleet->metrics(db), QStringLiteral("db_data_checksum")), checksum);
    QCOMPARE(httpGet(m_fleet->port(db), "/healthz").status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().isEmpty(), 3000);
    QTest::qWait(1500); // the apis poll the database every 500 ms; answers in flight finish
    const double errorsAfterRestore = apiErrors();
    QTest::qWait(2500);
    QCOMPARE(apiErrors(), errorsAfterRestore);
}

void TestFleetsim::partitionCutsOneLinkWhileBothEndsAnswer()
{
    const QString api = QStringLiteral("api-1");
    const QString db = QStringLiteral("db-primary");
    const QStringList toDb = { QStringLiteral("dependency=\"db-primary\"") };
    auto linkUp = [&](const QString& target) {
        return sumSamples(m_fleet->metrics(target), QStringLiteral("fleetsim_dependency_up"), toDb);
    };
    QTRY_COMPARE_WITH_TIMEOUT(linkUp(api), 1.0, 5000);
    // The console's fleet file maps the signal to the dependency it concerns.
    QVERIFY(m_fleet->fleetYaml().contains("- name: link_db-primary\n"
                                          "        gauge: 'fleetsim_dependency_up{dependency=\"db-primary\"}'\n"
                                          "        threshold: { below: 0.5, clear: 0.5 }\n"
                                          "        link: db-primary\n"));

    QCOMPARE(m_fleet->ctl({ QStringLiteral("inject"), QStringLiteral("partition") }), 0);
    QTRY_COMPARE_WITH_TIMEOUT(linkUp(api), 0.0, 5000);
    // Both ends still answer everyone else: FaultDesk's probes pass, api-2 still reaches the database.
    QCOMPARE(httpGet(m_fleet->port(api), "/healthz").status, 200);
    QCOMPARE(httpGet(m_fleet->port(db), "/healthz").status, 200);
    QCOMPARE(linkUp(QStringLiteral("api-2")), 1.0);
    // api-1's own work needs the database: its calls time out.
    const HttpResult work = httpGet(m_fleet->port(api), "/orders");
    QCOMPARE(work.status, 504);
    const QJsonObject f
        = m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().at(0).toObject();
    QCOMPARE(f.value(QStringLiteral("kind")).toString(), QStringLiteral("partition"));
    QCOMPARE(f.value(QStringLiteral("cause")).toString(), QStringLiteral("network"));
    QCOMPARE(f.value(QStringLiteral("root_cause")).toString(), api);
    QCOMPARE(f.value(QStringLiteral("dependency")).toString(), db);

    // Handle's way around it: api-1's database calls go to the replica, which serves reads and refuses writes.
    const QList<QPair<QByteArray, QByteArray>> auth { { "Authorization", "Bearer " + m_fleet->token() } };
    QCOMPARE(httpRequest(m_fleet->port(api), "POST", "/admin/reroute", 3000, auth,
                 R"({"dependency":"db-primary","via":"db-replica"})")
                 .status,
        200);
    QCOMPARE(httpGet(m_fleet->port(api), "/orders").status, 200);
    QCOMPARE(httpRequest(m_fleet->port(api), "POST", "/orders", 3000, {}, "{}").status, 503);
    QCOMPARE(linkUp(api), 0.0); // the link itself is still cut
    QCOMPARE(httpRequest(m_fleet->port(api), "POST", "/admin/reroute", 3000, auth,
                 R"({"dependency":"db-primary","via":"web-1"})")
                 .status,
        400);
    QCOMPARE(httpRequest(m_fleet->port(api), "POST", "/admin/reroute", 3000, auth,
                 R"({"dependency":"db-primary","via":"db-primary"})")
                 .status,
        200);
    QCOMPARE(httpGet(m_fleet->port(api), "/orders").status, 504);

    // A restart does not mend a network path.
    QCOMPARE(m_fleet->ctl({ QStringLiteral("restart"), api }), 0);
    QTest::qWait(2500);
    QCOMPARE(linkUp(api), 0.0);

    QCOMPARE(m_fleet->ctl({ QStringLiteral("heal"), api }), 0);
    QTRY_COMPARE_WITH_TIMEOUT(linkUp(api), 1.0, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(m_fleet->port(api), "/orders").status, 200, 5000);
    QVERIFY(m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().isEmpty());
}

void TestFleetsim::failoverMovesApisToTheReplica()
{
    QCOMPARE(m_fleet->ctl({ QStringLiteral("inject"), QStringLiteral("corruption"), QStringLiteral("db-primary") }), 0);
    const QStringList errors = { QStringLiteral("code=\"5") };
    auto apiErrors = [&] {
        return sumSamples(m_fleet->metrics(QStringLiteral("api-1")), QStringLiteral("http_requests_total"), errors)
            + sumSamples(m_fleet->metrics(QStringLiteral("api-2")), QStringLiteral("http_requests_total"), errors);
    };
    const double before = apiErrors();
    QTRY_VERIFY_WITH_TIMEOUT(apiErrors() - before >= 3, 10000);
    const QList<QPair<QByteArray, QByteArray>> auth = { { "Authorization", "Bearer " + m_fleet->token() } };
    QCOMPARE(httpRequest(m_fleet->port(QStringLiteral("db-primary")), "POST", "/admin/failover", 3000, auth,
                 R"({"role":"replica"})")
                 .status,
        200);
    QCOMPARE(
        httpRequest(m_fleet->port(QStringLiteral("db-replica")), "POST", "/admin/failover", 3000, auth).status, 200);
    QCOMPARE(sumSamples(m_fleet->metrics(QStringLiteral("db-replica")), QStringLiteral("db_role"),
                 { QStringLiteral("role=\"primary\"") }),
        1.0);
    QCOMPARE(sumSamples(m_fleet->metrics(QStringLiteral("db-primary")), QStringLiteral("db_role"),
                 { QStringLiteral("role=\"replica\"") }),
        1.0);
    QTest::qWait(1500); // the apis poll the databases every 500 ms
    const double settled = apiErrors();
    QTest::qWait(2500);
    QCOMPARE(apiErrors(), settled);
    // The data are still damaged where they were: failover mitigates, only a restore recovers.
    QCOMPARE(sumSamples(m_fleet->metrics(QStringLiteral("db-primary")), QStringLiteral("db_integrity_ok")), 0.0);
    QCOMPARE(m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().size(), 1);
}

void TestFleetsim::externalKillIsReportedAsCrash()
{
    const QJsonObject status = m_fleet->ctlJson({ QStringLiteral("status") });
    qint64 pid = 0;
    for (const QJsonValue& t : status.value(QStringLiteral("targets")).toArray())
        if (t.toObject().value(QStringLiteral("name")).toString() == u"api-2")
            pid = t.toObject().value(QStringLiteral("pid")).toInteger();
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        !m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().isEmpty(), 5000);
    const QJsonObject f
        = m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().at(0).toObject();
    QCOMPARE(f.value(QStringLiteral("kind")).toString(), QStringLiteral("crash"));
    QCOMPARE(f.value(QStringLiteral("target")).toString(), QStringLiteral("api-2"));
    QCOMPARE(f.value(QStringLiteral("injected")).toBool(), false);
    QCOMPARE(httpGet(m_fleet->port(QStringLiteral("api-2")), "/healthz", 1000).error,
        QAbstractSocket::ConnectionRefusedError);
    QCOMPARE(m_fleet->ctl({ QStringLiteral("start"), QStringLiteral("api-2") }), 0);
    QCOMPARE(httpGet(m_fleet->port(QStringLiteral("api-2")), "/healthz").status, 200);
}

void TestFleetsim::attackFloodsFromFewSources()
{
    QCOMPARE(m_fleet->ctl({ QStringLiteral("inject"), QStringLiteral("attack") }), 0);
    const QJsonObject f
        = m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().at(0).toObject();
    QCOMPARE(f.value(QStringLiteral("cause")).toString(), QStringLiteral("attack"));
    const QJsonArray sources = f.value(QStringLiteral("sources")).toArray();
    QVERIFY(sources.size() >= 2 && sources.size() <= 3);
    QTest::qWait(3000);
    QHash<QString, double> bySource;
    for (const QString& w :
        { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("web-3"), QStringLiteral("web-4") })
        for (const QByteArray& line : m_fleet->metrics(w).split('\n'))
            if (line.startsWith("http_requests_by_source_total{source=\""))
                bySource[QString::fromLatin1(line.mid(38, line.indexOf('"', 38) - 38))]
                    += line.split(' ').last().toDouble();
    double attackMin = 1e18, normalMax = 0;
    for (auto it = bySource.cbegin(); it != bySource.cend(); ++it) {
        if (sources.contains(it.key()))
            attackMin = std::min(attackMin, it.value());
        else
            normalMax = std::max(normalMax, it.value());
    }
    QVERIFY2(attackMin >= 20, qPrintable(QStringLiteral("attack sources too quiet: %1").arg(attackMin)));
    QVERIFY2(attackMin > 3 * normalMax,
        qPrintable(QStringLiteral("flood %1 vs normal max %2").arg(attackMin).arg(normalMax)));

    // Blocking one source in HAProxy's ACL stops it at the load balancer.
    const QString blocked = sources.at(0).toString();
    const QByteArray acl = QFile::encodeName(m_fleet->dir()) + "/blocked.acl";
    QCOMPARE(m_fleet->runtimeApi("add acl " + acl + ' ' + blocked.toLatin1()).trimmed(), QByteArray());
    QTest::qWait(500);
    const QStringList label = { u"source=\"" + blocked + u'"' };
    double moved = 0;
    for (const QString& w : { QStringLiteral("web-1"), QStringLiteral("web-2") })
        moved += deltaOver(w, QStringLiteral("http_requests_by_source_total"), label, 1500);
    QCOMPARE(moved, 0.0);
    QCOMPARE(m_fleet->ctl({ QStringLiteral("clear"), QStringLiteral("attack") }), 0);
    QVERIFY(m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().isEmpty());
}

void TestFleetsim::hangAcceptsButNeverAnswers()
{
    const quint16 port = m_fleet->port(QStringLiteral("web-3"));
    QCOMPARE(m_fleet->ctl({ QStringLiteral("inject"), QStringLiteral("hang"), QStringLiteral("web-3") }), 0);
    const HttpResult r = httpGet(port, "/healthz", 1500);
    QVERIFY(r.connected);
    QVERIFY(!r.complete);
    QVERIFY(r.raw.isEmpty());
    QCOMPARE(m_fleet->ctlJson({ QStringLiteral("truth") })
                 .value(QStringLiteral("faults"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("cause"))
                 .toString(),
        QStringLiteral("unreachable")); // accepts, never answers: no answer, not refused
    QTRY_VERIFY_WITH_TIMEOUT(m_fleet->haproxyStatus("web", "web-3").startsWith("DOWN"), 10000);
    QCOMPARE(m_fleet->ctl({ QStringLiteral("clear"), QStringLiteral("web-3") }), 0);
    QCOMPARE(httpGet(port, "/healthz").status, 200);
}

void TestFleetsim::slowTrickles()
{
    const quint16 port = m_fleet->port(QStringLiteral("api-2"));
    QCOMPARE(m_fleet->ctl({ QStringLiteral("inject"), QStringLiteral("slow"), QStringLiteral("api-2") }), 0);
    const HttpResult r = httpGet(port, "/metrics", 1500);
    QVERIFY(r.connected);
    QVERIFY2(!r.raw.isEmpty() && !r.complete, "a slow server sends some bytes but not the whole answer");
    QVERIFY(QByteArray("HTTP/1.1 200 OK\r\n").startsWith(r.raw.left(17)));
    QCOMPARE(m_fleet->ctl({ QStringLiteral("clear"), QStringLiteral("slow") }), 0);
    QCOMPARE(httpGet(port, "/healthz").status, 200);
}

void TestFleetsim::garbageMetricsAreInvalid()
{
    const quint16 port = m_fleet->port(QStringLiteral("web-4"));
    QCOMPARE(m_fleet->ctl({ QStringLiteral("inject"), QStringLiteral("garbage"), QStringLiteral("web-4") }), 0);
    const HttpResult r = httpGet(port, "/metrics");
    QCOMPARE(r.status, 200);
    QVERIFY(!checkPrometheusText(r.body).isEmpty());
    QCOMPARE(httpGet(port, "/healthz").status, 200);
    QCOMPARE(m_fleet->ctl({ QStringLiteral("clear") }), 0);
    QVERIFY(checkPrometheusText(httpGet(port, "/metrics").body).isEmpty());
}

void TestFleetsim::overloadSaturatesTheSlowServer()
{
    QCOMPARE(m_fleet->ctl({ QStringLiteral("inject"), QStringLiteral("overload"), QStringLiteral("web-2") }), 0);
    const QJsonObject f
        = m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().at(0).toObject();
    QCOMPARE(f.value(QStringLiteral("cause")).toString(), QStringLiteral("overload"));
    QCOMPARE(f.value(QStringLiteral("target")).toString(), QStringLiteral("web-2"));
    QTRY_VERIFY_WITH_TIMEOUT(
        sumSamples(m_fleet->metrics(QStringLiteral("web-2")), QStringLiteral("fleetsim_utilisation")) > 0.85, 12000);
    const QByteArray m = m_fleet->metrics(QStringLiteral("web-2"));
    QVERIFY(sumSamples(m, QStringLiteral("fleetsim_capacity_rps"))
        < sumSamples(m_fleet->metrics(QStringLiteral("web-1")), QStringLiteral("fleetsim_capacity_rps")));
    // Queueing: the slow server's latency is far above its idle service time.
    const double count = sumSamples(m, QStringLiteral("http_request_duration_seconds_count"));
    const double fast
        = sumSamples(m, QStringLiteral("http_request_duration_seconds_bucket"), { QStringLiteral("le=\"0.1\"") });
    QVERIFY(count > 0);
    QCOMPARE(m_fleet->ctl({ QStringLiteral("clear"), QStringLiteral("overload") }), 0);
    QVERIFY(fast < count);
}

void TestFleetsim::faultWithDurationExpires()
{
    QCOMPARE(m_fleet->ctl({ QStringLiteral("inject"), QStringLiteral("garbage"), QStringLiteral("web-1"),
                 QStringLiteral("--duration"), QStringLiteral("1s") }),
        0);
    const QJsonObject f
        = m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().at(0).toObject();
    QVERIFY(f.contains(QStringLiteral("until")));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().isEmpty(), 5000);
    QVERIFY(checkPrometheusText(m_fleet->metrics(QStringLiteral("web-1"))).isEmpty());
}

void TestFleetsim::adminNeedsTheToken_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addRow("web restart") << QStringLiteral("web-1") << QByteArray("/admin/restart") << QByteArray();
    QTest::addRow("web block") << QStringLiteral("web-2") << QByteArray("/admin/block")
                               << QByteArray(R"({"source":"127.0.1.9"})");
    QTest::addRow("db failover") << QStringLiteral("db-replica") << QByteArray("/admin/failover") << QByteArray();
    QTest::addRow("db readonly") << QStringLiteral("db-primary") << QByteArray("/admin/readonly")
                                 << QByteArray(R"({"on":true})");
}

void TestFleetsim::adminNeedsTheToken()
{
    QFETCH(QString, target);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    const quint16 port = m_fleet->port(target);
    QCOMPARE(httpRequest(port, "POST", path, 3000, {}, body).status, 401);
    QCOMPARE(httpRequest(port, "POST", path, 3000, { { "Authorization", "Bearer wrong-token" } }, body).status, 401);
    QCOMPARE(
        httpRequest(port, "POST", path, 3000, { { "Authorization", "Bearer " + m_fleet->token() } }, body).status, 200);
    QFile log(m_fleet->dir() + QStringLiteral("/logs/") + target + QStringLiteral(".log"));
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray text = log.readAll();
    QCOMPARE(text.count(QByteArray("admin POST " + path)), 3);
    QVERIFY2(!text.contains(m_fleet->token()), "the token must never be logged");
}

void TestFleetsim::controlNeedsTheToken()
{
    QFile control(m_fleet->dir() + QStringLiteral("/control.json"));
    QVERIFY(control.open(QIODevice::ReadOnly));
    const QUrl url(QJsonDocument::fromJson(control.readAll()).object().value(QStringLiteral("control_url")).toString());
    QCOMPARE(httpGet(quint16(url.port()), "/truth").status, 401);
    QCOMPARE(httpRequest(quint16(url.port()), "POST", "/inject", 3000, { { "Authorization", "Bearer nope" } },
                 R"({"kind":"crash","target":"web-1"})")
                 .status,
        401);
    QCOMPARE(httpGet(m_fleet->port(QStringLiteral("web-1")), "/healthz").status, 200);
}

void TestFleetsim::ctlRejectsBadInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addRow("unknown kind") << QStringList { QStringLiteral("inject"), QStringLiteral("meteor") };
    QTest::addRow("unknown target") << QStringList { QStringLiteral("inject"), QStringLiteral("crash"),
        QStringLiteral("web-9") };
    QTest::addRow("crash without target") << QStringList { QStringLiteral("inject"), QStringLiteral("crash") };
    QTest::addRow("corruption of a web server")
        << QStringList { QStringLiteral("inject"), QStringLiteral("corruption"), QStringLiteral("web-1") };
    QTest::addRow("bad duration") << QStringList { QStringLiteral("inject"), QStringLiteral("hang"),
        QStringLiteral("web-1"), QStringLiteral("--duration"), QStringLiteral("soon") };
    QTest::addRow("clear unknown") << QStringList { QStringLiteral("clear"), QStringLiteral("web-9") };
    QTest::addRow("start unknown") << QStringList { QStringLiteral("start"), QStringLiteral("web-9") };
    QTest::addRow("unknown command") << QStringList { QStringLiteral("explode") };
    QTest::addRow("partition of a web server")
        << QStringList { QStringLiteral("inject"), QStringLiteral("partition"), QStringLiteral("web-1") };
    QTest::addRow("partition from a non-dependency") << QStringList { QStringLiteral("inject"),
        QStringLiteral("partition"), QStringLiteral("api-1"), QStringLiteral("--to"), QStringLiteral("web-1") };
    QTest::addRow("--to without a partition") << QStringList { QStringLiteral("inject"), QStringLiteral("crash"),
        QStringLiteral("web-1"), QStringLiteral("--to"), QStringLiteral("db-primary") };
}

void TestFleetsim::ctlRejectsBadInput()
{
    QFETCH(QStringList, args);
    QByteArray err;
    QCOMPARE(m_fleet->ctl(args, nullptr, &err), 2);
    QVERIFY2(!err.trimmed().isEmpty(), "a clear message is expected");
    QVERIFY(m_fleet->ctlJson({ QStringLiteral("truth") }).value(QStringLiteral("faults")).toArray().isEmpty());
}

QTEST_GUILESS_MAIN(TestFleetsim)
#include "tst_fleetsim.moc"
