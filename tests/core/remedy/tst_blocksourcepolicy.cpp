// BlockSourcePolicy: which located attack sources a Handle may block. Sources are scraped label values, so every
// hostile form must be refused with a reason the preview can show.
#include "config/fleetconfigloader.h"
#include "remedy/blocksourcepolicy.h"

#include <QNetworkInterface>
#include <QTest>

using namespace FaultDesk;

class TestBlockSourcePolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refusesHostileSources_data();
    void refusesHostileSources();
    void blocksPlainHosts_data();
    void blocksPlainHosts();
    void consoleOwnAddress();
    void capsAFlood();
    void previewListsSharesAndReasons();

private:
    std::optional<FleetConfig> m_config;
};

void TestBlockSourcePolicy::initTestCase()
{
    const QByteArray yaml = "version: 1\n"
                            "haproxy:\n"
                            "  - { name: lb, socket: /run/faultdesk/haproxy.sock, block_acl: /run/blocked.acl }\n"
                            "  - { name: edge, address: '192.0.2.10:9999' }\n"
                            "never_block: [203.0.113.0/24, '2001:db8:1::/48', 198.51.100.77]\n"
                            "max_block_sources: 5\n"
                            "targets:\n"
                            "  - name: web-1\n"
                            "    address: 198.51.100.20\n"
                            "    probes: [{ kind: tcp, address: '198.51.100.20:80' }]\n"
                            "    admin: { url: 'http://198.51.100.21:8081/admin' }\n";
    ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, u"policy.yaml"_qs, QString());
    QVERIFY2(r.ok(), qPrintable(r.errors.value(0).toString()));
    m_config = *r.config;
    QCOMPARE(m_config->maxBlockSources, 5);
    QCOMPARE(m_config->neverBlock.size(), 3);
}

void TestBlockSourcePolicy::refusesHostileSources_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("reason");
    QTest::addRow("every IPv4 host") << u"0.0.0.0/0"_qs << u"a network"_qs;
    QTest::addRow("every IPv6 host") << u"::/0"_qs << u"a network"_qs;
    QTest::addRow("a /8") << u"10.0.0.0/8"_qs << u"a network"_qs;
    QTest::addRow("unspecified IPv4") << u"0.0.0.0"_qs << u"unspecified"_qs;
    QTest::addRow("unspecified IPv6") << u"::"_qs << u"unspecified"_qs;
    QTest::addRow("loopback") << u"127.0.0.1"_qs << u"loopback"_qs;
    QTest::addRow("loopback elsewhere in 127/8") << u"127.8.9.10"_qs << u"loopback"_qs;
    QTest::addRow("IPv6 loopback") << u"::1"_qs << u"loopback"_qs;
    QTest::addRow("IPv4-mapped loopback") << u"::ffff:127.0.0.1"_qs << u"loopback"_qs;
    QTest::addRow("short IPv4 form") << u"127.1"_qs << u"dotted-quad"_qs;
    QTest::addRow("the LB's address") << u"192.0.2.10"_qs << u"HAProxy instance edge"_qs;
    QTest::addRow("a target's address") << u"198.51.100.20"_qs << u"fleet target web-1"_qs;
    QTest::addRow("a target's admin address") << u"198.51.100.21"_qs << u"admin address of fleet target web-1"_qs;
    QTest::addRow("never_block network") << u"203.0.113.9"_qs << u"never_block 203.0.113.0/24"_qs;
    QTest::addRow("never_block IPv6 network") << u"2001:db8:1::5"_qs << u"never_block 2001:db8:1::/48"_qs;
    QTest::addRow("never_block host") << u"198.51.100.77"_qs << u"never_block 198.51.100.77"_qs;
    QTest::addRow("template") << u"{address}"_qs << u"template"_qs;
    QTest::addRow("name") << u"evil.example"_qs << u"not a host address"_qs;
    QTest::addRow("command injection") << u"1.2.3.4;disable frontend fe"_qs << u"not a host address"_qs;
    QTest::addRow("newline") << u"1.2.3.4\nshutdown sessions"_qs << u"not a host address"_qs;
    QTest::addRow("scope") << u"fe80::1%eth0"_qs << u"scope"_qs;
    QTest::addRow("broadcast") << u"255.255.255.255"_qs << u"broadcast"_qs;
    QTest::addRow("multicast") << u"224.0.0.1"_qs << u"multicast"_qs;
    QTest::addRow("64 KiB") << QString(64 * 1024, u'9') << u"65536 characters"_qs;
    QTest::addRow("empty") << QString() << u"empty"_qs;
}

