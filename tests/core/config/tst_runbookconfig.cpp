// Runbooks in the fleet configuration: what the loader reads, the binding precedence, and runbooks kept in a
// file of their own.
#include "config/fleetconfigloader.h"
#include "config/runbookconfig.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

namespace {

const QByteArray Fleet = "version: 1\n"
                         "haproxy:\n"
                         "  - { name: lb, socket: /tmp/lb.sock, block_acl: /tmp/blocked.acl }\n"
                         "targets:\n"
                         "  - name: web-1\n"
                         "    group: web\n"
                         "    probes: [{ kind: metrics, url: 'http://127.0.0.1:1/metrics' }]\n"
                         "    signals: [{ name: load, gauge: util, threshold: { above: 0.85 } }]\n"
                         "    haproxy: { instance: lb, backend: web }\n"
                         "    admin: { url: 'http://127.0.0.1:2/admin', token: { env: ADMIN_TOKEN } }\n"
                         "    commands: { start: [svc, start, '{target}'] }\n"
                         "  - name: web-2\n"
                         "    group: web\n"
                         "    probes: [{ kind: metrics, url: 'http://127.0.0.1:3/metrics' }]\n"
                         "    signals: [{ name: load, gauge: util, threshold: { above: 0.85 } }]\n"
                         "    haproxy: { instance: lb, backend: web }\n"
                         "    commands: { start: [svc, start, '{target}'] }\n"
                         "  - name: db\n"
                         "    group: data\n"
                         "    probes: [{ kind: tcp, address: '127.0.0.1:4' }]\n";

const QByteArray Runbooks
    = "runbooks:\n"
      "  - name: web-1-only\n"
      "    on: down\n"
      "    targets: [web-1]\n"
      "    handle:\n"
      "      - name: restart via admin\n"
      "        http: { url: '{admin}/restart', body: { why: '{cause}', fast: true } }\n"
      "        verify: { healthy_for: '3 checks' }\n"
      "        verify_deadline: 45s\n"
      "        on_failure: escalate\n"
      "  - name: web-restart\n"
      "    on: [down, unhealthy]\n"
      "    groups: [web]\n"
      "    handle:\n"
      "      - name: out\n"
      "        haproxy: { set_state: maint }\n"
      "        rollback: { haproxy: { set_state: ready } }\n"
      "        deadline: 5s\n"
      "      - name: restart\n"
      "        run: start\n"
      "        precondition: { load_below: 2, otherwise: skip }\n"
      "      - name: notify\n"
      "        command: [notify-send, 'restarted {target} in {group}']\n"
      "        on_failure: continue\n"
      "    recover:\n"
      "      - name: calm\n"
      "        wait: { load_below: 0.7, signal: load }\n"
      "  - name: page\n"
      "    on: [down]\n"
      "    handle:\n"
      "      - name: page\n"
      "        http: { method: put, url: 'https://pager.example/{target}', token: { env: PAGER } }\n";

} // namespace

class TestRunbookConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsEveryField();
    void precedence_data();
    void precedence();
    void ambiguousBindingIsAnError();
    void shellStringsAreRefusedWithTheList_data();
    void shellStringsAreRefusedWithTheList();
    void runbooksFileBindsToALoadedFleet();
    void sqlStepsAndRoleWaits();
    void sqlStepErrors_data();
    void sqlStepErrors();
};

