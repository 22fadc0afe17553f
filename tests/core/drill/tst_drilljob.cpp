// A headless drill from start to end, as `faultdesk drill` runs it: the summary it prints, a runbooks file that is bad
// input, and a crash drill on the real demo fleet that reports its progress and one summary saying where it ran.
#include "drill/drilljob.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace FaultDesk;

class TestDrillJob : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void summaryTellsWhereTheFleetRan();
    void invalidRunbooksAreBadInput();
    void crashDrillPasses();

private:
    static DrillJob::Settings settings(const QString& kind);
};

DrillJob::Settings TestDrillJob::settings(const QString& kind)
{
    DrillJob::Settings s;
    s.session.fleetArguments = { QStringLiteral("--check-inter"), QStringLiteral("300ms") };
    s.session.record = false;
    s.phaseTimeout = std::chrono::milliseconds(40000);
    s.faults = { DrillFault { kind, {}, {} } };
    s.drill.mode = DrillRunner::Mode::Auto;
    return s;
}

void TestDrillJob::summaryTellsWhereTheFleetRan()
{
    DrillOutcome outcome;
    DrillOutcome::PerFault fault;
    fault.injected = DrillFault { QStringLiteral("crash"), QStringLiteral("web-2"), {} };
    outcome.faults = { fault };
    outcome.failure = QStringLiteral("nothing was located within 40 s");

    const QJsonObject summary = DrillJob::summary(outcome, QStringLiteral("/run/demo-1"));
    QCOMPARE(summary.value(QStringLiteral("runtime_dir")).toString(), QStringLiteral("/run/demo-1"));
    QCOMPARE(summary.value(QStringLiteral("drill")).toString(), QStringLiteral("crash"));
    QCOMPARE(summary.value(QStringLiteral("failure")).toString(), outcome.failure);
    QCOMPARE(summary.value(QStringLiteral("passed")).toBool(), false);
    // Everything the outcome says is kept as it is.
    QJsonObject rest = summary;
    rest.remove(QStringLiteral("runtime_dir"));
    QCOMPARE(rest, outcome.toJson());
}

void TestDrillJob::invalidRunbooksAreBadInput()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("runbooks.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("runbooks:\n  - name: web-restart\n    on: [meteor]\n    handle:\n      - run: start\n");
    file.close();

    DrillJob::Settings s = settings(QStringLiteral("crash"));
    s.session.runbooksFile = path;
    DrillJob job(s);
    QSignalSpy finished(&job, &DrillJob::finished);
    QString error;
    QCOMPARE(job.run(&error), DrillJob::Result::BadInput);
    // The operator is told where the file is wrong, and no drill ran.
    QVERIFY2(error.contains(path + u":3:"), qPrintable(error));
    QCOMPARE(finished.size(), 0);
}

void TestDrillJob::crashDrillPasses()
{
    DrillJob job(settings(QStringLiteral("crash")));
    QSignalSpy progress(&job, &DrillJob::progress);
    QSignalSpy finished(&job, &DrillJob::finished);
    QString error;
    const DrillJob::Result result = job.run(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(finished.size(), 1);
    const QJsonObject summary = finished.constFirst().constFirst().toJsonObject();
    QVERIFY2(result == DrillJob::Result::Passed, qPrintable(summary.value(QStringLiteral("failure")).toString()));
    QVERIFY(summary.value(QStringLiteral("passed")).toBool());
    QCOMPARE(summary.value(QStringLiteral("drill")).toString(), QStringLiteral("crash"));
    QVERIFY(!summary.value(QStringLiteral("runtime_dir")).toString().isEmpty());
    QVERIFY(progress.size() > 3); // baseline, injection, location, Handle, Recover: the operator sees it happen
}

QTEST_GUILESS_MAIN(TestDrillJob)
#include "tst_drilljob.moc"
