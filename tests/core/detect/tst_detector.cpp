#include "detect/detector.h"
#include "detect/evidencecheck.h"
#include "detecttestutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <functional>
#include <limits>

using namespace FaultDesk;
using namespace FaultDesk::TestUtil;

namespace {

using Kind = DetectionEvent::Kind;

// A demo-like fleet: four web servers, two apis on the primary database, a reporting app on either database.
QList<TargetPolicy> fleet()
{
    QList<TargetPolicy> out;
    for (int i = 1; i <= 4; ++i) {
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
    for (const QString& name : { QStringLiteral("db-primary"), QStringLiteral("db-replica") }) {
        TargetPolicy p = policy(name, QStringLiteral("db"));
        p.thresholds.append(ThresholdRule::below(QStringLiteral("integrity"), 1, 1));
        out.append(p);
    }
    TargetPolicy app = policy(QStringLiteral("report"), QStringLiteral("app"));
    app.anyOf = { { QStringLiteral("db-primary"), QStringLiteral("db-replica") } };
    out.append(app);
    return out;
}

QHash<QString, double> sources(int clients, double each)
{
    QHash<QString, double> out;
    for (int i = 0; i < clients; ++i)
        out.insert(QStringLiteral("10.1.0.%1").arg(i + 1), each);
    return out;
}

/// Drives a Detector round by round: every target gets a healthy check unless the round says otherwise.
class Drill
{
public:
    Detector detector;
    qint64 now = t0();

    Drill() { detector.setTargets(fleet()); }

    QList<DetectionEvent> round(const QHash<QString, Observation>& special = {})
    {
        now += 1000;
        for (const QString& name : detector.targetNames()) {
            Observation o = special.contains(name) ? special[name] : healthy(name);
            o.target = name;
            o.timeMs = now - 100;
            detector.observe(o);
        }
        return detector.tick(now);
    }
    Observation healthy(const QString& name) const
    {
        Observation o = ok(name, now);
        o.values = { { QStringLiteral("load"), 0.4 }, { QStringLiteral("error_rate"), 0.001 },
            { QStringLiteral("integrity"), 1 } };
        if (name.startsWith(u"web"))
            o.sourceRates = sources(20, 5);
        return o;
    }
    TargetState state(const QString& name) const { return detector.status(name)->state; }
    std::optional<Fault> faultOf(const QString& target) const
    {
        for (const Fault& f : detector.faults()) {
            if (f.target == target)
                return f;
        }
        return std::nullopt;
    }
};

// A fleet behind one HAProxy: an edge over any of three web servers, web and api pools behind the entry "lb", the
// apis on the primary database with a link signal each (the demo fleet's shape).
QList<TargetPolicy> poolFleet()
{
    QList<TargetPolicy> out;
    auto load = [](TargetPolicy& p) {
        ThresholdRule r = ThresholdRule::above(QStringLiteral("load"), 0.85, 0.70);
        r.cause = CauseClass::Overload;
        p.thresholds.append(r);
        ThresholdRule e = ThresholdRule::above(QStringLiteral("error_rate"), 0.05, 0.01);
        e.cause = CauseClass::Errors;
        p.thresholds.append(e);
        p.requestSignal = QStringLiteral("rps");
    };
    TargetPolicy edge = policy(QStringLiteral("edge"), QStringLiteral("edge"));
    load(edge);
    edge.anyOf = { { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("web-3") } };
    out.append(edge);
    for (int i = 1; i <= 3; ++i) {
        TargetPolicy p = policy(QStringLiteral("web-%1").arg(i), QStringLiteral("web"));
        load(p);
        p.pool = QStringLiteral("lb/web");
        p.entry = QStringLiteral("lb");
        out.append(p);
    }
    for (int i = 1; i <= 2; ++i) {
        TargetPolicy p = policy(QStringLiteral("api-%1").arg(i), QStringLiteral("api"));
        load(p);
        p.pool = QStringLiteral("lb/api");
        p.entry = QStringLiteral("lb");
        p.dependsOn = QStringList { QStringLiteral("db-primary") };
        ThresholdRule link = ThresholdRule::below(QStringLiteral("link_db-primary"), 0.5, 0.5);
        link.cause = CauseClass::Network;
        link.link = QStringLiteral("db-primary");
        p.thresholds.append(link);
        out.append(p);
    }
    TargetPolicy db = policy(QStringLiteral("db-primary"), QStringLiteral("db"));
    ThresholdRule integrity = ThresholdRule::below(QStringLiteral("integrity"), 1, 1);
    integrity.cause = CauseClass::DataIntegrity;
    db.thresholds.append(integrity);
    out.append(db);
    return out;
}

/**
 * Runs a script against poolFleet(): rounds separated by '|', each "[Nx] target.signal=value target.refused
 * target.timeout target.flood …" (N rounds alike); every target not named is healthy. Collects every event.
 */
class Script
{
public:
    Detector detector;
    qint64 now = t0();
    QList<DetectionEvent> events;

    explicit Script(const Detector::Settings& settings)
    {
        detector.setSettings(settings);
        detector.setTargets(poolFleet());
    }
    void run(const QString& script)
    {
        for (const QString& part : script.split(u'|')) {
            QStringList tokens = part.split(u' ', Qt::SkipEmptyParts);
            int times = 1;
            if (!tokens.isEmpty() && tokens.first().endsWith(u'x') && tokens.first().chopped(1).toInt() > 0)
                times = tokens.takeFirst().chopped(1).toInt();
            for (int i = 0; i < times; ++i)
                round(tokens);
        }
    }
    void round(const QStringList& tokens)
    {
        now += 1000;
        QHash<QString, Observation> obs;
        for (const QString& name : detector.targetNames()) {
            Observation o = ok(name, now - 100,
                { { QStringLiteral("load"), 0.4 }, { QStringLiteral("error_rate"), 0.001 },
                    { QStringLiteral("rps"), 10 }, { QStringLiteral("integrity"), 1 },
                    { QStringLiteral("link_db-primary"), 1 } });
            if (name.startsWith(u"web"))
                o.sourceRates = sources(20, 5);
            obs.insert(name, o);
        }
        for (const QString& t : tokens) {
            const QString target = t.section(u'.', 0, 0);
            const QString what = t.section(u'.', 1);
            Observation& o = obs[target];
            if (what == u"refused" || what == u"timeout" || what == u"slow") {
                o.probe = Observation::Probe::Down;
                o.failureKind = what == u"refused" ? Observation::FailureKind::Refused
                    : what == u"timeout"           ? Observation::FailureKind::Timeout
                                                   : Observation::FailureKind::SlowAnswer;
                o.reason = what == u"refused" ? QStringLiteral("connection refused")
                    : what == u"timeout"      ? QStringLiteral("timeout after 1000 ms")
                                              : QStringLiteral("timeout after 1000 ms reading the response");
                o.values.clear();
            } else if (what == u"flood") {
                for (int i = 0; i < 3; ++i)
                    o.sourceRates.insert(QStringLiteral("203.0.113.%1").arg(7 + i), 400 - 50 * i);
            } else {
                o.values.insert(what.section(u'=', 0, 0), what.section(u'=', 1).toDouble());
            }
        }
        for (const Observation& o : std::as_const(obs))
            detector.observe(o);
        events += detector.tick(now);
    }
    QSet<QString> incidents() const
    {
        QSet<QString> out;
        for (const Fault& f : detector.faults()) {
            if (!f.incidentId.isEmpty())
                out.insert(f.incidentId);
        }
        return out;
    }
    QStringList openRoots() const
    {
        QStringList out;
        for (const Fault& f : detector.openFaults()) {
            if (f.rootCause && f.phase != Fault::Phase::Detected)
                out.append(f.target);
        }
        return out;
    }
    /// Every sentence the detector said: evidence, localizations, event reasons.
    QStringList sentences() const
    {
        QStringList out;
        for (const DetectionEvent& e : events)
            out << e.evidence << e.reason;
        for (const Fault& f : detector.faults())
            out << f.evidence << f.localization;
        out.removeAll(QString());
        return out;
    }
};

/**
 * Drives poolFleet() in 100 ms steps, the way the Monitor sees a real fleet: each target is checked once a second at
 * its own offset within the second, and the detector ticks every step. A web server floods (three sources) between
 * its `from` and `until` (ms since the start); every other check is healthy. After every tick, check() looks at what
 * the detector says of the event so far.
 */
class Timeline
{
public:
    struct Plan
    {
        qint64 offsetMs = 0;
        qint64 fromMs = -1; ///< -1: never floods
        qint64 untilMs = -1;
    };
    Detector detector;
    const qint64 start = t0();
    qint64 now = t0();
    QList<DetectionEvent> events;
    QHash<QString, Plan> plans;

    Timeline() { detector.setTargets(poolFleet()); }
    /// Steps until @p untilMs since the start, calling @p check after every tick with that tick's events.
    void run(qint64 untilMs, const std::function<void(const QList<DetectionEvent>&)>& check)
    {
        while (now - start < untilMs) {
            now += 100;
            const qint64 t = now - start;
            for (const QString& name : detector.targetNames()) {
                const Plan p = plans.value(name);
                if ((t - p.offsetMs) % 1000 != 0)
                    continue;
                Observation o = ok(name, now,
                    { { QStringLiteral("load"), 0.4 }, { QStringLiteral("error_rate"), 0.001 },
                        { QStringLiteral("rps"), 10 }, { QStringLiteral("integrity"), 1 },
                        { QStringLiteral("link_db-primary"), 1 } });
                if (name.startsWith(u"web"))
                    o.sourceRates = sources(20, 5);
                if (p.fromMs >= 0 && t >= p.fromMs && t < p.untilMs) {
                    for (int i = 0; i < 3; ++i)
                        o.sourceRates.insert(QStringLiteral("203.0.113.%1").arg(7 + i), 400 - 50 * i);
                }
                detector.observe(o);
            }
            const QList<DetectionEvent> tickEvents = detector.tick(now);
            events += tickEvents;
            check(tickEvents);
            if (QTest::currentTestFailed())
                return;
        }
    }
};

QList<DetectionEvent> ofKind(const QList<DetectionEvent>& events, Kind kind)
{
    QList<DetectionEvent> out;
    for (const DetectionEvent& e : events) {
        if (e.kind == kind)
            out.append(e);
    }
    return out;
}

} // namespace

class TestDetector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // A crash: SOFT at the first refused probe, HARD + detected + located (cause down) at the second.
    void crashDetectedAndLocated()
    {
        Drill d;
        d.round();
        QCOMPARE(d.state(QStringLiteral("web-2")), TargetState::Up);
        QSignalSpy retry(&d.detector, &Detector::retryRequested);
        auto events = d.round({ { QStringLiteral("web-2"), refused(QStringLiteral("web-2"), 0) } });
        QCOMPARE(d.state(QStringLiteral("web-2")), TargetState::Soft);
        QCOMPARE(retry.count(), 1);
        QCOMPARE(retry.first().at(0).toString(), QStringLiteral("web-2"));
        QCOMPARE(retry.first().at(1).toLongLong(), d.now - 100 + 500);
        QCOMPARE(ofKind(events, Kind::StateChanged).size(), 1);
        QVERIFY(ofKind(events, Kind::FaultDetected).isEmpty());

        events = d.round({ { QStringLiteral("web-2"), refused(QStringLiteral("web-2"), 0) } });
        QCOMPARE(d.state(QStringLiteral("web-2")), TargetState::Hard);
        const auto detected = ofKind(events, Kind::FaultDetected);
        QCOMPARE(detected.size(), 1);
        QCOMPARE(detected.first().target, QStringLiteral("web-2"));
        QCOMPARE(detected.first().cause, CauseClass::Down);
        const auto located = ofKind(events, Kind::FaultLocated);
        QCOMPARE(located.size(), 1);
        QVERIFY(located.first().rootCause);
        QCOMPARE(located.first().root, QStringLiteral("web-2"));
        QCOMPARE(located.first().evidence,
            QStringLiteral("web-2 is down: 2 consecutive probes refused (connection refused at 14:03:11, 14:03:12)"));
        QCOMPARE(d.detector.openFaults().size(), 1);
        QVERIFY(d.detector.openFaults().first().actionable());
        QVERIFY(d.detector.status(QStringLiteral("web-2"))->rootCause);

        events = d.round();
        QCOMPARE(d.state(QStringLiteral("web-2")), TargetState::Up);
        const auto cleared = ofKind(events, Kind::FaultCleared);
        QCOMPARE(cleared.size(), 1);
        QCOMPARE(cleared.first().faultId, detected.first().faultId);
        QVERIFY(d.detector.openFaults().isEmpty());
        QCOMPARE(d.detector.faults().size(), 1);
        QCOMPARE(d.detector.faults().first().phase, Fault::Phase::Recovered);
    }