void TestRunbookConfig::readsEveryField()
{
    const ConfigLoadResult r = FleetConfigLoader::loadBytes(Fleet + Runbooks, QStringLiteral("fleet.yaml"));
    QVERIFY2(r.ok(), qPrintable(r.errors.value(0).toString()));
    const QList<RunbookConfig>& rb = r.config->runbooks;
    QCOMPARE(rb.size(), 3);
    QCOMPARE(rb.at(0).name, QStringLiteral("web-1-only"));
    QCOMPARE(rb.at(0).on, QList<CauseClass> { CauseClass::Down });
    QCOMPARE(rb.at(0).targets, QStringList { QStringLiteral("web-1") });
    const RunbookStepConfig& admin = rb.at(0).handle.constFirst();
    QCOMPARE(admin.action.kind, RunbookActionConfig::Kind::Http);
    QCOMPARE(admin.action.url, QStringLiteral("{admin}/restart"));
    QCOMPARE(admin.action.body, QStringLiteral("{\"fast\":true,\"why\":\"{cause}\"}"));
    QCOMPARE(admin.verify->kind, RunbookCondition::Kind::Healthy);
    QCOMPARE(admin.verify->checks, 3);
    QCOMPARE(admin.verifyDeadline, std::chrono::milliseconds(45000));
    QCOMPARE(admin.onFailure, RunbookStepConfig::OnFailure::Escalate);

    const RunbookConfig& web = rb.at(1);
    QCOMPARE(web.groups, QStringList { QStringLiteral("web") });
    QCOMPARE(web.handle.size(), 3);
    QCOMPARE(web.handle.at(0).action.haproxyOp, RunbookActionConfig::HaproxyOp::SetState);
    QCOMPARE(web.handle.at(0).action.state, QStringLiteral("maint"));
    QCOMPARE(web.handle.at(0).rollback->state, QStringLiteral("ready"));
    QCOMPARE(web.handle.at(0).deadline, std::chrono::milliseconds(5000));
    QCOMPARE(web.handle.at(0).onFailure, RunbookStepConfig::OnFailure::Rollback);
    QCOMPARE(web.handle.at(1).action.commandName, QStringLiteral("start"));
    QVERIFY(web.handle.at(1).precondition->skipWhenUnmet);
    QCOMPARE(web.handle.at(1).precondition->kind, RunbookCondition::Kind::Below);
    QCOMPARE(web.handle.at(2).action.argv,
        (QStringList { QStringLiteral("notify-send"), QStringLiteral("restarted {target} in {group}") }));
    QCOMPARE(web.handle.at(2).onFailure, RunbookStepConfig::OnFailure::Continue);
    QCOMPARE(web.recover.constFirst().action.kind, RunbookActionConfig::Kind::Wait);
    QCOMPARE(web.recover.constFirst().action.wait.level, 0.7);

    const RunbookActionConfig& page = rb.at(2).handle.constFirst().action;
    QCOMPARE(page.method, QStringLiteral("PUT"));
    QVERIFY(page.token);
    QCOMPARE(page.token->toString(), QStringLiteral("env:PAGER"));
}

void TestRunbookConfig::precedence_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("cause");
    QTest::addColumn<QString>("runbook");
    QTest::addColumn<QString>("reason");
    QTest::addRow("target beats group and cause") << "web-1"
                                                  << "down"
                                                  << "web-1-only"
                                                  << "runbook 'web-1-only' bound to target web-1 for cause down";
    QTest::addRow("group beats cause") << "web-2"
                                       << "down"
                                       << "web-restart"
                                       << "runbook 'web-restart' bound to group web for cause down";
    QTest::addRow("group for another cause") << "web-1"
                                             << "unhealthy"
                                             << "web-restart"
                                             << "runbook 'web-restart' bound to group web for cause unhealthy";
    QTest::addRow("cause only") << "db"
                                << "down"
                                << "page"
                                << "runbook 'page' bound to cause down (all targets)";
    QTest::addRow("built-in default") << "db"
                                      << "overload"
                                      << ""
                                      << "built-in default runbook for cause overload (no runbook in fleet.yaml is "
                                         "bound to db for overload)";
}

void TestRunbookConfig::precedence()
{
    QFETCH(QString, target);
    QFETCH(QString, cause);
    QFETCH(QString, runbook);
    QFETCH(QString, reason);
    const ConfigLoadResult r = FleetConfigLoader::loadBytes(Fleet + Runbooks, QStringLiteral("fleet.yaml"));
    QVERIFY(r.ok());
    const RunbookBinding b = RunbookBinding::resolve(*r.config, *r.config->target(target), *causeClassFromName(cause));
    QCOMPARE(b.runbook ? b.runbook->name : QString(), runbook);
    QCOMPARE(b.reason, reason);
}

void TestRunbookConfig::ambiguousBindingIsAnError()
{
    const QByteArray twice = "runbooks:\n"
                             "  - name: a\n"
                             "    on: [down, overload]\n"
                             "    groups: [web]\n"
                             "    handle: [{ name: s, wait: { healthy_for: 1 } }]\n"
                             "  - name: b\n"
                             "    on: [overload]\n"
                             "    groups: [web]\n"
                             "    targets: [db]\n"
                             "    handle: [{ name: s, wait: { healthy_for: 1 } }]\n";
    const ConfigLoadResult r = FleetConfigLoader::loadBytes(Fleet + twice, QStringLiteral("fleet.yaml"));
    QVERIFY(!r.ok());
    QCOMPARE(r.errors.size(), 1);
    QCOMPARE(r.errors.constFirst().toString(),
        QStringLiteral("fleet.yaml:26:5: ambiguous binding: runbooks 'a' (line 22) and 'b' are both bound to group web "
                       "for cause overload; bind one of them more narrowly (targets:/groups:) or merge them"));
}

