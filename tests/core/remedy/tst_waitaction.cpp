#include "remedytest.h"

#include "remedy/waitaction.h"

#include <QTemporaryDir>

using namespace FaultDesk;
using namespace FaultDesk::RemedyTest;

class TestWaitAction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void consecutive_data();
    void consecutive();
    void deadlineKeepsLastReason();
    void abortStopsPolling();
    void noConditionRefused();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<JsonlAuditSink> m_sink;
};

void TestWaitAction::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_sink = std::make_unique<JsonlAuditSink>(m_dir->filePath(u"audit.jsonl"_qs));
}

void TestWaitAction::consecutive_data()
{
    QTest::addColumn<QString>("pattern"); // one char per poll: '1' met, '0' not met; the last repeats
    QTest::addColumn<int>("k");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("checks");
    QTest::addRow("healthy at once") << u"1"_qs << 3 << true << 3;
    QTest::addRow("a relapse restarts the count") << u"1101110111"_qs << 3 << true << 6;
    QTest::addRow("recovers late") << u"0000111"_qs << 3 << true << 7;
    QTest::addRow("K=1") << u"01"_qs << 1 << true << 2;
    QTest::addRow("never") << u"0"_qs << 2 << false << -1;
    QTest::addRow("flapping never holds") << u"10"_qs << 2 << false << -1;
}

void TestWaitAction::consecutive()
{
    QFETCH(QString, pattern);
    QFETCH(int, k);
    QFETCH(bool, ok);
    QFETCH(int, checks);
    int poll = 0;
    WaitSpec spec;
    spec.description = u"web-1 healthy"_qs;
    spec.requiredConsecutive = k;
    spec.interval = std::chrono::milliseconds(10);
    spec.condition = [&] {
        const QChar c = pattern.at(std::min<qsizetype>(poll++, pattern.size() - 1));
        return ConditionCheck { c == u'1', c == u'1' ? u"HTTP 200"_qs : u"HTTP 503"_qs };
    };
    WaitAction action(spec, context(m_sink.get(), u"web-1"_qs, 1500));
    const ActionResult r = run(action);
    QCOMPARE(r.ok(), ok);
    if (ok)
        QCOMPARE(r.data.value(u"checks"_qs).toInt(), checks);
    else
        QCOMPARE(r.status, ActionResult::Status::Timeout);
    QCOMPARE(m_sink->records().size(), 2);
}

void TestWaitAction::deadlineKeepsLastReason()
{
    WaitSpec spec;
    spec.interval = std::chrono::milliseconds(20);
    spec.condition = [] { return ConditionCheck { false, u"load 0.93 above 0.80"_qs }; };
    WaitAction action(spec, context(m_sink.get(), u"web-1"_qs, 300));
    const ActionResult r = run(action);
    QCOMPARE(r.status, ActionResult::Status::Timeout);
    QVERIFY(r.output.contains(u"load 0.93 above 0.80"_qs));
    QCOMPARE(r.data.value(u"last_reason"_qs).toString(), u"load 0.93 above 0.80"_qs);
    QVERIFY2(
        r.error.contains(u"held 0 of 3 checks in a row; last check: load 0.93 above 0.80"_qs), qPrintable(r.error));
}

void TestWaitAction::abortStopsPolling()
{
    int polls = 0;
    WaitSpec spec;
    spec.interval = std::chrono::milliseconds(10);
    spec.condition = [&] {
        ++polls;
        return ConditionCheck { false, {} };
    };
    WaitAction action(spec, context(m_sink.get(), u"web-1"_qs, 60000));
    action.start();
    QTRY_VERIFY(polls >= 2);
    action.abort();
    QCOMPARE(action.result().status, ActionResult::Status::Aborted);
    const int after = polls;
    QTest::qWait(100);
    QCOMPARE(polls, after);
}

void TestWaitAction::noConditionRefused()
{
    WaitAction action(WaitSpec {}, context(m_sink.get()));
    QCOMPARE(run(action).status, ActionResult::Status::Refused);
}

QTEST_GUILESS_MAIN(TestWaitAction)
#include "tst_waitaction.moc"
