// `faultdesk report` as a user runs it: every format from a recorded incident, --last/--since, and bad input
// answered with exit 2 and a message that names the problem. Runs without a display (offscreen forced).

#include "incident/incidentstore.h"
#include "ui/report/reportfixture.h"

#include <QDir>
#include <QFile>
#include <QProcess>
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
