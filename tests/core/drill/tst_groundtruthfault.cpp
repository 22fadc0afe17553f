// Which root causes and which faults belong to a fault of the demo fleet, as fleetsim's ground truth states it.
#include "demofleetyaml.h"
#include "drill/groundtruthfault.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace FaultDesk;

Q_DECLARE_METATYPE(FaultDesk::GroundTruthFault)

class TestGroundTruthFault : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void parsesTruth();
    void isRoot_data();
    void isRoot();
    void touches_data();
    void touches();
    void oneEvent_data();
    void oneEvent();

private:
    FleetConfig m_config;
};

namespace {

GroundTruthFault truth(const QString& kind, const QString& target, const QString& root, const QStringList& targets,
    const QString& dependency = {}, const QString& cause = {})
{
    GroundTruthFault g;
    g.cause = cause;
    g.kind = kind;
    g.target = target;
    g.rootCause = root;
    g.targets = targets;
    g.dependency = dependency;
    return g;
}

} // namespace

void TestGroundTruthFault::initTestCase()
{
    m_config = demoShapedFleet();
    QCOMPARE(m_config.targets.size(), 8);
}

void TestGroundTruthFault::parsesTruth()
{
    const QJsonObject answer { { QStringLiteral("faults"),
        QJsonArray { QJsonObject { { QStringLiteral("kind"), QStringLiteral("partition") },
            { QStringLiteral("target"), QStringLiteral("api-1") },
            { QStringLiteral("root_cause"), QStringLiteral("api-1") },
            { QStringLiteral("cause"), QStringLiteral("network") },
            { QStringLiteral("targets"), QJsonArray { QStringLiteral("api-1") } },
            { QStringLiteral("dependency"), QStringLiteral("db-primary") },
            { QStringLiteral("since"), QStringLiteral("2026-12-06T07:00:00.250Z") } } } } };
    const QList<GroundTruthFault> all = GroundTruthFault::listFromTruth(answer);
    QCOMPARE(all.size(), 1);
    const GroundTruthFault& g = all.constFirst();
    QCOMPARE(g.cause, QStringLiteral("network"));
    QCOMPARE(g.dependency, QStringLiteral("db-primary"));
    QCOMPARE(g.sinceMs,
        QDateTime::fromString(QStringLiteral("2026-12-06T07:00:00.250Z"), Qt::ISODateWithMs).toMSecsSinceEpoch());
    QCOMPARE(g.describe(), QStringLiteral("partition api-1 → db-primary"));
    QCOMPARE(GroundTruthFault::fromJson(g.toJson()).toJson(), g.toJson());
}

void TestGroundTruthFault::isRoot_data()
{
    QTest::addColumn<GroundTruthFault>("fault");
    QTest::addColumn<QString>("named");
    QTest::addColumn<bool>("root");
    const auto crash
        = truth(QStringLiteral("crash"), QStringLiteral("web-2"), QStringLiteral("web-2"), { QStringLiteral("web-2") });
    QTest::addRow("crash: the server itself") << crash << QStringLiteral("web-2") << true;
    QTest::addRow("crash: another member is not") << crash << QStringLiteral("web-3") << false;
    const auto attack = truth(QStringLiteral("attack"), QStringLiteral("web"), QStringLiteral("web"),
        { QStringLiteral("web-1"), QStringLiteral("web-2") });
    QTest::addRow("attack: any member of the pool") << attack << QStringLiteral("web-4") << true;
    QTest::addRow("attack: not another pool") << attack << QStringLiteral("api-1") << false;
    const auto surge = truth(QStringLiteral("overload"), QStringLiteral("web-2"), QStringLiteral("web-2"),
        { QStringLiteral("web-2"), QStringLiteral("web-1"), QStringLiteral("web-3"), QStringLiteral("web-4") });
    QTest::addRow("overload: the pool it saturates") << surge << QStringLiteral("web-3") << true;
    QTest::addRow("overload: not the api pool downstream") << surge << QStringLiteral("api-2") << false;
    const auto link = truth(QStringLiteral("partition"), QStringLiteral("api-1"), QStringLiteral("api-1"),
        { QStringLiteral("api-1") }, QStringLiteral("db-primary"));
    QTest::addRow("partition: the server that lost its path") << link << QStringLiteral("api-1") << true;
    QTest::addRow("partition: never the dependency, which answers") << link << QStringLiteral("db-primary") << false;
}

