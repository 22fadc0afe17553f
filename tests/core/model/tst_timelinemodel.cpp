#include "model/timelinemodel.h"

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

DetectionEvent change(TargetState from, TargetState to, qint64 at)
{
    DetectionEvent e;
    e.kind = DetectionEvent::Kind::StateChanged;
    e.timeMs = at;
    e.target = QStringLiteral("api-1");
    e.from = from;
    e.to = to;
    e.reason = QStringLiteral("check failed (latency), attempt 1 of 2");
    return e;
}

} // namespace

class TestTimelineModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The newest event is on top, in words: when, what, where and the rest of the event's line.
    void newestFirst()
    {
        TimelineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.addEvent(change(TargetState::Up, TargetState::Soft, t0()));
        DetectionEvent located;
        located.kind = DetectionEvent::Kind::FaultLocated;
        located.timeMs = t0() + 1500;
        located.target = QStringLiteral("db-primary");
        located.faultId = QStringLiteral("F1");
        located.incidentId = QStringLiteral("I1");
        located.rootCause = true;
        located.root = QStringLiteral("db-primary");
        located.cause = CauseClass::DataIntegrity;
        model.addEvent(located);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(1).at(1).toInt(), 0); // inserted at the top
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex top = model.index(0, TimelineModel::EventColumn);
        QCOMPARE(top.data().toString(), QStringLiteral("fault-located"));
        QCOMPARE(model.index(0, TimelineModel::TargetColumn).data().toString(), QStringLiteral("db-primary"));
        QCOMPARE(top.data(TimelineModel::SeverityRole).toInt(), int(Severity::Critical));
        QCOMPARE(top.data(TimelineModel::IncidentIdRole).toString(), QStringLiteral("I1"));
        QCOMPARE(top.data(TimelineModel::TimeRole).toLongLong(), t0() + 1500);
        QCOMPARE(model.index(0, TimelineModel::TimeColumn).data().toString(),
            QDateTime::fromMSecsSinceEpoch(t0() + 1500).toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")));
        const QString details = model.index(0, TimelineModel::DetailsColumn).data().toString();
        QVERIFY2(!details.startsWith(QStringLiteral("db-primary ")), qPrintable(details));
        QVERIFY(model.index(0, TimelineModel::DetailsColumn).data(Qt::ToolTipRole).toString().contains(details));
        QVERIFY(model.index(1, 0).data(TimelineModel::UnconfirmedRole).toBool());
        QVERIFY(!model.index(1, 0).data(TimelineModel::SeverityRole).isValid());
        QCOMPARE(model.headerData(TimelineModel::DetailsColumn, Qt::Horizontal).toString(), QStringLiteral("Details"));
    }

    // A check the next one took back is unconfirmed; a check confirming the failure is not.
    void unconfirmedChecks_data()
    {
        QTest::addColumn<int>("from");
        QTest::addColumn<int>("to");
        QTest::addColumn<bool>("unconfirmed");
        QTest::addRow("UP to SOFT") << int(TargetState::Up) << int(TargetState::Soft) << true;
        QTest::addRow("SOFT back to UP") << int(TargetState::Soft) << int(TargetState::Up) << true;
        QTest::addRow("SOFT to HARD") << int(TargetState::Soft) << int(TargetState::Hard) << false;
        QTest::addRow("HARD to UP") << int(TargetState::Hard) << int(TargetState::Up) << false;
    }
    void unconfirmedChecks()
    {
        QFETCH(int, from);
        QFETCH(int, to);
        QFETCH(bool, unconfirmed);
        QCOMPARE(TimelineModel::isUnconfirmed(change(TargetState(from), TargetState(to), t0())), unconfirmed);
    }

    // The timeline keeps the newest rows: the oldest leave as row removals, never a reset.
    void capped()
    {
        TimelineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setMaximumRows(3);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        for (int i = 0; i < 5; ++i)
            model.addEvent(change(TargetState::Up, TargetState::Soft, t0() + i * 1000));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(removed.count(), 2);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.index(0, 0).data(TimelineModel::TimeRole).toLongLong(), t0() + 4000);
        QCOMPARE(model.index(2, 0).data(TimelineModel::TimeRole).toLongLong(), t0() + 2000);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestTimelineModel)
#include "tst_timelinemodel.moc"
