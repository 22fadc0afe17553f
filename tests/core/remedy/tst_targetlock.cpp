#include "remedy/targetlock.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace FaultDesk;

class TestTargetLock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void secondAttemptSeesHolder();
    void otherInstanceAndCrash();
    void oddTargetNamesStayInDirectory();
    void lockFilesArePrivateAndNeverFollowLinks();
};

void TestTargetLock::secondAttemptSeesHolder()
{
    QTemporaryDir dir;
    TargetLock first = TargetLock::tryAcquire(dir.path(), u"web-1"_qs, u"alice"_qs, u"crash/handle"_qs);
    QVERIFY(first.isLocked());
    TargetLock::Holder holder;
    TargetLock second = TargetLock::tryAcquire(dir.path(), u"web-1"_qs, u"bob"_qs, u"crash/handle"_qs, &holder);
    QVERIFY(!second.isLocked());
    QCOMPARE(holder.operatorName, u"alice"_qs);
    QCOMPARE(holder.purpose, u"crash/handle"_qs);
    QVERIFY2(holder.toString().startsWith(u"alice ("_qs), qPrintable(holder.toString()));
    QVERIFY(TargetLock::holder(dir.path(), u"web-1"_qs));
    // Another target is independent.
    QVERIFY(TargetLock::tryAcquire(dir.path(), u"web-2"_qs, u"bob"_qs, {}).isLocked());
    first.release();
    QVERIFY(!TargetLock::holder(dir.path(), u"web-1"_qs));
    TargetLock third = TargetLock::tryAcquire(dir.path(), u"web-1"_qs, u"bob"_qs, {});
    QVERIFY(third.isLocked());
    TargetLock moved = std::move(third);
    QVERIFY(moved.isLocked() && !third.isLocked());
}

void TestTargetLock::otherInstanceAndCrash()
{
    QTemporaryDir dir;
    QProcess peer;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"REMEDY_PEER_MODE"_qs, u"lock"_qs);
    env.insert(u"REMEDY_PEER_LOCKDIR"_qs, dir.path());
    peer.setProcessEnvironment(env);
    peer.start(QStringLiteral(REMEDY_PEER), { u"db-1"_qs });
    QVERIFY(peer.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(peer.canReadLine() || peer.state() != QProcess::Running, 10000);
    QCOMPARE(peer.readLine().trimmed(), QByteArray("locked"));

    TargetLock::Holder holder;
    TargetLock mine = TargetLock::tryAcquire(dir.path(), u"db-1"_qs, u"alice"_qs, {}, &holder);
    QVERIFY(!mine.isLocked());
    QCOMPARE(holder.operatorName, u"peer"_qs);
    QVERIFY2(holder.instance.endsWith(u":%1"_qs.arg(peer.processId())), qPrintable(holder.instance));

    // The other instance dies mid-remediation: the kernel drops its lock, nothing stale remains.
    peer.kill();
    QVERIFY(peer.waitForFinished(5000));
    TargetLock after = TargetLock::tryAcquire(dir.path(), u"db-1"_qs, u"alice"_qs, {});
    QVERIFY(after.isLocked());
}

void TestTargetLock::oddTargetNamesStayInDirectory()
{
    QTemporaryDir dir;
    for (const QString& name : { u"../escape"_qs, u"a/b"_qs, u"web 1;x"_qs }) {
        TargetLock lock = TargetLock::tryAcquire(dir.path(), name, u"alice"_qs, {});
        QVERIFY2(lock.isLocked(), qPrintable(name));
    }
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 3);
    QVERIFY(!QFile::exists(QDir(dir.path()).filePath(u"../escape.lock"_qs)));
}

// A symbolic link planted where a lock file goes must not make FaultDesk create or truncate its target, and the
// lock directory (and the files in it) belong to FaultDesk alone.
void TestTargetLock::lockFilesArePrivateAndNeverFollowLinks()
{
    QTemporaryDir base;
    const QString dir = base.filePath(u"locks"_qs);
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(QFile::setPermissions(dir, QFileDevice::Permissions(0x7755))); // 0755, as a careless install leaves it
    const QString victim = base.filePath(u"precious"_qs);
    {
        QFile f(victim);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("keep me");
    }
    QVERIFY(QFile::link(victim, QDir(dir).filePath(u"web-1.lock"_qs)));
    QString error;
    TargetLock planted = TargetLock::tryAcquire(dir, u"web-1"_qs, u"alice"_qs, {}, nullptr, &error);
    QVERIFY(!planted.isLocked());
    QVERIFY2(!error.isEmpty(), "a refused lock says why");
    QFile f(victim);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), "keep me");
    QVERIFY(!TargetLock::holder(dir, u"web-1"_qs));

    TargetLock ok = TargetLock::tryAcquire(dir, u"web-2"_qs, u"alice"_qs, {});
    QVERIFY(ok.isLocked());
    struct stat st
    { };
    QCOMPARE(::stat(QFile::encodeName(dir).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);
    QCOMPARE(::stat(QFile::encodeName(QDir(dir).filePath(u"web-2.lock"_qs)).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0077, 0u);

    // A lock directory that is itself a symbolic link is refused.
    const QString linked = base.filePath(u"linked-locks"_qs);
    QVERIFY(QFile::link(dir, linked));
    TargetLock viaLink = TargetLock::tryAcquire(linked, u"web-3"_qs, u"alice"_qs, {}, nullptr, &error);
    QVERIFY(!viaLink.isLocked());
    QVERIFY2(error.contains(u"not a directory"_qs), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestTargetLock)
#include "tst_targetlock.moc"
