// The bank case on a real PostgreSQL behind HAProxy: a primary (initdb -k) and its streaming replica started here,
// both members of an HAProxy TCP backend whose health check passes only on the writable primary; a page of a critical
// table corrupted on disk and read → data-integrity located on the primary, the baseline read with SQL (role,
// replication, the tables' md5, a large one sampled by key range); Handle fences the primary, promotes the replica,
// moves the pool (the replica in, then the primary out: a swap the blast-radius gate allows on a pool of two) and
// proves a write there; clients writing through HAProxy land on the new primary. Recover rebuilds the old primary from
// the new one (pg_basebackup, the target's commands.rebuild), waits for streaming and verifies amcheck and the tables
// against the baseline; the audit holds every step. Switching back is offered and off by default; asked for, Recover
// goes on: the promoted server fenced, the rebuilt one promoted once it replayed everything, the pool moved back, a
// write there, the other server rebuilt as its replica — the pair and the pool as configured, no committed write lost.
// Prints the times to detect, to fail over and to recover (each case on a pair of its own).

#include "audit/jsonlauditsink.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "monitor/monitor.h"
#include "pg/pgconnection.h"
#include "remedy/remediationcontroller.h"
#include "shared/postgrespool.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace FaultDesk;
using FaultDesk::Test::PostgresHarness;
using FaultDesk::Test::PostgresPair;
using FaultDesk::Test::PostgresPool;

namespace {

/// Remediation at the monitor's pace (300 ms interval), bounded well inside the test's time.
RemediationController::Settings quickSettings()
{
    RemediationController::Settings s;
    s.pollInterval = std::chrono::milliseconds(400);
    s.waitInterval = std::chrono::milliseconds(300);
    s.stepDeadline = std::chrono::milliseconds(20000);
    s.verifyDeadline = std::chrono::milliseconds(30000);
    return s;
}

/// The open data-integrity fault of pg-primary, if the monitor has one.
std::optional<Fault> integrityFault(const Monitor& monitor)
{
    for (const Fault& f : monitor.detector()->openFaults())
        if (f.target == u"pg-primary" && f.cause == CauseClass::DataIntegrity)
            return f;
    return std::nullopt;
}

} // namespace

class TestPostgresFailover : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<PostgresPool> m_pool; ///< a fresh pair behind HAProxy for each case

