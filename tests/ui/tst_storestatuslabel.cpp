// The status bar's store label follows the store: a real SQLite store made unwritable, then writable again.
#include "incident/incidentstore.h"
#include "ui/storestatuslabel.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

class TestStoreStatusLabel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void followsTheStore()
    {
        QTemporaryDir dir;
        IncidentStore::Options o;
        o.path = dir.filePath(QStringLiteral("incidents.db"));
        o.pruneIntervalMs = 0;
        o.retryIntervalMs = 100;
        IncidentStore store(o);
        QVERIFY(store.open());
        StoreStatusLabel label;
        label.watch(&store);
        QCOMPARE(label.text(), QStringLiteral("Store: incidents.db connected"));
        QVERIFY(label.toolTip().contains(o.path));

        store.setWriteBlockedForTesting(true);
        Incident inc;
        inc.rootTarget = QStringLiteral("web-1");
        inc.causeClass = QStringLiteral("down");
        inc.detectedUtc = QDateTime::currentDateTimeUtc();
        QFuture<WriteResult> pending = store.createIncident(inc);
        QTRY_VERIFY(label.text().startsWith(QStringLiteral("Store: incidents.db cannot write since")));
        QVERIFY(label.text().endsWith(QStringLiteral("1 write waiting in memory")));
        QVERIFY(label.toolTip().contains(QStringLiteral("Last error")));

        store.setWriteBlockedForTesting(false);
        pending.waitForFinished();
        QVERIFY(pending.result().ok);
        QTRY_COMPARE(label.text(), QStringLiteral("Store: incidents.db connected"));
    }
};

QTEST_MAIN(TestStoreStatusLabel)
#include "tst_storestatuslabel.moc"
