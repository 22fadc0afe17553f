// The fleet table's view at fleet scale: a tick's range of thousands of rows repaints the rows on screen and nothing
// for a range that is all off screen; rows scrolled in show the new values.

#include "model/fleetmodel.h"
#include "ui/fleetproxymodel.h"
#include "ui/fleetview.h"

#include <QAbstractItemModelTester>
#include <QPaintEvent>
#include <QTest>

using namespace FaultDesk;

namespace {

/// The region of every paint of a widget since the last clear().
class PaintRecorder : public QObject
{
public:
    explicit PaintRecorder(QWidget* widget) { widget->installEventFilter(this); }
    QRegion painted;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Paint)
            painted += static_cast<QPaintEvent*>(event)->region();
        return QObject::eventFilter(watched, event);
    }
};

TargetStatus target(int i, bool grouped)
{
    TargetStatus t;
    t.name = QStringLiteral("t-%1").arg(i, 4, 10, QLatin1Char('0'));
    t.group = grouped && i % 2 ? QStringLiteral("b") : QStringLiteral("a");
    t.state = TargetState::Up;
    t.lastCheckMs = 1700000000000;
    t.values.insert(QStringLiteral("load"), 0.25);
    return t;
}

} // namespace

class TestFleetView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void repaintsOnlyWhatIsOnScreen_data()
    {
        QTest::addColumn<bool>("grouped");
        QTest::addRow("flat") << false;
        QTest::addRow("grouped") << true;
    }
    void repaintsOnlyWhatIsOnScreen()
    {
        QFETCH(bool, grouped);
        constexpr int Count = 2000;
        FleetModel model;
        model.setGrouped(grouped);
        QList<TargetStatus> all;
        for (int i = 0; i < Count; ++i)
            all << target(i, grouped);
        model.resetTargets(all);
        FleetProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FleetView view;
        view.setUniformRowHeights(true);
        view.setModel(&proxy);
        view.setSortingEnabled(true);
        view.sortByColumn(FleetModel::NameColumn, Qt::AscendingOrder);
        view.expandAll();
        view.resize(700, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        PaintRecorder paints(view.viewport());
        QCoreApplication::processEvents();

        // Off screen: flat, the second half of the table; grouped, every member of group b (below a's 1,000 rows).
        const auto offScreen = [grouped](int i) { return grouped ? i % 2 == 1 : i >= Count / 2; };
        paints.painted = {};
        for (int i = 0; i < Count; ++i) {
            if (offScreen(i))
                all[i].values[QStringLiteral("load")] = 0.5;
        }
        model.updateTargets(all);
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        QVERIFY2(paints.painted.isEmpty(), "a range all off screen repaints nothing");

        // Every row: the rows on screen are repainted, the first and the last of them included.
        for (TargetStatus& t : all)
            t.values[QStringLiteral("load")] = 0.75;
        model.updateTargets(all);
        QModelIndex top = view.indexAt(QPoint(1, 1));
        if (top.data(FleetModel::IsGroupRole).toBool())
            top = view.indexBelow(top); // the group row has no load of its own
        top = top.siblingAtColumn(FleetModel::LoadColumn);
        const QModelIndex bottom
            = view.indexAt(QPoint(1, view.viewport()->height() - 2)).siblingAtColumn(FleetModel::LoadColumn);
        QVERIFY(top.isValid() && bottom.isValid());
        QTRY_VERIFY(paints.painted.contains(view.visualRect(top).center()));
        QVERIFY(paints.painted.contains(view.visualRect(bottom).center()));
        QCOMPARE(bottom.data().toString(), QStringLiteral("0.75"));

        // Scrolled to the end, the rows that were off screen show their new values.
        view.scrollToBottom();
        const QModelIndex lastParent = grouped ? proxy.index(proxy.rowCount() - 1, 0) : QModelIndex();
        const QModelIndex last = proxy.index(proxy.rowCount(lastParent) - 1, FleetModel::LoadColumn, lastParent);
        QVERIFY(view.viewport()->rect().contains(view.visualRect(last).center()));
        QCOMPARE(last.data(FleetModel::TargetNameRole).toString(), QStringLiteral("t-1999"));
        QCOMPARE(last.data().toString(), QStringLiteral("0.75"));
    }
};

QTEST_MAIN(TestFleetView)
#include "tst_fleetview.moc"
