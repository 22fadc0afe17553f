// The bank case on a real PostgreSQL: a primary (initdb -k) and its streaming replica started here; a page of a
// critical table corrupted on disk and read → data-integrity located on the primary, the baseline read with SQL
// (role, replication, the tables' md5, a large one sampled by key range); Handle fences the primary, promotes the
// replica and proves a write there; Recover rebuilds the old primary from the new one (pg_basebackup, the target's
// commands.rebuild), waits for streaming and verifies amcheck and the tables against the baseline. Prints the times
// to detect, to fail over and to recover.

#include "audit/jsonlauditsink.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "monitor/monitor.h"
#include "pg/pgconnection.h"
#include "remedy/remediationcontroller.h"
#include "shared/postgresharness.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace FaultDesk;
using FaultDesk::Test::PostgresHarness;

namespace {

const QString Role = QStringLiteral("faultdesk");
const QString Password = QStringLiteral("bank-pg-s3cret");
const char* PasswordVariable = "FD_TEST_FAILOVER_PASSWORD";

QString scriptLine(const QString& text)
{
    return text + u'\n';
}

} // namespace

class TestPostgresFailover : public QObject
{
    Q_OBJECT

private:
    PostgresHarness m_primary;
    PostgresHarness m_replica;
    QString m_stopScript;
    QString m_shareDir; ///< scripts and the rebuilt server's log, readable by the server's user

    // The argv that runs @p script as the server's user (runuser when the test runs as root).
    QString argvOf(const QString& script) const
    {
        QStringList argv;
        if (PostgresHarness::runsAsRoot())
            argv << QStringLiteral("runuser") << QStringLiteral("-u") << QStringLiteral("postgres")
                 << QStringLiteral("--");
        argv << QStringLiteral("/bin/sh") << script;
        QStringList quoted;
        for (const QString& a : argv)
            quoted << u'\'' + a + u'\'';
        return u'[' + quoted.join(QStringLiteral(", ")) + u']';
    }

