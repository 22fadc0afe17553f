#include "audit/jsonlauditsink.h"
#include "util/secretmask.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

class TestJsonlAuditSink : public QObject
{
    Q_OBJECT
private:
    static AuditRecord intent(const QString& id, const QString& target)
    {
        AuditRecord r;
        r.actionId = id;
        r.phase = AuditRecord::Phase::Intent;
        r.timeUtc = QDateTime::currentDateTimeUtc();
        r.operatorName = QStringLiteral("alice");
        r.target = target;
        r.actionKind = QStringLiteral("command");
        r.description = QStringLiteral("faultdesk-fleetsim ctl start %1").arg(target);
        r.baseline.insert(QStringLiteral("weight"), 100);
        return r;
    }

private Q_SLOTS:
    void roundTripsAndFindsUnfinished()
    {
        QTemporaryDir dir;
        JsonlAuditSink sink(dir.filePath(QStringLiteral("audit/audit.jsonl")));
        QVERIFY(sink.append(intent(QStringLiteral("a1"), QStringLiteral("web-1"))));
        AuditRecord result = intent(QStringLiteral("a1"), QStringLiteral("web-1"));
        result.phase = AuditRecord::Phase::Result;
        result.status = QStringLiteral("ok");
        result.exitCode = 0;
        result.durationMs = 412;
        result.outputExcerpt = QStringLiteral("started web-1");
        QVERIFY(sink.append(result));
        QVERIFY(sink.append(intent(QStringLiteral("a2"), QStringLiteral("db-primary"))));

        const QList<AuditRecord> all = sink.records();
        QCOMPARE(all.size(), 3);
        QCOMPARE(all.at(1).status, QStringLiteral("ok"));
        QCOMPARE(all.at(1).exitCode, std::optional<int>(0));
        QCOMPARE(all.at(1).durationMs, 412);
        QCOMPARE(all.at(0).baseline.value(QStringLiteral("weight")).toInt(), 100);

        const QList<AuditRecord> open = sink.unfinished();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.constFirst().target, QStringLiteral("db-primary"));
        QCOMPARE(QFile(sink.path()).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
            QFileDevice::Permissions());
    }

    void tornLastLineIsSkipped()
    {
        QTemporaryDir dir;
        JsonlAuditSink sink(dir.filePath(QStringLiteral("audit.jsonl")));
        QVERIFY(sink.append(intent(QStringLiteral("a1"), QStringLiteral("web-1"))));
        QFile file(sink.path());
        QVERIFY(file.open(QIODevice::Append));
        file.write("{\"action_id\":\"a2\",\"pha");
        file.close();
        QCOMPARE(sink.records().size(), 1);
    }

    // After a crash mid-write, the next record must not be glued onto the torn line (and lost with it).
    void recordAfterTornLineSurvives()
    {
        QTemporaryDir dir;
        JsonlAuditSink sink(dir.filePath(QStringLiteral("audit.jsonl")));
        QVERIFY(sink.append(intent(QStringLiteral("a1"), QStringLiteral("web-1"))));
        QFile file(sink.path());
        QVERIFY(file.open(QIODevice::Append));
        file.write("{\"action_id\":\"a2\",\"pha");
        file.close();
        QVERIFY(sink.append(intent(QStringLiteral("a3"), QStringLiteral("web-2"))));
        const QList<AuditRecord> records = sink.records();
        QCOMPARE(records.size(), 2);
        QCOMPARE(records.at(0).actionId, QStringLiteral("a1"));
        QCOMPARE(records.at(1).actionId, QStringLiteral("a3"));
        QCOMPARE(records.at(1).target, QStringLiteral("web-2"));
    }

    // Whatever filled the record in, a secret FaultDesk knows never reaches the file.
    void knownSecretsAreMasked()
    {
        const QByteArray secret = "audit-canary-" + QByteArray::number(QDateTime::currentMSecsSinceEpoch());
        SecretMask::add(secret);
        QTemporaryDir dir;
        JsonlAuditSink sink(dir.filePath(QStringLiteral("audit.jsonl")));
        AuditRecord r = intent(QStringLiteral("a1"), QStringLiteral("web-1"));
        r.description = QStringLiteral("curl -H 'Authorization: Bearer %1'").arg(QString::fromLatin1(secret));
        r.outputExcerpt = QStringLiteral("TOKEN=%1").arg(QString::fromLatin1(secret));
        QVERIFY(sink.append(r));
        QFile file(sink.path());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray written = file.readAll();
        QVERIFY(!written.contains(secret));
        QVERIFY(written.contains("Bearer ****"));
    }

    void unwritableFileIsReported()
    {
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("file")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        JsonlAuditSink sink(blocker.fileName() + QStringLiteral("/audit.jsonl"));
        QString error;
        QVERIFY(!sink.append(intent(QStringLiteral("a1"), QStringLiteral("web-1")), &error));
        QVERIFY2(error.contains(QStringLiteral("audit.jsonl")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestJsonlAuditSink)
#include "tst_jsonlauditsink.moc"
