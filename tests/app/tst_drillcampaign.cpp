// `faultdesk drill campaign`: a short fixed-seed campaign through the real binary and the real demo fleet. It checks
// that the campaign runs every fault end to end and that its summary is the score of its own per-fault records
// against fleetsim's ground truth (AC@1, cause accuracy, incidents per fault, false incidents, recovered, misses,
// the exit code), and that these three faults — a dead server, a server cut off from its database, one answering
// garbage — are each one incident with the right root and cause. The figures over all kinds (AC@1 >= 0.95 …) are
// bench_campaign's, over 30 faults and several seeds.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTest>

#include <cmath>

class TestDrillCampaign : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixedSeedCampaignScoresItsFaults();
    void refusesBadInput_data();
    void refusesBadInput();
};

namespace {

double share(int part, int whole)
{
    return whole > 0 ? std::round(1000.0 * part / whole) / 1000.0 : 0;
}

} // namespace

void TestDrillCampaign::fixedSeedCampaignScoresItsFaults()
{
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"),
        { QStringLiteral("drill"), QStringLiteral("campaign"), QStringLiteral("--faults"), QStringLiteral("3"),
            QStringLiteral("--seed"), QStringLiteral("4"), QStringLiteral("--kinds"),
            QStringLiteral("crash,network,garbage"), QStringLiteral("--pairs"), QStringLiteral("0"),
            QStringLiteral("--gap"), QStringLiteral("4"), QStringLiteral("--timeout"), QStringLiteral("25"),
            QStringLiteral("--json") });
    QVERIFY(process.waitForStarted());
    QVERIFY2(process.waitForFinished(170000), "the campaign did not end within 170 s");
    const QByteArray err = process.readAllStandardError();
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    QVERIFY2(lines.size() == 4, err.right(4000).constData());
    const QJsonObject summary = QJsonDocument::fromJson(lines.constLast()).object();
    QVERIFY2(summary.contains(QStringLiteral("ac_at_1")), lines.constLast().constData());

    // The per-fault records, before the summary: each fault run end to end against fleetsim's ground truth.
    const QHash<QString, QString> causeOf { { QStringLiteral("crash"), QStringLiteral("down") },
        { QStringLiteral("network"), QStringLiteral("network") },
        { QStringLiteral("garbage"), QStringLiteral("unhealthy") } };
    int rightRoot = 0, rightCause = 0, recovered = 0, incidents = 0, misses = 0;
    QSet<int> episodes;
    QSet<QString> detectedCauses;
    for (int i = 0; i < 3; ++i) {
        const QJsonObject r = QJsonDocument::fromJson(lines.at(i)).object();
        QCOMPARE(r.value(QStringLiteral("index")).toInt(), i);
        const QString kind = r.value(QStringLiteral("kind")).toString();
        QVERIFY2(causeOf.contains(kind), lines.at(i).constData());
        QCOMPARE(r.value(QStringLiteral("truth_cause")).toString(), causeOf.value(kind));
        if (kind == u"network")
            QCOMPARE(r.value(QStringLiteral("dependency")).toString(), QStringLiteral("db-primary"));
        else
            QCOMPARE(r.value(QStringLiteral("truth_root")).toString(), r.value(QStringLiteral("target")).toString());
        // Every one of these is seen: a dead server, a server that lost its database, one answering garbage.
        QVERIFY2(r.value(QStringLiteral("detected")).toBool(), lines.at(i).constData());
        QVERIFY(r.value(QStringLiteral("mttd_s")).toDouble() > 0);
        detectedCauses.insert(r.value(QStringLiteral("truth_cause")).toString());
        // A right root is a root FaultDesk named on the true target.
        if (r.value(QStringLiteral("right_root")).toBool())
            QCOMPARE(
                r.value(QStringLiteral("named_root")).toString(), r.value(QStringLiteral("truth_root")).toString());
        // Each of these is located exactly: the root where it was injected, with its cause.
        QVERIFY2(r.value(QStringLiteral("right_root")).toBool() && r.value(QStringLiteral("right_cause")).toBool(),
            lines.at(i).constData());
        rightRoot += r.value(QStringLiteral("right_root")).toBool();
        rightCause += r.value(QStringLiteral("right_cause")).toBool();
        if (r.value(QStringLiteral("right_cause")).toBool())
            QCOMPARE(
                r.value(QStringLiteral("named_cause")).toString(), r.value(QStringLiteral("truth_cause")).toString());
        recovered += r.value(QStringLiteral("recovered")).toBool();
        misses += !r.value(QStringLiteral("right_root")).toBool() || !r.value(QStringLiteral("right_cause")).toBool();
        const int episode = r.value(QStringLiteral("episode")).toInt();
        if (!episodes.contains(episode)) {
            episodes.insert(episode);
            // One event, one incident: the campaign's aftershock grace ends within the quiet gap, so no fault
            // joins the previous one's incident, and nothing else opens one.
            const int opened = r.value(QStringLiteral("episode_incidents")).toInt();
            QVERIFY2(opened == 1, lines.at(i).constData());
            QCOMPARE(r.value(QStringLiteral("episode_false_roots")).toInt(), 0);
            incidents += opened;
        }
    }
    QCOMPARE(episodes.size(), 3); // --pairs 0: one fault at a time

    // The timings the score was taken under: the grace ends before the next fault is injected.
    QCOMPARE(summary.value(QStringLiteral("gap_s")).toDouble(), 4.0);
    QVERIFY2(summary.value(QStringLiteral("aftershock_grace_s")).toDouble() < 4.0, lines.constLast().constData());
    QVERIFY(summary.value(QStringLiteral("correlation_window_s")).toDouble() > 0);
    QCOMPARE(summary.value(QStringLiteral("false_incidents")).toInt(), 0);

    // The summary is the score of those records.
    QCOMPARE(summary.value(QStringLiteral("faults")).toInt(), 3);
    QCOMPARE(summary.value(QStringLiteral("seed")).toInt(), 4);
    QCOMPARE(summary.value(QStringLiteral("ac_at_1")).toDouble(), share(rightRoot, 3));
    QCOMPARE(summary.value(QStringLiteral("cause_accuracy")).toDouble(), share(rightCause, 3));
    QCOMPARE(summary.value(QStringLiteral("recovered")).toDouble(), share(recovered, 3));
    QCOMPARE(summary.value(QStringLiteral("incidents")).toInt(), incidents);
    QCOMPARE(
        summary.value(QStringLiteral("incidents_per_fault")).toDouble(), std::round(1000.0 * incidents / 3) / 1000.0);
    QCOMPARE(summary.value(QStringLiteral("false_incidents")).toInt(),
        summary.value(QStringLiteral("false_incident_list")).toArray().size());
    QCOMPARE(summary.value(QStringLiteral("misses")).toArray().size(), misses);
    QSet<QString> p50Causes;
    const QJsonObject p50 = summary.value(QStringLiteral("mttd_p50_s")).toObject();
    for (auto it = p50.begin(); it != p50.end(); ++it) {
        p50Causes.insert(it.key());
        QVERIFY(it.value().toDouble() > 0);
        QVERIFY(
            summary.value(QStringLiteral("mttd_p99_s")).toObject().value(it.key()).toDouble() >= it.value().toDouble());
    }
    QCOMPARE(p50Causes, detectedCauses);
    const bool passed = summary.value(QStringLiteral("ac_at_1")).toDouble() >= 0.95
        && summary.value(QStringLiteral("incidents_per_fault")).toDouble() <= 1.05
        && summary.value(QStringLiteral("false_incidents")).toInt() == 0;
    QCOMPARE(summary.value(QStringLiteral("passed")).toBool(), passed);
    QCOMPARE(process.exitCode(), passed ? 0 : 1);
}

void TestDrillCampaign::refusesBadInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addRow("no faults") << QStringList { QStringLiteral("--faults"), QStringLiteral("0") };
    QTest::addRow("bad seed") << QStringList { QStringLiteral("--seed"), QStringLiteral("many") };
    QTest::addRow("unknown kind") << QStringList { QStringLiteral("--kinds"), QStringLiteral("crash,meteor") };
    QTest::addRow("bad gap") << QStringList { QStringLiteral("--gap"), QStringLiteral("-1") };
}

void TestDrillCampaign::refusesBadInput()
{
    QFETCH(QStringList, args);
    QProcess process;
    process.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"),
        QStringList { QStringLiteral("drill"), QStringLiteral("campaign") } + args);
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(!process.readAllStandardError().trimmed().isEmpty());
}

QTEST_GUILESS_MAIN(TestDrillCampaign)
#include "tst_drillcampaign.moc"
