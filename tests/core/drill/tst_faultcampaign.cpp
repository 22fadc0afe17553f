// The campaign's draw (seeded, within what the demo fleet allows) and its scoring, without running a fleet: the
// end-to-end campaign runs in tests/app/tst_drillcampaign.
#include "demofleetyaml.h"
#include "drill/drillscenario.h"
#include "drill/faultcampaign.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace FaultDesk;

class TestFaultCampaign : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sameSeedSameFaults();
    void drawsOnlyWhatTheFleetAllows();
    void pairsAreTwoServerFaultsOnDifferentTargets();
    void drawsOnlyTheKindsAsked();
    void summaryScoresTheRecords();
    void describeSaysWhatWasMissed();
    void summaryFailsBelowTheBar_data();
    void summaryFailsBelowTheBar();
    void graceEndsBeforeTheNextFault_data();
    void graceEndsBeforeTheNextFault();

private:
    FleetConfig m_config;
};

namespace {

QJsonObject record(int index, int episode, const QString& cause, bool rightRoot, bool rightCause, double mttd,
    int episodeIncidents, bool recovered = true)
{
    QJsonObject r { { QStringLiteral("index"), index }, { QStringLiteral("episode"), episode },
        { QStringLiteral("fault"), QStringLiteral("fault %1").arg(index) },
        { QStringLiteral("truth_root"), QStringLiteral("web-%1").arg(index) }, { QStringLiteral("truth_cause"), cause },
        { QStringLiteral("detected"), mttd >= 0 }, { QStringLiteral("right_root"), rightRoot },
        { QStringLiteral("right_cause"), rightCause }, { QStringLiteral("episode_incidents"), episodeIncidents },
        { QStringLiteral("recovered"), recovered } };
    r.insert(QStringLiteral("mttd_s"), mttd >= 0 ? QJsonValue(mttd) : QJsonValue(QJsonValue::Null));
    if (mttd >= 0) {
        r.insert(
            QStringLiteral("named_root"), rightRoot ? QStringLiteral("web-%1").arg(index) : QStringLiteral("api-1"));
        r.insert(QStringLiteral("named_cause"), cause);
        r.insert(QStringLiteral("said"), QStringLiteral("evidence"));
    }
    return r;
}

int count(const QList<QList<DrillFault>>& episodes)
{
    int n = 0;
    for (const auto& e : episodes)
        n += int(e.size());
    return n;
}

} // namespace

void TestFaultCampaign::initTestCase()
{
    m_config = demoShapedFleet();
    QCOMPARE(m_config.targets.size(), 8);
}

void TestFaultCampaign::sameSeedSameFaults()
{
    FaultCampaign::Settings s;
    s.faults = 30;
    s.seed = 7;
    const auto a = FaultCampaign::draw(s, m_config);
    const auto b = FaultCampaign::draw(s, m_config);
    QCOMPARE(count(a), 30);
    QCOMPARE(a.size(), b.size());
    for (qsizetype i = 0; i < a.size(); ++i)
        for (qsizetype j = 0; j < a.at(i).size(); ++j)
            QCOMPARE(a.at(i).at(j).describe(), b.at(i).at(j).describe());
    s.seed = 8;
    const auto c = FaultCampaign::draw(s, m_config);
    QStringList da, dc;
    for (const auto& e : a)
        for (const DrillFault& f : e)
            da << f.describe();
    for (const auto& e : c)
        for (const DrillFault& f : e)
            dc << f.describe();
    QVERIFY(da != dc);
}

void TestFaultCampaign::drawsOnlyWhatTheFleetAllows()
{
    FaultCampaign::Settings s;
    s.faults = 400;
    s.seed = 3;
    QSet<QString> kinds;
    for (const auto& episode : FaultCampaign::draw(s, m_config))
        for (const DrillFault& f : episode) {
            kinds.insert(f.kind);
            if (f.kind == u"overload")
                QVERIFY2(f.target.startsWith(u"web-"), qPrintable(f.describe()));
            else if (f.kind == u"corruption")
                QVERIFY2(f.target.startsWith(u"db-"), qPrintable(f.describe()));
            else if (f.kind == u"attack")
                QVERIFY2(f.target == u"web" || f.target == u"api", qPrintable(f.describe()));
            else if (f.kind == u"network")
                QVERIFY2(f.target.startsWith(u"api-") && f.dependency == u"db-primary", qPrintable(f.describe()));
            else
                QVERIFY2(m_config.target(f.target), qPrintable(f.describe()));
        }
    QCOMPARE(kinds.size(), DrillScenario::campaignKinds().size());
}

