// `faultdesk check`, exercised on the real binary: the shipped examples and the demo fleet's configuration pass,
// broken files are reported as file:line:col with exit status 2.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestCheckCommand : public QObject
{
    Q_OBJECT
private:
    struct Result
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    static Result check(const QStringList& files)
    {
        QProcess process;
        process.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), QStringList { QStringLiteral("check") } + files);
        if (!process.waitForFinished(30000)) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError() };
    }

private Q_SLOTS:
    void examplesPass_data()
    {
        QTest::addColumn<QString>("file");
        const QDir examples(QStringLiteral(FAULTDESK_SOURCE_DIR "/resources/examples"));
        const QStringList files = examples.entryList({ QStringLiteral("*.yaml") }, QDir::Files);
        QVERIFY(files.size() >= 3);
        for (const QString& f : files)
            QTest::addRow("%s", qPrintable(f)) << examples.filePath(f);
        QTest::addRow("demo fleet") << QStringLiteral(FAULTDESK_SOURCE_DIR "/tests/core/config/data/demo-fleet.yaml");
    }
    void examplesPass()
    {
        QFETCH(QString, file);
        const Result r = check({ file });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.err.isEmpty());
        QVERIFY2(r.out.startsWith(QByteArray(file.toUtf8() + ": ok (")), r.out.constData());
    }

    void summaryCounts()
    {
        const QString file = QStringLiteral(FAULTDESK_SOURCE_DIR "/resources/examples/http-service-haproxy.yaml");
        const Result r = check({ file });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QByteArray(file.toUtf8() + ": ok (3 targets, 1 haproxy instance, 12 signals)\n"));
    }

    // The optional sections are named in the summary when a file has them.
    void summaryNamesOptionalSections()
    {
        const QString runbooks = QStringLiteral(FAULTDESK_SOURCE_DIR "/resources/examples/runbooks-web-pool.yaml");
        Result r = check({ runbooks });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(", 4 runbooks)"), r.out.constData());
        const QString prom = QStringLiteral(FAULTDESK_SOURCE_DIR "/resources/examples/prometheus-fleet.yaml");
        r = check({ prom });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("1 prometheus source"), r.out.constData());
        QVERIFY2(!r.out.contains(" 0 signals"), r.out.constData());
    }

    void badFileReportsEveryProblem()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("fleet.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("version: 1\n"
                "defaults: { interval: 1x }\n"
                "targets:\n"
                "  - name: a\n"
                "    priority: 0\n"
                "    probes: [{ kind: http, url: 'ftp://x/' }]\n"
                "    depends_on: [nobody]\n");
        f.close();
        const Result r = check({ path });
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        const QList<QByteArray> lines = r.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QVERIFY2(lines.at(0).startsWith(QByteArray(path.toUtf8() + ":2:23: 'interval': bad duration")),
            lines.at(0).constData());
        QVERIFY2(lines.at(1).startsWith(QByteArray(path.toUtf8() + ":5:15: 'priority'")), lines.at(1).constData());
        QVERIFY2(lines.at(2).startsWith(QByteArray(path.toUtf8() + ":6:33: 'url': bad URL")), lines.at(2).constData());
        QVERIFY2(lines.at(3).startsWith(QByteArray(path.toUtf8() + ":7:18: depends_on: unknown target 'nobody'")),
            lines.at(3).constData());
    }

    // A bearer token over plain http to a host that is not loopback is readable on the path: refused at the url,
    // for every section that sends one, unless the entry says insecure_token_over_http: true.
    void tokenOverPlainHttpIsRefused_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QByteArray>("where");
        const QByteArray head = "version: 1\n"
                                "targets:\n"
                                "  - name: a\n"
                                "    probes: [{ kind: http, url: 'http://10.0.0.5/' }]\n";
        QTest::addRow("admin") << head + "    admin: { url: 'http://10.0.0.5:8081/admin', token_env: ADMIN_TOKEN }\n"
                               << QByteArray(":5:19: admin API sends its bearer token over plain http to 10.0.0.5");
        QTest::addRow("alertmanager")
            << head + "alertmanager:\n  - name: am\n    url: http://am.example.net:9093\n    token_env: AM_TOKEN\n"
            << QByteArray(":7:10: alertmanager 'am' sends its bearer token over plain http to am.example.net");
        QTest::addRow("http step")
            << head
                + "runbooks:\n  - name: r\n    on: [down]\n    handle:\n      - name: hook\n        http: { url: "
                  "'http://hooks.example.net/x', token: { env: HOOK_TOKEN } }\n"
            << QByteArray(":10:22: http step sends its bearer token over plain http to hooks.example.net");
    }
    void tokenOverPlainHttpIsRefused()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QByteArray, where);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("fleet.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(yaml);
        f.close();
        Result r = check({ path });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith(QByteArray(path.toUtf8() + where)), r.err.constData());
        QVERIFY2(r.err.contains("insecure_token_over_http: true"), r.err.constData());

        // Loopback is fine, and so is an explicit opt-in.
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QByteArray allowed = yaml;
        allowed.replace("10.0.0.5:8081", "127.0.0.1:8081");
        allowed.replace("token_env: AM_TOKEN", "token_env: AM_TOKEN\n    insecure_token_over_http: true");
        allowed.replace("token: { env: HOOK_TOKEN }", "token: { env: HOOK_TOKEN }, insecure_token_over_http: true");
        f.write(allowed);
        f.close();
        r = check({ path });
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    // env: (target and command step) is a mapping of variable names to literal strings, nothing else.
    void envIsChecked()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("fleet.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("version: 1\n"
                "targets:\n"
                "  - name: a\n"
                "    probes: [{ kind: http, url: 'http://127.0.0.1:1/' }]\n"
                "    env: { REGION: eu-1, 'BAD NAME': x, TOKEN: { env: T } }\n"
                "runbooks:\n"
                "  - name: r\n"
                "    on: [down]\n"
                "    handle:\n"
                "      - name: wait\n"
                "        wait: { healthy_for: 1 }\n"
                "        env: { A: b }\n");
        f.close();
        const Result r = check({ path });
        QCOMPARE(r.exitCode, 2);
        const QList<QByteArray> lines = r.err.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines.at(0).startsWith(QByteArray(path.toUtf8() + ":5:26: 'env': 'BAD NAME' is not")),
            lines.at(0).constData());
        QVERIFY2(lines.at(1).startsWith(QByteArray(path.toUtf8() + ":5:48: 'env': TOKEN must be a string")),
            lines.at(1).constData());
        QVERIFY2(
            lines.at(2).startsWith(QByteArray(path.toUtf8() + ":12:9: 'env' applies to command and run steps only")),
            lines.at(2).constData());
    }

    void missingFileIsBadInput()
    {
        const QString good = QStringLiteral(FAULTDESK_SOURCE_DIR "/resources/examples/database-replica.yaml");
        const Result r = check({ good, QStringLiteral("/nonexistent/fleet.yaml") });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("/nonexistent/fleet.yaml: cannot read"), r.err.constData());
        QVERIFY(r.out.contains(": ok (")); // the good file is still checked and reported
    }

    void helpMentionsCheck()
    {
        QProcess process;
        process.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), { QStringLiteral("--help") });
        QVERIFY(process.waitForFinished(30000));
        QVERIFY(process.readAllStandardOutput().contains("check FLEET.yaml"));
        const Result r = check({ QStringLiteral("--help") });
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("FLEET.yaml"));
    }

    void noFileIsBadInput()
    {
        const Result r = check({});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("no file given"));
    }
};

QTEST_GUILESS_MAIN(TestCheckCommand)
#include "tst_checkcommand.moc"