void TestBlockSourcePolicy::refusesHostileSources()
{
    QFETCH(QString, source);
    QFETCH(QString, reason);
    const BlockSourcePolicy policy(*m_config);
    const auto s = policy.screen({ source }, { 0.9 });
    QVERIFY2(s.blocked.isEmpty(), qPrintable(s.blocked.join(u',')));
    QCOMPARE(s.refused.size(), 1);
    QVERIFY2(s.refused.first().reason.contains(reason), qPrintable(s.refused.first().reason));
    // Shown bounded and printable, whatever came in.
    QVERIFY(s.refused.first().source.size() < 120);
    QVERIFY(!s.refused.first().source.contains(u'\n'));
}

void TestBlockSourcePolicy::blocksPlainHosts_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("blocked");
    QTest::addRow("IPv4") << u"198.18.0.7"_qs << u"198.18.0.7"_qs;
    QTest::addRow("IPv6") << u"2001:db8:2::7"_qs << u"2001:db8:2::7"_qs;
    QTest::addRow("IPv6 long form") << u"2001:0db8:0002:0000:0000:0000:0000:0007"_qs << u"2001:db8:2::7"_qs;
    QTest::addRow("IPv4-mapped") << u"::ffff:198.18.0.8"_qs << u"198.18.0.8"_qs;
}

void TestBlockSourcePolicy::blocksPlainHosts()
{
    QFETCH(QString, source);
    QFETCH(QString, blocked);
    const auto s = BlockSourcePolicy(*m_config).screen({ source });
    QCOMPARE(s.blocked, QStringList { blocked });
    QVERIFY(s.refused.isEmpty());
}

void TestBlockSourcePolicy::consoleOwnAddress()
{
    QString own;
    for (const QHostAddress& a : QNetworkInterface::allAddresses())
        if (!a.isLoopback() && a.protocol() == QAbstractSocket::IPv4Protocol)
            own = a.toString();
    if (own.isEmpty())
        QSKIP("this host has no non-loopback IPv4 address");
    const auto s = BlockSourcePolicy(*m_config).screen({ own });
    QVERIFY(s.blocked.isEmpty());
    QVERIFY2(s.refused.value(0).reason.contains(u"this FaultDesk host"), qPrintable(s.refused.value(0).reason));
}

void TestBlockSourcePolicy::capsAFlood()
{
    QStringList flood;
    for (int i = 0; i < 10000; ++i)
        flood << u"198.18.%1.%2"_qs.arg(i / 250).arg(i % 250 + 1);
    const auto s = BlockSourcePolicy(*m_config).screen(flood);
    QCOMPARE(s.blocked, flood.mid(0, 5)); // the busiest first, up to max_block_sources
    QCOMPARE(s.overLimit, 9995);
    QVERIFY(s.lines().last().contains(u"9995 more sources over max_block_sources"_qs));
    // A flood of junk is counted, not listed: the preview stays bounded.
    QStringList junk;
    for (int i = 0; i < 10000; ++i)
        junk << u"10.%1.0.0/16"_qs.arg(i % 256);
    const auto j = BlockSourcePolicy(*m_config).screen(junk);
    QVERIFY(j.blocked.isEmpty());
    QCOMPARE(j.refused.size() + j.refusedUnlisted, 10000);
    QVERIFY(j.lines().size() <= 101);
}

void TestBlockSourcePolicy::previewListsSharesAndReasons()
{
    const auto s = BlockSourcePolicy(*m_config).screen(
        { u"198.18.0.1"_qs, u"0.0.0.0/0"_qs, u"127.0.0.1"_qs }, { 0.412, 0.3, 0.05 });
    const QStringList lines = s.lines();
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines.at(0), u"block 198.18.0.1 (41.2 % of requests)"_qs);
    QVERIFY2(
        lines.at(1).startsWith(u"not blocked: 0.0.0.0/0 (30.0 % of requests): a network"_qs), qPrintable(lines.at(1)));
    QCOMPARE(lines.at(2), u"not blocked: 127.0.0.1 (5.0 % of requests): loopback"_qs);
}

QTEST_GUILESS_MAIN(TestBlockSourcePolicy)
#include "tst_blocksourcepolicy.moc"
