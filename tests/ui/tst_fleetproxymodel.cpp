// The fleet view's and fault panel's proxy models: filtering, grouping, looks, and model consistency.

#include "model/faultmodel.h"
#include "model/fleetmodel.h"
#include "ui/faultproxymodel.h"
#include "ui/fleetproxymodel.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QIcon>
#include <QSignalSpy>
#include <QTest>

using namespace FaultDesk;

namespace {

TargetStatus target(const QString& name, const QString& group, TargetState state, double load)
{
    TargetStatus t;
    t.name = name;
    t.group = group;
    t.state = state;
    t.values.insert(QStringLiteral("load"), load);
    t.lastCheckMs = 1700000000000;
    return t;
}

QList<TargetStatus> fleet()
{
    QList<TargetStatus> list {
        target(QStringLiteral("web-1"), QStringLiteral("web"), TargetState::Up, 0.4),
        target(QStringLiteral("web-2"), QStringLiteral("web"), TargetState::Hard, 0.0),
        target(QStringLiteral("web-3"), QStringLiteral("web"), TargetState::Up, 0.9),
        target(QStringLiteral("api-1"), QStringLiteral("api"), TargetState::Soft, 0.2),
        target(QStringLiteral("db-1"), QStringLiteral("db"), TargetState::Unreachable, 0.1),
    };
    list[1].rootCause = true;
    list[1].cause = CauseClass::Down;
    list[1].faultId = QStringLiteral("f-1");
    return list;
}

QStringList visibleTargets(const QAbstractItemModel& model, const QModelIndex& parent = {})
{
    QStringList names;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex i = model.index(row, FleetModel::NameColumn, parent);
        if (i.data(FleetModel::IsGroupRole).toBool())
            names += visibleTargets(model, i);
        else
            names << i.data(FleetModel::TargetNameRole).toString();
    }
    names.sort();
    return names;
}

} // namespace

class TestFleetProxyModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void filters_data()
    {
        QTest::addColumn<bool>("grouped");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("group");
        QTest::addColumn<QStringList>("expected");
        for (const bool grouped : { false, true }) {
            const char* mode = grouped ? "grouped" : "flat";
            QTest::addRow("%s: everything", mode)
                << grouped << QString() << QString()
                << QStringList { QStringLiteral("api-1"), QStringLiteral("db-1"), QStringLiteral("web-1"),
                       QStringLiteral("web-2"), QStringLiteral("web-3") };
            QTest::addRow("%s: name text", mode)
                << grouped << QStringLiteral("WEB-2") << QString() << QStringList { QStringLiteral("web-2") };
            QTest::addRow("%s: group text", mode)
                << grouped << QStringLiteral("api") << QString() << QStringList { QStringLiteral("api-1") };
            QTest::addRow("%s: label text", mode)
                << grouped << QStringLiteral("rack=b") << QString() << QStringList { QStringLiteral("db-1") };
            QTest::addRow("%s: group filter", mode)
                << grouped << QString() << QStringLiteral("web")
                << QStringList { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("web-3") };
            QTest::addRow("%s: both", mode)
                << grouped << QStringLiteral("3") << QStringLiteral("web") << QStringList { QStringLiteral("web-3") };
            QTest::addRow("%s: nothing", mode) << grouped << QStringLiteral("nomatch") << QString() << QStringList {};
        }
    }

    void filters()
    {
        QFETCH(bool, grouped);
        QFETCH(QString, text);
        QFETCH(QString, group);
        QFETCH(QStringList, expected);
        FleetModel model;
        model.setGrouped(grouped);
        model.resetTargets(fleet());
        FleetProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setTargetLabels({ { QStringLiteral("db-1"), { QStringLiteral("rack=b") } },
            { QStringLiteral("web-1"), { QStringLiteral("rack=a") } } });
        proxy.setFilterText(text);
        proxy.setGroupFilter(group);
        QCOMPARE(visibleTargets(proxy), expected);
        // Updates keep flowing through the filter.
        TargetStatus changed = fleet().at(0);
        changed.state = TargetState::Soft;
        model.updateTarget(changed);
        QCOMPARE(visibleTargets(proxy), expected);
        proxy.setFilterText({});
        proxy.setGroupFilter({});
        QCOMPARE(visibleTargets(proxy).size(), 5);
    }

    void statesHaveIconColourAndWords()
    {
        FleetModel model;
        model.resetTargets(fleet());
        FleetProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSet<qint64> icons;
        for (const QString& name :
            { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("api-1"), QStringLiteral("db-1") }) {
            const QModelIndex state = proxy.mapFromSource(model.indexOf(name, FleetModel::StateColumn));
            const QIcon icon = state.data(Qt::DecorationRole).value<QIcon>();
            QVERIFY2(!icon.isNull(), qPrintable(name));
            icons.insert(icon.cacheKey());
            QVERIFY(!state.data(Qt::DisplayRole).toString().isEmpty());
        }
        QCOMPARE(icons.size(), 4); // up, hard, soft, unreachable: four different shapes
        const QModelIndex root = proxy.mapFromSource(model.indexOf(QStringLiteral("web-2"), FleetModel::StateColumn));
        QVERIFY(root.data(Qt::DisplayRole).toString().contains(QStringLiteral("root cause")));
        QVERIFY(root.data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(root.data(Qt::BackgroundRole).isValid());
        // A target that does not answer shows its last values as such.
        const QModelIndex staleLoad
            = proxy.mapFromSource(model.indexOf(QStringLiteral("web-2"), FleetModel::LoadColumn));
        QCOMPARE(staleLoad.data().toString(), QStringLiteral("(0.00)"));
        QCOMPARE(proxy.mapFromSource(model.indexOf(QStringLiteral("web-1"), FleetModel::LoadColumn)).data().toString(),
            QStringLiteral("0.40"));
        const QModelIndex up = proxy.mapFromSource(model.indexOf(QStringLiteral("web-1"), FleetModel::StateColumn));
        QVERIFY(!up.data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!up.data(Qt::BackgroundRole).isValid());
    }

    void sortsByRawValues()
    {
        FleetModel model;
        model.resetTargets(fleet());
        FleetProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(FleetModel::LoadColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, FleetModel::NameColumn).data(FleetModel::TargetNameRole).toString(),
            QStringLiteral("web-3"));
        QCOMPARE(proxy.index(4, FleetModel::NameColumn).data(FleetModel::TargetNameRole).toString(),
            QStringLiteral("web-2"));
    }

    void faultsRootProminentSymptomsMuted()
    {
        Fault root;
        root.id = QStringLiteral("f-root");
        root.incidentId = QStringLiteral("i-1");
        root.target = QStringLiteral("db-1");
        root.cause = CauseClass::Down;
        root.phase = Fault::Phase::Located;
        root.rootCause = true;
        root.symptoms = { QStringLiteral("api-1") };
        root.evidence = QStringLiteral("connection refused");
        root.detectedMs = 1700000000000;
        Fault symptom = root;
        symptom.id = QStringLiteral("f-sym");
        symptom.target = QStringLiteral("api-1");
        symptom.rootCause = false;
        symptom.rootFaultId = root.id;
        symptom.rootTarget = root.target;
        symptom.symptoms.clear();

        FaultModel model;
        FaultProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.resetFaults({ root, symptom });
        proxy.setAppearance(false, QColor(0x80, 0x80, 0x80));

        const QModelIndex rootIndex = proxy.mapFromSource(model.indexOf(root.id));
        const QModelIndex symptomIndex = proxy.mapFromSource(model.indexOf(symptom.id));
        QVERIFY(rootIndex.isValid() && symptomIndex.isValid());
        QCOMPARE(symptomIndex.parent(), rootIndex);
        QVERIFY(rootIndex.data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(rootIndex.data(Qt::DisplayRole).toString().contains(QStringLiteral("root cause")));
        QVERIFY(symptomIndex.data(Qt::FontRole).value<QFont>().italic());
        QCOMPARE(symptomIndex.data(Qt::ForegroundRole).value<QColor>(), QColor(0x80, 0x80, 0x80));
        QVERIFY(rootIndex.data(Qt::DecorationRole).value<QIcon>().cacheKey()
            != symptomIndex.data(Qt::DecorationRole).value<QIcon>().cacheKey());

        QCOMPARE(symptomIndex.data(Qt::DisplayRole).toString(), QStringLiteral("api-1 · symptom"));

        // The root cause recovers first: the incident stays prominent while its symptom is open, and says so.
        root.phase = Fault::Phase::Recovered;
        model.updateFault(root);
        const QModelIndex recovered = proxy.mapFromSource(model.indexOf(root.id));
        QVERIFY(recovered.data(Qt::FontRole).value<QFont>().bold());
        // Nothing remediated it: it cleared on its own (recovered is Recover's word, once it verified).
        QVERIFY2(recovered.data(Qt::DisplayRole).toString().contains(QStringLiteral("cleared on its own")),
            qPrintable(recovered.data(Qt::DisplayRole).toString()));
        symptom.phase = Fault::Phase::Recovered;
        model.updateFault(symptom);
        QVERIFY(!recovered.data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!recovered.data(Qt::BackgroundRole).isValid());
    }

    // One incident, one row that says what it holds; beneath, each fault says its place in words.
    void incidentRowSummarisesItsFaults()
    {
        const auto overload = [](const QString& id, const QString& target, qint64 at, bool rootCause) {
            Fault f;
            f.id = id;
            f.incidentId = QStringLiteral("I4");
            f.target = target;
            f.cause = CauseClass::Overload;
            f.phase = Fault::Phase::Located;
            f.rootCause = rootCause;
            f.rootFaultId = rootCause ? QString() : QStringLiteral("F1");
            f.detectedMs = at;
            return f;
        };
        FaultModel model;
        FaultProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Fault first = overload(QStringLiteral("F1"), QStringLiteral("web-2"), 1700000000000, true);
        first.phase = Fault::Phase::Recovered;
        first.clearedMs = 1700000060000;
        // A pool peer hit by the same surge is a member of the incident, not a symptom of it.
        Fault peer = overload(QStringLiteral("F5"), QStringLiteral("web-3"), 1700000002500, false);
        peer.relation = QStringLiteral("pool");
        // web-4 failing after web-2 recovered is an aftershock of the incident.
        model.resetFaults({ first, overload(QStringLiteral("F2"), QStringLiteral("web-1"), 1700000002000, true), peer,
            overload(QStringLiteral("F3"), QStringLiteral("api-1"), 1700000003000, false),
            overload(QStringLiteral("F4"), QStringLiteral("web-4"), 1700000080000, false) });
        QCOMPARE(proxy.rowCount(), 1);
        const QModelIndex incident = proxy.index(0, FaultModel::TargetColumn);
        QCOMPARE(incident.data().toString(),
            QStringLiteral(
                "web-2 — root cause, cleared on its own (1 member, 1 more root cause, 1 symptom, 1 aftershock)"));
        const auto children = [&] {
            QStringList rows;
            for (int row = 0; row < proxy.rowCount(incident); ++row)
                rows << proxy.index(row, FaultModel::TargetColumn, incident).data().toString();
            return rows;
        };
        QCOMPARE(children(),
            (QStringList { QStringLiteral("web-1 · also a root cause"), QStringLiteral("web-3 · member"),
                QStringLiteral("api-1 · symptom"), QStringLiteral("web-4 · aftershock") }));
        // web-2 failing again is the incident's root cause again: its row, not a second web-2 beneath it.
        model.updateFault(overload(QStringLiteral("F6"), QStringLiteral("web-2"), 1700000090000, true));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(incident.data().toString(),
            QStringLiteral("web-2 — root cause, fired 2 times (1 member, 1 more root cause, 1 symptom, 1 aftershock)"));
        QCOMPARE(children(),
            (QStringList { QStringLiteral("web-1 · also a root cause"), QStringLiteral("web-3 · member"),
                QStringLiteral("api-1 · symptom"), QStringLiteral("web-4 · aftershock") }));
        // A symptom flapping: one row, counted; the state's tooltip lists the firings (the source model's text).
        Fault api = overload(QStringLiteral("F3"), QStringLiteral("api-1"), 1700000003000, false);
        api.phase = Fault::Phase::Recovered;
        api.clearedMs = 1700000030000;
        model.updateFault(api);
        model.updateFault(overload(QStringLiteral("F7"), QStringLiteral("api-1"), 1700000040000, false));
        QCOMPARE(proxy.rowCount(incident), 4);
        const QModelIndex apiRow = proxy.index(2, FaultModel::TargetColumn, incident);
        QCOMPARE(apiRow.data().toString(), QStringLiteral("api-1 · symptom · fired 2 times"));
        QVERIFY(apiRow.siblingAtColumn(FaultModel::StateColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .startsWith(QStringLiteral("Fired 2 times in this incident:\n")));
        // A member is shown like the root (it is hit by the event), not muted like a symptom.
        const QModelIndex member = proxy.index(1, FaultModel::TargetColumn, incident);
        QVERIFY(!member.data(Qt::FontRole).value<QFont>().italic());
    }

    // A surge over the pool is the pool's fault: the incident row names the pool, then where the surge began.
    void poolWideIncidentRowNamesThePool()
    {
        Fault root;
        root.id = QStringLiteral("F1");
        root.incidentId = QStringLiteral("I7");
        root.target = QStringLiteral("web-2");
        root.cause = CauseClass::Overload;
        root.phase = Fault::Phase::Located;
        root.rootCause = true;
        root.pool = QStringLiteral("lb/web");
        root.detectedMs = 1700000000000;
        Fault peer = root;
        peer.id = QStringLiteral("F2");
        peer.target = QStringLiteral("web-3");
        peer.rootCause = false;
        peer.rootFaultId = QStringLiteral("F1");
        peer.relation = QStringLiteral("pool");
        peer.detectedMs = 1700000002000;
        FaultModel model;
        FaultProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.resetFaults({ root, peer });
        const QModelIndex incident = proxy.index(0, FaultModel::TargetColumn);
        QCOMPARE(incident.data().toString(), QStringLiteral("lb/web pool — root cause (web-2 first, 1 member)"));
        QCOMPARE(incident.data(FaultModel::TargetRole).toString(), QStringLiteral("web-2")); // actions still aim here
        QCOMPARE(
            proxy.index(0, FaultModel::TargetColumn, incident).data().toString(), QStringLiteral("web-3 · member"));
    }

    // A tick that changes the sort key re-sorts the rows it moved; one that leaves the sort key alone leaves the order
    // (no layout change); the filter keeps holding for the rows the tick changed.
    void sortFollowsATick_data()
    {
        QTest::addColumn<bool>("grouped");
        QTest::addRow("flat") << false;
        QTest::addRow("grouped") << true;
    }
    void sortFollowsATick()
    {
        QFETCH(bool, grouped);
        FleetModel model;
        model.setGrouped(grouped);
        QList<TargetStatus> all;
        for (int i = 0; i < 300; ++i) {
            all << target(QStringLiteral("t-%1").arg(i, 3, 10, QLatin1Char('0')),
                i % 2 ? QStringLiteral("odd") : QStringLiteral("even"), TargetState::Up, i / 100.0);
            all.last().values.insert(QStringLiteral("p95_latency"), 0.1);
        }
        model.resetTargets(all);
        FleetProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(FleetModel::LoadColumn, Qt::DescendingOrder);
        const auto order = [&proxy] {
            QStringList names;
            const auto collect = [&](const QModelIndex& parent, const auto& self) -> void {
                for (int row = 0; row < proxy.rowCount(parent); ++row) {
                    const QModelIndex i = proxy.index(row, FleetModel::NameColumn, parent);
                    if (i.data(FleetModel::IsGroupRole).toBool())
                        self(i, self);
                    else
                        names << i.data(FleetModel::TargetNameRole).toString();
                }
            };
            collect({}, collect);
            return names;
        };
        QCOMPARE(order().first(), QStringLiteral("t-299"));

        // Every third target's load turns upside down (t-000 the highest), every target has a new check time.
        for (int i = 0; i < 300; ++i) {
            all[i].lastCheckMs += 1000;
            if (i % 3 == 0)
                all[i].values[QStringLiteral("load")] = 10 - i / 100.0;
        }
        model.updateTargets(all);
        // Under each parent, loads never rise from one row to the next; t-000 (load 10) leads its list.
        const auto descending = [&proxy](const QModelIndex& parent) {
            for (int row = 1; row < proxy.rowCount(parent); ++row) {
                if (proxy.index(row - 1, FleetModel::LoadColumn, parent).data(FleetModel::SortRole).toDouble()
                    < proxy.index(row, FleetModel::LoadColumn, parent).data(FleetModel::SortRole).toDouble())
                    return false;
            }
            return true;
        };
        QModelIndex leader;
        if (grouped) {
            QCOMPARE(proxy.rowCount(), 2);
            for (int g = 0; g < 2; ++g) {
                QVERIFY(descending(proxy.index(g, 0)));
                if (proxy.index(g, 0).data().toString() == QStringLiteral("even"))
                    leader = proxy.index(0, FleetModel::NameColumn, proxy.index(g, 0));
            }
        } else {
            QVERIFY(descending({}));
            leader = proxy.index(0, FleetModel::NameColumn);
        }
        QCOMPARE(leader.data(FleetModel::TargetNameRole).toString(), QStringLiteral("t-000"));
        QCOMPARE(leader.siblingAtColumn(FleetModel::LoadColumn).data().toString(), QStringLiteral("10.00"));

        // Sorted by latency, which the next tick does not change: the order stays, no layout change.
        proxy.sort(FleetModel::LatencyColumn, Qt::AscendingOrder);
        const QStringList before = order();
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        for (TargetStatus& t : all) {
            t.lastCheckMs += 1000;
            t.values[QStringLiteral("load")] += 1;
        }
        model.updateTargets(all);
        QCOMPARE(layout.count(), 0);
        QCOMPARE(order(), before);

        // A filter holds across a tick: the rows it changed are still filtered.
        proxy.setFilterText(QStringLiteral("t-29"));
        for (TargetStatus& t : all)
            t.lastCheckMs += 1000;
        model.updateTargets(all);
        QStringList matching = order();
        matching.sort();
        QCOMPARE(matching.size(), 10); // t-290 … t-299
        QCOMPARE(matching.first(), QStringLiteral("t-290"));
    }

    // A change of colours reaches every row, the nested ones too.
    void themeRefreshReachesChildRows()
    {
        FleetModel fleetModel;
        fleetModel.setGrouped(true);
        fleetModel.resetTargets(fleet());
        FleetProxyModel fleetProxy;
        fleetProxy.setSourceModel(&fleetModel);
        QSignalSpy fleetChanged(&fleetProxy, &QAbstractItemModel::dataChanged);
        fleetProxy.setDark(true);
        QSet<QString> parents;
        for (const auto& args : fleetChanged) {
            const QModelIndex first = args.at(0).toModelIndex();
            parents << (first.parent().isValid() ? first.parent().data().toString() : QStringLiteral("(top)"));
            QVERIFY(args.at(2).value<QList<int>>().contains(Qt::DecorationRole));
        }
        QCOMPARE(parents,
            (QSet<QString> {
                QStringLiteral("(top)"), QStringLiteral("web"), QStringLiteral("api"), QStringLiteral("db") }));

        Fault root;
        root.id = QStringLiteral("f-root");
        root.incidentId = QStringLiteral("i-1");
        root.target = QStringLiteral("db-1");
        root.phase = Fault::Phase::Located;
        Fault symptom = root;
        symptom.id = QStringLiteral("f-sym");
        symptom.target = QStringLiteral("api-1");
        symptom.rootCause = false;
        symptom.rootFaultId = root.id;
        FaultModel faultModel;
        faultModel.resetFaults({ root, symptom });
        FaultProxyModel faultProxy;
        faultProxy.setSourceModel(&faultModel);
        QSignalSpy faultChanged(&faultProxy, &QAbstractItemModel::dataChanged);
        faultProxy.setAppearance(true, Qt::gray);
        QCOMPARE(faultChanged.count(), 2); // the incident rows, then the faults beneath the one incident
        QCOMPARE(faultChanged.at(1).at(0).toModelIndex().parent(), faultProxy.index(0, 0));
    }
};

QTEST_MAIN(TestFleetProxyModel)
#include "tst_fleetproxymodel.moc"
