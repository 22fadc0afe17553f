// `faultdesk monitor FLEET.yaml --json` on the real binary against the real demo fleet.

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

class TestMonitorCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void printsOneJsonObjectPerEvent()
    {
        QTemporaryDir dir;
        QProcess fleet;
        fleet.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk-fleetsim"),
            { QStringLiteral("run"), QStringLiteral("--runtime-dir"), dir.filePath(QStringLiteral("rt")) });
        QVERIFY(fleet.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(fleet.canReadLine(), 30000);
        QVERIFY(fleet.readLine().startsWith("READY "));

        QProcess monitor;
        monitor.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"),
            { QStringLiteral("monitor"), dir.filePath(QStringLiteral("rt/fleet.yaml")), QStringLiteral("--json"),
                QStringLiteral("--duration"), QStringLiteral("4"), QStringLiteral("--log-dir"),
                dir.filePath(QStringLiteral("log")) });
        QVERIFY(monitor.waitForFinished(30000));
        QCOMPARE(monitor.exitCode(), 0);
        QSet<QString> up;
        const QList<QByteArray> lines = monitor.readAllStandardOutput().split('\n');
        for (const QByteArray& line : lines) {
            if (line.trimmed().isEmpty())
                continue;
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            QVERIFY2(doc.isObject(), line.constData());
            const QJsonObject e = doc.object();
            QVERIFY(e.contains(QStringLiteral("time")));
            if (e.value(QStringLiteral("event")).toString() == u"state-changed"
                && e.value(QStringLiteral("to")).toString() == u"UP")
                up.insert(e.value(QStringLiteral("target")).toString());
        }
        QCOMPARE(up.size(), 8);
        // Without --verbose the log goes to its file, not onto the operator's terminal.
        const QByteArray err = monitor.readAllStandardError();
        QVERIFY2(!err.contains(" info faultdesk."), err.constData());
        fleet.terminate();
        QVERIFY(fleet.waitForFinished(15000));
    }

    void badInputIsExitTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::addRow("no fleet") << QStringList { QStringLiteral("monitor") } << "expected one fleet description";
        QTest::addRow("missing file") << QStringList { QStringLiteral("monitor"),
            QStringLiteral("/nonexistent/fleet.yaml") }
                                      << "/nonexistent/fleet.yaml";
        QTest::addRow("bad duration") << QStringList { QStringLiteral("monitor"), QStringLiteral("x.yaml"),
            QStringLiteral("--duration"), QStringLiteral("soon") }
                                      << "--duration";
    }

    void badInputIsExitTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        QProcess monitor;
        monitor.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), arguments);
        QVERIFY(monitor.waitForFinished(30000));
        QCOMPARE(monitor.exitCode(), 2);
        const QString err = QString::fromUtf8(monitor.readAllStandardError());
        QVERIFY2(err.contains(message), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestMonitorCommand)
#include "tst_monitorcommand.moc"
