// The incident store on a real PostgreSQL (started by the test on loopback): the same schema and behaviour as on
// SQLite — incidents, timelines, symptoms, evidence, baselines, series, audit (append-only, enforced by the server),
// acknowledgements, maintenance windows, retention, migrations — and the copy of a SQLite history into it.
#include "incident/incidentschema.h"
#include "incident/incidentstore.h"
#include "incident/storecopy.h"
#include "incident/storeurl.h"
#include "maintenance/maintenancestore.h"
#include "shared/postgresharness.h"

#include <QFile>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace FaultDesk;

namespace {
const QDateTime t0 = QDateTime(QDate(2026, 11, 2), QTime(9, 0), Qt::UTC);
const QByteArray kPassword = "team-secret-7f3a";

QDateTime at(qint64 seconds)
{
    return t0.addSecs(seconds);
}

WriteResult wait(QFuture<WriteResult> f)
{
    f.waitForFinished();
    return f.result();
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
    i.baseline = QJsonObject { { QStringLiteral("weights"), QJsonObject { { target, 100 } } } };
    i.symptoms.append({ at(detectedS + 1), QStringLiteral("api-1"), QStringLiteral("errors"), QStringLiteral("errors"),
        QStringLiteral("5xx ratio 0.4 on api-1") });
    i.evidence.append({ at(detectedS), target, QStringLiteral("hard-down"),
        QJsonObject { { QStringLiteral("failures"), 3 }, { QStringLiteral("sample"), QStringLiteral("refused") } } });
    return i;
}

IncidentEvent step(
    IncidentState state, qint64 seconds, const QString& actor = QStringLiteral("auto"), const QString& note = QString())
{
    IncidentEvent e;
    e.state = state;
    e.timeUtc = at(seconds);
    e.actor = actor;
    e.note = note;
    return e;
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
    r.runbook = QStringLiteral("crash/handle#1");
    r.actionKind = QStringLiteral("command");
    r.description = QStringLiteral("systemctl restart web");
    if (phase == AuditRecord::Phase::Result) {
        r.status = QStringLiteral("ok");
        r.exitCode = 0;
        r.durationMs = 1200;
        r.outputExcerpt = QStringLiteral("restarted");
    }
    return r;
}

QList<SnapshotPoint> wave(int n)
{
    QList<SnapshotPoint> points;
    for (int i = 0; i < n; ++i)
        points.append({ at(i).toMSecsSinceEpoch(), i == 7 ? std::nan("") : std::sin(i / 5.0) * 100 });
    return points;
}

// Everything an incident read back holds, as text: two stores hold the same incident when these are equal.
QString fingerprint(const Incident& i)
{
    QStringList parts;
    auto t
        = [](const QDateTime& d) { return d.isValid() ? QString::number(d.toMSecsSinceEpoch()) : QStringLiteral("-"); };
    parts << i.id << i.rootTarget << i.causeClass << i.title << IncidentLifecycle::name(i.state)
          << QString::number(i.drill) << t(i.firstFailureUtc) << t(i.detectedUtc) << t(i.locatedUtc)
          << t(i.acknowledgedUtc) << t(i.handlingUtc) << t(i.handledUtc) << t(i.recoveringUtc) << t(i.recoveredUtc)
          << t(i.updatedUtc) << QString::fromUtf8(QJsonDocument(i.baseline).toJson(QJsonDocument::Compact));
    for (const IncidentEvent& e : i.events)
        parts << QStringLiteral("event %1 %2 %3 %4 %5")
                     .arg(t(e.timeUtc), IncidentLifecycle::name(e.state), IncidentLifecycle::name(e.resultingState),
                         e.actor, e.note);
    for (const Symptom& s : i.symptoms)
        parts << QStringLiteral("symptom %1 %2 %3 %4 %5").arg(t(s.timeUtc), s.target, s.signal, s.causeClass, s.detail);
    for (const Evidence& e : i.evidence)
        parts << QStringLiteral("evidence %1 %2 %3 %4")
                     .arg(t(e.timeUtc), e.target, e.rule,
                         QString::fromUtf8(QJsonDocument(e.detail).toJson(QJsonDocument::Compact)));
    for (const AuditRecord& a : i.actions)
        parts << QString::fromUtf8(QJsonDocument(a.toJson()).toJson(QJsonDocument::Compact));
    for (const SeriesSnapshot& s : i.series) {
        QStringList points;
        for (const SnapshotPoint& p : s.points)
            points << QStringLiteral("%1=%2").arg(p.timeMs).arg(p.value, 0, 'g', 17);
        parts << QStringLiteral("series %1 %2 %3").arg(s.target, s.signal, points.join(u','));
    }
    return parts.join(u'\n');
}
} // namespace

