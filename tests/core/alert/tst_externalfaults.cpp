// Detector's external faults (what AlertmanagerSource raises), without any network: they are located over the
// dependency graph in both directions, only their source clears them, and they live next to probe faults.

#include "detect/detector.h"

#include <QSignalSpy>
#include <QTest>

using namespace FaultDesk;

namespace {

QList<TargetPolicy> policies()
{
    QList<TargetPolicy> out;
    for (const QString& name : { QStringLiteral("db"), QStringLiteral("web-1"), QStringLiteral("web-2") }) {
        TargetPolicy p;
        p.name = name;
        p.group = name == u"db" ? QStringLiteral("db") : QStringLiteral("web");
        p.attempts = 1;
        p.staleAfterMs = 3600 * 1000;
        if (name != u"db")
            p.dependsOn = { QStringLiteral("db") };
        out.append(p);
    }
    return out;
}

Detector::ExternalFault external(const QString& target, const QString& key = QStringLiteral("fp"))
{
    Detector::ExternalFault f;
    f.source = QStringLiteral("alertmanager/am");
    f.key = key;
    f.target = target;
    f.cause = CauseClass::Errors;
    f.evidence = QStringLiteral("Alertmanager: X firing since 12:00:00 (instance=%1)").arg(target);
    f.labels = { { QStringLiteral("alertname"), QStringLiteral("X") } };
    return f;
}

void observe(Detector& d, const QString& target, bool ok, qint64 now)
{
    Observation o;
    o.target = target;
    o.timeMs = now;
    o.probe = ok ? Observation::Probe::Ok : Observation::Probe::Down;
    o.failureKind = ok ? Observation::FailureKind::None : Observation::FailureKind::Refused;
    o.reason = ok ? QString() : QStringLiteral("connection refused");
    d.observe(o);
}

} // namespace

class TestExternalFaults : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void probeFaultsOfDependentsBecomeSymptomsOfAnAlert()
    {
        Detector d;
        d.setTargets(policies());
        qint64 now = 1000000;
        for (const QString& t : d.targetNames())
            observe(d, t, true, now);
        d.tick(now);
        QSignalSpy events(&d, &Detector::eventRaised);
        const QString alertId = d.raiseExternalFault(external(QStringLiteral("db")), now);
        QVERIFY(!alertId.isEmpty());
        QCOMPARE(events.count(), 1);
        QCOMPARE(events.at(0).at(0).value<DetectionEvent>().kind, DetectionEvent::Kind::FaultDetected);
        // Raising it again only updates it.
        QCOMPARE(d.raiseExternalFault(external(QStringLiteral("db")), now), alertId);
        QCOMPARE(d.openFaults().size(), 1);

        now += 1000;
        observe(d, QStringLiteral("db"), true, now); // the probes say db is fine; the alert says otherwise
        observe(d, QStringLiteral("web-1"), false, now);
        observe(d, QStringLiteral("web-2"), true, now);
        d.tick(now);
        const Fault root = *d.fault(alertId);
        QVERIFY(root.rootCause);
        QCOMPARE(root.phase, Fault::Phase::Located);
        QCOMPARE(root.cause, CauseClass::Errors);
        QCOMPARE(root.evidence, external(QStringLiteral("db")).evidence);
        const QString webId = d.status(QStringLiteral("web-1"))->faultId;
        const Fault web = *d.fault(webId);
        QVERIFY2(!web.rootCause, "web-1 fails because its dependency has an alert");
        QCOMPARE(web.rootFaultId, alertId);
        QCOMPARE(web.incidentId, root.incidentId);
        QCOMPARE(d.fault(alertId)->symptoms, QStringList { QStringLiteral("web-1") });

        // Passing probes never clear it; only its source does.
        now += 1000;
        for (const QString& t : d.targetNames())
            observe(d, t, t != u"web-1", now);
        d.tick(now);
        QVERIFY(d.fault(alertId)->isOpen());
        QVERIFY(d.clearExternalFault(
            QStringLiteral("alertmanager/am"), QStringLiteral("fp"), QStringLiteral("resolved"), now));
        QCOMPARE(d.fault(alertId)->phase, Fault::Phase::Recovered);
        QVERIFY(!d.clearExternalFault(
            QStringLiteral("alertmanager/am"), QStringLiteral("fp"), QStringLiteral("again"), now));
        QVERIFY(d.externalFaultIds(QStringLiteral("alertmanager/am")).isEmpty());
        // web-1 still fails: the tail of the same event for the aftershock grace (60 s), a root cause of its own
        // after that.
        now += 1000;
        observe(d, QStringLiteral("web-1"), false, now);
        d.tick(now);
        QVERIFY(!d.fault(webId)->rootCause);
        QCOMPARE(d.fault(webId)->incidentId, root.incidentId);
        for (int i = 0; i < 60; ++i) {
            now += 1000;
            for (const QString& t : d.targetNames())
                observe(d, t, t != u"web-1", now);
            d.tick(now);
        }
        QVERIFY(d.fault(webId)->rootCause);
        QVERIFY(d.fault(webId)->incidentId != root.incidentId);
    }

    void anAlertOnADependentOfAFailingTargetIsItsSymptom()
    {
        Detector d;
        d.setTargets(policies());
        qint64 now = 1000000;
        observe(d, QStringLiteral("db"), false, now);
        d.tick(now);
        const QString dbId = d.status(QStringLiteral("db"))->faultId;
        QVERIFY(!dbId.isEmpty());
        const QString alertId = d.raiseExternalFault(external(QStringLiteral("web-2")), now);
        now += 500;
        observe(d, QStringLiteral("db"), false, now);
        d.tick(now);
        const Fault alert = *d.fault(alertId);
        QVERIFY(!alert.rootCause);
        QCOMPARE(alert.rootTarget, QStringLiteral("db"));
        QCOMPARE(alert.incidentId, d.fault(dbId)->incidentId);
    }

    void unknownTargetsAndRemovedTargets()
    {
        Detector d;
        d.setTargets(policies());
        QVERIFY(d.raiseExternalFault(external(QStringLiteral("nowhere")), 1000).isEmpty());
        const QString id = d.raiseExternalFault(external(QStringLiteral("web-2")), 1000);
        QCOMPARE(d.externalFault(id)->target, QStringLiteral("web-2"));
        QCOMPARE(d.externalFaultId(QStringLiteral("alertmanager/am"), QStringLiteral("fp")), id);
        d.removeTarget(QStringLiteral("web-2"));
        QVERIFY(!d.fault(id)->isOpen());
        QVERIFY(!d.externalFault(id));
    }
};

QTEST_GUILESS_MAIN(TestExternalFaults)
#include "tst_externalfaults.moc"
