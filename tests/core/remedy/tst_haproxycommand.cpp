#include "remedy/haproxycommand.h"
#include "remedy/haproxyserverstate.h"

#include <QTest>

using namespace FaultDesk;

class TestHaproxyCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void names_data();
    void names();
    void builders_data();
    void builders();
    void parseServersState();
};

void TestHaproxyCommand::names_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("why");
    QTest::addRow("plain") << u"web_1.a:b-c"_qs << true << QString();
    QTest::addRow("semicolon") << u"web;shutdown sessions server web/s1"_qs << false << u"';'"_qs;
    QTest::addRow("space") << u"web 1"_qs << false << u"a space"_qs;
    QTest::addRow("newline") << u"web\nset weight web/s1 0"_qs << false << u"a newline"_qs;
    QTest::addRow("backslash") << u"web\\;x"_qs << false << u"'\\'"_qs;
    QTest::addRow("slash") << u"web/s1"_qs << false << u"'/'"_qs;
    QTest::addRow("empty") << QString() << false << u"empty"_qs;
    QTest::addRow("non-ascii") << u"wéb"_qs << false << u"'é'"_qs;
}

void TestHaproxyCommand::names()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QFETCH(QString, why);
    QString error;
    QCOMPARE(HaproxyCommand::validName(u"server name"_qs, name, &error), valid);
    if (!valid)
        QVERIFY2(error.contains(why) && error.startsWith(u"server name"_qs), qPrintable(error));
    const HaproxyCommand c = HaproxyCommand::setWeight(u"web"_qs, name, 10);
    QCOMPARE(c.isValid(), valid);
    if (!valid)
        QVERIFY(c.text().isEmpty());
}

void TestHaproxyCommand::builders_data()
{
    QTest::addColumn<QString>("text"); // empty: invalid
    QTest::addColumn<QString>("built");
    QTest::addRow("state drain") << u"set server web/s1 state drain"_qs
                                 << HaproxyCommand::setState(u"web"_qs, u"s1"_qs, u"drain"_qs).text();
    QTest::addRow("state bogus") << QString() << HaproxyCommand::setState(u"web"_qs, u"s1"_qs, u"up"_qs).text();
    QTest::addRow("weight") << u"set weight web/s1 256"_qs
                            << HaproxyCommand::setWeight(u"web"_qs, u"s1"_qs, 256).text();
    QTest::addRow("weight too high") << QString() << HaproxyCommand::setWeight(u"web"_qs, u"s1"_qs, 257).text();
    QTest::addRow("weight negative") << QString() << HaproxyCommand::setWeight(u"web"_qs, u"s1"_qs, -1).text();
    QTest::addRow("add acl cidr") << u"add acl /etc/haproxy/blocked.acl 10.0.0.0/8"_qs
                                  << HaproxyCommand::addAcl(u"/etc/haproxy/blocked.acl"_qs, u"10.0.0.0/8"_qs).text();
    QTest::addRow("add acl by id") << u"add acl #0 ::1"_qs << HaproxyCommand::addAcl(u"#0"_qs, u"::1"_qs).text();
    QTest::addRow("acl injection") << QString()
                                   << HaproxyCommand::addAcl(u"/f.acl"_qs, u"1.2.3.4;disable frontend fe"_qs).text();
    QTest::addRow("acl version prefix") << QString() << HaproxyCommand::delAcl(u"@1"_qs, u"1.2.3.4"_qs).text();
    QTest::addRow("get weight") << u"get weight web/s2"_qs << HaproxyCommand::getWeight(u"web"_qs, u"s2"_qs).text();
}

void TestHaproxyCommand::builders()
{
    QFETCH(QString, text);
    QFETCH(QString, built);
    QCOMPARE(built, text);
}

void TestHaproxyCommand::parseServersState()
{
    const QString reply = u"1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
                          "srv_iweight srv_time_since_last_change\n3 web 1 s1 127.0.0.1 2 8 10 10 1\n"
                          "3 web 2 s2 127.0.0.1 2 1 5 10 3\n3 web 3 s3 127.0.0.1 2 0 7 10 3\n"_qs;
    QString error;
    auto states = HaproxyServerState::parseServersState(reply, &error);
    QVERIFY(error.isEmpty());
    QCOMPARE(states.size(), 3);
    QCOMPARE(states[0].adminState, u"drain"_qs);
    QCOMPARE(states[1].adminState, u"maint"_qs);
    QCOMPARE(states[1].weight, 5);
    QCOMPARE(states[2].adminState, u"ready"_qs);
    const QString stat = u"# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,"
                         "wredis,status,weight\nweb,s1,0,0,4,4,,9,0,0,,0,,0,0,0,0,DRAIN,10\n"_qs;
    QVERIFY(HaproxyServerState::mergeStat(states, stat));
    QCOMPARE(states[0].sessions, 4);
    QCOMPARE(states[0].status, u"DRAIN"_qs);
    QVERIFY(HaproxyServerState::parseServersState(u"Unknown command"_qs, &error).isEmpty());
    QVERIFY(!error.isEmpty());
}

QTEST_GUILESS_MAIN(TestHaproxyCommand)
#include "tst_haproxycommand.moc"
