// The wired pipeline against the real demo fleet: each injected fault is located where fleetsim's ground
// truth says it is, with the cause it says.

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "detect/evidencecheck.h"
#include "drill/demofleetprocess.h"
#include "metrics/seriesstore.h"
#include "monitor/monitor.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace FaultDesk;

class TestMonitor : public QObject
{
    Q_OBJECT
private:
    struct Fleet
    {
        DemoFleetProcess demo;
        std::unique_ptr<Monitor> monitor;
        QList<DetectionEvent> events;
    };

    static std::unique_ptr<Fleet> startFleet()
    {
        auto fleet = std::make_unique<Fleet>();
        QString error;
        if (!fleet->demo.start(60000, &error)) {
            qWarning("demo fleet did not start: %s", qPrintable(error));
            return nullptr;
        }
        ConfigLoadResult loaded = FleetConfigLoader::loadFile(fleet->demo.fleetConfigPath());
        if (!loaded.ok()) {
            for (const ConfigError& e : loaded.errors)
                qWarning("%s", qPrintable(e.toString()));
            return nullptr;
        }
        fleet->monitor = std::make_unique<Monitor>();
        fleet->monitor->setConfig(*loaded.config);
        Fleet* raw = fleet.get();
        connect(fleet->monitor.get(), &Monitor::eventRaised, fleet->monitor.get(),
            [raw](const DetectionEvent& e) { raw->events.append(e); });
        fleet->monitor->start();
        return fleet;
    }

    static std::optional<Fault> openRootFault(const Fleet& fleet, const QString& target)
    {
        for (const Fault& f : fleet.monitor->detector()->openFaults())
            if (f.target == target && f.rootCause && f.phase != Fault::Phase::Detected)
                return f;
        return std::nullopt;
    }

    static bool allUp(const Fleet& fleet)
    {
        const QList<TargetStatus> statuses = fleet.monitor->detector()->statuses();
        if (statuses.isEmpty())
            return false;
        for (const TargetStatus& s : statuses)
            if (s.state != TargetState::Up)
                return false;
        return true;
    }

    static QJsonObject truthFor(const Fleet& fleet, const QString& kind)
    {
        const QJsonArray faults = fleet.demo.truth().value(QStringLiteral("faults")).toArray();
        for (const QJsonValue& v : faults)
            if (v.toObject().value(QStringLiteral("kind")).toString() == kind)
                return v.toObject();
        return {};
    }

private Q_SLOTS:
    void baselineIsQuietAndCharted()
    {
        auto fleet = startFleet();
        QVERIFY(fleet);
        QTRY_VERIFY_WITH_TIMEOUT(allUp(*fleet), 15000);
        QCOMPARE(fleet->monitor->summary().total, 8);
        // Signals flow into the store: web-1's load has fresh samples.
        const SeriesStore* store = fleet->monitor->store();
        const auto id = store->find(QStringLiteral("web-1"), QStringLiteral("load"));
        QVERIFY(id >= 0);
        QTRY_VERIFY_WITH_TIMEOUT(store->latest(id).valid, 10000);
        QVERIFY(store->latest(id).value >= 0.0 && store->latest(id).value < 0.85);
        QTest::qWait(3000);
        QVERIFY2(fleet->monitor->detector()->openFaults().isEmpty(), "no fault on a quiet fleet");
    }

    void crashIsLocatedAsDown()
    {
        auto fleet = startFleet();
        QVERIFY(fleet);
        QTRY_VERIFY_WITH_TIMEOUT(allUp(*fleet), 15000);
        QVERIFY(fleet->demo.inject(QStringLiteral("crash"), QStringLiteral("web-2")));
        const QJsonObject truth = truthFor(*fleet, QStringLiteral("crash"));
        QCOMPARE(truth.value(QStringLiteral("root_cause")).toString(), QStringLiteral("web-2"));
        QTRY_VERIFY_WITH_TIMEOUT(openRootFault(*fleet, QStringLiteral("web-2")).has_value(), 10000);
        const Fault f = *openRootFault(*fleet, QStringLiteral("web-2"));
        QCOMPARE(causeClassName(f.cause), truth.value(QStringLiteral("cause")).toString());
        QVERIFY2(f.evidence.contains(QStringLiteral("refused")), qPrintable(f.evidence));
        // Restarting it (what Handle does) clears the fault.
        QCOMPARE(fleet->demo.control({ QStringLiteral("start"), QStringLiteral("web-2") }), 0);
        QTRY_VERIFY_WITH_TIMEOUT(fleet->monitor->detector()->openFaults().isEmpty(), 15000);
    }

