// End to end with real components: the demo fleet (faultdesk-fleetsim) scraped by a real Prometheus whose rule fires
// into a real Alertmanager; FaultDesk reads Alertmanager. A crash becomes an alert fault on the right target with its
// labels as evidence; acknowledging it creates a narrow silence in Alertmanager; when the target is back and the
// alert resolves, FaultDesk expires the silence and the incident records the resolution.

#include "alert/acknowledgementmanager.h"
#include "alert/alertmanagerclient.h"
#include "alert/alertmanagersource.h"
#include "alertmanagerprocess.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "incident/incidentrecorder.h"
#include "incident/incidentstore.h"
#include "monitor/monitor.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;
using namespace FaultDesk::Test;

class TestAlertingEndToEnd : public QObject
{
    Q_OBJECT
private:
    static bool startPrometheus(LoopbackDaemon& prometheus, quint16 alertmanagerPort, const QStringList& scrapeTargets)
    {
        QByteArray targets;
        for (const QString& t : scrapeTargets)
            targets += "'" + t.toUtf8() + "', ";
        const QByteArray config = "global:\n"
                                  "  scrape_interval: 1s\n"
                                  "  scrape_timeout: 900ms\n"
                                  "  evaluation_interval: 1s\n"
                                  "rule_files: ['rules.yml']\n"
                                  "alerting:\n"
                                  "  alertmanagers:\n"
                                  "    - static_configs:\n"
                                  "        - targets: ['127.0.0.1:"
            + QByteArray::number(alertmanagerPort)
            + "']\n"
              "scrape_configs:\n"
              "  - job_name: fleet\n"
              "    static_configs:\n"
              "      - targets: ["
            + targets + "]\n";
        const QByteArray rules = "groups:\n"
                                 "  - name: fleet\n"
                                 "    interval: 1s\n"
                                 "    rules:\n"
                                 "      - alert: FleetTargetDown\n"
                                 "        expr: up{job=\"fleet\"} == 0\n"
                                 "        for: 0s\n"
                                 "        labels: { severity: page }\n"
                                 "        annotations: { summary: 'a fleet target does not answer scrapes' }\n";
        if (!prometheus.writeFile(QStringLiteral("prometheus.yml"), config)
            || !prometheus.writeFile(QStringLiteral("rules.yml"), rules))
            return false;
        return prometheus.start(QStringLiteral("/usr/bin/prometheus"),
            { QStringLiteral("--config.file=") + prometheus.dir() + QStringLiteral("/prometheus.yml"),
                QStringLiteral("--storage.tsdb.path=") + prometheus.dir() + QStringLiteral("/data"),
                QStringLiteral("--web.listen-address=127.0.0.1:%PORT%"), QStringLiteral("--log.level=warn") },
            "/-/ready", 30000);
    }

    static QString metricsAddress(const TargetConfig& t)
    {
        for (const ProbeConfig& p : t.probes) {
            if (p.kind == ProbeConfig::Kind::Metrics)
                return p.url.host() + u':' + QString::number(p.url.port(80));
        }
        return {};
    }

