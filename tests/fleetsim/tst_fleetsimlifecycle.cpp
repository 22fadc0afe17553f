// faultdesk-fleetsim's life cycle: it leaves no process, port or file behind when stopped or when its parent dies,
// and rejects a bad demo description with a clear message.
#include "fleetsimharness.h"

#include <QJsonArray>
#include <QStandardPaths>
#include <QTest>

#include <sys/stat.h>

using namespace FaultDesk::Test;

class TestFleetsimLifecycle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sigtermLeavesNothing();
    void parentDeathLeavesNothing();
    void killedSupervisorTakesItsChildren();
    void defaultRuntimeDirIsPrivateAndRemoved();
    void badDemoIsRejected_data();
    void badDemoIsRejected();

private:
    struct Footprint
    {
        QList<qint64> pids;
        QList<quint16> ports;
    };
    static Footprint footprint(const FleetProcess& fleet);
    static bool alive(qint64 pid);
    static bool gone(const Footprint& f);
};

TestFleetsimLifecycle::Footprint TestFleetsimLifecycle::footprint(const FleetProcess& fleet)
{
    Footprint f;
    const QJsonObject status = fleet.ctlJson({ QStringLiteral("status") });
    for (const QJsonValue& t : status.value(QStringLiteral("targets")).toArray()) {
        f.pids << t.toObject().value(QStringLiteral("pid")).toInteger();
        f.ports << quint16(t.toObject().value(QStringLiteral("port")).toInt());
    }
    f.pids << status.value(QStringLiteral("haproxy_pid")).toInteger();
    f.ports << quint16(QUrl(status.value(QStringLiteral("frontend_url")).toString()).port());
    return f;
}

bool TestFleetsimLifecycle::alive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype paren = text.lastIndexOf(')');
    return paren > 0 && text.mid(paren + 2, 1) != "Z";
}

bool TestFleetsimLifecycle::gone(const Footprint& f)
{
    for (const qint64 pid : f.pids)
        if (alive(pid))
            return false;
    for (const quint16 port : f.ports)
        if (httpGet(port, "/healthz", 500).connected)
            return false;
    return true;
}

void TestFleetsimLifecycle::sigtermLeavesNothing()
{
    FleetProcess fleet;
    QVERIFY(fleet.waitReady());
    const Footprint f = footprint(fleet);
    QCOMPARE(f.pids.size(), 9); // 8 targets and haproxy
    for (const qint64 pid : f.pids)
        QVERIFY2(pid > 0 && alive(pid), "every child runs while the fleet is up");
    ::kill(pid_t(fleet.process().processId()), SIGTERM);
    QVERIFY(fleet.process().waitForFinished(10000));
    QCOMPARE(fleet.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(fleet.process().exitCode(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(gone(f), 5000);
    QVERIFY(!QFile::exists(fleet.dir() + QStringLiteral("/control.json")));
    QVERIFY(!QFile::exists(fleet.dir() + QStringLiteral("/haproxy.sock")));
}

void TestFleetsimLifecycle::killedSupervisorTakesItsChildren()
{
    // SIGKILL leaves fleetsim no chance to clean up: its servers and haproxy must still die (their parent-death
    // signal), so their ports are free again.
    FleetProcess fleet;
    QVERIFY(fleet.waitReady());
    const Footprint f = footprint(fleet);
    QCOMPARE(f.pids.size(), 9);
    fleet.process().kill();
    QVERIFY(fleet.process().waitForFinished(5000));
    QTRY_VERIFY_WITH_TIMEOUT(gone(f), 5000);
}

void TestFleetsimLifecycle::parentDeathLeavesNothing()
{
    // coreutils timeout is a plain parent process: it forks fleetsim and waits; SIGKILL gives it no chance to
    // clean up, so only fleetsim's parent-death signal can stop the fleet.
    const QString timeoutBinary = QStandardPaths::findExecutable(QStringLiteral("timeout"));
    if (timeoutBinary.isEmpty())
        QSKIP("coreutils timeout not found");
    QTemporaryDir tmp(QDir::tempPath() + QStringLiteral("/fsimXXXXXX"));
    const QString dir = tmp.path() + QStringLiteral("/rt");
    QProcess parent;
    parent.start(timeoutBinary, { QStringLiteral("120"), fleetsimBinary(), QStringLiteral("--runtime-dir"), dir });
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += parent.readAllStandardOutput()).contains("READY "), 30000);
    QFile control(dir + QStringLiteral("/control.json"));
    QVERIFY(control.open(QIODevice::ReadOnly));
    const qint64 fleetPid
        = QJsonDocument::fromJson(control.readAll()).object().value(QStringLiteral("pid")).toInteger();
    QProcess ctl;
    ctl.start(
        fleetsimBinary(), { QStringLiteral("ctl"), QStringLiteral("--runtime-dir"), dir, QStringLiteral("status") });
    QVERIFY(ctl.waitForFinished(10000));
    const QJsonObject status = QJsonDocument::fromJson(ctl.readAllStandardOutput()).object();
    Footprint f;
    f.pids << fleetPid << status.value(QStringLiteral("haproxy_pid")).toInteger();
    for (const QJsonValue& t : status.value(QStringLiteral("targets")).toArray()) {
        f.pids << t.toObject().value(QStringLiteral("pid")).toInteger();
        f.ports << quint16(t.toObject().value(QStringLiteral("port")).toInt());
    }
    QCOMPARE(f.pids.size(), 10);
    QVERIFY(alive(fleetPid));
    parent.kill();
    QVERIFY(parent.waitForFinished(5000));
    QTRY_VERIFY_WITH_TIMEOUT(gone(f), 10000);
}

void TestFleetsimLifecycle::defaultRuntimeDirIsPrivateAndRemoved()
{
    QTemporaryDir xdg(QDir::tempPath() + QStringLiteral("/fsimxdgXXXXXX"));
    QProcess fleet;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), xdg.path());
    fleet.setProcessEnvironment(env);
    fleet.start(fleetsimBinary(), { QStringLiteral("--no-traffic") });
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += fleet.readAllStandardOutput()).contains('\n'), 30000);
    QVERIFY2(out.startsWith(QByteArray("READY " + QFile::encodeName(xdg.path()) + '/')), out.constData());
    const QByteArray dir = out.mid(6).trimmed();
    struct stat st
    { };
    QCOMPARE(::stat(dir.constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);
    QVERIFY(QFile::exists(QFile::decodeName(dir) + QStringLiteral("/fleet.yaml")));
    fleet.terminate();
    QVERIFY(fleet.waitForFinished(10000));
    QCOMPARE(fleet.exitCode(), 0);
    QVERIFY2(!QFileInfo::exists(QFile::decodeName(dir)), "a runtime directory fleetsim created is removed on exit");
}

