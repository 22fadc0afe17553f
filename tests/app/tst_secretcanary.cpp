// The secret canary: a random token in every secret-bearing setting (Prometheus, Alertmanager, a target's admin
// API and its database-status endpoint, a runbook http step), exercised against real loopback servers that
// redirect to a second origin and echo the token back in errors, with failing steps, an `env` command step and a
// step that prints a token file; the audit goes to the incident database and a JSONL file; the automation switches
// and ledger go to their state file. Then a real `faultdesk drill crash --auto` runs a bound runbook with the same
// kind of steps (its demo fleet's own admin token joins the canaries), and every report format — per incident and
// for a period — is rendered by the real `faultdesk report` from both databases. Then every byte written is
// searched: the logs, the incident databases (with their WALs), the audit file, the automation state, the reports
// (the PDF's text too), the processes' stdout/stderr, everything under the test's HOME (QSettings, state) and what
// each action returned: 0 occurrences, and the second origin received 0 requests.

#include "alert/alertmanagerclient.h"
#include "audit/jsonlauditsink.h"
#include "config/fleetconfig.h"
#include "config/secretref.h"
#include "incident/incidentstore.h"
#include "prom/prometheusclient.h"
#include "remedy/automationpolicy.h"
#include "remedy/baselinepoller.h"
#include "remedy/commandaction.h"
#include "remedy/httpaction.h"
#include "shared/recordinghttpserver.h"
#include "ui/report/reportfixture.h"
#include "util/logging.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

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
    QByteArray m_processOutput; ///< stdout and stderr of every faultdesk process
    RecordingHttpServer m_origin; ///< where the tokens are configured to go (127.0.0.1:A)
    RecordingHttpServer m_second; ///< the second origin every redirect points at (localhost:B)
    QString m_incident; ///< the seeded incident the in-process steps are audited under

    QUrl away() const { return m_second.url(u"/steal"_qs, u"localhost"_qs); }

    // Runs `faultdesk ARGUMENTS` to the end while this test's servers keep answering; its output is searched later.
    // True when it ended with exit code 0 within @p timeoutMs.
    bool runFaultdesk(const QStringList& arguments, int timeoutMs, QByteArray* out = nullptr,
        const std::function<void()>& whileRunning = {})
    {
        QProcess p;
        p.start(QStringLiteral(FAULTDESK_BIN_DIR "/faultdesk"), arguments);
        if (!p.waitForStarted(10000))
            return false;
        const bool ended = QTest::qWaitFor(
            [&] {
                if (whileRunning)
                    whileRunning();
                return p.state() == QProcess::NotRunning;
            },
            timeoutMs);
        if (!ended) {
            p.kill();
            p.waitForFinished(5000);
        }
        const QByteArray stdoutText = p.readAllStandardOutput();
        m_processOutput += stdoutText + p.readAllStandardError();
        if (out)
            *out = stdoutText;
        return ended && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

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

    void inProcessClientsAndSteps()
    {
        QVERIFY(Logging::install({ m_dir.filePath(u"logs"_qs), false }));
        RecordingHttpServer& origin = m_origin;
        const QUrl away = this->away();
        origin.redirect("/prom-redirect/api/v1/query", away, 302);
        origin.route("/prom-echo/api/v1/query",
            { 400, "Content-Type: application/json\r\n",
                R"({"status":"error","errorType":"bad_data","error":"rejected %AUTHORIZATION%"})" });
        origin.redirect("/am/api/v2/alerts", away, 307);
        origin.route("/am-echo/api/v2/alerts", { 500, {}, "alertmanager says: %AUTHORIZATION%" });
        origin.redirect("/admin/restart", away, 302);
        origin.route("/admin/readonly", { 500, {}, "{\"error\":\"unauthorized: %AUTHORIZATION%\"}" });
        origin.redirect("/admin/status", away, 302);
        origin.route("/admin/status-echo", { 500, {}, "{\"error\":\"unauthorized: %AUTHORIZATION%\"}" });
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

        // The database-status polling with the admin token (from a file): redirected to the second origin, and an
        // endpoint answering with the header quoted back. The poller logs why each read failed.
        for (const QString& path : { u"/admin/status"_qs, u"/admin/status-echo"_qs }) {
            FleetConfig fleet;
            TargetConfig db;
            db.name = u"db-primary"_qs;
            db.address = u"127.0.0.1"_qs;
            AdminConfig admin;
            admin.url = origin.url(u"/admin"_qs);
            admin.statusUrl = origin.url(path);
            admin.token = SecretRef::file(m_dir.filePath(u"admin.token"_qs));
            db.admin = admin;
            fleet.targets.append(db);
            BaselinePoller poller(fleet);
            bool polled = false;
            poller.poll([&polled] { polled = true; });
            QTRY_VERIFY_WITH_TIMEOUT(polled, 10000);
            const QString why = poller.databaseProblem(u"db-primary"_qs);
            QVERIFY2(!why.isEmpty(), "the read failed, and says why");
            m_seen += why.toUtf8() + '\n';
        }

        // The incident database and a JSONL audit file, as the console writes them.
        IncidentStore::Options o;
        o.path = m_dir.filePath(u"incidents.db"_qs);
        o.pruneIntervalMs = 0;
        o.retentionMs = 100LL * 365 * 24 * 3600 * 1000;
        IncidentStore store(o);
        QVERIFY(store.open());
        m_incident = ReportFixture::seed(store, false);
        const QString incident = m_incident;
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

        // The automation switches and ledger, audited and saved to their state file as the console keeps them.
        {
            FleetConfig fleet;
            TargetConfig db;
            db.name = u"db-primary"_qs;
            fleet.targets.append(db);
            AutomationPolicy automation(fleet, &audit, u"alice"_qs);
            QVERIFY(automation.setStateFile(m_dir.filePath(u"automation.json"_qs)));
            automation.setEnabled(true);
            automation.setEnabledFor(u"db-primary"_qs, false);
            for (qint64 cycle = 1; cycle <= 5; ++cycle)
                automation.recordAttempt(u"db-primary"_qs, cycle);
            automation.save();
        }
        Logging::uninstall();
    }

    // A real drill: the demo fleet, its crash on web-2 handled by a runbook bound from a file whose http steps
    // carry a canary token (one redirected to the second origin, one echoing the header, both failing and
    // continuing), an `env` command step, then the restart. The demo fleet's own admin token (read from its
    // runtime directory while it runs) is a canary too: the console sends it to the admin API and the
    // database-status endpoint.
    void drill()
    {
        const QString env = QStandardPaths::findExecutable(u"env"_qs);
        QVERIFY(!env.isEmpty());
        m_origin.redirect("/drill-hook", away(), 307);
        m_origin.route("/drill-echo", { 500, {}, "hook says: %AUTHORIZATION%" });
        QFile runbooks(m_dir.filePath(u"canary-runbooks.yaml"_qs));
        QVERIFY(runbooks.open(QIODevice::WriteOnly));
        runbooks.write("runbooks:\n"
                       "  - name: canary-crash\n"
                       "    on: [down]\n"
                       "    groups: [web]\n"
                       "    handle:\n"
                       "      - name: hook through a redirect\n"
                       "        http: { url: '"
            + m_origin.url(u"/drill-hook"_qs).toEncoded()
            + "', token: { env: FD_CANARY_RUNBOOK }, body: { target: '{target}' } }\n"
              "        on_failure: continue\n"
              "      - name: hook quoting the header\n"
              "        http: { url: '"
            + m_origin.url(u"/drill-echo"_qs).toEncoded()
            + "', token: { env: FD_CANARY_RUNBOOK } }\n"
              "        on_failure: continue\n"
              "      - name: print the environment\n"
              "        command: ['"
            + env.toUtf8()
            + "']\n"
              "        env: { REGION: eu-1 }\n"
              "      - name: restart the server\n"
              "        run: start\n"
              "        verify: { healthy_for: 2 }\n"
              "      - name: back into the pool\n"
              "        haproxy: { set_state: ready }\n"
              "        rollback: { haproxy: { set_state: maint } }\n");
        runbooks.close();

        // The drill logs where its demo fleet lives; the fleet's admin token is read from there while it runs.
        const QString log = Logging::defaultDirectory() + u"/faultdesk.log"_qs;
        QFile::remove(log);
        auto captureFleetToken = [this, log] {
            if (m_tokens.contains(u"demo fleet admin"_qs))
                return;
            QFile f(log);
            if (!f.open(QIODevice::ReadOnly))
                return;
            const QByteArray text = f.readAll();
            const qsizetype at = text.indexOf("demo fleet ready in ");
            if (at < 0)
                return;
            const qsizetype start = at + qsizetype(qstrlen("demo fleet ready in "));
            const QString dir = QString::fromUtf8(text.mid(start, text.indexOf('\n', start) - start)).trimmed();
            QFile token(dir + u"/admin.token"_qs);
            if (token.open(QIODevice::ReadOnly))
                m_tokens.insert(u"demo fleet admin"_qs, token.readAll().trimmed());
        };
        QByteArray out;
        QVERIFY2(runFaultdesk({ u"drill"_qs, u"crash"_qs, u"--auto"_qs, u"--json"_qs, u"--timeout"_qs, u"40"_qs,
                                  u"--db"_qs, m_dir.filePath(u"drill.db"_qs), u"--runbooks"_qs, runbooks.fileName() },
                     200000, &out, captureFleetToken),
            "the drill did not pass within 200 s");
        QVERIFY2(m_tokens.contains(u"demo fleet admin"_qs), "the demo fleet's admin token was read while it ran");
        QVERIFY(m_tokens.value(u"demo fleet admin"_qs).size() >= 16);
        const QJsonObject summary = QJsonDocument::fromJson(out.trimmed()).object();
        QVERIFY2(!summary.isEmpty(), out.constData());
        QVERIFY2(!summary.value(u"located"_qs).toObject().value(u"incident"_qs).toString().isEmpty(), out.constData());
        // The failing hooks ran (the token reached its origin) and the handling went on past them.
        QVERIFY(m_origin.occurrences(m_tokens.value(u"runbook http"_qs)) >= 2);
        QVERIFY2(summary.value(u"recovered"_qs).toBool(), out.constData());
    }

    // Every report format, by the real command: for one incident and for a period, from both databases.
    void reports()
    {
        QVERIFY(!m_incident.isEmpty());
        const QList<std::pair<QString, QStringList>> reports {
            { u"seeded"_qs, { u"--db"_qs, m_dir.filePath(u"incidents.db"_qs), u"--incident"_qs, m_incident } },
            { u"drill"_qs, { u"--db"_qs, m_dir.filePath(u"drill.db"_qs), u"--last"_qs } },
            { u"period"_qs,
                { u"--db"_qs, m_dir.filePath(u"drill.db"_qs), u"--since"_qs, u"24h"_qs, u"--include-drills"_qs } },
        };
        for (const auto& [name, selection] : reports)
            for (const QString& format : { u"md"_qs, u"html"_qs, u"json"_qs, u"pdf"_qs }) {
                const QString file = m_dir.filePath(name + u"-report."_qs + format);
                QVERIFY2(runFaultdesk(QStringList { u"report"_qs } + selection
                                 + QStringList { u"--format"_qs, format, u"-o"_qs, file },
                             90000),
                    qPrintable(file));
                QVERIFY2(QFileInfo(file).size() > 0, qPrintable(file));
            }
        const QString pdftotext = QStandardPaths::findExecutable(u"pdftotext"_qs);
        if (!pdftotext.isEmpty()) {
            for (const QString& name : { u"seeded"_qs, u"drill"_qs, u"period"_qs }) {
                QProcess p;
                p.start(pdftotext,
                    { m_dir.filePath(name + u"-report.pdf"_qs), m_dir.filePath(name + u"-report.pdf.txt"_qs) });
                QVERIFY(p.waitForFinished(60000));
                QCOMPARE(p.exitCode(), 0);
            }
            QFile text(m_dir.filePath(u"seeded-report.pdf.txt"_qs));
            QVERIFY(text.open(QIODevice::ReadOnly));
            QVERIFY2(text.readAll().contains(m_incident.toUtf8()), "the PDF's text is searchable");
        }
    }

    void noTokenWasWrittenOrSentAway()
    {
        QCOMPARE(m_second.requests().size(), 0);
        for (const QByteArray& t : std::as_const(m_tokens))
            QCOMPARE(m_second.occurrences(t), 0);
        QCOMPARE(occurrences(m_seen), 0);
        QCOMPARE(occurrences(m_processOutput), 0);
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
        QStringList expected { u"logs/faultdesk.log"_qs, u"incidents.db"_qs, u"audit.jsonl"_qs, u"automation.json"_qs,
            u"drill.db"_qs };
        for (const QString& name : { u"seeded"_qs, u"drill"_qs, u"period"_qs })
            for (const QString& format : { u"md"_qs, u"html"_qs, u"json"_qs, u"pdf"_qs })
                expected << name + u"-report."_qs + format;
        for (const QString& name : std::as_const(expected))
            QVERIFY2(searched.contains(m_dir.filePath(name)), qPrintable(name));
        // The drill's own log (under this test's HOME), and QSettings' place, are inside the search too.
        QVERIFY(searched.contains(Logging::defaultDirectory() + u"/faultdesk.log"_qs));
        QVERIFY(QSettings().fileName().startsWith(QDir::homePath()));
        // And the tokens did reach the origin they were configured for (the search is not vacuous either).
        QVERIFY(m_origin.occurrences(m_tokens.value(u"prometheus"_qs)) >= 2);
        QVERIFY(m_origin.occurrences(m_tokens.value(u"alertmanager"_qs)) >= 2);
        QVERIFY(m_origin.occurrences(m_tokens.value(u"admin"_qs)) >= 4);
        QVERIFY(m_origin.occurrences(m_tokens.value(u"runbook http"_qs)) >= 3);
    }
};

QTEST_GUILESS_MAIN(TestSecretCanary)
#include "tst_secretcanary.moc"
