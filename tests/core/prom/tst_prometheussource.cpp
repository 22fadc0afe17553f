// The Monitor reading the real demo fleet through a real Prometheus (1 s scrapes): targets discovered from
// Prometheus are UP and charted, a crash is located as `down` where fleetsim's ground truth says, and a
// Prometheus that stops makes its targets UNKNOWN ("monitoring degraded") — never down — until it is back.

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "metrics/seriesstore.h"
#include "monitor/monitor.h"
#include "prom/prometheussource.h"
#include "shared/prometheusprocess.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace FaultDesk;
using namespace FaultDesk::Test;

class TestPrometheusSource : public QObject
{
    Q_OBJECT
private:
    DemoFleetProcess m_demo;
    std::unique_ptr<PrometheusProcess> m_prom;
    QStringList m_names;
    QHash<QString, QString> m_groups;

    FleetConfig fleetConfig(const QByteArray& extraSignals = {}) const
    {
        const QByteArray yaml = "version: 1\n"
                                "defaults: { interval: 1s, attempts: 2 }\n"
                                "prometheus:\n"
                                "  - name: prom\n"
                                "    url: "
            + m_prom->url().toString().toUtf8()
            + "\n"
              "    query_timeout: 2s\n"
              "    discover: { job: demo, name_label: name, group_label: group, refresh: 2s }\n"
              "    signals:\n"
              "      load: fleetsim_utilisation\n"
              "      rps: 'sum by (instance) (rate(http_requests_total[5s]))'\n"
            + extraSignals;
        ConfigLoadResult loaded = FleetConfigLoader::loadBytes(yaml, QStringLiteral("prom-fleet.yaml"));
        for (const ConfigError& e : loaded.errors)
            qWarning("%s", qPrintable(e.toString()));
        return loaded.config.value_or(FleetConfig());
    }

    struct Watch
    {
        std::unique_ptr<Monitor> monitor;
        QList<DetectionEvent> events;
    };

    std::unique_ptr<Watch> startMonitor(const QByteArray& extraSignals = {})
    {
        auto w = std::make_unique<Watch>();
        w->monitor = std::make_unique<Monitor>();
        w->monitor->setConfig(fleetConfig(extraSignals));
        Watch* raw = w.get();
        connect(w->monitor.get(), &Monitor::eventRaised, w->monitor.get(),
            [raw](const DetectionEvent& e) { raw->events.append(e); });
        w->monitor->start();
        return w;
    }

    bool allIn(const Watch& w, TargetState state) const
    {
        const QList<TargetStatus> statuses = w.monitor->detector()->statuses();
        if (statuses.size() != m_names.size())
            return false;
        for (const TargetStatus& s : statuses) {
            if (s.state != state)
                return false;
        }
        return true;
    }

