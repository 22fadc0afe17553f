#include "detect/detector.h"
#include "model/fleetmodel.h"

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

TargetStatus status(const QString& name, const QString& group)
{
    TargetStatus s;
    s.name = name;
    s.group = group;
    s.state = TargetState::Up;
    s.lastCheckMs = t0();
    s.values = { { QStringLiteral("load"), 0.4 }, { QStringLiteral("p95_latency"), 0.12 },
        { QStringLiteral("error_rate"), 0.002 } };
    return s;
}

QList<TargetStatus> fleet()
{
    return { status(QStringLiteral("web-1"), QStringLiteral("web")),
        status(QStringLiteral("web-2"), QStringLiteral("web")),
        status(QStringLiteral("db-primary"), QStringLiteral("db")) };
}

// One dataChanged emission, flattened: "row:firstColumn-lastColumn:roles".
QString describe(const QList<QVariant>& args)
{
    const auto tl = args.at(0).value<QModelIndex>();
    const auto br = args.at(1).value<QModelIndex>();
    auto roles = args.at(2).value<QList<int>>();
    std::sort(roles.begin(), roles.end());
    QStringList r;
    for (int role : roles)
        r.append(QString::number(role));
    const QString parent = tl.parent().isValid() ? tl.parent().data().toString() + u'/' : QString();
    return QStringLiteral("%1%2:%3-%4:%5")
        .arg(parent, tl.siblingAtColumn(0).data().toString())
        .arg(tl.column())
        .arg(br.column())
        .arg(r.join(u','));
}

QStringList changes(const QSignalSpy& spy)
{
    QStringList out;
    for (const auto& args : spy)
        out.append(describe(args));
    std::sort(out.begin(), out.end());
    return out;
}

QString roles(std::initializer_list<int> list)
{
    QList<int> v(list);
    std::sort(v.begin(), v.end());
    QStringList r;
    for (int role : v)
        r.append(QString::number(role));
    return r.join(u',');
}

} // namespace

using Mutation = std::function<void(TargetStatus&)>;
Q_DECLARE_METATYPE(Mutation)

class TestFleetModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Each kind of update signals exactly the cells and roles it changed.
    void exactDataChanged_data()
    {
        QTest::addColumn<bool>("grouped");
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QStringList>("expected");
        const int D = Qt::DisplayRole;
        const int S = FleetModel::SortRole;
        const int T = Qt::ToolTipRole;
        const QString display = roles({ D, S });
        for (bool grouped : { false, true }) {
            const QString mode = grouped ? QStringLiteral("grouped ") : QStringLiteral("flat ");
            const QString at = grouped ? QStringLiteral("web/web-1") : QStringLiteral("web-1");
            QTest::addRow("%sload", qPrintable(mode))
                << grouped << Mutation([](TargetStatus& s) { s.values[QStringLiteral("load")] = 0.9; })
                << QStringList { at + u":3-3:" + display };
            QTest::addRow("%slatency and check time", qPrintable(mode)) << grouped << Mutation([](TargetStatus& s) {
                s.values[QStringLiteral("p95_latency")] = 0.3;
                s.lastCheckMs += 1000;
            }) << QStringList { at + u":4-4:" + display, at + u":6-6:" + display };
            QTest::addRow("%snothing", qPrintable(mode)) << grouped << Mutation([](TargetStatus&) {}) << QStringList();
            QStringList hard { at + u":0-6:"
                    + roles({ FleetModel::StateRole, FleetModel::SeverityRole, FleetModel::RootCauseRole,
                        FleetModel::CauseRole }),
                at + u":2-2:" + roles({ D, S, T }) };
            if (grouped) {
                hard.append(QStringLiteral("web:0-6:")
                    + roles({ FleetModel::StateRole, FleetModel::SeverityRole, FleetModel::RootCauseRole }));
                hard.append(QStringLiteral("web:2-2:") + display);
            }
            QTest::addRow("%sbecomes HARD root cause", qPrintable(mode)) << grouped << Mutation([](TargetStatus& s) {
                s.state = TargetState::Hard;
                s.rootCause = true;
                s.cause = CauseClass::Down;
                s.evidence = QStringLiteral("web-1 is down");
            }) << hard;
            QStringList flap { at + u":0-6:" + roles({ FleetModel::FlappingRole }) };
            if (grouped)
                flap.append(QStringLiteral("web:0-6:") + roles({ FleetModel::FlappingRole }));
            QTest::addRow("%sstarts flapping", qPrintable(mode))
                << grouped << Mutation([](TargetStatus& s) { s.flapping = true; }) << flap;
        }
    }
    void exactDataChanged()
    {
        QFETCH(bool, grouped);
        QFETCH(Mutation, mutate);
        QFETCH(QStringList, expected);
        FleetModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setGrouped(grouped);
        model.resetTargets(fleet());
        QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        TargetStatus s = fleet().first();
        mutate(s);
        model.updateTarget(s);
        std::sort(expected.begin(), expected.end());
        QCOMPARE(changes(spy), expected);
        QCOMPARE(layout.count(), 0);
        QCOMPARE(reset.count(), 0);
    }

    void contents()
    {
        FleetModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.resetTargets(fleet());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(FleetModel::ColumnCount));
        const QModelIndex load = model.indexOf(QStringLiteral("web-2"), FleetModel::LoadColumn);
        QCOMPARE(load.data().toString(), QStringLiteral("0.40"));
        QCOMPARE(load.data(FleetModel::SortRole).toDouble(), 0.4);
        QCOMPARE(model.indexOf(QStringLiteral("web-2"), FleetModel::LatencyColumn).data().toString(),
            QStringLiteral("120 ms"));
        QCOMPARE(model.indexOf(QStringLiteral("web-2"), FleetModel::ErrorRateColumn).data().toString(),
            QStringLiteral("0.2 %"));
        QCOMPARE(
            model.indexOf(QStringLiteral("web-2"), FleetModel::LastCheckColumn).data(FleetModel::SortRole).toLongLong(),
            t0());
        QCOMPARE(load.data(FleetModel::StateRole).toInt(), int(TargetState::Up));
        QCOMPARE(load.data(FleetModel::SeverityRole).toInt(), int(Severity::Ok));
        QCOMPARE(load.data(FleetModel::IsGroupRole).toBool(), false);
        QCOMPARE(model.headerData(FleetModel::StateColumn, Qt::Horizontal).toString(), QStringLiteral("State"));
        QVERIFY(model.roleNames().contains(FleetModel::SeverityRole));
        // A target without a value shows nothing and sorts as null, not as zero.
        TargetStatus bare = status(QStringLiteral("cache-1"), QStringLiteral("cache"));
        bare.values.clear();
        model.updateTarget(bare);
        QVERIFY(model.indexOf(QStringLiteral("cache-1"), FleetModel::LoadColumn).data().isNull());
        QVERIFY(model.indexOf(QStringLiteral("cache-1"), FleetModel::LoadColumn).data(FleetModel::SortRole).isNull());
    }

    // Targets in maintenance read "maintenance" with the window's note; only their rows change.
    void maintenanceShownOnTargets()
    {
        FleetModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.resetTargets(fleet());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const QString note = QStringLiteral("in a maintenance window until 14:30 (kernel upgrade)");
        model.setMaintenance({ { QStringLiteral("web-2"), note } });
        const QModelIndex state = model.indexOf(QStringLiteral("web-2"), FleetModel::StateColumn);
        QCOMPARE(state.data().toString(), QStringLiteral("maintenance"));
        QVERIFY(state.data(Qt::ToolTipRole).toString().startsWith(note));
        QCOMPARE(state.data(FleetModel::MaintenanceRole).toString(), note);
        QCOMPARE(state.data(FleetModel::StateRole).toInt(), int(TargetState::Up));
        QVERIFY(model.indexOf(QStringLiteral("web-1"), FleetModel::StateColumn).data().toString()
            != QStringLiteral("maintenance"));
        QCOMPARE(changed.count(), 2);
        for (const auto& call : changed)
            QCOMPARE(call.at(0).toModelIndex().row(), state.row());
        changed.clear();
        model.setMaintenance({ { QStringLiteral("web-2"), note } });
        QCOMPARE(changed.count(), 0);
        model.setMaintenance({});
        QCOMPARE(changed.count(), 2);
        QVERIFY(state.data().toString() != QStringLiteral("maintenance"));
        QVERIFY(state.data(FleetModel::MaintenanceRole).toString().isEmpty());
    }

    void groupRows()
    {
        FleetModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setGrouped(true);
        model.resetTargets(fleet());
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex web = model.groupIndex(QStringLiteral("web"));
        QCOMPARE(web.data().toString(), QStringLiteral("web"));
        QCOMPARE(web.data(FleetModel::IsGroupRole).toBool(), true);
        QCOMPARE(model.rowCount(web), 2);
        QCOMPARE(model.indexOf(QStringLiteral("web-2")).parent(), web);
        TargetStatus s = fleet()[1];
        s.state = TargetState::Soft;
        model.updateTarget(s);
        QCOMPARE(web.data(FleetModel::StateRole).toInt(), int(TargetState::Soft));
        QCOMPARE(model.index(web.row(), FleetModel::StateColumn).data().toString(), QStringLiteral("SOFT"));
    }

    // Joining and leaving are row inserts and removals; moving group is a remove plus an insert.
    void joinAndLeave_data()
    {
        QTest::addColumn<bool>("grouped");
        QTest::addRow("flat") << false;
        QTest::addRow("grouped") << true;
    }
    void joinAndLeave()
    {
        QFETCH(bool, grouped);
        FleetModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setGrouped(grouped);
        model.resetTargets(fleet());
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.updateTarget(status(QStringLiteral("cache-1"), QStringLiteral("cache")));
        QCOMPARE(inserted.count(), grouped ? 2 : 1); // a new group row, then the target
        QVERIFY(model.indexOf(QStringLiteral("cache-1")).isValid());
        model.removeTarget(QStringLiteral("cache-1"));
        QCOMPARE(removed.count(), 1); // grouped: the now empty group row goes, its child with it
        QVERIFY(!model.indexOf(QStringLiteral("cache-1")).isValid());
        model.removeTarget(QStringLiteral("web-1"));
        QCOMPARE(removed.count(), 2);
        QCOMPARE(reset.count(), 0);
        TargetStatus moved = fleet()[1];
        moved.group = QStringLiteral("db");
        model.updateTarget(moved);
        QCOMPARE(reset.count(), 0);
        if (grouped)
            QCOMPARE(model.indexOf(QStringLiteral("web-2")).parent(), model.groupIndex(QStringLiteral("db")));
        QCOMPARE(
            model.indexOf(QStringLiteral("web-2"), FleetModel::GroupColumn).data().toString(), QStringLiteral("db"));
    }

    // The group row says how many members it has and how the worst of them is doing; a member joining or leaving
    // changes both, and the views hear of it.
    void groupRowFollowsMembersJoiningAndLeaving()
    {
        FleetModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setGrouped(true);
        model.resetTargets(fleet());
        const QModelIndex web = model.groupIndex(QStringLiteral("web"));
        const QModelIndex count = model.groupIndex(QStringLiteral("web"), FleetModel::GroupColumn);
        QCOMPARE(count.data().toString(), QStringLiteral("2 target(s)"));
        QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);

        TargetStatus down = status(QStringLiteral("web-3"), QStringLiteral("web"));
        down.state = TargetState::Hard;
        down.cause = CauseClass::Down;
        down.rootCause = true;
        model.updateTarget(down);
        QCOMPARE(count.data().toString(), QStringLiteral("3 target(s)"));
        QCOMPARE(web.data(FleetModel::StateRole).toInt(), int(TargetState::Hard));
        QCOMPARE(web.data(FleetModel::SeverityRole).toInt(), int(Severity::Critical));
        QVERIFY(web.data(FleetModel::RootCauseRole).toBool());
        QCOMPARE(
            model.groupIndex(QStringLiteral("web"), FleetModel::StateColumn).data().toString(), QStringLiteral("HARD"));
        QStringList seen = changes(spy);
        QVERIFY2(seen.contains(QStringLiteral("web:1-1:") + roles({ Qt::DisplayRole })), qPrintable(seen.join(u' ')));
        QVERIFY2(seen.contains(QStringLiteral("web:0-6:")
                     + roles({ FleetModel::StateRole, FleetModel::SeverityRole, FleetModel::RootCauseRole })),
            qPrintable(seen.join(u' ')));
        QVERIFY(seen.contains(QStringLiteral("web:2-2:") + roles({ Qt::DisplayRole, FleetModel::SortRole })));

        // The failing member leaves: the group is healthy again and one smaller.
        spy.clear();
        model.removeTarget(QStringLiteral("web-3"));
        QCOMPARE(count.data().toString(), QStringLiteral("2 target(s)"));
        QCOMPARE(web.data(FleetModel::StateRole).toInt(), int(TargetState::Up));
        QVERIFY(!web.data(FleetModel::RootCauseRole).toBool());
        seen = changes(spy);
        QVERIFY2(seen.contains(QStringLiteral("web:1-1:") + roles({ Qt::DisplayRole })), qPrintable(seen.join(u' ')));
        QVERIFY(seen.contains(QStringLiteral("web:2-2:") + roles({ Qt::DisplayRole, FleetModel::SortRole })));

        // A member moving to another group changes both groups' counts.
        TargetStatus moved = fleet()[1];
        moved.group = QStringLiteral("db");
        model.updateTarget(moved);
        QCOMPARE(count.data().toString(), QStringLiteral("1 target(s)"));
        QCOMPARE(model.groupIndex(QStringLiteral("db"), FleetModel::GroupColumn).data().toString(),
            QStringLiteral("2 target(s)"));
    }

    // The status bar counts targets that answer as up: an overloaded server is degraded, not down.
    void countsTargetsThatAnswerAsUp_data()
    {
        QTest::addColumn<int>("stateValue");
        QTest::addColumn<int>("cause");
        QTest::addColumn<bool>("up");
        QTest::addRow("up") << int(TargetState::Up) << -1 << true;
        QTest::addRow("overloaded") << int(TargetState::Hard) << int(CauseClass::Overload) << true;
        QTest::addRow("slow") << int(TargetState::Hard) << int(CauseClass::Latency) << true;
        QTest::addRow("under attack") << int(TargetState::Hard) << int(CauseClass::Attack) << true;
        QTest::addRow("cut off from a dependency") << int(TargetState::Hard) << int(CauseClass::Network) << true;
        QTest::addRow("refusing connections") << int(TargetState::Hard) << int(CauseClass::Down) << false;
        QTest::addRow("not answering") << int(TargetState::Hard) << int(CauseClass::Unreachable) << false;
        QTest::addRow("health check says no") << int(TargetState::Hard) << int(CauseClass::Unhealthy) << false;
        QTest::addRow("behind a failed dependency") << int(TargetState::Unreachable) << int(CauseClass::Down) << false;
        QTest::addRow("not checked yet") << int(TargetState::Unknown) << -1 << false;
    }
    void countsTargetsThatAnswerAsUp()
    {
        QFETCH(int, stateValue);
        const auto state = TargetState(stateValue);
        QFETCH(int, cause);
        QFETCH(bool, up);
        FleetModel model;
        model.resetTargets(fleet());
        QCOMPARE(model.counts().total, 3);
        QCOMPARE(model.counts().up, 3);
        TargetStatus s = fleet()[1];
        s.state = state;
        if (cause >= 0)
            s.cause = CauseClass(cause);
        model.updateTarget(s);
        QCOMPARE(FleetModel::answers(s), up);
        QCOMPARE(model.counts().total, 3);
        QCOMPARE(model.counts().up, up ? 3 : 2);
        QCOMPARE(model.counts().degraded, up && state != TargetState::Up ? 1 : 0);
        QCOMPARE(model.worstSeverity(), s.severity());
        model.removeTarget(s.name);
        QCOMPARE(model.counts().total, 2);
        QCOMPARE(model.counts().up, 2);
        QCOMPARE(model.worstSeverity(), Severity::Ok);
    }

    // Lookups stay correct after rows before them leave (the name → row index is kept in step).
    void findsTargetsAfterRemovals()
    {
        FleetModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<TargetStatus> many;
        for (int i = 0; i < 50; ++i)
            many << status(QStringLiteral("t-%1").arg(i), QStringLiteral("g%1").arg(i % 3));
        for (bool grouped : { false, true }) {
            model.setGrouped(grouped);
            model.resetTargets(many);
            for (int i = 0; i < 50; i += 7)
                model.removeTarget(QStringLiteral("t-%1").arg(i));
            for (int i = 0; i < 50; ++i) {
                const QModelIndex index = model.indexOf(QStringLiteral("t-%1").arg(i));
                QCOMPARE(index.isValid(), i % 7 != 0);
                if (index.isValid())
                    QCOMPARE(index.data(FleetModel::TargetNameRole).toString(), QStringLiteral("t-%1").arg(i));
            }
        }
    }

    // A detector tick's many changed rows reach the views as one dataChanged per group for the row-wide roles and one
    // per group and changed column, covering every cell that changed with its roles; a column whose values did not
    // change is in no range (a sort on it is left alone); a single changed row keeps its exact cells.
    void batchIsOneRangePerGroupAndColumn_data()
    {
        QTest::addColumn<bool>("grouped");
        QTest::addRow("flat") << false;
        QTest::addRow("grouped") << true;
    }
    void batchIsOneRangePerGroupAndColumn()
    {
        QFETCH(bool, grouped);
        FleetModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setGrouped(grouped);
        QList<TargetStatus> all;
        for (int i = 0; i < 1000; ++i)
            all << status(QStringLiteral("web-%1").arg(i), i < 600 ? QStringLiteral("web") : QStringLiteral("api"));
        model.resetTargets(all);
        QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        // Every third target has a new sample; web-10 also fails; cache-1 joins in the same tick.
        QList<TargetStatus> batch;
        for (int i = 0; i < 1000; i += 3) {
            TargetStatus s = all[i];
            s.lastCheckMs += 1000;
            s.values[QStringLiteral("load")] = 0.5;
            if (i == 12) {
                s.state = TargetState::Hard;
                s.cause = CauseClass::Down;
            }
            batch << s;
        }
        batch << status(QStringLiteral("cache-1"), QStringLiteral("cache"));
        model.updateTargets(batch);

        QCOMPARE(inserted.count(), grouped ? 2 : 1); // cache's group row, then cache-1
        // Flat: the row-wide roles and the state cell of web-12 (the only row with any), the load and check-time cells
        // of all. Grouped: web the same, api its load and check times; then web's group row, whose worst state changed.
        int targetRanges = 0;
        for (const auto& args : spy) {
            const QModelIndex tl = args.at(0).toModelIndex();
            if (!tl.data(FleetModel::IsGroupRole).toBool())
                ++targetRanges;
        }
        QCOMPARE(targetRanges, grouped ? 6 : 4);
        // Every changed cell is covered, with its roles.
        const auto covered = [&spy](const QModelIndex& cell, int role) {
            for (const auto& args : spy) {
                const QModelIndex tl = args.at(0).toModelIndex();
                const QModelIndex br = args.at(1).toModelIndex();
                if (tl.parent() == cell.parent() && tl.row() <= cell.row() && cell.row() <= br.row()
                    && tl.column() <= cell.column() && cell.column() <= br.column()
                    && args.at(2).value<QList<int>>().contains(role))
                    return true;
            }
            return false;
        };
        for (int i = 0; i < 1000; i += 3) {
            const QString name = QStringLiteral("web-%1").arg(i);
            QVERIFY2(covered(model.indexOf(name, FleetModel::LoadColumn), FleetModel::SortRole), qPrintable(name));
            QVERIFY2(covered(model.indexOf(name, FleetModel::LastCheckColumn), Qt::DisplayRole), qPrintable(name));
            QCOMPARE(model.indexOf(name, FleetModel::LoadColumn).data().toString(), QStringLiteral("0.50"));
        }
        QVERIFY(covered(model.indexOf(QStringLiteral("web-12"), FleetModel::NameColumn), FleetModel::StateRole));
        QVERIFY(covered(model.indexOf(QStringLiteral("web-12"), FleetModel::StateColumn), Qt::DisplayRole));
        QCOMPARE(
            model.indexOf(QStringLiteral("web-12"), FleetModel::StateColumn).data().toString(), QStringLiteral("HARD"));
        if (grouped) {
            QVERIFY(covered(model.groupIndex(QStringLiteral("web")), FleetModel::StateRole));
            QCOMPARE(model.groupIndex(QStringLiteral("web"), FleetModel::StateColumn).data().toString(),
                QStringLiteral("HARD"));
        }
        // The name and group columns never change in place, latency and error rate did not change in this tick: no
        // sort on them is disturbed. The state column's range is web-12 alone.
        for (const auto& args : spy) {
            const QModelIndex tl = args.at(0).toModelIndex();
            const QModelIndex br = args.at(1).toModelIndex();
            if (args.at(2).value<QList<int>>().contains(FleetModel::SortRole)) {
                QVERIFY(tl.column() >= FleetModel::StateColumn);
                QVERIFY(br.column() < FleetModel::LatencyColumn || tl.column() > FleetModel::ErrorRateColumn);
            }
            if (!tl.data(FleetModel::IsGroupRole).toBool() && tl.column() == FleetModel::StateColumn)
                QCOMPARE(tl.row(), br.row());
        }
        QCOMPARE(model.counts().total, 1001);
        QCOMPARE(model.counts().up, 1000);
    }

    // A tick in which nothing of a target changed (same samples, same state) says nothing to the views.
    void unchangedBatchEmitsNothing_data()
    {
        QTest::addColumn<bool>("grouped");
        QTest::addRow("flat") << false;
        QTest::addRow("grouped") << true;
    }
    void unchangedBatchEmitsNothing()
    {
        QFETCH(bool, grouped);
        FleetModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setGrouped(grouped);
        QList<TargetStatus> all;
        for (int i = 0; i < 300; ++i)
            all << status(QStringLiteral("web-%1").arg(i), i % 2 ? QStringLiteral("web") : QStringLiteral("api"));
        model.resetTargets(all);
        QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
        model.updateTargets(all);
        QCOMPARE(changes(spy), QStringList());
        QCOMPARE(layout.count(), 0);

        // One of them changes: its one cell, nothing else.
        all[7].values[QStringLiteral("p95_latency")] = 0.25;
        model.updateTargets(all);
        const QString at = grouped ? QStringLiteral("web/web-7") : QStringLiteral("web-7");
        QCOMPARE(changes(spy), QStringList { at + u":4-4:" + roles({ Qt::DisplayRole, FleetModel::SortRole }) });
        QCOMPARE(model.indexOf(QStringLiteral("web-7"), FleetModel::LatencyColumn).data().toString(),
            QStringLiteral("250 ms"));
    }

    // Following a Detector: a reload resets; an observation changes its cells; a new target is a row insert.
    void followsDetector()
    {
        Detector detector;
        FleetModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDetector(&detector);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        TargetPolicy p;
        p.name = QStringLiteral("web-1");
        p.group = QStringLiteral("web");
        TargetPolicy q = p;
        q.name = QStringLiteral("web-2");
        detector.setTargets({ p, q });
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 2);

        QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
        Observation o;
        o.target = QStringLiteral("web-2");
        o.timeMs = t0();
        o.values = { { QStringLiteral("load"), 0.5 } };
        detector.observe(o);
        detector.tick(t0() + 10);
        const QStringList seen = changes(spy);
        QVERIFY2(seen.contains(QStringLiteral("web-2:3-3:") + roles({ Qt::DisplayRole, FleetModel::SortRole })),
            qPrintable(seen.join(u' ')));
        QVERIFY(seen.contains(QStringLiteral("web-2:6-6:") + roles({ Qt::DisplayRole, FleetModel::SortRole })));
        for (const QString& c : seen)
            QVERIFY2(c.startsWith(QStringLiteral("web-2:")), qPrintable(c));
        QCOMPARE(
            model.indexOf(QStringLiteral("web-2"), FleetModel::StateColumn).data().toString(), QStringLiteral("UP"));

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        TargetPolicy r = p;
        r.name = QStringLiteral("web-3");
        detector.addTarget(r);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(reset.count(), 1);
        detector.removeTarget(QStringLiteral("web-1"));
        QCOMPARE(model.rowCount(), 2);
    }
};

QTEST_GUILESS_MAIN(TestFleetModel)
#include "tst_fleetmodel.moc"
