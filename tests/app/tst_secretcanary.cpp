// The secret canary: a random token in every secret-bearing setting (Prometheus, Alertmanager, a target's admin
// API, a runbook http step), exercised against real loopback servers that redirect to a second origin and echo
// the token back in errors, with failing steps, an `env` command step and a step that prints a token file; the
// audit goes to the incident database and a JSONL file, and every report format is rendered by the real
// `faultdesk report`. Then every byte written is searched: the log, the incident database (with its WAL), the
// audit file, the reports (the PDF's text too), the processes' stdout/stderr, everything under the test's HOME
// (QSettings, state) and what each action returned: 0 occurrences, and the second origin received 0 requests.

#include "alert/alertmanagerclient.h"
#include "audit/jsonlauditsink.h"
#include "config/secretref.h"
#include "incident/incidentstore.h"
#include "prom/prometheusclient.h"
#include "remedy/commandaction.h"
#include "remedy/httpaction.h"
#include "shared/recordinghttpserver.h"
#include "ui/report/reportfixture.h"
#include "util/logging.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;
using FaultDesk::Test::RecordingHttpServer;

namespace {

// Every audit record goes to both stores the product has.
class TeeSink : public AuditSink
{
public:
    TeeSink(AuditSink* a, AuditSink* b)
        : m_a(a)
        , m_b(b)
    { }
    bool append(const AuditRecord& record, QString* error) override
    {
        return m_a->append(record, error) && m_b->append(record, error);
    }
    QList<AuditRecord> records() const override { return m_a->records(); }

private:
    AuditSink* m_a;
    AuditSink* m_b;
};

QByteArray canary(const char* what)
{
    QByteArray t = QByteArray("canary-") + what + '-';
    for (int i = 0; i < 3; ++i)
        t += QByteArray::number(QRandomGenerator::system()->generate64(), 36);
    return t;
}

} // namespace

