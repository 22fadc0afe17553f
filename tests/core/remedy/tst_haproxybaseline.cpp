#include "remedy/haproxybaseline.h"

#include <QJsonArray>
#include <QTest>

using namespace FaultDesk;

class TestHaproxyBaseline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void restoreOrderWeightsBeforeStates();
    void missingServerAndAclEntries();
    void malformedJsonRefused();
};

static HaproxyServerState server(const QString& name, const QString& state, int weight)
{
    HaproxyServerState s;
    s.backend = u"web"_qs;
    s.server = name;
    s.adminState = state;
    s.weight = weight;
    return s;
}

void TestHaproxyBaseline::restoreOrderWeightsBeforeStates()
{
    HaproxyBaseline baseline;
    baseline.servers = { server(u"s1"_qs, u"ready"_qs, 10), server(u"s2"_qs, u"ready"_qs, 10) };
    HaproxyBaseline now;
    now.servers = { server(u"s1"_qs, u"maint"_qs, 0), server(u"s2"_qs, u"ready"_qs, 10) };
    const auto ops = baseline.restoreOperations(now);
    QCOMPARE(ops.size(), 2);
    // A server comes back into rotation only with its baseline weight already set.
    QCOMPARE(ops[0].kind, HaproxyOperation::Kind::SetWeight);
    QCOMPARE(ops[0].weight, 10);
    QCOMPARE(ops[1].kind, HaproxyOperation::Kind::SetState);
    QCOMPARE(ops[1].state, u"ready"_qs);
    QCOMPARE(baseline.differences(now),
        (QStringList { u"web/s1 maint, baseline ready"_qs, u"web/s1 weight 0, baseline 10"_qs }));
    QVERIFY(baseline.differences(baseline).isEmpty());
}

void TestHaproxyBaseline::missingServerAndAclEntries()
{
    HaproxyBaseline baseline;
    baseline.servers = { server(u"s1"_qs, u"ready"_qs, 10) };
    baseline.acls.insert(u"/b.acl"_qs, { u"192.0.2.1"_qs });
    HaproxyBaseline now;
    now.acls.insert(u"/b.acl"_qs, { u"198.51.100.7"_qs });
    const QStringList diff = baseline.differences(now);
    QVERIFY(diff.contains(u"web/s1 missing, baseline ready weight 10"_qs));
    QVERIFY(diff.contains(u"/b.acl: 198.51.100.7 not in the baseline"_qs));
    QVERIFY(diff.contains(u"/b.acl: 192.0.2.1 missing"_qs));
    const auto ops = baseline.restoreOperations(now);
    QCOMPARE(ops.size(), 2);
    QCOMPARE(ops[0].kind, HaproxyOperation::Kind::DelAcl);
    QCOMPARE(ops[0].pattern, u"198.51.100.7"_qs);
    QCOMPARE(ops[1].kind, HaproxyOperation::Kind::AddAcl);
}

void TestHaproxyBaseline::malformedJsonRefused()
{
    QString error;
    const QJsonObject bad { { u"servers"_qs, QJsonArray { QJsonObject { { u"weight"_qs, 3 } } } } };
    QVERIFY(!HaproxyBaseline::fromJson(bad, &error));
    QVERIFY2(error.contains(u"servers[0]"_qs), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestHaproxyBaseline)
#include "tst_haproxybaseline.moc"
