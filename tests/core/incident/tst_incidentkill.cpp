#include "incident/incidentstore.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

/**
 * kill -9 at random moments while a child process writes bursts of incidents: every id the child printed (it prints
 * only after the commit returned) must be in the database afterwards, acknowledged, and the file must pass
 * PRAGMA integrity_check and foreign_key_check.
 */
class TestIncidentKill : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void killNineLosesNothingRecorded()
    {
        const int iterations = qEnvironmentVariableIntValue("FAULTDESK_KILL_ITERATIONS") > 0
            ? qEnvironmentVariableIntValue("FAULTDESK_KILL_ITERATIONS")
            : 50;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("incidents.db"));
        const QString helper = QCoreApplication::applicationDirPath() + QStringLiteral("/incidentkillhelper");
        QVERIFY2(QFileInfo::exists(helper), qPrintable(helper));

        QSet<QString> acknowledged;
        int kills = 0;
        int killsMidWrite = 0;
        qint64 slowestReopenMs = 0;
        QElapsedTimer total;
        total.start();
        for (int i = 0; i < iterations; ++i) {
            QProcess child;
            child.setProcessChannelMode(QProcess::SeparateChannels);
            child.start(helper, { path });
            QVERIFY2(child.waitForStarted(10000), qPrintable(child.errorString()));
            // Wait until it is writing (first id printed), then kill at a random moment within the next burst(s).
            QByteArray out;
            QDeadlineTimer ready(20000);
            while (!out.contains('\n') && !ready.hasExpired() && child.state() == QProcess::Running) {
                child.waitForReadyRead(100);
                out += child.readAllStandardOutput();
            }
            QVERIFY2(out.contains('\n'), qPrintable(QString::fromLocal8Bit(child.readAllStandardError())));
            QTest::qSleep(int(QRandomGenerator::global()->bounded(1, 120)));
            child.kill(); // SIGKILL
            QVERIFY(child.waitForFinished(10000));
            QCOMPARE(child.exitStatus(), QProcess::CrashExit);
            ++kills;
            out += child.readAllStandardOutput();
            QList<QByteArray> lines = out.split('\n');
            if (!out.endsWith('\n'))
                ++killsMidWrite; // killed in the middle of printing an id: that one was never shown whole
            lines.removeLast(); // empty after the final newline, or the torn line
            for (const QByteArray& line : std::as_const(lines))
                acknowledged.insert(QString::fromLatin1(line));

            // Reopen as the console would after the crash and look for every printed id.
            QElapsedTimer reopen;
            reopen.start();
            const QString name = QStringLiteral("check%1").arg(i);
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
                db.setDatabaseName(path);
                QVERIFY(db.open());
                QSqlQuery q(db);
                QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
                QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
                QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_key_check")));
                QVERIFY(!q.next());
                slowestReopenMs = std::max(slowestReopenMs, reopen.elapsed());
                QSet<QString> present;
                QVERIFY(q.exec(QStringLiteral("SELECT id FROM incidents WHERE state = 'acknowledged'")));
                while (q.next())
                    present.insert(q.value(0).toString());
                QSet<QString> lost = acknowledged;
                lost.subtract(present);
                if (!lost.isEmpty())
                    QFAIL(qPrintable(QStringLiteral("iteration %1: %2 acknowledged incidents lost, e.g. %3")
                                         .arg(i)
                                         .arg(lost.size())
                                         .arg(*lost.constBegin())));
                db.close();
            }
            QSqlDatabase::removeDatabase(name);
        }
        IncidentStore::Options o;
        o.path = path;
        IncidentStore store(o);
        QVERIFY(store.open());
        QCOMPARE(store.integrityCheck(), QStringLiteral("ok"));
        IncidentFilter all;
        all.limit = 0;
        const int stored = store.count(all);
        qInfo("kill -9 loop: %d kills (%d tore a line), %lld acknowledged incidents checked, "
              "%d in the database, 0 lost, integrity ok, slowest reopen+check %lld ms, %lld ms in all",
            kills, killsMidWrite, qint64(acknowledged.size()), stored, slowestReopenMs, total.elapsed());
        QVERIFY(stored >= acknowledged.size());
    }
};

QTEST_GUILESS_MAIN(TestIncidentKill)
#include "tst_incidentkill.moc"
