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
        QVERIFY(!m_id.isEmpty() && !m_hostileId.isEmpty() && !m_drillId.isEmpty());
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
