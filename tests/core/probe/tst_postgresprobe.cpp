// The postgres probe against a real PostgreSQL started here (initdb -k, loopback): its signals, one kept connection,
// each failure classified and bounded by its deadline, and a page corrupted on disk located as a data-integrity
// fault by the monitor.

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "metrics/seriesstore.h"
#include "monitor/monitor.h"
#include "pg/pgconnection.h"
#include "probe/probeengine.h"
#include "shared/postgresharness.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QtTest>

using namespace FaultDesk;
using FaultDesk::Test::PostgresHarness;

namespace {

const QString Role = QStringLiteral("faultdesk");
const QString Password = QStringLiteral("s3cret-pg");
const char* PasswordVariable = "FD_TEST_PG_PASSWORD";

} // namespace

class TestPostgresProbe : public QObject
{
    Q_OBJECT

private:
    PostgresHarness m_pg;

    PostgresDsn dsn(const QString& user = Role, const QString& variable = QString::fromLatin1(PasswordVariable)) const
    {
        QString error;
        auto d = PostgresDsn::parse(m_pg.dsn(user, QStringLiteral("bank")), &error);
        Q_ASSERT(d);
        d->password = SecretRef::env(variable);
        return *d;
    }

    static ProbeResult probeOnce(
        ProbeEngine& engine, const ProbeSpec& spec, const QString& target = QStringLiteral("db-1"))
    {
        QSignalSpy finished(&engine, &ProbeEngine::probeFinished);
        engine.submit(target, 0, spec);
        if (!finished.wait(spec.timeoutMs + 5000))
            return {};
        return finished.first().first().value<ProbeResult>();
    }

    int probeSessions() const
    {
        return m_pg.psql(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'faultdesk'"))
            .toInt();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_pg.enableTls(&error), qPrintable(error));
        QVERIFY2(m_pg.initAndStart(&error), qPrintable(error));
        QVERIFY(m_pg.createRole(Role, Password));
        QVERIFY(m_pg.createDatabase(QStringLiteral("bank")));
        qputenv(PasswordVariable, Password.toUtf8());
        qputenv("FD_TEST_PG_WRONG", "not-the-password");
    }

    void upReportsRoleAndSignals()
    {
        ProbeEngine engine;
        const ProbeResult r = probeOnce(engine, ProbeSpec::postgresql(dsn(), 2000));
        QVERIFY2(r.ok, qPrintable(r.reasonText));
        QCOMPARE(r.kind, ProbeSpec::Kind::Postgres);
        QCOMPARE(r.values.value(QStringLiteral("pg_up")), 1.0);
        QCOMPARE(r.values.value(QStringLiteral("pg_role")), 1.0); // a primary
        QCOMPARE(r.values.value(QStringLiteral("pg_replicas_streaming")), 0.0);
        QVERIFY(!r.values.contains(QStringLiteral("pg_replication_lag_seconds"))); // only replicas lag
        QCOMPARE(r.values.value(QStringLiteral("pg_checksum_failures"), -1), 0.0);
        QCOMPARE(r.values.value(QStringLiteral("pg_checksum_failures_new"), -1), 0.0);
        const double used = r.values.value(QStringLiteral("pg_connections_used_ratio"), -1);
        QVERIFY2(used > 0 && used <= 1, qPrintable(QString::number(used)));
        QVERIFY(r.values.contains(QStringLiteral("pg_oldest_transaction_seconds")));
    }

    void oneConnectionKeptAndReopenedAfterFailure()
    {
        ProbeEngine engine;
        const ProbeSpec spec = ProbeSpec::postgresql(dsn(), 2000);
        for (int i = 0; i < 3; ++i)
            QVERIFY(probeOnce(engine, spec).ok);
        QCOMPARE(probeSessions(), 1);

        // The server ends the session (an administrator, a restart): the probe opens a new one.
        m_pg.psql(QStringLiteral(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'faultdesk'"));
        QTRY_COMPARE_WITH_TIMEOUT(probeSessions(), 0, 5000);
        ProbeResult r = probeOnce(engine, spec);
        if (!r.ok)
            r = probeOnce(engine, spec); // the first may find the dead session
        QVERIFY2(r.ok, qPrintable(r.reasonText));
        QCOMPARE(probeSessions(), 1);
    }

    void oldestTransactionAge()
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("holder"));
        db.setHostName(m_pg.socketDir());
        db.setPort(m_pg.port());
        db.setUserName(QStringLiteral("postgres"));
        db.setDatabaseName(QStringLiteral("bank"));
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QVERIFY(db.transaction());
        QSqlQuery(db).exec(QStringLiteral("SELECT txid_current()"));
        ProbeEngine engine;
        const ProbeSpec spec = ProbeSpec::postgresql(dsn(), 2000);
        QTRY_VERIFY_WITH_TIMEOUT(
            probeOnce(engine, spec).values.value(QStringLiteral("pg_oldest_transaction_seconds")) >= 1.0, 10000);
        db.rollback();
        db.close();
        db = {};
        QSqlDatabase::removeDatabase(QStringLiteral("holder"));
        QTRY_VERIFY_WITH_TIMEOUT(
            probeOnce(engine, spec).values.value(QStringLiteral("pg_oldest_transaction_seconds"), -1) < 1.0, 10000);
    }

