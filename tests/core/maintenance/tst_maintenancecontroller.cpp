// MaintenanceController with a real Detector, incident store and audit file on an injected clock: a crash inside a
// window raises no fault and the fault comes when the window ends; windows are audited, persisted and restored;
// the reminder fires before the end.

#include "../detect/detecttestutil.h"

#include "audit/jsonlauditsink.h"
#include "config/fleetconfig.h"
#include "detect/detector.h"
#include "incident/incidentstore.h"
#include "maintenance/maintenancecontroller.h"
#include "maintenance/maintenancestore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;
using namespace FaultDesk::TestUtil;
using namespace std::chrono_literals;

namespace {

FleetConfig fleetConfig()
{
    FleetConfig c;
    for (const auto& [name, group] : { std::pair { u"web-1"_qs, u"web"_qs }, std::pair { u"web-2"_qs, u"web"_qs },
             std::pair { u"db-primary"_qs, u"db"_qs } }) {
        TargetConfig t;
        t.name = name;
        t.group = group;
        c.targets.append(t);
    }
    return c;
}

/// A detector fed one round per call (every target healthy unless listed as down), on the shared clock.
struct Rig
{
    QDateTime now = QDateTime::fromMSecsSinceEpoch(t0(), Qt::UTC);
    Detector detector;
    MaintenanceController controller;

    Rig()
    {
        QList<TargetPolicy> policies;
        for (const TargetConfig& t : fleetConfig().targets)
            policies.append(policy(t.name, t.group));
        detector.setTargets(policies);
        controller.setClock([this] { return now; });
        MaintenanceController::Settings s;
        s.reminderLead = 5min;
        controller.setSettings(s);
        controller.setFleet(fleetConfig());
        controller.setDetector(&detector);
    }

    QList<DetectionEvent> round(const QStringList& down = {})
    {
        now = now.addSecs(1);
        controller.evaluate();
        for (const QString& name : detector.targetNames())
            detector.observe(down.contains(name) ? refused(name, now.toMSecsSinceEpoch() - 100)
                                                 : ok(name, now.toMSecsSinceEpoch() - 100));
        return detector.tick(now.toMSecsSinceEpoch());
    }

    MaintenanceWindow window(const QStringList& targets, const QStringList& groups, int minutes)
    {
        MaintenanceWindow w;
        w.targets = targets;
        w.groups = groups;
        w.startUtc = now;
        w.endUtc = now.addSecs(minutes * 60);
        w.comment = u"kernel upgrade"_qs;
        return w;
    }
};

int count(const QList<DetectionEvent>& events, DetectionEvent::Kind kind)
{
    return int(
        std::count_if(events.cbegin(), events.cend(), [kind](const DetectionEvent& e) { return e.kind == kind; }));
}

} // namespace

