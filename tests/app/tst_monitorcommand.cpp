// `faultdesk monitor FLEET.yaml [--json]` on the real binary: against the real demo fleet, and against a loopback
// Alertmanager whose alert text is hostile (escape sequences, C1 controls, bidi overrides, markup).
#include "shared/recordinghttpserver.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
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

    void terminalOutputCarriesNoControlCharacters_data()
    {
        QTest::addColumn<bool>("json");
        QTest::addRow("text") << false;
        QTest::addRow("json") << true;
    }
    // An alert's labels and summary reach the monitor's output: whatever bytes Alertmanager sends, the terminal
    // gets no control character (an escape could retitle the window, clear the screen or fake an earlier line);
    // JSON lines keep the value (escaped), text lines show U+FFFD in their place.
    void terminalOutputCarriesNoControlCharacters()
    {
        QFETCH(bool, json);
        QTcpServer healthy; // the target's tcp probe: up
        QVERIFY(healthy.listen(QHostAddress::LocalHost, 0));
        FaultDesk::Test::RecordingHttpServer alertmanager;
        const QString summary = QStringLiteral("\x1b[2J\x1b[1;31mALL CLEAR\x1b[0m <img src=x> \r\n10:00:00 web-1 UP ")
            + QChar(0x202e) + QStringLiteral("evil") + QChar(0x85) + QChar(0x9b) + QStringLiteral("2J") + QChar(0x7f);
        const QJsonObject alert { { QStringLiteral("fingerprint"), QStringLiteral("f00d") },
            { QStringLiteral("labels"),
                QJsonObject { { QStringLiteral("alertname"), QStringLiteral("Hostile\x1b]0;owned\x07") },
                    { QStringLiteral("instance"), QStringLiteral("web-1") },
                    { QStringLiteral("job"), QStringLiteral("x\x1b[2J") } } },
            { QStringLiteral("annotations"), QJsonObject { { QStringLiteral("summary"), summary } } },
            { QStringLiteral("startsAt"), QStringLiteral("2026-01-01T00:00:00Z") },
            { QStringLiteral("endsAt"), QStringLiteral("2099-01-01T00:00:00Z") },
            { QStringLiteral("status"),
                QJsonObject { { QStringLiteral("state"), QStringLiteral("active") },
                    { QStringLiteral("silencedBy"), QJsonArray() },
                    { QStringLiteral("inhibitedBy"), QJsonArray() } } } };
        const QByteArray alerts = QJsonDocument(QJsonArray { alert }).toJson(QJsonDocument::Compact);
        alertmanager.route("/api/v2/alerts", { 200, "Content-Type: application/json\r\n", alerts });
        QTemporaryDir dir;
        QFile fleet(dir.filePath(QStringLiteral("fleet.yaml")));
        QVERIFY(fleet.open(QIODevice::WriteOnly));
        fleet.write("version: 1\n"
                    "defaults: { interval: 500ms, timeout: 400ms }\n"
                    "alertmanager:\n"
                    "  - name: am\n"
                    "    url: "
            + alertmanager.url(QStringLiteral("/")).toEncoded()
            + "\n"
              "    poll_interval: 500ms\n"
              "targets:\n"
              "  - name: web-1\n"
              "    address: 127.0.0.1\n"
              "    probes:\n"
              "      - kind: tcp\n"
              "        address: 127.0.0.1:"
            + QByteArray::number(healthy.serverPort()) + "\n");
        fleet.close();
        QStringList arguments { QStringLiteral("monitor"), fleet.fileName(), QStringLiteral("--duration"),
            QStringLiteral("4"), QStringLiteral("--log-dir"), dir.filePath(QStringLiteral("log")) };
        if (json)
            arguments << QStringLiteral("--json");
        QProcess monitor;
        monitor.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), arguments);
        // The loopback Alertmanager answers from this event loop: wait without blocking it.
        QTRY_VERIFY_WITH_TIMEOUT(monitor.state() == QProcess::NotRunning, 30000);
        QCOMPARE(monitor.exitCode(), 0);
        QVERIFY(!alertmanager.requests().isEmpty());
        const QByteArray out = monitor.readAllStandardOutput();
        const QString text = QString::fromUtf8(out);
        QVERIFY2(text.contains(QStringLiteral("ALL CLEAR")), out.constData()); // the alert was printed
        for (const QChar c : text) {
            const char16_t u = c.unicode();
            const bool control = (u < 0x20 && u != u'\n') || u == 0x7f || (u >= 0x80 && u <= 0x9f)
                || (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069);
            QVERIFY2(
                !control, qPrintable(QStringLiteral("U+%1 in: %2").arg(int(u), 4, 16, QLatin1Char('0')).arg(text)));
        }
        if (json) {
            bool found = false;
            for (const QByteArray& line : out.split('\n')) {
                if (line.trimmed().isEmpty())
                    continue;
                const QJsonObject e = QJsonDocument::fromJson(line).object();
                QVERIFY2(!e.isEmpty(), line.constData());
                if (e.value(QStringLiteral("evidence"))
                        .toString()
                        .contains(QChar(0x202e) + QStringLiteral("evil") + QChar(0x85)))
                    found = true; // the value itself is intact
            }
            QVERIFY2(found, out.constData());
        } else {
            QVERIFY2(text.contains(QStringLiteral("<img src=x>")), out.constData());
            QVERIFY2(text.contains(QChar(QChar::ReplacementCharacter)), out.constData());
        }
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
