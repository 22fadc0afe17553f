// SecretRef: the secret is read only on resolve(), and never appears in printed or debug output.

#include "config/secretref.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

class TestSecretRef : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void resolvesFromEnvironment()
    {
        qputenv("FAULTDESK_TEST_TOKEN", "env-s3cret");
        const SecretRef ref(SecretRef::Kind::Env, QStringLiteral("FAULTDESK_TEST_TOKEN"));
        QString error;
        QCOMPARE(ref.resolve(&error).value_or(QByteArray()), QByteArray("env-s3cret"));
        QVERIFY(error.isEmpty());
        qunsetenv("FAULTDESK_TEST_TOKEN");
        QVERIFY(!ref.resolve(&error));
        QVERIFY(error.contains(u"env:FAULTDESK_TEST_TOKEN"));
    }

    void resolvesFromFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("token"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("file-s3cret\n");
        f.close();
        const SecretRef ref(SecretRef::Kind::File, path);
        QCOMPARE(ref.resolve().value_or(QByteArray()), QByteArray("file-s3cret"));

        QVERIFY(QFile::remove(path));
        QString error;
        QVERIFY(!ref.resolve(&error));
        QVERIFY(error.startsWith(u"file:" + path));
    }

    void emptySecretIsAnError_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addRow("empty file") << QByteArray();
        QTest::addRow("only a newline") << QByteArray("\n");
    }
    void emptySecretIsAnError()
    {
        QFETCH(QByteArray, content);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("token"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        QString error;
        QVERIFY(!SecretRef(SecretRef::Kind::File, path).resolve(&error));
        QVERIFY(error.contains(u"empty"));
    }

    void printingNeverShowsTheValue()
    {
        qputenv("FAULTDESK_TEST_TOKEN", "never-print-me");
        const SecretRef env(SecretRef::Kind::Env, QStringLiteral("FAULTDESK_TEST_TOKEN"));
        QVERIFY(env.resolve()); // resolving must not leave the value in the object either
        QCOMPARE(env.toString(), QStringLiteral("env:FAULTDESK_TEST_TOKEN"));
        QString debugText;
        QDebug(&debugText) << env;
        QVERIFY(debugText.contains(u"env:FAULTDESK_TEST_TOKEN"));
        QVERIFY(!debugText.contains(u"never-print-me"));
        QCOMPARE(SecretRef(SecretRef::Kind::File, QStringLiteral("/run/x.token")).toString(),
            QStringLiteral("file:/run/x.token"));
        qunsetenv("FAULTDESK_TEST_TOKEN");
    }
};

QTEST_GUILESS_MAIN(TestSecretRef)
#include "tst_secretref.moc"
