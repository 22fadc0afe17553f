// IncidentRecorder against a Detector fed synthetic observations on a fake clock, and against the real demo fleet.

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "drill/demofleetprocess.h"
#include "incident/incidentrecorder.h"
#include "incident/incidentstore.h"
#include "incident/reportdata.h"
#include "incident/reportrenderer.h"
#include "monitor/monitor.h"
#include "recorderseries.h"
#include "remedy/recorderfeed.h"
#include "remedy/runbookoutcome.h"

#include <QDateTime>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace FaultDesk;

namespace {

qint64 startMs()
{
    return QDateTime(QDate(2026, 11, 27), QTime(14, 3, 10), Qt::UTC).toMSecsSinceEpoch();
}

TargetPolicy policy(const QString& name, const QString& group)
{
    TargetPolicy p;
    p.name = name;
    p.group = group;
    return p;
}

// Four web servers, two APIs on db-primary, the database: the corruption drill's shape.
QList<TargetPolicy> fleet()
{
    QList<TargetPolicy> out;
    for (int i = 1; i <= 2; ++i) {
        TargetPolicy p = policy(QStringLiteral("web-%1").arg(i), QStringLiteral("web"));
        p.thresholds.append(ThresholdRule::above(QStringLiteral("load"), 0.85, 0.70));
        out.append(p);
    }
    for (int i = 1; i <= 2; ++i) {
        TargetPolicy p = policy(QStringLiteral("api-%1").arg(i), QStringLiteral("api"));
        p.thresholds.append(ThresholdRule::above(QStringLiteral("error_rate"), 0.05, 0.01));
        p.dependsOn = QStringList { QStringLiteral("db-primary") };
        out.append(p);
    }
    TargetPolicy db = policy(QStringLiteral("db-primary"), QStringLiteral("db"));
    db.thresholds.append(ThresholdRule::below(QStringLiteral("integrity"), 1, 1));
    out.append(db);
    return out;
}

// A detector, a series store and a recorder on one fake clock; rounds of one check per target per second.
class Rig
{
public:
    QTemporaryDir dir;
    IncidentStore store;
    Detector detector;
    std::shared_ptr<SeriesStore> series = RecorderSeries::make();
    IncidentRecorder recorder { &store };
    qint64 now = startMs();
    bool corrupt = false;
    bool crashed = false;

    Rig()
        : store(options(dir))
    {
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        detector.setTargets(fleet());
        QHash<QString, QStringList> signalNames;
        for (const QString& t : detector.targetNames())
            signalNames[t] = { QStringLiteral("load"), QStringLiteral("error_rate") };
        IncidentRecorder::Settings s;
        s.windowBeforeMs = 60'000;
        s.windowAfterMs = 0;
        s.snapshotIntervalMs = 0;
        recorder.setSettings(s);
        recorder.setClock([this] { return now; });
        recorder.attach(&detector, series.get(), signalNames);
    }

    static IncidentStore::Options options(const QTemporaryDir& d)
    {
        IncidentStore::Options o;
        o.path = d.filePath(QStringLiteral("incidents.db"));
        o.pruneIntervalMs = 0;
        return o;
    }

    void round()
    {
        now += 1000;
        for (const QString& name : detector.targetNames()) {
            Observation o;
            o.target = name;
            o.timeMs = now - 100;
            const bool api = name.startsWith(u"api");
            const double load = name == u"web-2" && crashed ? 0 : 0.3 + 0.01 * double(now / 1000 % 7);
            o.values
                = { { QStringLiteral("load"), load }, { QStringLiteral("error_rate"), api && corrupt ? 0.4 : 0.001 },
                      { QStringLiteral("integrity"), name == u"db-primary" && corrupt ? 0 : 1 } };
            if (name == u"web-2" && crashed) {
                o.probe = Observation::Probe::Down;
                o.failureKind = Observation::FailureKind::Refused;
                o.reason = QStringLiteral("connection refused");
                o.values.clear();
            }
            detector.observe(o);
            if (!o.values.isEmpty())
                RecorderSeries::append(*series, name, QStringLiteral("load"), now - 100, load);
        }
        detector.tick(now);
    }
    void rounds(int n)
    {
        for (int i = 0; i < n; ++i)
            round();
    }
    /// 90 quiet rounds, then web-2 crashes for 3: its fault once the recorder has written the incident.
    std::optional<Fault> crashWeb2()
    {
        rounds(90);
        crashed = true;
        rounds(3);
        if (!recorder.waitForWrites())
            return std::nullopt;
        return faultOf(QStringLiteral("web-2"));
    }
    std::optional<Fault> faultOf(const QString& target) const
    {
        for (const Fault& f : detector.openFaults())
            if (f.target == target)
                return f;
        return std::nullopt;
    }
};

} // namespace

