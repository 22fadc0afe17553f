// The five fire drills end to end through the real binary: demo fleet, HAProxy, detection, Handle, Recover, and the
// whole picture of what FaultDesk said (incidents, every root cause named, those the ground truth does not explain).
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestDrillCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void drill_data();
    void drill();
    void refusesAnUnknownDrill();
};

void TestDrillCommand::drill_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("cause");
    QTest::addColumn<bool>("configuredRunbook");
    // One incident and no false root: what every drill must report.
    QTest::addColumn<bool>("onePicture");
    QTest::addRow("crash") << QStringLiteral("crash") << QStringLiteral("down") << false << true;
    QTest::addRow("crash, runbook bound in the config")
        << QStringLiteral("crash") << QStringLiteral("down") << true << true;
    QTest::addRow("overload") << QStringLiteral("overload") << QStringLiteral("overload") << false << true;
    QTest::addRow("attack") << QStringLiteral("attack") << QStringLiteral("attack") << false << true;
    QTest::addRow("corruption") << QStringLiteral("corruption") << QStringLiteral("data-integrity") << false << true;
    QTest::addRow("network") << QStringLiteral("network") << QStringLiteral("network") << false << true;
}

void TestDrillCommand::drill()
{
    QFETCH(QString, kind);
    QFETCH(QString, cause);
    QFETCH(bool, configuredRunbook);
    QFETCH(bool, onePicture);
    QStringList arguments { QStringLiteral("drill"), kind, QStringLiteral("--auto"), QStringLiteral("--json"),
        QStringLiteral("--timeout"), QStringLiteral("40") };
    QTemporaryDir dir;
    if (configuredRunbook) {
        // An operator's own crash runbook for the web group replaces the built-in one.
        QFile runbooks(dir.filePath(QStringLiteral("runbooks.yaml")));
        QVERIFY(runbooks.open(QIODevice::WriteOnly));
        runbooks.write("runbooks:\n"
                       "  - name: web-restart\n"
                       "    on: [down]\n"
                       "    groups: [web]\n"
                       "    handle:\n"
                       "      - name: restart the server\n"
                       "        run: start\n"
                       "        verify: { healthy_for: 2 }\n"
                       "      - name: back into the pool\n"
                       "        haproxy: { set_state: ready }\n"
                       "        rollback: { haproxy: { set_state: maint } }\n");
        runbooks.close();
        arguments << QStringLiteral("--runbooks") << runbooks.fileName();
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), arguments);
    QVERIFY(process.waitForStarted());
    QVERIFY2(process.waitForFinished(150000), "the drill did not end within 150 s");
    const QByteArray out = process.readAllStandardOutput();
    const QByteArray err = process.readAllStandardError();
    QJsonParseError parseError;
    const QJsonObject summary = QJsonDocument::fromJson(out.trimmed(), &parseError).object();
    QVERIFY2(!summary.isEmpty(), qPrintable(QString::fromUtf8(out + "\n" + err.right(3000))));
    const QJsonObject truth = summary.value(QStringLiteral("ground_truth")).toObject();
    const QJsonObject located = summary.value(QStringLiteral("located")).toObject();
    QCOMPARE(summary.value(QStringLiteral("drill")).toString(), kind);
    QCOMPARE(truth.value(QStringLiteral("cause")).toString(), cause);
    QCOMPARE(located.value(QStringLiteral("cause")).toString(), cause);
    // An attack's ground truth names the pool; the located root cause is a server of it.
    const QString root = located.value(QStringLiteral("root_cause")).toString();
    const QString truthRoot = truth.value(QStringLiteral("root_cause")).toString();
    QVERIFY2(root == truthRoot || root.startsWith(truthRoot + u'-'),
        qPrintable(QStringLiteral("located %1, ground truth %2").arg(root, truthRoot)));
    QVERIFY2(summary.value(QStringLiteral("recovered")).toBool(), qPrintable(QString::fromUtf8(out)));
    QVERIFY2(summary.value(QStringLiteral("baseline_restored")).toBool(), qPrintable(QString::fromUtf8(out)));
    QVERIFY(summary.value(QStringLiteral("seconds_to_detect")).toDouble() > 0);
    QVERIFY(summary.value(QStringLiteral("seconds_to_recover")).toDouble() >= 0);
    QVERIFY(!summary.value(QStringLiteral("actions")).toArray().isEmpty());
    // The whole picture: the incident of the handled fault is one of those opened; every false root is a root cause
    // FaultDesk named; passing needs exactly one incident and no false root.
    const QJsonArray ids = summary.value(QStringLiteral("incident_ids")).toArray();
    QCOMPARE(summary.value(QStringLiteral("incidents")).toInt(), ids.size());
    QVERIFY2(ids.contains(located.value(QStringLiteral("incident"))), qPrintable(QString::fromUtf8(out)));
    const QJsonArray roots = summary.value(QStringLiteral("root_causes")).toArray();
    const QJsonArray falseRoots = summary.value(QStringLiteral("false_roots")).toArray();
    QVERIFY(!roots.isEmpty());
    for (const QJsonValue& r : falseRoots) {
        QVERIFY(roots.contains(r));
        QVERIFY(r.toObject().value(QStringLiteral("target")).toString() != root);
    }
    const QJsonObject phases = summary.value(QStringLiteral("phase_seconds")).toObject();
    for (const QString& phase : { QStringLiteral("detecting"), QStringLiteral("handling"), QStringLiteral("recovering"),
             QStringLiteral("verifying"), QStringLiteral("total") })
        QVERIFY2(phases.value(phase).toDouble() >= 0, qPrintable(phase));
    qInfo("drill %s: %lld incident(s), %lld root cause(s) named, %lld false, passed %d", qPrintable(kind),
        qsizetype(ids.size()), qsizetype(roots.size()), qsizetype(falseRoots.size()),
        summary.value(QStringLiteral("passed")).toBool());
    if (onePicture) {
        QCOMPARE(ids.size(), 1);
        QVERIFY2(falseRoots.isEmpty(), qPrintable(QString::fromUtf8(QJsonDocument(falseRoots).toJson())));
    }
    const bool passed = ids.size() == 1 && falseRoots.isEmpty();
    QCOMPARE(summary.value(QStringLiteral("passed")).toBool(), passed);
    QCOMPARE(process.exitCode(), passed ? 0 : 1);
    if (kind == u"network")
        QCOMPARE(truth.value(QStringLiteral("dependency")).toString(), QStringLiteral("db-primary"));
    if (configuredRunbook) {
        QVERIFY2(err.contains("why this runbook: runbook 'web-restart' bound to group web for cause down"),
            err.right(3000).constData());
        const QJsonArray actions = summary.value(QStringLiteral("actions")).toArray();
        QCOMPARE(
            actions.at(0).toObject().value(QStringLiteral("step")).toString(), QStringLiteral("restart the server"));
        QCOMPARE(
            actions.at(1).toObject().value(QStringLiteral("step")).toString(), QStringLiteral("back into the pool"));
    }
    // The token is read by reference and never printed.
    QVERIFY(!out.contains("Bearer "));
}

void TestDrillCommand::refusesAnUnknownDrill()
{
    QProcess process;
    process.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), { QStringLiteral("drill"), QStringLiteral("flood") });
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("crash, overload, corruption, attack, network, or campaign"));
}

QTEST_GUILESS_MAIN(TestDrillCommand)
#include "tst_drillcommand.moc"
