// RunbookFactory's attack runbooks against a real HAProxy: hostile located sources (scraped label values) never
// reach the ACL — refused with their reason or capped at max_block_sources — and the preview says so.
#include "remedytest.h"
#include "shared/haproxyharness.h"

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "remedy/baselinepoller.h"
#include "remedy/runbookexecutor.h"
#include "remedy/runbookfactory.h"

#include <QNetworkInterface>
#include <QSignalSpy>

using namespace FaultDesk;
using namespace FaultDesk::RemedyTest;

class TestRunbookFactory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void hostileSourcesNeverReachTheAcl_data();
    void hostileSourcesNeverReachTheAcl();
    void floodIsCapped_data();
    void floodIsCapped();

private:
    FleetConfig load(bool configuredRunbook);
    /// Builds Handle for an attack with @p sources, runs it if there is one; the outcome, or std::nullopt.
    std::optional<RunbookOutcome> handle(const FleetConfig& config, const QStringList& sources,
        const QList<double>& shares, RemediationPlan* plan, QString* error);

    Test::HaproxyHarness m_haproxy;
    std::unique_ptr<JsonlAuditSink> m_sink;
    QString m_own;
};

void TestRunbookFactory::initTestCase()
{
    QString error;
    if (Test::HaproxyHarness::binary().isEmpty())
        QSKIP("haproxy is not installed");
    QVERIFY2(m_haproxy.start(4, &error), qPrintable(error));
    for (const QHostAddress& a : QNetworkInterface::allAddresses())
        if (!a.isLoopback() && a.protocol() == QAbstractSocket::IPv4Protocol)
            m_own = a.toString();
}

void TestRunbookFactory::init()
{
    m_haproxy.reset();
    QVERIFY(m_haproxy.showAcl().isEmpty());
    m_sink = std::make_unique<JsonlAuditSink>(m_haproxy.directory() + u"/audit.jsonl"_qs);
}

FleetConfig TestRunbookFactory::load(bool configuredRunbook)
{
    QByteArray yaml = "version: 1\n"
                      "haproxy:\n"
                      "  - { name: lb, socket: '"
        + m_haproxy.adminSocket().toUtf8() + "', block_acl: '" + m_haproxy.aclFile().toUtf8()
        + "' }\n"
          "  - { name: edge, address: '192.0.2.10:9999' }\n"
          "never_block: [203.0.113.0/24]\n"
          "targets:\n"
          "  - name: web-1\n"
          "    address: 198.51.100.20\n"
          "    probes: [{ kind: tcp, address: '127.0.0.1:9' }]\n"
          "    haproxy: { instance: lb, backend: web, server: s1 }\n";
    if (configuredRunbook)
        yaml += "runbooks:\n"
                "  - name: shield\n"
                "    on: [attack]\n"
                "    handle:\n"
                "      - { name: block, haproxy: { block_sources: true } }\n";
    ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, u"factory.yaml"_qs, QString());
    if (!r.ok())
        qWarning("%s", qPrintable(r.errors.value(0).toString()));
    return r.config.value_or(FleetConfig {});
}

std::optional<RunbookOutcome> TestRunbookFactory::handle(const FleetConfig& config, const QStringList& sources,
    const QList<double>& shares, RemediationPlan* plan, QString* error)
{
    Detector detector;
    BaselinePoller poller(config);
    bool polled = false;
    poller.poll([&] { polled = true; });
    if (!QTest::qWaitFor([&] { return polled; }, 10000) || !poller.haproxyProblem().isEmpty())
        qWarning("HAProxy not read back: %s", qPrintable(poller.haproxyProblem()));
    RunbookFactory factory(config, &detector, &poller);
    Fault f;
    f.id = u"F1"_qs;
    f.incidentId = u"I1"_qs;
    f.target = u"web-1"_qs;
    f.cause = CauseClass::Attack;
    f.phase = Fault::Phase::Located;
    f.sources = sources;
    f.sourceShares = shares;
    const auto rb = factory.buildRunbook(f, SafetyRequest::Purpose::Handle, poller.current(), plan, error);
    if (!rb)
        return std::nullopt;
    RunbookExecutor executor(*rb, context(m_sink.get(), u"web-1"_qs));
    QSignalSpy finished(&executor, &RunbookExecutor::finished);
    executor.start();
    if (!finished.wait(60000))
        return std::nullopt;
    return finished.first().first().value<RunbookOutcome>();
}

