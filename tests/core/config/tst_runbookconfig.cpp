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

QTEST_GUILESS_MAIN(TestRunbookConfig)
#include "tst_runbookconfig.moc"
