// StoreUrl: what `--db` accepts, what it refuses, and that a refused password is never repeated back.
#include "incident/storeurl.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

class TestStoreUrl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QFile ca(m_dir.filePath(QStringLiteral("ca.pem")));
        QVERIFY(ca.open(QIODevice::WriteOnly));
        ca.write("-----BEGIN CERTIFICATE-----\n");
        ca.close();
    }

    void filePathsAreSqlite_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addRow("absolute") << QStringLiteral("/var/lib/faultdesk/incidents.db");
        QTest::addRow("relative") << QStringLiteral("incidents.db");
        QTest::addRow("with a colon but no scheme") << QStringLiteral("./backup:2026.db");
    }
    void filePathsAreSqlite()
    {
        QFETCH(QString, text);
        QString error;
        const auto url = StoreUrl::parse(text, &error);
        QVERIFY2(url, qPrintable(error));
        QCOMPARE(url->engine(), StoreUrl::Engine::Sqlite);
        QCOMPARE(url->path(), text);
        QCOMPARE(url->displayName(), text);
    }

    void postgresUrl()
    {
        QString error;
        const auto url = StoreUrl::parse(
            QStringLiteral("postgresql://alice@db.example.org:6543/faultdesk?sslmode=verify-full&sslrootcert=%1"
                           "&password_env=FD_PW&connect_timeout=5")
                .arg(m_dir.filePath(QStringLiteral("ca.pem"))),
            &error);
        QVERIFY2(url, qPrintable(error));
        QVERIFY(url->isPostgres());
        QCOMPARE(url->host(), QStringLiteral("db.example.org"));
        QCOMPARE(url->port(), 6543);
        QCOMPARE(url->user(), QStringLiteral("alice"));
        QCOMPARE(url->database(), QStringLiteral("faultdesk"));
        QCOMPARE(url->sslMode(), QStringLiteral("verify-full"));
        QCOMPARE(url->passwordEnv(), QStringLiteral("FD_PW"));
        QCOMPARE(url->connectTimeoutS(), 5);
        QCOMPARE(url->displayName(), QStringLiteral("postgresql://alice@db.example.org:6543/faultdesk"));
        const QString options = url->connectOptions();
        QVERIFY(options.contains(QStringLiteral("sslmode=verify-full")));
        QVERIFY(options.contains(QStringLiteral("sslrootcert='%1'").arg(m_dir.filePath(QStringLiteral("ca.pem")))));
        QVERIFY(options.contains(QStringLiteral("connect_timeout=5")));
        // A connection to a server that vanished fails within seconds, so writes go to the journal.
        QVERIFY(options.contains(QStringLiteral("tcp_user_timeout=15000")));
        QVERIFY(options.contains(QStringLiteral("keepalives_idle=10")));
    }

    void defaults()
    {
        const auto local = StoreUrl::parse(QStringLiteral("postgres://127.0.0.1/fd"));
        QVERIFY(local);
        QCOMPARE(local->port(), 5432);
        QCOMPARE(local->sslMode(), QStringLiteral("prefer"));
        QCOMPARE(local->connectTimeoutS(), 10);
        QCOMPARE(local->displayName(), QStringLiteral("postgresql://127.0.0.1:5432/fd"));
        const auto v6 = StoreUrl::parse(QStringLiteral("postgresql://bob@[::1]:5433/fd?sslmode=disable"));
        QVERIFY(v6);
        QCOMPARE(v6->host(), QStringLiteral("::1"));
        QCOMPARE(v6->displayName(), QStringLiteral("postgresql://bob@[::1]:5433/fd"));
        // Off the loopback, the server is verified unless the URL says otherwise.
        const auto remote = StoreUrl::parse(QStringLiteral("postgresql://alice@db.example.org/fd"));
        QVERIFY(remote);
        QCOMPARE(remote->sslMode(), QStringLiteral("verify-full"));
    }

    void refused_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("problem"); ///< what the error must name
        QTest::addRow("empty") << QStringLiteral("  ") << QStringLiteral("no database given");
        QTest::addRow("inline password") << QStringLiteral("postgresql://alice:S3cretPw@127.0.0.1/fd")
                                         << QStringLiteral("password inline");
        QTest::addRow("inline empty password")
            << QStringLiteral("postgresql://alice:@127.0.0.1/fd") << QStringLiteral("password inline");
        QTest::addRow("inline password, unparseable rest")
            << QStringLiteral("postgresql://alice:S3cretPw@127.0.0.1:99999999/fd") << QStringLiteral("password inline");
        QTest::addRow("password parameter")
            << QStringLiteral("postgresql://alice@127.0.0.1/fd?password=S3cretPw") << QStringLiteral("password=");
        QTest::addRow("password with a slash")
            << QStringLiteral("postgresql://alice:S3c/retPw@127.0.0.1/fd") << QStringLiteral("malformed");
        QTest::addRow("other scheme") << QStringLiteral("mysql://127.0.0.1/fd") << QStringLiteral("'mysql://'");
        QTest::addRow("file scheme") << QStringLiteral("file:///tmp/x.db") << QStringLiteral("unsupported");
        QTest::addRow("no host") << QStringLiteral("postgresql:///fd") << QStringLiteral("no host");
        QTest::addRow("no database") << QStringLiteral("postgresql://127.0.0.1") << QStringLiteral("no database");
        QTest::addRow("empty database") << QStringLiteral("postgresql://127.0.0.1/") << QStringLiteral("no database");
        QTest::addRow("nested path") << QStringLiteral("postgresql://127.0.0.1/a/b") << QStringLiteral("'/'");
        QTest::addRow("port zero") << QStringLiteral("postgresql://127.0.0.1:0/fd") << QStringLiteral("port");
        QTest::addRow("port too large") << QStringLiteral("postgresql://127.0.0.1:70000/fd")
                                        << QStringLiteral("malformed");
        QTest::addRow("port not a number")
            << QStringLiteral("postgresql://127.0.0.1:abc/fd") << QStringLiteral("malformed");
        QTest::addRow("unknown parameter") << QStringLiteral("postgresql://127.0.0.1/fd?options=-c%20x")
                                           << QStringLiteral("unknown database URL parameter 'options'");
        QTest::addRow("unknown odd parameter")
            << QStringLiteral("postgresql://127.0.0.1/fd?Hunter2!") << QStringLiteral("(not shown)");
        QTest::addRow("duplicate parameter")
            << QStringLiteral("postgresql://127.0.0.1/fd?sslmode=disable&sslmode=require") << QStringLiteral("twice");
        QTest::addRow("bad sslmode") << QStringLiteral("postgresql://127.0.0.1/fd?sslmode=yes")
                                     << QStringLiteral("sslmode must be one of");
        QTest::addRow("unverified remote")
            << QStringLiteral("postgresql://db.example.org/fd?sslmode=require") << QStringLiteral("does not verify");
        QTest::addRow("missing CA") << QStringLiteral("postgresql://127.0.0.1/fd?sslrootcert=/nonexistent/ca.pem")
                                    << QStringLiteral("sslrootcert: no readable file at /nonexistent/ca.pem");
        QTest::addRow("option injection")
            << QStringLiteral("postgresql://127.0.0.1/fd?sslmode=disable%3Bhost=evil") << QStringLiteral("';'");
        QTest::addRow("control character")
            << QStringLiteral("postgresql://127.0.0.1/f%0Ad") << QStringLiteral("printable");
        QTest::addRow("raw newline") << QStringLiteral("postgresql://127.0.0.1/fd\nx")
                                     << QStringLiteral("control character");
        QTest::addRow("bad env name") << QStringLiteral("postgresql://127.0.0.1/fd?password_env=A-B")
                                      << QStringLiteral("password_env");
        QTest::addRow("two password references")
            << QStringLiteral("postgresql://127.0.0.1/fd?password_env=A&password_file=/tmp/p")
            << QStringLiteral("one reference");
        QTest::addRow("empty value") << QStringLiteral("postgresql://127.0.0.1/fd?sslmode=")
                                     << QStringLiteral("no value");
        QTest::addRow("timeout out of range")
            << QStringLiteral("postgresql://127.0.0.1/fd?connect_timeout=0") << QStringLiteral("connect_timeout");
        QTest::addRow("fragment") << QStringLiteral("postgresql://127.0.0.1/fd#x") << QStringLiteral("fragment");
        QTest::addRow("long database name")
            << QStringLiteral("postgresql://127.0.0.1/") + QString(64, u'd') << QStringLiteral("1–63 bytes");
    }
    void refused()
    {
        QFETCH(QString, text);
        QFETCH(QString, problem);
        QString error;
        QVERIFY(!StoreUrl::parse(text, &error));
        QVERIFY2(error.contains(problem), qPrintable(error));
        // Whatever the problem, a secret typed into the URL is never repeated.
        QVERIFY2(!error.contains(u"S3cretPw") && !error.contains(u"S3c/retPw") && !error.contains(u"Hunter2"),
            qPrintable(error));
    }

    void passwordByReference()
    {
        const auto env = StoreUrl::parse(QStringLiteral("postgresql://127.0.0.1/fd?password_env=FD_TEST_PW"));
        QVERIFY(env);
        QString error;
        qunsetenv("FD_TEST_PW");
        QVERIFY(!env->password(&error));
        QVERIFY2(error.contains(u"FD_TEST_PW is not set"), qPrintable(error));
        qputenv("FD_TEST_PW", "from-the-env");
        QCOMPARE(env->password().value_or(QString()), QStringLiteral("from-the-env"));
        qunsetenv("FD_TEST_PW");

        const QString path = m_dir.filePath(QStringLiteral("pw"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("from-the-file\nsecond line ignored\n");
        f.close();
        const auto file = StoreUrl::parse(QStringLiteral("postgresql://127.0.0.1/fd?password_file=%1").arg(path));
        QVERIFY(file);
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
        QVERIFY(!file->password(&error));
        QVERIFY2(error.contains(u"readable by other users"), qPrintable(error));
        QVERIFY(!error.contains(u"from-the-file"));
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        QCOMPARE(file->password(&error).value_or(QString()), QStringLiteral("from-the-file"));

        // Neither: libpq's own .pgpass / PGPASSFILE applies.
        const auto none = StoreUrl::parse(QStringLiteral("postgresql://127.0.0.1/fd"));
        QVERIFY(none);
        QCOMPARE(none->password().value_or(QStringLiteral("?")), QString());
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestStoreUrl)
#include "tst_storeurl.moc"
