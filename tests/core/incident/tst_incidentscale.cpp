#include "incident/incidentstore.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

/**
 * The store at 100,000 incidents: history queries, MTTx and retention stay usable. Prints figures (never fails on
 * time: the machine is shared); checks the answers are right. FAULTDESK_SCALE_INCIDENTS overrides the count.
 */
class TestIncidentScale : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hundredThousandIncidents()
    {
        const int n = qEnvironmentVariableIntValue("FAULTDESK_SCALE_INCIDENTS") > 0
            ? qEnvironmentVariableIntValue("FAULTDESK_SCALE_INCIDENTS")
            : 100000;
        QTemporaryDir dir;
        const QDateTime start(QDate(2025, 11, 1), QTime(0, 0), Qt::UTC);
        QDateTime now = start.addDays(365);
        IncidentStore::Options o;
        o.path = dir.filePath(QStringLiteral("incidents.db"));
        o.clock = [&now] { return now; };
        IncidentStore store(o);
        QVERIFY(store.open());
        const QStringList causes = { QStringLiteral("down"), QStringLiteral("overload"), QStringLiteral("latency"),
            QStringLiteral("errors"), QStringLiteral("attack"), QStringLiteral("data-integrity") };

        QElapsedTimer t;
        t.start();
        // One incident every ~5 minutes over a year, on 200 targets; seeded in transactions of 10,000.
        const qint64 spanMs = start.msecsTo(now);
        QList<Incident> chunk;
        for (int i = 0; i < n; ++i) {
            Incident inc;
            inc.id = QStringLiteral("inc-%1").arg(i, 8, 10, QLatin1Char('0'));
            inc.rootTarget = QStringLiteral("web-%1").arg(i % 200);
            inc.causeClass = causes.at(i % causes.size());
            inc.title = QStringLiteral("%1 %2").arg(inc.rootTarget, inc.causeClass);
            inc.drill = i % 50 == 0;
            inc.detectedUtc = start.addMSecs(spanMs * i / n);
            inc.firstFailureUtc = inc.detectedUtc.addMSecs(-1500);
            inc.symptoms.append({ inc.detectedUtc, QStringLiteral("api-%1").arg(i % 7), {}, QStringLiteral("errors"),
                QStringLiteral("symptom") });
            chunk.append(inc);
            if (chunk.size() == 10000 || i == n - 1) {
                auto f = store.createIncidents(chunk);
                f.waitForFinished();
                QVERIFY2(f.result().ok, qPrintable(f.result().error));
                chunk.clear();
            }
        }
        const qint64 insertMs = t.elapsed();

        // Single writes through the writer thread, as monitoring makes them: every 20th incident recovers.
        t.restart();
        QFuture<WriteResult> last;
        int singles = 0;
        for (int i = 0; i < n; i += 20, ++singles) {
            IncidentEvent rec;
            rec.state = IncidentState::Recovered;
            rec.timeUtc = start.addMSecs(spanMs * i / n).addSecs(60 + i % 120);
            rec.actor = QStringLiteral("auto");
            last = store.transition(QStringLiteral("inc-%1").arg(i, 8, 10, QLatin1Char('0')), rec);
        }
        last.waitForFinished();
        QVERIFY2(last.result().ok, qPrintable(last.result().error));
        const qint64 singlesMs = t.elapsed();

        IncidentFilter all;
        all.limit = 0;
        all.includeDrills = true;
        QCOMPARE(store.count(all), n);

        auto timed = [](auto&& f) {
            QElapsedTimer e;
            e.start();
            f();
            return e.nsecsElapsed() / 1e6;
        };
        QList<Incident> page;
        const double pageMs = timed([&] { page = store.incidents(IncidentFilter {}); });
        QCOMPARE(page.size(), 1000);
        QVERIFY(std::all_of(page.cbegin(), page.cend(), [](const Incident& i) { return i.symptoms.size() == 1; }));
        IncidentFilter byTarget;
        byTarget.target = QStringLiteral("web-17");
        byTarget.limit = 0;
        QList<Incident> targetRows;
        const double targetMs = timed([&] { targetRows = store.incidents(byTarget); });
        QVERIFY(targetRows.size() >= n / 200 - n / 50 / 200 - 1);
        IncidentFilter range;
        range.fromUtc = start.addDays(100);
        range.toUtc = start.addDays(107);
        range.causeClass = QStringLiteral("down");
        QList<Incident> rangeRows;
        const double rangeMs = timed([&] { rangeRows = store.incidents(range); });
        QVERIFY(!rangeRows.isEmpty());
        IncidentFilter text;
        text.text = QStringLiteral("web-199 attack");
        QList<Incident> textRows;
        const double textMs = timed([&] { textRows = store.incidents(text); });
        QList<MttxFigures> byCause;
        const double mttxMs = timed([&] { byCause = store.mttx(IncidentStore::Grouping::Cause); });
        QCOMPARE(byCause.size(), causes.size());
        std::optional<Incident> one;
        const double oneMs
            = timed([&] { one = store.incident(QStringLiteral("inc-%1").arg(n / 2, 8, 10, QLatin1Char('0'))); });
        QVERIFY(one && one->events.size() == 2 && one->state == IncidentState::Recovered);

        // Retention: advance the clock six months; the older half goes.
        now = now.addDays(182);
        QElapsedTimer p;
        p.start();
        const WriteResult pruned = [&] {
            auto f = store.pruneExpired();
            f.waitForFinished();
            return f.result();
        }();
        const qint64 pruneMs = p.elapsed();
        QVERIFY(pruned.ok);
        QVERIFY(pruned.affected > n / 3 && pruned.affected < 2 * n / 3);
        QCOMPARE(store.count(all), n - int(pruned.affected));

        qInfo("%d incidents (+%d events, %d symptoms) seeded in %lld ms; %d single transitions committed in %lld ms "
              "(%.0f writes/s through the writer thread, batched)",
            n, n, n, insertMs, singles, singlesMs, singles * 1000.0 / std::max<qint64>(singlesMs, 1));
        qInfo("query: newest page of 1000 %.1f ms | one target (%lld rows) %.1f ms | cause+week %.1f ms | text "
              "search %.1f ms | MTTx by cause %.1f ms | one incident with timeline %.2f ms",
            pageMs, qint64(targetRows.size()), targetMs, rangeMs, textMs, mttxMs, oneMs);
        qInfo("retention: pruned %lld incidents with their events and symptoms in %lld ms", pruned.affected, pruneMs);
    }
};

QTEST_GUILESS_MAIN(TestIncidentScale)
#include "tst_incidentscale.moc"