void TestRunbookConfig::shellStringsAreRefusedWithTheList_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("message");
    QTest::addRow("sh -c string") << "\"sh -c 'systemctl restart web'\""
                                  << "write it as a list, e.g. command: [systemctl, restart, web]";
    QTest::addRow("plain string") << "'/usr/bin/svc restart \"my web\"'"
                                  << "write it as a list, e.g. command: [/usr/bin/svc, restart, 'my web']";
    QTest::addRow("bash -lc in a list") << "[bash, -lc, 'kill -HUP 1']"
                                        << "'command' runs a shell with '-lc': a shell string in disguise; give the "
                                           "program and its arguments directly, e.g. command: [kill, '-HUP', 1]";
    QTest::addRow("unknown field") << "[svc, '--name={hostname}']"
                                   << "command: unknown template field {hostname} (known: target, address, group, "
                                      "cause, incident, backend, server, instance)";
}

void TestRunbookConfig::shellStringsAreRefusedWithTheList()
{
    QFETCH(QString, command);
    QFETCH(QString, message);
    const QByteArray yaml = Fleet
        + QStringLiteral("runbooks:\n"
                         "  - name: r\n"
                         "    on: [down]\n"
                         "    handle:\n"
                         "      - name: s\n"
                         "        command: %1\n")
              .arg(command)
              .toUtf8();
    const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
    QVERIFY(!r.ok());
    QCOMPARE(r.errors.size(), 1);
    const QString text = r.errors.constFirst().toString();
    QVERIFY2(text.startsWith(QStringLiteral("fleet.yaml:26:")), qPrintable(text));
    QVERIFY2(text.contains(message), qPrintable(text));
}

