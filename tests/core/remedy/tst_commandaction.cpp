#include "remedytest.h"

#include "remedy/commandaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <csignal>

using namespace FaultDesk;
using namespace FaultDesk::RemedyTest;

class TestCommandAction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void payloadsArriveLiterally_data();
    void payloadsArriveLiterally();
    void refusedValues_data();
    void refusedValues();
    void auditIntentAndResult();
    void auditFailurePreventsRun();
    void exitCodeFails();
    void outputBounded();
    void deadlineKillsGrandchild();
    void abortKillsProcess();
    void secretEnvironmentMasked();
    void childEnvironmentIsMinimal();
    void missingProgram();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<JsonlAuditSink> m_sink;
};

// The peer with @p env: its mode travels in the step's environment, as nothing else of ours reaches a child.
static CommandSpec peer(const QHash<QString, QString>& env)
{
    CommandSpec spec = CommandSpec::of({ QStringLiteral(REMEDY_PEER) });
    spec.environment = env;
    return spec;
}

void TestCommandAction::init()
{
    qunsetenv("REMEDY_PEER_MODE");
    qunsetenv("REMEDY_PEER_EXIT");
    m_dir = std::make_unique<QTemporaryDir>();
    m_sink = std::make_unique<JsonlAuditSink>(m_dir->filePath(u"audit.jsonl"_qs));
}

void TestCommandAction::payloadsArriveLiterally_data()
{
    QTest::addColumn<QString>("value");
    QTest::addRow("semicolon") << u"web-1; touch /tmp/pwned"_qs;
    QTest::addRow("pipe") << u"web-1 | cat /etc/passwd"_qs;
    QTest::addRow("command substitution") << u"$(touch /tmp/pwned)"_qs;
    QTest::addRow("backticks") << u"`id`"_qs;
    QTest::addRow("backslash and quotes") << u"a\\b'c\"d"_qs;
    QTest::addRow("glob and redirect") << u"* > /tmp/x"_qs;
    QTest::addRow("spaces stay one argument") << u"a b  c"_qs;
    QTest::addRow("unicode") << u"wéb-①"_qs;
}

void TestCommandAction::payloadsArriveLiterally()
{
    QFETCH(QString, value);
    ActionContext ctx = context(m_sink.get());
    ctx.fields.set(u"target"_qs, value);
    CommandAction action(
        CommandSpec::of({ QStringLiteral(REMEDY_PEER), u"--name"_qs, u"{target}"_qs, u"x={target}"_qs }), ctx);
    const ActionResult r = run(action);
    QVERIFY2(r.ok(), qPrintable(r.summary() + u'\n' + r.output));
    const QJsonArray argv = QJsonDocument::fromJson(r.output.toUtf8()).object().value(u"argv"_qs).toArray();
    QCOMPARE(argv.size(), 4);
    QCOMPARE(argv.at(1).toString(), u"--name"_qs);
    QCOMPARE(argv.at(2).toString(), value);
    QCOMPARE(argv.at(3).toString(), u"x=" + value);
    QVERIFY(!QFile::exists(u"/tmp/pwned"_qs));
}

void TestCommandAction::refusedValues_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("reason");
    QTest::addRow("leading dash") << u"-rf"_qs << u"starts with '-'"_qs;
    QTest::addRow("long option") << u"--exec=/bin/sh"_qs << u"starts with '-'"_qs;
    QTest::addRow("newline") << u"web-1\nrm -rf /"_qs << u"control character"_qs;
    QTest::addRow("nul") << QString(u"web\u0000x"_qs) << u"control character"_qs;
    QTest::addRow("escape") << u"web\x1b[2J"_qs << u"control character"_qs;
}

void TestCommandAction::refusedValues()
{
    QFETCH(QString, value);
    QFETCH(QString, reason);
    ActionContext ctx = context(m_sink.get());
    ctx.fields.set(u"target"_qs, value);
    CommandAction action(CommandSpec::of({ QStringLiteral(REMEDY_PEER), u"{target}"_qs }), ctx);
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Refused);
    QVERIFY2(r.error.contains(reason), qPrintable(r.error));
    QVERIFY2(r.output.isEmpty(), "the program must not have run");
    // The refusal is on record, as intent and result.
    const auto records = m_sink->records();
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.last().status, u"refused"_qs);
}