    // The database down: the apis that answer nothing are UNREACHABLE symptoms, one incident, no blame.
    void databaseDownApisAreSymptoms()
    {
        Drill d;
        d.round();
        const QHash<QString, Observation> outage = { { QStringLiteral("db-primary"), refused(QString(), 0) },
            { QStringLiteral("api-1"), refused(QString(), 0) }, { QStringLiteral("api-2"), refused(QString(), 0) } };
        d.round(outage);
        const auto events = d.round(outage);
        QCOMPARE(d.state(QStringLiteral("db-primary")), TargetState::Hard);
        QCOMPARE(d.state(QStringLiteral("api-1")), TargetState::Unreachable);
        QCOMPARE(d.state(QStringLiteral("api-2")), TargetState::Unreachable);
        // The report app still has the replica.
        QCOMPARE(d.state(QStringLiteral("report")), TargetState::Up);

        const auto located = ofKind(events, Kind::FaultLocated);
        QCOMPARE(located.size(), 3);
        QCOMPARE(located.first().target, QStringLiteral("db-primary"));
        QVERIFY(located.first().rootCause);
        QCOMPARE(located.first().symptoms, (QStringList { QStringLiteral("api-1"), QStringLiteral("api-2") }));
        QSet<QString> incidents;
        for (const DetectionEvent& e : located)
            incidents.insert(e.incidentId);
        QCOMPARE(incidents.size(), 1);
        QCOMPARE(located[1].root, QStringLiteral("db-primary"));
        QVERIFY(!located[1].rootCause);
        QVERIFY(!d.detector.status(QStringLiteral("api-1"))->rootCause);
        QCOMPARE(d.detector.status(QStringLiteral("api-1"))->symptomOf, QStringLiteral("db-primary"));
        QVERIFY(d.faultOf(QStringLiteral("db-primary"))->actionable());
        QVERIFY(!d.faultOf(QStringLiteral("api-1"))->actionable());

        // The database comes back; the apis are cleared with it once their own next check passes.
        auto after = d.round(
            { { QStringLiteral("api-1"), refused(QString(), 0) }, { QStringLiteral("api-2"), refused(QString(), 0) } });
        QCOMPARE(ofKind(after, Kind::FaultCleared).size(), 1);
        QVERIFY(ofKind(after, Kind::FaultLocated).isEmpty()); // no api is blamed while it waits for its check
        after = d.round();
        const auto cleared = ofKind(after, Kind::FaultCleared);
        QCOMPARE(cleared.size(), 2);
        QCOMPARE(cleared.first().reason, QStringLiteral("cleared with its cause db-primary"));
        QVERIFY(d.detector.openFaults().isEmpty());
    }

    // A symptom that keeps failing after its cause recovered becomes a root cause of its own: at its next check
    // without an aftershock grace, once the grace is over with one.
    void symptomOutlivingItsCauseBecomesRoot_data()
    {
        QTest::addColumn<qint64>("graceMs");
        QTest::addColumn<int>("waitRounds");
        QTest::addRow("no grace: at its next check") << qint64(0) << 0;
        QTest::addRow("60 s grace: after it") << qint64(60000) << 60;
    }
    void symptomOutlivingItsCauseBecomesRoot()
    {
        QFETCH(qint64, graceMs);
        QFETCH(int, waitRounds);
        Drill d;
        Detector::Settings settings;
        settings.aftershockGraceMs = graceMs;
        d.detector.setSettings(settings);
        const QString incident = [&] {
            const QHash<QString, Observation> outage = { { QStringLiteral("db-primary"), refused(QString(), 0) },
                { QStringLiteral("api-1"), refused(QString(), 0) } };
            d.round(outage);
            d.round(outage);
            return d.faultOf(QStringLiteral("db-primary"))->incidentId;
        }();
        for (int i = 0; i < waitRounds; ++i) {
            const auto events = d.round({ { QStringLiteral("api-1"), refused(QString(), 0) } });
            QVERIFY(ofKind(events, Kind::FaultLocated).isEmpty());
            QCOMPARE(d.faultOf(QStringLiteral("api-1"))->incidentId, incident);
        }
        if (waitRounds == 0)
            d.round({ { QStringLiteral("api-1"), refused(QString(), 0) } });
        const auto events = d.round({ { QStringLiteral("api-1"), refused(QString(), 0) } });
        QCOMPARE(d.state(QStringLiteral("api-1")), TargetState::Hard);
        const auto located = ofKind(events, Kind::FaultLocated);
        QCOMPARE(located.size(), 1);
        QVERIFY(located.first().rootCause);
        QCOMPARE(located.first().target, QStringLiteral("api-1"));
        QVERIFY(located.first().incidentId != incident);
        const auto left = ofKind(events, Kind::FaultLeft);
        QCOMPARE(left.size(), 1);
        QCOMPARE(left.first().incidentId, incident);
    }

    // Redundancy: one database down leaves the report app a root cause of its own failure; both down make it a
    // symptom.
    void anyOfRedundancy()
    {
        Drill d;
        QHash<QString, Observation> oneDown = { { QStringLiteral("db-primary"), refused(QString(), 0) },
            { QStringLiteral("report"), refused(QString(), 0) } };
        d.round(oneDown);
        d.round(oneDown);
        QCOMPARE(d.state(QStringLiteral("report")), TargetState::Hard);
        QVERIFY(d.faultOf(QStringLiteral("report"))->rootCause);

        QHash<QString, Observation> bothDown = oneDown;
        bothDown.insert(QStringLiteral("db-replica"), refused(QString(), 0));
        d.round(bothDown);
        const auto events = d.round(bothDown);
        QCOMPARE(d.state(QStringLiteral("report")), TargetState::Unreachable);
        const Fault f = *d.faultOf(QStringLiteral("report"));
        QVERIFY(!f.rootCause);
        QCOMPARE(f.rootTarget, QStringLiteral("db-primary"));
        QCOMPARE(f.incidentId, d.faultOf(QStringLiteral("db-primary"))->incidentId);
        QVERIFY(!ofKind(events, Kind::FaultLocated).isEmpty());
    }

    // A root cause that turns out to be a symptom (its dependency confirmed later): the dependency takes its
    // incident over.
    void rootBecomesSymptom()
    {
        Drill d;
        const Observation down = refused(QString(), 0);
        d.round({ { QStringLiteral("api-1"), down } });
        d.round({ { QStringLiteral("api-1"), down } });
        const Fault before = *d.faultOf(QStringLiteral("api-1"));
        QVERIFY(before.rootCause);
        d.round({ { QStringLiteral("api-1"), down }, { QStringLiteral("db-primary"), down } });
        const auto events = d.round({ { QStringLiteral("api-1"), down }, { QStringLiteral("db-primary"), down } });
        const Fault after = *d.faultOf(QStringLiteral("api-1"));
        QCOMPARE(after.id, before.id);
        QVERIFY(!after.rootCause);
        // One event, one incident: the database takes over the incident the api opened.
        QCOMPARE(after.incidentId, d.faultOf(QStringLiteral("db-primary"))->incidentId);
        QCOMPARE(after.incidentId, before.incidentId);
        QCOMPARE(d.state(QStringLiteral("api-1")), TargetState::Unreachable);
        QCOMPARE(ofKind(events, Kind::FaultLocated).size(), 2);
        QCOMPARE(d.faultOf(QStringLiteral("db-primary"))->symptoms, QStringList { QStringLiteral("api-1") });
    }

    // Degraded mode has hysteresis: 4 of 9 probes failing keeps it, 3 of 9 ends it.
    void degradedHysteresis()
    {
        Drill d;
        d.round();
        auto failing = [&](int n) {
            QHash<QString, Observation> r;
            for (const QString& name : d.detector.targetNames().mid(0, n))
                r.insert(name, refused(QString(), 0));
            return r;
        };
        d.round(failing(5));
        QVERIFY(d.detector.isDegraded());
        d.round(failing(4));
        QVERIFY(d.detector.isDegraded());
        d.round(failing(3));
        QVERIFY(!d.detector.isDegraded());
    }

    // While a dependency is failing but unconfirmed, the child's fault is detected but not yet located.
    void pendingUntilDependencyConfirmed()
    {
        Drill d;
        d.round({ { QStringLiteral("api-1"), refused(QString(), 0) } });
        auto events = d.round({ { QStringLiteral("api-1"), refused(QString(), 0) },
            { QStringLiteral("db-primary"), refused(QString(), 0) } });
        QCOMPARE(ofKind(events, Kind::FaultDetected).size(), 1);
        QVERIFY(ofKind(events, Kind::FaultLocated).isEmpty());
        QCOMPARE(d.faultOf(QStringLiteral("api-1"))->phase, Fault::Phase::Detected);
        events = d.round({ { QStringLiteral("api-1"), refused(QString(), 0) },
            { QStringLiteral("db-primary"), refused(QString(), 0) } });
        QCOMPARE(d.faultOf(QStringLiteral("api-1"))->phase, Fault::Phase::Located);
        QVERIFY(!d.faultOf(QStringLiteral("api-1"))->rootCause);
        QCOMPARE(ofKind(events, Kind::FaultLocated).size(), 2);
    }