    bool writeScript(const QString& path, const QString& body) const
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        f.write(body.toUtf8());
        f.close();
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!PgConnection::driverAvailable())
            QFAIL("Qt's PostgreSQL driver (libqt6sql6-psql) is missing: scripts/install-deps installs it");
        QString error;
        QVERIFY2(m_primary.initAndStart(&error), qPrintable(error));
        QVERIFY(m_primary.createRole(Role, Password));
        QVERIFY(m_primary.createDatabase(QStringLiteral("bank"), Role));
        bool ok = false;
        // What the remediation role needs, and nothing more: fence (ALTER SYSTEM on one parameter, reload), end
        // writers, promote, amcheck; it owns the bank database (its write check table lives there).
        m_primary.psql(QStringLiteral("GRANT ALTER SYSTEM ON PARAMETER default_transaction_read_only TO %1;"
                                      "GRANT EXECUTE ON FUNCTION pg_reload_conf() TO %1;"
                                      "GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO %1;"
                                      "GRANT pg_signal_backend TO %1")
                           .arg(Role),
            QStringLiteral("bank"), &ok); // function privileges live in each database's own catalog
        QVERIFY(ok);
        m_primary.psql(
            QStringLiteral(
                "CREATE EXTENSION amcheck;"
                "GRANT EXECUTE ON FUNCTION verify_heapam(regclass, boolean, boolean, text, bigint, bigint) TO %1;"
                "GRANT EXECUTE ON FUNCTION bt_index_check(regclass) TO %1;"
                "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL);"
                "INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 2000) g;"
                "CREATE TABLE ledger (id bigint PRIMARY KEY, account int NOT NULL, amount numeric NOT NULL);"
                "INSERT INTO ledger SELECT g, g % 2000 + 1, g % 97 FROM generate_series(1, 20000) g;"
                "ANALYZE; GRANT SELECT ON accounts, ledger TO %1; CHECKPOINT")
                .arg(Role),
            QStringLiteral("bank"), &ok);
        QVERIFY(ok);
        QVERIFY2(m_replica.startReplicaOf(m_primary, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(m_replica.psql(QStringLiteral("SELECT count(*) FROM ledger"), QStringLiteral("bank")),
            QStringLiteral("20000"), 20000);
        qputenv(PasswordVariable, Password.toUtf8());

        // The rebuild as an operator would script it: stop the damaged node, copy the new primary, start as a replica.
        m_shareDir = m_primary.dir();
        const QString bin = PostgresHarness::binDir();
        const QString data = m_primary.dataDir();
        const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off -c "
                                               "max_connections=40 -c shared_buffers=16MB")
                                    .arg(m_primary.port())
                                    .arg(m_primary.socketDir());
        m_stopScript = m_shareDir + QStringLiteral("/stop.sh");
        QVERIFY(writeScript(m_stopScript,
            scriptLine(
                QStringLiteral("if [ -f '%1/postmaster.pid' ]; then '%2/pg_ctl' stop -D '%1' -m fast -w -t 30; fi")
                    .arg(data, bin))));
        QVERIFY(writeScript(m_shareDir + QStringLiteral("/rebuild.sh"),
            scriptLine(QStringLiteral("set -e")) + scriptLine(QStringLiteral("/bin/sh '%1'").arg(m_stopScript))
                + scriptLine(QStringLiteral("rm -rf '%1'").arg(data))
                + scriptLine(QStringLiteral("'%1/pg_basebackup' -D '%2' -h '%3' -p %4 -U postgres -R -X stream -c fast "
                                            "--no-sync")
                                 .arg(bin, data, m_replica.socketDir())
                                 .arg(m_replica.port()))));
        QVERIFY(writeScript(m_shareDir + QStringLiteral("/start.sh"),
            scriptLine(QStringLiteral("exec '%1/pg_ctl' start -D '%2' -w -t 60 -l '%3/rebuilt.log' -o '%4'")
                           .arg(bin, data, m_shareDir, options))));
    }

    void corruptedPageFailsOverAndTheRebuiltNodeMatchesTheBaseline()
    {
        const QString file
            = m_primary.psql(QStringLiteral("SELECT pg_relation_filepath('accounts')"), QStringLiteral("bank"));
        QVERIFY(file.startsWith(QStringLiteral("base/")));
        const QString accountsMd5
            = m_replica.psql(QStringLiteral("SELECT md5(string_agg(a::text, E'\\n' ORDER BY a.id)) FROM accounts a"),
                QStringLiteral("bank"));
        QCOMPARE(accountsMd5.size(), 32);

        // A failed upgrade damages one page of the primary's copy on disk (the server down, so no buffer holds it).
        m_primary.stop();
        QFile relation(m_primary.dataDir() + u'/' + file);
        QVERIFY(relation.open(QIODevice::ReadOnly));
        relation.seek(8192 + 8192 - 400);
        QByteArray bytes = relation.read(60);
        relation.close();
        for (char& c : bytes)
            c = char(~c);
        QVERIFY(m_primary.overwrite(file, 8192 + 8192 - 400, bytes));
        QString error;
        QVERIFY2(m_primary.start(&error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(m_replica.psql(QStringLiteral("SELECT status FROM pg_stat_wal_receiver")),
            QStringLiteral("streaming"), 20000); // the replica is back on the restarted primary

        const QByteArray yaml
            = QStringLiteral("version: 1\n"
                             "defaults: {interval: 300ms, timeout: 2s, attempts: 2}\n"
                             "targets:\n"
                             "  - name: pg-primary\n"
                             "    group: bank-db\n"
                             "    labels: {role: primary}\n"
                             "    probes:\n"
                             "      - kind: postgres\n"
                             "        dsn: %1\n"
                             "        password: {env: %3}\n"
                             "        critical_tables: [accounts, {table: ledger, max_rows: 4000}]\n"
                             "    commands:\n"
                             "      rebuild: %4\n"
                             "      start: %5\n"
                             "  - name: pg-replica\n"
                             "    group: bank-db\n"
                             "    labels: {role: replica}\n"
                             "    probes:\n"
                             "      - kind: postgres\n"
                             "        dsn: %2\n"
                             "        password: {env: %3}\n"
                             "        critical_tables: [accounts, {table: ledger, max_rows: 4000}]\n")
                  .arg(m_primary.dsn(Role, QStringLiteral("bank")), m_replica.dsn(Role, QStringLiteral("bank")),
                      QString::fromLatin1(PasswordVariable), argvOf(m_shareDir + QStringLiteral("/rebuild.sh")),
                      argvOf(m_shareDir + QStringLiteral("/start.sh")))
                  .toUtf8();
        const ConfigLoadResult loaded = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
        QVERIFY2(loaded.ok(), loaded.errors.isEmpty() ? "" : qPrintable(loaded.errors.first().toString()));
        Monitor monitor;
        monitor.setConfig(*loaded.config);
        monitor.start();
        auto state = [&](const QString& t) { return monitor.detector()->status(t)->state; };
        QTRY_COMPARE_WITH_TIMEOUT(state(QStringLiteral("pg-primary")), TargetState::Up, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(state(QStringLiteral("pg-replica")), TargetState::Up, 15000);

        QTemporaryDir work;
        JsonlAuditSink audit(work.filePath(QStringLiteral("audit.jsonl")));
        RemediationController controller(monitor.config(), monitor.detector(), &audit,
            work.filePath(QStringLiteral("locks")), QStringLiteral("alice"));
        RemediationController::Settings s;
        s.pollInterval = std::chrono::milliseconds(400);
        s.waitInterval = std::chrono::milliseconds(300);
        s.stepDeadline = std::chrono::milliseconds(20000);
        s.verifyDeadline = std::chrono::milliseconds(30000);
        controller.setSettings(s);

        // An application reads the table: the damaged page fails its checksum.
        bool readOk = true;
        m_primary.psql(QStringLiteral("SELECT sum(balance) FROM accounts"), QStringLiteral("bank"), &readOk);
        QVERIFY2(!readOk, "reading the damaged page fails");
        QElapsedTimer clock;
        clock.start();
        auto integrityFault = [&]() -> std::optional<Fault> {
            for (const Fault& f : monitor.detector()->openFaults())
                if (f.target == u"pg-primary" && f.cause == CauseClass::DataIntegrity)
                    return f;
            return std::nullopt;
        };
        QTRY_VERIFY_WITH_TIMEOUT(integrityFault().has_value(), 10000);
        const qint64 detectMs = clock.elapsed();
        const Fault fault = *integrityFault();
        QVERIFY(fault.rootCause);

        // The baseline read with SQL at detection: the replica's copy of each table, the ledger sampled by key range.
        auto replicaBaseline = [&]() -> std::optional<PostgresBaseline> {
            const auto b = controller.baseline(fault.id);
            if (!b || !b->postgres.contains(QStringLiteral("pg-replica")))
                return std::nullopt;
            return b->postgres.value(QStringLiteral("pg-replica"));
        };
        QTRY_VERIFY_WITH_TIMEOUT(replicaBaseline().has_value(), 15000);
        const PostgresBaseline pb = *replicaBaseline();
        QVERIFY2(pb.readable(), qPrintable(pb.error));
        QCOMPARE(pb.role, QStringLiteral("replica"));
        QVERIFY2(pb.replication.startsWith(QStringLiteral("streaming from")), qPrintable(pb.replication));
        QVERIFY(pb.table(QStringLiteral("accounts")));
        QCOMPARE(pb.table(QStringLiteral("accounts"))->md5, accountsMd5);
        QCOMPARE(pb.table(QStringLiteral("accounts"))->sampling, QStringLiteral("all 2000 rows, ordered by id"));
        const PostgresBaseline::Table* ledger = pb.table(QStringLiteral("ledger"));
        QVERIFY(ledger && ledger->error.isEmpty());
        QCOMPARE(ledger->rows, 4000);
        QCOMPARE(ledger->rangeStarts,
            (QStringList {
                QStringLiteral("1"), QStringLiteral("5001"), QStringLiteral("10001"), QStringLiteral("15001") }));
        QVERIFY2(ledger->sampling.startsWith(QStringLiteral("sampled: 4000 rows in 4 ranges of ≤ 1000 rows by id")),
            qPrintable(ledger->sampling));
        const auto damaged = controller.baseline(fault.id)->postgres.value(QStringLiteral("pg-primary"));
        QVERIFY2(damaged.table(QStringLiteral("accounts"))
                && damaged.table(QStringLiteral("accounts"))->error.contains(QStringLiteral("invalid page")),
            qPrintable(damaged.describe().join(u'\n')));
        for (const QString& line : pb.describe())
            qInfo("baseline: %s", qPrintable(line));

        // Handle: fence, writers out, promote, a write on the new primary.
        const RemediationPlan plan = controller.preview(fault.id, SafetyRequest::Purpose::Handle);
        QCOMPARE(plan.runbook, QStringLiteral("data-integrity/postgres-failover/handle"));
        QSignalSpy finished(&controller, &RemediationController::runFinished);
        clock.restart();
        QVERIFY2(controller.handle(fault.id, QStringLiteral("alice"), &error), qPrintable(error));
        QVERIFY(finished.wait(60000));
        const qint64 failoverMs = clock.elapsed();
        auto outcome = finished.takeFirst().at(2).value<RunbookOutcome>();
        for (const StepReport& step : outcome.steps)
            qInfo("handle: %s — %s", qPrintable(step.name),
                qPrintable(step.action ? step.action->summary() + u' ' + step.action->output.trimmed() : step.reason));
        QVERIFY2(outcome.result == RunbookOutcome::Result::Succeeded, qPrintable(outcome.message));
        QCOMPARE(m_replica.psql(QStringLiteral("SELECT pg_is_in_recovery()")), QStringLiteral("f"));
        QCOMPARE(m_primary.psql(QStringLiteral("SHOW default_transaction_read_only")), QStringLiteral("on"));
        QCOMPARE(m_replica.psql(QStringLiteral("SELECT incident FROM faultdesk_write_check"), QStringLiteral("bank")),
            fault.incidentId);

        // Recover: rebuild from the new primary, stream, amcheck and the tables equal to the baseline.
        clock.restart();
        QVERIFY2(controller.recover(fault.id, QStringLiteral("alice"), &error), qPrintable(error));
        QVERIFY(finished.wait(120000));
        const qint64 recoverMs = clock.elapsed();
        const QList<QVariant> recovered = finished.takeFirst();
        outcome = recovered.at(2).value<RunbookOutcome>();
        for (const StepReport& step : outcome.steps)
            qInfo("recover: %s — %s", qPrintable(step.name),
                qPrintable(step.action ? step.action->summary() + u' ' + step.action->output.trimmed() : step.reason));
        QVERIFY2(outcome.result == RunbookOutcome::Result::Succeeded, qPrintable(outcome.message));
        bool checked = false;
        for (const StepReport& step : outcome.steps) {
            if (!step.name.contains(QStringLiteral("amcheck")))
                continue;
            checked = true;
            QVERIFY2(step.action->output.contains(QStringLiteral("amcheck clean: accounts")),
                qPrintable(step.action->output));
            QVERIFY2(step.action->output.contains(
                         QStringLiteral("table accounts md5 %1 equals the baseline").arg(accountsMd5)),
                qPrintable(step.action->output));
            QVERIFY(step.action->output.contains(QStringLiteral("table ledger md5")));
        }
        QVERIFY(checked);
        bool ok = false;
        QCOMPARE(m_primary.psql(QStringLiteral("SELECT pg_is_in_recovery()"), QStringLiteral("postgres"), &ok),
            QStringLiteral("t"));
        QCOMPARE(m_primary.psql(QStringLiteral("SELECT md5(string_agg(a::text, E'\\n' ORDER BY a.id)) FROM accounts a"),
                     QStringLiteral("bank")),
            accountsMd5);
        QVERIFY(audit.records().size() >= 2 * outcome.steps.size());
        QFile auditFile(audit.path());
        QVERIFY(auditFile.open(QIODevice::ReadOnly));
        QVERIFY(!auditFile.readAll().contains(Password.toUtf8()));
        qInfo("FIGURES detect_ms=%lld failover_ms=%lld recover_ms=%lld", detectMs, failoverMs, recoverMs);
        monitor.stop();
    }

    void cleanupTestCase()
    {
        // The rebuilt server was started by the runbook, not by the harness: stop it the way it was started.
        QProcess stop;
        QStringList argv { QStringLiteral("/bin/sh"), m_stopScript };
        if (PostgresHarness::runsAsRoot())
            argv = QStringList { QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--") } + argv;
        stop.start(PostgresHarness::runsAsRoot() ? QStringLiteral("runuser") : argv.takeFirst(), argv);
        stop.waitForFinished(40000);
        m_replica.stop();
        m_primary.stop();
    }
};

QTEST_GUILESS_MAIN(TestPostgresFailover)
#include "tst_postgresfailover.moc"