    void corruptionBlamesTheDatabaseNotTheApis()
    {
        auto fleet = startFleet();
        QVERIFY(fleet);
        QTRY_VERIFY_WITH_TIMEOUT(allUp(*fleet), 15000);
        QVERIFY(fleet->demo.inject(QStringLiteral("corruption"), QStringLiteral("db-primary")));
        const QJsonObject truth = truthFor(*fleet, QStringLiteral("corruption"));
        const QString root = truth.value(QStringLiteral("root_cause")).toString();
        QCOMPARE(root, QStringLiteral("db-primary"));
        QTRY_VERIFY_WITH_TIMEOUT(openRootFault(*fleet, root).has_value(), 15000);
        QCOMPARE(causeClassName(openRootFault(*fleet, root)->cause), QStringLiteral("data-integrity"));
        // The apis that fail meanwhile are symptoms of the database, never root causes.
        QTRY_VERIFY_WITH_TIMEOUT(!openRootFault(*fleet, root)->symptoms.isEmpty(), 15000);
        for (const Fault& f : fleet->monitor->detector()->openFaults()) {
            if (f.target.startsWith(u"api"))
                QVERIFY2(!f.rootCause && f.rootTarget == root, qPrintable(f.target + u' ' + f.rootTarget));
        }
    }

    void attackNamesTheFloodingSources()
    {
        auto fleet = startFleet();
        QVERIFY(fleet);
        QTRY_VERIFY_WITH_TIMEOUT(allUp(*fleet), 15000);
        QTest::qWait(12000); // the attack rule needs a baseline of normal traffic first
        // After every tick from here on: how many roots are open at once, and which faults were ever named root.
        const Detector* detector = fleet->monitor->detector();
        QSet<QString> rootsNamed;
        int mostOpenRoots = 0;
        connect(detector, &Detector::targetsUpdated, fleet->monitor.get(), [&] {
            int open = 0;
            for (const Fault& f : detector->openFaults()) {
                if (f.rootCause && f.phase != Fault::Phase::Detected) {
                    ++open;
                    rootsNamed.insert(f.id);
                }
            }
            mostOpenRoots = std::max(mostOpenRoots, open);
        });
        const qsizetype eventsBefore = fleet->events.size();
        QVERIFY(fleet->demo.inject(QStringLiteral("attack")));
        const QJsonObject truth = truthFor(*fleet, QStringLiteral("attack"));
        QStringList expected;
        for (const QJsonValue& v : truth.value(QStringLiteral("sources")).toArray())
            expected << v.toString();
        QVERIFY(!expected.isEmpty());
        // Attack faults are judged per server; together they must name the flooding sources, and only them.
        auto attackedTargets = [&] {
            QStringList targets;
            for (const Fault& f : fleet->monitor->detector()->openFaults())
                if (f.cause == CauseClass::Attack && f.rootCause)
                    targets << f.target;
            return targets;
        };
        auto namedAttackers = [&] {
            QStringList named;
            for (const Fault& f : fleet->monitor->detector()->openFaults())
                if (f.cause == CauseClass::Attack)
                    for (const QString& source : f.sources)
                        if (expected.contains(source) && !named.contains(source))
                            named << source;
            return named;
        };
        QTRY_VERIFY_WITH_TIMEOUT(!attackedTargets().isEmpty(), 20000);
        for (const QString& t : attackedTargets())
            QVERIFY2(t.startsWith(u"web"), qPrintable(t)); // the attacked pool, not the apis or databases
        QTRY_VERIFY_WITH_TIMEOUT(namedAttackers().size() == expected.size(), 10000);
        // Once the flood is established, no ordinary client is named with it.
        for (int look = 0; look < 3; ++look) {
            QTest::qWait(1500);
            for (const Fault& f : fleet->monitor->detector()->openFaults()) {
                if (f.cause != CauseClass::Attack)
                    continue;
                for (const QString& source : f.sources)
                    QVERIFY2(expected.contains(source),
                        qPrintable(f.target + u" names " + source + u", not an attacker: " + f.evidence));
            }
        }
        // The flood ends: the web pool's members pass again a fraction of a second apart. One event to its last
        // clear: one incident, one root all along (the pool's; no member taking over), every sentence true.
        QVERIFY(fleet->demo.clear());
        QTRY_VERIFY_WITH_TIMEOUT(detector->openFaults().isEmpty(), 30000);
        QSet<QString> incidents;
        for (qsizetype i = eventsBefore; i < fleet->events.size(); ++i) {
            if (!fleet->events.at(i).incidentId.isEmpty())
                incidents.insert(fleet->events.at(i).incidentId);
        }
        QCOMPARE(incidents.size(), 1);
        QCOMPARE(mostOpenRoots, 1);
        QCOMPARE(rootsNamed.size(), 1);
        for (qsizetype i = eventsBefore; i < fleet->events.size(); ++i) {
            const DetectionEvent& e = fleet->events.at(i);
            if (e.kind == DetectionEvent::Kind::FaultLocated)
                QVERIFY2(!e.rootCause || rootsNamed.contains(e.faultId), qPrintable(e.reason));
            for (const QString& sentence : { e.evidence, e.reason })
                QVERIFY2(EvidenceCheck::problems(sentence).isEmpty(),
                    qPrintable(sentence + u" → " + EvidenceCheck::problems(sentence).join(u"; ")));
        }
        for (const Fault& f : detector->faults())
            QVERIFY2(EvidenceCheck::problems(f.evidence).isEmpty(), qPrintable(f.evidence));
    }