void TestGroundTruthFault::isRoot()
{
    QFETCH(GroundTruthFault, fault);
    QFETCH(QString, named);
    QFETCH(bool, root);
    QCOMPARE(fault.isRoot(named, m_config), root);
}

void TestGroundTruthFault::touches_data()
{
    QTest::addColumn<GroundTruthFault>("fault");
    QTest::addColumn<QString>("target");
    QTest::addColumn<bool>("touched");
    const auto db = truth(QStringLiteral("crash"), QStringLiteral("db-primary"), QStringLiteral("db-primary"),
        { QStringLiteral("db-primary") });
    QTest::addRow("a dependent shows a database crash") << db << QStringLiteral("api-2") << true;
    QTest::addRow("a web server does not") << db << QStringLiteral("web-1") << false;
    QTest::addRow("nor the replica") << db << QStringLiteral("db-replica") << false;
    const auto link = truth(QStringLiteral("partition"), QStringLiteral("api-1"), QStringLiteral("api-1"),
        { QStringLiteral("api-1") }, QStringLiteral("db-primary"));
    QTest::addRow("the other api is not cut off") << link << QStringLiteral("api-2") << false;
}

void TestGroundTruthFault::touches()
{
    QFETCH(GroundTruthFault, fault);
    QFETCH(QString, target);
    QFETCH(bool, touched);
    QCOMPARE(fault.touches(target, m_config), touched);
}

// Two faults at once: one event (one incident may hold both) only for the same pool-wide cause on one pool or group.
void TestGroundTruthFault::oneEvent_data()
{
    QTest::addColumn<GroundTruthFault>("a");
    QTest::addColumn<GroundTruthFault>("b");
    QTest::addColumn<bool>("one");
    auto on = [](const QString& kind, const QString& target, const QString& cause) {
        return truth(kind, target, target, { target }, {}, cause);
    };
    const QString unhealthy = QStringLiteral("unhealthy");
    QTest::addRow("two web servers answering garbage")
        << on(QStringLiteral("garbage"), QStringLiteral("web-1"), unhealthy)
        << on(QStringLiteral("garbage"), QStringLiteral("web-3"), unhealthy) << true;
    QTest::addRow("two slow web servers")
        << on(QStringLiteral("slow"), QStringLiteral("web-1"), QStringLiteral("latency"))
        << on(QStringLiteral("slow"), QStringLiteral("web-3"), QStringLiteral("latency")) << true;
    QTest::addRow("two crashes: each its own restart")
        << on(QStringLiteral("crash"), QStringLiteral("web-1"), QStringLiteral("down"))
        << on(QStringLiteral("crash"), QStringLiteral("web-3"), QStringLiteral("down")) << false;
    QTest::addRow("two hangs: each its own restart")
        << on(QStringLiteral("hang"), QStringLiteral("web-1"), QStringLiteral("unreachable"))
        << on(QStringLiteral("hang"), QStringLiteral("web-3"), QStringLiteral("unreachable")) << false;
    QTest::addRow("a crash and a slow peer")
        << on(QStringLiteral("crash"), QStringLiteral("web-1"), QStringLiteral("down"))
        << on(QStringLiteral("slow"), QStringLiteral("web-3"), QStringLiteral("latency")) << false;
    QTest::addRow("garbage on a database and on a web server")
        << on(QStringLiteral("garbage"), QStringLiteral("db-primary"), unhealthy)
        << on(QStringLiteral("garbage"), QStringLiteral("web-3"), unhealthy) << false;
}

void TestGroundTruthFault::oneEvent()
{
    QFETCH(GroundTruthFault, a);
    QFETCH(GroundTruthFault, b);
    QFETCH(bool, one);
    QCOMPARE(a.oneEventWith(b, m_config), one);
    QCOMPARE(b.oneEventWith(a, m_config), one);
}

QTEST_GUILESS_MAIN(TestGroundTruthFault)
#include "tst_groundtruthfault.moc"