void TestFleetsimLifecycle::badDemoIsRejected_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");
    QTest::addRow("not json") << QByteArray("{ nope") << QStringLiteral("offset");
    QTest::addRow("wrong version") << QByteArray(R"({"version":2,"targets":[]})")
                                   << QStringLiteral("version: must be 1");
    QTest::addRow("unknown key") << QByteArray(R"({"version":1,"colour":"red","targets":[]})")
                                 << QStringLiteral("unknown key 'colour'");
    QTest::addRow("bad kind") << QByteArray(R"({"version":1,"targets":[{"name":"x","kind":"mainframe"}]})")
                              << QStringLiteral("targets[0].kind");
    QTest::addRow("duplicate") << QByteArray(
        R"({"version":1,"targets":[{"name":"x","kind":"web"},{"name":"x","kind":"web"}]})")
                               << QStringLiteral("duplicate target 'x'");
    QTest::addRow("unknown dependency") << QByteArray(
        R"({"version":1,"targets":[{"name":"x","kind":"api","depends_on":["db"]}]})")
                                        << QStringLiteral("x.depends_on: unknown target 'db'");
    QTest::addRow("bad duration") << QByteArray(
        R"({"version":1,"haproxy":{"check_inter":"fast"},"targets":[{"name":"x","kind":"web"}]})")
                                  << QStringLiteral("haproxy.check_inter");
}

void TestFleetsimLifecycle::badDemoIsRejected()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("demo.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json);
    file.close();
    QProcess fleet;
    fleet.start(fleetsimBinary(),
        { QStringLiteral("--demo"), path, QStringLiteral("--runtime-dir"), tmp.filePath(QStringLiteral("rt")) });
    QVERIFY(fleet.waitForFinished(10000));
    QCOMPARE(fleet.exitCode(), 2);
    const QString err = QString::fromUtf8(fleet.readAllStandardError());
    QVERIFY2(err.contains(path) && err.contains(message), qPrintable(err));
    QVERIFY(fleet.readAllStandardOutput().isEmpty());
}

QTEST_GUILESS_MAIN(TestFleetsimLifecycle)
#include "tst_fleetsimlifecycle.moc"
