// A team's incident database on PostgreSQL, through the real binary: `--db postgresql://…` on the commands that
// open the incident database, `faultdesk db migrate` and `db copy`, and the done-when slice — a drill recorded in
// PostgreSQL by one process (no local database file written) and read back by `faultdesk report` in another.
#include "incident/incidentschema.h"
#include "incident/incidentstore.h"
#include "shared/postgresharness.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

namespace {
const QByteArray kPassword = "team-secret-91c2";

struct Run
{
    int code = -1;
    QString out;
    QString err;
};
} // namespace

class TestTeamStore : public QObject
{
    Q_OBJECT

    Test::PostgresHarness m_pg;
    QTemporaryDir m_dir;
    QString m_url; ///< the team database, password by reference (environment)
    QString m_home; ///< HOME and XDG directories of the processes started: where a local database would land

    Run faultdesk(const QStringList& arguments, int timeoutMs = 60000)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FD_TEAM_PW"), QString::fromLatin1(kPassword));
        env.insert(QStringLiteral("HOME"), m_home);
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home + QStringLiteral("/data"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_STATE_HOME"), m_home + QStringLiteral("/state"));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), arguments);
        Run r;
        if (!p.waitForStarted() || !p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
            r.err = QStringLiteral("did not finish: ") + QString::fromUtf8(p.readAllStandardError().right(3000));
            return r;
        }
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    // Database files anywhere under the processes' home: a team run must leave none.
    QStringList localDatabases() const
    {
        QStringList found;
        QDirIterator it(
            m_home, { QStringLiteral("*.db"), QStringLiteral("*.db-wal") }, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            found << it.next();
        return found;
    }

    QString count(const QString& table)
    {
        return m_pg.psql(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table), QStringLiteral("team"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_home = m_dir.filePath(QStringLiteral("home"));
        QVERIFY(QDir().mkpath(m_home));
        QString error;
        QVERIFY2(m_pg.initAndStart(&error), qPrintable(error));
        QVERIFY(m_pg.createRole(QStringLiteral("faultdesk"), QString::fromLatin1(kPassword)));
        QVERIFY(m_pg.createDatabase(QStringLiteral("team"), QStringLiteral("faultdesk")));
        // This process opens the team database too (the other side of the read-back tests).
        qputenv("FD_TEAM_PW", kPassword);
        m_url = m_pg.dsn(QStringLiteral("faultdesk"), QStringLiteral("team"))
            + QStringLiteral("?sslmode=disable&password_env=FD_TEAM_PW");
    }

    void inlinePasswordIsRefusedWithoutEcho_data()
    {
        QTest::addColumn<QStringList>("arguments");
        const QString url = QStringLiteral("postgresql://faultdesk:Hunter2Hunter2@127.0.0.1:%1/team").arg(m_pg.port());
        const QString out = m_dir.filePath(QStringLiteral("never.md"));
        QTest::addRow("report") << QStringList { QStringLiteral("report"), QStringLiteral("--db"), url,
            QStringLiteral("--last"), QStringLiteral("--format"), QStringLiteral("md"), QStringLiteral("-o"), out };
        QTest::addRow("drill") << QStringList { QStringLiteral("drill"), QStringLiteral("crash"),
            QStringLiteral("--db"), url, QStringLiteral("--auto") };
        QTest::addRow("monitor") << QStringList { QStringLiteral("monitor"), QStringLiteral("fleet.yaml"),
            QStringLiteral("--db"), url };
        QTest::addRow("db migrate") << QStringList { QStringLiteral("db"), QStringLiteral("migrate"),
            QStringLiteral("--db"), url };
        QTest::addRow("db copy") << QStringList { QStringLiteral("db"), QStringLiteral("copy"),
            QStringLiteral("--from"), m_dir.filePath(QStringLiteral("x.db")), QStringLiteral("--to"), url };
    }
    void inlinePasswordIsRefusedWithoutEcho()
    {
        QFETCH(QStringList, arguments);
        const Run r = faultdesk(arguments);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(u"password inline"), qPrintable(r.err));
        QVERIFY2(!r.err.contains(u"Hunter2") && !r.out.contains(u"Hunter2"), qPrintable(r.err));
    }

    void migrateCreatesTheSchema()
    {
        const Run r = faultdesk({ QStringLiteral("db"), QStringLiteral("migrate"), QStringLiteral("--db"), m_url });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(u"schema version %1"_qs.arg(IncidentSchema::currentVersion)), qPrintable(r.out));
        QVERIFY2(!r.out.contains(QString::fromLatin1(kPassword)), qPrintable(r.out));
        QCOMPARE(m_pg.psql(QStringLiteral("SELECT MAX(version) FROM schema_version"), QStringLiteral("team")),
            QString::number(IncidentSchema::currentVersion));
        QVERIFY(localDatabases().isEmpty());
    }

    void drillRecordsInPostgresAndAnotherProcessReportsIt()
    {
        const Run drill = faultdesk(
            { QStringLiteral("drill"), QStringLiteral("crash"), QStringLiteral("--auto"), QStringLiteral("--json"),
                QStringLiteral("--timeout"), QStringLiteral("40"), QStringLiteral("--db"), m_url },
            180000);
        const QJsonObject summary = QJsonDocument::fromJson(drill.out.trimmed().toUtf8()).object();
        QVERIFY2(drill.code == 0, qPrintable(drill.out + u'\n' + drill.err.right(3000)));
        QCOMPARE(summary.value(QStringLiteral("drill")).toString(), QStringLiteral("crash"));
        // Recorded in PostgreSQL, and nothing written to a local database file.
        QVERIFY2(count(QStringLiteral("incidents")).toInt() >= 1, qPrintable(count(QStringLiteral("incidents"))));
        QVERIFY(count(QStringLiteral("audit")).toInt() >= 2);
        QVERIFY2(localDatabases().isEmpty(), qPrintable(localDatabases().join(u", ")));
        const QString newest = m_pg.psql(
            QStringLiteral("SELECT id FROM incidents ORDER BY detected_ms DESC, id LIMIT 1"), QStringLiteral("team"));

        // Another process reads it back: the report of the last incident, from the team database.
        const QString out = m_dir.filePath(QStringLiteral("last.json"));
        const Run report = faultdesk({ QStringLiteral("report"), QStringLiteral("--db"), m_url,
            QStringLiteral("--last"), QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("-o"), out });
        QVERIFY2(report.code == 0, qPrintable(report.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(f.readAll()).object();
        const QJsonArray incidents = json.value(QStringLiteral("incidents")).toArray();
        QCOMPARE(incidents.size(), 1);
        const QJsonObject incident = incidents.at(0).toObject();
        QCOMPARE(incident.value(QStringLiteral("id")).toString(), newest);
        QCOMPARE(incident.value(QStringLiteral("root_target")).toString(), QStringLiteral("web-2"));
        QCOMPARE(incident.value(QStringLiteral("cause_class")).toString(), QStringLiteral("down"));
        QCOMPARE(incident.value(QStringLiteral("drill")).toBool(), true);
        QCOMPARE(incident.value(QStringLiteral("state")).toString(), QStringLiteral("recovered"));
        // With its timeline, evidence and the audit trail of the actions the drill took.
        QVERIFY(incident.value(QStringLiteral("timeline")).toArray().size() >= 4);
        QVERIFY(!incident.value(QStringLiteral("evidence")).toArray().isEmpty());
        QVERIFY(!incident.value(QStringLiteral("actions")).toArray().isEmpty());
        QVERIFY(localDatabases().isEmpty());

        // And this process, a third one, sees the same incident with its audit trail.
        IncidentStore::Options o;
        o.path = m_url;
        o.pruneIntervalMs = 0;
        IncidentStore store(o);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        const std::optional<Incident> seen = store.incident(newest, true, &error);
        QVERIFY2(seen, qPrintable(error));
        QCOMPARE(seen->rootTarget, QStringLiteral("web-2"));
        QCOMPARE(seen->actions.size(), incident.value(QStringLiteral("actions")).toArray().size());
        QCOMPARE(seen->events.size(), incident.value(QStringLiteral("timeline")).toArray().size());
    }

    void anotherProcessSeesThisOnesIncidentAndAcknowledgement()
    {
        IncidentStore::Options o;
        o.path = m_url;
        o.pruneIntervalMs = 0;
        IncidentStore store(o);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        Incident inc;
        inc.rootTarget = QStringLiteral("db-primary");
        inc.causeClass = QStringLiteral("data-integrity");
        inc.title = QStringLiteral("db-primary: checksum mismatch");
        inc.detectedUtc = QDateTime::currentDateTimeUtc();
        auto created = store.createIncident(inc);
        created.waitForFinished();
        QVERIFY(created.result().ok);
        const QString id = created.result().incidentId;
        auto ack
            = store.acknowledge(id, QStringLiteral("alice"), inc.detectedUtc.addSecs(5), QStringLiteral("taking it"));
        ack.waitForFinished();
        QVERIFY(ack.result().ok);

        const QString out = m_dir.filePath(QStringLiteral("ack.json"));
        const Run report
            = faultdesk({ QStringLiteral("report"), QStringLiteral("--db"), m_url, QStringLiteral("--incident"), id,
                QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("-o"), out });
        QVERIFY2(report.code == 0, qPrintable(report.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject incident = QJsonDocument::fromJson(f.readAll())
                                         .object()
                                         .value(QStringLiteral("incidents"))
                                         .toArray()
                                         .at(0)
                                         .toObject();
        QCOMPARE(incident.value(QStringLiteral("state")).toString(), QStringLiteral("acknowledged"));
        const QJsonObject last = incident.value(QStringLiteral("timeline")).toArray().last().toObject();
        QCOMPARE(last.value(QStringLiteral("actor")).toString(), QStringLiteral("alice"));
        QCOMPARE(last.value(QStringLiteral("note")).toString(), QStringLiteral("taking it"));
    }

    void copyMovesASingleOperatorsHistory()
    {
        const QString file = m_dir.filePath(QStringLiteral("alice.db"));
        QStringList ids;
        {
            IncidentStore::Options o;
            o.path = file;
            o.pruneIntervalMs = 0;
            IncidentStore local(o);
            QVERIFY(local.open());
            for (int i = 0; i < 5; ++i) {
                Incident inc;
                inc.rootTarget = QStringLiteral("api-%1").arg(i);
                inc.causeClass = QStringLiteral("errors");
                inc.title = QStringLiteral("api-%1: errors").arg(i);
                inc.detectedUtc = QDateTime::currentDateTimeUtc().addDays(-10 + i);
                auto f = local.createIncident(inc);
                f.waitForFinished();
                QVERIFY(f.result().ok);
                ids << f.result().incidentId;
            }
        }
        const int before = count(QStringLiteral("incidents")).toInt();
        const Run r = faultdesk({ QStringLiteral("db"), QStringLiteral("copy"), QStringLiteral("--from"), file,
            QStringLiteral("--to"), m_url });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(u"5 incidents copied (0 already there)"), qPrintable(r.out));
        QCOMPARE(count(QStringLiteral("incidents")).toInt(), before + 5);
        // The team's report finds an incident that was Alice's alone.
        const QString out = m_dir.filePath(QStringLiteral("copied.md"));
        const Run report
            = faultdesk({ QStringLiteral("report"), QStringLiteral("--db"), m_url, QStringLiteral("--incident"),
                ids.at(2), QStringLiteral("--format"), QStringLiteral("md"), QStringLiteral("-o"), out });
        QVERIFY2(report.code == 0, qPrintable(report.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("api-2"));
        // Again: nothing doubled.
        const Run again = faultdesk({ QStringLiteral("db"), QStringLiteral("copy"), QStringLiteral("--from"), file,
            QStringLiteral("--to"), m_url });
        QVERIFY2(again.code == 0, qPrintable(again.err));
        QVERIFY2(again.out.contains(u"0 incidents copied (5 already there)"), qPrintable(again.out));
        QCOMPARE(count(QStringLiteral("incidents")).toInt(), before + 5);
    }

    void unreachableServerFailsClearly()
    {
        const QString out = m_dir.filePath(QStringLiteral("never.md"));
        const Run r = faultdesk({ QStringLiteral("report"), QStringLiteral("--db"),
            QStringLiteral("postgresql://faultdesk@127.0.0.1:1/team?connect_timeout=2"), QStringLiteral("--last"),
            QStringLiteral("--format"), QStringLiteral("md"), QStringLiteral("-o"), out });
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains(u"postgresql://faultdesk@127.0.0.1:1/team"), qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestTeamStore)
#include "tst_teamstore.moc"