void TestRunbookFactory::hostileSourcesNeverReachTheAcl_data()
{
    QTest::addColumn<bool>("configured");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("reason");
    const QList<QPair<QString, QString>> hostile {
        { u"0.0.0.0/0"_qs, u"a network"_qs },
        { u"::/0"_qs, u"a network"_qs },
        { u"127.0.0.1"_qs, u"loopback"_qs },
        { u"::1"_qs, u"loopback"_qs },
        { u"192.0.2.10"_qs, u"the address of HAProxy instance edge"_qs },
        { u"198.51.100.20"_qs, u"the address of fleet target web-1"_qs },
        { u"203.0.113.50"_qs, u"in never_block 203.0.113.0/24"_qs },
        { u"{address}"_qs, u"a template"_qs },
        { QString(64 * 1024, u'7'), u"not a host address (65536 characters)"_qs },
    };
    for (const bool configured : { false, true })
        for (const auto& [source, reason] : hostile)
            QTest::addRow("%s %s", configured ? "configured" : "built-in", qPrintable(source.left(20)))
                << configured << source << reason;
    if (!m_own.isEmpty()) {
        QTest::addRow("built-in console's own address") << false << m_own << u"an address of this FaultDesk host"_qs;
        QTest::addRow("configured console's own address") << true << m_own << u"an address of this FaultDesk host"_qs;
    }
}

void TestRunbookFactory::hostileSourcesNeverReachTheAcl()
{
    QFETCH(bool, configured);
    QFETCH(QString, source);
    QFETCH(QString, reason);
    const QByteArray fileBefore = m_haproxy.aclFileContent();
    const FleetConfig config = load(configured);
    QVERIFY(!config.targets.isEmpty());
    RemediationPlan plan;
    QString error;
    const auto outcome = handle(config, { source }, { 0.62 }, &plan, &error);
    // Nothing to run: the only source is refused, and the preview says which and why, with its share.
    QVERIFY2(!outcome, qPrintable(outcome ? outcome->message : QString()));
    QVERIFY2(error.contains(u"may be blocked"_qs), qPrintable(error));
    QCOMPARE(plan.sources.size(), 1);
    QVERIFY2(plan.sources.first().startsWith(u"not blocked: "_qs), qPrintable(plan.sources.first()));
    QVERIFY2(plan.sources.first().contains(u"(62.0 % of requests): "_qs + reason), qPrintable(plan.sources.first()));
    QVERIFY(plan.sources.first().size() < 300);
    QVERIFY(plan.toText().contains(u"source: not blocked"_qs));
    QCOMPARE(m_haproxy.showAcl(), QStringList());
    QCOMPARE(m_haproxy.aclFileContent(), fileBefore);

    // Beside a real attacker, the hostile value stays out and the attacker is blocked.
    const auto mixed = handle(config, { source, u"198.18.7.7"_qs }, { 0.62, 0.3 }, &plan, &error);
    QVERIFY2(mixed && mixed->result == RunbookOutcome::Result::Succeeded, qPrintable(error));
    QCOMPARE(plan.sources.first(), u"block 198.18.7.7 (30.0 % of requests)"_qs);
    QCOMPARE(m_haproxy.showAcl(), QStringList { u"198.18.7.7"_qs });
    QCOMPARE(m_haproxy.aclFileContent(), fileBefore);
}

void TestRunbookFactory::floodIsCapped_data()
{
    QTest::addColumn<bool>("configured");
    QTest::addRow("built-in") << false;
    QTest::addRow("configured") << true;
}

void TestRunbookFactory::floodIsCapped()
{
    QFETCH(bool, configured);
    const QByteArray fileBefore = m_haproxy.aclFileContent();
    const FleetConfig config = load(configured);
    QCOMPARE(config.maxBlockSources, 32); // the default
    QStringList flood;
    for (int i = 0; i < 10000; ++i)
        flood << u"198.18.%1.%2"_qs.arg(i / 250).arg(i % 250 + 1);
    RemediationPlan plan;
    QString error;
    const auto outcome = handle(config, flood, {}, &plan, &error);
    QVERIFY2(outcome && outcome->result == RunbookOutcome::Result::Succeeded, qPrintable(error));
    QCOMPARE(outcome->steps.size(), 32);
    QCOMPARE(plan.sources.size(), 33);
    QCOMPARE(plan.sources.last(), u"not blocked: 9968 more sources over max_block_sources (32 per Handle)"_qs);
    QStringList acl = m_haproxy.showAcl();
    QCOMPARE(acl.size(), 32);
    acl.sort();
    QStringList first = flood.mid(0, 32);
    first.sort();
    QCOMPARE(acl, first); // the busiest 32, nothing else
    QCOMPARE(m_haproxy.aclFileContent(), fileBefore);
}

QTEST_GUILESS_MAIN(TestRunbookFactory)
#include "tst_runbookfactory.moc"