class TestPostgresIncidentStore : public QObject
{
    Q_OBJECT

    Test::PostgresHarness m_pg;
    QTemporaryDir m_dir;
    QString m_passwordFile;
    int m_databases = 0;

    // A fresh database owned by the faultdesk role; its URL with the password given by reference.
    QString freshDatabase()
    {
        const QString name = QStringLiteral("fd%1").arg(++m_databases);
        if (!m_pg.createDatabase(name, QStringLiteral("faultdesk")))
            return QString();
        return m_pg.dsn(QStringLiteral("faultdesk"), name) + QStringLiteral("?sslmode=disable&password_file=")
            + m_passwordFile;
    }

    IncidentStore::Options options(const QString& location) const
    {
        IncidentStore::Options o;
        o.path = location;
        // This run's own journals: one left by an earlier run (a write still waiting for an unreachable server)
        // would be replayed into this one's counts.
        o.journalDirectory = m_dir.filePath(QStringLiteral("journal"));
        o.pruneIntervalMs = 0;
        o.retryIntervalMs = 200;
        o.clock = [] { return at(3600); };
        return o;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_pg.initAndStart(&error), qPrintable(error));
        QVERIFY(m_pg.createRole(QStringLiteral("faultdesk"), QString::fromLatin1(kPassword)));
        m_passwordFile = m_dir.filePath(QStringLiteral("pgpassword"));
        QFile f(m_passwordFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kPassword + '\n');
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    }

    void opensAndMigrates()
    {
        const QString url = freshDatabase();
        QVERIFY(!url.isEmpty());
        IncidentStore store(options(url));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QVERIFY(store.url().isPostgres());
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
        QCOMPARE(m_pg.psql(QStringLiteral("SELECT MAX(version) FROM schema_version"), store.url().database()),
            QString::number(IncidentSchema::currentVersion));
        // Times need 64 bits: the column types come from the one schema description, made concrete for PostgreSQL.
        QCOMPARE(m_pg.psql(QStringLiteral("SELECT data_type FROM information_schema.columns WHERE table_name = "
                                          "'incidents' AND column_name = 'detected_ms'"),
                     store.url().database()),
            QStringLiteral("bigint"));
        // Opening again (a second console starting) migrates nothing and succeeds.
        IncidentStore again(options(url));
        QVERIFY2(again.open(&error), qPrintable(error));
    }

    void wrongPasswordIsAReadableErrorWithoutThePassword()
    {
        const QString url = freshDatabase();
        qputenv("FD_TEST_WRONG_PW", "not-the-password");
        IncidentStore store(
            options(url.section(u'?', 0, 0) + QStringLiteral("?sslmode=disable&password_env=FD_TEST_WRONG_PW")));
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(u"password authentication failed"), qPrintable(error));
        QVERIFY2(error.startsWith(store.displayName()), qPrintable(error));
        QVERIFY(!error.contains(u"not-the-password"));
        QVERIFY(!error.contains(QString::fromLatin1(kPassword)));
        qunsetenv("FD_TEST_WRONG_PW");
    }

    void lifecycleTimelineAndHistory()
    {
        IncidentStore store(options(freshDatabase()));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        Incident inc = makeIncident(QStringLiteral("web-1"), QStringLiteral("down"), 10);
        QVERIFY2(wait(store.createIncident(inc)).ok, "create");
        // A duplicate id is refused alone, with a readable reason.
        const WriteResult dup = wait(store.createIncident(inc));
        QVERIFY(!dup.ok);
        QVERIFY2(dup.error.contains(u"already exists"), qPrintable(dup.error));

        QVERIFY(wait(store.transition(inc.id, step(IncidentState::Located, 11))).ok);
        const WriteResult ack
            = wait(store.acknowledge(inc.id, QStringLiteral("alice"), at(15), QStringLiteral("on it, bob hands over")));
        QVERIFY2(ack.ok, qPrintable(ack.error));
        QVERIFY(wait(store.transition(inc.id, step(IncidentState::Handling, 20, QStringLiteral("alice")))).ok);
        QVERIFY(wait(store.transition(inc.id, step(IncidentState::Handled, 25, QStringLiteral("alice")))).ok);
        // The lifecycle is enforced in one place for both engines.
        const WriteResult refused = wait(store.transition(inc.id, step(IncidentState::Detected, 26)));
        QVERIFY(!refused.ok);
        QVERIFY(wait(store.transition(inc.id, step(IncidentState::Recovering, 30))).ok);
        QVERIFY(wait(store.transition(inc.id, step(IncidentState::Recovered, 40))).ok);
        // An event older than the last update keeps updated_ms (the portable "greatest of").
        QVERIFY(wait(store.addSymptom(inc.id,
                         { at(12), QStringLiteral("api-2"), QStringLiteral("latency"), QStringLiteral("latency"),
                             QStringLiteral("p95 900 ms") }))
                    .ok);
        QVERIFY(wait(store.addEvidence(inc.id,
                         { at(13), QStringLiteral("web-1"), QStringLiteral("tcp"),
                             QJsonObject { { QStringLiteral("port"), 8080 } } }))
                    .ok);
        const QJsonObject baseline { { QStringLiteral("weights"), QJsonObject { { QStringLiteral("web-1"), 50 } } } };
        QVERIFY(wait(store.setBaseline(inc.id, baseline)).ok);
        const WriteResult saved = wait(store.saveSeries(inc.id,
            { { QStringLiteral("web-1"), QStringLiteral("load"), wave(40) },
                { QStringLiteral("web-1"), QStringLiteral("load"), wave(30) } }));
        QVERIFY2(saved.ok, qPrintable(saved.error));

        const std::optional<Incident> back = store.incident(inc.id, true, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(back->state, IncidentState::Recovered);
        QCOMPARE(back->locatedUtc, at(11));
        QCOMPARE(back->acknowledgedUtc, at(15));
        QCOMPARE(back->handledUtc, at(25));
        QCOMPARE(back->recoveredUtc, at(40));
        QCOMPARE(back->updatedUtc, at(40));
        QCOMPARE(back->baseline, baseline);
        QCOMPARE(back->events.size(), 7);
        QCOMPARE(back->events.at(2).actor, QStringLiteral("alice"));
        QCOMPARE(back->events.at(2).note, QStringLiteral("on it, bob hands over"));
        QCOMPARE(back->symptoms.size(), 2);
        QCOMPARE(back->evidence.size(), 2);
        QCOMPARE(back->evidence.at(0).detail.value(QStringLiteral("sample")).toString(), QStringLiteral("refused"));
        // The second save of the same target and signal replaced the first (an upsert on both engines).
        QCOMPARE(back->series.size(), 1);
        QCOMPARE(back->series.at(0).points.size(), 30);
        QVERIFY(std::isnan(back->series.at(0).points.at(7).value));
        QCOMPARE(back->series.at(0).points.at(3).value, std::sin(3 / 5.0) * 100);

        QVERIFY(
            wait(store.createIncident(makeIncident(QStringLiteral("db-1"), QStringLiteral("data-integrity"), 100))).ok);
        QVERIFY(
            wait(store.createIncident(makeIncident(QStringLiteral("web-2"), QStringLiteral("down"), 200, true))).ok);
        IncidentFilter all;
        all.includeDrills = true;
        QCOMPARE(store.count(all), 3);
        QCOMPARE(store.count(), 2); // drills stay out unless asked
        IncidentFilter text;
        text.text = QStringLiteral("HANDS over"); // case-insensitive, on both engines
        const QList<Incident> found = store.incidents(text);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found.at(0).id, inc.id);
        IncidentFilter bySymptom;
        bySymptom.target = QStringLiteral("api-2");
        QCOMPARE(store.count(bySymptom), 1);
        IncidentFilter open;
        open.openOnly = true;
        QCOMPARE(store.count(open), 1);
        const QList<MttxFigures> mttx = store.mttx(IncidentStore::Grouping::Cause);
        QCOMPARE(mttx.size(), 2);
        QCOMPARE(mttx.at(1).key, QStringLiteral("down"));
        QCOMPARE(mttx.at(1).recovered, 1);
        QCOMPARE(mttx.at(1).mttrMs.value_or(-1), 30000.0);
        QCOMPARE(mttx.at(1).mttaMs.value_or(-1), 5000.0);
    }

    void auditIsAppendOnlyForFaultDesksConnection()
    {
        IncidentStore store(options(freshDatabase()));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        const Incident inc = makeIncident(QStringLiteral("web-1"), QStringLiteral("down"), 10);
        QVERIFY(wait(store.createIncident(inc)).ok);
        QVERIFY(store.append(auditRecord(QStringLiteral("a1"), AuditRecord::Phase::Intent, inc.id), &error));
        QVERIFY(store.append(auditRecord(QStringLiteral("a1"), AuditRecord::Phase::Result, inc.id), &error));
        // Through FaultDesk's own connection (the writer's), as any code path in FaultDesk would try it.
        const WriteResult update
            = wait(store.execute(QStringLiteral("UPDATE audit SET status = ?"), { QStringLiteral("forged") }));
        QVERIFY(!update.ok);
        QVERIFY2(update.error.contains(u"append-only: UPDATE refused"), qPrintable(update.error));
        const WriteResult remove = wait(store.execute(QStringLiteral("DELETE FROM audit WHERE seq > ?"), { 0 }));
        QVERIFY(!remove.ok);
        QVERIFY2(remove.error.contains(u"append-only: DELETE refused"), qPrintable(remove.error));
        const WriteResult truncate = wait(store.execute(QStringLiteral("TRUNCATE audit"), {}));
        QVERIFY(!truncate.ok);
        // The refusals are the data's, not an outage: the store stays writable and nothing changed.
        QVERIFY(store.health().writable);
        const QList<AuditRecord> records = store.auditRecords(inc.id);
        QCOMPARE(records.size(), 2);
        QCOMPARE(records.at(1).status, QStringLiteral("ok"));
        QCOMPARE(records.at(1).exitCode.value_or(-1), 0);
        QCOMPARE(store.incident(inc.id)->actions.size(), 2);
        // Even the database superuser, bypassing FaultDesk, meets the trigger.
        bool ok = true;
        m_pg.psql(QStringLiteral("UPDATE audit SET status = 'forged'"), store.url().database(), &ok);
        QVERIFY(!ok);
        // Retention deletes incidents but never their audit trail.
        QVERIFY(wait(store.pruneOlderThan(at(100000))).ok);
        QCOMPARE(store.count(), 0);
        QCOMPARE(store.records().size(), 2);
    }

    void maintenanceWindowsRoundTrip()
    {
        IncidentStore store(options(freshDatabase()));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        MaintenanceStore windows(&store);
        MaintenanceWindow w;
        w.id = QStringLiteral("mw-1");
        w.targets = { QStringLiteral("web-1"), QStringLiteral("web-2") };
        w.groups = { QStringLiteral("web") };
        w.startUtc = at(0);
        w.endUtc = at(3600);
        w.comment = QStringLiteral("kernel upgrade");
        w.createdBy = QStringLiteral("alice");
        QVERIFY2(wait(windows.save(w)).ok, "save");
        // Ending it early is a save of the same id: replaced, not duplicated.
        w.endUtc = at(600);
        w.endedBy = QStringLiteral("bob");
        const WriteResult replaced = wait(windows.save(w));
        QVERIFY2(replaced.ok, qPrintable(replaced.error));
        QList<MaintenanceWindow> back = windows.windows({}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(back.size(), 1);
        QCOMPARE(back.at(0).targets, w.targets);
        QCOMPARE(back.at(0).groups, w.groups);
        QCOMPARE(back.at(0).endUtc, at(600));
        QCOMPARE(back.at(0).endedBy, QStringLiteral("bob"));
        QCOMPARE(back.at(0).comment, QStringLiteral("kernel upgrade"));
        QCOMPARE(windows.windows(at(601)).size(), 0);
        QVERIFY(wait(windows.pruneEndedBefore(at(601))).ok);
        QCOMPARE(windows.windows().size(), 0);
    }

    void refusesNewerSchema()
    {
        const QString url = freshDatabase();
        {
            IncidentStore store(options(url));
            QVERIFY(store.open());
        }
        const QString database = StoreUrl::parse(url)->database();
        bool ok = false;
        m_pg.psql(
            QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(IncidentSchema::currentVersion + 1),
            database, &ok);
        QVERIFY(ok);
        IncidentStore store(options(url));
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(u"newer than this FaultDesk understands"), qPrintable(error));
        // Nothing was written: the newer database is left as it was.
        QCOMPARE(m_pg.psql(QStringLiteral("SELECT MAX(version) FROM schema_version"), database),
            QString::number(IncidentSchema::currentVersion + 1));
    }

    void migratesStepByStep()
    {
        // A database left at version 1 (ISO text times) is brought to the current version by the same steps.
        const std::optional<StoreUrl> url = StoreUrl::parse(freshDatabase());
        QVERIFY(url);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("v1"));
            db.setHostName(url->host());
            db.setPort(url->port());
            db.setDatabaseName(url->database());
            db.setUserName(url->user());
            db.setPassword(url->password().value_or(QString()));
            db.setConnectOptions(url->connectOptions());
            QVERIFY2(db.open(), qPrintable(db.lastError().text()));
            QString error;
            QVERIFY2(IncidentSchema::migrate(db, &error, 1), qPrintable(error));
            QSqlQuery q(db);
            // Recent enough for retention (the store prunes at open).
            QVERIFY(q.exec(QStringLiteral("INSERT INTO incidents (id, root_target, cause_class, state, detected_ms, "
                                          "updated_ms) VALUES ('inc-old', 'web-1', 'down', 'detected', %1, %1)")
                               .arg(at(5).toMSecsSinceEpoch())));
            QVERIFY2(
                q.exec(QStringLiteral("INSERT INTO incident_events (incident_id, time_utc, event, resulting_state) "
                                      "VALUES ('inc-old', '2026-11-02T09:00:05.250Z', 'detected', 'detected')")),
                qPrintable(q.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));
        IncidentStore store(
            options(url->displayName() + QStringLiteral("?sslmode=disable&password_file=") + m_passwordFile));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        const std::optional<Incident> old = store.incident(QStringLiteral("inc-old"), true, &error);
        QVERIFY2(old, qPrintable(error));
        QCOMPARE(old->events.size(), 1);
        QCOMPARE(old->events.at(0).timeUtc, at(5).addMSecs(250));
        QCOMPARE(old->drill, false);
    }

    void twoStoresOnOneDatabaseSeeEachOther()
    {
        const QString url = freshDatabase();
        IncidentStore alice(options(url));
        IncidentStore bob(options(url));
        QString error;
        QVERIFY2(alice.open(&error), qPrintable(error));
        QVERIFY2(bob.open(&error), qPrintable(error));
        const Incident inc = makeIncident(QStringLiteral("web-2"), QStringLiteral("down"), 50);
        QVERIFY(wait(alice.createIncident(inc)).ok);
        QVERIFY(wait(bob.acknowledge(inc.id, QStringLiteral("bob"), at(55), QStringLiteral("mine"))).ok);
        const std::optional<Incident> seenByAlice = alice.incident(inc.id);
        QVERIFY(seenByAlice);
        QCOMPARE(seenByAlice->state, IncidentState::Acknowledged);
        QCOMPARE(seenByAlice->events.constLast().actor, QStringLiteral("bob"));
    }

    void copiesASqliteHistory()
    {
        const QString file = m_dir.filePath(QStringLiteral("operator.db"));
        QStringList ids;
        {
            IncidentStore local(options(file));
            QString error;
            QVERIFY2(local.open(&error), qPrintable(error));
            for (int i = 0; i < 25; ++i) {
                Incident inc = makeIncident(QStringLiteral("web-%1").arg(i % 4),
                    i % 3 ? QStringLiteral("down") : QStringLiteral("overload"), 100 + i * 60, i % 5 == 0);
                QVERIFY(wait(local.createIncident(inc)).ok);
                ids << inc.id;
                QVERIFY(wait(local.transition(inc.id, step(IncidentState::Located, 101 + i * 60))).ok);
                if (i % 2) {
                    QVERIFY(wait(
                        local.acknowledge(inc.id, QStringLiteral("carol"), at(105 + i * 60), QStringLiteral("ack")))
                                .ok);
                    QVERIFY(
                        local.append(auditRecord(QStringLiteral("act-%1").arg(i), AuditRecord::Phase::Intent, inc.id)));
                }
                QVERIFY(
                    wait(local.saveSeries(inc.id, { { inc.rootTarget, QStringLiteral("load"), wave(20 + i) } })).ok);
            }
            QVERIFY(local.append(auditRecord(QStringLiteral("no-incident"), AuditRecord::Phase::Result, QString())));
            MaintenanceWindow w;
            w.id = QStringLiteral("mw-copy");
            w.targets = { QStringLiteral("db-1") };
            w.startUtc = at(0);
            w.endUtc = at(7200);
            QVERIFY(wait(MaintenanceStore(&local).save(w)).ok);
        }
        const QString url = freshDatabase();
        QString error;
        const std::optional<StoreCopy::Result> r = StoreCopy::copy(StoreUrl::file(file), *StoreUrl::parse(url), &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->incidents, 25);
        QCOMPARE(r->skipped, 0);
        QCOMPARE(r->audit, 13);
        QCOMPARE(r->maintenance, 1);

        IncidentStore local(options(file));
        IncidentStore team(options(url));
        QVERIFY2(local.open(&error), qPrintable(error));
        QVERIFY2(team.open(&error), qPrintable(error));
        IncidentFilter all;
        all.includeDrills = true;
        all.limit = 0;
        QCOMPARE(team.count(all), local.count(all));
        QCOMPARE(team.records().size(), local.records().size());
        QCOMPARE(MaintenanceStore(&team).windows().size(), 1);
        // The same history, newest first, and a sample identical to the last field and point.
        QList<QString> localIds, teamIds;
        for (const Incident& i : local.incidents(all))
            localIds << i.id;
        for (const Incident& i : team.incidents(all))
            teamIds << i.id;
        QCOMPARE(teamIds, localIds);
        for (int i : { 0, 1, 7, 12, 24 }) {
            const std::optional<Incident> a = local.incident(ids.at(i));
            const std::optional<Incident> b = team.incident(ids.at(i));
            QVERIFY(a && b);
            QCOMPARE(fingerprint(*b), fingerprint(*a));
        }
        QCOMPARE(team.mttx(IncidentStore::Grouping::Target).size(), local.mttx(IncidentStore::Grouping::Target).size());

        // Again: nothing is added twice.
        const std::optional<StoreCopy::Result> again
            = StoreCopy::copy(StoreUrl::file(file), *StoreUrl::parse(url), &error);
        QVERIFY2(again, qPrintable(error));
        QCOMPARE(again->incidents, 0);
        QCOMPARE(again->skipped, 25);
        QCOMPARE(again->audit, 0);
        QCOMPARE(team.count(all), 25);
        QCOMPARE(team.records().size(), 13);
    }

    void serverRestartLosesNothing()
    {
        IncidentStore store(options(freshDatabase()));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QVERIFY(wait(store.createIncident(makeIncident(QStringLiteral("web-1"), QStringLiteral("down"), 10))).ok);
        QCOMPARE(store.count(), 1);
        // The server restarts under both of the store's connections (the writer's and this thread's reader).
        QVERIFY2(m_pg.restart(&error), qPrintable(error));
        QFuture<WriteResult> during
            = store.createIncident(makeIncident(QStringLiteral("web-2"), QStringLiteral("down"), 20));
        QTRY_VERIFY_WITH_TIMEOUT(during.isFinished(), 15000);
        QVERIFY2(during.result().ok, qPrintable(during.result().error));
        QTRY_COMPARE_WITH_TIMEOUT(store.count(), 2, 5000);
        QVERIFY(store.health().writable);
        QCOMPARE(store.health().pending, 0);
    }

    void verifiesTheServerCertificate()
    {
        // A second server, serving TLS with its own CA: verify-full against that CA connects, against another fails.
        Test::PostgresHarness tls;
        QString error;
        QVERIFY2(tls.enableTls(&error), qPrintable(error));
        QVERIFY2(tls.initAndStart(&error), qPrintable(error));
        QVERIFY(tls.createRole(QStringLiteral("faultdesk"), QString::fromLatin1(kPassword)));
        QVERIFY(tls.createDatabase(QStringLiteral("fd"), QStringLiteral("faultdesk")));
        const QString base = tls.dsn(QStringLiteral("faultdesk"), QStringLiteral("fd"))
            + QStringLiteral("?password_file=") + m_passwordFile + QStringLiteral("&sslmode=verify-full&sslrootcert=");
        {
            IncidentStore store(options(base + tls.caFile()));
            QVERIFY2(store.open(&error), qPrintable(error));
            QVERIFY(wait(store.createIncident(makeIncident(QStringLiteral("web-1"), QStringLiteral("down"), 10))).ok);
            QCOMPARE(tls.psql(QStringLiteral("SELECT COUNT(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                                             "WHERE s.ssl AND a.usename = 'faultdesk'"),
                            QStringLiteral("fd"))
                         .toInt()
                    > 0,
                true);
        }
        const QString otherCa = m_dir.filePath(QStringLiteral("other-ca.pem"));
        QVERIFY2(Test::PostgresHarness::makeSelfSigned(m_dir.filePath(QStringLiteral("other-ca.key")), otherCa, &error),
            qPrintable(error));
        IncidentStore impostor(options(base + otherCa));
        QVERIFY(!impostor.open(&error));
        QVERIFY2(error.contains(u"certificate verify failed"), qPrintable(error));
    }

    void unreachableServerKeepsWritesWaiting()
    {
        // A port nothing listens on: open fails with the store's name, the write waits in the run's local journal
        // (on disk, acknowledged as journaled, not as in the database), nothing is lost.
        const QString url = QStringLiteral("postgresql://faultdesk@127.0.0.1:1/fd?sslmode=disable&connect_timeout=2");
        IncidentStore store(options(url));
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.startsWith(u"postgresql://faultdesk@127.0.0.1:1/fd"), qPrintable(error));
        QFuture<WriteResult> write
            = store.createIncident(makeIncident(QStringLiteral("web-1"), QStringLiteral("down"), 1));
        QTRY_VERIFY_WITH_TIMEOUT(write.isFinished(), 10000);
        QVERIFY(write.result().ok);
        QVERIFY(write.result().journaled);
        QVERIFY(!store.health().writable);
        QCOMPARE(store.health().journaled, 1);
        QCOMPARE(store.health().pending, 0);
    }
};

QTEST_GUILESS_MAIN(TestPostgresIncidentStore)
#include "tst_postgresincidentstore.moc"
