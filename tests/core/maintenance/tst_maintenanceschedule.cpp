// MaintenanceSchedule on an injected clock: who is in maintenance when, by which window and until when.

#include "maintenance/maintenanceschedule.h"

#include <QTest>

using namespace FaultDesk;

namespace {

const QDateTime t0 = QDateTime(QDate(2026, 11, 27), QTime(14, 0), Qt::UTC);

QDateTime at(int minutes)
{
    return t0.addSecs(minutes * 60);
}

MaintenanceWindow window(const QString& id, const QStringList& targets, const QStringList& groups, int from, int to,
    const QString& comment = {})
{
    MaintenanceWindow w;
    w.id = id;
    w.targets = targets;
    w.groups = groups;
    w.startUtc = at(from);
    w.endUtc = at(to);
    w.comment = comment;
    return w;
}

MaintenanceSchedule fleet()
{
    MaintenanceSchedule s([] { return t0; });
    s.setGroups(
        { { QStringLiteral("web-1"), QStringLiteral("web") }, { QStringLiteral("web-2"), QStringLiteral("web") },
            { QStringLiteral("db-primary"), QStringLiteral("db") }, { QStringLiteral("lonely"), QString() } });
    return s;
}

} // namespace

class TestMaintenanceSchedule : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void inMaintenance_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("minute");
        QTest::addColumn<QString>("window"); ///< expected window id, empty = not in maintenance
        QTest::addColumn<int>("untilMinute"); ///< end of the merged chain

        // mw-a: web-1 10..40; mw-b: group web 30..60 (overlaps a); mw-c: web-1 60..70 (touches b);
        // mw-d: db-primary 100..110.
        QTest::addRow("before any window") << u"web-1"_qs << 5 << QString() << 0;
        QTest::addRow("start is inside") << u"web-1"_qs << 10 << u"mw-a"_qs << 70;
        QTest::addRow("overlap: the one ending last explains it") << u"web-1"_qs << 35 << u"mw-b"_qs << 70;
        QTest::addRow("touching windows: no gap") << u"web-1"_qs << 60 << u"mw-c"_qs << 70;
        QTest::addRow("end is outside") << u"web-1"_qs << 70 << QString() << 0;
        QTest::addRow("group member") << u"web-2"_qs << 30 << u"mw-b"_qs << 60;
        QTest::addRow("group member, before the group window") << u"web-2"_qs << 20 << QString() << 0;
        QTest::addRow("group member, last minute") << u"web-2"_qs << 59 << u"mw-b"_qs << 60;
        QTest::addRow("other group") << u"db-primary"_qs << 35 << QString() << 0;
        QTest::addRow("own window") << u"db-primary"_qs << 105 << u"mw-d"_qs << 110;
        QTest::addRow("no group") << u"lonely"_qs << 35 << QString() << 0;
    }
    void inMaintenance()
    {
        QFETCH(QString, target);
        QFETCH(int, minute);
        QFETCH(QString, window);
        QFETCH(int, untilMinute);
        MaintenanceSchedule s = fleet();
        QString error;
        QVERIFY2(s.add(::window(u"mw-a"_qs, { u"web-1"_qs }, {}, 10, 40), false, &error), qPrintable(error));
        QVERIFY(s.add(::window(u"mw-b"_qs, {}, { u"web"_qs }, 30, 60), false));
        QVERIFY(s.add(::window(u"mw-c"_qs, { u"web-1"_qs }, {}, 60, 70), false));
        QVERIFY(s.add(::window(u"mw-d"_qs, { u"db-primary"_qs }, {}, 100, 110), false));
        QDateTime until;
        const auto w = s.windowFor(target, at(minute), &until);
        QCOMPARE(w ? w->id : QString(), window);
        if (w)
            QCOMPARE(until, at(untilMinute));
        QCOMPARE(s.targetsInMaintenance(at(minute)).contains(target), !window.isEmpty());
    }

    void refusals_data()
    {
        QTest::addColumn<MaintenanceWindow>("window");
        QTest::addColumn<bool>("confirmed");
        QTest::addColumn<QString>("error");
        QTest::addRow("end before start") << window(u"x"_qs, { u"web-1"_qs }, {}, 30, 20) << false
                                          << u"ends (2026-11-27T14:20:00Z) before it starts (2026-11-27T14:30:00Z)"_qs;
        QTest::addRow("empty") << window(u"x"_qs, {}, {}, 0, 20) << false << u"at least one target or group"_qs;
        QTest::addRow("eight days") << window(u"x"_qs, {}, { u"web"_qs }, 0, 8 * 24 * 60) << false
                                    << u"lasts 192.0 h, longer than 168 h: confirm"_qs;
        QTest::addRow("eight days, confirmed")
            << window(u"x"_qs, {}, { u"web"_qs }, 0, 8 * 24 * 60) << true << QString();
        QTest::addRow("exactly seven days") << window(u"x"_qs, {}, { u"web"_qs }, 0, 7 * 24 * 60) << false << QString();
    }
    void refusals()
    {
        QFETCH(MaintenanceWindow, window);
        QFETCH(bool, confirmed);
        QFETCH(QString, error);
        MaintenanceSchedule s = fleet();
        QString why;
        QCOMPARE(s.add(window, confirmed, &why), error.isEmpty());
        QVERIFY2(why.contains(error), qPrintable(why));
        QCOMPARE(s.windows().size(), error.isEmpty() ? 1 : 0);
    }

    void endingEarlyAndConfiguredWindows()
    {
        MaintenanceSchedule s = fleet();
        s.setConfigured({ window(u"cfg-1"_qs, {}, { u"db"_qs }, 0, 60) });
        QVERIFY(s.add(window(u"mw-a"_qs, { u"web-1"_qs }, {}, 0, 60), false));
        QVERIFY(s.add(window(u"mw-later"_qs, { u"web-2"_qs }, {}, 90, 120), false));
        QCOMPARE(s.nextChange(at(0)), at(60));
        QCOMPARE(s.nextChange(at(60)), at(90));
        QVERIFY(!s.nextChange(at(120)).isValid());

        QString error;
        QVERIFY(!s.end(u"cfg-1"_qs, at(10), u"bob"_qs, &error));
        QVERIFY2(error.contains(u"fleet description"_qs), qPrintable(error));
        QVERIFY(!s.add(window(u"cfg-1"_qs, { u"web-1"_qs }, {}, 0, 5), false, &error));
        MaintenanceWindow ended;
        QVERIFY(s.end(u"mw-a"_qs, at(10), u"bob"_qs, &error, &ended));
        QCOMPARE(ended.endUtc, at(10));
        QCOMPARE(ended.endedBy, u"bob"_qs);
        QVERIFY(!s.windowFor(u"web-1"_qs, at(10)));
        QVERIFY(s.windowFor(u"web-1"_qs, at(9)));
        QVERIFY(!s.end(u"mw-a"_qs, at(20), u"bob"_qs, &error));
        QVERIFY2(error.contains(u"over already"_qs), qPrintable(error));
        // A planned window ended before it starts is cancelled: it never applies.
        QVERIFY(s.end(u"mw-later"_qs, at(20), u"bob"_qs, &error, &ended));
        QCOMPARE(ended.endUtc, ended.startUtc);
        QVERIFY(!s.windowFor(u"web-2"_qs, at(90)));
        QVERIFY(!s.end(u"nope"_qs, at(20), u"bob"_qs, &error));

        // A reload replaces configured windows only.
        s.setConfigured({});
        QCOMPARE(s.windows().size(), 2);
        QVERIFY(!s.windowFor(u"db-primary"_qs, at(10)));
        s.prune(at(100));
        QCOMPARE(s.windows().size(), 0);
        QCOMPARE(s.upcoming(at(0)).size(), 0);
    }

    void labelsAndTimes()
    {
        const MaintenanceWindow w = window(u"mw"_qs, { u"web-1"_qs }, { u"db"_qs }, 0, 30, u"kernel upgrade"_qs);
        QCOMPARE(w.scope(), u"web-1, group db"_qs);
        QCOMPARE(w.label(), u"maintenance of web-1, group db (kernel upgrade)"_qs);
        QCOMPARE(MaintenanceWindow::localTime(at(30), at(0)), at(30).toLocalTime().toString(u"HH:mm"_qs));
        QCOMPARE(MaintenanceWindow::fromJson(w.toJson()), w);
        QVERIFY(w.covers(u"db-primary"_qs, u"db"_qs));
        QVERIFY(!w.covers(u"web-2"_qs, u"web"_qs));
    }
};

QTEST_GUILESS_MAIN(TestMaintenanceSchedule)
#include "tst_maintenanceschedule.moc"
