#include "incident/incidentschema.h"
#include "incident/incidentstore.h"

#include <QProcess>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace FaultDesk;

namespace {
const QDateTime t0 = QDateTime(QDate(2026, 11, 2), QTime(9, 0), Qt::UTC);

QDateTime at(qint64 seconds)
{
    return t0.addSecs(seconds);
}

Incident makeIncident(const QString& target, const QString& cause, qint64 detectedS, bool drill = false)
{
    Incident i;
    i.id = IncidentStore::newId();
    i.rootTarget = target;
    i.causeClass = cause;
    i.title = QStringLiteral("%1: %2").arg(target, cause);
    i.drill = drill;
    i.firstFailureUtc = at(detectedS - 2);
    i.detectedUtc = at(detectedS);
    return i;
}

IncidentEvent step(IncidentState state, qint64 seconds, const QString& actor = QStringLiteral("auto"))
{
    IncidentEvent e;
    e.state = state;
    e.timeUtc = at(seconds);
    e.actor = actor;
    return e;
}

WriteResult wait(QFuture<WriteResult> f)
{
    f.waitForFinished();
    return f.result();
}

AuditRecord auditRecord(const QString& actionId, AuditRecord::Phase phase, const QString& incidentId)
{
    AuditRecord r;
    r.actionId = actionId;
    r.phase = phase;
    r.timeUtc = at(30);
    r.operatorName = QStringLiteral("alice");
    r.target = QStringLiteral("web-1");
    r.incidentId = incidentId;
    r.actionKind = QStringLiteral("command");
    r.description = QStringLiteral("faultdesk-fleetsim ctl start web-1");
    if (phase == AuditRecord::Phase::Result) {
        r.status = QStringLiteral("ok");
        r.exitCode = 0;
        r.durationMs = 120;
    }
    return r;
}
} // namespace

class TestIncidentStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_n = 0;

    IncidentStore::Options options()
    {
        IncidentStore::Options o;
        o.path = m_dir.filePath(QStringLiteral("db%1/incidents.db").arg(++m_n));
        o.retryIntervalMs = 50;
        return o;
    }

