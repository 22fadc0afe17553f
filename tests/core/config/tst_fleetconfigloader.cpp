// FleetConfigLoader: every kind of mistake is reported at its place, valid files load to the right values,
// reloading a bad file keeps the old configuration, and nothing in the fuzz corpus can crash the loader.

#include "config/fleetconfigloader.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

Q_DECLARE_METATYPE(FaultDesk::SecretRef)
using namespace std::chrono_literals;

namespace {

const QString dataDir = QStringLiteral(FAULTDESK_SOURCE_DIR "/tests/core/config/data");

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QString describe(const QList<ConfigError>& errors)
{
    QStringList lines;
    for (const ConfigError& e : errors)
        lines << e.toString();
    return lines.join(u'\n');
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

const QByteArray minimalFleet = "version: 1\n"
                                "targets:\n"
                                "  - name: solo\n"
                                "    probes:\n"
                                "      - kind: http\n"
                                "        url: http://127.0.0.1:8080/healthz\n";

} // namespace

class TestFleetConfigLoader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Each file in data/bad/ starts with "# expect: LINE:COL: MESSAGE" lines: exactly those errors, in that order.
    void badConfigs_data()
    {
        QTest::addColumn<QString>("file");
        const QStringList files = QDir(dataDir + u"/bad").entryList({ QStringLiteral("*.yaml") }, QDir::Files);
        QVERIFY(files.size() >= 15);
        for (const QString& f : files)
            QTest::addRow("%s", qPrintable(f)) << dataDir + u"/bad/" + f;
    }
    void badConfigs()
    {
        QFETCH(QString, file);
        static const QRegularExpression expectLine(QStringLiteral("^# expect: (\\d+):(\\d+): (.*)$"));
        QList<ConfigError> expected;
        for (const QString& line : QString::fromUtf8(readAll(file)).split(u'\n')) {
            const QRegularExpressionMatch m = expectLine.match(line);
            if (m.hasMatch())
                expected.append({ file, { m.captured(1).toInt(), m.captured(2).toInt() }, m.captured(3) });
        }
        QVERIFY2(!expected.isEmpty(), "the case names no expected error");

        const ConfigLoadResult r = FleetConfigLoader::loadFile(file);
        QVERIFY(!r.ok());
        QVERIFY2(!r.config, "a bad file must not yield a configuration");
        QVERIFY2(r.errors.size() == expected.size(), qPrintable(describe(r.errors)));
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QCOMPARE(r.errors.at(i).toString(), expected.at(i).toString());
        }
    }

    // Times with Z, with an offset and without one (UTC) all land as UTC; group and target windows both load.
    void maintenanceWindowsLoad()
    {
        const QByteArray yaml = minimalFleet
            + "maintenance:\n"
              "  - targets: [solo]\n"
              "    start: 2026-11-28T03:00:00+01:00\n"
              "    end: 2026-11-28 04:30\n"
              "    comment: kernel upgrade\n"
              "  - targets: [solo]\n"
              "    start: 2026-12-01T00:00:00Z\n"
              "    end: 2026-12-20T00:00:00Z\n"
              "    confirm_long: true\n";
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        QCOMPARE(r.config->maintenance.size(), 2);
        const MaintenanceConfig& m = r.config->maintenance.at(0);
        QCOMPARE(m.targets, QStringList { QStringLiteral("solo") });
        QCOMPARE(m.startUtc, QDateTime(QDate(2026, 11, 28), QTime(2, 0), Qt::UTC));
        QCOMPARE(m.endUtc, QDateTime(QDate(2026, 11, 28), QTime(4, 30), Qt::UTC));
        QCOMPARE(m.comment, QStringLiteral("kernel upgrade"));
        QCOMPARE(m.position.line, 8);
        QVERIFY(r.config->maintenance.at(1).confirmLong);
    }

    void errorsAreSortedByPosition()
    {
        const ConfigLoadResult r = FleetConfigLoader::loadFile(dataDir + u"/bad/all-errors.yaml");
        QVERIFY(r.errors.size() >= 15);
        for (qsizetype i = 1; i < r.errors.size(); ++i)
            QVERIFY(!(r.errors.at(i).position < r.errors.at(i - 1).position));
    }

    void missingFile()
    {
        const QString path = dataDir + u"/no-such-fleet.yaml";
        const ConfigLoadResult r = FleetConfigLoader::loadFile(path);
        QVERIFY(!r.ok());
        QCOMPARE(r.errors.size(), 1);
        QVERIFY(r.errors.constFirst().toString().startsWith(path + u": cannot read"));
    }

    void defaultsApplied()
    {
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(minimalFleet, QStringLiteral("mem.yaml"));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        const FleetConfig& c = *r.config;
        QCOMPARE(c.sourceFile, QStringLiteral("mem.yaml"));
        QCOMPARE(c.defaults.interval, 1000ms);
        QCOMPARE(c.defaults.timeout, 1000ms);
        QCOMPARE(c.defaults.attempts, 2);
        QCOMPARE(c.defaults.retryInterval, 500ms);
        QCOMPARE(c.defaults.staleAfter, 3000ms);
        QCOMPARE(c.defaults.flappingHigh, 30.0);
        QCOMPARE(c.defaults.flappingLow, 25.0);
        QCOMPARE(c.targets.size(), 1);
        const TargetConfig& t = c.targets.constFirst();
        QCOMPARE(t.priority, 5);
        QCOMPARE(t.probes.constFirst().expectStatus, 200);
        QCOMPARE(t.probes.constFirst().timeoutOr(c.defaults.timeout), 1000ms);
        QVERIFY(!t.haproxy);
        QVERIFY(!t.admin);
    }

    // store: a path (relative to the file) or a URL whose password is a reference; the location is what --db takes.
    void storeSection_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("location");
        QTest::addRow("absent") << QByteArray() << QString();
        QTest::addRow("a path, relative to the file")
            << QByteArray("store: data/incidents.db\n") << QStringLiteral("/etc/fd/data/incidents.db");
        QTest::addRow("path key") << QByteArray("store: { path: /var/lib/fd/incidents.db }\n")
                                  << QStringLiteral("/var/lib/fd/incidents.db");
        QTest::addRow("postgresql, password from the environment")
            << QByteArray("store:\n  url: postgresql://fd@db.example.net:5433/team\n  password: { env: FD_DB_PW }\n"
                          "  sslmode: verify-full\n  sslrootcert: ca.pem\n")
            << QStringLiteral("postgresql://fd@db.example.net:5433/team?password_env=FD_DB_PW&sslmode=verify-full"
                              "&sslrootcert=/etc/fd/ca.pem");
        QTest::addRow("postgresql, password file, .pgpass otherwise")
            << QByteArray("store: { url: 'postgresql://fd@127.0.0.1/team', password: { file: pw } }\n")
            << QStringLiteral("postgresql://fd@127.0.0.1/team?password_file=/etc/fd/pw");
    }
    void storeSection()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, location);
        const ConfigLoadResult r
            = FleetConfigLoader::loadBytes(yaml + minimalFleet, QStringLiteral("s.yaml"), QStringLiteral("/etc/fd"));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        QCOMPARE(r.config->store.isSet(), !location.isEmpty());
        QCOMPARE(r.config->store.location(), location);
    }

    // correlation: defaults when absent; every key read; a signal's link is kept with its dependency.
    void correlationSection()
    {
        const ConfigLoadResult plain = FleetConfigLoader::loadBytes(minimalFleet, QStringLiteral("mem.yaml"));
        QVERIFY2(plain.ok(), qPrintable(describe(plain.errors)));
        const CorrelationConfig d = plain.config->correlation;
        QVERIFY(d.enabled && d.dependsOn && d.pool && d.group && d.trafficPath);
        QCOMPARE(d.window, 30000ms);
        QCOMPARE(d.aftershockGrace, 60000ms);

        const ConfigLoadResult r = FleetConfigLoader::loadBytes(
            "correlation:\n  window: 45s\n  aftershock_grace: 0s\n  rules: { pool: false, traffic_path: false }\n"
                + minimalFleet,
            QStringLiteral("c.yaml"));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        const CorrelationConfig c = r.config->correlation;
        QCOMPARE(c.window, 45000ms);
        QCOMPARE(c.aftershockGrace, 0ms);
        QVERIFY(!c.pool && !c.trafficPath && c.group && c.dependsOn && c.enabled);
        QCOMPARE(c.position.line, 2);
    }

    void durations_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("ms");
        QTest::addRow("250ms") << QByteArray("250ms") << qint64(250);
        QTest::addRow("1s") << QByteArray("1s") << qint64(1000);
        QTest::addRow("1.5s") << QByteArray("1.5s") << qint64(1500);
        QTest::addRow("2m") << QByteArray("2m") << qint64(120000);
        QTest::addRow("1h") << QByteArray("1h") << qint64(3600000);
        QTest::addRow("0.25s quoted") << QByteArray("'0.25s'") << qint64(250);
    }
    void durations()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, ms);
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(
            "defaults: { interval: " + text + " }\n" + minimalFleet, QStringLiteral("d.yaml"));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        QCOMPARE(r.config->defaults.interval.count(), ms);
    }

    void demoFleetLoads()
    {
        const ConfigLoadResult r = FleetConfigLoader::loadFile(dataDir + u"/demo-fleet.yaml");
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        const FleetConfig& c = *r.config;
        QCOMPARE(c.targets.size(), 8);
        QCOMPARE(c.haproxy.size(), 1);
        const HaproxyInstance* lb = c.haproxyInstance(u"lb");
        QVERIFY(lb);
        QCOMPARE(lb->socket, QStringLiteral("/tmp/faultdesk-fleetsim.Xa12bc/haproxy.sock"));
        QCOMPARE(lb->blockAcl, QStringLiteral("/tmp/faultdesk-fleetsim.Xa12bc/blocked.acl"));

        const TargetConfig* web3 = c.target(u"web-3");
        QVERIFY(web3);
        QCOMPARE(web3->group, QStringLiteral("web"));
        QCOMPARE(web3->labels.value(QStringLiteral("tier")), QStringLiteral("frontend"));
        QCOMPARE(web3->probes.size(), 2);
        QCOMPARE(web3->probes.at(0).kind, ProbeConfig::Kind::Http);
        QCOMPARE(web3->probes.at(0).url, QUrl(QStringLiteral("http://127.0.0.1:18003/healthz")));
        QCOMPARE(web3->probes.at(0).bodyMatch, QStringLiteral("ok"));
        QCOMPARE(web3->probes.at(1).kind, ProbeConfig::Kind::Metrics);
        QVERIFY(web3->haproxy);
        QCOMPARE(web3->haproxy->instance, QStringLiteral("lb"));
        QCOMPARE(web3->haproxy->backend, QStringLiteral("web"));
        QCOMPARE(web3->haproxy->server, QStringLiteral("web-3"));
        QVERIFY(web3->admin && web3->admin->token);
        QCOMPARE(web3->admin->token->kind(), SecretRef::Kind::File);
        QCOMPARE(web3->admin->token->ref(), QStringLiteral("/tmp/faultdesk-fleetsim.Xa12bc/admin.token"));
        QCOMPARE(web3->commandArgv(QStringLiteral("start")).value(),
            QStringList({ QStringLiteral("faultdesk-fleetsim"), QStringLiteral("ctl"), QStringLiteral("--runtime-dir"),
                QStringLiteral("/tmp/faultdesk-fleetsim.Xa12bc"), QStringLiteral("start"), QStringLiteral("web-3") }));
        QVERIFY(!web3->commandArgv(QStringLiteral("no-such")));

        // Signals: kinds, selectors parsed, thresholds, cause classes explicit and guessed.
        QCOMPARE(web3->signalConfigs.size(), 6);
        const SignalConfig& load = web3->signalConfigs.at(0);
        QCOMPARE(load.kind, SignalConfig::Kind::Gauge);
        QCOMPARE(load.selector.metric(), QStringLiteral("fleetsim_utilisation"));
        QCOMPARE(load.cause, CauseClass::Overload);
        QVERIFY(load.threshold);
        QCOMPARE(load.threshold->direction, SignalThreshold::Direction::Above);
        QCOMPARE(load.threshold->enter, 0.85);
        QCOMPARE(load.threshold->clear, 0.70);
        QVERIFY(!load.threshold->adaptive);
        const SignalConfig& errorRate = web3->signalConfigs.at(2);
        QCOMPARE(errorRate.kind, SignalConfig::Kind::Ratio);
        QCOMPARE(errorRate.selectorText, QStringLiteral("http_requests_total{code=~\"5..\"}"));
        QCOMPARE(errorRate.selector.metric(), QStringLiteral("http_requests_total"));
        QCOMPARE(errorRate.selector.matchers().size(), 1);
        QCOMPARE(errorRate.selector.matchers().constFirst().op, LabelMatcher::Op::Regex);
        QCOMPARE(errorRate.denominator.metric(), QStringLiteral("http_requests_total"));
        QCOMPARE(errorRate.cause, CauseClass::Errors);
        const SignalConfig& p95 = web3->signalConfigs.at(3);
        QCOMPARE(p95.kind, SignalConfig::Kind::Quantile);
        QCOMPARE(p95.q, 0.95);
        QCOMPARE(p95.selector.metric(), QStringLiteral("http_request_duration_seconds"));
        QVERIFY(p95.threshold && p95.threshold->adaptive);
        QCOMPARE(p95.cause, CauseClass::Latency);
        const SignalConfig& sources = web3->signalConfigs.at(4);
        QVERIFY(sources.isBreakdown());
        QCOMPARE(sources.by, QStringLiteral("source"));
        QCOMPARE(sources.cause, CauseClass::Attack);

        const TargetConfig* api1 = c.target(u"api-1");
        QVERIFY(api1);
        QCOMPARE(api1->dependencyNames(), QStringList { QStringLiteral("db-primary") });
        const TargetConfig* primary = c.target(u"db-primary");
        QVERIFY(primary);
        QCOMPARE(primary->priority, 10);
        QCOMPARE(primary->probes.constFirst().kind, ProbeConfig::Kind::Tcp);
        QCOMPARE(primary->probes.constFirst().address, QStringLiteral("127.0.0.1:18021"));
        const SignalConfig& integrity = primary->signalConfigs.at(2);
        QCOMPARE(integrity.threshold->direction, SignalThreshold::Direction::Below);
        QCOMPARE(integrity.cause, CauseClass::DataIntegrity);
        QCOMPARE(c.signalCount(), 6 * 6 + 2 * 6);
    }

    void anyOfGroupsAndPositions()
    {
        const ConfigLoadResult r = FleetConfigLoader::loadFile(
            QStringLiteral(FAULTDESK_SOURCE_DIR "/resources/examples/database-replica.yaml"));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        const TargetConfig* catalogue = r.config->target(u"catalogue-api");
        QVERIFY(catalogue);
        QCOMPARE(catalogue->dependsOn.size(), 1);
        QVERIFY(catalogue->dependsOn.constFirst().anyOf);
        QCOMPARE(catalogue->dependsOn.constFirst().targets,
            QStringList({ QStringLiteral("pg-primary"), QStringLiteral("pg-replica") }));
        const TargetConfig* orders = r.config->target(u"orders-api");
        QVERIFY(orders);
        QVERIFY(!orders->dependsOn.constFirst().anyOf);
        QCOMPARE(orders->tlsCaFile, QStringLiteral("/etc/ssl/certs/internal-ca.pem"));
        QCOMPARE(orders->probes.constFirst().expectStatus, 204);
        // Positions are 1-based and point at the node.
        QVERIFY(catalogue->position.line > orders->position.line);
        QCOMPARE(catalogue->position.column, 5);
    }

    void relativePathsFollowTheFile()
    {
        const QByteArray yaml = "version: 1\n"
                                "haproxy: [{ name: lb, socket: run/haproxy.sock }]\n"
                                "targets:\n"
                                "  - name: a\n"
                                "    tls_ca_file: ca.pem\n"
                                "    probes: [{ kind: tcp, address: 'localhost:1' }]\n"
                                "    admin: { url: 'https://a/admin', token_file: secrets/a.token }\n";
        const ConfigLoadResult r
            = FleetConfigLoader::loadBytes(yaml, QStringLiteral("x.yaml"), QStringLiteral("/etc/fd"));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        QCOMPARE(r.config->haproxy.constFirst().socket, QStringLiteral("/etc/fd/run/haproxy.sock"));
        QCOMPARE(r.config->targets.constFirst().tlsCaFile, QStringLiteral("/etc/fd/ca.pem"));
        QCOMPARE(r.config->targets.constFirst().admin->token->ref(), QStringLiteral("/etc/fd/secrets/a.token"));
    }

    void reloadKeepsTheOldConfigOnABadFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("fleet.yaml"));
        QVERIFY(writeFile(path, minimalFleet));
        const ConfigLoadResult first = FleetConfigLoader::loadFile(path);
        QVERIFY(first.ok());

        QVERIFY(writeFile(path, QByteArray(minimalFleet).replace("solo", "renamed") + "    priority: 42\n"));
        const ConfigLoadResult bad = FleetConfigLoader::reload(path, *first.config);
        QVERIFY(!bad.ok());
        QVERIFY(bad.config);
        QCOMPARE(bad.config->targets.constFirst().name, QStringLiteral("solo")); // nothing of the new file applied
        QCOMPARE(bad.errors.size(), 1);
        QVERIFY(bad.errors.constFirst().message.contains(u"'priority' must be between 1 and 10"));

        QVERIFY(QFile::remove(path));
        const ConfigLoadResult gone = FleetConfigLoader::reload(path, *first.config);
        QVERIFY(!gone.ok());
        QCOMPARE(gone.config->targets.constFirst().name, QStringLiteral("solo"));

        QVERIFY(writeFile(path, QByteArray(minimalFleet).replace("solo", "renamed")));
        const ConfigLoadResult good = FleetConfigLoader::reload(path, *first.config);
        QVERIFY(good.ok());
        QCOMPARE(good.config->targets.constFirst().name, QStringLiteral("renamed"));
    }

    void secretsAreNotReadAtLoad()
    {
        // The token file does not exist yet: loading must not read (or require) secrets.
        const QByteArray yaml = QByteArray(minimalFleet)
            + "    admin: { url: 'http://127.0.0.1/admin', token_file: /nonexistent/faultdesk/token }\n";
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("s.yaml"));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        QCOMPARE(r.config->targets.constFirst().admin->token->toString(),
            QStringLiteral("file:/nonexistent/faultdesk/token"));
    }

    void inlineSecretIsNeverEchoed()
    {
        const QByteArray yaml
            = QByteArray(minimalFleet) + "    admin: { url: 'http://127.0.0.1/admin', token: Sup3rS3cretValue }\n";
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("s.yaml"));
        QVERIFY(!r.ok());
        QVERIFY(!describe(r.errors).contains(u"Sup3rS3cretValue"));
        QVERIFY(describe(r.errors).contains(u"token: { env: VARIABLE }"));
    }

    // Every section that sends a bearer token reads `token: { env | file }`; the older token_env/token_file is still
    // read, with one warning at the key that names the new spelling.
    void secretSpellings_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("spelling");
        QTest::addColumn<SecretRef>("expected");
        QTest::addColumn<QString>("warning");
        const QList<QPair<const char*, QByteArray>> sections {
            { "admin", QByteArray(minimalFleet) + "    admin: { url: 'http://127.0.0.1/admin', TOKEN }\n" },
            { "alertmanager",
                QByteArray(minimalFleet) + "alertmanager:\n  - { name: am, url: 'http://127.0.0.1:9093', TOKEN }\n" },
            { "prometheus",
                "version: 1\nprometheus:\n  - { name: p, url: 'http://127.0.0.1:9090', TOKEN, discover: { job: node } "
                "}\n" },
            { "http step",
                QByteArray(minimalFleet)
                    + "runbooks:\n  - name: r\n    on: [down]\n    handle:\n      - name: hook\n        http: { url: "
                      "'http://127.0.0.1:1/x', TOKEN }\n" },
        };
        const struct
        {
            const char* name;
            QByteArray text;
            SecretRef ref;
            QString warning;
        } spellings[] = {
            { "token env", "token: { env: API_TOKEN }", SecretRef::env(QStringLiteral("API_TOKEN")), {} },
            { "token file", "token: { file: /run/api.token }", SecretRef::file(QStringLiteral("/run/api.token")), {} },
            { "deprecated token_env", "token_env: API_TOKEN", SecretRef::env(QStringLiteral("API_TOKEN")),
                QStringLiteral("'token_env' is deprecated; write 'token: { env: API_TOKEN }' instead") },
            { "deprecated token_file", "token_file: /run/api.token", SecretRef::file(QStringLiteral("/run/api.token")),
                QStringLiteral("'token_file' is deprecated; write 'token: { file: /run/api.token }' instead") },
        };
        for (const auto& [section, yaml] : sections) {
            for (const auto& s : spellings) {
                QByteArray text = yaml;
                text.replace("TOKEN", s.text);
                QTest::addRow("%s, %s", section, s.name) << text << QString::fromLatin1(s.text) << s.ref << s.warning;
            }
        }
    }
    void secretSpellings()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, spelling);
        QFETCH(SecretRef, expected);
        QFETCH(QString, warning);
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("s.yaml"));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        const FleetConfig& c = *r.config;
        const std::optional<SecretRef> token = !c.alertmanager.isEmpty() ? c.alertmanager.constFirst().token
            : !c.prometheus.isEmpty()                                    ? c.prometheus.constFirst().token
            : !c.runbooks.isEmpty() ? c.runbooks.constFirst().handle.constFirst().action.token
                                    : c.targets.constFirst().admin->token;
        QVERIFY(token);
        QCOMPARE(*token, expected);
        if (warning.isEmpty()) {
            QVERIFY2(r.warnings.isEmpty(), qPrintable(describe(r.warnings)));
            return;
        }
        QCOMPARE(r.warnings.size(), 1);
        // The warning points at the deprecated key itself.
        const QString text = QString::fromUtf8(yaml);
        const qsizetype at = text.indexOf(spelling);
        const int line = int(text.left(at).count(u'\n')) + 1;
        const int column = int(at - text.lastIndexOf(u'\n', at - 1));
        QCOMPARE(
            r.warnings.constFirst().toString(), QStringLiteral("s.yaml:%1:%2: %3").arg(line).arg(column).arg(warning));
    }

    void secretSpellingMistakes_data()
    {
        QTest::addColumn<QByteArray>("admin");
        QTest::addColumn<QString>("expected");
        QTest::addRow("both spellings") << QByteArray("token: { env: A }, token_env: B")
                                        << QStringLiteral(
                                               "s.yaml:7:64: admin has both 'token' and 'token_env'; give one");
        QTest::addRow("both deprecated keys")
            << QByteArray("token_env: A, token_file: /b")
            << QStringLiteral("s.yaml:7:59: admin has both 'token_env' and 'token_file'; give one");
        QTest::addRow("inline password") << QByteArray("password: hunter2")
                                         << QStringLiteral("s.yaml:7:45: inline secret 'password': secrets are never "
                                                           "written in the configuration; reference it with 'token: { "
                                                           "env: VARIABLE }' or 'token: { file: /path/to/file }'");
        QTest::addRow("env and file") << QByteArray("token: { env: A, file: /b }")
                                      << QStringLiteral("s.yaml:7:62: 'token' has both 'env' and 'file'; give one");
        QTest::addRow("bad variable") << QByteArray("token: { env: 'NOT A VAR' }")
                                      << QStringLiteral(
                                             "s.yaml:7:59: 'env' must name an environment variable, got 'NOT A VAR'");
    }
    void secretSpellingMistakes()
    {
        QFETCH(QByteArray, admin);
        QFETCH(QString, expected);
        const QByteArray yaml
            = QByteArray(minimalFleet) + "    admin: { url: 'http://127.0.0.1/admin', " + admin + " }\n";
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("s.yaml"));
        QVERIFY(!r.ok());
        QCOMPARE(describe(r.errors), expected);
    }

    void hugeAndHostileInputsEndCleanly_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QByteArray deep;
        for (int i = 0; i < 5000; ++i)
            deep += '[';
        QTest::addRow("deep nesting") << deep;
        QByteArray aliases = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (int i = 0; i < 8; ++i)
            aliases
                += "a" + QByteArray::number(i) + ": &a" + QByteArray::number(i) + " [*a, *a, *a, *a, *a, *a, *a, *a]\n";
        QTest::addRow("alias bomb") << aliases;
        QByteArray targets = "version: 1\nt: &t { name: x, probes: [] }\ntargets: [";
        for (int i = 0; i < 2000; ++i)
            targets += "*t, ";
        QTest::addRow("thousands of broken targets") << targets + "*t]\n";
        QTest::addRow("nul bytes") << QByteArray("version: 1\0\0targets:", 21);
        QTest::addRow("tab indentation") << QByteArray("version: 1\n\ttargets: []\n");
    }
    void hugeAndHostileInputsEndCleanly()
    {
        QFETCH(QByteArray, yaml);
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("hostile.yaml"));
        QVERIFY(!r.ok());
        QVERIFY(!r.errors.isEmpty());
        QVERIFY(r.errors.size() <= FleetConfigLoader::MaxErrors + 1);
    }

    void errorListIsCappedWithANote()
    {
        QByteArray yaml = "version: 1\ntargets:\n";
        for (int i = 0; i < 500; ++i)
            yaml += "  - { name: t" + QByteArray::number(i) + ", probes: [{kind: tcp, address: 'h:1'}], depends_on: [x"
                + QByteArray::number(i) + "] }\n";
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("many.yaml"));
        QCOMPARE(r.errors.size(), FleetConfigLoader::MaxErrors + 1);
        QVERIFY(r.errors.at(0).message.contains(u"unknown target 'x0'"));
        QVERIFY(r.errors.constLast().message.contains(u"too many problems"));
    }

    // Replays the fuzzer's seeds and every crasher it ever found: no crash, and either a config or errors.
    void fuzzCorpusReplays_data()
    {
        QTest::addColumn<QString>("file");
        const QString corpus = QStringLiteral(FAULTDESK_SOURCE_DIR "/tests/fuzz/corpus/fleetconfig");
        int n = 0;
        for (const QString& sub : { QString(), QStringLiteral("/crashers") }) {
            const QDir dir(corpus + sub);
            for (const QString& f : dir.entryList(QDir::Files)) {
                QTest::addRow("%s", qPrintable(sub.mid(1) + u'/' + f)) << dir.filePath(f);
                ++n;
            }
        }
        QVERIFY(n > 0);
    }
    void fuzzCorpusReplays()
    {
        QFETCH(QString, file);
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(readAll(file), QStringLiteral("corpus.yaml"));
        QCOMPARE(r.config.has_value(), r.errors.isEmpty());
        for (const ConfigError& e : r.errors) {
            QCOMPARE(e.file, QStringLiteral("corpus.yaml"));
            QVERIFY(!e.message.isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TestFleetConfigLoader)
#include "tst_fleetconfigloader.moc"