    // reliability.md T13: over half of the probes failing at once blames the monitor: UNKNOWN, no faults,
    // one event; recovery is one event too.
    void degradedMonitorBlamesNobody()
    {
        Drill d;
        d.round();
        QHash<QString, Observation> blind;
        for (const QString& name : d.detector.targetNames().mid(0, 5))
            blind.insert(name, refused(QString(), 0));
        QSignalSpy spy(&d.detector, &Detector::eventRaised);
        QList<DetectionEvent> all;
        for (int i = 0; i < 4; ++i)
            all += d.round(blind);
        QCOMPARE(ofKind(all, Kind::MonitorDegraded).size(), 1);
        QCOMPARE(ofKind(all, Kind::MonitorDegraded).first().failing, 5);
        QCOMPARE(ofKind(all, Kind::MonitorDegraded).first().checked, 9);
        QVERIFY(ofKind(all, Kind::FaultDetected).isEmpty());
        QVERIFY(d.detector.openFaults().isEmpty());
        QVERIFY(d.detector.isDegraded());
        for (const TargetStatus& s : d.detector.statuses())
            QCOMPARE(s.state, TargetState::Unknown);
        QCOMPARE(spy.count(), all.size());

        all = d.round();
        QCOMPARE(ofKind(all, Kind::MonitorRecovered).size(), 1);
        QVERIFY(!d.detector.isDegraded());
        all += d.round();
        QVERIFY(ofKind(all, Kind::FaultDetected).isEmpty());
        for (const TargetStatus& s : d.detector.statuses())
            QCOMPARE(s.state, TargetState::Up);
    }

    // A small fleet's cascade is not a blind monitor: a primary database that stops takes the entry point that
    // reaches it through the pool with it — two of three probes failing — while its replica still answers. The
    // primary is located, the entry point its symptom. The same three failing together still blame the monitor.
    void cascadeOnASmallFleetIsLocatedNotDegraded()
    {
        QList<TargetPolicy> bank;
        bank.append(policy(QStringLiteral("pg-primary"), QStringLiteral("db")));
        TargetPolicy replica = policy(QStringLiteral("pg-replica"), QStringLiteral("db"));
        replica.dependsOn = QStringList { QStringLiteral("pg-primary") };
        bank.append(replica);
        TargetPolicy entry = policy(QStringLiteral("bank-entry"), QStringLiteral("entry"));
        entry.dependsOn = QStringList { QStringLiteral("pg-primary") };
        bank.append(entry);
        Detector detector;
        detector.setTargets(bank);
        qint64 now = t0();
        auto round = [&](const QStringList& failing) {
            now += 1000;
            for (const QString& name : detector.targetNames()) {
                Observation o = failing.contains(name) ? refused(name, now - 100) : ok(name, now - 100);
                detector.observe(o);
            }
            return detector.tick(now);
        };
        round({});
        QList<DetectionEvent> all;
        for (int i = 0; i < 4; ++i)
            all += round({ QStringLiteral("pg-primary"), QStringLiteral("bank-entry") });
        QVERIFY(ofKind(all, Kind::MonitorDegraded).isEmpty());
        QVERIFY(!detector.isDegraded());
        const QList<Fault> open = detector.openFaults();
        const auto root = std::find_if(open.cbegin(), open.cend(), [](const Fault& f) { return f.rootCause; });
        QVERIFY(root != open.cend());
        QCOMPARE(root->target, QStringLiteral("pg-primary"));
        QCOMPARE(root->symptoms, QStringList { QStringLiteral("bank-entry") });

        // Every probe failing: the monitor cannot tell a dead fleet from its own cut network.
        all.clear();
        for (int i = 0; i < 2; ++i)
            all += round({ QStringLiteral("pg-primary"), QStringLiteral("pg-replica"), QStringLiteral("bank-entry") });
        QCOMPARE(ofKind(all, Kind::MonitorDegraded).size(), 1);
        QCOMPARE(ofKind(all, Kind::MonitorDegraded).first().failing, 3);
        QVERIFY(detector.isDegraded());

        // A dependant whose checks stop arriving is no cascade: the monitor lost it (stale), whatever its
        // dependency does. Primary refused, entry silent: two of three, degraded.
        Detector silent;
        silent.setTargets(bank);
        now = t0();
        for (const QString& name : silent.targetNames())
            silent.observe(ok(name, now - 100));
        silent.tick(now);
        all.clear();
        for (int i = 0; i < 6; ++i) {
            now += 1000;
            silent.observe(refused(QStringLiteral("pg-primary"), now - 100));
            silent.observe(ok(QStringLiteral("pg-replica"), now - 100));
            all += silent.tick(now);
        }
        QCOMPARE(ofKind(all, Kind::MonitorDegraded).size(), 1);
        QVERIFY(silent.isDegraded());
    }

    // The monitor itself stops delivering (a stuck probe thread): everything goes stale at once, which is the
    // monitor's fault, not the fleet's.
    void silentMonitorIsDegradedNotBlamed()
    {
        Drill d;
        d.round();
        QList<DetectionEvent> all;
        for (int i = 0; i < 8; ++i) {
            d.now += 1000;
            all += d.detector.tick(d.now);
        }
        QCOMPARE(ofKind(all, Kind::MonitorDegraded).size(), 1);
        QVERIFY(ofKind(all, Kind::FaultDetected).isEmpty());
        QVERIFY(d.detector.isDegraded());
        all = d.round();
        QCOMPARE(ofKind(all, Kind::MonitorRecovered).size(), 1);
    }

    // Threshold breaches are the targets' own business: five overloaded servers are five faults, not a blind
    // monitor.
    void breachesDoNotDegradeTheMonitor()
    {
        Drill d;
        QHash<QString, Observation> hot;
        for (const QString& name : d.detector.targetNames().mid(0, 6)) {
            Observation o = d.healthy(name);
            o.values[QStringLiteral("load")] = 1.5;
            o.values[QStringLiteral("error_rate")] = 0.5;
            hot.insert(name, o);
        }
        d.round(hot);
        const auto events = d.round(hot);
        QVERIFY(!d.detector.isDegraded());
        QCOMPARE(ofKind(events, Kind::FaultDetected).size(), 6);
    }

    // Corruption: the database fails its integrity check, the apis answer 503 with errors: the database is the
    // root cause (data-integrity), the apis nested symptoms (HARD, not unreachable), one incident.
    void corruptionLocatesTheDatabase()
    {
        Drill d;
        d.round();
        QHash<QString, Observation> corrupt;
        Observation db = d.healthy(QStringLiteral("db-primary"));
        db.values[QStringLiteral("integrity")] = 0;
        corrupt.insert(QStringLiteral("db-primary"), db);
        for (const QString& api : { QStringLiteral("api-1"), QStringLiteral("api-2") }) {
            Observation o = unhealthy(api, 0, QStringLiteral("HTTP 503: database error"), d.healthy(api).values);
            o.values[QStringLiteral("error_rate")] = 0.42;
            corrupt.insert(api, o);
        }
        d.round(corrupt);
        d.round(corrupt);
        const Fault root = *d.faultOf(QStringLiteral("db-primary"));
        QVERIFY(root.rootCause);
        QCOMPARE(root.cause, CauseClass::DataIntegrity);
        QCOMPARE(root.evidence,
            QStringLiteral(
                "db-primary data integrity failed: integrity = 0 (below 1) for 2 checks (14:03:11, 14:03:12)"));
        QCOMPARE(root.symptoms, (QStringList { QStringLiteral("api-1"), QStringLiteral("api-2") }));
        QCOMPARE(root.breachedSignals, QStringList { QStringLiteral("integrity") }); // what its chart shows
        for (const QString& api : { QStringLiteral("api-1"), QStringLiteral("api-2") }) {
            const Fault f = *d.faultOf(api);
            QVERIFY(!f.rootCause);
            QCOMPARE(f.rootFaultId, root.id);
            QCOMPARE(f.incidentId, root.incidentId);
            QCOMPARE(f.cause, CauseClass::Errors);
            QCOMPARE(d.state(api), TargetState::Hard);
            QCOMPARE(d.detector.status(api)->severity(), Severity::Symptom);
        }
        QCOMPARE(d.detector.openFaults().size(), 3);
    }

    // Attack: the flooding sources are named; a flash crowd on another server is not an attack.
    void attackNamesTheSources()
    {
        Drill d;
        for (int i = 0; i < 12; ++i)
            d.round();
        Observation flood = d.healthy(QStringLiteral("web-1"));
        flood.sourceRates.insert(QStringLiteral("203.0.113.7"), 400);
        flood.sourceRates.insert(QStringLiteral("203.0.113.8"), 350);
        flood.sourceRates.insert(QStringLiteral("203.0.113.9"), 300);
        flood.values[QStringLiteral("load")] = 1.6;
        Observation crowd = d.healthy(QStringLiteral("web-3"));
        crowd.sourceRates = sources(20, 25);
        const QHash<QString, Observation> round
            = { { QStringLiteral("web-1"), flood }, { QStringLiteral("web-3"), crowd } };
        d.round(round);
        const auto events = d.round(round);
        const auto located = ofKind(events, Kind::FaultLocated);
        QCOMPARE(located.size(), 1);
        QCOMPARE(located.first().target, QStringLiteral("web-1"));
        QCOMPARE(located.first().cause, CauseClass::Attack);
        const QStringList named { QStringLiteral("203.0.113.7"), QStringLiteral("203.0.113.8"),
            QStringLiteral("203.0.113.9") };
        QCOMPARE(located.first().sources, named);
        // Rates are the smoothed per-source rates (the concentration is judged over seconds, not one interval).
        static const QRegularExpression namedInEvidence(QStringLiteral(
            "flooding sources: 203\\.0\\.113\\.7 \\([0-9.]+ req/s\\), 203\\.0\\.113\\.8 \\([0-9.]+ req/s\\), "
            "203\\.0\\.113\\.9 \\([0-9.]+ req/s\\)$"));
        QVERIFY2(namedInEvidence.match(located.first().evidence).hasMatch(), qPrintable(located.first().evidence));
        QCOMPARE(d.state(QStringLiteral("web-3")), TargetState::Up);
    }