    std::optional<AlertmanagerSilence> silence(AlertmanagerClient& client, const QString& id)
    {
        std::optional<AlertmanagerSilence> out;
        bool done = false;
        client.fetchSilence(id, this, [&](const std::optional<AlertmanagerSilence>& s, const QString&) {
            out = s;
            done = true;
        });
        QElapsedTimer t;
        t.start();
        while (!done && t.elapsed() < 10000)
            QTest::qWait(20);
        return out;
    }

private Q_SLOTS:
    void crashAlertIsAcknowledgedSilencedAndResolved()
    {
        DemoFleetProcess demo;
        QString error;
        QVERIFY2(demo.start(60000, &error), qPrintable(error));
        ConfigLoadResult loaded = FleetConfigLoader::loadFile(demo.fleetConfigPath());
        QVERIFY(loaded.ok());
        FleetConfig config = *loaded.config;

        AlertmanagerProcess am;
        QVERIFY2(am.start(), am.output().constData());
        QStringList scrape;
        QString web2Address;
        for (const TargetConfig& t : config.targets) {
            const QString a = metricsAddress(t);
            if (!a.isEmpty())
                scrape << a;
            if (t.name == u"web-2")
                web2Address = a;
        }
        QVERIFY(!web2Address.isEmpty());
        LoopbackDaemon prometheus;
        QVERIFY2(startPrometheus(prometheus, am.port(), scrape), prometheus.output().constData());

        AlertmanagerConfig amConfig;
        amConfig.name = QStringLiteral("am");
        amConfig.url = QUrl(am.url());
        amConfig.pollInterval = std::chrono::milliseconds(300);
        config.alertmanager = { amConfig };

        Monitor monitor; // outlives the recorder, which reads its series store when it goes
        QTemporaryDir dbDir;
        IncidentStore::Options options;
        options.path = dbDir.filePath(QStringLiteral("incidents.db"));
        IncidentStore store(options);
        QVERIFY(store.open(&error));
        IncidentRecorder recorder(&store);
        monitor.setConfig(config);
        recorder.attach(monitor.detector(), monitor.store(), monitor.config());
        AlertmanagerSource source(amConfig, config, monitor.detector());
        AcknowledgementManager acks(monitor.detector(), &recorder);
        acks.setIncidentRecorder(&recorder);
        acks.addSource(&source);
        monitor.start();
        source.start();

        QTRY_VERIFY_WITH_TIMEOUT(source.hasPolled(), 10000);
        QTest::qWait(2500); // a few scrapes and evaluations of the healthy fleet
        QVERIFY2(source.faultIds().isEmpty(), "no alert on a healthy fleet");

        QVERIFY(demo.inject(QStringLiteral("crash"), QStringLiteral("web-2")));
        QTRY_VERIFY_WITH_TIMEOUT(!source.faultIds().isEmpty(), 30000);
        const QString id = source.faultIds().constFirst();
        const Fault fault = *monitor.detector()->fault(id);
        QCOMPARE(fault.target, QStringLiteral("web-2"));
        QVERIFY2(fault.evidence.startsWith(QStringLiteral("Alertmanager: FleetTargetDown firing since ")),
            qPrintable(fault.evidence));
        QVERIFY2(fault.evidence.contains(QStringLiteral("instance=") + web2Address), qPrintable(fault.evidence));
        QVERIFY2(fault.evidence.contains(QStringLiteral("job=fleet")), qPrintable(fault.evidence));
        QVERIFY2(fault.evidence.contains(QStringLiteral("severity=page")), qPrintable(fault.evidence));
        QCOMPARE(source.faultIds().size(), 1); // only web-2 is down
        QTRY_VERIFY_WITH_TIMEOUT(!monitor.detector()->fault(id)->incidentId.isEmpty(), 10000);
        const QString detectorIncident = monitor.detector()->fault(id)->incidentId;

        QSignalSpy batch(&acks, &AcknowledgementManager::batchFinished);
        acks.acknowledge({ id }, QStringLiteral("alice"), QStringLiteral("restarting web-2"));
        QTRY_COMPARE_WITH_TIMEOUT(batch.count(), 1, 10000);
        QVERIFY2(batch.at(0).at(1).toStringList().isEmpty(), qPrintable(batch.at(0).at(1).toStringList().join(u'\n')));
        const QString silenceId = acks.acknowledgement(id)->silenceId;
        QVERIFY(!silenceId.isEmpty());
        const auto active = silence(*source.client(), silenceId);
        QVERIFY(active);
        QCOMPARE(active->state, QStringLiteral("active"));
        QCOMPARE(
            active->matchersText(), QStringLiteral("alertname=\"FleetTargetDown\", instance=\"%1\"").arg(web2Address));
        QTest::qWait(1000);
        QVERIFY2(source.faultIds().contains(id), "the alert muted by our silence is still a fault");

        // web-2 comes back: Prometheus resolves the alert, FaultDesk clears the fault and expires its silence.
        QCOMPARE(demo.control({ QStringLiteral("start"), QStringLiteral("web-2") }), 0);
        QTRY_COMPARE_WITH_TIMEOUT(monitor.detector()->fault(id)->phase, Fault::Phase::Recovered, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(acks.silencedCount(), 0, 10000);
        QCOMPARE(silence(*source.client(), silenceId)->state, QStringLiteral("expired"));

        // The incident: acknowledged by alice, recovered, with the silence and the resolution in its trail.
        QVERIFY(recorder.waitForWrites(10000));
        const QString storeId = recorder.storeId(detectorIncident);
        QVERIFY(!storeId.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(store.incident(storeId, false)->state == IncidentState::Recovered, 10000);
        const Incident incident = *store.incident(storeId, false);
        QVERIFY(incident.acknowledgedUtc.isValid());
        bool acknowledgedByAlice = false;
        for (const IncidentEvent& e : incident.events)
            acknowledgedByAlice = acknowledgedByAlice
                || (e.state == IncidentState::Acknowledged && e.actor == u"alice"
                    && e.note.contains(u"restarting web-2"));
        QVERIFY(acknowledgedByAlice);
        QStringList kinds;
        for (const AuditRecord& r : incident.actions)
            kinds << r.actionKind + u'/'
                    + (r.phase == AuditRecord::Phase::Intent ? QStringLiteral("intent") : r.status);
        QVERIFY2(kinds.contains(QStringLiteral("alertmanager-silence/ok")), qPrintable(kinds.join(u' ')));
        QVERIFY2(kinds.contains(QStringLiteral("alertmanager-expire/ok")), qPrintable(kinds.join(u' ')));
        QVERIFY2(kinds.contains(QStringLiteral("alert-resolved/ok")), qPrintable(kinds.join(u' ')));

        source.stop();
        monitor.stop();
        prometheus.stop();
        am.stop();
        demo.stop();
    }
};

QTEST_GUILESS_MAIN(TestAlertingEndToEnd)
#include "tst_alertingendtoend.moc"
