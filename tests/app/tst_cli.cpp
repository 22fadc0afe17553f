// The command-line contract of the faultdesk program, exercised on the real binary.

#include <QProcess>
#include <QTest>

class TestCli : public QObject
{
    Q_OBJECT
private:
    struct Result
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    static Result run(
        const QStringList& arguments, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
    {
        QProcess process;
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), arguments);
        if (!process.waitForFinished(30000)) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError() };
    }

private Q_SLOTS:
    void version()
    {
        const Result r = run({ QStringLiteral("--version") });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed(), QByteArray("faultdesk " FAULTDESK_VERSION));
    }

    void help()
    {
        const Result r = run({ QStringLiteral("--help") });
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Usage:"));
        QVERIFY(r.out.contains("--headless"));
        QVERIFY(r.out.contains("--verbose"));
    }

    void badOptionIsBadInput()
    {
        const Result r = run({ QStringLiteral("--no-such-option") });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no-such-option"), r.err.constData());
    }

    void noDisplayRunsHeadless()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        const Result r = run({}, env);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("no display found"), r.err.constData());
        QVERIFY(r.out.contains("headless"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
