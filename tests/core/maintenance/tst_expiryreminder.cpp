// ExpiryReminder: one warning per item and end time, within the lead, never for something already over.

#include "maintenance/expiryreminder.h"

#include <QSignalSpy>
#include <QTest>

using namespace FaultDesk;
using namespace std::chrono_literals;

namespace {
const QDateTime t0 = QDateTime(QDate(2026, 11, 27), QTime(14, 0), Qt::UTC);
}

class TestExpiryReminder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void firesOnceWithinTheLead()
    {
        QDateTime now = t0;
        ExpiryReminder r;
        r.setClock([&now] { return now; });
        r.setLead(10min);
        QSignalSpy spy(&r, &ExpiryReminder::endingSoon);
        r.watch(u"mw-1"_qs, u"maintenance of web-1"_qs, t0.addSecs(30 * 60));
        r.watch(u"silence-7"_qs, u"silence of HighLoad"_qs, t0.addSecs(15 * 60));
        QCOMPARE(spy.count(), 0);
        now = t0.addSecs(5 * 60);
        r.check();
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), u"silence-7"_qs);
        QCOMPARE(spy.at(0).at(1).toString(), u"silence of HighLoad"_qs);
        QCOMPARE(spy.at(0).at(2).toDateTime(), t0.addSecs(15 * 60));
        r.check(t0.addSecs(6 * 60));
        QCOMPARE(spy.count(), 1);
        r.check(t0.addSecs(20 * 60));
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.at(1).at(0).toString(), u"mw-1"_qs);
        // Extended: it warns again before the new end.
        r.watch(u"mw-1"_qs, u"maintenance of web-1"_qs, t0.addSecs(60 * 60));
        QCOMPARE(spy.count(), 2);
        r.check(t0.addSecs(51 * 60));
        QCOMPARE(spy.count(), 3);
        r.unwatch(u"mw-1"_qs);
        QCOMPARE(r.watched(), QStringList { u"silence-7"_qs });
    }

    void overItemsAreNotAnnounced()
    {
        ExpiryReminder r;
        r.setClock([] { return t0; });
        QSignalSpy spy(&r, &ExpiryReminder::endingSoon);
        r.watch(u"old"_qs, u"x"_qs, t0.addSecs(-60));
        r.watch(u"now"_qs, u"x"_qs, t0);
        QCOMPARE(spy.count(), 0);
    }

    void timerChecksOnItsOwn()
    {
        ExpiryReminder r;
        r.setLead(1h);
        r.setCheckInterval(50ms);
        QSignalSpy spy(&r, &ExpiryReminder::endingSoon);
        r.watch(u"soon"_qs, u"x"_qs, QDateTime::currentDateTimeUtc().addSecs(7200));
        QCOMPARE(spy.count(), 0);
        r.setLead(3h);
        QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 5000);
    }
};

QTEST_GUILESS_MAIN(TestExpiryReminder)
#include "tst_expiryreminder.moc"
