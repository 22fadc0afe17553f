// What the status bar says about the incident store in each state it can be in.
#include "incident/storestatus.h"

#include <QTest>

using namespace FaultDesk;

Q_DECLARE_METATYPE(FaultDesk::StoreStatus::Level)

namespace {
StoreHealth postgres()
{
    StoreHealth h;
    h.server = true;
    h.store = QStringLiteral("postgresql://alice@db:5432/team");
    h.journalEnabled = true;
    h.journalPath = QStringLiteral("/home/alice/.local/share/faultdesk/store-journal-0123.jsonl");
    h.journalMaxBytes = 64LL << 20;
    return h;
}

StoreHealth away(int journaled)
{
    StoreHealth h = postgres();
    h.writable = false;
    h.downSinceUtc = QDateTime(QDate(2026, 12, 6), QTime(14, 3, 12), Qt::LocalTime).toUTC();
    h.lastError = QStringLiteral("postgresql://alice@db:5432/team: connection refused");
    h.journaled = journaled;
    h.journalBytes = journaled * 600;
    return h;
}
} // namespace

class TestStoreStatus : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void states_data()
    {
        QTest::addColumn<StoreHealth>("health");
        QTest::addColumn<QString>("text");
        QTest::addColumn<StoreStatus::Level>("level");

        QTest::addRow("postgres connected")
            << postgres() << QStringLiteral("Store: PostgreSQL connected") << StoreStatus::Level::Ok;
        QTest::addRow("postgres away, writes journaled")
            << away(42) << QStringLiteral("Store: PostgreSQL reconnecting since 14:03:12 · 42 writes journaled")
            << StoreStatus::Level::Warning;
        StoreHealth replaying = postgres();
        replaying.journaled = 7;
        QTest::addRow("back, replaying") << replaying
                                         << QStringLiteral("Store: PostgreSQL connected · replaying 7 writes journaled")
                                         << StoreStatus::Level::Warning;
        StoreHealth full = away(1000);
        full.journalFull = true;
        full.dropped = 3;
        QTest::addRow("journal full")
            << full
            << QStringLiteral("Store: PostgreSQL reconnecting since 14:03:12 · 1000 writes journaled · journal FULL: "
                              "new records are not saved · 3 writes not recorded")
            << StoreStatus::Level::Error;
        StoreHealth noJournal = away(0);
        noJournal.journalEnabled = false;
        noJournal.pending = 5;
        QTest::addRow("postgres away, no journal")
            << noJournal << QStringLiteral("Store: PostgreSQL reconnecting since 14:03:12 · 5 writes waiting in memory")
            << StoreStatus::Level::Warning;
        StoreHealth file;
        file.store = QStringLiteral("/home/alice/.local/share/faultdesk/incidents.db");
        QTest::addRow("sqlite") << file << QStringLiteral("Store: incidents.db connected") << StoreStatus::Level::Ok;
        StoreHealth diskFull = file;
        diskFull.writable = false;
        diskFull.pending = 1;
        diskFull.lastErrorUtc = QDateTime(QDate(2026, 12, 6), QTime(9, 0, 1), Qt::LocalTime).toUTC();
        QTest::addRow("sqlite disk full")
            << diskFull << QStringLiteral("Store: incidents.db cannot write since 09:00:01 · 1 write waiting in memory")
            << StoreStatus::Level::Warning;
    }
    void states()
    {
        QFETCH(StoreHealth, health);
        QFETCH(QString, text);
        QFETCH(StoreStatus::Level, level);
        QCOMPARE(StoreStatus::text(health), text);
        QCOMPARE(StoreStatus::level(health), level);
    }

    void detailNamesTheJournalAndTheError()
    {
        const QString detail = StoreStatus::detail(away(3));
        QVERIFY(detail.contains(QStringLiteral("postgresql://alice@db:5432/team")));
        QVERIFY(detail.contains(QStringLiteral("connection refused")));
        QVERIFY(detail.contains(QStringLiteral("store-journal-0123.jsonl")));
        QVERIFY(detail.contains(QStringLiteral("never dropped silently")));
        QVERIFY(detail.contains(QStringLiteral("history is unavailable")));
    }
};

QTEST_GUILESS_MAIN(TestStoreStatus)
#include "tst_storestatus.moc"