class TestMaintenanceController : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void crashInsideWindowRaisesNoFaultUntilItEnds()
    {
        Rig r;
        JsonlAuditSink audit(m_dir.filePath(u"audit-1.jsonl"_qs));
        r.controller.setAuditSink(&audit);
        r.round();
        QSignalSpy started(&r.controller, &MaintenanceController::windowStarted);
        QSignalSpy ended(&r.controller, &MaintenanceController::windowEnded);
        QSignalSpy active(&r.controller, &MaintenanceController::activeChanged);
        QSignalSpy soon(&r.controller, &MaintenanceController::endingSoon);
        QString error;
        const QString id = r.controller.create(r.window({ u"web-1"_qs }, {}, 10), u"alice"_qs, false, &error);
        QVERIFY2(!id.isEmpty(), qPrintable(error));
        QCOMPARE(started.count(), 1);
        QCOMPARE(active.count(), 1);
        QCOMPARE(r.controller.activeCount(), 1);
        const QString note = r.controller.noteFor(u"web-1"_qs);
        QVERIFY2(note.startsWith(u"in a maintenance window until "_qs) && note.endsWith(u" (kernel upgrade)"_qs),
            qPrintable(note));
        QCOMPARE(r.detector.suppression(u"web-1"_qs), note);

        QList<DetectionEvent> events;
        for (int i = 0; i < 5; ++i)
            events += r.round({ u"web-1"_qs });
        QCOMPARE(r.detector.status(u"web-1"_qs)->state, TargetState::Hard);
        QCOMPARE(count(events, DetectionEvent::Kind::FaultDetected), 0);
        QCOMPARE(soon.count(), 0);

        r.now = r.now.addSecs(6 * 60);
        events = r.round({ u"web-1"_qs });
        QCOMPARE(soon.count(), 1);
        QCOMPARE(soon.at(0).at(0).toString(), id);
        QVERIFY(soon.at(0).at(1).toString().contains(u"web-1"_qs));

        r.now = r.now.addSecs(4 * 60);
        events = r.round({ u"web-1"_qs });
        QCOMPARE(ended.count(), 1);
        QCOMPARE(r.controller.activeCount(), 0);
        QVERIFY(r.detector.suppression(u"web-1"_qs).isEmpty());
        QCOMPARE(count(events, DetectionEvent::Kind::FaultDetected), 1);
        QCOMPARE(count(events, DetectionEvent::Kind::StateChanged), 0);
        QVERIFY(r.detector.openFaults().constFirst().actionable());

        const QList<AuditRecord> records = audit.records();
        QCOMPARE(records.size(), 1);
        QCOMPARE(records.at(0).runbook, u"maintenance/start"_qs);
        QCOMPARE(records.at(0).operatorName, u"alice"_qs);
        QCOMPARE(records.at(0).target, u"web-1"_qs);
        QVERIFY(records.at(0).description.contains(u"kernel upgrade"_qs));
    }

    void groupWindowEndedEarlyIsAuditedPersistedAndRestored()
    {
        const QString db = m_dir.filePath(u"incidents-2.db"_qs);
        QString id;
        QDateTime endedAt;
        {
            Rig r;
            IncidentStore::Options o;
            o.path = db;
            IncidentStore store(o);
            QVERIFY(store.open());
            MaintenanceStore windows(&store);
            JsonlAuditSink audit(m_dir.filePath(u"audit-2.jsonl"_qs));
            r.controller.setAuditSink(&audit);
            QVERIFY(r.controller.setStore(&windows));
            QString error;
            id = r.controller.create(r.window({}, { u"web"_qs }, 60), u"alice"_qs, false, &error);
            QVERIFY2(!id.isEmpty(), qPrintable(error));
            QCOMPARE(r.controller.activeCount(), 2);
            QVERIFY(!r.detector.suppression(u"web-2"_qs).isEmpty());
            QVERIFY(r.detector.suppression(u"db-primary"_qs).isEmpty());
            const QString planned
                = r.controller.create(r.window({ u"db-primary"_qs }, {}, 30), u"alice"_qs, false, &error);
            QVERIFY(!planned.isEmpty());
            r.now = r.now.addSecs(60);
            QVERIFY2(r.controller.endNow(id, u"bob"_qs, &error), qPrintable(error));
            endedAt = r.now;
            QCOMPARE(r.controller.activeCount(), 1);
            QVERIFY(r.detector.suppression(u"web-2"_qs).isEmpty());
            QVERIFY(!r.controller.endNow(id, u"bob"_qs, &error));
            QCOMPARE(audit.records().size(), 3);
            QCOMPARE(audit.records().at(2).runbook, u"maintenance/end"_qs);
            QCOMPARE(audit.records().at(2).operatorName, u"bob"_qs);
            r.controller.setDetector(nullptr);
            QVERIFY(r.detector.suppressedTargets().isEmpty());
        }
        Rig again;
        again.now = again.now.addSecs(120);
        IncidentStore::Options o;
        o.path = db;
        IncidentStore store(o);
        QVERIFY(store.open());
        MaintenanceStore windows(&store);
        QVERIFY(again.controller.setStore(&windows));
        const auto restored = again.controller.schedule().window(id);
        QVERIFY(restored);
        QCOMPARE(restored->endUtc, endedAt);
        QCOMPARE(restored->endedBy, u"bob"_qs);
        QCOMPARE(restored->groups, QStringList { u"web"_qs });
        QCOMPARE(again.controller.windows().size(), 2);
        QCOMPARE(again.controller.activeTargets().keys(), QStringList { u"db-primary"_qs });
        QVERIFY(!again.detector.suppression(u"db-primary"_qs).isEmpty());
    }

    void anotherConsolesWindowIsTakenUp()
    {
        // Two consoles on one store: a window one opens or ends applies in the other once it is announced.
        IncidentStore::Options o;
        o.path = m_dir.filePath(u"incidents-shared.db"_qs);
        IncidentStore store(o);
        QVERIFY(store.open());
        MaintenanceStore windows(&store);
        Rig there;
        Rig here;
        QVERIFY(there.controller.setStore(&windows));
        QVERIFY(here.controller.setStore(&windows));
        QString error;
        const QString id = there.controller.create(there.window({ u"web-1"_qs }, {}, 30), u"alice"_qs, false, &error);
        QVERIFY2(!id.isEmpty(), qPrintable(error));
        QVERIFY(here.controller.activeTargets().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(here.controller.applyStored(id), 5000); // committed by the writer thread
        QCOMPARE(here.controller.activeTargets().keys(), QStringList { u"web-1"_qs });
        QVERIFY(!here.detector.suppression(u"web-1"_qs).isEmpty());
        QCOMPARE(here.controller.schedule().window(id)->createdBy, u"alice"_qs);

        there.now = there.now.addSecs(60);
        QVERIFY2(there.controller.endNow(id, u"bob"_qs, &error), qPrintable(error));
        here.now = there.now;
        QTRY_VERIFY_WITH_TIMEOUT(
            here.controller.applyStored(id) && here.controller.schedule().window(id)->endedBy == u"bob", 5000);
        QVERIFY(here.controller.activeTargets().isEmpty());
        QVERIFY(here.detector.suppression(u"web-1"_qs).isEmpty());
        QVERIFY(!here.controller.applyStored(u"mw-unknown"_qs, &error));
    }

    void refusals_data()
    {
        QTest::addColumn<QStringList>("targets");
        QTest::addColumn<int>("fromMinute");
        QTest::addColumn<int>("toMinute");
        QTest::addColumn<bool>("confirmed");
        QTest::addColumn<QString>("error");
        QTest::addRow("end before start") << QStringList { u"web-1"_qs } << 10 << 5 << false << u"before it starts"_qs;
        QTest::addRow("over already") << QStringList { u"web-1"_qs } << -20 << -10 << false << u"over already"_qs;
        QTest::addRow("two weeks") << QStringList { u"web-1"_qs } << 0 << 14 * 24 * 60 << false << u"confirm"_qs;
        QTest::addRow("two weeks, confirmed") << QStringList { u"web-1"_qs } << 0 << 14 * 24 * 60 << true << QString();
        QTest::addRow("unknown target") << QStringList { u"web-9"_qs } << 0 << 10 << false << u"not a target"_qs;
        QTest::addRow("nothing") << QStringList() << 0 << 10 << false << u"at least one target or group"_qs;
    }
    void refusals()
    {
        QFETCH(QStringList, targets);
        QFETCH(int, fromMinute);
        QFETCH(int, toMinute);
        QFETCH(bool, confirmed);
        QFETCH(QString, error);
        Rig r;
        JsonlAuditSink audit(
            m_dir.filePath(u"audit-refusals-%1.jsonl"_qs.arg(QString::fromUtf8(QTest::currentDataTag()))));
        r.controller.setAuditSink(&audit);
        MaintenanceWindow w = r.window(targets, {}, 0);
        w.startUtc = r.now.addSecs(fromMinute * 60);
        w.endUtc = r.now.addSecs(toMinute * 60);
        QString why;
        const QString id = r.controller.create(w, u"alice"_qs, confirmed, &why);
        QCOMPARE(id.isEmpty(), !error.isEmpty());
        QVERIFY2(why.contains(error), qPrintable(why));
        // A refused window leaves no trace: nothing applies, nothing is audited.
        QCOMPARE(audit.records().size(), error.isEmpty() ? 1 : 0);
        QCOMPARE(r.controller.windows().size(), error.isEmpty() ? 1 : 0);
    }

    void configuredWindowsApplyAndReload()
    {
        Rig r;
        FleetConfig c = fleetConfig();
        MaintenanceConfig m;
        m.groups = { u"db"_qs };
        m.startUtc = r.now.addSecs(-60);
        m.endUtc = r.now.addSecs(3600);
        m.comment = u"replica rebuild"_qs;
        c.maintenance.append(m);
        r.controller.setFleet(c);
        QCOMPARE(r.controller.activeTargets().keys(), QStringList { u"db-primary"_qs });
        QVERIFY(r.controller.noteFor(u"db-primary"_qs).endsWith(u"(replica rebuild)"_qs));
        QString error;
        QVERIFY(!r.controller.endNow(u"cfg-1"_qs, u"bob"_qs, &error));
        QVERIFY2(error.contains(u"fleet description"_qs), qPrintable(error));
        r.controller.setFleet(fleetConfig());
        QCOMPARE(r.controller.activeCount(), 0);
        QVERIFY(r.detector.suppression(u"db-primary"_qs).isEmpty());
    }

    // The detector reloading its targets drops suppression; the controller puts it back.
    void reloadKeepsSuppression()
    {
        Rig r;
        QVERIFY(!r.controller.create(r.window({ u"web-2"_qs }, {}, 30), u"alice"_qs, false).isEmpty());
        QVERIFY(!r.detector.suppression(u"web-2"_qs).isEmpty());
        QList<TargetPolicy> policies;
        for (const TargetConfig& t : fleetConfig().targets)
            policies.append(policy(t.name, t.group));
        r.detector.setTargets(policies);
        QVERIFY(!r.detector.suppression(u"web-2"_qs).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMaintenanceController)
#include "tst_maintenancecontroller.moc"
