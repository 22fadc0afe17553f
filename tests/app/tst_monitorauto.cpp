// `faultdesk monitor FLEET.yaml --auto --db FILE` on the real binary, as a systemd unit would run it. On the demo
// fleet (fleetsim and HAProxy on loopback) the service owns automation: a crashed server is handled and recovered
// exactly once, audited in the incident database, and serves again. A SIGTERM in the middle of a runbook step ends
// the process cleanly: the step finishes (one signal) or is aborted (two), the rest of the runbook never runs, the
// done steps are rolled back, every audited intent has its result and no remediation lock is left behind. The bank
// case headless: a real PostgreSQL primary and replica behind a real HAProxy, monitored with a fleet file whose
// `store:` is the incident database; a page of a critical table corrupted and read, and the service fails over and
// rebuilds by itself — every step audited, the incident recorded.
#include "audit/auditrecord.h"
#include "incident/incidentstore.h"
#include "remedy/targetlock.h"
#include "shared/postgrespool.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace FaultDesk;

namespace {

/// A `faultdesk monitor … --json` child: its stdout collected as JSON events while the test's event loop runs.
class MonitorProcess
{
public:
    explicit MonitorProcess(QStringList arguments)
        : m_arguments(std::move(arguments))
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this] {
            m_buffer += m_process.readAllStandardOutput();
            qsizetype end = 0;
            while ((end = m_buffer.indexOf('\n')) >= 0) {
                const QByteArray line = m_buffer.left(end);
                m_buffer.remove(0, end + 1);
                if (!line.trimmed().isEmpty())
                    m_events << QJsonDocument::fromJson(line).object();
            }
        });
        QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process,
            [this] { m_errors += m_process.readAllStandardError(); });
    }
    ~MonitorProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    bool start()
    {
        m_process.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), m_arguments);
        return m_process.waitForStarted();
    }
    QProcess& process() { return m_process; }
    QList<QJsonObject> events() const { return m_events; }
    /// The events named @p name that @p match accepts.
    QList<QJsonObject> events(const QString& name, const std::function<bool(const QJsonObject&)>& match = {}) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject& e : m_events)
            if (e.value(QStringLiteral("event")).toString() == name && (!match || match(e)))
                out << e;
        return out;
    }
    QByteArray errors() const { return m_errors; }
    /// Everything said so far, for a failure message.
    QByteArray transcript() const
    {
        QByteArray out;
        for (const QJsonObject& e : m_events)
            out += QJsonDocument(e).toJson(QJsonDocument::Compact) + '\n';
        return out + "--- stderr:\n" + m_errors.right(3000);
    }

private:
    QStringList m_arguments;
    QProcess m_process;
    QByteArray m_buffer;
    QList<QJsonObject> m_events;
    QByteArray m_errors;
};

QString field(const QJsonObject& e, const char* key)
{
    return e.value(QLatin1String(key)).toString();
}

/// The audit trail of the incident database at @p path.
QList<AuditRecord> auditTrail(const QString& path)
{
    IncidentStore::Options o;
    o.path = path;
    o.pruneIntervalMs = 0;
    IncidentStore store(o);
    QString error;
    if (!store.open(&error))
        qWarning("%s", qPrintable(error));
    return store.records();
}

/// Intents without a Result: a remediation step left half done.
QStringList unfinishedIntents(const QList<AuditRecord>& trail)
{
    QSet<QString> results;
    for (const AuditRecord& r : trail)
        if (r.phase == AuditRecord::Phase::Result)
            results.insert(r.actionId);
    QStringList out;
    for (const AuditRecord& r : trail)
        if (r.phase == AuditRecord::Phase::Intent && !results.contains(r.actionId))
            out << r.runbook + u' ' + r.description;
    return out;
}