void TestCommandAction::auditIntentAndResult()
{
    ActionContext ctx = context(m_sink.get());
    ctx.baseline
        = QJsonObject { { u"web/web-1"_qs, QJsonObject { { u"weight"_qs, 10 }, { u"state"_qs, u"ready"_qs } } } };
    CommandAction action(CommandSpec::of({ QStringLiteral(REMEDY_PEER), u"restart"_qs, u"{target}"_qs }), ctx);
    const ActionResult r = run(action);
    QVERIFY(r.ok());
    const auto records = m_sink->records();
    QCOMPARE(records.size(), 2);
    const AuditRecord& intent = records.at(0);
    const AuditRecord& result = records.at(1);
    QCOMPARE(intent.phase, AuditRecord::Phase::Intent);
    QCOMPARE(result.phase, AuditRecord::Phase::Result);
    QCOMPARE(intent.actionId, result.actionId);
    QCOMPARE(intent.operatorName, u"alice"_qs);
    QCOMPARE(intent.target, u"web-1"_qs);
    QCOMPARE(intent.actionKind, u"command"_qs);
    QVERIFY2(intent.description.endsWith(u"restart web-1"_qs), qPrintable(intent.description));
    QCOMPARE(intent.timeUtc.timeSpec(), Qt::UTC);
    QCOMPARE(intent.baseline, ctx.baseline); // Recover after a crash starts from the recorded baseline
    QVERIFY(intent.timeUtc <= result.timeUtc);
    QCOMPARE(result.status, u"ok"_qs);
    QCOMPARE(result.exitCode, std::optional<int>(0));
    QVERIFY(result.durationMs >= 0);
    QVERIFY2(result.outputExcerpt.contains(u"restart"_qs), qPrintable(result.outputExcerpt));
    QVERIFY(m_sink->unfinished().isEmpty());
}

void TestCommandAction::auditFailurePreventsRun()
{
    const QString marker = m_dir->filePath(u"ran"_qs);
    JsonlAuditSink broken(u"/dev/null/cannot/audit.jsonl"_qs);
    CommandAction action(CommandSpec::of({ u"touch"_qs, marker }), context(&broken));
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Refused);
    QVERIFY2(r.error.contains(u"intent could not be recorded"_qs), qPrintable(r.error));
    QVERIFY(!QFile::exists(marker));
}

void TestCommandAction::exitCodeFails()
{
    CommandAction action(peer({ { u"REMEDY_PEER_EXIT"_qs, u"3"_qs } }), context(m_sink.get()));
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Failed);
    QCOMPARE(r.exitCode, std::optional<int>(3));
    QVERIFY(r.error.contains(u"exit code 3"_qs));
    QCOMPARE(m_sink->records().last().exitCode, std::optional<int>(3));
}

void TestCommandAction::outputBounded()
{
    ActionContext ctx = context(m_sink.get());
    ctx.outputLimit = 64 * 1024;
    CommandAction action(peer({ { u"REMEDY_PEER_MODE"_qs, u"flood"_qs } }), ctx);
    const ActionResult r = run(action);
    QVERIFY(r.ok());
    QVERIFY2(r.output.size() < 66 * 1024, qPrintable(QString::number(r.output.size())));
    QVERIFY(r.output.contains(u"more bytes of output dropped"_qs));
    QVERIFY(m_sink->records().last().outputExcerpt.size() <= ctx.auditExcerptLimit + 1);
}

