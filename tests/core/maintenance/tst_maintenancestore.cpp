#include "incident/incidentschema.h"
#include "incident/incidentstore.h"
#include "maintenance/maintenancestore.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace FaultDesk;

namespace {
const QDateTime t0 = QDateTime(QDate(2026, 11, 2), QTime(9, 0), Qt::UTC);

QDateTime at(qint64 seconds)
{
    return t0.addSecs(seconds);
}

WriteResult wait(QFuture<WriteResult> f)
{
    f.waitForFinished();
    return f.result();
}

MaintenanceWindow window(const QString& id, qint64 fromS, qint64 toS)
{
    MaintenanceWindow w;
    w.id = id;
    w.targets = { QStringLiteral("web-1") };
    w.startUtc = at(fromS);
    w.endUtc = at(toS);
    w.comment = QStringLiteral("kernel upgrade");
    w.createdBy = QStringLiteral("alice");
    w.createdUtc = at(fromS);
    return w;
}
} // namespace

class TestMaintenanceStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_n = 0;

    IncidentStore::Options options()
    {
        IncidentStore::Options o;
        o.path = m_dir.filePath(QStringLiteral("db%1/incidents.db").arg(++m_n));
        o.retryIntervalMs = 50;
        return o;
    }

private Q_SLOTS:
    // A version 2 file (before maintenance windows) opens as version 3, keeps its incidents and stores windows that
    // survive a restart; ending a window early replaces it, and old ones can be pruned.
    void migratesVersionTwoFileAndKeepsMaintenanceWindows()
    {
        IncidentStore::Options o = options();
        o.clock = [] { return at(0); };
        QDir().mkpath(QFileInfo(o.path).absolutePath());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v2"));
            db.setDatabaseName(o.path);
            QVERIFY(db.open());
            QString error;
            QVERIFY2(IncidentSchema::migrate(db, &error, 2), qPrintable(error));
            QCOMPARE(IncidentSchema::version(db), 2);
            QSqlQuery q(db);
            QVERIFY2(q.exec(QStringLiteral(
                         "INSERT INTO incidents (id, root_target, cause_class, title, state, detected_ms, updated_ms) "
                         "VALUES ('inc-v2', 'db-primary', 'down', 'db-primary down', 'detected', %1, %1)")
                                .arg(at(0).toMSecsSinceEpoch())),
                qPrintable(q.lastError().text()));
            QVERIFY(!q.exec(QStringLiteral("SELECT COUNT(*) FROM maintenance_windows")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v2"));

        MaintenanceWindow w;
        w.id = QStringLiteral("mw-1");
        w.targets = { QStringLiteral("web-1"), QStringLiteral("web-2") };
        w.groups = { QStringLiteral("db") };
        w.startUtc = at(60);
        w.endUtc = at(3660);
        w.comment = QStringLiteral("kernel upgrade, CHG-1234");
        w.createdBy = QStringLiteral("alice");
        w.createdUtc = at(30);
        MaintenanceWindow old = w;
        old.id = QStringLiteral("mw-old");
        old.startUtc = at(-10 * 86400);
        old.endUtc = at(-9 * 86400);
        {
            IncidentStore store(o);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            MaintenanceStore windows(&store);
            QVERIFY(store.incident(QStringLiteral("inc-v2")));
            QVERIFY(windows.windows().isEmpty());
            const WriteResult saved = wait(windows.save(w));
            QVERIFY2(saved.ok, qPrintable(saved.error));
            QVERIFY(wait(windows.save(old)).ok);
            MaintenanceWindow broken = w;
            broken.id = QStringLiteral("mw-broken");
            broken.endUtc = at(0);
            QVERIFY(!wait(windows.save(broken)).ok);
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v3"));
            db.setDatabaseName(o.path);
            QVERIFY(db.open());
            QCOMPARE(IncidentSchema::version(db), IncidentSchema::currentVersion);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v3"));

        IncidentStore reopened(o);
        QVERIFY(reopened.open());
        MaintenanceStore windows(&reopened);
        const QList<MaintenanceWindow> all = windows.windows();
        QCOMPARE(all.size(), 2);
        QCOMPARE(all.at(1), w);
        QCOMPARE(windows.windows(at(0)), QList<MaintenanceWindow> { w });
        MaintenanceWindow ended = w;
        ended.endUtc = at(600);
        ended.endedBy = QStringLiteral("bob");
        QVERIFY(wait(windows.save(ended)).ok);
        QCOMPARE(windows.windows(at(0)), QList<MaintenanceWindow> { ended });
        const WriteResult pruned = wait(windows.pruneEndedBefore(at(0)));
        QVERIFY(pruned.ok);
        QCOMPARE(pruned.affected, 1);
        QCOMPARE(windows.windows().size(), 1);
        QCOMPARE(reopened.integrityCheck(), QStringLiteral("ok"));
    }

    // Windows go through the incident database's one writer: one saved while the disk refuses writes waits with
    // the incidents in memory (health shows it) and is committed, in order, once the disk takes writes again.
    void windowSavedWhileTheDiskRefusesWritesIsKept()
    {
        IncidentStore store(options());
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        MaintenanceStore windows(&store);
        store.setWriteBlockedForTesting(true);
        QFuture<WriteResult> saved = windows.save(window(QStringLiteral("mw-1"), 0, 3600));
        MaintenanceWindow ended = window(QStringLiteral("mw-1"), 0, 600);
        ended.endedBy = QStringLiteral("bob");
        QFuture<WriteResult> endedEarly = windows.save(ended);
        QTRY_VERIFY(!store.health().writable);
        QVERIFY(!saved.isFinished());
        QVERIFY(store.health().pending >= 2);
        store.setWriteBlockedForTesting(false);
        QVERIFY2(wait(saved).ok, qPrintable(saved.result().error));
        QVERIFY(wait(endedEarly).ok);
        QCOMPARE(windows.windows(), QList<MaintenanceWindow> { ended });
    }

    void closedDatabaseIsAnErrorNotACrash()
    {
        auto store = std::make_unique<IncidentStore>(options());
        QVERIFY(store->open());
        MaintenanceStore windows(store.get());
        store.reset();
        const WriteResult r = wait(windows.save(window(QStringLiteral("mw-1"), 0, 60)));
        QVERIFY(!r.ok);
        QVERIFY(r.error.contains(u"closed"));
        QString error;
        QVERIFY(windows.windows({}, &error).isEmpty());
        QVERIFY(error.contains(u"closed"));
    }
};

QTEST_GUILESS_MAIN(TestMaintenanceStore)
#include "tst_maintenancestore.moc"
