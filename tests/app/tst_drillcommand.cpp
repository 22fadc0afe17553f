// The four fire drills end to end through the real binary: demo fleet, HAProxy, detection, Handle, Recover.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
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
    QTest::addRow("crash") << QStringLiteral("crash") << QStringLiteral("down");
    QTest::addRow("overload") << QStringLiteral("overload") << QStringLiteral("overload");
    QTest::addRow("attack") << QStringLiteral("attack") << QStringLiteral("attack");
    QTest::addRow("corruption") << QStringLiteral("corruption") << QStringLiteral("data-integrity");
}

void TestDrillCommand::drill()
{
    QFETCH(QString, kind);
    QFETCH(QString, cause);
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"),
        { QStringLiteral("drill"), kind, QStringLiteral("--auto"), QStringLiteral("--json"),
            QStringLiteral("--timeout"), QStringLiteral("40") });
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
    QCOMPARE(process.exitCode(), 0);
    // The token is read by reference and never printed.
    QVERIFY(!out.contains("Bearer "));
}

void TestDrillCommand::refusesAnUnknownDrill()
{
    QProcess process;
    process.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), { QStringLiteral("drill"), QStringLiteral("flood") });
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("overload, crash, corruption or attack"));
}

QTEST_GUILESS_MAIN(TestDrillCommand)
#include "tst_drillcommand.moc"