    static std::optional<Fault> openRootFault(const Watch& w, const QString& target)
    {
        for (const Fault& f : w.monitor->detector()->openFaults()) {
            if (f.target == target && f.rootCause && f.phase != Fault::Phase::Detected)
                return f;
        }
        return std::nullopt;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!PrometheusProcess::available())
            QSKIP("prometheus is not installed (scripts/install-deps)");
        QString error;
        QVERIFY2(m_demo.start(60000, &error), qPrintable(error));
        const ConfigLoadResult demo = FleetConfigLoader::loadFile(m_demo.fleetConfigPath());
        QVERIFY(demo.ok());
        QByteArray scrape = "  - job_name: demo\n    static_configs:\n";
        for (const TargetConfig& t : demo.config->targets) {
            for (const ProbeConfig& p : t.probes) {
                if (p.kind != ProbeConfig::Kind::Metrics)
                    continue;
                scrape += "      - targets: ['" + QStringLiteral("%1:%2").arg(p.url.host()).arg(p.url.port()).toUtf8()
                    + "']\n        labels: { name: " + t.name.toUtf8() + ", group: " + t.group.toUtf8() + " }\n";
                m_names << t.name;
                m_groups.insert(t.name, t.group);
            }
        }
        QVERIFY(m_names.size() >= 4);
        m_prom = std::make_unique<PrometheusProcess>(scrape);
        QVERIFY2(m_prom->start(), qPrintable(m_prom->stderrText()));
        QVERIFY(m_prom->waitScraped(int(m_names.size())));
        QTest::qWait(4000); // a past for the history test to find
    }

    void cleanupTestCase()
    {
        m_prom.reset();
        m_demo.stop();
    }

    void discoveredTargetsAreUpAndCharted()
    {
        const qint64 startedMs = QDateTime::currentMSecsSinceEpoch();
        auto w = startMonitor();
        QTRY_VERIFY_WITH_TIMEOUT(allIn(*w, TargetState::Up), 20000);
        QStringList seen = w->monitor->detector()->targetNames();
        seen.sort();
        QStringList expected = m_names;
        expected.sort();
        QCOMPARE(seen, expected);
        for (const TargetStatus& s : w->monitor->detector()->statuses())
            QCOMPARE(s.group, m_groups.value(s.name));
        QCOMPARE(w->monitor->summary().up, int(m_names.size()));
        QVERIFY(!w->monitor->summary().degraded);

        // Signal values land in the series store, per target.
        const SeriesStore* store = w->monitor->store();
        const QString web = m_names.first();
        const auto load = store->find(web, QStringLiteral("load"));
        QVERIFY(load >= 0);
        QTRY_VERIFY_WITH_TIMEOUT(store->latest(load).valid, 10000);
        QVERIFY(store->latest(load).value >= 0 && store->latest(load).value < 0.85);

        // History from query_range fills the time before this monitor started.
        PrometheusSource* source = w->monitor->prometheusSourceOf(web);
        QVERIFY(source);
        QSignalSpy ready(source, &PrometheusSource::historyReady);
        QSignalSpy failed(source, &PrometheusSource::historyFailed);
        QSignalSpy updated(w->monitor.get(), &Monitor::seriesUpdated);
        w->monitor->requestHistory({ web }, startedMs - 60000, startedMs);
        QTRY_COMPARE_WITH_TIMEOUT(ready.count() + failed.count(), 2, 15000); // one range query per signal
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        QVERIFY(updated.count() > 0);
        const std::vector<SeriesPoint> past = store->range(load, startedMs - 60000, startedMs - 1000);
        QVERIFY2(past.size() >= 2, qPrintable(QString::number(past.size())));
        for (const SeriesPoint& p : past)
            QVERIFY(p.value >= 0 && p.value < 0.85);
        QTest::qWait(2000);
        QVERIFY2(w->monitor->detector()->openFaults().isEmpty(), "no fault on a quiet fleet");
    }

    void brokenSignalQueryDegradesButHealthStillCounts()
    {
        auto w = startMonitor("      broken: 'sum(rate(http_requests_total[5s])'\n");
        QTRY_VERIFY_WITH_TIMEOUT(allIn(*w, TargetState::Up), 20000);
        PrometheusSource* source = w->monitor->prometheusSources().constFirst();
        QTRY_VERIFY_WITH_TIMEOUT(source->isDegraded(), 10000);
        QVERIFY2(source->degradedReason().contains(QStringLiteral("query 'sum(rate(http_requests_total[5s])'"))
                && source->degradedReason().contains(QStringLiteral("bad_data")),
            qPrintable(source->degradedReason()));
        QVERIFY(w->monitor->summary().degraded);
        // The good signals still flow.
        const auto rps = w->monitor->store()->find(m_names.first(), QStringLiteral("rps"));
        QTRY_VERIFY_WITH_TIMEOUT(w->monitor->store()->latest(rps).valid, 10000);
        QVERIFY(
            !w->monitor->store()->latest(w->monitor->store()->find(m_names.first(), QStringLiteral("broken"))).valid);
        QVERIFY(allIn(*w, TargetState::Up));
    }

    void crashIsLocatedThroughPrometheus()
    {
        auto w = startMonitor();
        QTRY_VERIFY_WITH_TIMEOUT(allIn(*w, TargetState::Up), 20000);
        const QString victim = m_names.contains(QStringLiteral("web-2")) ? QStringLiteral("web-2") : m_names.first();
        QVERIFY(m_demo.inject(QStringLiteral("crash"), victim));
        QJsonObject truth;
        for (const QJsonValue& v : m_demo.truth().value(QStringLiteral("faults")).toArray()) {
            if (v.toObject().value(QStringLiteral("kind")).toString() == u"crash")
                truth = v.toObject();
        }
        QCOMPARE(truth.value(QStringLiteral("root_cause")).toString(), victim);
        QTRY_VERIFY_WITH_TIMEOUT(openRootFault(*w, victim).has_value(), 20000);
        const Fault f = *openRootFault(*w, victim);
        QCOMPARE(causeClassName(f.cause), truth.value(QStringLiteral("cause")).toString());
        QCOMPARE(w->monitor->detector()->status(victim)->state, TargetState::Hard);
        QVERIFY2(f.evidence.contains(QStringLiteral("up=0")), qPrintable(f.evidence));
        for (const Fault& other : w->monitor->detector()->openFaults())
            QVERIFY2(other.target == victim || !other.rootCause, qPrintable(other.target));

        QCOMPARE(m_demo.control({ QStringLiteral("start"), victim }), 0);
        QTRY_VERIFY_WITH_TIMEOUT(w->monitor->detector()->openFaults().isEmpty(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(allIn(*w, TargetState::Up), 20000);
    }

    void prometheusDownIsDegradedNotDown()
    {
        auto w = startMonitor();
        QTRY_VERIFY_WITH_TIMEOUT(allIn(*w, TargetState::Up), 20000);
        const qsizetype eventsBefore = w->events.size();

        m_prom->stop(); // SIGTERM
        QTRY_VERIFY_WITH_TIMEOUT(allIn(*w, TargetState::Unknown), 15000);
        QVERIFY(w->monitor->summary().degraded);
        PrometheusSource* source = w->monitor->prometheusSources().constFirst();
        QVERIFY(source->isDegraded());
        const QString expected
            = QStringLiteral("Prometheus at http://127.0.0.1:%1 unreachable: connection refused").arg(m_prom->port());
        QCOMPARE(source->degradedReason(), expected);
        QCOMPARE(w->monitor->detector()->status(m_names.first())->lastReason, expected);
        bool degradedEvent = false;
        for (qsizetype i = eventsBefore; i < w->events.size(); ++i) {
            const DetectionEvent& e = w->events.at(i);
            degradedEvent = degradedEvent
                || (e.kind == DetectionEvent::Kind::MonitorDegraded && e.reason.contains(expected)
                    && e.failing == int(m_names.size()));
        }
        QVERIFY(degradedEvent);
        QTest::qWait(4000); // longer than attempts × interval and the stale limit
        QVERIFY(allIn(*w, TargetState::Unknown));
        QVERIFY2(w->monitor->detector()->openFaults().isEmpty(), "a Prometheus outage raised a fault");
        for (qsizetype i = eventsBefore; i < w->events.size(); ++i) {
            const DetectionEvent& e = w->events.at(i);
            QVERIFY2(e.kind != DetectionEvent::Kind::StateChanged
                    || (e.to != TargetState::Hard && e.to != TargetState::Soft),
                qPrintable(e.target + u' ' + targetStateName(e.to)));
        }

        QVERIFY2(m_prom->restart(), qPrintable(m_prom->stderrText()));
        QTRY_VERIFY_WITH_TIMEOUT(allIn(*w, TargetState::Up), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!w->monitor->summary().degraded, 10000);
        QVERIFY(w->monitor->detector()->openFaults().isEmpty());
        QCOMPARE(w->events.last().kind == DetectionEvent::Kind::MonitorRecovered
                || std::any_of(w->events.cbegin() + eventsBefore, w->events.cend(),
                    [](const DetectionEvent& e) { return e.kind == DetectionEvent::Kind::MonitorRecovered; }),
            true);
    }
};

QTEST_GUILESS_MAIN(TestPrometheusSource)
#include "tst_prometheussource.moc"