private Q_SLOTS:
    void lifecycle_data()
    {
        QTest::addColumn<IncidentState>("from");
        QTest::addColumn<IncidentState>("to");
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<IncidentState>("result");
        using S = IncidentState;
        QTest::addRow("detected → located") << S::Detected << S::Located << true << S::Located;
        QTest::addRow("located → handling (auto, no ack)") << S::Located << S::Handling << true << S::Handling;
        QTest::addRow("ack while handling keeps handling") << S::Handling << S::Acknowledged << true << S::Handling;
        QTest::addRow("handled → recovering") << S::Handled << S::Recovering << true << S::Recovering;
        QTest::addRow("handled → located (backwards)") << S::Handled << S::Located << false << S::Handled;
        QTest::addRow("recovered → reopened") << S::Recovered << S::Reopened << true << S::Reopened;
        QTest::addRow("recovered → handling") << S::Recovered << S::Handling << false << S::Recovered;
        QTest::addRow("reopened → located") << S::Reopened << S::Located << true << S::Located;
        QTest::addRow("handling → escalated") << S::Handling << S::Escalated << true << S::Escalated;
        QTest::addRow("escalated → escalated") << S::Escalated << S::Escalated << false << S::Escalated;
        QTest::addRow("escalated → recovered") << S::Escalated << S::Recovered << true << S::Recovered;
        QTest::addRow("acknowledged twice") << S::Acknowledged << S::Acknowledged << false << S::Acknowledged;
        QTest::addRow("anything → detected") << S::Located << S::Detected << false << S::Located;
    }

    void lifecycle()
    {
        QFETCH(IncidentState, from);
        QFETCH(IncidentState, to);
        QFETCH(bool, allowed);
        QFETCH(IncidentState, result);
        QString error;
        const auto next = IncidentLifecycle::apply(from, to, &error);
        QCOMPARE(next.has_value(), allowed);
        if (allowed)
            QCOMPARE(*next, result);
        else
            QVERIFY2(error.contains(IncidentLifecycle::name(to)), qPrintable(error));
        QCOMPARE(IncidentLifecycle::fromName(IncidentLifecycle::name(to)), std::optional(to));
    }

    void phaseTimesAndMttx()
    {
        IncidentStore store(options());
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QSignalSpy recorded(&store, &IncidentStore::recorded);

        // web-1 overload: first failing sample at 98 s, detected 100, located 101, acked 130, handled 160, recovered
        // 220.
        Incident a = makeIncident(QStringLiteral("web-1"), QStringLiteral("overload"), 100);
        a.symptoms.append({ at(100), QStringLiteral("api-1"), QStringLiteral("p95_latency"), QStringLiteral("latency"),
            QStringLiteral("slow because web-1 is overloaded") });
        a.baseline.insert(QStringLiteral("weights"), QJsonObject { { QStringLiteral("web-1"), 100 } });
        store.createIncident(a);
        store.transition(a.id, step(IncidentState::Located, 101));
        store.acknowledge(a.id, QStringLiteral("alice"), at(130), QStringLiteral("on it"));
        store.transition(a.id, step(IncidentState::Handling, 131, QStringLiteral("alice")));
        store.transition(a.id, step(IncidentState::Handled, 160));
        store.transition(a.id, step(IncidentState::Recovering, 170));
        QVERIFY(wait(store.transition(a.id, step(IncidentState::Recovered, 220))).ok);

        // web-1 again: handled automatically, never acknowledged.
        Incident b = makeIncident(QStringLiteral("web-1"), QStringLiteral("down"), 1000);
        store.createIncident(b);
        store.transition(b.id, step(IncidentState::Located, 1003));
        store.transition(b.id, step(IncidentState::Handled, 1010));
        QVERIFY(wait(store.transition(b.id, step(IncidentState::Recovered, 1040))).ok);

        // A drill on db-primary: left out unless asked.
        Incident c = makeIncident(QStringLiteral("db-primary"), QStringLiteral("data-integrity"), 2000, true);
        store.createIncident(c);
        QVERIFY(wait(store.transition(c.id, step(IncidentState::Recovered, 2600))).ok);
        QTRY_VERIFY(recorded.count() >= 3);

        const std::optional<Incident> loaded = store.incident(a.id);
        QVERIFY(loaded);
        QCOMPARE(loaded->state, IncidentState::Recovered);
        QCOMPARE(loaded->events.size(), 7);
        QCOMPARE(loaded->events.at(2).actor, QStringLiteral("alice"));
        QCOMPARE(loaded->events.at(2).note, QStringLiteral("on it"));
        QCOMPARE(loaded->events.at(2).timeUtc, at(130));
        QCOMPARE(loaded->events.at(2).timeUtc.timeSpec(), Qt::UTC);
        QCOMPARE(loaded->affectedTargets(), QStringList({ QStringLiteral("web-1"), QStringLiteral("api-1") }));
        QCOMPARE(
            loaded->baseline.value(QStringLiteral("weights")).toObject().value(QStringLiteral("web-1")).toInt(), 100);
        const PhaseTimes p = loaded->phases();
        QCOMPARE(p.detectMs, std::optional<qint64>(2000));
        QCOMPARE(p.locateMs, std::optional<qint64>(1000));
        QCOMPARE(p.acknowledgeMs, std::optional<qint64>(30000));
        QCOMPARE(p.handleMs, std::optional<qint64>(60000));
        QCOMPARE(p.recoverMs, std::optional<qint64>(120000));
        QCOMPARE(p.impactMs, std::optional<qint64>(122000));
        QCOMPARE(store.incident(b.id)->phases().acknowledgeMs, std::nullopt);

        const QList<MttxFigures> byTarget = store.mttx(IncidentStore::Grouping::Target);
        QCOMPARE(byTarget.size(), 1); // the drill's db-primary is left out
        QCOMPARE(byTarget.at(0).key, QStringLiteral("web-1"));
        QCOMPARE(byTarget.at(0).incidents, 2);
        QCOMPARE(byTarget.at(0).mttaMs, std::optional<double>(30000)); // only the acknowledged one counts
        QCOMPARE(byTarget.at(0).mttrMs, std::optional<double>((120000 + 40000) / 2.0));
        QCOMPARE(byTarget.at(0).mttdMs, std::optional<double>(2000));

        IncidentFilter withDrills;
        withDrills.includeDrills = true;
        const QList<MttxFigures> byCause = store.mttx(IncidentStore::Grouping::Cause, withDrills);
        QCOMPARE(byCause.size(), 3);
        QCOMPARE(byCause.at(0).key, QStringLiteral("data-integrity"));
        QCOMPARE(byCause.at(0).mttrMs, std::optional<double>(600000));
        const QList<MttxFigures> overall = store.mttx(IncidentStore::Grouping::Overall, withDrills);
        QCOMPARE(overall.size(), 1);
        QCOMPARE(overall.at(0).incidents, 3);
    }

    void reopenedIncidentRecoversAgain()
    {
        IncidentStore store(options());
        QVERIFY(store.open());
        Incident a = makeIncident(QStringLiteral("web-1"), QStringLiteral("down"), 0);
        store.createIncident(a);
        store.transition(a.id, step(IncidentState::Recovered, 30));
        QVERIFY(wait(store.transition(a.id, step(IncidentState::Reopened, 90, QStringLiteral("bob")))).ok);
        std::optional<Incident> reopened = store.incident(a.id);
        QCOMPARE(reopened->state, IncidentState::Reopened);
        QVERIFY(!reopened->recoveredUtc.isValid()); // not recovered any more: out of MTTR until it is
        QCOMPARE(store.mttx(IncidentStore::Grouping::Overall).at(0).recovered, 0);
        store.transition(a.id, step(IncidentState::Escalated, 100, QStringLiteral("bob")));
        QVERIFY(wait(store.transition(a.id, step(IncidentState::Recovered, 300))).ok);
        const std::optional<Incident> done = store.incident(a.id);
        QCOMPARE(done->recoveredUtc, at(300)); // the last recovery counts
        QCOMPARE(done->phases().recoverMs, std::optional<qint64>(300000));
        QCOMPARE(done->events.size(), 5);
        QCOMPARE(done->events.at(3).resultingState, IncidentState::Escalated);
    }

    void refusedWritesFailAlone()
    {
        IncidentStore store(options());
        QVERIFY(store.open());
        Incident a = makeIncident(QStringLiteral("web-1"), QStringLiteral("down"), 10);
        auto created = store.createIncident(a);
        auto backwards = store.transition(a.id, step(IncidentState::Recovered, 20));
        auto again = store.transition(a.id, step(IncidentState::Located, 21));
        auto unknown = store.acknowledge(QStringLiteral("inc-nope"), QStringLiteral("bob"), at(22));
        auto duplicate = store.createIncident(a);
        Incident noTarget = makeIncident(QString(), QStringLiteral("down"), 10);
        auto invalid = store.createIncident(noTarget);
        QVERIFY(wait(created).ok);
        QVERIFY(wait(backwards).ok);
        const WriteResult r = wait(again);
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("recovered cannot become located")), qPrintable(r.error));
        QVERIFY2(
            wait(unknown).error.contains(QStringLiteral("no incident inc-nope")), qPrintable(unknown.result().error));
        QVERIFY2(
            wait(duplicate).error.contains(QStringLiteral("already exists")), qPrintable(duplicate.result().error));
        QVERIFY2(wait(invalid).error.contains(QStringLiteral("root target")), qPrintable(invalid.result().error));
        const std::optional<Incident> loaded = store.incident(a.id);
        QCOMPARE(loaded->state, IncidentState::Recovered);
        QCOMPARE(loaded->events.size(), 2);
        QCOMPARE(store.count(), 1);
    }

    void acknowledgementIsOnDiskWhenReported()
    {
        const IncidentStore::Options o = options();
        Incident a = makeIncident(QStringLiteral("db-primary"), QStringLiteral("data-integrity"), 10);
        {
            IncidentStore store(o);
            QVERIFY(store.open());
            store.createIncident(a);
            QSignalSpy recorded(&store, &IncidentStore::recorded);
            QVERIFY(wait(store.acknowledge(a.id, QStringLiteral("alice"), at(40))).ok);
            // A second, independent connection sees it the moment the future says so.
            QSqlDatabase other = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other"));
            other.setDatabaseName(o.path);
            QVERIFY(other.open());
            {
                QSqlQuery q(other);
                QVERIFY(
                    q.exec(QStringLiteral("SELECT state, acknowledged_ms FROM incidents WHERE id = '%1'").arg(a.id)));
                QVERIFY(q.next());
                QCOMPARE(q.value(0).toString(), QStringLiteral("acknowledged"));
                QCOMPARE(q.value(1).toLongLong(), at(40).toMSecsSinceEpoch());
            }
            other.close();
            other = QSqlDatabase();
            QSqlDatabase::removeDatabase(QStringLiteral("other"));
            QTRY_VERIFY(!recorded.isEmpty());
            QCOMPARE(recorded.constLast().at(0).toString(), a.id);
        }
        IncidentStore reopened(o);
        QVERIFY(reopened.open());
        QCOMPARE(reopened.incident(a.id)->state, IncidentState::Acknowledged);
        QCOMPARE(reopened.integrityCheck(), QStringLiteral("ok"));
    }

    void migratesVersionOneFile()
    {
        IncidentStore::Options o = options();
        // The old incident is from 2023: a clock then keeps retention from pruning it on open.
        o.clock = [] { return QDateTime::fromMSecsSinceEpoch(1700000100000, Qt::UTC); };
        QDir().mkpath(QFileInfo(o.path).absolutePath());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
            db.setDatabaseName(o.path);
            QVERIFY(db.open());
            QString error;
            QVERIFY2(IncidentSchema::migrate(db, &error, 1), qPrintable(error));
            QCOMPARE(IncidentSchema::version(db), 1);
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral(
                "INSERT INTO incidents (id, root_target, cause_class, title, state, first_failure_ms, detected_ms, "
                "located_ms, updated_ms, baseline) VALUES ('inc-old', 'web-2', 'down', 'web-2 down', 'located', "
                "1700000000000, 1700000002000, 1700000002500, 1700000002500, '{\"weight\":50}')")));
            QVERIFY2(
                q.exec(QStringLiteral("INSERT INTO incident_events (incident_id, time_utc, event, resulting_state, "
                                      "actor, note) VALUES ('inc-old', '2023-11-14T22:13:22.000Z', 'detected', "
                                      "'detected', 'auto', ''), ('inc-old', '2023-11-14T22:13:22.500Z', "
                                      "'located', 'located', 'auto', 'root cause')")),
                qPrintable(q.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));

        IncidentStore store(o);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        const std::optional<Incident> old = store.incident(QStringLiteral("inc-old"));
        QVERIFY(old);
        QCOMPARE(old->drill, false);
        QCOMPARE(old->baseline.value(QStringLiteral("weight")).toInt(), 50);
        QCOMPARE(old->events.size(), 2);
        QCOMPARE(old->events.at(0).timeUtc.toMSecsSinceEpoch(), 1700000002000);
        QCOMPARE(old->events.at(1).timeUtc.toMSecsSinceEpoch(), 1700000002500);
        QCOMPARE(old->events.at(1).note, QStringLiteral("root cause"));
        // The migrated file takes new-schema writes: the drill flag and series.
        const WriteResult recovered
            = wait(store.transition(QStringLiteral("inc-old"), step(IncidentState::Recovered, 60)));
        QVERIFY2(recovered.ok, qPrintable(recovered.error));
        QVERIFY(wait(store.saveSeries(QStringLiteral("inc-old"),
                         { { QStringLiteral("web-2"), QStringLiteral("load"), { { 1, 0.5 } } } }))
                    .ok);
        QCOMPARE(store.series(QStringLiteral("inc-old")).size(), 1);
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
    }

    void refusesNewerSchema()
    {
        const IncidentStore::Options o = options();
        QDir().mkpath(QFileInfo(o.path).absolutePath());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v9"));
            db.setDatabaseName(o.path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE schema_version (version INTEGER NOT NULL)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO schema_version VALUES (9)")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v9"));
        IncidentStore store(o);
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(QStringLiteral("schema version 9")) && error.contains(o.path), qPrintable(error));
    }

    void auditRowsAreAppendOnly()
    {
        const IncidentStore::Options o = options();
        IncidentStore store(o);
        QVERIFY(store.open());
        AuditSink& sink = store;
        QString error;
        QVERIFY2(
            sink.append(auditRecord(QStringLiteral("a1"), AuditRecord::Phase::Intent, QStringLiteral("inc-1")), &error),
            qPrintable(error));
        QVERIFY(sink.append(auditRecord(QStringLiteral("a1"), AuditRecord::Phase::Result, QStringLiteral("inc-1"))));
        QVERIFY(sink.append(auditRecord(QStringLiteral("a2"), AuditRecord::Phase::Intent, QStringLiteral("inc-1"))));
        QCOMPARE(sink.records().size(), 3);
        QCOMPARE(sink.records().at(1).exitCode, std::optional<int>(0));
        QCOMPARE(sink.unfinished().size(), 1);
        QCOMPARE(sink.unfinished().at(0).actionId, QStringLiteral("a2"));

        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(o.path);
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(!q.exec(QStringLiteral("UPDATE audit SET status = 'ok' WHERE action_id = 'a2'")));
            QVERIFY2(q.lastError().text().contains(QStringLiteral("append-only")), qPrintable(q.lastError().text()));
            QVERIFY(!q.exec(QStringLiteral("DELETE FROM audit")));
            QVERIFY2(q.lastError().text().contains(QStringLiteral("append-only")), qPrintable(q.lastError().text()));
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
        QCOMPARE(sink.records().size(), 3);
    }

    void retentionPrunesIncidentsKeepsAudit()
    {
        QDateTime now = at(0).addDays(400);
        IncidentStore::Options o = options();
        o.clock = [&now]() { return now; };
        IncidentStore store(o);
        QVERIFY(store.open());
        Incident old = makeIncident(QStringLiteral("web-1"), QStringLiteral("down"), 0);
        Incident recent = makeIncident(QStringLiteral("web-2"), QStringLiteral("down"), 0);
        recent.detectedUtc = now.addDays(-10);
        store.createIncident(old);
        store.createIncident(recent);
        store.saveSeries(old.id, { { QStringLiteral("web-1"), QStringLiteral("load"), { { 1, 1.0 }, { 2, 2.0 } } } });
        QVERIFY(wait(store.appendAudit(auditRecord(QStringLiteral("a1"), AuditRecord::Phase::Intent, old.id))).ok);
        const WriteResult pruned = wait(store.pruneExpired());
        QVERIFY(pruned.ok);
        QCOMPARE(pruned.affected, 1);
        QVERIFY(!store.incident(old.id));
        QVERIFY(store.series(old.id).isEmpty());
        QVERIFY(store.incident(recent.id));
        QCOMPARE(store.auditRecords(old.id).size(), 1);
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
        // Advancing the injected clock past the retention prunes the recent one too.
        now = now.addDays(366);
        QCOMPARE(wait(store.pruneExpired()).affected, 1);
        QCOMPARE(store.count(), 0);

        // While open, retention also runs by itself on its interval.
        IncidentStore::Options periodic = options();
        periodic.clock = [&now]() { return now; };
        periodic.pruneIntervalMs = 50;
        IncidentStore second(periodic);
        QVERIFY(second.open());
        Incident aging = makeIncident(QStringLiteral("web-3"), QStringLiteral("down"), 0);
        aging.detectedUtc = now.addDays(-300);
        QVERIFY(wait(second.createIncident(aging)).ok);
        QCOMPARE(second.count(), 1);
        now = now.addDays(100);
        QTRY_COMPARE(second.count(), 0);
    }

    void seriesAreDownsampledAndRoundTrip()
    {
        IncidentStore::Options o = options();
        o.maxSeriesPoints = 500;
        IncidentStore store(o);
        QVERIFY(store.open());
        Incident a = makeIncident(QStringLiteral("web-1"), QStringLiteral("overload"), 0);
        store.createIncident(a);
        SeriesSnapshot load { QStringLiteral("web-1"), QStringLiteral("load"), {} };
        for (int i = 0; i < 20000; ++i)
            load.points.append({ at(0).toMSecsSinceEpoch() + i * 100, 0.3 + 0.01 * std::sin(i / 50.0) });
        load.points[12345].value = 7.5; // the spike the chart must still show
        SeriesSnapshot short_ { QStringLiteral("db-primary"), QStringLiteral("integrity"),
            { { 5, 1.0 }, { 6, 0.0 }, { 7, 0.125 } } };
        const WriteResult r = wait(store.saveSeries(a.id, { load, short_ }));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.affected, 503);
        const QList<SeriesSnapshot> back = store.incident(a.id)->series;
        QCOMPARE(back.size(), 2);
        QCOMPARE(back.at(0).target, QStringLiteral("db-primary"));
        QCOMPARE(back.at(0).points, short_.points);
        QCOMPARE(back.at(1).points.size(), 500);
        QCOMPARE(back.at(1).points.first(), load.points.first());
        QCOMPARE(back.at(1).points.last(), load.points.last());
        QVERIFY(back.at(1).points.contains(load.points[12345]));
        // Saving again replaces rather than duplicates.
        QVERIFY(wait(store.saveSeries(a.id, { short_ })).ok);
        QCOMPARE(store.series(a.id).size(), 2);
    }

    void seriesLimitBelowThreeKeepsEveryPoint()
    {
        IncidentStore::Options o = options();
        o.maxSeriesPoints = 2;
        IncidentStore store(o);
        QVERIFY(store.open());
        Incident a = makeIncident(QStringLiteral("web-1"), QStringLiteral("overload"), 0);
        store.createIncident(a);
        SeriesSnapshot load { QStringLiteral("web-1"), QStringLiteral("load"), {} };
        for (int i = 0; i < 50; ++i)
            load.points.append({ i * 1000LL, double(i % 17) });
        QVERIFY(wait(store.saveSeries(a.id, { load })).ok);
        QCOMPARE(store.series(a.id).value(0).points, load.points);
    }

    void historyQueries()
    {
        IncidentStore store(options());
        QVERIFY(store.open());
        Incident a = makeIncident(QStringLiteral("web-1"), QStringLiteral("overload"), 100);
        a.symptoms.append({ at(100), QStringLiteral("api-1"), {}, QStringLiteral("latency"), QStringLiteral("slow") });
        Incident b = makeIncident(QStringLiteral("db-primary"), QStringLiteral("data-integrity"), 5000);
        b.title = QStringLiteral("checksum 100% wrong_ish");
        Incident c = makeIncident(QStringLiteral("web-2"), QStringLiteral("attack"), 9000, true);
        for (const Incident& i : { a, b, c })
            store.createIncident(i);
        IncidentEvent note = step(IncidentState::Located, 5001, QStringLiteral("bob"));
        note.note = QStringLiteral("replica lag suspected");
        QVERIFY(wait(store.transition(b.id, note)).ok);

        auto ids = [&store](IncidentFilter f) {
            QStringList out;
            QString error;
            for (const Incident& i : store.incidents(f, &error))
                out << i.id;
            if (!error.isEmpty())
                qWarning() << error;
            return out;
        };
        IncidentFilter f;
        QCOMPARE(ids(f), QStringList({ b.id, a.id })); // newest first, drills left out
        f.includeDrills = true;
        QCOMPARE(ids(f), QStringList({ c.id, b.id, a.id }));
        f.target = QStringLiteral("api-1"); // a symptom's target finds the root incident
        QCOMPARE(ids(f), QStringList({ a.id }));
        f = {};
        f.causeClass = QStringLiteral("data-integrity");
        QCOMPARE(ids(f), QStringList({ b.id }));
        f = {};
        f.fromUtc = at(1000);
        f.toUtc = at(9000);
        f.includeDrills = true;
        QCOMPARE(ids(f), QStringList({ b.id }));
        f = {};
        f.text = QStringLiteral("REPLICA LAG");
        QCOMPARE(ids(f), QStringList({ b.id }));
        f.text = QStringLiteral("100%");
        QCOMPARE(ids(f), QStringList({ b.id }));
        f.text = QStringLiteral("_");
        QCOMPARE(ids(f), QStringList({ b.id })); // LIKE wildcards are taken literally
        f.text = QStringLiteral("' OR 1=1 --");
        QCOMPARE(ids(f), QStringList());
        f = {};
        f.limit = 1;
        f.offset = 1;
        QCOMPARE(ids(f), QStringList({ a.id }));
        QCOMPARE(store.incidents().at(1).symptoms.size(), 1);
        QCOMPARE(store.count(), 2);
    }

    void unwritableDatabaseQueuesAndFlushes()
    {
        IncidentStore::Options o = options();
        o.maxPending = 5;
        IncidentStore store(o);
        QVERIFY(store.open());
        QSignalSpy errors(&store, &IncidentStore::errorOccurred);
        QSignalSpy health(&store, &IncidentStore::healthChanged);
        store.setWriteBlockedForTesting(true);

        QList<QFuture<WriteResult>> writes;
        QStringList ids;
        for (int i = 0; i < 8; ++i) {
            Incident inc = makeIncident(QStringLiteral("web-%1").arg(i), QStringLiteral("down"), 10 * i);
            ids << inc.id;
            writes << store.createIncident(inc);
        }
        QTRY_VERIFY(!store.health().writable);
        // The error signal is queued from the writer thread: wait for it rather than race it.
        QTRY_VERIFY(errors.count() >= 1);
        QVERIFY2(errors.at(0).at(0).toString().contains(o.path), qPrintable(errors.at(0).at(0).toString()));
        QVERIFY(!store.health().lastError.isEmpty());
        QCOMPARE(store.health().pending, 5);
        QCOMPARE(store.health().dropped, 3);
        for (int i = 5; i < 8; ++i) {
            QVERIFY(writes[i].isFinished());
            QVERIFY2(
                writes[i].result().error.contains(QStringLiteral("dropped")), qPrintable(writes[i].result().error));
        }
        for (int i = 0; i < 5; ++i)
            QVERIFY(!writes[i].isFinished()); // never reported as recorded while only in memory
        QCOMPARE(store.count(), 0);
        // An audit intent is never queued: remediation must not act on an unrecorded intent.
        QString error;
        QVERIFY(!store.append(auditRecord(QStringLiteral("a1"), AuditRecord::Phase::Intent, ids[0]), &error));
        QVERIFY2(error.contains(QStringLiteral("not recorded")), qPrintable(error));

        store.setWriteBlockedForTesting(false);
        for (int i = 0; i < 5; ++i) {
            QTRY_VERIFY(writes[i].isFinished());
            QVERIFY(writes[i].result().ok);
        }
        QTRY_VERIFY(store.health().writable);
        QCOMPARE(store.health().pending, 0);
        QCOMPARE(store.count(), 5);
        QVERIFY(store.incident(ids[4]));
        QVERIFY(!store.incident(ids[5]));
        QVERIFY(health.count() >= 2);
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
    }

    void fullDiskQueuesAndFlushes()
    {
        // A real full disk: a 512 KiB tmpfs (needs root; skipped elsewhere).
        if (::geteuid() != 0)
            QSKIP("mounting a tmpfs needs root");
        QTemporaryDir mountDir;
        if (QProcess::execute(QStringLiteral("mount"),
                { QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"), QStringLiteral("size=512k"),
                    QStringLiteral("tmpfs"), mountDir.path() })
            != 0)
            QSKIP("cannot mount a tmpfs here");
        auto unmount = qScopeGuard([&] { QProcess::execute(QStringLiteral("umount"), { mountDir.path() }); });
        IncidentStore::Options o;
        o.path = mountDir.filePath(QStringLiteral("incidents.db"));
        o.retryIntervalMs = 50;
        {
            IncidentStore store(o);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            // Fill the rest of the disk with a file we can delete later.
            QFile filler(mountDir.filePath(QStringLiteral("filler")));
            QVERIFY(filler.open(QIODevice::WriteOnly));
            const QByteArray chunk(4096, 'x');
            while (filler.write(chunk) == chunk.size() && filler.flush()) { }
            filler.close();

            QStringList ids;
            QList<QFuture<WriteResult>> writes;
            for (int i = 0; i < 400 && store.health().writable; ++i) {
                Incident inc = makeIncident(QStringLiteral("web-1"), QStringLiteral("overload"), i);
                inc.title = QString(2000, u'x');
                ids << inc.id;
                writes << store.createIncident(inc);
                QTRY_VERIFY(writes.last().isFinished() || !store.health().writable);
            }
            QTRY_VERIFY(!store.health().writable);
            QVERIFY2(store.health().lastError.contains(QStringLiteral("full")), qPrintable(store.health().lastError));
            QVERIFY(store.health().pending > 0);

            QVERIFY(QFile::remove(filler.fileName()));
            QTRY_VERIFY_WITH_TIMEOUT(store.health().writable, 10000);
            for (const auto& w : writes) {
                QTRY_VERIFY(w.isFinished());
                QVERIFY(w.result().ok);
            }
            for (const QString& id : ids)
                QVERIFY(store.incident(id, false));
            QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
        }
    }
};

QTEST_GUILESS_MAIN(TestIncidentStore)
#include "tst_incidentstore.moc"
