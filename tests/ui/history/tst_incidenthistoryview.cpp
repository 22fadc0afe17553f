// The incident history offscreen: searching filters the rows, the model passes QAbstractItemModelTester, opening an
// incident shows its timeline, Export asks for the selected incident; the export dialog writes the chosen format.

#include "incident/incidentstore.h"
#include "ui/history/exportreportdialog.h"
#include "ui/history/incidenthistorymodel.h"
#include "ui/history/incidenthistoryview.h"
#include "ui/report/reportfixture.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace FaultDesk;

class TestIncidentHistoryView : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<IncidentStore> m_store;
    QString m_db;
    QString m_web;
    QString m_drill;

    static IncidentFilter all()
    {
        IncidentFilter f;
        f.includeDrills = true;
        return f;
    }

private Q_SLOTS:
    void initTestCase()
    {
        IncidentStore::Options o;
        o.path = m_dir.filePath(QStringLiteral("incidents.db"));
        o.pruneIntervalMs = 0;
        m_store = std::make_unique<IncidentStore>(o);
        QVERIFY(m_store->open());
        m_db = ReportFixture::seed(*m_store, false);
        m_web = ReportFixture::seed(*m_store, false, QStringLiteral("web-2"), 30);
        m_drill = ReportFixture::seed(*m_store, true, QStringLiteral("db-primary"), 60);
        QVERIFY(!m_db.isEmpty() && !m_web.isEmpty() && !m_drill.isEmpty());
    }

    void searchFilters_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("drills");
        QTest::addColumn<int>("rows");
        QTest::addRow("everything but drills") << QString() << QString() << false << 2;
        QTest::addRow("drills too") << QString() << QString() << true << 3;
        QTest::addRow("by target") << QStringLiteral("web-2") << QString() << true << 1;
        QTest::addRow("symptom target matches too") << QStringLiteral("api-1") << QString() << false << 2;
        QTest::addRow("by text") << QString() << QStringLiteral("web-2") << true << 1;
        QTest::addRow("no match") << QStringLiteral("nowhere") << QString() << true << 0;
    }

    void searchFilters()
    {
        QFETCH(QString, target);
        QFETCH(QString, text);
        QFETCH(bool, drills);
        QFETCH(int, rows);
        IncidentHistoryView view(m_store.get());
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(1000, 600);
        IncidentFilter f;
        f.target = target;
        f.text = text;
        f.includeDrills = drills;
        view.setFilter(f);
        QCOMPARE(view.model()->rowCount(), rows);
        QCOMPARE(view.table()->model()->rowCount(), rows);
    }

    void typingSearches()
    {
        IncidentHistoryView view(m_store.get());
        QCOMPARE(view.model()->rowCount(), 2);
        auto* target = view.findChild<QLineEdit*>();
        QVERIFY(target);
        target->setText(QStringLiteral("web-2"));
        QTRY_COMPARE(view.model()->rowCount(), 1);
        QCOMPARE(view.model()->incidentAt(0)->id, m_web);
    }

    void causeFilter()
    {
        IncidentFilter f = all();
        f.causeClass = QStringLiteral("overload");
        IncidentHistoryView view(m_store.get());
        view.setFilter(f);
        QCOMPARE(view.model()->rowCount(), 0);
        f.causeClass = QStringLiteral("data-integrity");
        view.setFilter(f);
        QCOMPARE(view.model()->rowCount(), 3);
        QCOMPARE(view.filter().causeClass, QStringLiteral("data-integrity"));
    }

    void columnsShowStateAndDrill()
    {
        IncidentHistoryView view(m_store.get());
        view.setFilter(all());
        const IncidentHistoryModel* m = view.model();
        int drillRows = 0;
        for (int r = 0; r < m->rowCount(); ++r) {
            QCOMPARE(m->index(r, IncidentHistoryModel::StateColumn).data().toString(), QStringLiteral("recovered"));
            QVERIFY(!m->index(r, IncidentHistoryModel::ImpactColumn).data().toString().isEmpty());
            drillRows += m->index(r, IncidentHistoryModel::DrillColumn).data(IncidentHistoryModel::DrillRole).toBool();
        }
        QCOMPARE(drillRows, 1);
    }

    void openShowsTimelineAndExport()
    {
        IncidentHistoryView view(m_store.get());
        view.resize(1000, 600);
        QSignalSpy exportSpy(&view, &IncidentHistoryView::exportRequested);
        QSignalSpy opened(&view, &IncidentHistoryView::incidentOpened);
        QVERIFY(view.openIncident(m_db));
        QCOMPARE(view.currentIncidentId(), m_db);
        QCOMPARE(opened.count(), 1);
        QStringList events;
        for (int i = 0; i < view.timeline()->topLevelItemCount(); ++i)
            events << view.timeline()->topLevelItem(i)->text(1);
        QCOMPARE(events.first(), QStringLiteral("detected"));
        QCOMPARE(events.last(), QStringLiteral("recovered"));
        QVERIFY(events.contains(QStringLiteral("action result")));
        QVERIFY(events.contains(QStringLiteral("symptom")));
        QVERIFY(!view.openIncident(QStringLiteral("inc-doesnotexist")));
        if (const QString keep = qEnvironmentVariable("FAULTDESK_REPORT_SAMPLES"); !keep.isEmpty()) {
            view.show();
            view.grab().save(keep + QStringLiteral("/history.png"));
            ExportReportDialog dialog(m_store.get());
            dialog.setIncident(m_db);
            dialog.show();
            dialog.grab().save(keep + QStringLiteral("/export-dialog.png"));
        }

        auto* exportButton = view.findChild<QPushButton*>(QString(), Qt::FindDirectChildrenOnly);
        QVERIFY(exportButton);
        for (QPushButton* b : view.findChildren<QPushButton*>())
            if (b->text().startsWith(u"Export report"))
                b->click();
        QCOMPARE(exportSpy.count(), 1);
        QCOMPARE(exportSpy.first().at(0).toString(), m_db);
    }

    // New records show up without a manual refresh.
    void followsTheStore()
    {
        IncidentHistoryView view(m_store.get());
        const int before = view.model()->rowCount();
        const QString id = ReportFixture::seed(*m_store, false, QStringLiteral("cache-1"), 90);
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE(view.model()->rowCount(), before + 1);
    }

    void exportDialogWrites_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QByteArray>("start");
        QTest::addRow("pdf") << int(ReportExporter::Format::Pdf) << QByteArray("%PDF-");
        QTest::addRow("html") << int(ReportExporter::Format::Html) << QByteArray("<!DOCTYPE html>");
        QTest::addRow("json") << int(ReportExporter::Format::Json) << QByteArray("{");
        QTest::addRow("md") << int(ReportExporter::Format::Markdown) << QByteArray("# ");
    }

    void exportDialogWrites()
    {
        QFETCH(int, format);
        QFETCH(QByteArray, start);
        ExportReportDialog dialog(m_store.get());
        dialog.setIncident(m_db);
        dialog.setFormat(ReportExporter::Format(format));
        QVERIFY(dialog.path().endsWith(u'.' + ReportExporter::suffix(ReportExporter::Format(format))));
        const QString path = m_dir.filePath(QStringLiteral("export.") + ReportExporter::suffix(dialog.format()));
        dialog.setPath(path);
        QString error;
        QVERIFY2(dialog.exportNow(&error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().startsWith(start));
    }

    void exportDialogRangeAndErrors()
    {
        ExportReportDialog dialog(m_store.get());
        dialog.setRange(ReportFixture::detectedAt().addSecs(-60), ReportFixture::detectedAt().addSecs(3 * 3600), true);
        dialog.setFormat(ReportExporter::Format::Json);
        dialog.setPath(m_dir.filePath(QStringLiteral("range.json")));
        QString error;
        QVERIFY2(dialog.exportNow(&error), qPrintable(error));
        QFile f(m_dir.filePath(QStringLiteral("range.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains(m_drill.toUtf8()));

        dialog.setPath(QStringLiteral("/proc/nope/range.json"));
        QVERIFY(!dialog.exportNow(&error));
        QVERIFY(error.contains(u"/proc/nope"));
        dialog.setRange(ReportFixture::detectedAt(), ReportFixture::detectedAt().addSecs(-10), false);
        dialog.setPath(m_dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(!dialog.exportNow(&error));
        QVERIFY(error.contains(u"start before"));
    }
};

QTEST_MAIN(TestIncidentHistoryView)
#include "tst_incidenthistoryview.moc"
