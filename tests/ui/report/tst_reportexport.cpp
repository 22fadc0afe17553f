// Every export format from a recorded incident: the PDF through poppler (pages, text), the HTML parsed, the JSON
// validated against its schema; hostile target names stay inert everywhere.

#include "incident/incidentstore.h"
#include "incident/reportdata.h"
#include "ui/report/reportcharts.h"
#include "ui/report/reportexporter.h"
#include "ui/report/reportfixture.h"

#include <QApplication>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

namespace {

const QString kHostile = QStringLiteral("<script>alert(1)</script>](javascript:alert(2))%PDF-1.4");

// Runs a helper program; its stdout, or a failed test.
QByteArray run(const QString& program, const QStringList& arguments, int* exitCode = nullptr)
{
    QProcess p;
    p.start(program, arguments);
    if (!p.waitForFinished(60000))
        return {};
    if (exitCode)
        *exitCode = p.exitCode();
    return p.readAllStandardOutput() + p.readAllStandardError();
}

// Python's html.parser walks the file: tags balanced enough to parse, scripts counted, images listed.
const char* kHtmlCheck = "import sys, html.parser\n"
                         "class P(html.parser.HTMLParser):\n"
                         "    def __init__(s):\n"
                         "        super().__init__(); s.scripts=0; s.png=0; s.other=0; s.text=[]\n"
                         "    def handle_starttag(s, tag, attrs):\n"
                         "        a=dict(attrs)\n"
                         "        if tag=='script': s.scripts+=1\n"
                         "        if tag=='img':\n"
                         "            src=a.get('src','')\n"
                         "            if src.startswith('data:image/png;base64,'): s.png+=1\n"
                         "            else: s.other+=1\n"
                         "        for k,v in a.items():\n"
                         "            if k.startswith('on') or (v or '').strip().lower().startswith('javascript:'):"
                         " s.scripts+=1\n"
                         "    def handle_data(s, d): s.text.append(d)\n"
                         "p=P(); p.feed(open(sys.argv[1], encoding='utf-8').read()); p.close()\n"
                         "print('scripts=%d png=%d other=%d' % (p.scripts, p.png, p.other))\n"
                         "print('TEXT:' + ''.join(p.text).replace('\\n',' '))\n";

const char* kJsonCheck = "import sys, json\n"
                         "doc=json.load(open(sys.argv[1], encoding='utf-8'))\n"
                         "try:\n"
                         "    import jsonschema\n"
                         "    jsonschema.validate(doc, json.load(open(sys.argv[2], encoding='utf-8')))\n"
                         "    print('valid (jsonschema)')\n"
                         "except ImportError:\n"
                         "    assert 'schema' in doc and 'incidents' in doc; print('valid (structure)')\n";

} // namespace

