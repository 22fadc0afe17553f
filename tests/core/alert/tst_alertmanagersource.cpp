// AlertmanagerSource with a real Alertmanager and a Detector: alerts become faults on the right targets, located
// over the dependency graph; unmapped alerts are reported; resolved alerts clear; an unreachable Alertmanager
// degrades the source without clearing anything.

#include "alert/alertmanagerclient.h"
#include "alert/alertmanagersource.h"
#include "alertmanagerprocess.h"
#include "config/fleetconfig.h"
#include "detect/detector.h"

#include <QSignalSpy>
#include <QTest>

using namespace FaultDesk;
using namespace FaultDesk::Test;

namespace {

FleetConfig fleet()
{
    FleetConfig c;
    TargetConfig db;
    db.name = QStringLiteral("db");
    ProbeConfig tcp;
    tcp.kind = ProbeConfig::Kind::Tcp;
    tcp.address = QStringLiteral("127.0.0.1:18101");
    db.probes = { tcp };
    TargetConfig web;
    web.name = QStringLiteral("web-1");
    ProbeConfig metrics;
    metrics.kind = ProbeConfig::Kind::Metrics;
    metrics.url = QUrl(QStringLiteral("http://127.0.0.1:18102/metrics"));
    web.probes = { metrics };
    c.targets = { db, web };
    return c;
}

QList<TargetPolicy> policies()
{
    // Nobody probes here: staleness must not raise probe faults next to the alerts.
    TargetPolicy db;
    db.name = QStringLiteral("db");
    db.staleAfterMs = 3600 * 1000;
    TargetPolicy web;
    web.name = QStringLiteral("web-1");
    web.staleAfterMs = 3600 * 1000;
    web.dependsOn = { QStringLiteral("db") };
    return { db, web };
}

AlertmanagerAlert alert(const QString& name, const QString& instance, int endsInS = 300)
{
    AlertmanagerAlert a;
    a.labels = { { QStringLiteral("alertname"), name }, { QStringLiteral("instance"), instance },
        { QStringLiteral("severity"), QStringLiteral("page") }, { QStringLiteral("job"), QStringLiteral("fleet") } };
    a.startsAt = QDateTime::currentDateTimeUtc().addSecs(-10);
    a.endsAt = QDateTime::currentDateTimeUtc().addSecs(endsInS);
    return a;
}

std::optional<Fault> faultOn(const Detector& d, const QString& target)
{
    for (const Fault& f : d.openFaults()) {
        if (f.target == target)
            return f;
    }
    return std::nullopt;
}

} // namespace

class TestAlertmanagerSource : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<AlertmanagerProcess> m_am;

    AlertmanagerConfig config() const
    {
        AlertmanagerConfig c;
        c.name = QStringLiteral("am1");
        c.url = QUrl(m_am->url());
        c.pollInterval = std::chrono::milliseconds(200);
        c.timeout = std::chrono::milliseconds(2000);
        c.causes = { { QStringLiteral("DatabaseDown"), CauseClass::Down } };
        return c;
    }
    bool post(AlertmanagerClient& client, const QList<AlertmanagerAlert>& alerts)
    {
        QString error = QStringLiteral("pending");
        client.postAlerts(alerts, this, [&error](const QString& e) { error = e; });
        QElapsedTimer t;
        t.start();
        while (error == u"pending" && t.elapsed() < 10000)
            QTest::qWait(20);
        return error.isEmpty();
    }