class TestIncidentRecorder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The corruption drill's detection: one incident for db-primary, the APIs' errors as its symptoms.
    void incidentCreatedOnLocated()
    {
        Rig rig;
        QSignalSpy recorded(&rig.recorder, &IncidentRecorder::incidentRecorded);
        rig.rounds(30);
        QCOMPARE(rig.recorder.recordedIds().size(), 0);
        rig.corrupt = true;
        rig.rounds(4);
        QTRY_COMPARE(recorded.count(), 1);
        QVERIFY(rig.recorder.waitForWrites());
        const QString id = recorded.first().at(0).toString();
        QCOMPARE(rig.recorder.storeId(recorded.first().at(1).toString()), id);
        QVERIFY(id.startsWith(u"inc-"));

        const auto inc = rig.store.incident(id);
        QVERIFY(inc);
        QCOMPARE(inc->rootTarget, QStringLiteral("db-primary"));
        QCOMPARE(inc->causeClass, QStringLiteral("data-integrity"));
        QVERIFY(inc->title.contains(u"db-primary"));
        QCOMPARE(inc->state, IncidentState::Located);
        QVERIFY(!inc->drill);
        QVERIFY(inc->detectedUtc.isValid());
        QVERIFY(inc->firstFailureUtc < inc->detectedUtc); // attempts − 1 retries before HARD
        QVERIFY(inc->locatedUtc.isValid());
        QVERIFY(!inc->evidence.isEmpty());
        QVERIFY(inc->evidence.first().rule.contains(u"integrity"));
        QStringList symptoms;
        for (const Symptom& s : inc->symptoms)
            symptoms << s.target;
        symptoms.sort();
        QCOMPARE(symptoms, (QStringList { QStringLiteral("api-1"), QStringLiteral("api-2") }));
        QCOMPARE(inc->affectedTargets().first(), QStringLiteral("db-primary"));
        QCOMPARE(rig.store.count({}), 1); // one incident for the root and its symptoms
    }

    // Handle/Recover move the fault; the incident follows, and the window's series are kept on recovery.
    void transitionsAndSeries()
    {
        Rig rig;
        const auto fault = rig.crashWeb2();
        QVERIFY(fault);
        const QString id = rig.recorder.storeId(fault->incidentId);
        QVERIFY(!id.isEmpty());

        rig.recorder.setBaseline(fault->incidentId, QJsonObject { { QStringLiteral("weights"), 100 } });
        rig.now += 200;
        QVERIFY(rig.detector.setFaultPhase(fault->id, Fault::Phase::Handling));
        AuditRecord intent;
        intent.actionId = QStringLiteral("a1");
        intent.timeUtc = QDateTime::fromMSecsSinceEpoch(rig.now, Qt::UTC);
        intent.operatorName = QStringLiteral("auto");
        intent.target = QStringLiteral("web-2");
        intent.incidentId = fault->incidentId; // the detector's id: the recorder translates it
        intent.runbook = QStringLiteral("crash/handle#1");
        intent.actionKind = QStringLiteral("command");
        intent.description = QStringLiteral("systemctl restart web");
        QString error;
        QVERIFY2(rig.recorder.append(intent, &error), qPrintable(error));
        rig.now += 1500;
        QVERIFY(rig.detector.setFaultPhase(fault->id, Fault::Phase::Handled));
        rig.now += 300;
        QVERIFY(rig.detector.setFaultPhase(fault->id, Fault::Phase::Recovering));
        rig.crashed = false;
        rig.rounds(5);
        QVERIFY(rig.recorder.waitForWrites());

        const auto inc = rig.store.incident(id);
        QVERIFY(inc);
        QCOMPARE(inc->state, IncidentState::Recovered);
        QCOMPARE(inc->causeClass, QStringLiteral("down"));
        QList<IncidentState> steps;
        for (const IncidentEvent& e : inc->events)
            steps << e.state;
        QVERIFY(steps.contains(IncidentState::Located));
        QVERIFY(steps.indexOf(IncidentState::Handling) < steps.indexOf(IncidentState::Handled));
        QVERIFY(steps.indexOf(IncidentState::Handled) < steps.indexOf(IncidentState::Recovering));
        QVERIFY(steps.indexOf(IncidentState::Recovering) < steps.indexOf(IncidentState::Recovered));
        QVERIFY(inc->handlingUtc.isValid() && inc->handlingUtc < inc->recoveredUtc);
        QCOMPARE(inc->baseline.value(QStringLiteral("weights")).toInt(), 100);
        QCOMPARE(inc->actions.size(), 1);
        QCOMPARE(inc->actions.first().incidentId, id);
        QVERIFY(inc->phases().recoverMs.has_value());

        // The window: from windowBefore before detection to recovery, web-2 with its outage gap.
        bool sawWeb2 = false;
        for (const SeriesSnapshot& s : inc->series) {
            QVERIFY(s.target == u"web-2");
            QCOMPARE(s.signal, QStringLiteral("load"));
            QVERIFY(!s.points.isEmpty());
            QVERIFY(s.points.first().timeMs <= inc->detectedUtc.toMSecsSinceEpoch() - 50'000);
            QVERIFY(s.points.last().timeMs >= inc->recoveredUtc.toMSecsSinceEpoch() - 2000);
            sawWeb2 = true;
        }
        QVERIFY(sawWeb2);
    }

    // The target passes its checks while Recover still verifies the baseline: the incident is recovering until the
    // verification passed (recovered then, at that time), escalated when it failed — never recovered before.
    void recoveredOnceRecoverVerified_data()
    {
        QTest::addColumn<bool>("verified");
        QTest::addRow("verification passes") << true;
        QTest::addRow("verification fails") << false;
    }
    void recoveredOnceRecoverVerified()
    {
        QFETCH(bool, verified);
        Rig rig;
        const auto fault = rig.crashWeb2();
        QVERIFY(fault);
        const QString id = rig.recorder.storeId(fault->incidentId);
        QVERIFY(rig.detector.setFaultPhase(fault->id, Fault::Phase::Recovering));
        rig.recorder.setRecoveryRun(fault->incidentId, fault->id, true);
        rig.crashed = false;
        rig.rounds(5);
        QVERIFY(!rig.detector.fault(fault->id)->isOpen());
        QVERIFY(rig.recorder.waitForWrites());
        QCOMPARE(rig.store.incident(id)->state, IncidentState::Recovering);
        QVERIFY(!rig.store.incident(id)->recoveredUtc.isValid());

        rig.now += 4000; // the checksums take a while
        rig.recorder.setRecoveryRun(
            fault->incidentId, fault->id, false, verified, QStringLiteral("table accounts md5 differs"));
        QVERIFY(rig.recorder.waitForWrites());
        const auto inc = rig.store.incident(id);
        if (verified) {
            QCOMPARE(inc->state, IncidentState::Recovered);
            QCOMPARE(inc->recoveredUtc.toMSecsSinceEpoch(), rig.now);
            QVERIFY2(inc->events.constLast().note.startsWith(QStringLiteral("Recover verified")),
                qPrintable(inc->events.constLast().note));
        } else {
            QCOMPARE(inc->state, IncidentState::Escalated);
            QVERIFY(!inc->recoveredUtc.isValid());
            QCOMPARE(inc->events.constLast().note,
                QStringLiteral("Recover did not verify the baseline: table accounts md5 differs"));
        }
    }

    // Recovered means the pre-fault state is back. A Handle that left a change behind (drained, re-weighted, blocked)
    // keeps the incident handled when web-2 passes its checks again, until a Recover verified the baseline (escalated
    // when it did not); without one — no Handle, or a Handle that changed nothing — passing is recovering.
    void recoveredOnlyWithThePreFaultState_data()
    {
        QTest::addColumn<bool>("handle"); // a Handle runs from detection until after web-2 passes
        QTest::addColumn<bool>("leftChange"); // … and ends having changed something
        QTest::addColumn<bool>("recoverBeforePass"); // Recover starts before web-2 passes (else after)
        QTest::addColumn<int>("recover"); // 0: no Recover, 1: verified, 2: verification failed
        QTest::addColumn<IncidentState>("stateAfterPass");
        QTest::addColumn<IncidentState>("finalState");
        QTest::addColumn<QString>("recoveredAt"); // "pass", "ended" (the Handle's end), "verified" or "" (never)
        QTest::addColumn<QString>("note"); // the last event's note starts so
        QTest::addColumn<QString>("failure"); // the Handle did not succeed: its message

        const QString passes = QStringLiteral("the target passes its checks again");
        const QString verified = QStringLiteral("Recover verified: ");
        QTest::addRow("no Handle: recovered when it passes")
            << false << false << false << 0 << IncidentState::Recovered << IncidentState::Recovered << u"pass"_qs
            << passes << QString();
        QTest::addRow("Handle that changed nothing: recovered at the pass once it ended")
            << true << false << false << 0 << IncidentState::Recovered << IncidentState::Recovered << u"pass"_qs
            << passes << QString();
        QTest::addRow("Handle left a change: handled until Recover verified")
            << true << true << false << 1 << IncidentState::Handled << IncidentState::Recovered << u"verified"_qs
            << verified << QString();
        QTest::addRow("Handle left a change, no Recover: never recovered")
            << true << true << false << 0 << IncidentState::Handled << IncidentState::Handled << QString() << QString()
            << QString();
        QTest::addRow("Handle left a change, Recover fails: escalated")
            << true << true << false << 2 << IncidentState::Handled << IncidentState::Escalated << QString()
            << u"Recover did not verify the baseline: read-back differs: web-2 drained"_qs << QString();
        QTest::addRow("Recover started before the pass: recovered when it verified")
            << true << true << true << 1 << IncidentState::Recovering << IncidentState::Recovered << u"verified"_qs
            << verified << QString();
        const QString undone
            = QStringLiteral("ESCALATED: step 1 'drain web-2' failed: read-back: still up; rolled back: "
                             "drain web-2");
        const QString leftBehind = QStringLiteral("ESCALATED: step 2 'block sources' failed: timeout; NOT rolled back: "
                                                  "drain web-2");
        QTest::addRow("failed Handle that undid its change: escalated, then recovered at its end")
            << true << false << false << 0 << IncidentState::Recovered << IncidentState::Recovered << u"ended"_qs
            << passes << undone;
        QTest::addRow("failed Handle that left a change: escalated until Recover verified")
            << true << true << false << 1 << IncidentState::Escalated << IncidentState::Recovered << u"verified"_qs
            << verified << leftBehind;
        QTest::addRow("failed Handle that left a change, no Recover: stays escalated")
            << true << true << false << 0 << IncidentState::Escalated << IncidentState::Escalated << QString()
            << QString() << leftBehind;
    }
    void recoveredOnlyWithThePreFaultState()
    {
        QFETCH(bool, handle);
        QFETCH(bool, leftChange);
        QFETCH(bool, recoverBeforePass);
        QFETCH(int, recover);
        QFETCH(IncidentState, stateAfterPass);
        QFETCH(IncidentState, finalState);
        QFETCH(QString, recoveredAt);
        QFETCH(QString, note);
        QFETCH(QString, failure);

        Rig rig;
        const auto fault = rig.crashWeb2();
        QVERIFY(fault);
        const QString id = rig.recorder.storeId(fault->incidentId);
        const auto startRecover = [&] {
            rig.recorder.setRecoveryRun(fault->incidentId, fault->id, true);
            rig.detector.setFaultPhase(fault->id, Fault::Phase::Recovering); // refused once it passes
        };
        // As RemediationController and RecorderFeed report it: the run starts, then the fault's phase follows.
        if (handle) {
            rig.recorder.setHandleRun(fault->incidentId, fault->id, true);
            QVERIFY(rig.detector.setFaultPhase(fault->id, Fault::Phase::Handling));
        }
        if (handle && recoverBeforePass) {
            rig.now += 1000;
            QVERIFY(rig.detector.setFaultPhase(fault->id, Fault::Phase::Handled));
            rig.recorder.setHandleRun(fault->incidentId, fault->id, false, leftChange, failure);
            startRecover();
        }
        rig.crashed = false;
        rig.rounds(5);
        const auto cleared = rig.detector.fault(fault->id);
        QVERIFY(cleared && !cleared->isOpen());
        qint64 handleEndedMs = 0;
        if (handle && !recoverBeforePass) {
            QVERIFY(rig.recorder.waitForWrites());
            QCOMPARE(rig.store.incident(id)->state, IncidentState::Handling); // the Handle still runs
            rig.now += 2000;
            QVERIFY(!rig.detector.setFaultPhase(fault->id, Fault::Phase::Handled)); // it passes: no phases any more
            rig.recorder.setHandleRun(fault->incidentId, fault->id, false, leftChange, failure);
            handleEndedMs = rig.now;
        }
        QVERIFY(rig.recorder.waitForWrites());
        QCOMPARE(rig.store.incident(id)->state, stateAfterPass);

        if (recover > 0) {
            rig.now += 3000; // a person presses Recover, or automation starts it
            if (!recoverBeforePass)
                startRecover();
            QVERIFY(rig.recorder.waitForWrites());
            QCOMPARE(rig.store.incident(id)->state, IncidentState::Recovering);
            rig.now += 4000; // the read-back and the checks take a while
            rig.recorder.setRecoveryRun(
                fault->incidentId, fault->id, false, recover == 1, QStringLiteral("read-back differs: web-2 drained"));
        }
        rig.rounds(3); // it keeps passing
        QVERIFY(rig.recorder.waitForWrites());
        const auto inc = rig.store.incident(id);
        QCOMPARE(inc->state, finalState);
        if (recoveredAt == u"pass")
            QCOMPARE(inc->recoveredUtc.toMSecsSinceEpoch(), cleared->clearedMs);
        else if (recoveredAt == u"ended")
            QCOMPARE(inc->recoveredUtc.toMSecsSinceEpoch(), handleEndedMs); // its rollbacks ran until then
        else if (recoveredAt == u"verified")
            QCOMPARE(inc->recoveredUtc.toMSecsSinceEpoch(), rig.now - 3000); // at the verification, not the pass
        else
            QVERIFY(!inc->recoveredUtc.isValid());
        if (!note.isEmpty())
            QVERIFY2(inc->events.constLast().note.startsWith(note), qPrintable(inc->events.constLast().note));
        // A failed Handle is on the record with its message, once; a successful one never reads escalated.
        const auto escalations = std::count_if(inc->events.cbegin(), inc->events.cend(),
            [](const IncidentEvent& e) { return e.state == IncidentState::Escalated; });
        const auto handleEscalation = std::find_if(inc->events.cbegin(), inc->events.cend(),
            [](const IncidentEvent& e) { return e.note.startsWith(u"Handle: "); });
        if (failure.isEmpty()) {
            QVERIFY(handleEscalation == inc->events.cend());
        } else {
            QVERIFY(handleEscalation != inc->events.cend());
            QCOMPARE(handleEscalation->state, IncidentState::Escalated);
            QVERIFY2(handleEscalation->note.contains(failure), qPrintable(handleEscalation->note));
            QCOMPARE(
                handleEscalation->note.contains(u"recovered only once a Recover verifies the baseline"), leftChange);
            QCOMPARE(escalations, 1);
        }
    }

    // What counts as a change Recover must return: what ran in a Handle that succeeded, and what a failed one could
    // not undo — never what it rolled back or never ran.
    void leftChangeFromTheOutcome_data()
    {
        QTest::addColumn<int>("result"); // RunbookOutcome::Result
        QTest::addColumn<bool>("ran"); // its one step's action really started
        QTest::addColumn<QStringList>("notRolledBack");
        QTest::addColumn<bool>("expected");
        using R = RunbookOutcome::Result;
        const QStringList none;
        const QStringList drained { QStringLiteral("drain web-2") };
        QTest::addRow("succeeded, a step ran") << int(R::Succeeded) << true << none << true;
        QTest::addRow("succeeded, nothing ran (refused, skipped)") << int(R::Succeeded) << false << none << false;
        QTest::addRow("escalated, all rolled back") << int(R::Escalated) << true << none << false;
        QTest::addRow("escalated, a step not rolled back") << int(R::Escalated) << true << drained << true;
        QTest::addRow("aborted, a step not rolled back") << int(R::Aborted) << true << drained << true;
        QTest::addRow("aborted before any step ran") << int(R::Aborted) << false << none << false;
    }
    void leftChangeFromTheOutcome()
    {
        QFETCH(int, result);
        QFETCH(bool, ran);
        QFETCH(QStringList, notRolledBack);
        QFETCH(bool, expected);
        RunbookOutcome outcome;
        outcome.result = RunbookOutcome::Result(result);
        StepReport step;
        step.name = QStringLiteral("drain web-2");
        ActionResult action;
        action.ran = ran;
        step.action = action;
        outcome.steps << step;
        outcome.notRolledBack = notRolledBack;
        QCOMPARE(RecorderFeed::leftChange(outcome), expected);
    }

    // Drills are marked, so MTTx figures leave them out unless asked.
    void drillFlag()
    {
        Rig rig;
        rig.recorder.setDrill(true);
        rig.rounds(20);
        rig.crashed = true;
        rig.rounds(3);
        QVERIFY(rig.recorder.waitForWrites());
        QCOMPARE(rig.recorder.recordedIds().size(), 1);
        const auto inc = rig.store.incident(rig.recorder.recordedIds().first(), false);
        QVERIFY(inc);
        QVERIFY(inc->drill);
        QCOMPARE(rig.store.count({}), 0);
        IncidentFilter withDrills;
        withDrills.includeDrills = true;
        QCOMPARE(rig.store.count(withDrills), 1);
    }

    // The same crash again within the aftershock grace is an aftershock: a line in the incident's timeline, not a
    // second incident (the report's --last stays the crash).
    void aftershockIsNotANewIncident()
    {
        Rig rig;
        rig.rounds(10);
        rig.crashed = true;
        rig.rounds(3);
        rig.crashed = false;
        rig.rounds(3);
        rig.crashed = true;
        rig.rounds(3);
        QVERIFY(rig.recorder.waitForWrites());
        QCOMPARE(rig.recorder.recordedIds().size(), 1);
        const auto incident = rig.store.incident(rig.recorder.recordedIds().at(0), false);
        QVERIFY(incident);
        QVERIFY(std::any_of(incident->symptoms.cbegin(), incident->symptoms.cend(),
            [](const Symptom& s) { return s.target == u"web-2" && s.detail.startsWith(u"aftershock: "); }));

        // `faultdesk report --last` reports the crash, with its aftershock in it.
        QString error;
        const std::optional<ReportData> last
            = ReportData::forLast(rig.store, true, QDateTime::currentDateTimeUtc(), &error);
        QVERIFY2(last, qPrintable(error));
        QCOMPARE(last->incidents.size(), 1);
        QCOMPARE(last->incidents.constFirst().id, rig.recorder.recordedIds().at(0));
        QCOMPARE(last->incidents.constFirst().causeClass, QStringLiteral("down"));
        const QString markdown = QString::fromUtf8(ReportRenderer::markdown(*last));
        QVERIFY2(markdown.contains(QStringLiteral("aftershock: ")), qPrintable(markdown));
    }

    // A second crash after recovery and the aftershock grace is a second incident; a reload (targets reset) closes
    // the books.
    void secondFaultSecondIncident()
    {
        Rig rig;
        Detector::Settings settings;
        settings.aftershockGraceMs = 0;
        rig.detector.setSettings(settings);
        rig.rounds(10);
        rig.crashed = true;
        rig.rounds(3);
        rig.crashed = false;
        rig.rounds(3);
        rig.crashed = true;
        rig.rounds(3);
        QVERIFY(rig.recorder.waitForWrites());
        QCOMPARE(rig.recorder.recordedIds().size(), 2);
        QCOMPARE(rig.store.incident(rig.recorder.recordedIds().at(0), false)->state, IncidentState::Recovered);
        QCOMPARE(rig.store.incident(rig.recorder.recordedIds().at(1), false)->state, IncidentState::Located);

        rig.detector.setTargets(fleet());
        QVERIFY(rig.recorder.storeId(QStringLiteral("I2")).isEmpty());
        rig.rounds(3);
        QVERIFY(rig.recorder.waitForWrites());
        QCOMPARE(rig.recorder.recordedIds().size(), 3);
    }

    // Shutdown while the incident is open: the series so far are saved and committed.
    void shutdownSavesOpenSeries()
    {
        QTemporaryDir dir;
        QString id;
        {
            Rig rig;
            rig.rounds(20);
            rig.crashed = true;
            rig.rounds(3);
            QVERIFY(rig.recorder.waitForWrites());
            id = rig.recorder.recordedIds().value(0);
            QVERIFY(!id.isEmpty());
            QVERIFY(rig.store.series(id).isEmpty());
            rig.recorder.saveAllSeries();
            QVERIFY(rig.recorder.waitForWrites());
            QCOMPARE(rig.store.series(id).size(), 1);
        }
    }

    // End to end: the real demo fleet, the real monitor; a crash on web-2 becomes a recorded incident.
    void demoFleetCrash()
    {
        const QByteArray path = qgetenv("PATH");
        qputenv("PATH", QByteArray(FAULTDESK_BIN_DIR) + ':' + path);
        if (DemoFleetProcess::findProgram().isEmpty())
            QSKIP("faultdesk-fleetsim is not built");
        DemoFleetProcess demo;
        QString error;
        QVERIFY2(demo.start(60000, &error), qPrintable(error));
        const ConfigLoadResult loaded = FleetConfigLoader::loadFile(demo.fleetConfigPath());
        QVERIFY(loaded.ok());

        QTemporaryDir dir;
        IncidentStore::Options o;
        // FAULTDESK_REPORT_SAMPLES keeps the database, to render a report from real data afterwards.
        const QString keep = qEnvironmentVariable("FAULTDESK_REPORT_SAMPLES");
        o.path = keep.isEmpty() ? dir.filePath(QStringLiteral("incidents.db")) : keep + QStringLiteral("/demo.db");
        if (!keep.isEmpty())
            QFile::remove(o.path);
        IncidentStore store(o);
        QVERIFY(store.open(&error));
        Monitor monitor;
        monitor.setConfig(*loaded.config);
        IncidentRecorder recorder(&store);
        recorder.attach(monitor.detector(), monitor.store(), monitor.config());
        QSignalSpy recorded(&recorder, &IncidentRecorder::incidentRecorded);
        monitor.start();
        QTest::qWait(3000); // a few healthy rounds first, so the chart has a "before"
        QVERIFY2(demo.inject(QStringLiteral("crash"), QStringLiteral("web-2"), &error), qPrintable(error));

        QString id;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const QList<QVariant>& args : std::as_const(recorded)) {
                    const auto inc = store.incident(args.at(0).toString(), false);
                    if (inc && inc->rootTarget == u"web-2") {
                        id = inc->id;
                        return true;
                    }
                }
                return false;
            }(),
            30000);
        const auto inc = store.incident(id, false);
        QCOMPARE(inc->causeClass, QStringLiteral("down"));
        QVERIFY(inc->detectedUtc.isValid());

        // The fleet brings web-2 back: the incident is recovered and its window's series are kept.
        QVERIFY2(demo.clear({}, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(store.incident(id, false)->state == IncidentState::Recovered, 30000);
        QVERIFY(recorder.waitForWrites());
        const QList<SeriesSnapshot> series = store.series(id);
        QVERIFY(!series.isEmpty());
        QCOMPARE(series.first().target, QStringLiteral("web-2"));
        monitor.stop();
        demo.stop();
        qputenv("PATH", path);
    }
};

QTEST_GUILESS_MAIN(TestIncidentRecorder)
#include "tst_incidentrecorder.moc"
