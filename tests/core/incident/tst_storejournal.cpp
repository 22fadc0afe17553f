// The incident store's faults of its own, on a real PostgreSQL the test starts and stops: while the server is away
// writes go to the local on-disk journal and count as recorded; when it returns they are replayed in order, exactly
// once (also after a crash of the recording process, and after a replay cut short), the journal is deleted, and the
// database passes its integrity checks. A full journal refuses writes loudly, never silently.
#include "incident/incidentstore.h"
#include "incident/storejournal.h"
#include "shared/postgresharness.h"

#include <QFile>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

namespace {
const QDateTime t0 = QDateTime(QDate(2026, 11, 2), QTime(9, 0), Qt::UTC);
const QByteArray kPassword = "journal-secret-51c2";

IncidentFilter everything()
{
    IncidentFilter f;
    f.includeDrills = true;
    return f;
}

WriteResult wait(QFuture<WriteResult> f)
{
    f.waitForFinished();
    return f.result();
}

Incident makeIncident(int n)
{
    Incident i;
    i.id = IncidentStore::newId();
    i.rootTarget = QStringLiteral("web-%1").arg(n % 3);
    i.causeClass = QStringLiteral("down");
    i.title = QStringLiteral("web-%1 down (#%2)").arg(n % 3).arg(n);
    i.detectedUtc = t0.addSecs(n);
    i.symptoms.append({ t0.addSecs(n), QStringLiteral("api-1"), QStringLiteral("http"), QStringLiteral("errors"),
        QStringLiteral("depends on web") });
    i.evidence.append({ t0.addSecs(n), i.rootTarget, QStringLiteral("hard-down"),
        QJsonObject { { QStringLiteral("failures"), 3 } } });
    return i;
}

IncidentEvent stepAt(IncidentState state, int n, const QString& actor = QStringLiteral("auto"))
{
    IncidentEvent e;
    e.state = state;
    e.timeUtc = t0.addSecs(n).addMSecs(500);
    e.actor = actor;
    return e;
}

AuditRecord intent(const QString& incidentId, int n)
{
    AuditRecord r;
    r.actionId = QStringLiteral("act-%1").arg(n);
    r.phase = AuditRecord::Phase::Intent;
    r.timeUtc = t0.addSecs(n + 1);
    r.operatorName = QStringLiteral("alice");
    r.target = QStringLiteral("web-1");
    r.incidentId = incidentId;
    r.runbook = QStringLiteral("crash/handle#1");
    r.actionKind = QStringLiteral("command");
    r.description = QStringLiteral("systemctl restart web");
    return r;
}
} // namespace

class TestStoreJournal : public QObject
{
    Q_OBJECT

    Test::PostgresHarness m_pg;
    QTemporaryDir m_dir;
    QString m_passwordFile;
    int m_databases = 0;

    QString freshDatabase()
    {
        const QString name = QStringLiteral("jr%1").arg(++m_databases);
        if (!m_pg.createDatabase(name, QStringLiteral("faultdesk")))
            return QString();
        return m_pg.dsn(QStringLiteral("faultdesk"), name)
            + QStringLiteral("?sslmode=disable&connect_timeout=2&password_file=") + m_passwordFile;
    }

    IncidentStore::Options options(const QString& url, const QString& journalDir, qint64 maxBytes = 64 << 20) const
    {
        IncidentStore::Options o;
        o.path = url;
        o.pruneIntervalMs = 0;
        o.retryIntervalMs = 200;
        o.journalDirectory = journalDir;
        o.journalMaxBytes = maxBytes;
        o.clock = [] { return t0.addSecs(3600); };
        return o;
    }

    QString psql(const QString& sql, const QString& database) const
    {
        bool ok = false;
        const QString out = m_pg.psql(sql, database, &ok);
        return ok ? out : QStringLiteral("(psql failed)");
    }

