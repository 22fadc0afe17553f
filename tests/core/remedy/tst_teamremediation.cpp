// Two consoles of a team on one PostgreSQL (two real teamconsole processes, automation on in both) and one crashed
// target: exactly one console's automation owns the fault — one Handle and one Recover in all — and the other says
// who handles it. Then the owner is killed with SIGKILL mid-step: the server releases its advisory lock, and the
// survivor lists the unfinished remediation and does not run it again by itself. A console whose lock session the
// server ends mid-run does not run the next step (fail closed) and says why.
#include "incident/incidentstore.h"
#include "shared/postgresharness.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

namespace {
const QByteArray kPassword = "team-locks-77a";

struct Console
{
    QProcess process;
    QByteArray out;
    int count(const QByteArray& what) const { return int(out.count(what)); }
    /// "run-finished ID PURPOSE RESULT" lines of @p purpose (0 Handle, 1 Recover), whatever the result.
    int finished(int purpose) const
    {
        int n = 0;
        for (const QByteArray& line : out.split('\n'))
            if (line.startsWith("run-finished ") && line.split(' ').value(2) == QByteArray::number(purpose))
                ++n;
        return n;
    }
};
} // namespace

class TestTeamRemediation : public QObject
{
    Q_OBJECT

    Test::PostgresHarness m_pg;
    QTemporaryDir m_dir;
    quint16 m_port = 0; ///< app-1's port in the fleet written last

    QString url(const QString& database) const
    {
        return m_pg.dsn(u"faultdesk"_qs, database) + u"?sslmode=disable&password_env=FD_TEAM_PW"_qs;
    }

    // A fleet of one TCP target nothing listens on (down from the start) with a runbook whose Handle steps run
    // @p handleCommands, one step each.
    QString writeFleet(const QString& name, const QList<QByteArray>& handleCommands)
    {
        QTcpServer closed;
        closed.listen(QHostAddress::LocalHost, 0);
        const quint16 port = closed.serverPort();
        closed.close();
        m_port = port;
        const QString path = m_dir.filePath(name + u".yaml"_qs);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write("version: 1\n"
                "defaults: { interval: 200ms, timeout: 150ms, attempts: 2, retry_interval: 100ms }\n"
                "targets:\n"
                "  - name: app-1\n"
                "    probes: [{ kind: tcp, address: '127.0.0.1:"
            + QByteArray::number(port)
            + "' }]\n"
              "runbooks:\n"
              "  - name: hold\n"
              "    on: [down]\n"
              "    handle:\n");
        for (int i = 0; i < handleCommands.size(); ++i)
            f.write("      - { name: step " + QByteArray::number(i + 1) + ", command: " + handleCommands.at(i)
                + ", deadline: 60s }\n");
        f.write("    recover:\n"
                "      - { name: readmit, command: ['true'], deadline: 10s }\n");
        return path;
    }

    bool prepareDatabase(const QString& name)
    {
        if (!m_pg.createDatabase(name, u"faultdesk"_qs))
            return false;
        IncidentStore::Options o;
        o.path = url(name);
        o.pruneIntervalMs = 0;
        IncidentStore store(o);
        return store.open();
    }

    void start(Console& c, const QString& fleet, const QString& database, const QString& name)
    {
        connect(&c.process, &QProcess::readyReadStandardOutput, &c.process,
            [&c] { c.out += c.process.readAllStandardOutput(); });
        c.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QDir().mkpath(m_dir.filePath(name));
        c.process.start(QStringLiteral(TEAM_CONSOLE),
            { fleet, url(database), m_dir.filePath(name + u"/locks"_qs), m_dir.filePath(name + u"/automation.json"_qs),
                u"--auto"_qs });
        QVERIFY(c.process.waitForStarted());
    }

    static void stop(Console& c)
    {
        c.process.kill();
        c.process.waitForFinished(5000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_pg.initAndStart(&error), qPrintable(error));
        QVERIFY(m_pg.createRole(u"faultdesk"_qs, QString::fromLatin1(kPassword)));
        qputenv("FD_TEAM_PW", kPassword); // inherited by the consoles
    }