    void hangAndGarbageGiveTheirReasons()
    {
        auto fleet = startFleet();
        QVERIFY(fleet);
        QTRY_VERIFY_WITH_TIMEOUT(allUp(*fleet), 15000);
        const SeriesStore* store = fleet->monitor->store();
        const auto load = store->find(QStringLiteral("web-3"), QStringLiteral("load"));
        QTRY_VERIFY_WITH_TIMEOUT(store->latest(load).valid, 10000);

        // Garbage metrics: a parse error, and not one sample of the bad payload reaches the store.
        QVERIFY(fleet->demo.inject(QStringLiteral("garbage"), QStringLiteral("web-3")));
        auto reasonOf = [&](const QString& target) {
            const auto s = fleet->monitor->detector()->status(target);
            return s ? s->lastReason : QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(reasonOf(QStringLiteral("web-3")).contains(QStringLiteral("invalid payload")), 10000);
        const qint64 lastGood = store->latest(load).timeMs;
        QTest::qWait(2500);
        QCOMPARE(store->latest(load).timeMs, lastGood);
        QVERIFY(fleet->demo.clear(QStringLiteral("garbage")));

        // A hanging server is cut off at the probe deadline with reason timeout, and confirmed as unreachable (no
        // answer), not as refused.
        QVERIFY(fleet->demo.inject(QStringLiteral("hang"), QStringLiteral("web-4")));
        auto faultsSeen = [&] {
            QStringList out;
            for (const Fault& f : fleet->monitor->detector()->faults())
                out << QString::fromUtf8(QJsonDocument(f.toJson()).toJson(QJsonDocument::Compact));
            return out.join(u'\n');
        };
        QTRY_VERIFY2_WITH_TIMEOUT(
            openRootFault(*fleet, QStringLiteral("web-4")).has_value(), qPrintable(faultsSeen()), 15000);
        QVERIFY2(reasonOf(QStringLiteral("web-4")).contains(QStringLiteral("timeout")),
            qPrintable(reasonOf(QStringLiteral("web-4"))));
        QCOMPARE(openRootFault(*fleet, QStringLiteral("web-4"))->cause, CauseClass::Unreachable);
    }

    // A server that starts its answer and trickles it past the probe deadline is slow (latency), not gone: a restart
    // helps it, and an operator reading "down" would look for a dead process that is not there.
    void slowServerIsLatency()
    {
        auto fleet = startFleet();
        QVERIFY(fleet);
        QTRY_VERIFY_WITH_TIMEOUT(allUp(*fleet), 15000);
        QVERIFY(fleet->demo.inject(QStringLiteral("slow"), QStringLiteral("web-1")));
        QCOMPARE(truthFor(*fleet, QStringLiteral("slow")).value(QStringLiteral("cause")).toString(),
            QStringLiteral("latency"));
        QTRY_VERIFY_WITH_TIMEOUT(openRootFault(*fleet, QStringLiteral("web-1")).has_value(), 15000);
        const Fault f = *openRootFault(*fleet, QStringLiteral("web-1"));
        QCOMPARE(f.cause, CauseClass::Latency);
        QVERIFY2(f.evidence.startsWith(QStringLiteral("web-1 is slow: ")), qPrintable(f.evidence));
        QVERIFY2(f.evidence.contains(QStringLiteral("answered too slowly")), qPrintable(f.evidence));
        QVERIFY2(EvidenceCheck::problems(f.evidence).isEmpty(), qPrintable(f.evidence));
        QVERIFY(fleet->demo.clear(QStringLiteral("slow")));
    }

    void overloadFindsTheHotWebServers()
    {
        auto fleet = startFleet();
        QVERIFY(fleet);
        QTRY_VERIFY_WITH_TIMEOUT(allUp(*fleet), 15000);
        QVERIFY(fleet->demo.inject(QStringLiteral("overload")));
        const QJsonObject truth = truthFor(*fleet, QStringLiteral("overload"));
        QStringList expected { truth.value(QStringLiteral("root_cause")).toString() };
        for (const QJsonValue& v : truth.value(QStringLiteral("targets")).toArray())
            expected << v.toString();
        auto overloaded = [&] {
            QStringList hot;
            for (const Fault& f : fleet->monitor->detector()->openFaults())
                if (f.cause == CauseClass::Overload)
                    hot << f.target;
            return hot;
        };
        QTRY_VERIFY_WITH_TIMEOUT(!overloaded().isEmpty(), 25000);
        for (const QString& t : overloaded()) {
            QVERIFY2(t.startsWith(u"web"), qPrintable(t));
        }
        QVERIFY2(overloaded().contains(truth.value(QStringLiteral("root_cause")).toString())
                || expected.contains(overloaded().constFirst()),
            qPrintable(overloaded().join(u',') + u" vs " + expected.join(u',')));
        // A flash sale is many clients, not a few: the busy servers must not be reported as attacked.
        QVERIFY(fleet->monitor->detector()->openFaults().size() >= 1);
        for (int look = 0; look < 8; ++look) {
            for (const Fault& f : fleet->monitor->detector()->openFaults())
                QVERIFY2(f.cause != CauseClass::Attack, qPrintable(f.target + u": " + f.evidence));
            QTest::qWait(1000);
        }
    }

    // The flash sale on the real demo fleet is one event: exactly one incident with one root cause, the other hot
    // servers its members or symptoms, every server that still answers counted as up.
    void overloadIsOneIncidentWithOneRoot()
    {
        auto fleet = startFleet();
        QVERIFY(fleet);
        QTRY_VERIFY_WITH_TIMEOUT(allUp(*fleet), 15000);
        // A baseline of request rates before the surge, as a real fleet has.
        QTest::qWait(25000);
        fleet->events.clear();
        QVERIFY(fleet->demo.inject(QStringLiteral("overload")));
        const Detector* d = fleet->monitor->detector();
        auto overloaded = [&] {
            int n = 0;
            for (const Fault& f : d->openFaults())
                n += f.cause == CauseClass::Overload && f.phase != Fault::Phase::Detected ? 1 : 0;
            return n;
        };
        QTRY_VERIFY_WITH_TIMEOUT(overloaded() >= 2, 40000);
        QTest::qWait(15000); // let the surge spread to every server it reaches
        QSet<QString> incidents;
        QSet<QString> roots;
        for (const DetectionEvent& e : std::as_const(fleet->events)) {
            if (!e.incidentId.isEmpty())
                incidents.insert(e.incidentId);
            if (e.kind == DetectionEvent::Kind::FaultLocated && e.rootCause)
                roots.insert(e.target);
        }
        QStringList described;
        for (const Fault& f : d->faults())
            described << f.target + u' ' + causeClassName(f.cause) + u' ' + f.incidentId + u' '
                    + (f.rootCause ? QStringLiteral("root") : f.relation)
                    + (f.cause == CauseClass::Attack ? u" (" + f.evidence + u')' : QString());
        QVERIFY2(incidents.size() == 1, qPrintable(described.join(u"; ")));
        QVERIFY2(roots.size() == 1, qPrintable(described.join(u"; ")));
        int openRoots = 0;
        for (const Fault& f : d->openFaults())
            openRoots += f.rootCause && f.phase != Fault::Phase::Detected ? 1 : 0;
        QCOMPARE(openRoots, 1);
        const QList<Fault> open = d->openFaults();
        const Fault root = *std::find_if(open.cbegin(), open.cend(),
            [](const Fault& f) { return f.rootCause && f.phase != Fault::Phase::Detected; });
        QVERIFY2(root.target.startsWith(u"web"), qPrintable(root.target));
        if (!root.members.isEmpty()) {
            // Several web servers hot: one pool-level fault that says where demand rose.
            QCOMPARE(root.pool, QStringLiteral("lb/web"));
            QVERIFY2(
                root.evidence.startsWith(QStringLiteral("web pool overloaded: requests ×")), qPrintable(root.evidence));
        }
        for (const Fault& f : d->faults())
            QVERIFY2(EvidenceCheck::problems(f.evidence).isEmpty(), qPrintable(f.evidence));
        // Overloaded servers answer: they count as up.
        int answering = 0;
        for (const TargetStatus& s : d->statuses())
            answering += s.answers() ? 1 : 0;
        QCOMPARE(fleet->monitor->summary().up, answering);
    }
};

QTEST_GUILESS_MAIN(TestMonitor)
#include "tst_monitor.moc"
