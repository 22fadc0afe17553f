// RemediationController across a crash: a real FaultDesk-like process (remedyconsole, the controller with a
// monitor, an audit trail and automation on) is killed with SIGKILL while a runbook step runs `sleep 30`. The
// orphaned step keeps the target's lock, so a restarted console runs nothing a second time while it lives; the
// restarted console lists the unfinished remediation (the banner's data) and keeps automation off the target until
// a person resolves it, even after the orphan is gone.
#include "remedy/targetlock.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

using namespace FaultDesk;

class TestRemediationRestart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void killDuringStepKeepsLockAndHoldsAutomation();

private:
    /// Pids of the processes (other than @p except) that have @p path open: who holds a lock file.
    static QList<qint64> openers(const QString& path, qint64 except = 0);
    void startConsole(QProcess& p, QByteArray& out);
    QString lockFile() const { return m_dir.filePath(u"locks/app-1.lock"_qs); }

    QTemporaryDir m_dir;
    QString m_config;
};

void TestRemediationRestart::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QTcpServer closed; // nothing listens here afterwards: app-1 is down
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();
    m_config = m_dir.filePath(u"fleet.yaml"_qs);
    QFile f(m_config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("version: 1\n"
            "defaults: { interval: 200ms, timeout: 150ms, attempts: 2, retry_interval: 100ms }\n"
            "targets:\n"
            "  - name: app-1\n"
            "    probes: [{ kind: tcp, address: '127.0.0.1:"
        + QByteArray::number(port)
        + "' }]\n"
          "runbooks:\n"
          "  - name: hold\n"
          "    on: [down]\n"
          "    handle:\n"
          "      - { name: wait it out, command: [sleep, '30'], deadline: 60s }\n");
}

void TestRemediationRestart::cleanup()
{
    // Whatever still holds the lock (an orphaned or a second sleep) goes with the test.
    for (const qint64 pid : openers(lockFile()))
        ::kill(pid_t(pid), SIGKILL);
}

QList<qint64> TestRemediationRestart::openers(const QString& path, qint64 except)
{
    QList<qint64> out;
    const QString target = QFileInfo(path).canonicalFilePath();
    if (target.isEmpty())
        return out;
    for (const QString& entry : QDir(u"/proc"_qs).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid || pid == except || pid == QCoreApplication::applicationPid())
            continue;
        QDirIterator fds(u"/proc/%1/fd"_qs.arg(pid), QDir::Files | QDir::System | QDir::NoDotAndDotDot);
        while (fds.hasNext())
            if (QFile::symLinkTarget(fds.next()) == target) {
                out << pid;
                break;
            }
    }
    return out;
}

void TestRemediationRestart::startConsole(QProcess& p, QByteArray& out)
{
    connect(&p, &QProcess::readyReadStandardOutput, &p, [&p, &out] { out += p.readAllStandardOutput(); });
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(QStringLiteral(REMEDY_CONSOLE),
        { m_config, m_dir.filePath(u"locks"_qs), m_dir.filePath(u"audit.jsonl"_qs),
            m_dir.filePath(u"automation.json"_qs), u"--auto"_qs });
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(out.contains("ready\n"), 20000);
}

void TestRemediationRestart::killDuringStepKeepsLockAndHoldsAutomation()
{
    // First life: automation handles app-1's crash; its only step runs `sleep 30`.
    QProcess first;
    QByteArray out1;
    startConsole(first, out1);
    QTRY_VERIFY_WITH_TIMEOUT(out1.contains("run-started "), 20000);
    QList<qint64> orphan;
    QTRY_VERIFY_WITH_TIMEOUT(!(orphan = openers(lockFile(), first.processId())).isEmpty(), 10000);
    QCOMPARE(orphan.size(), 1); // the step's `sleep`, holding the lock descriptor it inherited
    first.kill(); // SIGKILL: no destructor, no cleanup
    QVERIFY(first.waitForFinished(5000));

    // The orphan lives on, and so does the lock: nobody else may remediate app-1 meanwhile.
    QCOMPARE(::kill(pid_t(orphan.first()), 0), 0);
    const auto holder = TargetLock::holder(m_dir.filePath(u"locks"_qs), u"app-1"_qs);
    QVERIFY2(holder.has_value(), "the lock was released although the remediation's process still runs");
    QCOMPARE(holder->operatorName, u"auto"_qs);
    QVERIFY2(holder->instanceGone, qPrintable(holder->toString()));
    QVERIFY2(holder->toString().contains(u"that FaultDesk is gone, a command it started still holds the lock"_qs),
        qPrintable(holder->toString()));

    // Second life, automation on: the unfinished remediation is listed, and nothing runs a second time.
    QProcess second;
    QByteArray out2;
    startConsole(second, out2);
    QVERIFY2(out2.startsWith("unfinished app-1 hold/handle#1"), out2.constData());
    QTRY_VERIFY_WITH_TIMEOUT(out2.contains(" app-1 1 held=a remediation of app-1"), 20000); // located, held back
    second.write("handle app-1\n");
    QTRY_VERIFY_WITH_TIMEOUT(out2.contains("handle refused: "), 10000);
    QVERIFY2(out2.contains("app-1 is being remediated by auto"), out2.constData());
    QVERIFY2(!out2.contains("run-started"), out2.constData());

    // The orphan ends: the lock is free, yet automation still waits for a person.
    ::kill(pid_t(orphan.first()), SIGKILL);
    QTRY_VERIFY_WITH_TIMEOUT(!TargetLock::holder(m_dir.filePath(u"locks"_qs), u"app-1"_qs), 10000);
    second.write("status app-1\n");
    QTRY_VERIFY_WITH_TIMEOUT(out2.contains("status held="), 10000);
    QVERIFY2(out2.contains("status held=a remediation of app-1 (hold/handle#1 by auto since"), out2.constData());
    QVERIFY2(out2.contains("lock=\n"), out2.constData());
    QVERIFY2(!out2.contains("run-started"), out2.constData());

    // Resolved in the banner (dismissed): automation takes the fault up again.
    second.write("dismiss\n");
    QTRY_VERIFY_WITH_TIMEOUT(out2.contains("dismissed 1\n"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(out2.contains("run-started "), 20000);
    second.kill();
    QVERIFY(second.waitForFinished(5000));
}

QTEST_GUILESS_MAIN(TestRemediationRestart)
#include "tst_remediationrestart.moc"