    void oneConsoleOwnsTheFault()
    {
        QVERIFY(prepareDatabase(u"one"_qs));
        const QString fleet = writeFleet(u"one"_qs, { "[sleep, '2']" });
        Console a;
        Console b;
        start(a, fleet, u"one"_qs, u"a"_qs);
        start(b, fleet, u"one"_qs, u"b"_qs);
        QTRY_VERIFY_WITH_TIMEOUT(a.out.contains("ready\n") && b.out.contains("ready\n"), 20000);

        // The Handle's restart takes effect: app-1 answers again (Recover verifies that it does).
        QTRY_VERIFY_WITH_TIMEOUT(a.out.contains("run-started") || b.out.contains("run-started"), 30000);
        QTcpServer restarted;
        QVERIFY(restarted.listen(QHostAddress::LocalHost, m_port));
        // One Handle, then one Recover, by whichever console took the lock.
        QTRY_VERIFY_WITH_TIMEOUT(a.finished(1) + b.finished(1) == 1, 30000);
        Console& owner = a.out.contains("run-started") ? a : b;
        Console& other = &owner == &a ? b : a;
        QTRY_VERIFY_WITH_TIMEOUT(other.out.contains("elsewhere "), 10000);
        // Named at once, or as soon as the owner's holder record is read (it takes the lock, then records itself).
        QTRY_VERIFY2_WITH_TIMEOUT(other.out.contains(" handled by auto ("), other.out.constData(), 10000);
        QTest::qWait(3000); // nobody acts a second time afterwards
        QCOMPARE(owner.finished(1), 1);
        QVERIFY2(owner.out.contains(" 1 0\n"), owner.out.constData()); // Recover succeeded: app-1 verified
        const QByteArray both = a.out + b.out;
        QCOMPARE(int(both.count("run-started ")), 2);
        QCOMPARE(owner.finished(0), 1);
        QVERIFY2(!other.out.contains("run-started"), other.out.constData());
        QCOMPARE(m_pg.psql(u"SELECT COUNT(DISTINCT action_id) FROM audit WHERE phase = 'intent'"
                           " AND runbook = 'hold/handle#1'"_qs,
                     u"one"_qs),
            u"1"_qs);
        QCOMPARE(m_pg.psql(u"SELECT COUNT(DISTINCT action_id) FROM audit WHERE phase = 'intent'"
                           " AND runbook = 'hold/recover#1'"_qs,
                     u"one"_qs),
            u"1"_qs);
        stop(a);
        stop(b);
    }

    void killedOwnerReleasesItsLockAndTheSurvivorDoesNotRerun()
    {
        QVERIFY(prepareDatabase(u"kill"_qs));
        const QString fleet = writeFleet(u"kill"_qs, { "[sleep, '20']" });
        Console a;
        Console b;
        start(a, fleet, u"kill"_qs, u"a"_qs);
        start(b, fleet, u"kill"_qs, u"b"_qs);
        QTRY_VERIFY_WITH_TIMEOUT(a.out.contains("ready\n") && b.out.contains("ready\n"), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(a.out.contains("run-started") || b.out.contains("run-started"), 30000);
        Console& owner = a.out.contains("run-started") ? a : b;
        Console& survivor = &owner == &a ? b : a;
        QTRY_VERIFY_WITH_TIMEOUT(survivor.out.contains("elsewhere "), 10000);
        QCOMPARE(m_pg.psql(u"SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'"_qs, u"kill"_qs), u"1"_qs);
        survivor.process.write("status app-1\n");
        QTRY_VERIFY_WITH_TIMEOUT(survivor.out.contains("status held="), 10000);
        QVERIFY2(survivor.out.contains("lock=auto ("), survivor.out.constData());
        QVERIFY2(survivor.out.contains(" is handling app-1 since "), survivor.out.constData());

        owner.process.kill(); // SIGKILL mid-step: no release, no result
        QVERIFY(owner.process.waitForFinished(5000));
        // The server ends the dead console's session and with it the lock.
        QTRY_COMPARE_WITH_TIMEOUT(
            m_pg.psql(u"SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'"_qs, u"kill"_qs), u"0"_qs, 5000);
        // The survivor finds the remediation unfinished (its lock gone without a result) and keeps automation off.
        QTRY_VERIFY_WITH_TIMEOUT(survivor.out.contains("unfinished app-1 hold/handle#1"), 5000);
        survivor.process.write("status app-1\n");
        QTRY_COMPARE_WITH_TIMEOUT(survivor.count("status held="), 2, 10000);
        QVERIFY2(survivor.out.contains("status held=a remediation of app-1 (hold/handle#1 by auto since"),
            survivor.out.constData());
        QTest::qWait(3000);
        QVERIFY2(!survivor.out.contains("run-started"), survivor.out.constData());
        stop(survivor);
    }

    void aLostLockSessionStopsTheNextStep()
    {
        QVERIFY(prepareDatabase(u"lost"_qs));
        const QString fleet = writeFleet(u"lost"_qs, { "[sleep, '3']", "['true']" });
        Console a;
        start(a, fleet, u"lost"_qs, u"a"_qs);
        QTRY_VERIFY_WITH_TIMEOUT(a.out.contains("run-started"), 30000);
        // The server ends the console's lock session during step 1 (a restart, a cut connection, an admin).
        QCOMPARE(m_pg.psql(u"SELECT COUNT(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory'"_qs,
                     u"lost"_qs),
            u"1"_qs);
        QTRY_VERIFY_WITH_TIMEOUT(a.finished(0) == 1, 20000);
        QVERIFY2(a.out.contains("the remediation lock of app-1 was lost"), a.out.constData());
        QVERIFY2(a.out.contains("step not run (fail closed)"), a.out.constData());
        // Step 2 never ran: no intent of it in the audit trail.
        QCOMPARE(m_pg.psql(u"SELECT COUNT(*) FROM audit WHERE runbook LIKE 'hold/handle#2%'"_qs, u"lost"_qs), u"0"_qs);
        QCOMPARE(m_pg.psql(u"SELECT COUNT(*) FROM audit WHERE runbook LIKE 'hold/handle#1%'"_qs, u"lost"_qs), u"2"_qs);
        stop(a);
    }
};

QTEST_GUILESS_MAIN(TestTeamRemediation)
#include "tst_teamremediation.moc"
