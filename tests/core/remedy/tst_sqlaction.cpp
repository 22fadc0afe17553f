// The sql runbook step against a real PostgreSQL started here (initdb -k, loopback): values bound, never spliced;
// the result and the server's errors in the outcome and the audit, the password nowhere; a hanging statement ended
// at its deadline without blocking the event loop.

#include "remedy/sqlaction.h"
#include "remedytest.h"
#include "shared/postgresharness.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

using namespace FaultDesk;
using FaultDesk::Test::PostgresHarness;

namespace {

const QString Role = QStringLiteral("fdrunbook");
const QString Password = QStringLiteral("pg-step-s3cret");
const char* PasswordVariable = "FD_TEST_SQL_PASSWORD";

} // namespace

class TestSqlAction : public QObject
{
    Q_OBJECT

private:
    PostgresHarness m_pg;
    QTemporaryDir m_dir;

    PostgresDsn dsn(const char* variable = PasswordVariable) const
    {
        QString error;
        auto d = PostgresDsn::parse(m_pg.dsn(Role, QStringLiteral("bank")), &error);
        Q_ASSERT(d);
        d->password = SecretRef::env(QString::fromLatin1(variable));
        return *d;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_pg.initAndStart(&error), qPrintable(error));
        QVERIFY(m_pg.createRole(Role, Password));
        QVERIFY(m_pg.createDatabase(QStringLiteral("bank"), Role));
        qputenv(PasswordVariable, Password.toUtf8());
        qputenv("FD_TEST_SQL_WRONG", "not-the-password");
        bool ok = false;
        m_pg.psql(
            QStringLiteral("CREATE TABLE ops_log (target text, note text); ALTER TABLE ops_log OWNER TO %1").arg(Role),
            QStringLiteral("bank"), &ok);
        QVERIFY(ok);
    }

    void boundParametersAreDataNeverSql()
    {
        JsonlAuditSink audit(m_dir.filePath(QStringLiteral("bound.jsonl")));
        ActionContext c = RemedyTest::context(&audit, QStringLiteral("db-1"));
        // A value that would end the statement and drop the table if it were spliced into the text.
        const QString hostile = QStringLiteral("x'); DROP TABLE ops_log; --");
        c.fields.set(QStringLiteral("target"), hostile);
        c.fields.set(QStringLiteral("cause"), QStringLiteral("data-integrity"));
        SqlAction insert(
            SqlSpec::of(dsn(), QStringLiteral("INSERT INTO ops_log VALUES ($1, $2) RETURNING target, note"),
                { QStringLiteral("{target}"), QStringLiteral("cause {cause}") }),
            c);
        const ActionResult r = RemedyTest::run(insert);
        QVERIFY2(r.ok(), qPrintable(r.summary() + u' ' + r.error));
        QCOMPARE(r.kind, QStringLiteral("sql"));
        QCOMPARE(r.output, hostile + QStringLiteral(" | cause data-integrity\n"));
        QVERIFY2(r.description.contains(QStringLiteral("(bound: $1 = '%1', $2 = 'cause data-integrity')").arg(hostile)),
            qPrintable(r.description));
        QCOMPARE(m_pg.psql(QStringLiteral("SELECT count(*) FROM ops_log WHERE target = 'x''); DROP TABLE ops_log; --'"),
                     QStringLiteral("bank")),
            QStringLiteral("1"));

        const QByteArray text = RemedyTest::auditText(audit);
        QVERIFY(text.contains("INSERT INTO ops_log"));
        QVERIFY(text.contains("cause data-integrity")); // the result excerpt
        QVERIFY(!text.contains(Password.toUtf8()));
    }

    void aTemplateFieldInTheStatementIsRefused()
    {
        JsonlAuditSink audit(m_dir.filePath(QStringLiteral("refused.jsonl")));
        SqlAction a(SqlSpec::of(dsn(), QStringLiteral("DELETE FROM ops_log WHERE target = '{target}'")),
            RemedyTest::context(&audit, QStringLiteral("db-1")));
        const ActionResult r = RemedyTest::run(a);
        QCOMPARE(r.status, ActionResult::Status::Refused);
        QVERIFY2(r.error.contains(QStringLiteral("template field {target} in the SQL text")), qPrintable(r.error));
        QVERIFY(!r.ran);
    }

    void serverErrorsAreInTheOutcome_data()
    {
        QTest::addColumn<QString>("statement");
        QTest::addColumn<QByteArray>("passwordVariable");
        QTest::addColumn<QString>("error");
        QTest::addRow("SQL error with its SQLSTATE")
            << QStringLiteral("SELECT * FROM no_such_table") << QByteArray(PasswordVariable)
            << QStringLiteral("relation \"no_such_table\" does not exist");
        QTest::addRow("wrong password is a configuration error")
            << QStringLiteral("SELECT 1") << QByteArray("FD_TEST_SQL_WRONG") << QStringLiteral("configuration: ");
        QTest::addRow("the server's SQLSTATE leads the error")
            << QStringLiteral("SELECT 1 / 0") << QByteArray(PasswordVariable)
            << QStringLiteral("SQLSTATE 22012: query: ERROR:  division by zero");
    }

    void serverErrorsAreInTheOutcome()
    {
        QFETCH(QString, statement);
        QFETCH(QByteArray, passwordVariable);
        QFETCH(QString, error);
        JsonlAuditSink audit(m_dir.filePath(QStringLiteral("errors.jsonl")));
        SqlAction a(SqlSpec::of(dsn(passwordVariable.constData()), statement),
            RemedyTest::context(&audit, QStringLiteral("db-1")));
        const ActionResult r = RemedyTest::run(a);
        QCOMPARE(r.status, ActionResult::Status::Failed);
        QVERIFY2(r.error.contains(error), qPrintable(r.error));
        QVERIFY(RemedyTest::auditText(audit).contains(error.toUtf8().replace('"', "\\\"")));
        QVERIFY(!RemedyTest::auditText(audit).contains(Password.toUtf8()));
        QVERIFY(!RemedyTest::auditText(audit).contains("not-the-password"));
    }

    void aHangingStatementEndsAtItsDeadline()
    {
        JsonlAuditSink audit(m_dir.filePath(QStringLiteral("hang.jsonl")));
        SqlAction a(SqlSpec::of(dsn(), QStringLiteral("SELECT pg_sleep(60)")),
            RemedyTest::context(&audit, QStringLiteral("db-1"), 2500));
        // The event loop keeps turning while the statement hangs.
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
        ticker.start(50);
        QElapsedTimer t;
        t.start();
        const ActionResult r = RemedyTest::run(a, 20000);
        QCOMPARE(r.status, ActionResult::Status::Timeout);
        QVERIFY2(t.elapsed() < 8000, qPrintable(QString::number(t.elapsed())));
        QVERIFY2(ticks >= 20, qPrintable(QString::number(ticks)));
        // The server ends the statement too (statement_timeout), so nothing is left running there.
        QTRY_COMPARE_WITH_TIMEOUT(
            m_pg.psql(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'")),
            QStringLiteral("0"), 10000);
    }

    void statementsRunInOrderOnOneSession()
    {
        JsonlAuditSink audit(m_dir.filePath(QStringLiteral("many.jsonl")));
        SqlSpec spec { dsn(),
            { { QStringLiteral("SET application_name = 'faultdesk-step-two'"), {} },
                { QStringLiteral("SELECT current_setting('application_name')"), {} } } };
        SqlAction a(spec, RemedyTest::context(&audit, QStringLiteral("db-1")));
        const ActionResult r = RemedyTest::run(a);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.output, QStringLiteral("faultdesk-step-two\n"));
        QCOMPARE(r.data.value(QStringLiteral("value")).toString(), QStringLiteral("faultdesk-step-two"));
    }

    void cleanupTestCase() { m_pg.stop(); }
};

QTEST_GUILESS_MAIN(TestSqlAction)
#include "tst_sqlaction.moc"