void TestRunbookConfig::runbooksFileBindsToALoadedFleet()
{
    const ConfigLoadResult fleet = FleetConfigLoader::loadBytes(Fleet, QStringLiteral("fleet.yaml"));
    QVERIFY(fleet.ok());
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("runbooks.yaml"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(Runbooks);
    f.close();
    const ConfigLoadResult r = FleetConfigLoader::loadRunbooks(path, *fleet.config);
    QVERIFY2(r.ok(), qPrintable(r.errors.value(0).toString()));
    QCOMPARE(r.config->runbooks.size(), 3);
    QCOMPARE(r.config->targets.size(), 3);
    QCOMPARE(r.config->sourceFile, QStringLiteral("fleet.yaml"));

    // Errors name the runbooks file and its lines; a fleet key there is not accepted.
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("targets: []\nrunbooks:\n  - name: x\n    on: [down]\n    targets: [web-7]\n"
            "    handle: [{ name: s, run: stop }]\n");
    f.close();
    const ConfigLoadResult bad = FleetConfigLoader::loadRunbooks(path, *fleet.config);
    QVERIFY(!bad.ok());
    QStringList errors;
    for (const ConfigError& e : bad.errors)
        errors << e.toString();
    QCOMPARE(errors,
        (QStringList { path + QStringLiteral(":1:1: unknown key 'targets' in a runbooks file"),
            path + QStringLiteral(":5:15: unknown target 'web-7' (did you mean 'web-1'?)") }));
}

namespace {

const QByteArray PgFleet = "version: 1\n"
                           "targets:\n"
                           "  - name: pg-1\n"
                           "    group: db\n"
                           "    labels: { role: primary }\n"
                           "    probes: [{ kind: postgres, dsn: 'postgresql://fd@127.0.0.1:5432/bank' }]\n"
                           "  - name: web-1\n"
                           "    group: web\n"
                           "    probes: [{ kind: tcp, address: '127.0.0.1:4' }]\n";

} // namespace

void TestRunbookConfig::sqlStepsAndRoleWaits()
{
    const QByteArray yaml = PgFleet
        + "runbooks:\n"
          "  - name: pg-fence\n"
          "    on: data-integrity\n"
          "    groups: [db]\n"
          "    handle:\n"
          "      - name: note\n"
          "        sql: { statement: 'INSERT INTO ops_log(target, cause) VALUES ($1, $2)', params: ['{target}', "
          "'{cause}'] }\n"
          "        verify: { signal: pg_role, equals: replica }\n"
          "        rollback: { sql: { statement: 'SELECT pg_reload_conf()' } }\n"
          "      - name: promoted\n"
          "        wait: { signal: pg_role, equals: primary }\n";
    const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
    QVERIFY2(r.ok(), qPrintable(r.errors.value(0).toString()));
    const RunbookConfig& rb = r.config->runbooks.constFirst();
    const RunbookStepConfig& note = rb.handle.at(0);
    QCOMPARE(note.action.kind, RunbookActionConfig::Kind::Sql);
    QCOMPARE(note.action.kindName(), QStringLiteral("sql"));
    QCOMPARE(note.action.statement, QStringLiteral("INSERT INTO ops_log(target, cause) VALUES ($1, $2)"));
    QCOMPARE(note.action.params, (QStringList { QStringLiteral("{target}"), QStringLiteral("{cause}") }));
    QCOMPARE(note.verify->kind, RunbookCondition::Kind::Equals);
    QCOMPARE(note.verify->level, 0.0);
    QCOMPARE(note.verify->describe(), QStringLiteral("pg_role equals replica"));
    QCOMPARE(note.rollback->kind, RunbookActionConfig::Kind::Sql);
    QVERIFY(note.rollback->params.isEmpty());
    const RunbookCondition& promoted = rb.handle.at(1).action.wait;
    QCOMPARE(promoted.kind, RunbookCondition::Kind::Equals);
    QCOMPARE(promoted.signal, QStringLiteral("pg_role"));
    QCOMPARE(promoted.level, 1.0);
}

void TestRunbookConfig::sqlStepErrors_data()
{
    QTest::addColumn<QByteArray>("step");
    QTest::addColumn<QString>("error");
    QTest::addRow("template field spliced into the SQL text")
        << QByteArray("sql: { statement: \"DELETE FROM t WHERE host = '{target}'\" }")
        << "fleet.yaml:16:56: sql statement: template field {target} in the SQL text; SQL takes values only as bound "
           "parameters: write $N there and put '{target}' in params";
    QTest::addRow("fewer params than placeholders")
        << QByteArray("sql: { statement: 'SELECT $1, $2', params: ['{target}'] }")
        << "fleet.yaml:16:52: the statement uses 2 parameters ($1 … $N) but params gives 1 value";
    QTest::addRow("params without placeholders")
        << QByteArray("sql: { statement: 'SELECT 1', params: [x] }")
        << "fleet.yaml:16:47: the statement uses 0 parameters ($1 … $N) but params gives 1 value";
    QTest::addRow("unknown field in a param")
        << QByteArray("sql: { statement: 'SELECT $1', params: ['{hostname}'] }")
        << "fleet.yaml:16:50: sql params: unknown template field {hostname} (known: target, address, group, "
           "cause, incident, backend, server, instance)";
    QTest::addRow("no statement") << QByteArray("sql: { params: [] }")
                                  << "fleet.yaml:16:14: sql step is missing required key 'statement'";
    QTest::addRow("bound to a target without a postgres probe")
        << QByteArray("sql: { statement: 'SELECT 1' }")
        << "fleet.yaml:16:9: sql step runs on the target's postgres probe connection, which web-1 lacks: narrow the "
           "binding or add it";
    QTest::addRow("role by a name it does not have")
        << QByteArray("wait: { signal: pg_role, equals: master }")
        << "fleet.yaml:16:42: 'equals' on pg_role must be primary or replica (or 1 / 0), got 'master'";
    QTest::addRow("a word for a numeric signal")
        << QByteArray("wait: { signal: pg_up, equals: yes }")
        << "fleet.yaml:16:40: 'equals' on signal 'pg_up' must be a number (only pg_role has names: primary, "
           "replica), got 'yes'";
}

void TestRunbookConfig::sqlStepErrors()
{
    QFETCH(QByteArray, step);
    QFETCH(QString, error);
    const bool web = QByteArray(QTest::currentDataTag()).contains("without a postgres probe");
    const QByteArray yaml = PgFleet + "runbooks:\n  - name: r\n    on: [data-integrity]\n    groups: ["
        + (web ? "web" : "db") + "]\n    handle:\n      - name: s\n        " + step + "\n";
    const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
    QVERIFY(!r.ok());
    QStringList errors;
    for (const ConfigError& e : r.errors)
        errors << e.toString();
    QVERIFY2(errors.contains(error), qPrintable(errors.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestRunbookConfig)
#include "tst_runbookconfig.moc"
