// Live sharing between consoles on one PostgreSQL (started by the test): another process (storewriter) records an
// incident, acknowledges it and opens a maintenance window; this process hears each within 2 s through StoreNotifier
// (LISTEN/NOTIFY, the schema's triggers) and reads that one row back — who acknowledged, with which comment. The
// notifier survives a server restart (it listens again and says that changes in between must be re-read), and a
// SQLite store says there is nothing to listen to.
#include "incident/incidentstore.h"
#include "incident/storenotifier.h"
#include "maintenance/maintenancestore.h"
#include "shared/postgresharness.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace FaultDesk;

namespace {
const QByteArray kPassword = "notify-secret-3f0";
}

class TestStoreNotifier : public QObject
{
    Q_OBJECT

    Test::PostgresHarness m_pg;
    QString m_url;

    /// Runs storewriter with @p arguments; returns its "KIND ID" line, and the time it was read in @p committed.
    QString write(const QStringList& arguments, QElapsedTimer* committed)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(QStringLiteral(STORE_WRITER), QStringList { m_url } + arguments);
        if (!p.waitForStarted() || !p.waitForReadyRead(30000))
            return {};
        committed->start(); // printed after COMMIT returned
        const QString line = QString::fromUtf8(p.readLine()).trimmed();
        p.waitForFinished(10000);
        return line;
    }

    struct Heard
    {
        QString table;
        QString operation;
        QString key;
    };
    static QList<Heard> heard(const QSignalSpy& spy)
    {
        QList<Heard> out;
        for (const QList<QVariant>& s : spy)
            out.append({ s.at(0).toString(), s.at(1).toString(), s.at(2).toString() });
        return out;
    }
    static bool contains(const QSignalSpy& spy, const QString& table, const QString& key)
    {
        const QList<Heard> all = heard(spy);
        return std::any_of(all.cbegin(), all.cend(), [&](const Heard& h) { return h.table == table && h.key == key; });
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_pg.initAndStart(&error), qPrintable(error));
        QVERIFY(m_pg.createRole(u"faultdesk"_qs, QString::fromLatin1(kPassword)));
        QVERIFY(m_pg.createDatabase(u"team"_qs, u"faultdesk"_qs));
        qputenv("FD_TEAM_PW", kPassword);
        m_url = m_pg.dsn(u"faultdesk"_qs, u"team"_qs) + u"?sslmode=disable&password_env=FD_TEAM_PW"_qs;
    }

    void anotherConsolesWritesArriveWithinTwoSeconds()
    {
        IncidentStore::Options o;
        o.path = m_url;
        o.pruneIntervalMs = 0;
        IncidentStore store(o);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        StoreNotifier notifier(store.url());
        QSignalSpy spy(&notifier, &StoreNotifier::changed);
        QVERIFY2(notifier.start(&error), qPrintable(error));
        QVERIFY(notifier.isListening());

        // A new incident: announced, then read back with its evidence.
        QElapsedTimer committed;
        const QString created = write({ u"incident"_qs, u"web-2"_qs }, &committed);
        QVERIFY2(created.startsWith(u"incident inc-"_qs), qPrintable(created));
        const QString id = created.section(u' ', 1);
        QTRY_VERIFY_WITH_TIMEOUT(contains(spy, u"incidents"_qs, id), 2000);
        const auto incident = store.incident(id, false);
        qInfo("incident heard and read %lld ms after the other process's commit", committed.elapsed());
        QVERIFY(incident);
        QCOMPARE(incident->rootTarget, u"web-2"_qs);
        QCOMPARE(incident->evidence.size(), 1);

        // Its acknowledgement: who and the comment.
        spy.clear();
        const QString acked
            = write({ u"ack"_qs, id, u"alice"_qs, u"looking at web-2, restart pending"_qs }, &committed);
        QCOMPARE(acked, u"ack "_qs + id);
        QTRY_VERIFY_WITH_TIMEOUT(contains(spy, u"incident_events"_qs, id), 2000);
        const auto after = store.incident(id, false);
        qInfo("acknowledgement heard and read %lld ms after the other process's commit", committed.elapsed());
        QVERIFY(after);
        QVERIFY(std::any_of(after->events.cbegin(), after->events.cend(), [](const IncidentEvent& e) {
            return e.state == IncidentState::Acknowledged && e.actor == u"alice"
                && e.note == u"looking at web-2, restart pending";
        }));

        // A maintenance window.
        spy.clear();
        const QString opened = write({ u"maintenance"_qs, u"db-1"_qs, u"bob"_qs, u"kernel upgrade"_qs }, &committed);
        QVERIFY2(opened.startsWith(u"maintenance mw-"_qs), qPrintable(opened));
        const QString windowId = opened.section(u' ', 1);
        QTRY_VERIFY_WITH_TIMEOUT(contains(spy, u"maintenance_windows"_qs, windowId), 2000);
        MaintenanceStore windows(&store);
        const auto w = windows.window(windowId);
        qInfo("maintenance window heard and read %lld ms after the other process's commit", committed.elapsed());
        QVERIFY(w);
        QCOMPARE(w->targets, QStringList { u"db-1"_qs });
        QCOMPARE(w->createdBy, u"bob"_qs);
        QCOMPARE(w->comment, u"kernel upgrade"_qs);
    }

    void aRestartedServerIsHeardAgain()
    {
        const auto url = StoreUrl::parse(m_url);
        QVERIFY(url);
        StoreNotifier notifier(*url);
        QString error;
        QVERIFY2(notifier.start(&error), qPrintable(error));
        QSignalSpy listening(&notifier, &StoreNotifier::listeningChanged);
        QSignalSpy resynced(&notifier, &StoreNotifier::resynced);
        QSignalSpy spy(&notifier, &StoreNotifier::changed);
        m_pg.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!notifier.isListening(), 5000);
        QVERIFY2(notifier.problem().contains(u"lost"_qs), qPrintable(notifier.problem()));
        QVERIFY2(m_pg.start(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(notifier.isListening(), 10000);
        QCOMPARE(resynced.size(), 1);
        QElapsedTimer committed;
        const QString created = write({ u"incident"_qs, u"web-3"_qs }, &committed);
        QVERIFY2(created.startsWith(u"incident "_qs), qPrintable(created));
        QTRY_VERIFY_WITH_TIMEOUT(contains(spy, u"incidents"_qs, created.section(u' ', 1)), 2000);
    }

    void aLocalFileHasNobodyToHearFrom()
    {
        QTemporaryDir dir;
        StoreNotifier notifier(StoreUrl::file(dir.filePath(u"incidents.db"_qs)));
        QString error;
        QVERIFY(!notifier.start(&error));
        QVERIFY2(error.contains(u"no other consoles"_qs), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestStoreNotifier)
#include "tst_storenotifier.moc"