void TestFaultCampaign::pairsAreTwoServerFaultsOnDifferentTargets()
{
    FaultCampaign::Settings s;
    s.faults = 200;
    s.seed = 11;
    s.pairPercent = 50;
    int pairs = 0;
    for (const auto& episode : FaultCampaign::draw(s, m_config)) {
        QVERIFY(episode.size() == 1 || episode.size() == 2);
        if (episode.size() < 2)
            continue;
        ++pairs;
        const DrillFault& first = episode.at(0);
        const DrillFault& second = episode.at(1);
        QVERIFY2(first.kind != u"overload" && first.kind != u"attack", qPrintable(first.describe()));
        QVERIFY(QStringList(
            { QStringLiteral("crash"), QStringLiteral("hang"), QStringLiteral("slow"), QStringLiteral("garbage") })
                    .contains(second.kind));
        QVERIFY(second.target.startsWith(u"web-"));
        QVERIFY(second.target != first.target);
    }
    QVERIFY2(pairs > 20, qPrintable(QString::number(pairs)));
    s.pairPercent = 0;
    for (const auto& episode : FaultCampaign::draw(s, m_config))
        QCOMPARE(episode.size(), 1);
}

void TestFaultCampaign::drawsOnlyTheKindsAsked()
{
    FaultCampaign::Settings s;
    s.faults = 50;
    s.kinds = { QStringLiteral("network"), QStringLiteral("crash") };
    for (const auto& episode : FaultCampaign::draw(s, m_config))
        for (const DrillFault& f : episode)
            QVERIFY(s.kinds.contains(f.kind));
}

void TestFaultCampaign::summaryScoresTheRecords()
{
    // Four faults in three episodes (the last two at once, one incident between them), one wrong root, one false
    // incident in a quiet gap.
    const QJsonArray records { record(0, 0, QStringLiteral("down"), true, true, 2.0, 1),
        record(1, 1, QStringLiteral("network"), false, true, 4.0, 2, false),
        record(2, 2, QStringLiteral("down"), true, false, 3.0, 1),
        record(3, 2, QStringLiteral("down"), true, true, 5.0, 1) };
    const QJsonArray gaps { QJsonObject { { QStringLiteral("incident"), QStringLiteral("inc-9") } } };
    const QJsonObject s = FaultCampaign::summarize(records, gaps, 5);
    QCOMPARE(s.value(QStringLiteral("faults")).toInt(), 4);
    QCOMPARE(s.value(QStringLiteral("ac_at_1")).toDouble(), 0.75);
    QCOMPARE(s.value(QStringLiteral("cause_accuracy")).toDouble(), 0.75);
    QCOMPARE(s.value(QStringLiteral("incidents")).toInt(), 4); // 1 + 2 + 1: an episode counts once
    QCOMPARE(s.value(QStringLiteral("incidents_per_fault")).toDouble(), 1.0);
    QCOMPARE(s.value(QStringLiteral("false_incidents")).toInt(), 1);
    QCOMPARE(s.value(QStringLiteral("recovered")).toDouble(), 0.75);
    QCOMPARE(s.value(QStringLiteral("mttd_p50_s")).toObject().value(QStringLiteral("down")).toDouble(), 3.0);
    QCOMPARE(s.value(QStringLiteral("mttd_p99_s")).toObject().value(QStringLiteral("down")).toDouble(), 5.0);
    QCOMPARE(s.value(QStringLiteral("mttd_p50_s")).toObject().value(QStringLiteral("network")).toDouble(), 4.0);
    const QJsonArray misses = s.value(QStringLiteral("misses")).toArray();
    QCOMPARE(misses.size(), 2);
    QCOMPARE(
        misses.at(0).toObject().value(QStringLiteral("said")).toString(), QStringLiteral("api-1 network: evidence"));
    QCOMPARE(misses.at(0).toObject().value(QStringLiteral("truth")).toString(), QStringLiteral("web-1 network"));
    QCOMPARE(s.value(QStringLiteral("passed")).toBool(), false);
}