    // A flood's third source starts a few seconds after the first two: it joins the fault's sources while nobody
    // has acted, and automation waits for the list to stand still, so Handle blocks all three; once Handle runs,
    // the list it acted on stays as it was.
    void attackSourcesGrowUntilHandled()
    {
        Drill d;
        for (int i = 0; i < 12; ++i)
            d.round();
        const QString web1 = QStringLiteral("web-1");
        const auto flood = [&](bool third) {
            Observation o = d.healthy(web1);
            o.sourceRates.insert(QStringLiteral("203.0.113.7"), 400);
            o.sourceRates.insert(QStringLiteral("203.0.113.8"), 350);
            if (third)
                o.sourceRates.insert(QStringLiteral("203.0.113.9"), 300);
            return QHash<QString, Observation> { { web1, o } };
        };
        for (int i = 0; i < 3; ++i)
            d.round(flood(false));
        const Fault first = *d.faultOf(web1);
        QCOMPARE(first.cause, CauseClass::Attack);
        const QStringList two { QStringLiteral("203.0.113.7"), QStringLiteral("203.0.113.8") };
        QCOMPARE(first.sources, two);
        // Automation waits while the list may still grow; the operator's button does not (it is not asked).
        QVERIFY(first.sourcesSettling);
        QVERIFY(!first.actionable());
        for (int i = 0; i < 3; ++i)
            d.round(flood(true));
        const Fault grown = *d.faultOf(web1);
        QCOMPARE(grown.id, first.id);
        QCOMPARE(grown.sources, two + QStringList { QStringLiteral("203.0.113.9") });
        QCOMPARE(grown.sourceShares.size(), grown.sources.size());
        QVERIFY2(grown.evidence.contains(QStringLiteral("203.0.113.9 (")), qPrintable(grown.evidence));
        QVERIFY2(EvidenceCheck::problems(grown.evidence).isEmpty(),
            qPrintable(EvidenceCheck::problems(grown.evidence).join(u"; ")));
        // Once no source has joined for two seconds, automation may act, on all three.
        int rounds = 0;
        while (d.faultOf(web1)->sourcesSettling && rounds < 5) {
            d.round(flood(true));
            ++rounds;
        }
        QVERIFY2(rounds <= 3, qPrintable(QString::number(rounds)));
        QVERIFY(d.faultOf(web1)->actionable());
        QCOMPARE(d.faultOf(web1)->sources.size(), 3);

        // Handle acts on what it saw: a source that shows up afterwards is not silently added to its list.
        QVERIFY(d.detector.setFaultPhase(grown.id, Fault::Phase::Handling));
        Observation more = flood(true).value(web1);
        more.sourceRates.insert(QStringLiteral("203.0.113.10"), 380);
        for (int i = 0; i < 3; ++i)
            d.round({ { web1, more } });
        QCOMPARE(d.faultOf(web1)->sources, grown.sources);
    }

    // A flood on a server that had no traffic (its baseline is 0 req/s, as on the idle demo fleet): the evidence says
    // so rather than "0× its baseline of 0 req/s".
    void attackOnAnIdleServerQuotesNoFactorOfZero()
    {
        Drill d;
        Observation idle = d.healthy(QStringLiteral("web-1"));
        idle.sourceRates.clear();
        idle.sourcesMeasured = true;
        for (int i = 0; i < 12; ++i)
            d.round({ { QStringLiteral("web-1"), idle } });
        Observation flood = d.healthy(QStringLiteral("web-1"));
        flood.sourceRates = { { QStringLiteral("203.0.113.7"), 40 }, { QStringLiteral("203.0.113.8"), 35 } };
        d.round({ { QStringLiteral("web-1"), flood } });
        d.round({ { QStringLiteral("web-1"), flood } });
        const std::optional<Fault> f = d.faultOf(QStringLiteral("web-1"));
        QVERIFY(f);
        QCOMPARE(f->cause, CauseClass::Attack);
        QVERIFY2(f->evidence.contains(QStringLiteral(" req/s, up from a baseline of 0 req/s (counted over the last")),
            qPrintable(f->evidence));
        QVERIFY2(EvidenceCheck::problems(f->evidence).isEmpty(), qPrintable(f->evidence));
    }

    // Overload: exactly the overloaded web servers, grouped into one incident.
    void overloadNamesTheOverloadedServers()
    {
        Drill d;
        d.round();
        QHash<QString, Observation> sale;
        for (const QString& name : { QStringLiteral("web-1"), QStringLiteral("web-3") }) {
            Observation o = d.healthy(name);
            o.values[QStringLiteral("load")] = 1.3;
            o.sourceRates = sources(20, 25);
            sale.insert(name, o);
        }
        Observation busy = d.healthy(QStringLiteral("web-2"));
        busy.values[QStringLiteral("load")] = 0.8; // busy but under the threshold
        sale.insert(QStringLiteral("web-2"), busy);
        d.round(sale);
        d.round(sale);
        QStringList overloaded;
        QSet<QString> incidents;
        for (const Fault& f : d.detector.openFaults()) {
            QCOMPARE(f.cause, CauseClass::Overload);
            overloaded.append(f.target);
            incidents.insert(f.incidentId);
        }
        QCOMPARE(overloaded, (QStringList { QStringLiteral("web-1"), QStringLiteral("web-3") }));
        QCOMPARE(incidents.size(), 1);
        // One group-level fault: web-1 (first) is its root, web-3 an affected member, not a second root.
        const Fault root = *d.faultOf(QStringLiteral("web-1"));
        QVERIFY(root.rootCause);
        QCOMPARE(root.members, QStringList { QStringLiteral("web-3") });
        // Both crossed in the same check round: neither is called first alone.
        QVERIFY2(root.evidence.startsWith(
                     QStringLiteral("web group overloaded: web-1 and web-3 saturated first, together at 14:03:13 "
                                    "(web-1: load 1.3); web-2 near capacity")),
            qPrintable(root.evidence));
        QVERIFY2(root.evidence.contains(QStringLiteral("web-2 near capacity (load 0.8)")), qPrintable(root.evidence));
        const Fault member = *d.faultOf(QStringLiteral("web-3"));
        QVERIFY(!member.rootCause && member.isMember() && !member.actionable());
        QCOMPARE(member.relation, QStringLiteral("group"));
        QVERIFY(member.evidence.startsWith(QStringLiteral("web-3 is overloaded: load = 1.3 (above 0.85)")));
    }

    // A target that stops reporting goes stale and then down.
    void staleTargetIsDown()
    {
        Drill d;
        d.round();
        QList<DetectionEvent> all;
        for (int i = 0; i < 6; ++i) {
            d.now += 1000;
            for (const QString& name : d.detector.targetNames()) {
                if (name != QStringLiteral("web-4"))
                    d.detector.observe(d.healthy(name));
            }
            all += d.detector.tick(d.now);
        }
        QCOMPARE(d.state(QStringLiteral("web-4")), TargetState::Hard);
        const auto detected = ofKind(all, Kind::FaultDetected);
        QCOMPARE(detected.size(), 1);
        QVERIFY(detected.first().evidence.contains(QStringLiteral("went stale")));
    }

    // Flapping: one "flapping started" event and the fault is marked (no automatic action).
    void flappingMarked()
    {
        Drill d;
        QList<DetectionEvent> all;
        for (int i = 0; i < 30; ++i) {
            const bool down = (i / 2) % 2 == 0;
            all += d.round(down ? QHash<QString, Observation> { { QStringLiteral("web-1"), refused(QString(), 0) } }
                                : QHash<QString, Observation> {});
        }
        QCOMPARE(ofKind(all, Kind::FlappingStarted).size(), 1);
        QVERIFY(d.detector.status(QStringLiteral("web-1"))->flapping);
        all = d.round({ { QStringLiteral("web-1"), refused(QString(), 0) } });
        all += d.round({ { QStringLiteral("web-1"), refused(QString(), 0) } });
        QVERIFY(d.faultOf(QStringLiteral("web-1"))->flapping);
        QVERIFY(!d.faultOf(QStringLiteral("web-1"))->actionable());
    }