/// The Result of the step audited as @p runbook ("slow/handle#2", "slow/handle#1/rollback").
std::optional<AuditRecord> resultOf(const QList<AuditRecord>& trail, const QString& runbook)
{
    QString actionId;
    for (const AuditRecord& r : trail)
        if (r.phase == AuditRecord::Phase::Intent && r.runbook == runbook)
            actionId = r.actionId;
    for (const AuditRecord& r : trail)
        if (r.phase == AuditRecord::Phase::Result && !actionId.isEmpty() && r.actionId == actionId)
            return r;
    return std::nullopt;
}

} // namespace

class TestMonitorAuto : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void crashIsHandledAndRecoveredOnce();
    void stopMidStepLeavesNothingHalfApplied_data();
    void stopMidStepLeavesNothingHalfApplied();
    void postgresCorruptionFailsOverByItself();
};

void TestMonitorAuto::crashIsHandledAndRecoveredOnce()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString runtime = dir.filePath(QStringLiteral("rt"));
    const QString fleetsim = QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk-fleetsim");
    QProcess fleet;
    fleet.start(fleetsim,
        { QStringLiteral("run"), QStringLiteral("--runtime-dir"), runtime, QStringLiteral("--check-inter"),
            QStringLiteral("300ms") });
    QVERIFY(fleet.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(fleet.canReadLine(), 30000);
    QVERIFY(fleet.readLine().startsWith("READY "));
    auto stopFleet = qScopeGuard([&fleet] {
        fleet.terminate();
        fleet.waitForFinished(15000);
    });

    const QString db = dir.filePath(QStringLiteral("incidents.db"));
    MonitorProcess monitor({ QStringLiteral("monitor"), runtime + QStringLiteral("/fleet.yaml"),
        QStringLiteral("--auto"), QStringLiteral("--json"), QStringLiteral("--db"), db, QStringLiteral("--log-dir"),
        dir.filePath(QStringLiteral("log")) });
    QVERIFY(monitor.start());
    QTRY_VERIFY2_WITH_TIMEOUT(
        !monitor.events(QStringLiteral("automation")).isEmpty(), monitor.transcript().constData(), 20000);
    const QJsonObject automation = monitor.events(QStringLiteral("automation")).constFirst();
    QVERIFY(automation.value(QStringLiteral("enabled")).toBool());
    QCOMPARE(field(automation, "locks"), dir.filePath(QStringLiteral("locks")));
    auto upTargets = [&monitor] {
        QSet<QString> up;
        for (const QJsonObject& e : monitor.events(QStringLiteral("state-changed")))
            if (field(e, "to") == u"UP")
                up.insert(field(e, "target"));
        return up.size();
    };
    QTRY_VERIFY2_WITH_TIMEOUT(upTargets() == 8, monitor.transcript().constData(), 30000);
    // Healthy traffic before the fault, as the drill's warm-up: the baseline Recover returns to is read from it.
    QTest::qWait(3000);

    QProcess inject;
    inject.start(fleetsim,
        { QStringLiteral("ctl"), QStringLiteral("--runtime-dir"), runtime, QStringLiteral("inject"),
            QStringLiteral("crash"), QStringLiteral("web-2") });
    QVERIFY(inject.waitForFinished(15000));
    QCOMPARE(inject.exitCode(), 0);
    const qsizetype injectedAt = monitor.events().size();

    auto finished = [&monitor](const QString& purpose) {
        return monitor.events(QStringLiteral("remediation-finished"),
            [&](const QJsonObject& e) { return field(e, "purpose") == purpose && field(e, "target") == u"web-2"; });
    };
    QTRY_VERIFY2_WITH_TIMEOUT(!finished(QStringLiteral("recover")).isEmpty(), monitor.transcript().constData(), 90000);
    const QJsonObject handled = finished(QStringLiteral("handle")).value(0);
    QCOMPARE(field(handled, "result"), u"succeeded"_qs);
    QCOMPARE(field(handled, "operator"), u"auto"_qs);
    const QJsonObject recovered = finished(QStringLiteral("recover")).constFirst();
    QVERIFY2(field(recovered, "result") == u"succeeded" && recovered.value(QStringLiteral("verified")).toBool(),
        monitor.transcript().constData());
    // web-2 serves again: the monitor saw it come back after the crash.
    auto backUp = [&] {
        const QList<QJsonObject> all = monitor.events();
        for (qsizetype i = injectedAt; i < all.size(); ++i)
            if (field(all.at(i), "event") == u"state-changed" && field(all.at(i), "target") == u"web-2"
                && field(all.at(i), "to") == u"UP")
                return true;
        return false;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(backUp(), monitor.transcript().constData(), 30000);

    // SIGTERM with nothing running: a prompt, clean exit.
    monitor.process().terminate();
    QTRY_VERIFY_WITH_TIMEOUT(monitor.process().state() == QProcess::NotRunning, 30000);
    QCOMPARE(monitor.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(monitor.process().exitCode(), 0);

    // Exactly one Handle and one Recover, on the terminal and in the database's audit trail.
    const auto started = monitor.events(QStringLiteral("remediation-started"));
    QCOMPARE(started.size(), 2);
    QCOMPARE(field(started.at(0), "purpose"), u"handle"_qs);
    QCOMPARE(field(started.at(1), "purpose"), u"recover"_qs);
    const QList<AuditRecord> trail = auditTrail(db);
    QSet<QString> steps;
    QSet<QString> runbooks;
    for (const AuditRecord& r : trail) {
        if (r.phase != AuditRecord::Phase::Intent || r.target != u"web-2" || r.runbook.isEmpty())
            continue;
        QCOMPARE(r.operatorName, u"auto"_qs);
        QVERIFY2(!steps.contains(r.runbook), qPrintable(r.runbook + u" ran twice"));
        steps.insert(r.runbook);
        runbooks.insert(r.runbook.section(u'#', 0, 0));
    }
    QCOMPARE(runbooks, (QSet<QString> { u"down/handle"_qs, u"down/recover"_qs }));
    QVERIFY2(unfinishedIntents(trail).isEmpty(), qPrintable(unfinishedIntents(trail).join(u'\n')));
    QVERIFY(!TargetLock::holder(dir.filePath(QStringLiteral("locks")), QStringLiteral("web-2")));

    // The record says what the console's fault panel says: web-2 passing its checks after the restart (while Handle
    // still verified it) is not the pre-fault state back; recovered is recorded once Recover verified the baseline.
    QDateTime recoverEnded;
    for (const AuditRecord& r : trail)
        if (r.phase == AuditRecord::Phase::Result && r.runbook.startsWith(u"down/recover"))
            recoverEnded = std::max(recoverEnded, r.timeUtc);
    QVERIFY(recoverEnded.isValid());
    IncidentStore::Options o;
    o.path = db;
    o.pruneIntervalMs = 0;
    IncidentStore store(o);
    QString error;
    QVERIFY2(store.open(&error), qPrintable(error));
    const QList<Incident> incidents = store.incidents();
    QCOMPARE(incidents.size(), 1);
    const auto incident = store.incident(incidents.constFirst().id, false);
    QVERIFY(incident);
    QCOMPARE(incident->rootTarget, u"web-2"_qs);
    QCOMPARE(incident->state, IncidentState::Recovered);
    QStringList timeline;
    for (const IncidentEvent& e : incident->events)
        timeline << IncidentLifecycle::name(e.state) + u": " + e.note;
    QVERIFY2(incident->events.constLast().note.startsWith(u"Recover verified: "), qPrintable(timeline.join(u'\n')));
    QVERIFY2(incident->handledUtc.isValid() && incident->handledUtc <= incident->recoveredUtc,
        qPrintable(timeline.join(u'\n')));
    QVERIFY2(incident->recoveredUtc >= recoverEnded,
        qPrintable(incident->recoveredUtc.toString(Qt::ISODateWithMs) + u" before Recover's last step ended at "
            + recoverEnded.toString(Qt::ISODateWithMs)));
}

void TestMonitorAuto::stopMidStepLeavesNothingHalfApplied_data()
{
    QTest::addColumn<int>("signalCount");
    QTest::addColumn<int>("stepSeconds");
    QTest::addColumn<QString>("stepResult");
    QTest::addRow("one SIGTERM: the running step finishes") << 1 << 5 << QStringLiteral("ok");
    QTest::addRow("two SIGTERMs: the running step is aborted at once") << 2 << 120 << QStringLiteral("aborted");
}

void TestMonitorAuto::stopMidStepLeavesNothingHalfApplied()
{
    QFETCH(int, signalCount);
    QFETCH(int, stepSeconds);
    QFETCH(QString, stepResult);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QTcpServer closed; // nothing listens here afterwards: app-1 is down
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();
    const QString marked = dir.filePath(QStringLiteral("marked"));
    const QString never = dir.filePath(QStringLiteral("never"));
    QFile fleet(dir.filePath(QStringLiteral("fleet.yaml")));
    QVERIFY(fleet.open(QIODevice::WriteOnly));
    fleet.write("version: 1\n"
                "defaults: { interval: 200ms, timeout: 150ms, attempts: 2, retry_interval: 100ms }\n"
                "targets:\n"
                "  - name: app-1\n"
                "    probes: [{ kind: tcp, address: '127.0.0.1:"
        + QByteArray::number(port)
        + "' }]\n"
          "runbooks:\n"
          "  - name: slow\n"
          "    on: [down]\n"
          "    handle:\n"
          "      - name: mark\n"
          "        command: [touch, '"
        + marked.toUtf8()
        + "']\n"
          "        rollback: { command: [rm, -f, '"
        + marked.toUtf8()
        + "'] }\n"
          "      - name: slow step\n"
          "        command: [sleep, '"
        + QByteArray::number(stepSeconds)
        + "']\n"
          "        deadline: 300s\n"
          "      - name: never\n"
          "        command: [touch, '"
        + never.toUtf8() + "']\n");
    fleet.close();

    const QString db = dir.filePath(QStringLiteral("incidents.db"));
    MonitorProcess monitor(
        { QStringLiteral("monitor"), fleet.fileName(), QStringLiteral("--auto"), QStringLiteral("--json"),
            QStringLiteral("--db"), db, QStringLiteral("--log-dir"), dir.filePath(QStringLiteral("log")) });
    QVERIFY(monitor.start());
    auto slowStepRunning = [&monitor] {
        return !monitor
                    .events(QStringLiteral("remediation-step"),
                        [](const QJsonObject& e) {
                            return e.value(QStringLiteral("step")).toInt() == 2 && field(e, "status") == u"running";
                        })
                    .isEmpty();
    };
    QTRY_VERIFY2_WITH_TIMEOUT(slowStepRunning(), monitor.transcript().constData(), 30000);
    QVERIFY(QFile::exists(marked));
    for (int i = 1; i <= signalCount; ++i) {
        monitor.process().terminate(); // SIGTERM, as systemd stops a unit
        // Each is seen before the next is sent: two signals pending at once are delivered as one.
        QTRY_VERIFY2_WITH_TIMEOUT(
            monitor.events(QStringLiteral("stopping")).size() == i, monitor.transcript().constData(), 10000);
    }
    // One signal waits for the 5 s step; two must not wait for the 120 s one.
    QTRY_VERIFY2_WITH_TIMEOUT(
        monitor.process().state() == QProcess::NotRunning, monitor.transcript().constData(), 40000);
    QCOMPARE(monitor.process().exitStatus(), QProcess::NormalExit);
    QVERIFY2(monitor.process().exitCode() == 0, monitor.transcript().constData());

    // The terminal said what happened: stopping, then the run ended aborted with the done steps rolled back.
    QVERIFY2(!monitor.events(QStringLiteral("stopping")).isEmpty(), monitor.transcript().constData());
    const auto ended = monitor.events(QStringLiteral("remediation-finished"));
    QCOMPARE(ended.size(), 1);
    QCOMPARE(field(ended.constFirst(), "result"), u"aborted"_qs);
    QVERIFY2(field(ended.constFirst(), "message").contains(u"shutdown (SIGTERM"),
        QJsonDocument(ended.constFirst()).toJson(QJsonDocument::Compact).constData());

    // Nothing half applied: step 1 undone, step 3 never run, the slow step finished or aborted, all audited.
    QVERIFY(!QFile::exists(marked));
    QVERIFY(!QFile::exists(never));
    const QList<AuditRecord> trail = auditTrail(db);
    const auto mark = resultOf(trail, QStringLiteral("slow/handle#1"));
    QVERIFY(mark && mark->status == u"ok");
    const auto slow = resultOf(trail, QStringLiteral("slow/handle#2"));
    QVERIFY2(slow, "the slow step has no result in the audit trail");
    QCOMPARE(slow->status, stepResult);
    const auto undo = resultOf(trail, QStringLiteral("slow/handle#1/rollback"));
    QVERIFY2(undo && undo->status == u"ok", "step 1 was not rolled back");
    QVERIFY(!resultOf(trail, QStringLiteral("slow/handle#3")));
    QVERIFY2(unfinishedIntents(trail).isEmpty(), qPrintable(unfinishedIntents(trail).join(u'\n')));
    // No lock left behind: neither this process (gone) nor the step's command (it inherited the lock) holds it.
    QVERIFY(!TargetLock::holder(dir.filePath(QStringLiteral("locks")), QStringLiteral("app-1")));
}

void TestMonitorAuto::postgresCorruptionFailsOverByItself()
{
    using Test::PostgresPool;
    if (const QString missing = PostgresPool::missing(); !missing.isEmpty())
        QFAIL(qPrintable(missing));
    PostgresPool pool;
    QString error;
    QVERIFY2(pool.start(&error), qPrintable(error));
    Test::PostgresPair& pair = pool.pair();
    const QString accountsMd5 = pair.accountsMd5();
    QVERIFY2(pair.corruptAccountsPage(&error), qPrintable(error));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile fleet(dir.filePath(QStringLiteral("fleet.yaml")));
    QVERIFY(fleet.open(QIODevice::WriteOnly));
    fleet.write(pool.fleetYaml(QStringLiteral("store: incidents.db\n")).toUtf8());
    fleet.close();
    const QString db = dir.filePath(QStringLiteral("incidents.db")); // the fleet's store:, beside it
    MonitorProcess monitor({ QStringLiteral("monitor"), fleet.fileName(), QStringLiteral("--auto"),
        QStringLiteral("--json"), QStringLiteral("--log-dir"), dir.filePath(QStringLiteral("log")) });
    QVERIFY(monitor.start());
    QTRY_VERIFY2_WITH_TIMEOUT(
        !monitor.events(QStringLiteral("automation")).isEmpty(), monitor.transcript().constData(), 20000);
    QVERIFY(monitor.events(QStringLiteral("automation")).constFirst().value(QStringLiteral("enabled")).toBool());
    auto up = [&monitor](const QString& target) {
        return !monitor
                    .events(QStringLiteral("state-changed"),
                        [&](const QJsonObject& e) { return field(e, "target") == target && field(e, "to") == u"UP"; })
                    .isEmpty();
    };
    QTRY_VERIFY2_WITH_TIMEOUT(
        up(QStringLiteral("pg-primary")) && up(QStringLiteral("pg-replica")), monitor.transcript().constData(), 30000);

    // An application reads the damaged page; nobody presses a button from here on.
    QVERIFY2(!pair.readAccountsOnPrimary(), "reading the damaged page fails");
    auto finished = [&monitor](const QString& purpose) {
        return monitor.events(QStringLiteral("remediation-finished"), [&](const QJsonObject& e) {
            return field(e, "purpose") == purpose && field(e, "target") == u"pg-primary";
        });
    };
    QElapsedTimer clock;
    clock.start();
    QTRY_VERIFY2_WITH_TIMEOUT(!finished(QStringLiteral("handle")).isEmpty(), monitor.transcript().constData(), 60000);
    const qint64 handledMs = clock.elapsed();
    QTRY_VERIFY2_WITH_TIMEOUT(!finished(QStringLiteral("recover")).isEmpty(), monitor.transcript().constData(), 120000);
    const qint64 recoveredMs = clock.elapsed();
    qInfo("FIGURES headless: from the failing read, handled (failed over) after %lld ms, recovered after %lld ms",
        handledMs, recoveredMs);
    const QJsonObject handled = finished(QStringLiteral("handle")).value(0);
    QVERIFY2(field(handled, "result") == u"succeeded", monitor.transcript().constData());
    QCOMPARE(field(handled, "operator"), u"auto"_qs);
    const QJsonObject recovered = finished(QStringLiteral("recover")).constFirst();
    QVERIFY2(field(recovered, "result") == u"succeeded" && recovered.value(QStringLiteral("verified")).toBool(),
        monitor.transcript().constData());

    // The service moved the bank: clients write through HAProxy to the promoted replica, the old primary is a
    // replica again with the same accounts.
    QCOMPARE(pool.state(), PostgresPool::failedOver());
    bool ok = false;
    QCOMPARE(pool.writeThroughPool(3, &ok), QString::number(pair.replica().port()));
    QVERIFY(ok);
    QCOMPARE(pair.primary().psql(QStringLiteral("SELECT pg_is_in_recovery()")), QStringLiteral("t"));
    QTRY_COMPARE_WITH_TIMEOUT(
        pair.primary().psql(QStringLiteral("SELECT md5(string_agg(a::text, E'\\n' ORDER BY a.id)) FROM accounts a"),
            QStringLiteral("bank")),
        accountsMd5, 10000);

    monitor.process().terminate();
    QTRY_VERIFY_WITH_TIMEOUT(monitor.process().state() == QProcess::NotRunning, 30000);
    QCOMPARE(monitor.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(monitor.process().exitCode(), 0);

    // The store named in the fleet file holds the incident and every step, each intent with its result, all by auto.
    QVERIFY2(QFile::exists(db), "the fleet's store: was not used");
    const QList<AuditRecord> trail = auditTrail(db);
    QSet<QString> handleSteps; // step numbers; a step's verification is audited as "#N/verify"
    QSet<QString> recoverSteps;
    for (const AuditRecord& r : trail) {
        const QString runbook = r.runbook.section(u'#', 0, 0);
        const QString step = r.runbook.section(u'#', 1).section(u'/', 0, 0);
        if (r.phase != AuditRecord::Phase::Intent)
            continue;
        if (runbook == u"data-integrity/postgres-failover/handle")
            handleSteps << step;
        else if (runbook == u"data-integrity/postgres-rebuild/recover")
            recoverSteps << step;
        else
            continue;
        QCOMPARE(r.operatorName, u"auto"_qs);
        const auto result = resultOf(trail, r.runbook);
        QVERIFY2(result && result->status == u"ok", qPrintable(r.runbook + u' ' + r.description));
    }
    QCOMPARE(handleSteps.size(), 6); // fence, writers, promote, replica in, primary out, write check
    QVERIFY2(recoverSteps.size() >= 5, qPrintable(recoverSteps.values().join(u' ')));
    QVERIFY2(unfinishedIntents(trail).isEmpty(), qPrintable(unfinishedIntents(trail).join(u'\n')));
    IncidentStore::Options o;
    o.path = db;
    o.pruneIntervalMs = 0;
    IncidentStore store(o);
    QVERIFY2(store.open(&error), qPrintable(error));
    const QList<Incident> incidents = store.incidents();
    QCOMPARE(incidents.size(), 1);
    QCOMPARE(incidents.constFirst().rootTarget, u"pg-primary"_qs);
    QCOMPARE(incidents.constFirst().causeClass, u"data-integrity"_qs);
    QVERIFY(incidents.constFirst().handledUtc.isValid());
    QVERIFY(incidents.constFirst().recoveredUtc.isValid());
    QVERIFY(!TargetLock::holder(dir.filePath(QStringLiteral("locks")), QStringLiteral("pg-primary")));
}

QTEST_GUILESS_MAIN(TestMonitorAuto)
#include "tst_monitorauto.moc"
