// `faultdesk report` as a user runs it: every format from a recorded incident, --last/--since, and bad input
// answered with exit 2 and a message that names the problem. Runs without a display (offscreen forced).

#include "incident/incidentstore.h"
#include "ui/report/reportfixture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

namespace {

struct Result
{
    int code = -1;
    QString out;
    QString err;
};

Result runReport(const QStringList& arguments)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // As on a server: no display, no platform chosen; the command must pick offscreen itself.
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), QStringList { QStringLiteral("report") } + arguments);
    Result r;
    if (!p.waitForFinished(90000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace

class TestReportCommand : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_db;
    QString m_id;
    QString m_drill;

private Q_SLOTS:
    void initTestCase()
    {
        m_db = m_dir.filePath(QStringLiteral("incidents.db"));
        IncidentStore::Options o;
        o.path = m_db;
        o.pruneIntervalMs = 0;
        o.retentionMs = 100LL * 365 * 24 * 3600 * 1000; // the fixture's dates must survive the report's pruning
        IncidentStore store(o);
        QVERIFY(store.open());
        m_id = ReportFixture::seed(store, false);
        m_drill = ReportFixture::seed(store, true, QStringLiteral("web-2"), 30);
        QVERIFY(!m_id.isEmpty() && !m_drill.isEmpty());
    }

    void formats_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QByteArray>("start");
        QTest::addRow("pdf") << QStringLiteral("pdf") << QByteArray("%PDF-");
        QTest::addRow("html") << QStringLiteral("html") << QByteArray("<!DOCTYPE html>");
        QTest::addRow("md") << QStringLiteral("md") << QByteArray("# Incident report");
        QTest::addRow("json") << QStringLiteral("json") << QByteArray("{");
    }

    void formats()
    {
        QFETCH(QString, format);
        QFETCH(QByteArray, start);
        const QString out = m_dir.filePath(QStringLiteral("r.") + format);
        const Result r = runReport({ QStringLiteral("--db"), m_db, QStringLiteral("--incident"), m_id,
            QStringLiteral("--format"), format, QStringLiteral("-o"), out });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.startsWith(start));
        if (format != u"pdf")
            QVERIFY(bytes.contains(m_id.toUtf8()));
    }

    // --last is the newest incident, a drill's included (the report after `faultdesk drill`); --since covers a
    // period with its MTTx figures, drills only when asked.
    void lastAndSince()
    {
        const QString out = m_dir.filePath(QStringLiteral("last.json"));
        Result r = runReport({ QStringLiteral("--db"), m_db, QStringLiteral("--last"), QStringLiteral("--format"),
            QStringLiteral("json"), QStringLiteral("-o"), out });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray bytes = f.readAll();
        QVERIFY(bytes.contains(m_drill.toUtf8()));
        QVERIFY(!bytes.contains(m_id.toUtf8()));
        f.close();

        const QString without = m_dir.filePath(QStringLiteral("nodrills.md"));
        r = runReport({ QStringLiteral("--db"), m_db, QStringLiteral("--since"), QStringLiteral("2026-11-27T00:00:00"),
            QStringLiteral("--until"), QStringLiteral("2026-11-28"), QStringLiteral("--format"), QStringLiteral("md"),
            QStringLiteral("-o"), without });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile wf(without);
        QVERIFY(wf.open(QIODevice::ReadOnly));
        bytes = wf.readAll();
        QVERIFY(bytes.contains(m_id.toUtf8()));
        QVERIFY(!bytes.contains(m_drill.toUtf8()));

        const QString range = m_dir.filePath(QStringLiteral("range.md"));
        r = runReport({ QStringLiteral("--db"), m_db, QStringLiteral("--since"), QStringLiteral("2026-11-27"),
            QStringLiteral("--until"), QStringLiteral("2026-11-28T00:00:00Z"), QStringLiteral("--include-drills"),
            QStringLiteral("--format"), QStringLiteral("md"), QStringLiteral("-o"), range });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile rf(range);
        QVERIFY(rf.open(QIODevice::ReadOnly));
        bytes = rf.readAll();
        QVERIFY(bytes.contains(m_id.toUtf8()));
        QVERIFY(bytes.contains(m_drill.toUtf8()));
        QVERIFY(bytes.contains("MTTR"));
    }

    // What a user sees after a real flash sale: `faultdesk drill overload`, then `faultdesk report --last` in each
    // format. Whether the surge reaches web-2's peers before the drain is the fleet's timing; the report must name
    // the pool exactly when the incident was pool-wide, and always draw load's rule and show the baseline as tables.
    void afterAnOverloadDrill()
    {
        const QString db = m_dir.filePath(QStringLiteral("drill.db"));
        QProcess drill;
        drill.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"),
            { QStringLiteral("drill"), QStringLiteral("overload"), QStringLiteral("--auto"), QStringLiteral("--json"),
                QStringLiteral("--db"), db });
        QVERIFY(drill.waitForFinished(120000));
        QCOMPARE(drill.exitCode(), 0);

        const auto report = [&](const QString& format) {
            const QString out = m_dir.filePath(QStringLiteral("drill.") + format);
            const Result r = runReport({ QStringLiteral("--db"), db, QStringLiteral("--last"),
                QStringLiteral("--format"), format, QStringLiteral("-o"), out });
            if (r.code != 0)
                return QStringLiteral("exit %1: %2").arg(r.code).arg(r.err);
            if (format == u"pdf") {
                QProcess text;
                text.start(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), out, QStringLiteral("-") });
                text.waitForFinished(60000);
                return QString::fromUtf8(text.readAllStandardOutput());
            }
            QFile f(out);
            return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
        };
        const QJsonObject inc = QJsonDocument::fromJson(report(QStringLiteral("json")).toUtf8())
                                    .object()
                                    .value(u"incidents")
                                    .toArray()
                                    .at(0)
                                    .toObject();
        QCOMPARE(inc.value(u"cause_class").toString(), QStringLiteral("overload"));
        const QString root = inc.value(u"root_target").toString();
        const bool poolWide = !inc.value(u"pool").isNull();
        const QString title = poolWide
            ? QStringLiteral("Incident report: %1 pool: overload").arg(inc.value(u"pool").toString())
            : QStringLiteral("Incident report: %1: overload").arg(root);
        const QString rootCause = poolWide
            ? QStringLiteral("the %1 pool (pool-wide; began at %2)").arg(inc.value(u"pool").toString(), root)
            : root;
        QCOMPARE(inc.value(u"root_cause").toString(), rootCause);
        qInfo("the drill's incident was %s", poolWide ? "pool-wide" : "one server's");
        // The load series carry the rule the detector judged them by.
        bool loadRule = false;
        for (const QJsonValue& v : inc.value(u"series").toArray())
            loadRule |= v.toObject().value(u"signal").toString() == u"load"
                && v.toObject().value(u"threshold").toDouble() == 0.85
                && v.toObject().value(u"clear").toDouble() == 0.7;
        QVERIFY(loadRule);

        const QString pdf = report(QStringLiteral("pdf"));
        // The page furniture (running header and footer) comes between the last line of one page and the first of
        // the next: a sentence that wraps over a page break is still one sentence to the reader.
        QStringList body;
        static const QRegularExpression furniture(
            QStringLiteral(R"(^\f?(Incident report: .* inc-[0-9a-f]+|FaultDesk .* Page \d+ of \d+)\s*$)"));
        for (const QString& line : pdf.split(u'\n'))
            if (!furniture.match(line).hasMatch())
                body << line;
        const QString flat = body.join(u'\n').simplified();
        QVERIFY2(flat.contains(title), qPrintable(pdf.left(800)));
        QVERIFY2(flat.contains(QStringLiteral("Root cause ") + rootCause), qPrintable(pdf.left(1500)));
        // One line for all when every charted server's level is recorded; named per server when only some are (a
        // server charted for its load that never breached records none): either way the 0.85 / 0.7 levels.
        static const QRegularExpression levels(QStringLiteral(
            R"(Load \(utilisation\): threshold( of web-[0-9])? 0\.85 \(dashed\), clear level 0\.7 \(dotted\)[.;])"));
        QVERIFY2(levels.match(flat).hasMatch(), qPrintable(pdf));
        QVERIFY(flat.contains(u"HAProxy servers Backend Server Admin state Status Weight / initial Sessions"));
        QVERIFY(flat.contains(u"Databases Database Role Read-only Integrity Checksum"));
        QVERIFY2(!pdf.contains(u"\"admin_state\"") && !pdf.contains(u"captured_utc"), qPrintable(pdf));
        QVERIFY(flat.contains(u"handling auto runbook overload/handle started by drill"));

        const QString md = report(QStringLiteral("md"));
        QVERIFY(md.startsWith(u"# " + title + u'\n'));
        QVERIFY(md.contains(QStringLiteral("| Root cause | %1 |").arg(rootCause)));
        QVERIFY(md.contains(u"| handled | handled | auto | runbook overload/handle finished by drill: "));
        const QString html = report(QStringLiteral("html"));
        QVERIFY(html.contains(u"<h1>" + title + u"</h1>"));
        QVERIFY(html.contains(u"<h4>HAProxy servers</h4>"));
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        const QString out = QDir::temp().filePath(QStringLiteral("faultdesk-never-written.pdf"));
        QTest::addRow("unknown incident") << QStringList { QStringLiteral("--incident"), QStringLiteral("inc-nope"),
            QStringLiteral("--format"), QStringLiteral("pdf"), QStringLiteral("-o"), out }
                                          << QStringLiteral("inc-nope");
        QTest::addRow("bad date") << QStringList { QStringLiteral("--since"), QStringLiteral("yesterday-ish"),
            QStringLiteral("--format"), QStringLiteral("pdf"), QStringLiteral("-o"), out }
                                  << QStringLiteral("yesterday-ish");
        QTest::addRow("unknown format") << QStringList { QStringLiteral("--last"), QStringLiteral("--format"),
            QStringLiteral("docx"), QStringLiteral("-o"), out }
                                        << QStringLiteral("unknown format 'docx'");
        QTest::addRow("unwritable output") << QStringList { QStringLiteral("--last"), QStringLiteral("--format"),
            QStringLiteral("pdf"), QStringLiteral("-o"), QStringLiteral("/proc/nope/r.pdf") }
                                           << QStringLiteral("/proc/nope");
        QTest::addRow("output is a directory") << QStringList { QStringLiteral("--last"), QStringLiteral("--format"),
            QStringLiteral("md"), QStringLiteral("-o"), QDir::tempPath() }
                                               << QStringLiteral("is a directory");
        QTest::addRow("no selector") << QStringList { QStringLiteral("--format"), QStringLiteral("md"),
            QStringLiteral("-o"), out }
                                     << QStringLiteral("exactly one of");
        QTest::addRow("two selectors") << QStringList { QStringLiteral("--last"), QStringLiteral("--incident"),
            QStringLiteral("x"), QStringLiteral("--format"), QStringLiteral("md"), QStringLiteral("-o"), out }
                                       << QStringLiteral("exactly one of");
        QTest::addRow("no output") << QStringList { QStringLiteral("--last"), QStringLiteral("--format"),
            QStringLiteral("md") } << QStringLiteral("-o OUT");
    }

    void badInput()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Result r = runReport(QStringList { QStringLiteral("--db"), m_db } + arguments);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(!QFile::exists(QDir::temp().filePath(QStringLiteral("faultdesk-never-written.pdf"))));
    }

    void missingDatabase()
    {
        const QString missing = m_dir.filePath(QStringLiteral("nothing-here.db"));
        const Result r
            = runReport({ QStringLiteral("--db"), missing, QStringLiteral("--last"), QStringLiteral("--format"),
                QStringLiteral("md"), QStringLiteral("-o"), m_dir.filePath(QStringLiteral("x.md")) });
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(missing), qPrintable(r.err));
        QVERIFY(!QFile::exists(missing)); // reading never creates a database
    }
};

QTEST_GUILESS_MAIN(TestReportCommand)
#include "tst_reportcommand.moc"