class TestReportExport : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<IncidentStore> m_store;
    QString m_id;
    QString m_hostileId;
    QString m_drillId;
    QString m_ligatureId;
    QString m_poolId;

    // The report of @p id written as @p format and read back as a user sees its text (the PDF through pdftotext).
    QString exported(const QString& id, ReportExporter::Format format, const QString& name)
    {
        const QString path = QDir(outDir()).filePath(name);
        QString error;
        if (!ReportExporter::write(incidentReport(id), format, path, &error))
            return QStringLiteral("cannot write: ") + error;
        if (format == ReportExporter::Format::Pdf)
            return QString::fromUtf8(
                run(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), path, QStringLiteral("-") }));
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QString::fromUtf8(f.readAll());
    }

    QString outDir() const
    {
        const QString keep = qEnvironmentVariable("FAULTDESK_REPORT_SAMPLES");
        if (!keep.isEmpty()) {
            QDir().mkpath(keep);
            return keep;
        }
        return m_dir.path();
    }

    ReportData incidentReport(const QString& id)
    {
        QString error;
        const auto r = ReportData::forIncident(*m_store, id, ReportFixture::detectedAt().addSecs(3600), &error);
        if (!r)
            qFatal("cannot read incident: %s", qPrintable(error));
        return *r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        IncidentStore::Options o;
        o.path = m_dir.filePath(QStringLiteral("incidents.db"));
        o.pruneIntervalMs = 0;
        m_store = std::make_unique<IncidentStore>(o);
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_id = ReportFixture::seed(*m_store, false);
        m_hostileId = ReportFixture::seed(*m_store, false, kHostile, 5);
        m_drillId = ReportFixture::seed(*m_store, true, QStringLiteral("db-primary"), 10);
        m_ligatureId = ReportFixture::seed(*m_store, false, QStringLiteral("staff-office-fl"), 200);
        m_poolId = ReportFixture::seedPoolOverload(*m_store);
        QVERIFY(!m_id.isEmpty() && !m_hostileId.isEmpty() && !m_drillId.isEmpty() && !m_poolId.isEmpty());
    }

    // A pool-wide event is reported as the pool's, in every format; where it began is said, not made the cause.
    void poolWideIncidentNamesThePool_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("file");
        QTest::addRow("pdf") << int(ReportExporter::Format::Pdf) << QStringLiteral("pool.pdf");
        QTest::addRow("html") << int(ReportExporter::Format::Html) << QStringLiteral("pool.html");
        QTest::addRow("md") << int(ReportExporter::Format::Markdown) << QStringLiteral("pool.md");
    }

    void poolWideIncidentNamesThePool()
    {
        QFETCH(int, format);
        QFETCH(QString, file);
        QString text = exported(m_poolId, ReportExporter::Format(format), file);
        text.replace(QStringLiteral("\\/"), QStringLiteral("/")); // Markdown escapes nothing here, but be fair
        QVERIFY2(text.contains(u"Incident report: lb/web pool: overload"), qPrintable(text.left(600)));
        QVERIFY2(text.contains(u"the lb/web pool (pool-wide; began at web-2)"), qPrintable(text.left(1500)));
        QVERIFY(!text.contains(u"Incident report: web-2: overload"));
    }

    void poolWideIncidentJson()
    {
        const QJsonObject doc = QJsonDocument::fromJson(
            exported(m_poolId, ReportExporter::Format::Json, QStringLiteral("pool.json")).toUtf8())
                                    .object();
        const QJsonObject inc = doc.value(u"incidents").toArray().at(0).toObject();
        QCOMPARE(inc.value(u"pool").toString(), QStringLiteral("lb/web"));
        QCOMPARE(inc.value(u"root_target").toString(), QStringLiteral("web-2"));
        QCOMPARE(inc.value(u"root_cause").toString(), QStringLiteral("the lb/web pool (pool-wide; began at web-2)"));
        // The series carry the rule they were judged by.
        for (const QJsonValue& v : inc.value(u"series").toArray()) {
            const QJsonObject s = v.toObject();
            QCOMPARE(s.value(u"threshold").toDouble(), 0.85);
            QCOMPARE(s.value(u"clear").toDouble(), 0.7);
        }
        // The raw baseline stays in the JSON, whole.
        QCOMPARE(inc.value(u"baseline").toObject().value(u"haproxy").toObject().value(u"servers").toArray().size(), 4);
        // A single-server incident stays its target's.
        const QJsonObject single = QJsonDocument::fromJson(
            exported(m_id, ReportExporter::Format::Json, QStringLiteral("single.json")).toUtf8())
                                       .object()
                                       .value(u"incidents")
                                       .toArray()
                                       .at(0)
                                       .toObject();
        QVERIFY(single.value(u"pool").isNull());
        QCOMPARE(single.value(u"root_cause").toString(), QStringLiteral("db-primary"));
    }

    void singleServerIncidentStaysItsTarget()
    {
        const QString text = exported(m_id, ReportExporter::Format::Pdf, QStringLiteral("single.pdf"));
        QVERIFY(text.contains(u"Incident report: db-primary: data-integrity"));
        QVERIFY(!text.contains(u"pool-wide"));
        const QString md = exported(m_id, ReportExporter::Format::Markdown, QStringLiteral("single.md"));
        QVERIFY(md.contains(u"| Root cause | db-primary |"));
    }

    // The threshold and the clear level are drawn on the chart (the amber dashed and dotted lines of the console), and
    // the PDF says which values they are: a reader of "load 0.84" sees the 0.85 line.
    void chartsDrawThresholdAndClearLevel()
    {
        const Incident inc = incidentReport(m_poolId).incidents.constFirst();
        const QImage with = ReportCharts::render(inc, QStringLiteral("load"), QSize(760, 320));
        Incident bare = inc;
        for (Evidence& e : bare.evidence)
            e.detail.remove(QStringLiteral("thresholds"));
        const QImage without = ReportCharts::render(bare, QStringLiteral("load"), QSize(760, 320));
        QVERIFY(!with.isNull() && !without.isNull());
        with.save(QDir(outDir()).filePath(QStringLiteral("pool-load-chart.png")));
        // Rows that are mostly the threshold's amber: a horizontal line across the plot.
        const auto amberRows = [](const QImage& image) {
            int rows = 0;
            for (int y = 0; y < image.height(); ++y) {
                int amber = 0;
                for (int x = 0; x < image.width(); ++x) {
                    const QColor c = image.pixelColor(x, y);
                    amber += c.red() > 170 && c.green() > 90 && c.green() < 160 && c.blue() < 60 ? 1 : 0;
                }
                rows += amber > image.width() / 4 ? 1 : 0;
            }
            return rows;
        };
        QVERIFY2(amberRows(with) >= 2, qPrintable(QString::number(amberRows(with))));
        QCOMPARE(amberRows(without), 0);

        const QString text
            = exported(m_poolId, ReportExporter::Format::Pdf, QStringLiteral("pool-levels.pdf")).simplified();
        QVERIFY2(text.contains(u"Load (utilisation): threshold 0.85 (dashed), clear level 0.7 (dotted)."),
            qPrintable(text.left(3000)));
    }

    // The baseline is tables an operator reads at a glance; the raw JSON stays out of the PDF body.
    void baselineAsTables()
    {
        const QString pdf = exported(m_poolId, ReportExporter::Format::Pdf, QStringLiteral("pool-baseline.pdf"));
        const QString baseline = pdf.mid(pdf.lastIndexOf(u"Baseline"));
        QVERIFY(baseline.simplified().contains(u"Captured 2026-11-27 15:03:10.400 UTC; HAProxy state as read at"));
        for (const QString& expected : { QStringLiteral("HAProxy servers"), QStringLiteral("Weight / initial"),
                 QStringLiteral("HAProxy ACL files"), QStringLiteral("/etc/haproxy/blocked.acl"),
                 QStringLiteral("2: 198.51.100.7, 203.0.113.9"), QStringLiteral("Databases"),
                 QStringLiteral("db-replica"), QStringLiteral("1157510383") })
            QVERIFY2(baseline.contains(expected), qPrintable(expected + u'\n' + baseline));
        static const QRegularExpression web4(QStringLiteral("web\\s+web-4\\s+ready\\s+UP\\s+50 / 100\\s+14"));
        QVERIFY2(web4.match(baseline).hasMatch(), qPrintable(baseline));
        static const QRegularExpression replica(QStringLiteral("db-replica\\s+replica\\s+yes\\s+ok\\s+1157510383"));
        QVERIFY2(replica.match(baseline).hasMatch(), qPrintable(baseline));
        for (const QString& raw : { QStringLiteral("\"admin_state\""), QStringLiteral("initial_weight"),
                 QStringLiteral("captured_utc"), QStringLiteral("{") })
            QVERIFY2(!pdf.contains(raw), qPrintable(raw));
        QVERIFY2(pdf.count(u"Page ") <= 4, qPrintable(QString::number(pdf.count(u"Page "))));

        const QString md = exported(m_poolId, ReportExporter::Format::Markdown, QStringLiteral("pool-baseline.md"));
        QVERIFY(md.contains(u"| web | web-4 | ready | UP | 50 / 100 | 14 |"));
        QVERIFY(md.contains(u"| db-primary | primary | no | ok | 1157510383 |"));
        // The record as stored, once, in an appendix after the readable part.
        QVERIFY(md.indexOf(u"Appendix: baseline as recorded") > md.indexOf(u"| web | web-4 |"));
        QCOMPARE(md.count(u"\"initial_weight\": 100"), 4);
        const QString html = exported(m_poolId, ReportExporter::Format::Html, QStringLiteral("pool-baseline.html"));
        QVERIFY(html.contains(u"<td>50 / 100</td>"));
        QVERIFY(html.contains(u"<details><summary>Baseline as recorded (JSON)</summary>"));
    }

    // Lifecycle steps say what happened: the runbook and who ran it; no timeline row is left with an empty note.
    void timelineStepsSayWhatHappened()
    {
        const QString md = exported(m_poolId, ReportExporter::Format::Markdown, QStringLiteral("pool-timeline.md"));
        QVERIFY2(
            md.contains(u"| handling | handling | auto | runbook overload/handle started by alice |"), qPrintable(md));
        QVERIFY(md.contains(
            u"| handled | handled | auto | runbook overload/handle finished by alice: 2 of 2 actions ok |"));
        QVERIFY(md.contains(u"| recovering | recovering | auto | runbook overload/recover started by alice |"));
        const QString timeline
            = md.mid(md.indexOf(u"## Timeline"), md.indexOf(u"## Members") - md.indexOf(u"## Timeline"));
        QVERIFY(!timeline.isEmpty());
        QVERIFY2(!timeline.contains(u"|  |\n"), qPrintable(timeline)); // no row ends in an empty note

        const QString pdf
            = exported(m_poolId, ReportExporter::Format::Pdf, QStringLiteral("pool-timeline.pdf")).simplified();
        for (const QString& expected : { QStringLiteral("handling auto runbook overload/handle started by alice"),
                 QStringLiteral("handled auto runbook overload/handle finished by alice: 2 of 2 actions ok"),
                 QStringLiteral("recovering auto runbook overload/recover started by alice") })
            QVERIFY2(pdf.contains(expected), qPrintable(expected));
    }

    // A PDF of several A4 pages with header and footer on each, every section present, the chart drawn.
    void pdf()
    {
        const QString path = QDir(outDir()).filePath(QStringLiteral("incident.pdf"));
        QString error;
        QVERIFY2(
            ReportExporter::write(incidentReport(m_id), ReportExporter::Format::Pdf, path, &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(5) == "%PDF-");

        const QString prefix = QDir(outDir()).filePath(QStringLiteral("incident-page"));
        int code = -1;
        run(QStringLiteral("pdftoppm"),
            { QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("60"), path, prefix }, &code);
        QCOMPARE(code, 0);
        const QStringList pages = QDir(outDir()).entryList({ QStringLiteral("incident-page*.png") });
        QVERIFY2(pages.size() >= 2, qPrintable(QString::number(pages.size())));

        const QString text = QString::fromUtf8(
            run(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), path, QStringLiteral("-") }));
        for (const QString& expected :
            { QStringLiteral("Incident report: db-primary: data-integrity"), QStringLiteral("Summary"),
                QStringLiteral("Root cause"), QStringLiteral("Phase times"), QStringLiteral("Timeline"),
                QStringLiteral("Actions"), QStringLiteral("Baseline"), QStringLiteral("corruption/recover#1"),
                QStringLiteral("sha256:9f2c1e0b7a44"), QStringLiteral("api-1"), m_id })
            QVERIFY2(text.contains(expected), qPrintable(expected));
        // Header and footer on every page.
        for (int n = 1; n <= pages.size(); ++n)
            QVERIFY2(text.contains(QStringLiteral("Page %1 of %2").arg(n).arg(pages.size())), qPrintable(text));
        QCOMPARE(text.count(m_id), qsizetype(pages.size()) + 1); // each header, plus the summary
        // The chart image is in the PDF.
        f.seek(0);
        QVERIFY(f.readAll().contains("/Subtype /Image"));
    }

    // The chart covers the whole stored window: the fault period (and its markers) is inside the picture.
    void chartImage()
    {
        const ReportData r = incidentReport(m_id);
        const Incident& inc = r.incidents.constFirst();
        QCOMPARE(ReportCharts::signalNames(inc), QStringList { QStringLiteral("load") });
        const QImage image = ReportCharts::render(inc, QStringLiteral("load"), QSize(1000, 400));
        QCOMPARE(image.size(), QSize(2000, 800));
        image.save(QDir(outDir()).filePath(QStringLiteral("chart.png")));
        QVERIFY(ReportCharts::render(inc, QStringLiteral("nothing"), QSize(1000, 400)).isNull());
    }

    // Names and ids are searchable as typed: no "ff"/"fi"/"fl" ligature glyphs in the text layer.
    void pdfTextHasNoLigatures()
    {
        const QString path = m_dir.filePath(QStringLiteral("ligatures.pdf"));
        QString error;
        QVERIFY2(ReportExporter::write(incidentReport(m_ligatureId), ReportExporter::Format::Pdf, path, &error),
            qPrintable(error));
        const QString text = QString::fromUtf8(
            run(QStringLiteral("pdftotext"), { QStringLiteral("-raw"), path, QStringLiteral("-") }));
        QVERIFY2(text.contains(u"staff-office-fl"), qPrintable(text.left(300)));
        QVERIFY(!text.contains(QChar(0xFB00)) && !text.contains(QChar(0xFB01)) && !text.contains(QChar(0xFB02)));
    }

    void html()
    {
        const QString path = QDir(outDir()).filePath(QStringLiteral("incident.html"));
        QString error;
        QVERIFY2(
            ReportExporter::write(incidentReport(m_id), ReportExporter::Format::Html, path, &error), qPrintable(error));
        const QString out = QString::fromUtf8(
            run(QStringLiteral("python3"), { QStringLiteral("-c"), QString::fromLatin1(kHtmlCheck), path }));
        QVERIFY2(out.contains(u"scripts=0 png=1 other=0"), qPrintable(out.left(300)));
        QVERIFY(out.contains(u"Phase times"));
        QVERIFY(out.contains(m_id));
    }

    void json()
    {
        const QString path = QDir(outDir()).filePath(QStringLiteral("incident.json"));
        QString error;
        QVERIFY2(
            ReportExporter::write(incidentReport(m_id), ReportExporter::Format::Json, path, &error), qPrintable(error));
        int code = -1;
        const QString out = QString::fromUtf8(run(QStringLiteral("python3"),
            { QStringLiteral("-c"), QString::fromLatin1(kJsonCheck), path,
                QStringLiteral(FAULTDESK_SOURCE_DIR "/resources/schema/incident-report.schema.json") },
            &code));
        QVERIFY2(code == 0 && out.startsWith(u"valid"), qPrintable(out));
    }

    void markdown()
    {
        const QString path = QDir(outDir()).filePath(QStringLiteral("incident.md"));
        QString error;
        QVERIFY2(ReportExporter::write(incidentReport(m_id), ReportExporter::Format::Markdown, path, &error),
            qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString md = QString::fromUtf8(f.readAll());
        QVERIFY(md.startsWith(u"# "));
        QVERIFY(md.contains(m_id));
        QVERIFY(md.contains(u"corruption/recover"));
    }

    // A range report: the table of incidents and the MTTx figures; drills only when asked.
    void rangePdf()
    {
        const QString path = QDir(outDir()).filePath(QStringLiteral("range.pdf"));
        QString error;
        const auto r = ReportData::forRange(*m_store, ReportFixture::detectedAt().addSecs(-3600),
            ReportFixture::detectedAt().addSecs(3600), false, ReportFixture::detectedAt().addSecs(7200), &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->incidents.size(), 2);
        QVERIFY2(ReportExporter::write(*r, ReportExporter::Format::Pdf, path, &error), qPrintable(error));
        const QString text = QString::fromUtf8(
            run(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), path, QStringLiteral("-") }));
        QVERIFY(text.contains(u"Mean times"));
        QVERIFY(text.contains(u"MTTR"));
        QVERIFY(text.contains(m_id));
        QVERIFY(!text.contains(m_drillId));
    }

    // Hostile target text is shown literally and does nothing, in every format.
    void hostileTextInert()
    {
        const ReportData r = incidentReport(m_hostileId);
        QString error;
        const QString dir = m_dir.path();
        const QString html = QDir(dir).filePath(QStringLiteral("hostile.html"));
        QVERIFY(ReportExporter::write(r, ReportExporter::Format::Html, html, &error));
        const QString parsed = QString::fromUtf8(
            run(QStringLiteral("python3"), { QStringLiteral("-c"), QString::fromLatin1(kHtmlCheck), html }));
        QVERIFY2(parsed.contains(u"scripts=0"), qPrintable(parsed.left(200)));
        QVERIFY(parsed.contains(kHostile)); // shown as text

        const QString md = QDir(dir).filePath(QStringLiteral("hostile.md"));
        QVERIFY(ReportExporter::write(r, ReportExporter::Format::Markdown, md, &error));
        QFile mf(md);
        QVERIFY(mf.open(QIODevice::ReadOnly));
        const QByteArray mdText = mf.readAll();
        QVERIFY(!mdText.contains("<script>"));
        // Escaped brackets (\]) cannot close a link text, so only an unescaped "](javascript:" would be a link.
        static const QRegularExpression link(QStringLiteral("(?<!\\\\)\\]\\(javascript:"));
        QVERIFY(!link.match(QString::fromUtf8(mdText)).hasMatch());
        QVERIFY(mdText.contains("\\](javascript:"));

        const QString json = QDir(dir).filePath(QStringLiteral("hostile.json"));
        QVERIFY(ReportExporter::write(r, ReportExporter::Format::Json, json, &error));
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonDocument doc = QJsonDocument::fromJson(jf.readAll());
        QVERIFY(doc.isObject());
        QVERIFY(QString::fromUtf8(doc.toJson()).contains(QStringLiteral("javascript:alert(2)")));

        const QString pdf = QDir(dir).filePath(QStringLiteral("hostile.pdf"));
        QVERIFY2(ReportExporter::write(r, ReportExporter::Format::Pdf, pdf, &error), qPrintable(error));
        QFile pf(pdf);
        QVERIFY(pf.open(QIODevice::ReadOnly));
        const QByteArray bytes = pf.readAll();
        QVERIFY(bytes.startsWith("%PDF-"));
        QCOMPARE(bytes.count("%PDF-"), 1); // the planted header is text on the page, not a second document
        QVERIFY(!bytes.contains("/JavaScript"));
        const QString text
            = QString::fromUtf8(run(QStringLiteral("pdftotext"), { QStringLiteral("-raw"), pdf, QStringLiteral("-") }));
        QVERIFY2(text.contains(QStringLiteral("<script>alert(1)</script>")), qPrintable(text.left(400)));
    }

    void unwritablePath()
    {
        QString error;
        const ReportData r = incidentReport(m_id);
        QVERIFY(!ReportExporter::write(r, ReportExporter::Format::Pdf, QStringLiteral("/proc/nope/r.pdf"), &error));
        QVERIFY(error.contains(u"/proc/nope/r.pdf"));
        QVERIFY(!ReportExporter::write(r, ReportExporter::Format::Html, m_dir.path(), &error));
        QVERIFY(error.contains(u"directory"));
    }
};

QTEST_MAIN(TestReportExport)
#include "tst_reportexport.moc"