    void failuresAreClassified_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("variable");
        QTest::addColumn<bool>("refusedPort");
        QTest::addColumn<ProbeResult::FailureReason>("reason");
        QTest::addColumn<QString>("text");
        QTest::addRow("wrong password is a configuration error")
            << Role << QStringLiteral("FD_TEST_PG_WRONG") << false << ProbeResult::FailureReason::Config
            << QStringLiteral("password authentication failed");
        QTest::addRow("unknown role is a configuration error")
            << QStringLiteral("nobody") << QString::fromLatin1(PasswordVariable) << false
            << ProbeResult::FailureReason::Config << QStringLiteral("nobody");
        QTest::addRow("unset password variable is a configuration error")
            << Role << QStringLiteral("FD_TEST_PG_UNSET") << false << ProbeResult::FailureReason::Config
            << QStringLiteral("env:FD_TEST_PG_UNSET");
        QTest::addRow("nothing listening is refused")
            << Role << QString::fromLatin1(PasswordVariable) << true << ProbeResult::FailureReason::Refused
            << QStringLiteral("refused");
    }

    void failuresAreClassified()
    {
        QFETCH(QString, user);
        QFETCH(QString, variable);
        QFETCH(bool, refusedPort);
        QFETCH(ProbeResult::FailureReason, reason);
        QFETCH(QString, text);
        PostgresDsn d = dsn(user, variable);
        if (refusedPort) {
            QTcpServer closed;
            QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
            d.port = closed.serverPort();
        }
        ProbeEngine engine;
        const ProbeResult r = probeOnce(engine, ProbeSpec::postgresql(d, 2000));
        QVERIFY(!r.ok);
        QCOMPARE(ProbeResult::reasonName(r.reason), ProbeResult::reasonName(reason));
        QVERIFY2(r.reasonText.contains(text, Qt::CaseInsensitive), qPrintable(r.reasonText));
        QVERIFY2(!r.reasonText.contains(Password), "the password never appears in a probe's text");
        QCOMPARE(r.values.value(QStringLiteral("pg_up"), -1), 0.0);
        QVERIFY(r.elapsedUs < 2000 * 1000);
    }

    void tlsVerifiesTheServer()
    {
        ProbeEngine engine;
        PostgresDsn d = dsn();
        d.sslMode = PostgresDsn::SslMode::VerifyFull;
        d.caFile = m_pg.caFile();
        ProbeResult r = probeOnce(engine, ProbeSpec::postgresql(d, 2000), QStringLiteral("tls-ok"));
        QVERIFY2(r.ok, qPrintable(r.reasonText));
        QCOMPARE(m_pg.psql(QStringLiteral("SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) "
                                          "WHERE ssl AND application_name = 'faultdesk'")),
            QStringLiteral("1"));

        // The same server checked against a CA that did not sign its certificate: refused, and said why.
        QTemporaryDir other;
        QString error;
        QVERIFY2(PostgresHarness::makeSelfSigned(
                     other.filePath(QStringLiteral("k.pem")), other.filePath(QStringLiteral("ca.pem")), &error),
            qPrintable(error));
        d.caFile = other.filePath(QStringLiteral("ca.pem"));
        r = probeOnce(engine, ProbeSpec::postgresql(d, 2000), QStringLiteral("tls-wrong-ca"));
        QVERIFY(!r.ok);
        QCOMPARE(r.reason, ProbeResult::FailureReason::Tls);
        QVERIFY2(r.reasonText.contains(QStringLiteral("certificate verify failed")), qPrintable(r.reasonText));
        QVERIFY(r.elapsedUs < 2000 * 1000);
    }

    void silentServerTimesOutWithinDeadlineAndBlocksNothing()
    {
        // Accepts TCP, never says a word.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        QList<QTcpSocket*> held;
        connect(&silent, &QTcpServer::newConnection, &silent, [&] {
            while (QTcpSocket* s = silent.nextPendingConnection())
                held << s;
        });
        PostgresDsn d = dsn();
        d.port = silent.serverPort();
        ProbeEngine engine;
        QSignalSpy finished(&engine, &ProbeEngine::probeFinished);
        QElapsedTimer clock;
        clock.start();
        engine.submit(QStringLiteral("silent"), 0, ProbeSpec::postgresql(d, 800));
        engine.submit(QStringLiteral("db-1"), 0, ProbeSpec::postgresql(dsn(), 800));
        engine.submit(QStringLiteral("web"), 0, ProbeSpec::tcp(QStringLiteral("127.0.0.1"), m_pg.port(), 800));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 5000);
        QHash<QString, ProbeResult> byTarget;
        for (const auto& args : finished)
            byTarget.insert(args.first().value<ProbeResult>().target, args.first().value<ProbeResult>());
        const ProbeResult stuck = byTarget.value(QStringLiteral("silent"));
        QCOMPARE(stuck.reason, ProbeResult::FailureReason::Timeout);
        QVERIFY2(stuck.reasonText.contains(QStringLiteral("connecting")), qPrintable(stuck.reasonText));
        QVERIFY2(stuck.elapsedUs < 1300 * 1000, qPrintable(QString::number(stuck.elapsedUs)));
        QVERIFY2(byTarget.value(QStringLiteral("db-1")).ok, "the healthy server's probe is not held up");
        QVERIFY2(byTarget.value(QStringLiteral("web")).ok, "the other probes are not held up");
        qInfo("silent server reported as timeout after %lld ms", stuck.elapsedUs / 1000);

        // The next round of the stuck target also ends at its deadline, while libpq's connect still hangs.
        finished.clear();
        clock.restart();
        engine.submit(QStringLiteral("silent"), 0, ProbeSpec::postgresql(d, 800));
        QVERIFY(finished.wait(3000));
        QCOMPARE(finished.first().first().value<ProbeResult>().reason, ProbeResult::FailureReason::Timeout);
        QVERIFY(clock.elapsed() < 1500);
        qDeleteAll(held);
    }

    void hangingStatementEndsAtItsDeadline()
    {
        PgConnection connection(dsn());
        PgConnection::Error error;
        QVERIFY2(connection.open(2000, &error), qPrintable(error.message));
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!connection.query(QStringLiteral("SELECT pg_sleep(30)"), {}, 500, &error));
        QCOMPARE(PgConnection::kindName(error.kind), QStringLiteral("timeout"));
        QVERIFY2(clock.elapsed() < 1500, qPrintable(QString::number(clock.elapsed())));
        // A statement timeout leaves the session usable; bound parameters travel as values.
        const auto rows = connection.query(
            QStringLiteral("SELECT ?::text || '!'"), { QStringLiteral("'; DROP x; --") }, 500, &error);
        QVERIFY2(rows, qPrintable(error.message));
        QCOMPARE(rows->first().first().toString(), QStringLiteral("'; DROP x; --!"));
    }

    void interruptBreaksABlockedCall()
    {
        // The session lives on a thread of its own, as the probe's does; the statement timeout is far away, so only
        // the interruption from this thread can end the call.
        PgConnection connection(dsn());
        PgConnection::Error error;
        std::atomic<bool> opened { false };
        bool stillOpen = true;
        QThread* thread = QThread::create([&] {
            if (!connection.open(2000, &error))
                return;
            opened = true;
            connection.query(QStringLiteral("SELECT pg_sleep(30)"), {}, 60000, &error);
            stillOpen = connection.isOpen();
        });
        thread->start();
        QTRY_VERIFY_WITH_TIMEOUT(opened.load() || thread->isFinished(), 5000);
        QVERIFY2(opened.load(), qPrintable(error.message));
        QTRY_COMPARE_WITH_TIMEOUT(m_pg.psql(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE query = "
                                                           "'SELECT pg_sleep(30)' AND state = 'active'")),
            QStringLiteral("1"), 5000);
        QElapsedTimer clock;
        clock.start();
        connection.interrupt();
        QTRY_VERIFY_WITH_TIMEOUT(thread->isFinished(), 5000);
        const qint64 took = clock.elapsed();
        delete thread;
        QCOMPARE(PgConnection::kindName(error.kind), QStringLiteral("timeout"));
        QVERIFY2(took < 1000, qPrintable(QString::number(took)));
        QVERIFY2(!stillOpen, "an interrupted session is closed, to be opened afresh");
    }

    void probeBlockedOnALockTimesOut()
    {
        ProbeEngine engine;
        const ProbeSpec spec = ProbeSpec::postgresql(dsn(), 1000);
        QVERIFY(probeOnce(engine, spec).ok); // the session is open
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("locker"));
        db.setHostName(m_pg.socketDir());
        db.setPort(m_pg.port());
        db.setUserName(QStringLiteral("postgres"));
        db.setDatabaseName(QStringLiteral("bank"));
        QVERIFY(db.open());
        QVERIFY(db.transaction());
        QSqlQuery lock(db);
        QVERIFY2(lock.exec(QStringLiteral("LOCK TABLE pg_database IN ACCESS EXCLUSIVE MODE")),
            qPrintable(lock.lastError().text()));
        const ProbeResult r = probeOnce(engine, spec);
        db.rollback();
        lock = QSqlQuery();
        db.close();
        db = {};
        QSqlDatabase::removeDatabase(QStringLiteral("locker"));
        QCOMPARE(r.reason, ProbeResult::FailureReason::Timeout);
        QVERIFY2(r.elapsedUs < 1500 * 1000, qPrintable(QString::number(r.elapsedUs)));
        QTRY_VERIFY_WITH_TIMEOUT(probeOnce(engine, spec).ok, 10000);
    }

    void monitorJudgesWrongPasswordAsConfigurationNotFault()
    {
        const QByteArray yaml = QStringLiteral("version: 1\n"
                                               "defaults: {interval: 300ms, timeout: 1s, attempts: 2}\n"
                                               "targets:\n"
                                               "  - name: db-1\n"
                                               "    probes:\n"
                                               "      - kind: postgres\n"
                                               "        dsn: %1\n"
                                               "        password: {env: FD_TEST_PG_WRONG}\n")
                                    .arg(m_pg.dsn(Role, QStringLiteral("bank")))
                                    .toUtf8();
        const ConfigLoadResult loaded = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
        QVERIFY2(loaded.ok(), loaded.errors.isEmpty() ? "" : qPrintable(loaded.errors.first().toString()));
        Monitor monitor;
        monitor.setConfig(*loaded.config);
        monitor.start();
        QTRY_VERIFY_WITH_TIMEOUT(monitor.detector()
                                     ->status(QStringLiteral("db-1"))
                                     ->lastReason.contains(QStringLiteral("configuration error")),
            10000);
        QTest::qWait(1500); // several rounds: it must stay unjudged, never become a fault of the server
        const auto status = monitor.detector()->status(QStringLiteral("db-1"));
        QCOMPARE(status->state, TargetState::Unknown);
        QVERIFY(monitor.detector()->openFaults().isEmpty());
    }

    void corruptedPageIsADataIntegrityFault()
    {
        QVERIFY(!m_pg.psql(QStringLiteral(
                               "CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric);"
                               "INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 2000) g;"
                               "CHECKPOINT; SELECT pg_relation_filepath('accounts')"),
                         QStringLiteral("bank"))
                     .isEmpty());
        const QString file
            = m_pg.psql(QStringLiteral("SELECT pg_relation_filepath('accounts')"), QStringLiteral("bank"));
        QVERIFY(file.startsWith(QStringLiteral("base/")));

        const QByteArray yaml = QStringLiteral("version: 1\n"
                                               "defaults: {interval: 300ms, timeout: 1s, attempts: 2}\n"
                                               "targets:\n"
                                               "  - name: db-1\n"
                                               "    probes:\n"
                                               "      - kind: postgres\n"
                                               "        dsn: %1\n"
                                               "        password: {env: %2}\n")
                                    .arg(m_pg.dsn(Role, QStringLiteral("bank")), QString::fromLatin1(PasswordVariable))
                                    .toUtf8();
        const ConfigLoadResult loaded = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
        QVERIFY2(loaded.ok(), loaded.errors.isEmpty() ? "" : qPrintable(loaded.errors.first().toString()));
        Monitor monitor;
        monitor.setConfig(*loaded.config);
        monitor.start();
        auto state = [&] { return monitor.detector()->status(QStringLiteral("db-1"))->state; };
        QTRY_COMPARE_WITH_TIMEOUT(state(), TargetState::Up, 10000);
        const SeriesStore::SeriesId role = monitor.store()->find(QStringLiteral("db-1"), QStringLiteral("pg_role"));
        QVERIFY(role >= 0);
        QTRY_VERIFY_WITH_TIMEOUT(monitor.store()->latest(role).valid, 5000);
        QCOMPARE(monitor.store()->latest(role).value, 1.0);

        // Damage one page on disk while the server is down (so no buffer holds it), as a failed upgrade might.
        m_pg.stop();
        QFile relation(m_pg.dataDir() + u'/' + file);
        QVERIFY(relation.open(QIODevice::ReadOnly));
        relation.seek(8192 + 8192 - 400);
        QByteArray bytes = relation.read(60);
        relation.close();
        QCOMPARE(bytes.size(), 60);
        for (char& c : bytes)
            c = char(~c);
        QVERIFY(m_pg.overwrite(file, 8192 + 8192 - 400, bytes));
        QString error;
        QVERIFY2(m_pg.start(&error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(state(), TargetState::Up, 15000);
        QVERIFY(monitor.detector()->openFaults().isEmpty() || state() == TargetState::Up);

        // An application reads the table: PostgreSQL refuses the damaged page and counts a checksum failure.
        bool readOk = true;
        m_pg.psql(QStringLiteral("SELECT sum(balance) FROM accounts"), QStringLiteral("bank"), &readOk);
        QVERIFY2(!readOk, "reading the damaged page fails");
        QElapsedTimer sinceRead;
        sinceRead.start();
        auto integrityFault = [&]() -> std::optional<Fault> {
            for (const Fault& f : monitor.detector()->openFaults())
                if (f.target == u"db-1" && f.cause == CauseClass::DataIntegrity)
                    return f;
            return std::nullopt;
        };
        QTRY_VERIFY_WITH_TIMEOUT(integrityFault().has_value(), 10000);
        qInfo("data-integrity fault located %lld ms after the failing read: %s", sinceRead.elapsed(),
            qPrintable(integrityFault()->evidence));
        QVERIFY(integrityFault()->rootCause);
        QVERIFY2(integrityFault()->evidence.contains(QStringLiteral("pg_checksum_failures_new")),
            qPrintable(integrityFault()->evidence));
        const SeriesStore::SeriesId failures
            = monitor.store()->find(QStringLiteral("db-1"), QStringLiteral("pg_checksum_failures"));
        QVERIFY(monitor.store()->latest(failures).value >= 1);
        monitor.stop();
    }

    void replicaReportsRoleAndLag()
    {
        // pg_basebackup verifies checksums too and refuses to copy the page damaged above.
        bool dropped = false;
        m_pg.psql(QStringLiteral("DROP TABLE IF EXISTS accounts"), QStringLiteral("bank"), &dropped);
        QVERIFY(dropped);
        PostgresHarness replica;
        QString error;
        QVERIFY2(replica.startReplicaOf(m_pg, &error), qPrintable(error));
        PostgresDsn onReplica = dsn();
        onReplica.port = replica.port();
        ProbeEngine engine;
        const ProbeSpec primarySpec = ProbeSpec::postgresql(dsn(), 2000);
        const ProbeSpec replicaSpec = ProbeSpec::postgresql(onReplica, 2000);
        QTRY_COMPARE_WITH_TIMEOUT(
            probeOnce(engine, primarySpec).values.value(QStringLiteral("pg_replicas_streaming")), 1.0, 15000);
        ProbeResult r = probeOnce(engine, replicaSpec, QStringLiteral("db-2"));
        QVERIFY2(r.ok, qPrintable(r.reasonText));
        QCOMPARE(r.values.value(QStringLiteral("pg_role"), -1), 0.0); // a replica
        QVERIFY(!r.values.contains(QStringLiteral("pg_replicas_streaming")));
        m_pg.psql(QStringLiteral("CREATE TABLE IF NOT EXISTS ticks (t timestamptz); INSERT INTO ticks VALUES (now())"),
            QStringLiteral("bank"));
        QTRY_COMPARE_WITH_TIMEOUT(probeOnce(engine, replicaSpec, QStringLiteral("db-2"))
                                      .values.value(QStringLiteral("pg_replication_lag_seconds"), -1),
            0.0, 10000); // streaming and caught up

        // The primary dies: the replica stops receiving, and its lag grows with the time since its last replay.
        m_pg.stop(QStringLiteral("immediate"));
        QTRY_VERIFY_WITH_TIMEOUT(probeOnce(engine, replicaSpec, QStringLiteral("db-2"))
                                     .values.value(QStringLiteral("pg_replication_lag_seconds"), -1)
                >= 1.0,
            15000);
        replica.stop();
    }

    void cleanupTestCase()
    {
        m_pg.stop();
        QVERIFY(!m_pg.isRunning());
    }
};

QTEST_GUILESS_MAIN(TestPostgresProbe)
#include "tst_postgresprobe.moc"
