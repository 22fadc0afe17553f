// The database baseline's bookkeeping: what content a table should have when its copies are compared (the damaged
// copy unreadable, copies that disagree), and the baseline surviving its trip through the audit trail's JSON.

#include "remedy/postgresbaseline.h"
#include "remedy/remediationbaseline.h"

#include <QtTest>

using namespace FaultDesk;

Q_DECLARE_METATYPE(FaultDesk::PostgresBaseline)

namespace {

PostgresBaseline copy(const QString& target, const QString& md5, const QString& error = {})
{
    PostgresBaseline b;
    b.target = target;
    b.role = target == u"pg-primary" ? QStringLiteral("primary") : QStringLiteral("replica");
    PostgresBaseline::Table t;
    t.name = QStringLiteral("accounts");
    t.md5 = md5;
    t.rows = 2000;
    t.error = error;
    t.sampling = QStringLiteral("all 2000 rows, ordered by id");
    b.tables << t;
    return b;
}

} // namespace

class TestPostgresBaseline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expectedContent_data()
    {
        QTest::addColumn<QList<PostgresBaseline>>("copies");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("problem");
        const QString a = QStringLiteral("08853bfbc73f09e4ad915dbaf659ef26");
        const QString b = QStringLiteral("0d788934b5ef32e8d393c1d4b36d3fdc");
        QTest::addRow("the damaged copy cannot be read: the replica's") << QList<PostgresBaseline> {
            copy(QStringLiteral("pg-primary"), {}, QStringLiteral("invalid page in block 1")),
            copy(QStringLiteral("pg-replica"), a)
        } << a << QString();
        QTest::addRow("copies agree") << QList<PostgresBaseline> { copy(QStringLiteral("pg-primary"), a),
            copy(QStringLiteral("pg-replica"), a) }
                                      << a << QString();
        QTest::addRow("copies disagree: no expectation, said so")
            << QList<PostgresBaseline> { copy(QStringLiteral("pg-primary"), a), copy(QStringLiteral("pg-replica"), b) }
            << QString() << QStringLiteral("accounts: the copies on pg-primary, pg-replica disagree");
        QTest::addRow("no copy readable")
            << QList<PostgresBaseline> { copy(QStringLiteral("pg-primary"), {}, QStringLiteral("timeout")) }
            << QString() << QStringLiteral("accounts: no copy could be read");
    }

    void expectedContent()
    {
        QFETCH(QList<PostgresBaseline>, copies);
        QFETCH(QString, expected);
        QFETCH(QString, problem);
        QStringList problems;
        const auto tables = PostgresBaseline::expectedTables(copies, &problems);
        QCOMPARE(tables.value(QStringLiteral("accounts")).md5, expected);
        QCOMPARE(problems.value(0), problem);
    }

    void survivesTheAuditTrail()
    {
        RemediationBaseline b;
        PostgresBaseline pg = copy(QStringLiteral("pg-replica"), QStringLiteral("0d788934b5ef32e8d393c1d4b36d3fdc"));
        pg.replication = QStringLiteral("streaming from 127.0.0.1:5432");
        pg.lsn = QStringLiteral("0/301C620");
        pg.amcheck = QStringLiteral("clean: accounts (heap, 1 B-tree index)");
        pg.tables[0].rangeStarts = { QStringLiteral("1"), QStringLiteral("5001") };
        pg.tables[0].rowsPerRange = 1000;
        b.postgres.insert(pg.target, pg);
        b.capturedUtc = QDateTime::currentDateTimeUtc();
        QVERIFY(!b.isEmpty());
        const auto back = RemediationBaseline::fromJson(b.toJson());
        QVERIFY(back);
        const PostgresBaseline r = back->postgres.value(QStringLiteral("pg-replica"));
        QCOMPARE(r.describe(), pg.describe());
        QCOMPARE(r.tables.constFirst().rangeStarts, pg.tables.constFirst().rangeStarts);
        QCOMPARE(r.tables.constFirst().rowsPerRange, 1000);
        QCOMPARE(r.describe().constFirst(),
            QStringLiteral("pg-replica: replica, streaming from 127.0.0.1:5432, at 0/301C620"));
    }
};

QTEST_GUILESS_MAIN(TestPostgresBaseline)
#include "tst_postgresbaseline.moc"
