// A headless monitoring run as `faultdesk monitor` makes it: real TCP probes on loopback (one target listening, one
// not), every event given as JSON and as text, a stop after the duration; and a run that must not start.
#include "automation/monitorrun.h"
#include "config/fleetconfigloader.h"

#include <QFile>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

class TestMonitorRun : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QTcpServer m_listening;
    FleetConfig m_config;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_listening.listen(QHostAddress::LocalHost, 0));
        QTcpServer closed; // a port that nothing listens on once it is closed
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 closedPort = closed.serverPort();
        closed.close();
        QFile fleet(m_dir.filePath(QStringLiteral("fleet.yaml")));
        QVERIFY(fleet.open(QIODevice::WriteOnly));
        fleet.write("version: 1\n"
                    "defaults: { interval: 200ms, timeout: 150ms }\n"
                    "targets:\n"
                    "  - name: up-1\n"
                    "    address: 127.0.0.1\n"
                    "    probes: [ { kind: tcp, address: '127.0.0.1:"
            + QByteArray::number(m_listening.serverPort())
            + "' } ]\n"
              "  - name: down-1\n"
              "    address: 127.0.0.1\n"
              "    probes: [ { kind: tcp, address: '127.0.0.1:"
            + QByteArray::number(closedPort) + "' } ]\n");
        fleet.close();
        ConfigLoadResult loaded = FleetConfigLoader::loadFile(fleet.fileName());
        QVERIFY2(loaded.ok(), loaded.errors.isEmpty() ? "" : qPrintable(loaded.errors.constFirst().toString()));
        m_config = std::move(*loaded.config);
    }

    void reportsEventsAndStopsAfterItsDuration()
    {
        MonitorRun::Options o;
        o.duration = std::chrono::milliseconds(3000);
        MonitorRun run(o);
        QSignalSpy progress(&run, &MonitorRun::progress);
        QSignalSpy events(&run, &MonitorRun::event);
        QString error;
        QVERIFY2(run.run(m_config, &error), qPrintable(error)); // returns by itself: the duration stops it, cleanly
        QCOMPARE(run.summary().total, 2);
        QCOMPARE(run.summary().up, 1);
        // The operator is told what is watched and, at the end, what was seen.
        QCOMPARE(progress.size(), 2);
        QCOMPARE(progress.at(0).at(0).toString(),
            QStringLiteral("Monitoring 2 targets from %1 (Ctrl+C to stop)").arg(m_config.sourceFile));
        QCOMPARE(progress.at(1).at(0).toString(),
            QStringLiteral("Stopped: 1/2 targets up, %1 active faults").arg(run.summary().activeFaults));
        bool upSeen = false;
        bool downSeen = false;
        for (const QList<QVariant>& e : std::as_const(events)) {
            const QJsonObject json = e.at(0).toJsonObject();
            const QString text = e.at(1).toString();
            const QString target = json.value(QStringLiteral("target")).toString();
            QVERIFY2(target.isEmpty() || text.contains(target), qPrintable(text)); // both say the same event
            if (json.value(QStringLiteral("event")).toString() != u"state-changed")
                continue;
            upSeen |= target == u"up-1" && json.value(QStringLiteral("to")).toString() == u"UP";
            downSeen |= target == u"down-1" && json.value(QStringLiteral("to")).toString() != u"UP";
        }
        QVERIFY(upSeen);
        QVERIFY(downSeen);
    }

    void automationFailsClosedWithoutItsDatabase()
    {
        QFile blocker(m_dir.filePath(QStringLiteral("not-a-directory")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        MonitorRun::Options o;
        o.service.automation = true;
        o.service.db = blocker.fileName() + QStringLiteral("/incidents.db");
        o.duration = std::chrono::milliseconds(3000);
        MonitorRun run(o);
        QSignalSpy progress(&run, &MonitorRun::progress);
        QString error;
        QVERIFY(!run.run(m_config, &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(progress.size(), 0); // nothing was monitored, nothing remediated
    }
};

QTEST_GUILESS_MAIN(TestMonitorRun)
#include "tst_monitorrun.moc"
