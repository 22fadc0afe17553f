#include "util/logging.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

class TestLogging : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cleanup() { Logging::uninstall(); }

    void writesCategoryAndLevel()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(Logging::install({ dir.path(), false }));
        QCOMPARE(Logging::currentFile(), dir.filePath(QStringLiteral("faultdesk.log")));

        qCInfo(lcProbe) << "target web-1 refused";
        qCWarning(lcRemedy) << "restart of api-2 failed";
        Logging::uninstall();

        QFile file(dir.filePath(QStringLiteral("faultdesk.log")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QVERIFY(lines.size() >= 2);
        QVERIFY2(lines.at(0).contains(" info faultdesk.probe: target web-1 refused"), lines.at(0).constData());
        QVERIFY2(lines.at(1).contains(" warning faultdesk.remedy: restart of api-2 failed"), lines.at(1).constData());
        // Each line starts with a UTC ISO timestamp.
        QVERIFY(QDateTime::fromString(QString::fromLatin1(lines.at(0).left(24)), Qt::ISODateWithMs).isValid());
    }

    void rotatesBySize()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Logging::Options options { dir.path(), false, 2048, 2 };
        QVERIFY(Logging::install(options));
        const QString payload(200, u'x');
        for (int i = 0; i < 100; ++i)
            qCInfo(lcStore) << i << payload;
        Logging::uninstall();

        const QDir d(dir.path());
        QVERIFY(d.exists(QStringLiteral("faultdesk.log")));
        QVERIFY(d.exists(QStringLiteral("faultdesk.log.1")));
        QVERIFY(d.exists(QStringLiteral("faultdesk.log.2")));
        QVERIFY2(!d.exists(QStringLiteral("faultdesk.log.3")), "keeps only the configured number of rotated files");
        for (const QString& name : d.entryList(QDir::Files))
            QVERIFY2(QFileInfo(d.filePath(name)).size() < 2048 + 512, qPrintable(name));
        // The newest line is in the current file.
        QFile current(d.filePath(QStringLiteral("faultdesk.log")));
        QVERIFY(current.open(QIODevice::ReadOnly));
        QVERIFY(current.readAll().contains("faultdesk.store: 99 "));
    }

    void unusableDirectoryFallsBackToTerminal()
    {
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("not-a-dir")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        QVERIFY(!Logging::install({ blocker.fileName() + QStringLiteral("/logs"), false }));
        QVERIFY(Logging::currentFile().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
