#include "detect/detector.h"
#include "model/faultmodel.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

using namespace FaultDesk;

namespace {

qint64 t0()
{
    return QDateTime(QDate(2026, 11, 27), QTime(14, 3, 10), Qt::UTC).toMSecsSinceEpoch();
}

Fault fault(const QString& id, const QString& target, const QString& rootId = QString())
{
    Fault f;
    f.id = id;
    f.incidentId = QStringLiteral("I1");
    f.target = target;
    f.cause = rootId.isEmpty() ? CauseClass::DataIntegrity : CauseClass::Errors;
    f.phase = Fault::Phase::Located;
    f.evidence = target + QStringLiteral(" is broken");
    f.rootCause = rootId.isEmpty();
    f.rootFaultId = rootId;
    f.detectedMs = t0();
    return f;
}

QString roleList(QList<int> roles)
{
    std::sort(roles.begin(), roles.end());
    QStringList r;
    for (int role : roles)
        r.append(QString::number(role));
    return r.join(u',');
}

QStringList changes(const QSignalSpy& spy)
{
    QStringList out;
    for (const auto& args : spy) {
        const auto tl = args.at(0).value<QModelIndex>();
        const auto br = args.at(1).value<QModelIndex>();
        out.append(QStringLiteral("%1:%2-%3:%4")
                       .arg(tl.data(FaultModel::FaultIdRole).toString())
                       .arg(tl.column())
                       .arg(br.column())
                       .arg(roleList(args.at(2).value<QList<int>>())));
    }
    std::sort(out.begin(), out.end());
    return out;
}

Observation refused(const QString& target, qint64 t)
{
    Observation o;
    o.target = target;
    o.timeMs = t;
    o.probe = Observation::Probe::Down;
    o.failureKind = Observation::FailureKind::Refused;
    o.reason = QStringLiteral("connection refused");
    return o;
}

/// The demo's shape: a primary database, two apis depending on it, four web servers.
QList<TargetPolicy> dbFleet()
{
    QList<TargetPolicy> fleet;
    for (const QString& name : { QStringLiteral("db-primary"), QStringLiteral("api-1"), QStringLiteral("api-2"),
             QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("web-3"), QStringLiteral("web-4") }) {
        TargetPolicy p;
        p.name = name;
        if (name.startsWith(u"api"))
            p.dependsOn = QStringList { QStringLiteral("db-primary") };
        fleet.append(p);
    }
    return fleet;
}

/// One check of every target at @p t: refused for the @p failing ones, passing for the rest.
void observeRound(Detector& detector, const QList<TargetPolicy>& fleet, const QStringList& failing, qint64 t)
{
    for (const TargetPolicy& p : fleet) {
        if (failing.contains(p.name)) {
            detector.observe(refused(p.name, t));
        } else {
            Observation o;
            o.target = p.name;
            o.timeMs = t;
            detector.observe(o);
        }
    }
}

} // namespace

using Mutation = std::function<void(Fault&)>;
Q_DECLARE_METATYPE(Mutation)

class TestFaultModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void tree()
    {
        FaultModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Fault root = fault(QStringLiteral("F1"), QStringLiteral("db-primary"));
        root.symptoms = { QStringLiteral("api-1"), QStringLiteral("api-2") };
        // Symptoms listed before their root still nest under it.
        model.resetFaults({ fault(QStringLiteral("F2"), QStringLiteral("api-1"), QStringLiteral("F1")), root,
            fault(QStringLiteral("F3"), QStringLiteral("api-2"), QStringLiteral("F1")), [] {
                Fault other = fault(QStringLiteral("F4"), QStringLiteral("web-1"));
                other.incidentId = QStringLiteral("I2");
                return other;
            }() });
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex db = model.indexOf(QStringLiteral("F1"));
        QCOMPARE(db.row(), 0);
        QCOMPARE(model.rowCount(db), 2);
        QCOMPARE(model.indexOf(QStringLiteral("F3")).parent(), db);
        QCOMPARE(db.data(FaultModel::SymptomCountRole).toInt(), 2);
        QCOMPARE(db.data(FaultModel::RootCauseRole).toBool(), true);
        QCOMPARE(db.data(FaultModel::SeverityRole).toInt(), int(Severity::Critical));
        QCOMPARE(db.data(FaultModel::MembershipRole).toInt(), int(FaultModel::Membership::Root));
        QCOMPARE(db.data(FaultModel::IncidentTargetsRole).toStringList(),
            (QStringList { QStringLiteral("db-primary"), QStringLiteral("api-1"), QStringLiteral("api-2") }));
        QCOMPARE(model.indexOf(QStringLiteral("F2")).data(FaultModel::MembershipRole).toInt(),
            int(FaultModel::Membership::Symptom));
        QCOMPARE(model.incidentFaults(QStringLiteral("F3")).size(), 3);
        QCOMPARE(model.incidentFaults(QStringLiteral("F3")).constFirst().id, QStringLiteral("F1"));
        const QModelIndex api = model.indexOf(QStringLiteral("F2"), FaultModel::CauseColumn);
        QCOMPARE(api.data().toString(), QStringLiteral("errors"));
        QCOMPARE(api.data(FaultModel::SeverityRole).toInt(), int(Severity::Symptom));
        QCOMPARE(api.data(FaultModel::IncidentIdRole).toString(), QStringLiteral("I1"));
        QCOMPARE(
            model.indexOf(QStringLiteral("F1"), FaultModel::StateColumn).data().toString(), QStringLiteral("located"));
        QCOMPARE(model.indexOf(QStringLiteral("F1"), FaultModel::EvidenceColumn).data().toString(),
            QStringLiteral("db-primary is broken"));
        QCOMPARE(
            model.indexOf(QStringLiteral("F1"), FaultModel::SinceColumn).data(FaultModel::SortRole).toLongLong(), t0());
        QCOMPARE(model.headerData(FaultModel::EvidenceColumn, Qt::Horizontal).toString(), QStringLiteral("Evidence"));
    }

    void exactDataChanged_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QStringList>("expected");
        const QString display = roleList({ Qt::DisplayRole, FaultModel::SortRole });
        QTest::addRow("handling") << Mutation([](Fault& f) { f.phase = Fault::Phase::Handling; })
                                  << QStringList { QStringLiteral("F2:0-%1:").arg(FaultModel::ColumnCount - 1)
                                             + roleList({ FaultModel::PhaseRole }),
                                         QStringLiteral("F2:2-2:") + display };
        // The incident row counts its open faults.
        QTest::addRow("recovered") << Mutation([](Fault& f) { f.phase = Fault::Phase::Recovered; })
                                   << QStringList { QStringLiteral("F2:0-%1:").arg(FaultModel::ColumnCount - 1)
                                              + roleList({ FaultModel::PhaseRole, FaultModel::SeverityRole }),
                                          QStringLiteral("F2:2-2:") + display,
                                          QStringLiteral("F1:0-%1:").arg(FaultModel::ColumnCount - 1)
                                              + roleList({ FaultModel::OpenCountRole }) };
        QTest::addRow("worse cause")
            << Mutation([](Fault& f) {
                   f.cause = CauseClass::Down;
                   f.evidence = QStringLiteral("api-1 is down");
               })
            << QStringList { QStringLiteral("F2:0-%1:").arg(FaultModel::ColumnCount - 1)
                       + roleList({ FaultModel::CauseRole }),
                   QStringLiteral("F2:1-1:") + display,
                   QStringLiteral("F2:3-3:") + roleList({ Qt::DisplayRole, FaultModel::SortRole, Qt::ToolTipRole }) };
        QTest::addRow("flapping") << Mutation([](Fault& f) { f.flapping = true; })
                                  << QStringList { QStringLiteral("F2:0-%1:").arg(FaultModel::ColumnCount - 1)
                                         + roleList({ FaultModel::FlappingRole }) };
        QTest::addRow("unchanged") << Mutation([](Fault&) {}) << QStringList();
    }
    void exactDataChanged()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QStringList, expected);
        FaultModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.resetFaults({ fault(QStringLiteral("F1"), QStringLiteral("db-primary")),
            fault(QStringLiteral("F2"), QStringLiteral("api-1"), QStringLiteral("F1")) });
        QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy moved(&model, &QAbstractItemModel::rowsRemoved);
        Fault f = fault(QStringLiteral("F2"), QStringLiteral("api-1"), QStringLiteral("F1"));
        mutate(f);
        model.updateFault(f);
        std::sort(expected.begin(), expected.end());
        QCOMPARE(changes(spy), expected);
        QCOMPARE(moved.count(), 0);
    }

    // Localization and correlation move rows: a fault joins its incident when it gets one; a root cause arriving
    // after its symptom becomes the incident's row; the root leaving leaves the rest of the incident together.
    void moves()
    {
        FaultModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Fault api1 = fault(QStringLiteral("F2"), QStringLiteral("api-1"));
        api1.incidentId = QStringLiteral("I2");
        model.updateFault(api1);
        model.updateFault(fault(QStringLiteral("F3"), QStringLiteral("api-2"), QStringLiteral("F1")));
        QCOMPARE(model.rowCount(), 2);
        model.updateFault(fault(QStringLiteral("F1"), QStringLiteral("db-primary")));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.indexOf(QStringLiteral("F1")).parent(), QModelIndex());
        QCOMPARE(model.indexOf(QStringLiteral("F3")).parent(), model.indexOf(QStringLiteral("F1")));
        model.updateFault(fault(QStringLiteral("F2"), QStringLiteral("api-1"), QStringLiteral("F1")));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowCount(model.indexOf(QStringLiteral("F1"))), 2);
        model.removeFault(QStringLiteral("F1"));
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(!model.indexOf(QStringLiteral("F1")).isValid());
        QCOMPARE(model.rowCount(model.index(0, 0)), 1);

        // An incident goes once all of it has recovered.
        Fault done = fault(QStringLiteral("F2"), QStringLiteral("api-1"), QStringLiteral("F1"));
        done.phase = Fault::Phase::Recovered;
        model.updateFault(done);
        model.removeRecovered();
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.indexOf(QStringLiteral("F3")).isValid());
        done = fault(QStringLiteral("F3"), QStringLiteral("api-2"), QStringLiteral("F1"));
        done.phase = Fault::Phase::Recovered;
        model.updateFault(done);
        model.removeRecovered();
        QCOMPARE(model.rowCount(), 0);
    }

    // One event, one row: a flash sale overloads two web servers (two root causes of one incident), the api behind
    // them is a symptom, and web-2 overloads again a minute after recovering (an aftershock, not a new incident).
    void incidentWithMembersAndAftershocks()
    {
        FaultModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto overload = [](const QString& id, const QString& target, qint64 at) {
            Fault f = fault(id, target);
            f.incidentId = QStringLiteral("I7");
            f.cause = CauseClass::Overload;
            f.detectedMs = at;
            return f;
        };
        // The symptom is reported first; the root cause arriving takes the incident's row.
        Fault api = fault(QStringLiteral("F3"), QStringLiteral("api-1"), QStringLiteral("F1"));
        api.incidentId = QStringLiteral("I7");
        model.updateFault(api);
        model.updateFault(overload(QStringLiteral("F1"), QStringLiteral("web-2"), t0()));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.updateFault(overload(QStringLiteral("F2"), QStringLiteral("web-1"), t0() + 2000));
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex incident = model.index(0, 0);
        QCOMPARE(incident.data(FaultModel::FaultIdRole).toString(), QStringLiteral("F1"));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.first().at(0).toModelIndex(), incident);
        QVERIFY(changes(changed).contains(QStringLiteral("F1:0-%1:").arg(FaultModel::ColumnCount - 1)
            + roleList({ FaultModel::MemberCountRole, FaultModel::OpenCountRole })));
        QCOMPARE(incident.data(FaultModel::MemberCountRole).toInt(), 1);
        QCOMPARE(incident.data(FaultModel::SymptomCountRole).toInt(), 1);
        QCOMPARE(model.indexOf(QStringLiteral("F2")).data(FaultModel::MembershipRole).toInt(),
            int(FaultModel::Membership::Member));

        Fault recovered = overload(QStringLiteral("F1"), QStringLiteral("web-2"), t0());
        recovered.phase = Fault::Phase::Recovered;
        recovered.clearedMs = t0() + 60000;
        model.updateFault(recovered);
        // api-2 failing after the root cause recovered is an aftershock; web-2 failing again is the root cause again,
        // on its own row (one row per target: the latest firing, counted).
        Fault late = fault(QStringLiteral("F5"), QStringLiteral("api-2"), QStringLiteral("F1"));
        late.incidentId = QStringLiteral("I7");
        late.detectedMs = t0() + 70000;
        model.updateFault(late);
        QCOMPARE(model.indexOf(QStringLiteral("F5")).data(FaultModel::MembershipRole).toInt(),
            int(FaultModel::Membership::Aftershock));
        model.updateFault(overload(QStringLiteral("F4"), QStringLiteral("web-2"), t0() + 75000));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowCount(incident), 3);
        QCOMPARE(incident.data(FaultModel::FaultIdRole).toString(), QStringLiteral("F4"));
        QCOMPARE(model.indexOf(QStringLiteral("F1")), incident);
        QCOMPARE(model.indexOf(QStringLiteral("F4")), incident);
        QCOMPARE(incident.data(FaultModel::OccurrenceCountRole).toInt(), 2);
        QCOMPARE(incident.data(FaultModel::PhaseRole).toInt(), int(Fault::Phase::Located));
        QCOMPARE(incident.data(FaultModel::AftershockCountRole).toInt(), 1);
        QCOMPARE(incident.data(FaultModel::OpenCountRole).toInt(), 4);
        QCOMPARE(model.indexOf(QStringLiteral("F5")).data(FaultModel::MembershipRole).toInt(),
            int(FaultModel::Membership::Aftershock));
        QCOMPARE(incident.data(FaultModel::IncidentTargetsRole).toStringList(),
            (QStringList {
                QStringLiteral("web-2"), QStringLiteral("api-1"), QStringLiteral("web-1"), QStringLiteral("api-2") }));

        // The latest firing moving to another incident leaves the row as it was before it fired.
        Fault moved = overload(QStringLiteral("F4"), QStringLiteral("web-2"), t0() + 75000);
        moved.incidentId = QStringLiteral("I8");
        model.updateFault(moved);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(incident.data(FaultModel::FaultIdRole).toString(), QStringLiteral("F1"));
        QCOMPARE(incident.data(FaultModel::OccurrenceCountRole).toInt(), 1);
        QCOMPARE(incident.data(FaultModel::PhaseRole).toInt(), int(Fault::Phase::Recovered));
        moved.incidentId = QStringLiteral("I7");
        model.updateFault(moved);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(incident.data(FaultModel::FaultIdRole).toString(), QStringLiteral("F4"));
        // The detector dropping the first firing from its kept list: the row still counts it.
        model.removeFault(QStringLiteral("F1"));
        QCOMPARE(incident.data(FaultModel::FaultIdRole).toString(), QStringLiteral("F4"));
        QCOMPARE(incident.data(FaultModel::OccurrenceCountRole).toInt(), 2);
        QVERIFY(!model.indexOf(QStringLiteral("F1")).isValid());
        QVERIFY(incident.siblingAtColumn(FaultModel::StateColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("1 earlier firing no longer kept")));
    }

    // Following a Detector through a database outage and its recovery (3 of 7 failing: not a blind monitor).
    void followsDetector()
    {
        Detector detector;
        FaultModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDetector(&detector);
        const QList<TargetPolicy> fleet = dbFleet();
        detector.setTargets(fleet);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        qint64 t = t0();
        auto round = [&](bool outage) {
            t += 1000;
            for (const TargetPolicy& p : fleet) {
                if (outage && !p.name.startsWith(u"web")) {
                    detector.observe(refused(p.name, t));
                } else {
                    Observation o;
                    o.target = p.name;
                    o.timeMs = t;
                    detector.observe(o);
                }
            }
            detector.tick(t + 10);
        };
        round(false);
        round(true);
        round(true);
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex db = model.index(0, 0);
        QCOMPARE(db.data().toString(), QStringLiteral("db-primary"));
        QCOMPARE(db.data(FaultModel::CauseRole).toInt(), int(CauseClass::Down));
        QCOMPARE(model.rowCount(db), 2);
        QCOMPARE(db.data(FaultModel::SymptomCountRole).toInt(), 2);
        QCOMPARE(model.index(0, FaultModel::StateColumn, db).data().toString(), QStringLiteral("located"));
        round(false);
        QCOMPARE(db.data(FaultModel::PhaseRole).toInt(), int(Fault::Phase::Recovered));
        for (int i = 0; i < model.rowCount(db); ++i)
            QCOMPARE(model.index(i, 0, db).data(FaultModel::PhaseRole).toInt(), int(Fault::Phase::Recovered));
        QCOMPARE(reset.count(), 0);
    }

    // A dependant flapping during an outage (its fault clears and fires again while its cause is still down), then
    // the whole incident failing again soon after it recovered: each target stays one row of the incident, saying
    // how often it fired, in the state of its latest firing.
    void refiringKeepsOneRowPerTarget()
    {
        Detector detector;
        FaultModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDetector(&detector);
        const QList<TargetPolicy> fleet = dbFleet();
        detector.setTargets(fleet);
        qint64 t = t0();
        auto round = [&](const QStringList& failing) {
            t += 1000;
            observeRound(detector, fleet, failing, t);
            detector.tick(t + 10);
        };
        const QStringList outage { QStringLiteral("db-primary"), QStringLiteral("api-1"), QStringLiteral("api-2") };
        const QStringList apiOneAnswers { QStringLiteral("db-primary"), QStringLiteral("api-2") };
        const auto rowOf = [&](const QModelIndex& incident, const QString& target) {
            QModelIndexList rows;
            for (int i = 0; i < model.rowCount(incident); ++i) {
                if (model.index(i, 0, incident).data().toString() == target)
                    rows << model.index(i, 0, incident);
            }
            return rows;
        };
        const auto state
            = [](const QModelIndex& row) { return row.siblingAtColumn(FaultModel::StateColumn).data().toString(); };
        round({});
        round(outage);
        round(outage);
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex db = model.index(0, 0);
        QCOMPARE(rowOf(db, QStringLiteral("api-1")).size(), 1);
        QCOMPARE(state(rowOf(db, QStringLiteral("api-1")).constFirst()), QStringLiteral("located"));

        // api-1 answers once (its fault clears), then fails again twice while db-primary is still down.
        for (int flap = 0; flap < 2; ++flap) {
            round(apiOneAnswers);
            // A symptom clears with its cause; nothing recovered it.
            QCOMPARE(state(rowOf(db, QStringLiteral("api-1")).constFirst()), QStringLiteral("cleared"));
            round(outage);
            round(outage);
        }
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowCount(db), 2);
        const QModelIndexList api1 = rowOf(db, QStringLiteral("api-1"));
        QCOMPARE(api1.size(), 1);
        QCOMPARE(state(api1.constFirst()), QStringLiteral("located"));
        QCOMPARE(api1.constFirst().data(FaultModel::OccurrenceCountRole).toInt(), 3);
        QCOMPARE(api1.constFirst().data(FaultModel::PhaseRole).toInt(), int(Fault::Phase::Located));
        QCOMPARE(api1.constFirst().data(FaultModel::MembershipRole).toInt(), int(FaultModel::Membership::Symptom));
        // The row is the latest firing: the open fault the detector knows, found by any of its firings' ids.
        const QString latest = api1.constFirst().data(FaultModel::FaultIdRole).toString();
        QVERIFY(detector.fault(latest) && detector.fault(latest)->isOpen());
        QCOMPARE(detector.fault(latest)->target, QStringLiteral("api-1"));
        QCOMPARE(db.data(FaultModel::SymptomCountRole).toInt(), 2);
        QCOMPARE(db.data(FaultModel::OpenCountRole).toInt(), 3);
        QCOMPARE(state(db), QStringLiteral("located"));
        QCOMPARE(db.data(FaultModel::OccurrenceCountRole).toInt(), 1);
        QCOMPARE(model.rowCount(rowOf(db, QStringLiteral("api-2")).constFirst()), 0);
        int api1Faults = 0;
        for (const Fault& f : detector.faults()) {
            if (f.target == u"api-1") {
                ++api1Faults;
                QCOMPARE(model.indexOf(f.id), api1.constFirst());
            }
        }
        QCOMPARE(api1Faults, 3);
        // The tooltip lists every firing, so "3 times" can be checked.
        const QString history
            = api1.constFirst().siblingAtColumn(FaultModel::StateColumn).data(Qt::ToolTipRole).toString();
        const QStringList lines = history.split(u'\n');
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines.constFirst(), QStringLiteral("Fired 3 times in this incident:"));
        QVERIFY2(lines.at(1).contains(QStringLiteral(" down, cleared at ")), qPrintable(history));
        QVERIFY2(lines.at(2).contains(QStringLiteral(" down, cleared at ")), qPrintable(history));
        QVERIFY2(lines.at(3).endsWith(QStringLiteral(" down, located")), qPrintable(history));

        // Everything recovers, then fails again within the aftershock grace: the same incident, the root row again.
        round({});
        QCOMPARE(db.data(FaultModel::OpenCountRole).toInt(), 0);
        round(outage);
        round(outage);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowCount(db), 2);
        QCOMPARE(db.data().toString(), QStringLiteral("db-primary"));
        QCOMPARE(state(db), QStringLiteral("located"));
        QCOMPARE(db.data(FaultModel::OccurrenceCountRole).toInt(), 2);
        QCOMPARE(db.data(FaultModel::RootCauseRole).toBool(), true);
        QCOMPARE(db.data(FaultModel::AftershockCountRole).toInt(), 0);
        QCOMPARE(db.data(FaultModel::OpenCountRole).toInt(), 3);
        QCOMPARE(rowOf(db, QStringLiteral("api-1")).constFirst().data(FaultModel::OccurrenceCountRole).toInt(), 4);
        QCOMPARE(rowOf(db, QStringLiteral("api-2")).constFirst().data(FaultModel::OccurrenceCountRole).toInt(), 2);
        // The incident's faults, root first: the open root, then every firing (the charts shade them all).
        const QList<Fault> incident = model.incidentFaults(db.data(FaultModel::FaultIdRole).toString());
        QCOMPARE(incident.size(), 8);
        QCOMPARE(incident.constFirst().id, db.data(FaultModel::FaultIdRole).toString());
        QVERIFY(incident.constFirst().isOpen());
    }

    // The root flapping while its symptoms wait (db-primary passes one check, its dependants do not): one incident,
    // one db-primary row, not a recovered incident beside a new one.
    void rootFlappingWhileSymptomsWaitIsOneIncident()
    {
        Detector detector;
        FaultModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDetector(&detector);
        const QList<TargetPolicy> fleet = dbFleet();
        detector.setTargets(fleet);
        qint64 t = t0();
        QList<DetectionEvent> events;
        auto round = [&](const QStringList& failing) {
            t += 1000;
            observeRound(detector, fleet, failing, t);
            events += detector.tick(t + 10);
        };
        const QStringList outage { QStringLiteral("db-primary"), QStringLiteral("api-1"), QStringLiteral("api-2") };
        round({});
        round(outage);
        round(outage);
        round({ QStringLiteral("api-1"), QStringLiteral("api-2") });
        // No remediation ran: the root cleared on its own (it is "recovered" only where a Recover verified it).
        QCOMPARE(model.index(0, FaultModel::StateColumn).data().toString(), QStringLiteral("cleared on its own"));
        round(outage);
        round(outage);
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex db = model.index(0, 0);
        QCOMPARE(db.data().toString(), QStringLiteral("db-primary"));
        QCOMPARE(db.siblingAtColumn(FaultModel::StateColumn).data().toString(), QStringLiteral("located"));
        QCOMPARE(db.data(FaultModel::OccurrenceCountRole).toInt(), 2);
        QCOMPARE(db.data(FaultModel::SymptomCountRole).toInt(), 2);
        QCOMPARE(model.rowCount(db), 2);
        const Fault root = *detector.fault(db.data(FaultModel::FaultIdRole).toString());
        QVERIFY(root.isOpen() && root.rootCause && root.actionable());
        QCOMPARE(root.incidentId, QStringLiteral("I1"));
        // The timeline says why it is the same incident.
        const auto joined = std::find_if(events.cbegin(), events.cend(), [&](const DetectionEvent& e) {
            return e.kind == DetectionEvent::Kind::FaultJoined && e.faultId == root.id;
        });
        QVERIFY(joined != events.cend());
        QVERIFY2(joined->reason.startsWith(QStringLiteral("db-primary fails again 2 s after it recovered, while "
                                                          "incident I1 was still open")),
            qPrintable(joined->reason));
        for (const Fault& f : detector.openFaults())
            QCOMPARE(f.incidentId, QStringLiteral("I1"));
    }
};

QTEST_GUILESS_MAIN(TestFaultModel)
#include "tst_faultmodel.moc"
