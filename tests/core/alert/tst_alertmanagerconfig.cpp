// The `alertmanager:` section of fleet.yaml: what it reads, and every mistake reported with its position.

#include "config/fleetconfigloader.h"

#include <QTest>

using namespace FaultDesk;

namespace {
const QByteArray Head = "version: 1\n"
                        "targets:\n"
                        "  - name: web-1\n"
                        "    probes: [{ kind: tcp, address: '127.0.0.1:18001' }]\n"
                        "alertmanager:\n";
} // namespace

class TestAlertmanagerConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsEverything()
    {
        const QByteArray yaml = Head
            + "  - name: am1\n"
              "    url: https://am.example:9093/alertmanager\n"
              "    token_env: AM_TOKEN\n"
              "    tls_ca_file: ca.pem\n"
              "    poll_interval: 500ms\n"
              "    timeout: 1500ms\n"
              "    target_label: host\n"
              "    cause_label: cause\n"
              "    causes: { HighLatency: latency, InstanceDown: down }\n"
              "    default_cause: errors\n"
              "    silence_duration: 30m\n"
              "  - name: am2\n"
              "    url: http://127.0.0.1:9093\n";
        const ConfigLoadResult r
            = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"), QStringLiteral("/etc/fd"));
        QStringList problems;
        for (const ConfigError& e : r.errors)
            problems << e.toString();
        QVERIFY2(r.ok(), qPrintable(problems.join(u'\n')));
        QCOMPARE(r.config->alertmanager.size(), 2);
        const AlertmanagerConfig& a = r.config->alertmanager.at(0);
        QCOMPARE(a.name, QStringLiteral("am1"));
        QCOMPARE(a.url.toString(), QStringLiteral("https://am.example:9093/alertmanager"));
        QCOMPARE(a.token->toString(), QStringLiteral("env:AM_TOKEN"));
        QCOMPARE(a.tlsCaFile, QStringLiteral("/etc/fd/ca.pem"));
        QCOMPARE(a.pollInterval.count(), 500);
        QCOMPARE(a.timeout.count(), 1500);
        QCOMPARE(a.targetLabel, QStringLiteral("host"));
        QCOMPARE(a.causeLabel, QStringLiteral("cause"));
        QCOMPARE(a.causes.value(QStringLiteral("HighLatency")), CauseClass::Latency);
        QCOMPARE(a.causes.value(QStringLiteral("InstanceDown")), CauseClass::Down);
        QCOMPARE(a.defaultCause, CauseClass::Errors);
        QCOMPARE(a.silenceDuration.count(), 30 * 60 * 1000);
        // Defaults.
        const AlertmanagerConfig& b = r.config->alertmanager.at(1);
        QCOMPARE(b.pollInterval.count(), 2000);
        QCOMPARE(b.targetLabel, QStringLiteral("instance"));
        QCOMPARE(b.defaultCause, CauseClass::Unhealthy);
        QCOMPARE(b.silenceDuration.count(), 2 * 3600 * 1000);
        QVERIFY(!b.token);
    }

    void errorsHavePositions_data()
    {
        QTest::addColumn<QByteArray>("section");
        QTest::addColumn<QString>("expected");
        QTest::addRow("missing url") << QByteArray(
            "  - name: am1\n") << QStringLiteral("fleet.yaml:6:5: alertmanager source is missing required key 'url'");
        QTest::addRow("missing name") << QByteArray("  - url: http://127.0.0.1:9093\n")
                                      << QStringLiteral(
                                             "fleet.yaml:6:5: alertmanager source is missing required key 'name'");
        QTest::addRow("near-miss key") << QByteArray(
            "  - name: am1\n    url: http://127.0.0.1:9093\n    poll_intervall: 1s\n")
                                       << QStringLiteral("fleet.yaml:8:5: unknown key 'poll_intervall' in an "
                                                         "alertmanager source (did you mean 'poll_interval'?)");
        QTest::addRow("inline token") << QByteArray(
            "  - name: am1\n    url: http://127.0.0.1:9093\n    token: hunter2\n")
                                      << QStringLiteral("fleet.yaml:8:5: inline secret 'token'");
        QTest::addRow("bad url") << QByteArray("  - name: am1\n    url: ftp://127.0.0.1:9093\n")
                                 << QStringLiteral("fleet.yaml:7:10: 'url': bad URL");
        QTest::addRow("bad duration") << QByteArray(
            "  - name: am1\n    url: http://127.0.0.1:9093\n    silence_duration: forever\n")
                                      << QStringLiteral("fleet.yaml:8:23: 'silence_duration': bad duration");
        QTest::addRow("bad cause in map")
            << QByteArray("  - name: am1\n    url: http://127.0.0.1:9093\n    causes: { HighLatency: latncy }\n")
            << QStringLiteral("fleet.yaml:8:28: unknown cause class 'latncy'");
        QTest::addRow("bad target label")
            << QByteArray("  - name: am1\n    url: http://127.0.0.1:9093\n    target_label: 'my-label'\n")
            << QStringLiteral("fleet.yaml:8:19: 'target_label' must be a label name");
        QTest::addRow("duplicate name")
            << QByteArray(
                   "  - name: am1\n    url: http://127.0.0.1:9093\n  - name: am1\n    url: http://127.0.0.1:9094\n")
            << QStringLiteral("fleet.yaml:8:11: duplicate alertmanager name 'am1' (first defined at line 6)");
        QTest::addRow("both token kinds")
            << QByteArray("  - name: am1\n    url: http://127.0.0.1:9093\n    token_env: A\n    token_file: /x\n")
            << QStringLiteral("fleet.yaml:9:5: alertmanager has both 'token_env' and 'token_file'");
        QTest::addRow("not a list") << QByteArray("    name: am1\n")
                                    << QStringLiteral("fleet.yaml:6:5: 'alertmanager' must be a list");
    }

    void errorsHavePositions()
    {
        QFETCH(QByteArray, section);
        QFETCH(QString, expected);
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(Head + section, QStringLiteral("fleet.yaml"));
        QVERIFY(!r.ok());
        QStringList all;
        for (const ConfigError& e : r.errors)
            all << e.toString();
        bool found = false;
        for (const QString& line : std::as_const(all))
            found = found || line.startsWith(expected);
        QVERIFY2(found, qPrintable(all.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestAlertmanagerConfig)
#include "tst_alertmanagerconfig.moc"