static bool processAlive(pid_t pid)
{
    // A zombie still answers kill(0); the grandchild is reparented to init, which reaps it.
    if (::kill(pid, 0) != 0)
        return false;
    QFile stat(u"/proc/%1/stat"_qs.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray s = stat.readAll();
    const qsizetype close = s.lastIndexOf(')');
    return close > 0 && s.size() > close + 2 && s.at(close + 2) != 'Z';
}

void TestCommandAction::deadlineKillsGrandchild()
{
    const QString pidFile = m_dir->filePath(u"grandchild.pid"_qs);
    CommandAction action(peer({ { u"REMEDY_PEER_MODE"_qs, u"hang"_qs }, { u"REMEDY_PEER_PIDFILE"_qs, pidFile } }),
        context(m_sink.get(), u"web-1"_qs, 1500));
    QElapsedTimer clock;
    clock.start();
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Timeout);
    QVERIFY(clock.elapsed() < 10000);
    QVERIFY2(r.output.contains(u"started grandchild"_qs), qPrintable(r.output));
    QFile f(pidFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const pid_t grandchild = pid_t(f.readAll().toLongLong());
    QVERIFY(grandchild > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!processAlive(grandchild), 10000);
    QCOMPARE(m_sink->records().last().status, u"timeout"_qs);
}

void TestCommandAction::abortKillsProcess()
{
    const QString pidFile = m_dir->filePath(u"grandchild.pid"_qs);
    CommandAction action(peer({ { u"REMEDY_PEER_MODE"_qs, u"hang"_qs }, { u"REMEDY_PEER_PIDFILE"_qs, pidFile } }),
        context(m_sink.get(), u"web-1"_qs, 60000));
    QSignalSpy finished(&action, &Action::finished);
    action.start();
    QTRY_VERIFY_WITH_TIMEOUT(QFile(pidFile).size() > 0, 10000);
    action.abort();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(action.result().status, ActionResult::Status::Aborted);
    QFile f(pidFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const pid_t grandchild = pid_t(f.readAll().toLongLong());
    QTRY_VERIFY_WITH_TIMEOUT(!processAlive(grandchild), 10000);
    QCOMPARE(m_sink->records().last().status, u"aborted"_qs);
}

void TestCommandAction::secretEnvironmentMasked()
{
    const QByteArray secret = "s3cr3t-" + QByteArray::number(QRandomGenerator::global()->generate());
    qputenv("FD_TEST_SECRET", secret);
    CommandSpec spec = CommandSpec::of({ QStringLiteral(REMEDY_PEER) });
    spec.secretEnvironment.insert(u"REMEDY_SECRET"_qs, SecretRef::env(u"FD_TEST_SECRET"_qs));
    CommandAction action(spec, context(m_sink.get()));
    const ActionResult r = run(action);
    QVERIFY(r.ok());
    // The child got it (it echoes its environment), but the captured output shows it masked.
    QVERIFY2(r.output.contains(u"\"REMEDY_SECRET\":\"****\""_qs), qPrintable(r.output));
    QVERIFY(!r.output.contains(QString::fromLatin1(secret)));
    QVERIFY(!auditText(*m_sink).contains(secret));
    qunsetenv("FD_TEST_SECRET");
}

// A real child (env(1)) prints its whole environment: PATH, HOME, LANG, LC_* and what the target and step list
// under env: reach it; FaultDesk's tokens (any variable of ours) do not, and a configured secret it prints anyway
// is masked in the output and the audit.
void TestCommandAction::childEnvironmentIsMinimal()
{
    const QByteArray token = "tok-" + QByteArray::number(QRandomGenerator::global()->generate64(), 36);
    qputenv("FD_TEST_ADMIN_TOKEN", token);
    qputenv("FD_TEST_UNRELATED", "leaks-if-inherited");
    qputenv("LC_TIME", "C.UTF-8");
    SecretRef::env(u"FD_TEST_ADMIN_TOKEN"_qs).resolve(); // as loading a configuration that names it does
    const QString envProgram = QStandardPaths::findExecutable(u"env"_qs);
    QVERIFY(!envProgram.isEmpty());
    CommandSpec spec = CommandSpec::of({ envProgram });
    spec.environment = CommandSpec::environmentOf({ { u"REGION"_qs, u"eu-1"_qs }, { u"MODE"_qs, u"target"_qs } },
        { { u"MODE"_qs, u"step"_qs }, { u"ECHOED"_qs, QString::fromLatin1(token) } });
    CommandAction action(spec, context(m_sink.get()));
    const ActionResult r = run(action);
    QVERIFY2(r.ok(), qPrintable(r.summary()));
    QStringList names;
    QHash<QString, QString> seen;
    for (const QString& line : r.output.split(u'\n', Qt::SkipEmptyParts)) {
        const qsizetype eq = line.indexOf(u'=');
        names.append(line.left(eq));
        seen.insert(line.left(eq), line.mid(eq + 1));
    }
    names.sort();
    QStringList expected { u"ECHOED"_qs, u"MODE"_qs, u"PATH"_qs, u"REGION"_qs };
    for (const QString& name : QProcessEnvironment::systemEnvironment().keys())
        if (name == u"HOME" || name == u"LANG" || name.startsWith(u"LC_"))
            expected.append(name);
    expected.sort();
    QCOMPARE(names, expected);
    QCOMPARE(seen.value(u"MODE"_qs), u"step"_qs);
    QCOMPARE(seen.value(u"REGION"_qs), u"eu-1"_qs);
    QCOMPARE(seen.value(u"LC_TIME"_qs), u"C.UTF-8"_qs);
    QCOMPARE(seen.value(u"PATH"_qs), qEnvironmentVariable("PATH"));
    QCOMPARE(seen.value(u"ECHOED"_qs), u"****"_qs);
    QVERIFY(!r.output.contains(u"leaks-if-inherited"_qs));
    QVERIFY(!r.output.contains(QString::fromLatin1(token)));
    QVERIFY(!auditText(*m_sink).contains(token));
    qunsetenv("FD_TEST_ADMIN_TOKEN");
    qunsetenv("FD_TEST_UNRELATED");
}

void TestCommandAction::missingProgram()
{
    CommandAction action(CommandSpec::of({ u"/nonexistent/restart-web"_qs }), context(m_sink.get()));
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Refused);
    QVERIFY2(r.error.contains(u"not found"_qs), qPrintable(r.error));
}

QTEST_GUILESS_MAIN(TestCommandAction)
#include "tst_commandaction.moc"