    // One JSON object per event with the documented keys.
    void eventsSerialise()
    {
        Drill d;
        d.round();
        const QHash<QString, Observation> outage = { { QStringLiteral("db-primary"), refused(QString(), 0) },
            { QStringLiteral("api-1"), refused(QString(), 0) } };
        QList<DetectionEvent> all = d.round(outage);
        all += d.round(outage);
        QSet<QString> kinds;
        for (const DetectionEvent& e : all) {
            const QJsonObject o = e.toJson();
            kinds.insert(o.value(QStringLiteral("event")).toString());
            QVERIFY(QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs).isValid());
            QVERIFY(!QJsonDocument(o).toJson(QJsonDocument::Compact).contains('\n'));
            QVERIFY(!e.toText().isEmpty());
            if (e.kind == Kind::FaultLocated && e.target == QStringLiteral("db-primary")) {
                QCOMPARE(o.value(QStringLiteral("root_cause")).toBool(), true);
                QCOMPARE(o.value(QStringLiteral("root")).toString(), QStringLiteral("db-primary"));
                QCOMPARE(o.value(QStringLiteral("cause")).toString(), QStringLiteral("down"));
                QCOMPARE(o.value(QStringLiteral("symptoms")).toArray().first().toString(), QStringLiteral("api-1"));
                QVERIFY(o.value(QStringLiteral("incident")).toString().startsWith(u'I'));
                QVERIFY(
                    o.value(QStringLiteral("evidence")).toString().startsWith(QStringLiteral("db-primary is down")));
            }
            if (e.kind == Kind::StateChanged) {
                QVERIFY(o.contains(QStringLiteral("from")));
                QVERIFY(o.contains(QStringLiteral("to")));
            }
        }
        QCOMPARE(kinds,
            (QSet<QString> {
                QStringLiteral("state-changed"), QStringLiteral("fault-detected"), QStringLiteral("fault-located") }));
    }

    // A tick tells the models once what it changed (every target it judged, in fleet order), not once per target.
    void tickReportsItsTargetsOnce()
    {
        Drill d;
        QSignalSpy batches(&d.detector, &Detector::targetsUpdated);
        QSignalSpy single(&d.detector, &Detector::targetUpdated);
        d.round();
        QCOMPARE(batches.count(), 1);
        QCOMPARE(batches.at(0).at(0).toStringList(), d.detector.targetNames());
        QCOMPARE(single.count(), 0);

        // Only web-2 and api-1 reported: only they changed.
        batches.clear();
        d.now += 1000;
        for (const QString& name : { QStringLiteral("api-1"), QStringLiteral("web-2") }) {
            Observation o = d.healthy(name);
            o.timeMs = d.now - 100;
            d.detector.observe(o);
        }
        d.detector.tick(d.now);
        QCOMPARE(batches.count(), 1);
        QCOMPARE(
            batches.at(0).at(0).toStringList(), (QStringList { QStringLiteral("web-2"), QStringLiteral("api-1") }));

        // Nothing arrived and nothing went stale: no signal at all.
        batches.clear();
        d.detector.tick(d.now + 10);
        QCOMPARE(batches.count(), 0);
    }

    // The models fetch a batch's statuses in one call: the same statuses as one by one, for the batch just emitted
    // (found by index) and for any other list (by name; names not in the fleet skipped), also after a target left.
    void batchStatusesMatchSingleOnes()
    {
        Drill d;
        QStringList batch;
        QObject::connect(
            &d.detector, &Detector::targetsUpdated, &d.detector, [&batch](const QStringList& names) { batch = names; });
        d.round({ { QStringLiteral("web-3"), refused(QString(), 0) } });
        const auto same = [&d](const QStringList& names) {
            const QList<TargetStatus> all = d.detector.statuses(names);
            QStringList expected;
            for (const QString& name : names) {
                if (d.detector.status(name))
                    expected << name;
            }
            QCOMPARE(all.size(), expected.size());
            for (qsizetype i = 0; i < all.size(); ++i) {
                const TargetStatus one = *d.detector.status(expected[i]);
                QCOMPARE(all[i].name, one.name);
                QCOMPARE(all[i].state, one.state);
                QCOMPARE(all[i].lastReason, one.lastReason);
                QCOMPARE(all[i].values, one.values);
            }
        };
        QCOMPARE(batch, d.detector.targetNames());
        same(batch);
        QCOMPARE(d.detector.statuses(batch).at(2).state, TargetState::Soft);
        same({ QStringLiteral("report"), QStringLiteral("nobody"), QStringLiteral("web-3") });
        d.detector.removeTarget(QStringLiteral("web-1"));
        same(batch);
        QCOMPARE(d.detector.statuses(batch).size(), batch.size() - 1);
    }

    // Checks queued before a target leaves still reach their own targets at the tick (they wait by index).
    void checksQueuedBeforeATargetLeavesKeepTheirTargets()
    {
        Drill d;
        d.round();
        d.now += 1000;
        for (const QString& name : d.detector.targetNames()) {
            Observation o = name == QStringLiteral("web-3") ? refused(name, d.now - 100) : d.healthy(name);
            o.timeMs = d.now - 100;
            d.detector.observe(o);
        }
        d.detector.removeTarget(QStringLiteral("web-1"));
        d.detector.tick(d.now);
        QCOMPARE(d.state(QStringLiteral("web-3")), TargetState::Soft);
        QCOMPARE(d.state(QStringLiteral("web-2")), TargetState::Up);
        QCOMPARE(d.state(QStringLiteral("web-4")), TargetState::Up);
        QCOMPARE(d.detector.status(QStringLiteral("web-2"))->lastCheckMs, d.now - 100);
        QCOMPARE(d.detector.status(QStringLiteral("report"))->lastCheckMs, d.now - 100);
    }

    void pinAndPhase()
    {
        Drill d;
        QSignalSpy updated(&d.detector, &Detector::targetUpdated);
        QVERIFY(d.detector.pinThreshold(QStringLiteral("web-1"), QStringLiteral("load"), 0.5));
        QCOMPARE(updated.count(), 1);
        QVERIFY(!d.detector.pinThreshold(QStringLiteral("web-1"), QStringLiteral("nope"), 0.5));
        QVERIFY(!d.detector.pinThreshold(QStringLiteral("nobody"), QStringLiteral("load"), 0.5));
        Observation o = d.healthy(QStringLiteral("web-1"));
        o.values[QStringLiteral("load")] = 0.6;
        d.round({ { QStringLiteral("web-1"), o } });
        d.round({ { QStringLiteral("web-1"), o } });
        const Fault f = *d.faultOf(QStringLiteral("web-1"));
        QSignalSpy changed(&d.detector, &Detector::faultChanged);
        QVERIFY(d.detector.setFaultPhase(f.id, Fault::Phase::Handling));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(d.detector.fault(f.id)->phase, Fault::Phase::Handling);
        QVERIFY(!d.detector.setFaultPhase(f.id, Fault::Phase::Recovered));
        QVERIFY(!d.detector.setFaultPhase(QStringLiteral("F999"), Fault::Phase::Handled));
    }

    void targetsJoinAndLeave()
    {
        Drill d;
        QSignalSpy added(&d.detector, &Detector::targetAdded);
        QSignalSpy removed(&d.detector, &Detector::targetRemoved);
        d.detector.addTarget(policy(QStringLiteral("cache-1"), QStringLiteral("cache")));
        QCOMPARE(added.count(), 1);
        d.round({ { QStringLiteral("cache-1"), refused(QString(), 0) } });
        d.round({ { QStringLiteral("cache-1"), refused(QString(), 0) } });
        QVERIFY(d.faultOf(QStringLiteral("cache-1"))->isOpen());
        QSignalSpy events(&d.detector, &Detector::eventRaised);
        d.detector.removeTarget(QStringLiteral("cache-1"));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(events.count(), 1);
        QVERIFY(!d.detector.status(QStringLiteral("cache-1")));
        QVERIFY(d.detector.openFaults().isEmpty());
        // Observations for unknown targets are dropped, not a crash.
        d.detector.observe(refused(QStringLiteral("cache-1"), d.now));
        d.round();
    }
    // Maintenance: a crash inside the window raises no fault; the state machine still says HARD. Released, the
    // still-failing target gets its fault at the next tick, without a new transition.
    void suppressedTargetRaisesNoFaultUntilReleased()
    {
        Drill d;
        d.round();
        QSignalSpy updated(&d.detector, &Detector::targetUpdated);
        d.detector.setSuppressed(QStringLiteral("web-2"), QStringLiteral("in a maintenance window until 15:00"));
        QCOMPARE(updated.count(), 1);
        QCOMPARE(
            d.detector.suppression(QStringLiteral("web-2")), QStringLiteral("in a maintenance window until 15:00"));
        QList<DetectionEvent> all;
        for (int i = 0; i < 4; ++i)
            all += d.round({ { QStringLiteral("web-2"), refused(QStringLiteral("web-2"), 0) } });
        QCOMPARE(d.state(QStringLiteral("web-2")), TargetState::Hard);
        QVERIFY(ofKind(all, Kind::FaultDetected).isEmpty());
        QVERIFY(d.detector.openFaults().isEmpty());

        d.detector.setSuppressed(QStringLiteral("web-2"), {});
        const auto events = d.round({ { QStringLiteral("web-2"), refused(QStringLiteral("web-2"), 0) } });
        QCOMPARE(ofKind(events, Kind::StateChanged).size(), 0);
        QCOMPARE(ofKind(events, Kind::FaultDetected).size(), 1);
        QCOMPARE(ofKind(events, Kind::FaultLocated).size(), 1);
        QVERIFY(d.detector.openFaults().constFirst().actionable());
    }

    // The database under maintenance: the apis failing because of it are its expected effect, not faults.
    void symptomsOfASuppressedTargetAreSuppressed()
    {
        Drill d;
        d.round();
        d.detector.setSuppressed(QStringLiteral("db-primary"), QStringLiteral("in a maintenance window until 15:00"));
        QList<DetectionEvent> all;
        const QHash<QString, Observation> down { { QStringLiteral("db-primary"),
                                                     refused(QStringLiteral("db-primary"), 0) },
            { QStringLiteral("api-1"), refused(QStringLiteral("api-1"), 0) },
            { QStringLiteral("api-2"), refused(QStringLiteral("api-2"), 0) } };
        for (int i = 0; i < 4; ++i)
            all += d.round(down);
        QVERIFY2(
            ofKind(all, Kind::FaultDetected).isEmpty(), qPrintable(ofKind(all, Kind::FaultDetected).value(0).target));
        d.detector.setSuppressed(QStringLiteral("db-primary"), {});
        all = d.round(down);
        all += d.round(down);
        QVERIFY(d.faultOf(QStringLiteral("db-primary")));
        QVERIFY(d.faultOf(QStringLiteral("db-primary"))->rootCause);
        QVERIFY(d.faultOf(QStringLiteral("api-1")));
        QVERIFY(!d.faultOf(QStringLiteral("api-1"))->rootCause);
    }

    // A fault already open when the window starts stays, marked, and the automation leaves it alone.
    void openFaultIsMarkedInMaintenance()
    {
        Drill d;
        d.round();
        d.round({ { QStringLiteral("web-2"), refused(QStringLiteral("web-2"), 0) } });
        d.round({ { QStringLiteral("web-2"), refused(QStringLiteral("web-2"), 0) } });
        QCOMPARE(d.detector.openFaults().size(), 1);
        QVERIFY(d.detector.openFaults().constFirst().actionable());
        QSignalSpy changed(&d.detector, &Detector::faultChanged);
        d.detector.setSuppressed(
            QStringLiteral("web-2"), QStringLiteral("in a maintenance window until 15:00 (disk swap)"));
        QCOMPARE(changed.count(), 1);
        const Fault f = d.detector.openFaults().constFirst();
        QCOMPARE(f.maintenance, QStringLiteral("in a maintenance window until 15:00 (disk swap)"));
        QVERIFY(!f.actionable());
        QCOMPARE(f.toJson().value(u"maintenance").toString(), f.maintenance);
        d.round({ { QStringLiteral("web-2"), refused(QStringLiteral("web-2"), 0) } });
        QCOMPARE(d.detector.openFaults().size(), 1);
        d.detector.setSuppressed(QStringLiteral("web-2"), {});
        QVERIFY(d.detector.openFaults().constFirst().maintenance.isEmpty());
        QVERIFY(d.detector.openFaults().constFirst().actionable());
    }

    // Correlation over varied events: how many incidents, which roots are open at the end, their members and
    // symptoms; and every sentence said along the way is true of the numbers it quotes.
    void correlation_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<qint64>("windowMs");
        QTest::addColumn<int>("incidents");
        QTest::addColumn<QStringList>("roots");
        QTest::addColumn<QStringList>("members");
        QTest::addColumn<QStringList>("symptoms");
        const QString surge
            = QStringLiteral("25x | 2x web-2.load=1.4 web-2.rps=50 web-1.rps=40 web-3.rps=40"
                             " | 3x web-2.load=1.4 web-1.load=1.2 web-3.load=1.1 web-2.rps=50 web-1.rps=45 web-3.rps=45"
                             " | 3x web-2.load=1.4 web-1.load=1.2 web-3.load=1.1 web-2.rps=50 web-1.rps=45 web-3.rps=45"
                             " api-1.load=1.1 api-2.load=1.05");
        QTest::addRow("surge over the web pool, the apis in step")
            << surge << qint64(30000) << 1 << QStringList { QStringLiteral("web-2") }
            << QStringList { QStringLiteral("web-1"), QStringLiteral("web-3") }
            << QStringList { QStringLiteral("api-1"), QStringLiteral("api-2") };
        QTest::addRow("the same surge without correlation")
            << surge << qint64(0) << 5
            << QStringList { QStringLiteral("web-2"), QStringLiteral("web-1"), QStringLiteral("web-3"),
                   QStringLiteral("api-1"), QStringLiteral("api-2") }
            << QStringList() << QStringList();
        QTest::addRow("two crashes in one pool are two incidents")
            << QStringLiteral("2x | 3x web-1.refused web-3.refused") << qint64(30000) << 2
            << QStringList { QStringLiteral("web-1"), QStringLiteral("web-3") } << QStringList() << QStringList();
        // A server whose answers stall (no load signal says why) is its own fault, not a peer taking a lost
        // member's share: two faults at once in one pool, two incidents.
        QTest::addRow("a slow server beside a crashed peer are two incidents")
            << QStringLiteral("2x | 3x web-1.refused web-3.slow") << qint64(30000) << 2
            << QStringList { QStringLiteral("web-1"), QStringLiteral("web-3") } << QStringList() << QStringList();
        QTest::addRow("two servers stalling their answers are two incidents")
            << QStringLiteral("2x | 3x web-1.slow web-3.slow") << qint64(30000) << 2
            << QStringList { QStringLiteral("web-1"), QStringLiteral("web-3") } << QStringList() << QStringList();
        QTest::addRow("dead backend first, then the edge's errors")
            << QStringLiteral("2x | 2x web-1.refused | 3x web-1.refused edge.error_rate=0.5") << qint64(30000) << 1
            << QStringList { QStringLiteral("web-1") } << QStringList() << QStringList { QStringLiteral("edge") };
        QTest::addRow("the edge's errors first, then its dead backend")
            << QStringLiteral("2x | 2x edge.error_rate=0.5 | 3x web-1.refused edge.error_rate=0.5") << qint64(30000)
            << 1 << QStringList { QStringLiteral("web-1") } << QStringList() << QStringList { QStringLiteral("edge") };
        QTest::addRow("a flood over the pool")
            << QStringLiteral("15x | 3x web-1.flood web-2.flood web-3.flood") << qint64(30000) << 1
            << QStringList { QStringLiteral("web-1") }
            << QStringList { QStringLiteral("web-2"), QStringLiteral("web-3") } << QStringList();
        QTest::addRow("a link fault") << QStringLiteral("2x | 3x api-1.link_db-primary=0") << qint64(30000) << 1
                                      << QStringList { QStringLiteral("api-1") } << QStringList() << QStringList();
        QTest::addRow("a link fault while the database is down is the database")
            << QStringLiteral("2x | 3x api-1.link_db-primary=0 db-primary.refused") << qint64(30000) << 1
            << QStringList { QStringLiteral("db-primary") } << QStringList() << QStringList { QStringLiteral("api-1") };
        QTest::addRow("overloads 40 s apart are two incidents")
            << QStringLiteral("2x | 42x web-2.load=1.4 | 3x web-2.load=1.4 web-1.load=1.2") << qint64(30000) << 2
            << QStringList { QStringLiteral("web-2"), QStringLiteral("web-1") } << QStringList() << QStringList();
        QTest::addRow("corruption, then an api blips after recovery: an aftershock")
            << QStringLiteral("2x | 3x db-primary.integrity=0 api-1.error_rate=0.4 api-2.error_rate=0.4 | 10x"
                              " | 2x api-1.error_rate=0.3 | 3x")
            << qint64(30000) << 1 << QStringList() << QStringList() << QStringList();
        QTest::addRow("a dependency failing after its dependents' incident is not its aftershock")
            << QStringLiteral("2x | 3x web-2.load=1.4 api-1.load=1.1 | 5x | 3x db-primary.integrity=0") << qint64(30000)
            << 2 << QStringList { QStringLiteral("db-primary") } << QStringList() << QStringList();
        QTest::addRow("another server of the pool crashing after a crash: its own incident")
            << QStringLiteral("2x | 3x web-2.refused | 5x | 3x web-3.timeout") << qint64(30000) << 2
            << QStringList { QStringLiteral("web-3") } << QStringList() << QStringList();
        QTest::addRow("a crash, restarted, crashing again: an aftershock")
            << QStringLiteral("2x | 3x web-2.refused | 5x | 3x web-2.refused") << qint64(30000) << 1
            << QStringList { QStringLiteral("web-2") } << QStringList() << QStringList();
        // The database passes one check while its dependants still fail, then fails again: one event.
        QTest::addRow("a root flapping while its symptoms wait: its incident again")
            << QStringLiteral("2x | 3x db-primary.refused api-1.refused | api-1.refused"
                              " | 3x db-primary.refused api-1.refused")
            << qint64(30000) << 1 << QStringList { QStringLiteral("db-primary") } << QStringList()
            << QStringList { QStringLiteral("api-1") };
        QTest::addRow("a crash again after the grace: a new incident")
            << QStringLiteral("2x | 3x web-2.refused | 70x | 3x web-2.refused") << qint64(30000) << 2
            << QStringList { QStringLiteral("web-2") } << QStringList() << QStringList();
    }
    void correlation()
    {
        QFETCH(QString, script);
        QFETCH(qint64, windowMs);
        QFETCH(int, incidents);
        QFETCH(QStringList, roots);
        QFETCH(QStringList, members);
        QFETCH(QStringList, symptoms);
        Detector::Settings settings;
        settings.correlationWindowMs = windowMs;
        Script sc(settings);
        sc.run(script);
        QCOMPARE(sc.incidents().size(), incidents);
        QCOMPARE(sc.openRoots(), roots);
        QStringList gotMembers;
        QStringList gotSymptoms;
        for (const Fault& f : sc.detector.openFaults()) {
            if (f.rootCause) {
                gotMembers += f.members;
                gotSymptoms += f.symptoms;
            }
        }
        QCOMPARE(gotMembers, members);
        QCOMPARE(gotSymptoms, symptoms);
        // Every fault correlation placed says so in the timeline, and only roots are actionable.
        for (const Fault& f : sc.detector.faults()) {
            if (f.relation.isEmpty())
                continue;
            QVERIFY2(std::any_of(sc.events.cbegin(), sc.events.cend(),
                         [&](const DetectionEvent& e) {
                             return e.faultId == f.id && (e.kind == Kind::FaultJoined || e.kind == Kind::FaultLocated);
                         }),
                qPrintable(f.target));
            QVERIFY(!f.actionable());
        }
        for (const QString& sentence : sc.sentences())
            QVERIFY2(EvidenceCheck::problems(sentence).isEmpty(),
                qPrintable(sentence + u" → " + EvidenceCheck::problems(sentence).join(u"; ")));
    }

    // Faults that begin in the same second are said to, not "0 s after it" (which reads like a clock error); a second
    // or more apart is counted in seconds.
    void sameSecondIsSaidSo_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QString>("expected");
        QTest::addRow("two members in the same tick")
            << QStringLiteral("15x | 3x web-1.flood web-2.flood") << QStringLiteral("within a second of it");
        QTest::addRow("the second member 3 s later")
            << QStringLiteral("15x | 3x web-1.flood | 3x web-1.flood web-2.flood") << QStringLiteral("3 s after it");
    }
    void sameSecondIsSaidSo()
    {
        QFETCH(QString, script);
        QFETCH(QString, expected);
        Script sc { Detector::Settings {} };
        sc.run(script);
        QStringList joined;
        for (const DetectionEvent& e : std::as_const(sc.events)) {
            if (e.kind == Kind::FaultJoined)
                joined << e.reason;
        }
        QVERIFY2(!joined.isEmpty(), qPrintable(sc.sentences().join(u'\n')));
        QVERIFY2(joined.join(u'\n').contains(expected), qPrintable(joined.join(u'\n')));
        static const QRegularExpression zero(QStringLiteral("\\b0 s\\b"));
        for (const QString& sentence : sc.sentences())
            QVERIFY2(!zero.match(sentence).hasMatch(), qPrintable(sentence));
    }

    // The pool-level overload says where demand rose and who saturated first.
    void poolOverloadEvidence()
    {
        Script sc { Detector::Settings {} };
        sc.run(QStringLiteral("25x | web-2.load=1.4 web-2.rps=50 web-1.rps=45 web-3.rps=45 web-2.error_rate=0.3"
                              " | 2x web-2.load=1.4 web-2.rps=50 web-1.rps=45 web-3.rps=45 web-1.load=1.2"
                              " web-2.error_rate=0.3 web-3.load=0.8"));
        const QStringList roots = sc.openRoots();
        QCOMPARE(roots, QStringList { QStringLiteral("web-2") });
        const Fault root = *sc.detector.fault(sc.detector.status(QStringLiteral("web-2"))->faultId);
        QCOMPARE(root.pool, QStringLiteral("lb/web"));
        static const QRegularExpression shape(QStringLiteral(
            "^web pool overloaded: requests ×4.67 in [0-9]+ s \\(30 → 140 req/s across the web pool\\); web-2 "
            "saturated "
            "first at [0-9:]+ \\(load 1.4, error_rate 0.3\\); web-1 also overloaded; web-3 near capacity \\(load "
            "0.8\\)$"));
        QVERIFY2(shape.match(root.evidence).hasMatch(), qPrintable(root.evidence));
        QVERIFY(EvidenceCheck::problems(root.evidence).isEmpty());
    }

    // A pool-level root whose own server recovers first stays the root while a member still fails: no hand-over, no
    // second root, what remediation did stays done; it clears with its last member.
    void poolRootStaysUntilItsLastMemberClears()
    {
        Script sc { Detector::Settings {} };
        sc.run(QStringLiteral("2x | web-2.load=1.4 | 3x web-2.load=1.4 web-1.load=1.2"));
        const QString rootId = sc.detector.status(QStringLiteral("web-2"))->faultId;
        const QString incident = sc.detector.fault(rootId)->incidentId;
        QVERIFY(sc.detector.setFaultPhase(rootId, Fault::Phase::Handled));
        sc.events.clear();
        sc.run(QStringLiteral("web-1.load=1.2"));
        QCOMPARE(sc.openRoots(), QStringList { QStringLiteral("web-2") });
        const Fault root = *sc.detector.fault(rootId);
        QVERIFY(root.isOpen());
        QCOMPARE(root.phase, Fault::Phase::Handled); // what was done for the incident is not started over
        QCOMPARE(root.members, QStringList { QStringLiteral("web-1") });
        QCOMPARE(root.localization,
            QStringLiteral("web-2 passes its checks again; web pool members still overloaded: web-1 — the web pool "
                           "stays the root until its last member clears"));
        QVERIFY(ofKind(sc.events, Kind::FaultLocated).isEmpty());
        QVERIFY(ofKind(sc.events, Kind::FaultCleared).isEmpty());
        QCOMPARE(sc.incidents().size(), 1);
        QVERIFY(root.heldForMembers);
        sc.run(QStringLiteral("web-1.load=1.2 web-2.load=1.4")); // its own server fails again: it says so no more
        QVERIFY(!sc.detector.fault(rootId)->heldForMembers);
        QVERIFY(!sc.detector.fault(rootId)->localization.contains(QStringLiteral("passes its checks again")));
        sc.run(QStringLiteral("2x web-1.load=1.2 | 2x"));
        QVERIFY(sc.detector.openFaults().isEmpty());
        const auto cleared = ofKind(sc.events, Kind::FaultCleared);
        QCOMPARE(cleared.size(), 2);
        QCOMPARE(cleared.last().faultId, rootId); // last, with its last member
        QCOMPARE(cleared.last().timeMs, cleared.first().timeMs);
        QCOMPARE(cleared.last().reason, QStringLiteral("web-2 and every web pool member pass their checks again"));
        QCOMPARE(cleared.first().reason, QStringLiteral("web-1 passes its checks again"));
        QVERIFY(ofKind(sc.events, Kind::FaultLocated).isEmpty());
        QCOMPARE(sc.incidents(), QSet<QString> { incident });
    }

    // A pool-level root held for its members is the pool's event going on: automation may still act on it (an
    // attack's sources named while the first server's flood thinned would otherwise never be blocked), and once the
    // last member clears it is neither held nor actionable.
    void heldPoolRootStaysActionable()
    {
        Script sc { Detector::Settings {} };
        sc.run(QStringLiteral("2x | web-2.load=1.4 | 3x web-2.load=1.4 web-1.load=1.2"));
        const QString rootId = sc.detector.status(QStringLiteral("web-2"))->faultId;
        QVERIFY(sc.detector.fault(rootId)->actionable());
        sc.run(QStringLiteral("2x web-1.load=1.2"));
        Fault root = *sc.detector.fault(rootId);
        QVERIFY(root.isOpen());
        QVERIFY(root.targetState != TargetState::Hard); // its own server passes
        QVERIFY(root.heldForMembers);
        QVERIFY(root.actionable());
        QCOMPARE(root.toJson().value(QStringLiteral("held_for_members")).toBool(), true);
        // The member is the pool's: it is never actionable itself.
        const Fault member = *sc.detector.fault(sc.detector.status(QStringLiteral("web-1"))->faultId);
        QVERIFY(member.isMember());
        QVERIFY(!member.actionable());
        sc.run(QStringLiteral("2x"));
        root = *sc.detector.fault(rootId);
        QVERIFY(!root.isOpen());
        QVERIFY(!root.heldForMembers);
        QVERIFY(!root.actionable());
    }

    // Held while a member still fails, then the member clears too: the recovered root's explanation no longer says
    // that members are still overloaded (the panel keeps showing it after recovery).
    void heldPoolRootForgetsTheHoldWhenItClears()
    {
        Script sc { Detector::Settings {} };
        sc.run(QStringLiteral("2x | web-2.load=1.4 | 3x web-2.load=1.4 web-1.load=1.2"));
        const QString rootId = sc.detector.status(QStringLiteral("web-2"))->faultId;
        const QString before = sc.detector.fault(rootId)->localization;
        sc.run(QStringLiteral("web-1.load=1.2"));
        QVERIFY(sc.detector.fault(rootId)->localization.contains(QStringLiteral("still overloaded: web-1")));
        sc.run(QStringLiteral("2x"));
        const Fault cleared = *sc.detector.fault(rootId);
        QVERIFY(!cleared.isOpen());
        QCOMPARE(cleared.localization, before);
    }

    // The pool-level sentence describes the event at its widest: a member clearing first does not rewrite it with a
    // smaller picture (a recovered attack incident ended up saying "requests ×1.46 … web-4 also under attack" where
    // the flood had been ×4 over four servers).
    void poolEvidenceStaysAtTheEventsWidest()
    {
        Script sc { Detector::Settings {} };
        sc.run(QStringLiteral("15x | 3x web-1.flood web-2.flood web-3.flood"));
        const QString rootId = sc.detector.status(QStringLiteral("web-1"))->faultId;
        const QString widest = sc.detector.fault(rootId)->evidence;
        QVERIFY2(widest.contains(QStringLiteral("web-3")), qPrintable(widest));
        sc.run(QStringLiteral("3x web-1.flood web-2.flood"));
        const QList<Fault> open = sc.detector.openFaults();
        QVERIFY(std::none_of(open.cbegin(), open.cend(), [](const Fault& f) { return f.target == u"web-3"; }));
        QCOMPARE(sc.detector.fault(rootId)->evidence, widest);
    }

    // A member that crashed during the flood is its own failure: it does not hold the pool-level root open, and it
    // takes the incident over (to be restarted) when the flood ends.
    void crashedMemberDoesNotHoldThePoolRoot()
    {
        Script sc { Detector::Settings {} };
        sc.run(QStringLiteral("15x | 3x web-1.flood web-2.flood | 3x web-1.flood web-2.refused"));
        QCOMPARE(sc.openRoots(), QStringList { QStringLiteral("web-1") });
        QCOMPARE(sc.detector.fault(sc.detector.status(QStringLiteral("web-2"))->faultId)->cause, CauseClass::Down);
        sc.run(QStringLiteral("3x web-2.refused"));
        QCOMPARE(sc.openRoots(), QStringList { QStringLiteral("web-2") });
        const Fault crashed = *sc.detector.fault(sc.detector.status(QStringLiteral("web-2"))->faultId);
        QVERIFY(crashed.actionable());
        QCOMPARE(sc.incidents().size(), 1);
    }

    // A pool-wide event ending for every member at once clears the incident without hand-overs.
    void poolEventEndingAtOnceHandsNothingOver()
    {
        Script sc { Detector::Settings {} };
        sc.run(QStringLiteral("15x | 3x web-1.flood web-2.flood web-3.flood"));
        QCOMPARE(sc.openRoots(), QStringList { QStringLiteral("web-1") });
        sc.events.clear();
        sc.run(QStringLiteral("2x"));
        QVERIFY(sc.detector.openFaults().isEmpty());
        QVERIFY(ofKind(sc.events, Kind::FaultLocated).isEmpty());
        QCOMPARE(ofKind(sc.events, Kind::FaultCleared).size(), 3);
    }

    // One flood over the web pool, followed tick by tick from the first member's attack verdict to the last member's
    // clear: one incident, one root from start to end (its scope grows as members join; a member clearing before the
    // others, the root's own server included, is a member that cleared, never a hand-over to a second root), and every
    // sentence true, "flooded first" included.
    void poolFloodIsOneRootThroughout_data()
    {
        QTest::addColumn<QList<qint64>>("offsets"); // web-1, web-2, web-3: when in the second each is checked
        QTest::addColumn<QList<qint64>>("from");
        QTest::addColumn<QList<qint64>>("until");
        QTest::addRow("the first member clears 100 ms before its peers") << QList<qint64> { 0, 100,
            100 } << QList<qint64> { 20000, 20000, 20000 } << QList<qint64> { 40000, 40000, 40000 };
        QTest::addRow("the members clear 100 ms apart")
            << QList<qint64> { 0, 100, 200 } << QList<qint64> { 20000, 20000, 20000 }
            << QList<qint64> { 40000, 40000, 40000 };
        QTest::addRow("the members enter seconds apart")
            << QList<qint64> { 0, 100, 200 } << QList<qint64> { 20000, 23000, 26000 }
            << QList<qint64> { 40000, 40000, 40000 };
        QTest::addRow("the members enter seconds apart, the first leaves first") << QList<qint64> { 0, 100,
            200 } << QList<qint64> { 20000, 23000, 26000 } << QList<qint64> { 34000, 37000, 40000 };
        QTest::addRow("the members enter in the same tick") << QList<qint64> { 0, 0,
            0 } << QList<qint64> { 20000, 20000, 20000 } << QList<qint64> { 40000, 40000, 40000 };
        QTest::addRow("a later member's check comes first in the second") << QList<qint64> { 500, 0,
            300 } << QList<qint64> { 20000, 24000, 24000 } << QList<qint64> { 40000, 40000, 40000 };
    }
    void poolFloodIsOneRootThroughout()
    {
        QFETCH(QList<qint64>, offsets);
        QFETCH(QList<qint64>, from);
        QFETCH(QList<qint64>, until);
        Timeline tl;
        for (int i = 0; i < 3; ++i)
            tl.plans.insert(QStringLiteral("web-%1").arg(i + 1), { offsets[i], from[i], until[i] });
        // "web-1 flooded first at 14:03:31" or "web-1 and web-2 flooded first, together at 14:03:31".
        static const QRegularExpression first(
            QStringLiteral("([a-z0-9-]+(?:(?:, | and )[a-z0-9-]+)*) flooded first(?:, together)? at ([0-9:]+)"));
        QSet<QString> rootsNamed; // every fault ever named a root, by id
        QSet<QString> seen;
        tl.run(50000, [&](const QList<DetectionEvent>& events) {
            const qint64 t = tl.now - tl.start;
            const QList<Fault> faults = tl.detector.faults();
            QSet<QString> incidents;
            QStringList openRoots;
            for (const Fault& f : faults) {
                if (!f.incidentId.isEmpty())
                    incidents.insert(f.incidentId);
                if (f.rootCause && f.phase != Fault::Phase::Detected) {
                    rootsNamed.insert(f.id);
                    if (f.isOpen())
                        openRoots.append(f.target);
                }
            }
            for (const DetectionEvent& e : events) {
                if (e.kind == Kind::FaultLocated && e.rootCause)
                    rootsNamed.insert(e.faultId);
                QVERIFY2(!e.reason.contains(QStringLiteral("takes over")), qPrintable(e.reason));
            }
            QVERIFY2(incidents.size() <= 1,
                qPrintable(QStringLiteral("t=%1 ms: %2 incidents").arg(t).arg(incidents.size())));
            QVERIFY2(openRoots.size() <= 1,
                qPrintable(QStringLiteral("t=%1 ms: roots %2").arg(t).arg(openRoots.join(u", "))));
            QVERIFY2(rootsNamed.size() <= 1,
                qPrintable(QStringLiteral("t=%1 ms: %2 faults named root").arg(t).arg(rootsNamed.size())));
            // A root whose own server passes again while members still fail stays the root, and says so.
            for (const Fault& f : faults) {
                if (!f.isOpen() || !f.rootCause || tl.detector.status(f.target)->state != TargetState::Up)
                    continue;
                QStringList failing;
                for (const Fault& o : faults) {
                    if (o.isOpen() && o.rootFaultId == f.id && tl.detector.status(o.target)->state != TargetState::Up)
                        failing.append(o.target);
                }
                QVERIFY2(!failing.isEmpty(),
                    qPrintable(QStringLiteral("t=%1 ms: %2 open, its pool passes").arg(t).arg(f.target)));
                QCOMPARE(f.localization,
                    QStringLiteral("%1 passes its checks again; web pool members still under attack: %2 — the web pool "
                                   "stays the root until its last member clears")
                        .arg(f.target, failing.join(u", ")));
            }
            // Every sentence said so far is true of the numbers and times it quotes.
            QStringList sentences;
            for (const DetectionEvent& e : events)
                sentences << e.evidence << e.reason;
            for (const Fault& f : faults)
                sentences << f.evidence << f.localization;
            for (const QString& sentence : std::as_const(sentences)) {
                if (sentence.isEmpty() || seen.contains(sentence))
                    continue;
                seen.insert(sentence);
                QVERIFY2(EvidenceCheck::problems(sentence).isEmpty(),
                    qPrintable(sentence + u" → " + EvidenceCheck::problems(sentence).join(u"; ")));
                const QRegularExpressionMatch m = first.match(sentence);
                if (!m.hasMatch())
                    continue;
                // Named first: exactly the faults of the event detected earliest, at the time it quotes.
                QStringList named = m.captured(1).split(QRegularExpression(QStringLiteral(", | and ")));
                named.sort();
                qint64 earliest = std::numeric_limits<qint64>::max();
                for (const Fault& f : faults)
                    earliest = std::min(earliest, f.detectedMs);
                QStringList atEarliest;
                for (const Fault& f : faults) {
                    if (f.detectedMs == earliest)
                        atEarliest.append(f.target);
                }
                atEarliest.sort();
                QVERIFY2(named == atEarliest, qPrintable(sentence));
                QCOMPARE(m.captured(2),
                    QDateTime::fromMSecsSinceEpoch(earliest, Qt::UTC).toString(QStringLiteral("HH:mm:ss")));
            }
        });
        if (QTest::currentTestFailed())
            return;
        // Over: one incident, every fault cleared, and its root the last to clear, with its pool and every source.
        QVERIFY(tl.detector.openFaults().isEmpty());
        const QList<Fault> faults = tl.detector.faults();
        QCOMPARE(faults.size(), 3);
        QCOMPARE(rootsNamed.size(), 1);
        qint64 lastClear = 0;
        for (const Fault& f : faults) {
            QCOMPARE(f.incidentId, faults.first().incidentId);
            lastClear = std::max(lastClear, f.clearedMs);
        }
        const Fault root = *tl.detector.fault(*rootsNamed.cbegin());
        QCOMPARE(root.clearedMs, lastClear);
        QCOMPARE(root.pool, QStringLiteral("lb/web"));
        QCOMPARE(root.cause, CauseClass::Attack);
        QVERIFY2(root.evidence.startsWith(QStringLiteral("web pool under attack: ")), qPrintable(root.evidence));
        QVERIFY2(root.evidence.contains(QStringLiteral("flooding sources: 203.0.113.7, 203.0.113.8, 203.0.113.9")),
            qPrintable(root.evidence));
        // What flooded first is its request rate, not its load signals.
        QVERIFY2(
            root.evidence.contains(QStringLiteral("1150 req/s)")) && !root.evidence.contains(QStringLiteral("load")),
            qPrintable(root.evidence));
        for (const Fault& f : faults) {
            if (f.id != root.id) {
                QVERIFY2(f.isMember(), qPrintable(f.target));
                QCOMPARE(f.rootFaultId, root.id);
            }
        }
        const auto cleared = ofKind(tl.events, Kind::FaultCleared);
        QCOMPARE(cleared.last().faultId, root.id);
        // Its server the last to pass, or the last of its members with it.
        const QStringList last { QStringLiteral("%1 passes its checks again").arg(root.target),
            QStringLiteral("%1 and every web pool member pass their checks again").arg(root.target) };
        QVERIFY2(last.contains(cleared.last().reason), qPrintable(cleared.last().reason));
    }

    // An aftershock is marked on the fault and in the event, and a fault outliving the grace becomes its own.
    void aftershockIsMarked()
    {
        Script sc { Detector::Settings {} };
        sc.run(QStringLiteral("2x | 3x db-primary.integrity=0 api-1.error_rate=0.4 | 10x"));
        const QString incident = *sc.incidents().cbegin();
        sc.events.clear();
        sc.run(QStringLiteral("2x api-1.error_rate=0.3"));
        const auto joined = ofKind(sc.events, Kind::FaultJoined);
        QCOMPARE(joined.size(), 1);
        QVERIFY(joined.first().aftershock);
        QCOMPARE(joined.first().incidentId, incident);
        QCOMPARE(joined.first().relation, QStringLiteral("aftershock"));
        QCOMPARE(joined.first().toJson().value(QStringLiteral("aftershock")).toBool(), true);
        const Fault f = *sc.detector.fault(sc.detector.status(QStringLiteral("api-1"))->faultId);
        QVERIFY(f.aftershock && !f.rootCause && !f.actionable());
        QCOMPARE(f.rootTarget, QStringLiteral("db-primary"));
        QVERIFY(ofKind(sc.events, Kind::FaultLocated).isEmpty());
        sc.run(QStringLiteral("5x api-1.error_rate=0.3")); // still within the grace: still the aftershock
        QCOMPARE(sc.incidents().size(), 1);
        QVERIFY(ofKind(sc.events, Kind::FaultLeft).isEmpty());
        QVERIFY(sc.detector.fault(f.id)->aftershock);
        sc.run(QStringLiteral("55x api-1.error_rate=0.3"));
        QCOMPARE(sc.incidents().size(), 2);
        QCOMPARE(ofKind(sc.events, Kind::FaultLeft).size(), 1);
        QCOMPARE(sc.openRoots(), QStringList { QStringLiteral("api-1") });
    }

    // A link fault is located on the link, with the other end's health as evidence.
    void linkFaultEvidence()
    {
        Script sc { Detector::Settings {} };
        sc.run(QStringLiteral("2x | 3x api-1.link_db-primary=0"));
        const Fault f = *sc.detector.fault(sc.detector.status(QStringLiteral("api-1"))->faultId);
        QCOMPARE(f.cause, CauseClass::Network);
        QCOMPARE(f.link, QStringLiteral("db-primary"));
        QVERIFY2(
            f.evidence.startsWith(QStringLiteral("api-1 cannot reach db-primary: link_db-primary = 0 (below 0.5)")),
            qPrintable(f.evidence));
        QVERIFY2(f.evidence.endsWith(
                     QStringLiteral("; db-primary answers everyone else: its own checks pass, api-2 reaches it")),
            qPrintable(f.evidence));
        QVERIFY2(f.localization.contains(QStringLiteral("the link between them failed")), qPrintable(f.localization));
        QVERIFY(f.actionable());
    }

    // A probe with no answer is "unreachable", a refused one "down", one whose answer did not finish in time "latency":
    // in cause and in evidence.
    void noAnswerIsNotRefused_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("cause");
        QTest::addColumn<QString>("evidence");
        using K = Observation::FailureKind;
        QTest::addRow("refused") << int(K::Refused) << int(CauseClass::Down)
                                 << QStringLiteral("web-2 is down: 2 consecutive probes refused");
        QTest::addRow("reset") << int(K::Reset) << int(CauseClass::Down)
                               << QStringLiteral("web-2 is down: 2 consecutive probes were reset");
        QTest::addRow("timeout") << int(K::Timeout) << int(CauseClass::Unreachable)
                                 << QStringLiteral("web-2 is unreachable (no answer): 2 consecutive probes timed out");
        QTest::addRow("dns") << int(K::Dns) << int(CauseClass::Unreachable)
                             << QStringLiteral("web-2 is unreachable (no answer): 2 consecutive probes failed to "
                                               "resolve");
        // The answer began and did not finish in time: the server is there, and slow.
        QTest::addRow("slow answer") << int(K::SlowAnswer) << int(CauseClass::Latency)
                                     << QStringLiteral("web-2 is slow: 2 consecutive probes answered too slowly (no "
                                                       "luck at ");
    }
    void noAnswerIsNotRefused()
    {
        QFETCH(int, kind);
        QFETCH(int, cause);
        QFETCH(QString, evidence);
        Drill d;
        Observation o = refused(QStringLiteral("web-2"), 0);
        o.failureKind = Observation::FailureKind(kind);
        o.reason = QStringLiteral("no luck");
        d.round({ { QStringLiteral("web-2"), o } });
        d.round({ { QStringLiteral("web-2"), o } });
        const Fault f = *d.faultOf(QStringLiteral("web-2"));
        QCOMPARE(int(f.cause), cause);
        QVERIFY2(f.evidence.startsWith(evidence), qPrintable(f.evidence));
        QVERIFY(!d.detector.status(QStringLiteral("web-2"))->answers());
    }

    // A hung server is unreachable; the restart Handle runs drops its connections and refuses for a moment. That is
    // the remedy at work, not a new diagnosis: the cause stays what was located. Before remediation acts, a worse
    // cause still replaces a milder one.
    void remedyDoesNotRewriteTheCause()
    {
        Drill d;
        Observation hung = refused(QStringLiteral("web-2"), 0);
        hung.failureKind = Observation::FailureKind::Timeout;
        hung.reason = QStringLiteral("http probe: timeout after 1000 ms waiting for the response");
        d.round({ { QStringLiteral("web-2"), hung } });
        d.round({ { QStringLiteral("web-2"), hung } });
        const Fault f = *d.faultOf(QStringLiteral("web-2"));
        QCOMPARE(f.cause, CauseClass::Unreachable);
        QVERIFY(d.detector.setFaultPhase(f.id, Fault::Phase::Handling));
        d.round({ { QStringLiteral("web-2"), refused(QStringLiteral("web-2"), 0) } });
        QCOMPARE(d.detector.fault(f.id)->cause, CauseClass::Unreachable);
        QVERIFY2(d.detector.fault(f.id)->evidence.startsWith(QStringLiteral("web-2 is unreachable (no answer)")),
            qPrintable(d.detector.fault(f.id)->evidence));

        Drill e;
        e.round({ { QStringLiteral("web-3"), hung } });
        e.round({ { QStringLiteral("web-3"), hung } });
        e.round({ { QStringLiteral("web-3"), refused(QStringLiteral("web-3"), 0) } });
        QCOMPARE(e.faultOf(QStringLiteral("web-3"))->cause, CauseClass::Down);
    }

    // Hysteresis: a value back under the threshold but above the clear level keeps the fault, and the evidence
    // says exactly that.
    void hysteresisEvidenceIsTrue()
    {
        Drill d;
        auto loaded = [&](double load) {
            Observation o = d.healthy(QStringLiteral("web-4"));
            o.values[QStringLiteral("load")] = load;
            return QHash<QString, Observation> { { QStringLiteral("web-4"), o } };
        };
        d.round();
        d.round(loaded(0.9));
        d.round(loaded(0.84));
        const Fault f = *d.faultOf(QStringLiteral("web-4"));
        QCOMPARE(f.evidence,
            QStringLiteral("web-4 is overloaded: load = 0.84, stayed above the clear level 0.7 after crossing 0.85 at "
                           "14:03:11 for 2 checks (0.9 at 14:03:11, 0.84 at 14:03:12)"));
        QVERIFY(EvidenceCheck::problems(f.evidence).isEmpty());
        // An overloaded server that answers counts as up.
        QVERIFY(d.detector.status(QStringLiteral("web-4"))->answers());
        QCOMPARE(d.detector.status(QStringLiteral("web-4"))->state, TargetState::Hard);
    }
};

QTEST_GUILESS_MAIN(TestDetector)
#include "tst_detector.moc"
