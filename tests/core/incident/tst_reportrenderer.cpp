#include "incident/incidentstore.h"
#include "incident/reportdata.h"
#include "incident/reportrenderer.h"
#include "ui/report/reportfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace FaultDesk;

namespace {
const QDateTime t0 = QDateTime(QDate(2026, 11, 3), QTime(14, 0), Qt::UTC);
const QString hostile
    = QStringLiteral("<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> | *b* `c`");

WriteResult wait(QFuture<WriteResult> f)
{
    f.waitForFinished();
    return f.result();
}

// Runs python3 with @p script and @p args; returns its exit code, or -1 (skip) when python3 or a module is missing.
int python(const QString& script, const QStringList& args, QString* output)
{
    const QString exe = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (exe.isEmpty())
        return -1;
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(exe, QStringList { QStringLiteral("-c"), script } + args);
    if (!p.waitForFinished(60000))
        return -2;
    *output = QString::fromUtf8(p.readAll());
    if (output->contains(QStringLiteral("ModuleNotFoundError")))
        return -1;
    return p.exitCode();
}
} // namespace

class TestReportRenderer : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<IncidentStore> m_store;
    QString m_id;

private Q_SLOTS:
    void initTestCase()
    {
        // A corruption drill's incident, as Handle/Recover would leave it, with label text an attacker chose.
        IncidentStore::Options o;
        o.path = m_dir.filePath(QStringLiteral("incidents.db"));
        o.clock = [] { return t0.addDays(1); };
        m_store = std::make_unique<IncidentStore>(o);
        QVERIFY(m_store->open());
        Incident inc;
        inc.id = QStringLiteral("inc-report");
        inc.rootTarget = QStringLiteral("db-primary");
        inc.causeClass = QStringLiteral("data-integrity");
        inc.title = QStringLiteral("db-primary: integrity check failing ") + hostile;
        inc.drill = true;
        inc.firstFailureUtc = t0;
        inc.detectedUtc = t0.addMSecs(1800);
        inc.baseline
            = QJsonObject { { QStringLiteral("checksum"), 3735928559.0 }, { QStringLiteral("label"), hostile } };
        inc.symptoms.append({ t0.addSecs(2), QStringLiteral("api-1"), QStringLiteral("error_rate"),
            QStringLiteral("errors"), QStringLiteral("depends on db-primary ") + hostile });
        inc.evidence.append(
            { t0.addSecs(2), QStringLiteral("db-primary"), QStringLiteral("integrity below 1 for 2 checks"),
                QJsonObject { { QStringLiteral("samples"), QJsonArray { 1, 0, 0 } } } });
        QVERIFY(wait(m_store->createIncident(inc)).ok);
        auto step = [&](IncidentState s, qint64 ms, const QString& actor, const QString& note = {}) {
            IncidentEvent e;
            e.state = s;
            e.timeUtc = t0.addMSecs(ms);
            e.actor = actor;
            e.note = note;
            return wait(m_store->transition(inc.id, e)).ok;
        };
        QVERIFY(step(IncidentState::Located, 1900, QStringLiteral("auto")));
        QVERIFY(step(IncidentState::Acknowledged, 15000, hostile, hostile));
        QVERIFY(step(IncidentState::Handling, 16000, QStringLiteral("alice")));
        AuditRecord intent;
        intent.actionId = QStringLiteral("a1");
        intent.timeUtc = t0.addMSecs(16100);
        intent.operatorName = QStringLiteral("alice");
        intent.target = QStringLiteral("db-primary");
        intent.incidentId = inc.id;
        intent.runbook = QStringLiteral("data-integrity/handle#1");
        intent.actionKind = QStringLiteral("http");
        intent.description = QStringLiteral("POST http://127.0.0.1:1/admin/failover ") + hostile;
        QVERIFY(m_store->append(intent));
        AuditRecord result = intent;
        result.phase = AuditRecord::Phase::Result;
        result.timeUtc = t0.addMSecs(18000);
        result.status = QStringLiteral("ok");
        result.exitCode = 200;
        result.durationMs = 1900;
        result.outputExcerpt = QStringLiteral("verified: replica promoted");
        QVERIFY(m_store->append(result));
        QVERIFY(step(IncidentState::Handled, 18000, QStringLiteral("auto")));
        QVERIFY(step(IncidentState::Recovering, 20000, QStringLiteral("alice")));
        QVERIFY(step(
            IncidentState::Recovered, 65000, QStringLiteral("auto"), QStringLiteral("checksum equals the baseline")));
        SeriesSnapshot integrity { QStringLiteral("db-primary"), QStringLiteral("integrity"), {} };
        SeriesSnapshot errors { hostile, QStringLiteral("error_rate"), {} };
        for (int i = -120; i < 180; ++i) {
            const qint64 t = t0.addSecs(i).toMSecsSinceEpoch();
            integrity.points.append({ t, i >= 0 && i < 60 ? 0.0 : 1.0 });
            errors.points.append({ t, i == 5 ? std::nan("") : (i >= 0 && i < 60 ? 0.4 : 0.001) });
        }
        QVERIFY(wait(m_store->saveSeries(inc.id, { integrity, errors })).ok);
        m_id = inc.id;
    }

    void cleanupTestCase() { m_store.reset(); }

    void durations_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("text");
        QTest::addRow("ms") << 850LL << QStringLiteral("850 ms");
        QTest::addRow("seconds with a decimal") << 1800LL << QStringLiteral("1.8 s");
        QTest::addRow("seconds") << 42000LL << QStringLiteral("42 s");
        QTest::addRow("minutes") << 185000LL << QStringLiteral("3 min 05 s");
        QTest::addRow("hours") << 7620000LL << QStringLiteral("2 h 07 min");
    }

    void durations()
    {
        QFETCH(qint64, ms);
        QFETCH(QString, text);
        QCOMPARE(ReportRenderer::duration(ms), text);
    }

    void markdownEscaping_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("output");
        QTest::addRow("plain") << QStringLiteral("web-1: ok (2.5 s)") << QStringLiteral("web-1: ok (2.5 s)");
        QTest::addRow("html") << QStringLiteral("<b>&amp;") << QStringLiteral("\\<b\\>\\&amp;");
        QTest::addRow("link") << QStringLiteral("[x](javascript:x)") << QStringLiteral("\\[x\\](javascript:x)");
        QTest::addRow("image") << QStringLiteral("![i](u)") << QStringLiteral("\\!\\[i\\](u)");
        QTest::addRow("emphasis and code")
            << QStringLiteral("*a* _b_ `c` ~d~") << QStringLiteral("\\*a\\* \\_b\\_ \\`c\\` \\~d\\~");
        QTest::addRow("autolinks") << QStringLiteral("https://evil www.evil.com a@b.c")
                                   << QStringLiteral("https:\\//evil www\\.evil.com a\\@b.c");
        QTest::addRow("table cell") << QStringLiteral("a|b") << QStringLiteral("a\\|b");
        QTest::addRow("newline") << QStringLiteral("a\nb") << QStringLiteral("a b");
        QTest::addRow("unicode kept") << QStringLiteral("größe → 5") << QStringLiteral("größe → 5");
    }

    void markdownEscaping()
    {
        QFETCH(QString, input);
        QFETCH(QString, output);
        QCOMPARE(ReportRenderer::escapeMarkdown(input), output);
    }

    void markdownReport()
    {
        const auto data = ReportData::forIncident(*m_store, m_id, t0.addDays(1));
        QVERIFY(data);
        const QString md = QString::fromUtf8(ReportRenderer::markdown(*data));
        if (qEnvironmentVariableIsSet("FAULTDESK_KEEP_REPORTS")) {
            QFile keep(qEnvironmentVariable("FAULTDESK_KEEP_REPORTS") + QStringLiteral("/report.md"));
            if (keep.open(QIODevice::WriteOnly))
                keep.write(md.toUtf8());
            QFile html(qEnvironmentVariable("FAULTDESK_KEEP_REPORTS") + QStringLiteral("/report.html"));
            if (html.open(QIODevice::WriteOnly))
                html.write(ReportRenderer::html(*data));
        }
        for (const QString& section : { QStringLiteral("# Summary"), QStringLiteral("# Phase times"),
                 QStringLiteral("# Timeline"), QStringLiteral("# Symptoms"), QStringLiteral("# Evidence"),
                 QStringLiteral("# Actions"), QStringLiteral("# Baseline") })
            QVERIFY2(md.contains(section), qPrintable(section));
        QVERIFY(md.contains(QStringLiteral("| Time to detect (from the first failing sample) | 1.8 s |")));
        QVERIFY(md.contains(QStringLiteral("| Time to recover | 1 min 03 s |")));
        QVERIFY(md.contains(QStringLiteral("verified: replica promoted")));
        QVERIFY(md.contains(QStringLiteral("checksum equals the baseline")));
        // Hostile text is inert: no raw HTML and no link syntax outside the fenced baseline block.
        const QString outsideFence = md.left(md.indexOf(QStringLiteral("```json")));
        static const QRegularExpression rawMarkup(QStringLiteral("(?<!\\\\)(<|\\[|\\]\\(|`)"));
        QVERIFY2(!outsideFence.contains(rawMarkup), qPrintable(rawMarkup.match(outsideFence).captured()));
        QVERIFY(outsideFence.contains(QStringLiteral("\\<script\\>alert(1)\\</script\\>")));
        // Every table row keeps its column count: a '|' in a label cannot add a cell.
        for (const QString& line : md.split(u'\n')) {
            if (!line.startsWith(QStringLiteral("| ")))
                continue;
            static const QRegularExpression unescapedBar(QStringLiteral("(?<!\\\\)\\|"));
            const qsizetype bars = line.count(unescapedBar);
            QVERIFY2(bars == 3 || bars == 6 || bars == 5 || bars == 9 || bars == 4, qPrintable(line));
        }
    }

    void htmlReportIsSelfContainedAndInert()
    {
        const auto data = ReportData::forIncident(*m_store, m_id, t0.addDays(1));
        QVERIFY(data);
        const QByteArray html = ReportRenderer::html(*data);
        QVERIFY(html.startsWith("<!DOCTYPE html>"));
        QVERIFY(html.contains("<svg"));
        QVERIFY(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        QVERIFY(!html.contains("src=\"http") && !html.contains("href=\"http"));
        const QString file = m_dir.filePath(QStringLiteral("report.html"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(html);
        f.close();
        // Parsed by a real HTML parser: no script element, no event handler, no javascript: URL, all sections.
        const QString script = QStringLiteral(R"(
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.bad=[]; s.tags={}; s.text=''
    def handle_starttag(s, tag, attrs):
        s.tags[tag]=s.tags.get(tag,0)+1
        if tag in ('script','iframe','object','embed','img','link'): s.bad.append(tag)
        for k,v in attrs:
            if k.startswith('on') or (v or '').strip().lower().startswith('javascript:'): s.bad.append(k)
    def handle_data(s, d): s.text+=d
p=P(); p.feed(open(sys.argv[1],encoding='utf-8').read()); p.close()
assert not p.bad, p.bad
assert p.tags.get('svg',0)>=2, p.tags
assert p.tags.get('polyline',0)>=2, p.tags
for h in ('Summary','Phase times','Timeline','Actions','Baseline','<script>alert(1)</script>'):
    assert h in p.text, h
print('ok', p.tags.get('table'))
)");
        QString out;
        const int rc = python(script, { file }, &out);
        if (rc == -1)
            QSKIP("python3 is not available to parse the HTML");
        QVERIFY2(rc == 0, qPrintable(out));
    }

    void jsonReportFollowsTheSchema()
    {
        const auto data = ReportData::forIncident(*m_store, m_id, t0.addDays(1));
        QVERIFY(data);
        const QByteArray text = ReportRenderer::jsonText(*data);
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(text, &err);
        QCOMPARE(err.error, QJsonParseError::NoError);
        const QJsonObject o = doc.object();
        QCOMPARE(o.value(QStringLiteral("schema")).toString(), ReportRenderer::jsonSchemaId());
        const QJsonObject inc = o.value(QStringLiteral("incidents")).toArray().at(0).toObject();
        QCOMPARE(inc.value(QStringLiteral("title")).toString(),
            QStringLiteral("db-primary: integrity check failing ") + hostile);
        QCOMPARE(inc.value(QStringLiteral("phases")).toObject().value(QStringLiteral("detect_ms")).toInteger(), 1800);
        QCOMPARE(inc.value(QStringLiteral("phases")).toObject().value(QStringLiteral("recover_ms")).toInteger(), 63200);
        QCOMPARE(inc.value(QStringLiteral("actions")).toArray().size(), 2);
        const QJsonArray series = inc.value(QStringLiteral("series")).toArray();
        QCOMPARE(series.size(), 2);
        bool gap = false;
        for (const QJsonValue& s : series)
            for (const QJsonValue& p : s.toObject().value(QStringLiteral("points")).toArray())
                gap |= p.toArray().at(1).isNull();
        QVERIFY(gap); // NaN is written as null, never as invalid JSON

        const QString file = m_dir.filePath(QStringLiteral("report.json"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
        f.close();
        const QString schema = QStringLiteral(FAULTDESK_SOURCE_DIR "/resources/schema/incident-report.schema.json");
        QString out;
        const int rc
            = python(QStringLiteral("import json,sys,jsonschema\n"
                                    "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))\n"
                                    "print('valid')"),
                { file, schema }, &out);
        if (rc == -1)
            QSKIP("python3-jsonschema is not available to validate the JSON");
        QVERIFY2(rc == 0, qPrintable(out));
    }

    // A pool-wide overload is the pool's incident in Markdown, HTML and JSON; the SVG chart draws its rule.
    void poolWideIncident()
    {
        const QString id
            = ReportFixture::seedPoolOverload(*m_store, -40000); // days before the others: not --last, not in range
        QVERIFY(!id.isEmpty());
        const auto data = ReportData::forIncident(*m_store, id, t0.addDays(1));
        QVERIFY(data);
        const QString md = QString::fromUtf8(ReportRenderer::markdown(*data));
        QVERIFY2(md.startsWith(u"# Incident report: lb/web pool: overload\n"), qPrintable(md.left(200)));
        QVERIFY(md.contains(u"| Root cause | the lb/web pool (pool-wide; began at web-2) |"));
        QVERIFY2(md.contains(u"| web-1 | load | 101 | above 0.85 | 0.7 |"), qPrintable(md)); // Markdown has no chart
        const QString html = QString::fromUtf8(ReportRenderer::html(*data));
        QVERIFY(html.contains(u"<h1>Incident report: lb/web pool: overload</h1>"));
        QVERIFY(html.contains(u"<td>Root cause</td><td>the lb/web pool (pool-wide; began at web-2)</td>"));
        // The SVG chart (no LoadChart here): a dashed threshold and a dotted clear level, each named with its value.
        QVERIFY2(html.contains(u">threshold 0.85</text>"), qPrintable(html));
        QVERIFY(html.contains(u">clear level 0.7</text>"));
        QCOMPARE(html.count(u"stroke-dasharray=\"6 4\""), 1);
        QCOMPARE(html.count(u"stroke-dasharray=\"2 3\""), 1);
        const QJsonObject inc
            = ReportRenderer::json(*data).value(QStringLiteral("incidents")).toArray().at(0).toObject();
        QCOMPARE(inc.value(QStringLiteral("pool")).toString(), QStringLiteral("lb/web"));
        QCOMPARE(inc.value(QStringLiteral("title")).toString(), QStringLiteral("web-2: overload")); // as stored
        QCOMPARE(inc.value(QStringLiteral("root_cause")).toString(),
            QStringLiteral("the lb/web pool (pool-wide; began at web-2)"));
    }

    // Lifecycle steps recorded without a note say what happened, from the audit trail, or that nothing was recorded.
    void timelineNotesSayWhatHappened()
    {
        const auto data = ReportData::forIncident(*m_store, m_id, t0.addDays(1));
        QVERIFY(data);
        const QString md = QString::fromUtf8(ReportRenderer::markdown(*data));
        QVERIFY2(md.contains(u"| handling | handling | alice | runbook data-integrity/handle started by alice |"),
            qPrintable(md));
        QVERIFY(md.contains(
            u"| handled | handled | auto | runbook data-integrity/handle finished by alice: 1 of 1 actions ok |"));
        QVERIFY(md.contains(u"| recovering | recovering | alice | set by alice; no action was recorded for it |"));
        const QJsonArray timeline = ReportRenderer::json(*data)
                                        .value(QStringLiteral("incidents"))
                                        .toArray()
                                        .at(0)
                                        .toObject()
                                        .value(QStringLiteral("timeline"))
                                        .toArray();
        for (const QJsonValue& e : timeline)
            if (QStringList { QStringLiteral("handling"), QStringLiteral("handled"), QStringLiteral("recovering") }
                    .contains(e.toObject().value(QStringLiteral("event")).toString()))
                QVERIFY2(!e.toObject().value(QStringLiteral("note")).toString().isEmpty(),
                    qPrintable(e.toObject().value(QStringLiteral("event")).toString()));
    }

    void rangeReportHasTableAndMttx()
    {
        Incident other;
        other.id = QStringLiteral("inc-range");
        other.rootTarget = QStringLiteral("web-1");
        other.causeClass = QStringLiteral("overload");
        other.title = QStringLiteral("web-1 overloaded");
        other.firstFailureUtc = t0.addSecs(600);
        other.detectedUtc = t0.addSecs(603);
        QVERIFY(wait(m_store->createIncident(other)).ok);
        IncidentEvent rec;
        rec.state = IncidentState::Recovered;
        rec.timeUtc = t0.addSecs(663);
        rec.actor = QStringLiteral("auto");
        QVERIFY(wait(m_store->transition(other.id, rec)).ok);

        auto withoutDrills = ReportData::forRange(*m_store, t0.addSecs(-3600), t0.addSecs(3600), false, t0.addDays(1));
        QVERIFY(withoutDrills);
        QCOMPARE(withoutDrills->incidents.size(), 1);
        QCOMPARE(withoutDrills->mttxOverall.size(), 1);
        QCOMPARE(withoutDrills->mttxOverall.at(0).mttrMs, std::optional<double>(60000));
        auto withDrills = ReportData::forRange(*m_store, t0.addSecs(-3600), t0.addSecs(3600), true, t0.addDays(1));
        QCOMPARE(withDrills->incidents.size(), 2);
        QCOMPARE(withDrills->mttxByCause.size(), 2);
        const QString md = QString::fromUtf8(ReportRenderer::markdown(*withDrills));
        QVERIFY(md.contains(QStringLiteral("## Mean times")));
        QVERIFY(md.contains(QStringLiteral("| all | 2 | 2 |")));
        QVERIFY(md.contains(QStringLiteral("## Incidents")));
        QVERIFY(md.contains(QStringLiteral("inc-range")));
        const QJsonObject json = ReportRenderer::json(*withDrills);
        QCOMPARE(json.value(QStringLiteral("kind")).toString(), QStringLiteral("range"));
        QCOMPARE(json.value(QStringLiteral("mttx")).toObject().value(QStringLiteral("by_cause")).toArray().size(), 2);

        QString error;
        QVERIFY(!ReportData::forRange(*m_store, t0, t0.addSecs(-1), false, t0, &error));
        QVERIFY2(error.contains(QStringLiteral("before it starts")), qPrintable(error));
        QVERIFY(!ReportData::forIncident(*m_store, QStringLiteral("inc-missing"), t0, &error));
        QVERIFY2(error.contains(QStringLiteral("inc-missing")), qPrintable(error));
        auto last = ReportData::forLast(*m_store, true, t0);
        QVERIFY(last);
        QCOMPARE(last->incidents.at(0).id, other.id);
    }
};

QTEST_GUILESS_MAIN(TestReportRenderer)
#include "tst_reportrenderer.moc"