    /// Row counts and constraints a replay could break: no orphans, no event or audit row twice.
    void checkPostgresIntegrity(const QString& database)
    {
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM incident_events e LEFT JOIN incidents i ON i.id = "
                                     "e.incident_id WHERE i.id IS NULL"),
                     database),
            QStringLiteral("0"));
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM (SELECT incident_id, event FROM incident_events GROUP BY "
                                     "incident_id, event HAVING count(*) > 1) d"),
                     database),
            QStringLiteral("0"));
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM (SELECT incident_id, time_ms, target FROM symptoms GROUP "
                                     "BY 1, 2, 3 HAVING count(*) > 1) d"),
                     database),
            QStringLiteral("0"));
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM (SELECT action_id, phase FROM audit GROUP BY 1, 2 HAVING "
                                     "count(*) > 1) d"),
                     database),
            QStringLiteral("0"));
        // Every foreign key and check constraint still validates.
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = "
                                     "c.connamespace WHERE n.nspname = 'public' AND NOT c.convalidated"),
                     database),
            QStringLiteral("0"));
    }

    void restartServer()
    {
        QString error;
        QVERIFY2(m_pg.start(&error), qPrintable(error));
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

    void cleanup()
    {
        // A failed test must not leave the next one without a server.
        if (!m_pg.isRunning()) {
            QString error;
            m_pg.start(&error);
        }
    }

    void serverStoppedDuringRecordingLosesNothing()
    {
        const QString url = freshDatabase();
        QVERIFY(!url.isEmpty());
        QTemporaryDir local;
        IncidentStore store(options(url, local.path()));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QVERIFY(store.health().server);
        QVERIFY(store.health().journalEnabled);
        QSignalSpy health(&store, &IncidentStore::healthChanged);

        // What the recorder was told is recorded: every future that came back ok.
        QStringList acknowledged;
        int auditAcknowledged = 0;
        auto record = [&](int n, bool expectJournaled) {
            const Incident inc = makeIncident(n);
            const WriteResult created = wait(store.createIncident(inc));
            QVERIFY2(created.ok, qPrintable(created.error));
            QCOMPARE(created.journaled, expectJournaled);
            QVERIFY(wait(store.transition(inc.id, stepAt(IncidentState::Located, n))).ok);
            // Manual Handle goes on: its audit intent is on disk before the step may run.
            const WriteResult audit = wait(store.appendAudit(intent(inc.id, n)));
            QVERIFY2(audit.ok, qPrintable(audit.error));
            QCOMPARE(audit.journaled, expectJournaled);
            const WriteResult ack = wait(store.acknowledge(inc.id, QStringLiteral("alice"), t0.addSecs(n + 2)));
            QVERIFY2(ack.ok, qPrintable(ack.error));
            acknowledged << inc.id;
            ++auditAcknowledged;
        };
        for (int n = 0; n < 20; ++n)
            record(n, false);
        QVERIFY(!QFile::exists(store.journalPath()));

        m_pg.stop();
        QVERIFY(!m_pg.isRunning());
        const QDateTime stopped = QDateTime::currentDateTimeUtc();
        for (int n = 20; n < 60; ++n) {
            record(n, true);
            if (QTest::currentTestFailed())
                return;
        }
        StoreHealth h = store.health();
        QVERIFY(!h.writable);
        QVERIFY(h.downSinceUtc.isValid());
        QVERIFY(h.downSinceUtc >= stopped.addSecs(-1));
        QCOMPARE(h.journaled, 40 * 4);
        QVERIFY(h.journalBytes > 0);
        QVERIFY(QFile::exists(store.journalPath()));
        // The history is unavailable, and says so, rather than empty.
        QString readError;
        const QList<Incident> shown = store.incidents({}, &readError);
        QVERIFY(shown.isEmpty());
        QVERIFY2(!readError.isEmpty(), "a read while the server is away must fail with a reason");
        // A while down, retrying all along: still nothing lost.
        QTest::qWait(1500);
        QCOMPARE(store.health().journaled, 40 * 4);

        restartServer();
        QTRY_VERIFY_WITH_TIMEOUT(store.health().writable && store.health().journaled == 0, 30000);
        QVERIFY(!QFile::exists(store.journalPath()));
        QVERIFY(!store.health().downSinceUtc.isValid());
        QCOMPARE(store.health().replayRefused, quint64(0));
        QVERIFY(health.count() > 0);

        const QString db = store.url().database();
        QCOMPARE(store.count(everything()), acknowledged.size());
        for (const QString& id : std::as_const(acknowledged)) {
            const std::optional<Incident> inc = store.incident(id, false, &readError);
            QVERIFY2(inc, qPrintable(readError));
            QCOMPARE(inc->state, IncidentState::Acknowledged);
            QCOMPARE(inc->events.size(), 3); // detected, located, acknowledged: each once
            QCOMPARE(inc->symptoms.size(), 1);
            QCOMPARE(inc->evidence.size(), 1);
            QCOMPARE(inc->actions.size(), 1);
        }
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM audit"), db), QString::number(auditAcknowledged));
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM store_journal_applied"), db), QString::number(40 * 4));
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
        checkPostgresIntegrity(db);
    }

    void replayCutShortAppliesNothingTwice()
    {
        const QString url = freshDatabase();
        QTemporaryDir local;
        QString journal;
        QByteArray leftBehind;
        QStringList ids;
        {
            IncidentStore store(options(url, local.path()));
            QVERIFY(store.open());
            journal = store.journalPath();
            m_pg.stop();
            for (int n = 0; n < 10; ++n) {
                const Incident inc = makeIncident(n);
                QVERIFY(wait(store.createIncident(inc)).journaled);
                QVERIFY(wait(store.transition(inc.id, stepAt(IncidentState::Located, n))).journaled);
                ids << inc.id;
            }
            QFile f(journal);
            QVERIFY(f.open(QIODevice::ReadOnly));
            leftBehind = f.readAll();
            restartServer();
            QTRY_VERIFY_WITH_TIMEOUT(store.health().journaled == 0, 30000);
            QVERIFY(!QFile::exists(journal));
        }
        // As a crash between the replay's COMMIT and the file's removal leaves it: the whole journal, once more.
        {
            QFile f(journal);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(leftBehind);
        }
        IncidentStore again(options(url, local.path()));
        QVERIFY(again.open());
        QTRY_VERIFY_WITH_TIMEOUT(again.health().journaled == 0 && !QFile::exists(journal), 30000);
        QCOMPARE(again.count(everything()), 10);
        for (const QString& id : std::as_const(ids))
            QCOMPARE(again.incident(id, false)->events.size(), 2);
        checkPostgresIntegrity(again.url().database());
    }

    void crashWithAFullJournalReplaysItOnRestart()
    {
        const QString url = freshDatabase();
        QTemporaryDir local;
        const QString helper = QCoreApplication::applicationDirPath() + QStringLiteral("/incidentkillhelper");
        QVERIFY2(QFileInfo::exists(helper), qPrintable(helper));

        QProcess child;
        child.start(helper, { url, local.path() });
        QVERIFY2(child.waitForStarted(10000), qPrintable(child.errorString()));
        QByteArray out;
        auto readUntil = [&](int lines, int timeoutMs) {
            QDeadlineTimer deadline(timeoutMs);
            while (out.count('\n') < lines && !deadline.hasExpired() && child.state() == QProcess::Running) {
                child.waitForReadyRead(100);
                out += child.readAllStandardOutput();
            }
            return out.count('\n') >= lines;
        };
        QVERIFY2(readUntil(50, 30000), child.readAllStandardError().constData());
        m_pg.stop();
        // The child goes on: what it prints now was acknowledged from the journal alone.
        const int beforeStop = int(out.count('\n'));
        QVERIFY2(readUntil(beforeStop + 200, 30000), child.readAllStandardError().constData());
        child.kill(); // SIGKILL, journal not empty
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        out += child.readAllStandardOutput();
        QList<QByteArray> lines = out.split('\n');
        lines.removeLast(); // empty after the last newline, or a torn id never shown whole
        QSet<QString> acknowledged;
        for (const QByteArray& line : std::as_const(lines))
            acknowledged.insert(QString::fromLatin1(line));

        const QStringList journals = QDir(local.path()).entryList({ QStringLiteral("store-journal-*.jsonl") });
        QCOMPARE(journals.size(), 1);
        QVERIFY(QFileInfo(local.filePath(journals.constFirst())).size() > 0);

        restartServer();
        IncidentStore store(options(url, local.path()));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(store.health().journaled == 0 && store.health().writable, 60000);
        QVERIFY(!QFile::exists(store.journalPath()));
        const QString db = store.url().database();
        for (const QString& id : std::as_const(acknowledged)) {
            const std::optional<Incident> inc = store.incident(id, false, &error);
            QVERIFY2(inc, qPrintable(QStringLiteral("%1 was acknowledged but is missing: %2").arg(id, error)));
            QCOMPARE(inc->state, IncidentState::Acknowledged);
            QCOMPARE(inc->events.size(), 3);
        }
        QCOMPARE(store.health().replayRefused, quint64(0));
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
        checkPostgresIntegrity(db);
        qInfo("acknowledged %lld incidents, %d of them from the journal alone; all in PostgreSQL after the replay",
            qint64(acknowledged.size()), int(acknowledged.size()) - beforeStop);
    }

    void fullJournalRefusesWritesLoudly()
    {
        const QString url = freshDatabase();
        QTemporaryDir local;
        IncidentStore store(options(url, local.path(), 8 * 1024));
        QVERIFY(store.open());
        QSignalSpy errors(&store, &IncidentStore::errorOccurred);
        m_pg.stop();
        QStringList kept;
        WriteResult refused;
        for (int n = 0; n < 200; ++n) {
            const Incident inc = makeIncident(n);
            const WriteResult r = wait(store.createIncident(inc));
            if (!r.ok) {
                refused = r;
                break;
            }
            QVERIFY(r.journaled);
            kept << inc.id;
        }
        QVERIFY2(!kept.isEmpty() && kept.size() < 200, "the 8 KiB journal fills after a few incidents");
        QVERIFY2(refused.error.contains(QStringLiteral("journal is full")), qPrintable(refused.error));
        QVERIFY2(refused.error.contains(QStringLiteral("NOT recorded")), qPrintable(refused.error));
        QVERIFY(store.health().journalFull);
        QVERIFY(store.health().dropped >= 1);
        // The operator hears of it (the console shows errorOccurred as a notification), not only the caller.
        QTRY_VERIFY(std::any_of(errors.cbegin(), errors.cend(),
            [](const QList<QVariant>& e) { return e.at(0).toString().contains(QStringLiteral("NOT recorded")); }));

        restartServer();
        QTRY_VERIFY_WITH_TIMEOUT(store.health().journaled == 0 && store.health().writable, 30000);
        QVERIFY(!store.health().journalFull);
        QCOMPARE(store.count(everything()), kept.size());
        // Space again: writes are taken.
        QVERIFY(wait(store.createIncident(makeIncident(500))).ok);
    }

    void secondProcessDoesNotShareTheJournal()
    {
        QTemporaryDir local;
        StoreJournal first(local.filePath(QStringLiteral("j.jsonl")), 1 << 20);
        QString error;
        QVERIFY2(first.open(&error), qPrintable(error));
        StoreJournal second(local.filePath(QStringLiteral("j.jsonl")), 1 << 20);
        // QLockFile keeps even this process's second handle off (the lock is per file, not per process).
        QVERIFY(!second.open(&error));
        QVERIFY2(error.contains(QStringLiteral("in use")), qPrintable(error));
    }

    void tornLastLineIsCutOff()
    {
        QTemporaryDir local;
        const QString path = local.filePath(QStringLiteral("j.jsonl"));
        {
            StoreJournal j(path, 1 << 20);
            QVERIFY(j.open(nullptr));
            QString error;
            QCOMPARE(j.append({ StoreWrite::execute(QStringLiteral("SELECT 1"), { 1, QStringLiteral("a") }),
                                  StoreWrite::appendAudit(intent(QStringLiteral("inc-1"), 1)) },
                         &error),
                2);
        }
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::Append));
            f.write("{\"seq\":3,\"write\":{\"kind\":\"exec"); // a crash mid-append: never acknowledged
        }
        StoreJournal j(path, 1 << 20);
        QVERIFY(j.open(nullptr));
        QCOMPARE(j.size(), 2);
        QCOMPARE(j.recovered(), 2);
        QCOMPARE(j.entries().at(0).write.binds(), QVariantList({ qint64(1), QStringLiteral("a") }));
        QCOMPARE(j.entries().at(1).write.auditRecord()->actionId, QStringLiteral("act-1"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray text = f.readAll();
            QVERIFY(text.endsWith('\n'));
            QCOMPARE(text.count('\n'), 3); // the header and the two whole writes
        }
        j.dropReplayed(2);
        QVERIFY(!QFile::exists(path));
    }
};

QTEST_GUILESS_MAIN(TestStoreJournal)
#include "tst_storejournal.moc"