private Q_SLOTS:
    void initTestCase()
    {
        if (!PgConnection::driverAvailable())
            QFAIL("Qt's PostgreSQL driver (libqt6sql6-psql) is missing: scripts/install-deps installs it");
        if (const QString missing = PostgresPool::missing(); !missing.isEmpty())
            QFAIL(qPrintable(missing));
    }

    void init()
    {
        m_pool = std::make_unique<PostgresPool>();
        QString error;
        // Only the writable primary passes the check: clients reach it, never the replica.
        QVERIFY2(m_pool->start(&error), qPrintable(error));
        bool ok = false;
        QCOMPARE(m_pool->writeThroughPool(1, &ok), QString::number(m_pool->primary().port()));
        QVERIFY(ok);
    }

    void corruptedPageFailsOverAndTheRebuiltNodeMatchesTheBaseline_data()
    {
        QTest::addColumn<bool>("switchBack");
        QTest::addRow("recover") << false;
        QTest::addRow("recover and switch back") << true;
    }

    void corruptedPageFailsOverAndTheRebuiltNodeMatchesTheBaseline()
    {
        QFETCH(bool, switchBack);
        PostgresPool& pool = *m_pool;
        PostgresPair& pair = pool.pair();
        PostgresHarness& primary = pool.primary();
        PostgresHarness& replica = pool.replica();
        const QString accountsMd5 = pair.accountsMd5();
        QCOMPARE(accountsMd5.size(), 32);
        QString error;
        QVERIFY2(pair.corruptAccountsPage(&error), qPrintable(error));
        QVERIFY2(pool.waitFor(PostgresPool::healthy(), &error), qPrintable(error));

        // Both servers can be rebuilt from the other (commands.rebuild): switching back is possible, not chosen.
        PostgresPair::ReplicaOptions rebuildable;
        rebuildable.rebuildCommands = true;
        const QByteArray yaml = pool.fleetYaml({}, rebuildable).toUtf8();
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
        controller.setSettings(quickSettings());

        // An application reads the table: the damaged page fails its checksum.
        QVERIFY2(!pair.readAccountsOnPrimary(), "reading the damaged page fails");
        QElapsedTimer clock;
        clock.start();
        QTRY_VERIFY_WITH_TIMEOUT(integrityFault(monitor).has_value(), 10000);
        const qint64 detectMs = clock.elapsed();
        const Fault fault = *integrityFault(monitor);
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
        // The preview: allowed on a pool of two, and why (the drain limit alone would refuse taking 1 of 2 out).
        const RemediationPlan plan = controller.preview(fault.id, SafetyRequest::Purpose::Handle);
        QCOMPARE(plan.runbook, QStringLiteral("data-integrity/postgres-failover/handle"));
        QVERIFY2(plan.decision.allowed, qPrintable(plan.decision.reasons.join(u'\n')));
        QVERIFY2(plan.decision.affects.contains(QStringLiteral("swap: pg-replica in before pg-primary out (pg-replica "
                                                               "must be UP in bank-db when the step runs)")),
            qPrintable(plan.decision.affects.join(u'\n')));
        QVERIFY(plan.affected.contains(QStringLiteral("pool bank-db moves from pg-primary to pg-replica")));
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
        const RunbookOutcome handled = outcome;
        QCOMPARE(replica.psql(QStringLiteral("SELECT pg_is_in_recovery()")), QStringLiteral("f"));
        QCOMPARE(primary.psql(QStringLiteral("SHOW default_transaction_read_only")), QStringLiteral("on"));
        QCOMPARE(replica.psql(QStringLiteral("SELECT incident FROM faultdesk_write_check"), QStringLiteral("bank")),
            fault.incidentId);
        // The pool moved: the damaged primary in maintenance, the new one UP; a client's write through HAProxy lands
        // there.
        QCOMPARE(pool.state(), PostgresPool::failedOver());
        bool ok = false;
        QCOMPARE(pool.writeThroughPool(2, &ok), QString::number(replica.port()));
        QVERIFY(ok);

        // Recover: rebuild from the new primary, stream, amcheck and the tables equal to the baseline — and, asked
        // for, switch back. Offered, never chosen by default: the plan says what it would do.
        const RemediationPlan recoverPlan = controller.preview(fault.id, SafetyRequest::Purpose::Recover);
        QVERIFY2(recoverPlan.switchBackPossible, qPrintable(recoverPlan.switchBackOffer));
        QCOMPARE(recoverPlan.switchBackOffer,
            QStringLiteral("then switch back: promote pg-primary again, move the pool back to it and rebuild "
                           "pg-replica as its replica"));
        QVERIFY(!recoverPlan.switchBack);
        QCOMPARE(recoverPlan.runbook, QStringLiteral("data-integrity/postgres-rebuild/recover"));
        QVERIFY(!recoverPlan.steps.join(u'\n').contains(QStringLiteral("switch back")));
        const RemediationPlan switchBackPlan = controller.preview(fault.id, SafetyRequest::Purpose::Recover, true);
        QVERIFY2(switchBackPlan.isValid() && switchBackPlan.decision.allowed, qPrintable(switchBackPlan.toText()));
        QCOMPARE(switchBackPlan.runbook, QStringLiteral("data-integrity/postgres-rebuild-switch-back/recover"));
        for (const QString& step : { QStringLiteral("switch back: fence pg-replica"),
                 QStringLiteral("switch back: wait until pg-primary has replayed all of pg-replica's WAL"),
                 QStringLiteral("switch back: promote pg-primary (pg_promote)"),
                 QStringLiteral("switch back: pool bank-db: pg-primary ready"),
                 QStringLiteral("switch back: verify a write succeeds on pg-primary"),
                 QStringLiteral("switch back: rebuild pg-replica from pg-primary (commands.rebuild)") })
            QVERIFY2(switchBackPlan.steps.join(u'\n').contains(step), qPrintable(switchBackPlan.toText()));
        QVERIFY2(switchBackPlan.affected.contains(QStringLiteral("pool bank-db moves back to pg-primary")),
            qPrintable(switchBackPlan.toText()));
        clock.restart();
        QVERIFY2(controller.recover(fault.id, QStringLiteral("alice"), &error, switchBack), qPrintable(error));
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
        // The rebuilt node is a replica — or, switched back, the primary again with the promoted one its replica.
        const QString accountsSql
            = QStringLiteral("SELECT md5(string_agg(a::text, E'\\n' ORDER BY a.id)) FROM accounts a");
        QCOMPARE(primary.psql(QStringLiteral("SELECT pg_is_in_recovery()"), QStringLiteral("postgres"), &ok),
            switchBack ? QStringLiteral("f") : QStringLiteral("t"));
        QCOMPARE(primary.psql(accountsSql, QStringLiteral("bank")), accountsMd5);
        if (switchBack) {
            QCOMPARE(outcome.runbook, QStringLiteral("data-integrity/postgres-rebuild-switch-back/recover"));
            QCOMPARE(replica.psql(QStringLiteral("SELECT pg_is_in_recovery()")), QStringLiteral("t"));
            QTRY_COMPARE_WITH_TIMEOUT(replica.psql(QStringLiteral("SELECT status FROM pg_stat_wal_receiver")),
                QStringLiteral("streaming"), 10000);
            QCOMPARE(replica.psql(accountsSql, QStringLiteral("bank")), accountsMd5);
            // Neither server is left fenced, and the payment written while pg-replica was the primary is on pg-primary.
            QCOMPARE(primary.psql(QStringLiteral("SHOW default_transaction_read_only")), QStringLiteral("off"));
            QCOMPARE(replica.psql(QStringLiteral("SHOW default_transaction_read_only")), QStringLiteral("off"));
            QCOMPARE(
                primary.psql(QStringLiteral("SELECT count(*) FROM payments WHERE amount = 2"), QStringLiteral("bank")),
                QStringLiteral("1"));
        }
        // The audit holds every step of both runs, each intent with its result.
        const QList<AuditRecord> trail = audit.records();
        for (const RunbookOutcome& run : { handled, outcome }) {
            for (int i = 0; i < run.steps.size(); ++i) {
                if (run.steps.at(i).status == StepReport::Status::Skipped)
                    continue;
                const QString step = QStringLiteral("%1#%2").arg(run.runbook).arg(i + 1);
                QString actionId;
                QString status;
                for (const AuditRecord& r : trail) {
                    if (r.runbook == step && r.phase == AuditRecord::Phase::Intent)
                        actionId = r.actionId;
                    if (!actionId.isEmpty() && r.actionId == actionId && r.phase == AuditRecord::Phase::Result)
                        status = r.status;
                }
                QVERIFY2(status == u"ok", qPrintable(step + u' ' + run.steps.at(i).name + u": " + status));
            }
        }
        // After Recover alone the pool still sends every client to the new primary; the rebuilt node stays in maint
        // until someone switches back. Switched back, the pool is as configured and clients write on pg-primary.
        if (switchBack) {
            QVERIFY2(pool.waitFor(PostgresPool::healthy(), &error), qPrintable(error));
            QCOMPARE(pool.writeThroughPool(3, &ok), QString::number(primary.port()));
            QVERIFY(ok);
        } else {
            QCOMPARE(pool.state(), PostgresPool::failedOver());
        }
        QFile auditFile(audit.path());
        QVERIFY(auditFile.open(QIODevice::ReadOnly));
        QVERIFY(!auditFile.readAll().contains(PostgresPair::password().toUtf8()));
        qInfo("FIGURES %s: detect_ms=%lld failover_ms=%lld recover_ms=%lld", QTest::currentDataTag(), detectMs,
            failoverMs, recoverMs);
        monitor.stop();
    }

    // Recover pressed before Handle: the damaged node would be stopped and rebuilt from a server that is not the
    // primary. Its first step (commands.stop) refuses, so the only primary keeps serving and the pool is untouched.
    void recoverBeforeHandleStopsNothing()
    {
        PostgresPool& pool = *m_pool;
        QString error;
        QVERIFY2(pool.pair().corruptAccountsPage(&error), qPrintable(error));
        QVERIFY2(pool.waitFor(PostgresPool::healthy(), &error), qPrintable(error));
        const ConfigLoadResult loaded
            = FleetConfigLoader::loadBytes(pool.fleetYaml().toUtf8(), QStringLiteral("fleet.yaml"));
        QVERIFY(loaded.ok());
        Monitor monitor;
        monitor.setConfig(*loaded.config);
        monitor.start();
        QTemporaryDir work;
        JsonlAuditSink audit(work.filePath(QStringLiteral("audit.jsonl")));
        RemediationController controller(monitor.config(), monitor.detector(), &audit,
            work.filePath(QStringLiteral("locks")), QStringLiteral("alice"));
        controller.setSettings(quickSettings());
        QTRY_COMPARE_WITH_TIMEOUT(
            monitor.detector()->status(QStringLiteral("pg-primary"))->state, TargetState::Up, 15000);
        QVERIFY2(!pool.pair().readAccountsOnPrimary(), "reading the damaged page fails");
        QTRY_VERIFY_WITH_TIMEOUT(integrityFault(monitor).has_value(), 10000);
        const Fault fault = *integrityFault(monitor);
        QTRY_VERIFY_WITH_TIMEOUT(controller.baseline(fault.id).has_value(), 15000);

        const RemediationPlan plan = controller.preview(fault.id, SafetyRequest::Purpose::Recover);
        QVERIFY2(
            plan.steps.value(0).contains(QStringLiteral("stop pg-primary (commands.stop)")), qPrintable(plan.toText()));
        QSignalSpy finished(&controller, &RemediationController::runFinished);
        if (controller.recover(fault.id, QStringLiteral("alice"), &error)) {
            QVERIFY(finished.wait(60000));
            const auto outcome = finished.takeFirst().at(2).value<RunbookOutcome>();
            QVERIFY2(outcome.result != RunbookOutcome::Result::Succeeded, qPrintable(outcome.message));
            QCOMPARE(outcome.steps.value(0).status, StepReport::Status::Failed);
            QVERIFY2(outcome.steps.value(0).reason.contains(QStringLiteral("pg-replica pg_role = 0 (wanted primary)")),
                qPrintable(outcome.steps.value(0).reason));
            QVERIFY(!outcome.steps.value(0).action); // never ran
        }
        // Whether refused at once or at its first step: the primary still serves, the pool is as it was.
        QCOMPARE(pool.primary().psql(QStringLiteral("SELECT pg_is_in_recovery()")), QStringLiteral("f"));
        bool ok = false;
        QCOMPARE(pool.writeThroughPool(4, &ok), QString::number(pool.primary().port()));
        QVERIFY(ok);
        QCOMPARE(pool.state(), PostgresPool::healthy());
        monitor.stop();
    }

    void cleanup() { m_pool.reset(); }
};

QTEST_GUILESS_MAIN(TestPostgresFailover)
#include "tst_postgresfailover.moc"
