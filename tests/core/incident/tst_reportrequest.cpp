// What `faultdesk report` selects: one incident, the most recent one (a drill's too), or a time range with or without
// drills; and what the operator is told when there is nothing to report.
#include "incident/incidentstore.h"
#include "incident/reportrequest.h"

#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

Q_DECLARE_METATYPE(FaultDesk::ReportRequest)

namespace {
const QDateTime t0 = QDateTime(QDate(2026, 11, 3), QTime(14, 0), Qt::UTC);
}

class TestReportRequest : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<IncidentStore> m_store;

    static ReportRequest request(ReportRequest::Scope scope, const QString& id = {}, bool drills = false)
    {
        ReportRequest r;
        r.scope = scope;
        r.incidentId = id;
        r.fromUtc = t0.addSecs(-3600);
        r.toUtc = t0.addSecs(3600);
        r.includeDrills = drills;
        return r;
    }

    bool create(const QString& id, const QDateTime& detected, bool drill)
    {
        Incident inc;
        inc.id = id;
        inc.rootTarget = QStringLiteral("web-2");
        inc.causeClass = QStringLiteral("down");
        inc.title = QStringLiteral("web-2 down");
        inc.drill = drill;
        inc.firstFailureUtc = detected.addSecs(-2);
        inc.detectedUtc = detected;
        auto written = m_store->createIncident(inc);
        written.waitForFinished();
        return written.result().ok;
    }

private Q_SLOTS:
    void initTestCase()
    {
        IncidentStore::Options o;
        o.path = m_dir.filePath(QStringLiteral("incidents.db"));
        o.pruneIntervalMs = 0;
        m_store = std::make_unique<IncidentStore>(o);
        QVERIFY(m_store->open());
        QVERIFY(create(QStringLiteral("inc-real"), t0, false));
        QVERIFY(create(QStringLiteral("inc-drill"), t0.addSecs(600), true)); // the most recent one is a drill's
    }

    void cleanupTestCase() { m_store.reset(); }

    void selects_data()
    {
        QTest::addColumn<ReportRequest>("request");
        QTest::addColumn<QStringList>("incidents");
        using S = ReportRequest::Scope;
        QTest::addRow("one incident") << request(S::Incident, QStringLiteral("inc-real"))
                                      << QStringList { QStringLiteral("inc-real") };
        QTest::addRow("the last, though a drill's") << request(S::Last) << QStringList { QStringLiteral("inc-drill") };
        QTest::addRow("a range leaves drills out") << request(S::Range) << QStringList { QStringLiteral("inc-real") };
        QTest::addRow("a range with drills, newest first")
            << request(S::Range, {}, true) << QStringList { QStringLiteral("inc-drill"), QStringLiteral("inc-real") };
    }

    void selects()
    {
        QFETCH(ReportRequest, request);
        QFETCH(QStringList, incidents);
        QString error;
        const std::optional<ReportData> data = request.read(*m_store, t0.addDays(1), &error);
        QVERIFY2(data, qPrintable(error));
        QStringList ids;
        for (const Incident& inc : data->incidents)
            ids << inc.id;
        QCOMPARE(ids, incidents);
        QCOMPARE(data->generatedUtc, t0.addDays(1));
        QCOMPARE(data->kind,
            request.scope == ReportRequest::Scope::Range ? ReportData::Kind::Range : ReportData::Kind::Incident);
    }

    void readsFromTheDatabaseAtALocation()
    {
        QString error;
        const auto data
            = request(ReportRequest::Scope::Last).read(m_dir.filePath(QStringLiteral("incidents.db")), t0, &error);
        QVERIFY2(data, qPrintable(error));
        QCOMPARE(data->incidents.size(), 1);
        QCOMPARE(data->incidents.constFirst().id, QStringLiteral("inc-drill"));
        // A location that is no database is said to be one, not reported on.
        QVERIFY(!request(ReportRequest::Scope::Last).read(QStringLiteral("postgresql://"), t0, &error));
        QVERIFY2(!error.isEmpty(), qPrintable(error));
    }

    void saysWhyThereIsNothing()
    {
        QString error;
        QVERIFY(!request(ReportRequest::Scope::Incident, QStringLiteral("inc-missing")).read(*m_store, t0, &error));
        QVERIFY2(error.contains(u"inc-missing") && error.contains(m_store->displayName()), qPrintable(error));

        IncidentStore::Options o;
        o.path = m_dir.filePath(QStringLiteral("empty.db"));
        o.pruneIntervalMs = 0;
        IncidentStore empty(o);
        QVERIFY(empty.open());
        error.clear();
        QVERIFY(!request(ReportRequest::Scope::Last).read(empty, t0, &error));
        QVERIFY2(error.contains(empty.displayName()), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestReportRequest)
#include "tst_reportrequest.moc"