void TestFaultCampaign::summaryFailsBelowTheBar_data()
{
    QTest::addColumn<QJsonArray>("records");
    QTest::addColumn<int>("falseIncidents");
    QTest::addColumn<bool>("passed");
    QJsonArray perfect;
    for (int i = 0; i < 20; ++i)
        perfect.append(record(i, i, QStringLiteral("down"), true, true, 2.0, 1));
    QTest::addRow("every fault right, one incident each") << perfect << 0 << true;
    QTest::addRow("a false incident in a quiet gap") << perfect << 1 << false;
    QJsonArray oneWrong = perfect;
    oneWrong.replace(3, record(3, 3, QStringLiteral("down"), false, true, 2.0, 1));
    QTest::addRow("19 of 20 right is 0.95: enough") << oneWrong << 0 << true;
    QJsonArray twoWrong = oneWrong;
    twoWrong.replace(4, record(4, 4, QStringLiteral("down"), false, true, 2.0, 1));
    QTest::addRow("18 of 20 is not") << twoWrong << 0 << false;
    QJsonArray fragmented = perfect;
    fragmented.replace(0, record(0, 0, QStringLiteral("down"), true, true, 2.0, 3));
    QTest::addRow("22 incidents for 20 faults") << fragmented << 0 << false;
    QTest::addRow("nothing ran") << QJsonArray {} << 0 << false;
}

void TestFaultCampaign::summaryFailsBelowTheBar()
{
    QFETCH(QJsonArray, records);
    QFETCH(int, falseIncidents);
    QFETCH(bool, passed);
    QJsonArray gaps;
    for (int i = 0; i < falseIncidents; ++i)
        gaps.append(QJsonObject { { QStringLiteral("incident"), QString::number(i) } });
    QCOMPARE(FaultCampaign::summarize(records, gaps, 1).value(QStringLiteral("passed")).toBool(), passed);
}

// The campaign's aftershock grace ends before the next injection (the gap), so no fault is scored as an aftershock
// of the one before; a grace set on purpose is used as it is.
void TestFaultCampaign::graceEndsBeforeTheNextFault_data()
{
    QTest::addColumn<qint64>("gapMs");
    QTest::addColumn<qint64>("asked");
    QTest::addColumn<qint64>("fleetGraceMs");
    QTest::addColumn<qint64>("expected");
    QTest::addRow("default gap, the fleet's 60 s") << qint64(10000) << qint64(-1) << qint64(60000) << qint64(9000);
    QTest::addRow("a long gap keeps the fleet's grace")
        << qint64(90000) << qint64(-1) << qint64(60000) << qint64(60000);
    QTest::addRow("a fleet without aftershocks") << qint64(10000) << qint64(-1) << qint64(0) << qint64(0);
    QTest::addRow("a gap under a second") << qint64(500) << qint64(-1) << qint64(60000) << qint64(0);
    QTest::addRow("asked for") << qint64(10000) << qint64(3000) << qint64(60000) << qint64(3000);
}

void TestFaultCampaign::graceEndsBeforeTheNextFault()
{
    QFETCH(qint64, gapMs);
    QFETCH(qint64, asked);
    QFETCH(qint64, fleetGraceMs);
    QFETCH(qint64, expected);
    FaultCampaign::Settings s;
    s.gap = std::chrono::milliseconds(gapMs);
    s.aftershockGrace = std::chrono::milliseconds(asked);
    QCOMPARE(FaultCampaign::campaignGraceMs(s, fleetGraceMs), expected);
}

// The terminal's line per fault (`faultdesk drill campaign` without --json): what was right, and loudly what was not.
void TestFaultCampaign::describeSaysWhatWasMissed()
{
    const QJsonObject record { { QStringLiteral("index"), 2 },
        { QStringLiteral("fault"), QStringLiteral("crash web-2") }, { QStringLiteral("right_root"), true },
        { QStringLiteral("right_cause"), false }, { QStringLiteral("recovered"), false } };
    QCOMPARE(FaultCampaign::describe(record), u"fault 3: crash web-2 — root right, cause WRONG, NOT recovered"_qs);
}

QTEST_GUILESS_MAIN(TestFaultCampaign)
#include "tst_faultcampaign.moc"