private Q_SLOTS:
    void init()
    {
        m_am = std::make_unique<AlertmanagerProcess>();
        QVERIFY2(m_am->start(), m_am->output().constData());
    }
    void cleanup() { m_am.reset(); }

    void mappingByNameAndByProbeAddress_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("target");
        QTest::addRow("target name") << QStringLiteral("db") << QStringLiteral("db");
        QTest::addRow("tcp probe address") << QStringLiteral("127.0.0.1:18101") << QStringLiteral("db");
        QTest::addRow("metrics URL host:port") << QStringLiteral("127.0.0.1:18102") << QStringLiteral("web-1");
        QTest::addRow("unknown port") << QStringLiteral("127.0.0.1:9") << QString();
        QTest::addRow("no such name") << QStringLiteral("web-9") << QString();
    }
    void mappingByNameAndByProbeAddress()
    {
        QFETCH(QString, value);
        QFETCH(QString, target);
        Detector detector;
        detector.setTargets(policies());
        AlertmanagerSource source(config(), fleet(), &detector);
        QString why;
        QCOMPARE(source.targetFor({ { QStringLiteral("instance"), value } }, &why), target);
        if (target.isEmpty())
            QVERIFY2(why.contains(value), qPrintable(why));
    }

    void alertsBecomeLocatedFaultsAndClearWhenResolved()
    {
        Detector detector;
        detector.setTargets(policies());
        AlertmanagerSource source(config(), fleet(), &detector);
        QSignalSpy unmapped(&source, &AlertmanagerSource::unmappedAlertSeen);
        QSignalSpy resolved(&source, &AlertmanagerSource::alertResolved);
        QVERIFY(post(*source.client(),
            { alert(QStringLiteral("DatabaseDown"), QStringLiteral("db")),
                alert(QStringLiteral("HighErrorRate"), QStringLiteral("127.0.0.1:18102")),
                alert(QStringLiteral("Orphan"), QStringLiteral("10.9.9.9:9100")) }));
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            faultOn(detector, QStringLiteral("web-1")) && faultOn(detector, QStringLiteral("db")), 10000);
        detector.tick(QDateTime::currentMSecsSinceEpoch());

        const Fault db = *faultOn(detector, QStringLiteral("db"));
        QCOMPARE(db.cause, CauseClass::Down); // from `causes`
        QVERIFY(db.rootCause);
        QCOMPARE(db.phase, Fault::Phase::Located);
        const Fault web = *faultOn(detector, QStringLiteral("web-1"));
        QCOMPARE(web.cause, CauseClass::Unhealthy); // the default
        QVERIFY2(!web.rootCause, "an alert on a target whose dependency is faulty is its symptom");
        QCOMPARE(web.rootTarget, QStringLiteral("db"));
        QCOMPARE(web.incidentId, db.incidentId);
        QVERIFY2(web.evidence.startsWith(QStringLiteral("Alertmanager: HighErrorRate firing since ")),
            qPrintable(web.evidence));
        QVERIFY2(web.evidence.contains(QStringLiteral("(instance=127.0.0.1:18102, job=fleet, severity=page)")),
            qPrintable(web.evidence));
        QCOMPARE(
            detector.externalFault(web.id)->labels.value(QStringLiteral("alertname")), QStringLiteral("HighErrorRate"));
        QCOMPARE(source.silenceMatchers(web.id).size(), 2);

        // The alert nobody can place is reported, once.
        QTRY_COMPARE_WITH_TIMEOUT(unmapped.count(), 1, 5000);
        QVERIFY(unmapped.at(0).at(1).toString().contains(QStringLiteral("10.9.9.9:9100")));
        QCOMPARE(source.unmappedAlerts().size(), 1);
        QTest::qWait(500);
        QCOMPARE(unmapped.count(), 1);

        // The database alert resolves: its fault clears; the web alert stays and becomes a root cause.
        QVERIFY(post(*source.client(), { alert(QStringLiteral("DatabaseDown"), QStringLiteral("db"), -1) }));
        QTRY_VERIFY_WITH_TIMEOUT(!faultOn(detector, QStringLiteral("db")), 10000);
        QCOMPARE(resolved.count(), 1);
        QVERIFY(resolved.at(0).at(3).toString().contains(QStringLiteral("DatabaseDown resolved")));
        QCOMPARE(detector.fault(db.id)->phase, Fault::Phase::Recovered);
        detector.tick(QDateTime::currentMSecsSinceEpoch());
        QVERIFY(faultOn(detector, QStringLiteral("web-1"))->rootCause);
    }

    void unreachableAlertmanagerDegradesAndClearsNothing()
    {
        Detector detector;
        detector.setTargets(policies());
        AlertmanagerSource source(config(), fleet(), &detector);
        QSignalSpy degraded(&source, &AlertmanagerSource::degradedChanged);
        QVERIFY(post(*source.client(), { alert(QStringLiteral("DatabaseDown"), QStringLiteral("db")) }));
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(faultOn(detector, QStringLiteral("db")), 10000);
        QVERIFY(!source.isDegraded());

        m_am->stop();
        QTRY_VERIFY_WITH_TIMEOUT(source.isDegraded(), 10000);
        QCOMPARE(degraded.count(), 1);
        QCOMPARE(degraded.at(0).at(0).toBool(), true);
        QVERIFY2(source.degradedReason().startsWith(QStringLiteral("Alertmanager am1: GET /api/v2/alerts")),
            qPrintable(source.degradedReason()));
        QTest::qWait(1000); // several failed polls
        QVERIFY2(faultOn(detector, QStringLiteral("db")), "a failed poll never clears a fault");
        QCOMPARE(source.faultIds().size(), 1);
        QCOMPARE(degraded.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestAlertmanagerSource)
#include "tst_alertmanagersource.moc"