class TestSecretCanary : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QHash<QString, QByteArray> m_tokens; ///< setting → its token
    QByteArray m_seen; ///< every text the run produced in memory (results, replies, process output)

    ActionResult runAction(Action& action)
    {
        QSignalSpy spy(&action, &Action::finished);
        action.start();
        if (spy.isEmpty())
            spy.wait(20000);
        const ActionResult r = action.result();
        m_seen += r.description.toUtf8() + '\n' + r.error.toUtf8() + '\n' + r.output.toUtf8() + '\n';
        return r;
    }

    ActionContext context(AuditSink* sink, const QString& incidentId, const QString& step)
    {
        ActionContext c;
        c.audit = sink;
        c.operatorName = QStringLiteral("alice");
        c.target = QStringLiteral("db-primary");
        c.incidentId = incidentId;
        c.runbook = QStringLiteral("canary#") + step;
        c.deadline = std::chrono::milliseconds(10000);
        c.fields.set(QStringLiteral("target"), c.target);
        return c;
    }

    int occurrences(const QByteArray& haystack) const
    {
        int n = 0;
        for (const QByteArray& t : m_tokens)
            n += int(haystack.count(t));
        return n;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_tokens.insert(u"prometheus"_qs, canary("prom"));
        m_tokens.insert(u"alertmanager"_qs, canary("am"));
        m_tokens.insert(u"admin"_qs, canary("admin"));
        m_tokens.insert(u"runbook http"_qs, canary("runbook"));
        qputenv("FD_CANARY_PROM", m_tokens.value(u"prometheus"_qs));
        qputenv("FD_CANARY_AM", m_tokens.value(u"alertmanager"_qs));
        qputenv("FD_CANARY_RUNBOOK", m_tokens.value(u"runbook http"_qs));
        QFile adminToken(m_dir.filePath(u"admin.token"_qs));
        QVERIFY(adminToken.open(QIODevice::WriteOnly));
        adminToken.write(m_tokens.value(u"admin"_qs) + '\n');
    }

    void noSecretLeavesItsOrigin()
    {
        QVERIFY(Logging::install({ m_dir.filePath(u"logs"_qs), false }));
        RecordingHttpServer origin;
        RecordingHttpServer second; // addressed as localhost:B, another origin than 127.0.0.1:A
        const QUrl away = second.url(u"/steal"_qs, u"localhost"_qs);
        origin.redirect("/prom-redirect/api/v1/query", away, 302);
        origin.route("/prom-echo/api/v1/query",
            { 400, "Content-Type: application/json\r\n",
                R"({"status":"error","errorType":"bad_data","error":"rejected %AUTHORIZATION%"})" });
        origin.redirect("/am/api/v2/alerts", away, 307);
        origin.route("/am-echo/api/v2/alerts", { 500, {}, "alertmanager says: %AUTHORIZATION%" });
        origin.redirect("/admin/restart", away, 302);
        origin.route("/admin/readonly", { 500, {}, "{\"error\":\"unauthorized: %AUTHORIZATION%\"}" });
        origin.redirect("/hook", away, 308);

        // Prometheus: one source redirected to the second origin, one answering with the token in its error.
        for (const QString& base : { u"/prom-redirect"_qs, u"/prom-echo"_qs }) {
            PrometheusClient::Settings settings;
            settings.baseUrl = origin.url(base);
            settings.token = SecretRef::env(u"FD_CANARY_PROM"_qs);
            PrometheusClient prom(settings);
            std::optional<PromQueryResult> result;
            prom.query(u"up"_qs, 0, [&result](const PromQueryResult& r) { result = r; });
            QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
            QVERIFY(!result->ok());
            m_seen += result->errorText.toUtf8() + '\n';
            qCWarning(lcApp).noquote() << "prometheus:" << result->errorText; // as a source reports its failure
        }

        // Alertmanager: the same two ways.
        for (const QString& base : { u"/am"_qs, u"/am-echo"_qs }) {
            AlertmanagerConfig config;
            config.name = u"am"_qs;
            config.url = origin.url(base);
            config.token = SecretRef::env(u"FD_CANARY_AM"_qs);
            AlertmanagerClient am(config);
            std::optional<QString> error;
            am.fetchAlerts(
                false, false, &am, [&error](const QList<AlertmanagerAlert>&, const QString& e) { error = e; });
            QTRY_VERIFY_WITH_TIMEOUT(error.has_value(), 10000);
            QVERIFY(!error->isEmpty());
            m_seen += error->toUtf8() + '\n';
            qCWarning(lcApp).noquote() << "alertmanager:" << *error;
        }

        // The incident database and a JSONL audit file, as the console writes them.
        IncidentStore::Options o;
        o.path = m_dir.filePath(u"incidents.db"_qs);
        o.pruneIntervalMs = 0;
        o.retentionMs = 100LL * 365 * 24 * 3600 * 1000;
        IncidentStore store(o);
        QVERIFY(store.open());
        const QString incident = ReportFixture::seed(store, false);
        QVERIFY(!incident.isEmpty());
        JsonlAuditSink jsonl(m_dir.filePath(u"audit.jsonl"_qs));
        TeeSink audit(&store, &jsonl);

        // The admin API (token from a file): a redirect to the second origin, then an error echoing the header.
        for (const QString& path : { u"/admin/restart"_qs, u"/admin/readonly"_qs }) {
            HttpSpec spec;
            spec.url = origin.url(path).toString();
            spec.body = u"{}"_qs;
            spec.bearerToken = SecretRef::file(m_dir.filePath(u"admin.token"_qs));
            HttpAction action(spec, context(&audit, incident, path));
            QCOMPARE(runAction(action).status, ActionResult::Status::Failed);
        }
        // A runbook http step with its own token, redirected (308 keeps the method) to the second origin.
        {
            HttpSpec spec;
            spec.url = origin.url(u"/hook"_qs).toString();
            spec.body = u"{\"target\":\"{target}\"}"_qs;
            spec.bearerToken = SecretRef::env(u"FD_CANARY_RUNBOOK"_qs);
            HttpAction action(spec, context(&audit, incident, u"hook"_qs));
            const ActionResult r = runAction(action);
            QCOMPARE(r.status, ActionResult::Status::Failed);
            QVERIFY2(r.error.contains(u"leaves the configured origin"_qs), qPrintable(r.error));
        }
        // Command steps: `env` prints the child's whole environment; a failing one looks for a token variable;
        // one prints the admin token file (a configured secret, whatever printed it).
        const QString env = QStandardPaths::findExecutable(u"env"_qs);
        const QString printenv = QStandardPaths::findExecutable(u"printenv"_qs);
        const QString cat = QStandardPaths::findExecutable(u"cat"_qs);
        QVERIFY(!env.isEmpty() && !printenv.isEmpty() && !cat.isEmpty());
        {
            CommandSpec spec = CommandSpec::of({ env });
            spec.environment.insert(u"REGION"_qs, u"eu-1"_qs);
            CommandAction action(spec, context(&audit, incident, u"env"_qs));
            const ActionResult r = runAction(action);
            QVERIFY2(r.ok(), qPrintable(r.summary()));
            QVERIFY(r.output.contains(u"REGION=eu-1"_qs));
            QVERIFY(!r.output.contains(u"FD_CANARY"_qs)); // not even the variables' names
        }
        {
            CommandAction action(
                CommandSpec::of({ printenv, u"FD_CANARY_PROM"_qs }), context(&audit, incident, u"printenv"_qs));
            QCOMPARE(runAction(action).status, ActionResult::Status::Failed); // not inherited: printenv exits 1
        }
        {
            CommandAction action(
                CommandSpec::of({ cat, m_dir.filePath(u"admin.token"_qs) }), context(&audit, incident, u"cat"_qs));
            const ActionResult r = runAction(action);
            QVERIFY2(r.ok(), qPrintable(r.summary()));
            QVERIFY2(r.output.contains(u"****"_qs), qPrintable(r.output));
        }
        QTRY_VERIFY_WITH_TIMEOUT(store.auditRecords(incident).size() >= 12, 10000);

        // Every report format, by the real command.
        QByteArray processOutput;
        for (const QString& format : { u"md"_qs, u"html"_qs, u"json"_qs, u"pdf"_qs }) {
            QProcess p;
            p.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"),
                { u"report"_qs, u"--db"_qs, o.path, u"--incident"_qs, incident, u"--format"_qs, format, u"-o"_qs,
                    m_dir.filePath(u"report."_qs + format) });
            QVERIFY(p.waitForFinished(90000));
            QCOMPARE(p.exitCode(), 0);
            processOutput += p.readAllStandardOutput() + p.readAllStandardError();
        }
        const QString pdftotext = QStandardPaths::findExecutable(u"pdftotext"_qs);
        if (!pdftotext.isEmpty()) {
            QProcess p;
            p.start(pdftotext, { m_dir.filePath(u"report.pdf"_qs), m_dir.filePath(u"report.pdf.txt"_qs) });
            QVERIFY(p.waitForFinished(60000));
            QFile text(m_dir.filePath(u"report.pdf.txt"_qs));
            QVERIFY(text.open(QIODevice::ReadOnly));
            QVERIFY2(text.readAll().contains(incident.toUtf8()), "the PDF's text is searchable");
        }
        Logging::uninstall();

        // The search.
        QCOMPARE(second.requests().size(), 0);
        for (const QByteArray& t : std::as_const(m_tokens))
            QCOMPARE(second.occurrences(t), 0);
        QCOMPARE(occurrences(m_seen), 0);
        QCOMPARE(occurrences(processOutput), 0);
        QStringList searched;
        for (const QString& root : { m_dir.path(), QDir::homePath() }) {
            QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString path = it.next();
                if (path.endsWith(u"admin.token"))
                    continue; // where the secret lives
                QFile f(path);
                if (!f.open(QIODevice::ReadOnly))
                    continue;
                searched << path;
                QVERIFY2(occurrences(f.readAll()) == 0, qPrintable(u"a token was written to "_qs + path));
            }
        }
        // The stores this run wrote, each found and searched (a missing file would make the search vacuous).
        for (const QString& name : { u"logs/faultdesk.log"_qs, u"incidents.db"_qs, u"audit.jsonl"_qs, u"report.md"_qs,
                 u"report.html"_qs, u"report.json"_qs, u"report.pdf"_qs })
            QVERIFY2(searched.contains(m_dir.filePath(name)), qPrintable(name));
        // And the tokens did reach the origin they were configured for (the search is not vacuous either).
        QVERIFY(origin.occurrences(m_tokens.value(u"prometheus"_qs)) >= 2);
        QVERIFY(origin.occurrences(m_tokens.value(u"alertmanager"_qs)) >= 2);
        QVERIFY(origin.occurrences(m_tokens.value(u"admin"_qs)) >= 2);
        QVERIFY(origin.occurrences(m_tokens.value(u"runbook http"_qs)) >= 1);
    }
};

QTEST_GUILESS_MAIN(TestSecretCanary)
#include "tst_secretcanary.moc"
