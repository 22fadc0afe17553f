#include "remedy/runbook.h"
#include "remedy/safetygates.h"

#include <QTest>

using namespace FaultDesk;
using namespace std::chrono_literals;
Q_DECLARE_METATYPE(FaultDesk::SafetyRequest)
Q_DECLARE_METATYPE(FaultDesk::SafetySnapshot)

class TestSafetyGates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void gates_data();
    void gates();
    void attemptLimitStopsUntilReenabled();
    void backoffDoubles_data();
    void backoffDoubles();
    void backoffRefusalThenAllowed();
    void spreadAttemptsNeverSuspend();
    void healthyResetsBackoff();
    void ledgerRoundTrip();
    void maintenanceBlocksAutomaticWarnsManual();
    void failoverSwap_data();
    void failoverSwap();
    void swapPairing();
};

static const QDateTime t0 = QDateTime(QDate(2026, 11, 27), QTime(12, 0), Qt::UTC);

static SafetySnapshot hardFault()
{
    SafetySnapshot s;
    s.condition = TargetCondition::HardFault;
    s.backendServers = 4;
    s.backendHealthy = 4;
    s.now = t0;
    return s;
}

static SafetyRequest handle(bool removes = false, bool automatic = false)
{
    SafetyRequest r;
    r.target = u"web-1"_qs;
    r.requester = automatic ? u"auto"_qs : u"alice"_qs;
    r.automatic = automatic;
    r.removesServer = removes;
    r.backend = u"web"_qs;
    r.server = u"web-1"_qs;
    return r;
}

void TestSafetyGates::gates_data()
{
    QTest::addColumn<SafetyRequest>("request");
    QTest::addColumn<SafetySnapshot>("snapshot");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QString>("reason");

    QTest::addRow("hard fault, manual") << handle() << hardFault() << true << QString();
    auto s = hardFault();
    s.condition = TargetCondition::SoftFault;
    QTest::addRow("soft fault") << handle() << s << false << u"only a SOFT fault"_qs;
    s.condition = TargetCondition::Unreachable;
    QTest::addRow("unreachable") << handle() << s << false << u"UNREACHABLE"_qs;
    s.condition = TargetCondition::Unknown;
    QTest::addRow("unknown") << handle() << s << false << u"UNKNOWN"_qs;
    s.condition = TargetCondition::Healthy;
    QTest::addRow("healthy: nothing to handle") << handle() << s << false << u"no fault to handle"_qs;
    SafetyRequest recover = handle();
    recover.purpose = SafetyRequest::Purpose::Recover;
    QTest::addRow("healthy: recover allowed") << recover << s << true << QString();
    s.condition = TargetCondition::Unknown;
    QTest::addRow("recover needs a known state") << recover << s << false << u"UNKNOWN"_qs;
    s = hardFault();
    s.flapping = true;
    QTest::addRow("flapping") << handle() << s << false << u"flapping"_qs;
    s = hardFault();
    s.monitoringDegraded = true;
    QTest::addRow("monitoring degraded") << handle() << s << false << u"monitoring is degraded"_qs;
    s = hardFault();
    s.lockHeldBy = u"bob (host:42, crash/handle)"_qs;
    QTest::addRow("locked by another") << handle() << s << false << u"being remediated by bob"_qs;

    QTest::addRow("drain 1 of 4") << handle(true) << hardFault() << true << QString();
    s = hardFault();
    s.backendOutOfRotation = 1;
    s.backendHealthy = 3;
    QTest::addRow("drain a 2nd of 4 (50%%)")
        << handle(true) << s << false << u"2 of 4 servers of web out of rotation; at most 1 (25%%)"_qs;
    s = hardFault();
    s.backendServers = 3;
    s.backendHealthy = 3;
    QTest::addRow("drain 1 of 3 (33%%)") << handle(true) << s << false << u"at most 0 (25%%)"_qs;
    s = hardFault();
    s.backendServers = 8;
    s.backendHealthy = 1;
    s.backendOutOfRotation = 0;
    QTest::addRow("last healthy server") << handle(true) << s << false << u"last healthy server of web"_qs;
    s.serverHealthy = false;
    QTest::addRow("the broken one while one healthy remains") << handle(true) << s << true << QString();
    s = hardFault();
    s.backendServers = 0;
    QTest::addRow("unknown backend") << handle(true) << s << false << u"blast radius cannot be checked"_qs;
    s = hardFault();
    s.backendServers = 0; // nothing counted: the read failed
    s.backendHealthy = 0;
    s.poolUnknown = u"HAProxy's state is unknown: show stat: timed out"_qs;
    QTest::addRow("pool state unknown")
        << handle(true) << s << false
        << u"web/web-1 would leave rotation, but HAProxy's state is unknown: show stat: "
           "timed out: pool-shrinking steps are refused"_qs;
    QTest::addRow("pool state unknown, nothing shrinks") << handle(false) << s << true << QString();

    QTest::addRow("automatic off by default")
        << handle(false, true) << hardFault() << false << u"automatic remediation is off"_qs;
    s = hardFault();
    s.policy.enabled = true;
    QTest::addRow("automatic on") << handle(false, true) << s << true << QString();
    s.flapping = true;
    QTest::addRow("automatic still gated") << handle(false, true) << s << false << u"flapping"_qs;
    s = hardFault();
    s.policy.enabled = true;
    s.heldBack = u"a remediation of web-1 (down/handle#1 by auto since 2026-11-27 11:00:00 UTC) never finished"_qs;
    QTest::addRow("automatic held back after a crash") << handle(false, true) << s << false << s.heldBack;
    QTest::addRow("manual not held back") << handle() << s << true << QString();
    s = hardFault();
    s.policy.enabled = true;
    s.maintenance = u"in a maintenance window until 14:30 (kernel upgrade)"_qs;
    QTest::addRow("automatic in maintenance")
        << handle(false, true) << s << false << u"web-1 is in a maintenance window until 14:30 (kernel upgrade)"_qs;
    QTest::addRow("manual in maintenance") << handle() << s << true << QString();
}

// Inside a maintenance window the automation stays away; a person may act, and the preview says where they are.
void TestSafetyGates::maintenanceBlocksAutomaticWarnsManual()
{
    SafetySnapshot s = hardFault();
    s.policy.enabled = true;
    s.maintenance = u"in a maintenance window until 14:30 (kernel upgrade)"_qs;
    const SafetyDecision automatic = SafetyGates::check(handle(false, true), s);
    QVERIFY(!automatic.allowed);
    QCOMPARE(automatic.reasons,
        QStringList { u"web-1 is in a maintenance window until 14:30 (kernel upgrade): no automatic action"_qs });
    const SafetyDecision manual = SafetyGates::check(handle(), s);
    QVERIFY(manual.allowed);
    QCOMPARE(
        manual.warnings, QStringList { u"warning: web-1 is in a maintenance window until 14:30 (kernel upgrade)"_qs });
    QVERIFY(manual.affects.contains(manual.warnings.constFirst()));
    QVERIFY(manual.tooltip().contains(u"maintenance window"_qs));
    s.maintenance.clear();
    QVERIFY(SafetyGates::check(handle(false, true), s).allowed);
    QVERIFY(SafetyGates::check(handle(), s).warnings.isEmpty());
}

void TestSafetyGates::gates()
{
    QFETCH(SafetyRequest, request);
    QFETCH(SafetySnapshot, snapshot);
    QFETCH(bool, allowed);
    QFETCH(QString, reason);
    reason.replace(u"%%"_qs, u"%"_qs);
    const SafetyDecision d = SafetyGates::check(request, snapshot);
    QCOMPARE(d.allowed, allowed);
    if (allowed) {
        QVERIFY(d.reasons.isEmpty());
        QVERIFY(d.tooltip().contains(u"allowed"_qs));
    } else {
        QVERIFY2(d.tooltip().contains(reason), qPrintable(d.tooltip()));
    }
    if (request.removesServer && snapshot.backendServers > 0)
        QVERIFY2(d.affects.join(u' ').contains(u"stay healthy in rotation"_qs), qPrintable(d.affects.join(u' ')));
}

void TestSafetyGates::attemptLimitStopsUntilReenabled()
{
    SafetySnapshot s = hardFault();
    s.policy.enabled = true;
    s.policy.backoffInitial = 0ms; // isolate the count from the backoff
    for (int cycle = 1; cycle <= 3; ++cycle) {
        s.cycle = cycle;
        s.now = t0.addSecs(cycle);
        QVERIFY2(SafetyGates::check(handle(false, true), s).allowed,
            qPrintable(SafetyGates::check(handle(false, true), s).tooltip()));
        s.ledger.recordAttempt(u"web-1"_qs, cycle, s.now, s.policy);
    }
    // Three attempts within five cycles: stopped for web-1 — even 100 cycles later — until a person re-enables it.
    s.cycle = 100;
    SafetyDecision d = SafetyGates::check(handle(false, true), s);
    QVERIFY(!d.allowed);
    QVERIFY2(d.tooltip().contains(u"until a person re-enables it"_qs), qPrintable(d.tooltip()));
    // A person can still act by hand.
    QVERIFY(SafetyGates::check(handle(false, false), s).allowed);
    // Other targets are unaffected.
    SafetyRequest other = handle(false, true);
    other.target = u"web-2"_qs;
    QVERIFY(SafetyGates::check(other, s).allowed);
    s.ledger.reenable(u"web-1"_qs);
    QVERIFY(SafetyGates::check(handle(false, true), s).allowed);
}

void TestSafetyGates::backoffDoubles_data()
{
    QTest::addColumn<int>("attempts");
    QTest::addColumn<int>("seconds");
    QTest::addRow("none") << 0 << 0;
    QTest::addRow("1") << 1 << 10;
    QTest::addRow("2") << 2 << 20;
    QTest::addRow("3") << 3 << 40;
    QTest::addRow("5") << 5 << 160;
    QTest::addRow("6 capped") << 6 << 300;
    QTest::addRow("20 capped") << 20 << 300;
}

void TestSafetyGates::backoffDoubles()
{
    QFETCH(int, attempts);
    QFETCH(int, seconds);
    QCOMPARE(AutoRemediationLedger::backoffAfter(attempts, AutoRemediationPolicy {}).count(), seconds * 1000);
}

void TestSafetyGates::backoffRefusalThenAllowed()
{
    SafetySnapshot s = hardFault();
    s.policy.enabled = true;
    s.cycle = 1;
    s.ledger.recordAttempt(u"web-1"_qs, 1, t0, s.policy);
    s.cycle = 2;
    s.now = t0.addSecs(4);
    const SafetyDecision d = SafetyGates::check(handle(false, true), s);
    QVERIFY(!d.allowed);
    QVERIFY2(d.tooltip().contains(u"allowed in 6 s"_qs), qPrintable(d.tooltip()));
    s.now = t0.addSecs(10);
    QVERIFY(SafetyGates::check(handle(false, true), s).allowed);
    s.ledger.recordAttempt(u"web-1"_qs, 2, s.now, s.policy);
    s.now = t0.addSecs(29);
    QVERIFY(!SafetyGates::check(handle(false, true), s).allowed); // 20 s after the 2nd attempt
    s.now = t0.addSecs(30);
    QVERIFY(SafetyGates::check(handle(false, true), s).allowed);
}

void TestSafetyGates::spreadAttemptsNeverSuspend()
{
    AutoRemediationPolicy policy;
    policy.enabled = true;
    AutoRemediationLedger ledger;
    for (int i = 0; i < 6; ++i)
        ledger.recordAttempt(u"web-1"_qs, 1 + 3 * i, t0.addSecs(600 * i), policy); // cycles 1, 4, 7 …
    QVERIFY(!ledger.entry(u"web-1"_qs).suspended);
    AutoRemediationLedger dense;
    dense.recordAttempt(u"web-1"_qs, 1, t0, policy);
    dense.recordAttempt(u"web-1"_qs, 3, t0, policy);
    QVERIFY(!dense.entry(u"web-1"_qs).suspended);
    dense.recordAttempt(u"web-1"_qs, 5, t0, policy);
    QVERIFY(dense.entry(u"web-1"_qs).suspended);
}

void TestSafetyGates::healthyResetsBackoff()
{
    AutoRemediationPolicy policy;
    AutoRemediationLedger ledger;
    ledger.recordAttempt(u"web-1"_qs, 1, t0, policy);
    ledger.recordAttempt(u"web-1"_qs, 10, t0.addSecs(60), policy);
    QCOMPARE(ledger.nextAllowed(u"web-1"_qs, policy), t0.addSecs(80));
    ledger.noteHealth(u"web-1"_qs, true, t0.addSecs(100), policy);
    ledger.noteHealth(u"web-1"_qs, true, t0.addSecs(400), policy);
    QCOMPARE(ledger.entry(u"web-1"_qs).attempts.size(), 2); // 5 min healthy is not enough
    ledger.noteHealth(u"web-1"_qs, false, t0.addSecs(500), policy);
    ledger.noteHealth(u"web-1"_qs, true, t0.addSecs(600), policy);
    ledger.noteHealth(u"web-1"_qs, true, t0.addSecs(1200), policy);
    QCOMPARE(ledger.entry(u"web-1"_qs).attempts.size(), 0);
    QVERIFY(!ledger.nextAllowed(u"web-1"_qs, policy).isValid());
}

void TestSafetyGates::ledgerRoundTrip()
{
    AutoRemediationPolicy policy;
    AutoRemediationLedger ledger;
    for (int c = 1; c <= 3; ++c)
        ledger.recordAttempt(u"db-1"_qs, c, t0.addSecs(c), policy);
    const AutoRemediationLedger back = AutoRemediationLedger::fromJson(ledger.toJson());
    QCOMPARE(back.entry(u"db-1"_qs).attempts.size(), 3);
    QVERIFY(back.entry(u"db-1"_qs).suspended);
    QCOMPARE(back.entry(u"db-1"_qs).suspendedReason, ledger.entry(u"db-1"_qs).suspendedReason);
    QCOMPARE(back.nextAllowed(u"db-1"_qs, policy), ledger.nextAllowed(u"db-1"_qs, policy));
}

QTEST_GUILESS_MAIN(TestSafetyGates)
#include "tst_safetygates.moc"

// A fail-over moves a two-server pool from the primary to the promoted replica: 1 of 2 out is 50 %, over the drain
// limit, yet the pool keeps its one healthy server. The gate allows the removal as a swap when the plan brought the
// replica in first and HAProxy reports it UP; never when it is not UP yet, never on unknown pool state.
void TestSafetyGates::failoverSwap_data()
{
    QTest::addColumn<SafetyRequest>("request");
    QTest::addColumn<SafetySnapshot>("snapshot");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QString>("why"); ///< in the reasons when refused, in the swap sentence when allowed

    SafetyRequest out;
    out.target = u"pg-primary"_qs;
    out.requester = u"alice"_qs;
    out.removesServer = true;
    out.backend = u"bank-db"_qs;
    out.server = u"pg-primary"_qs;
    // Before the fail-over: the primary UP, the replica in rotation but DOWN (its check passes only on a primary).
    SafetySnapshot before;
    before.condition = TargetCondition::HardFault;
    before.now = t0;
    before.backendServers = 2;
    before.backendHealthy = 1;
    before.backendUp = QStringList { u"pg-primary"_qs };
    before.serverHealthy = true;
    // After the promotion and the ready step: both UP.
    SafetySnapshot after = before;
    after.backendHealthy = 2;
    after.backendUp = QStringList { u"pg-primary"_qs, u"pg-replica"_qs };

    QTest::addRow("no swap: 1 of 2 out is over the limit") << out << after << false << u"at most 0 (25%%)"_qs;
    SafetyRequest swap = out;
    swap.swapIn = QStringList { u"pg-replica"_qs };
    QTest::addRow("swap, replica UP: allowed")
        << swap << after << true << u"swap: pg-replica in (UP) before pg-primary out"_qs;
    QTest::addRow("swap, replica not UP yet: refused")
        << swap << before << false << u"swap refused: pg-replica is not ready and UP in bank-db"_qs;
    SafetySnapshot primaryDown = after;
    primaryDown.backendHealthy = 1;
    primaryDown.backendUp = QStringList { u"pg-replica"_qs };
    primaryDown.serverHealthy = false;
    QTest::addRow("swap, the damaged primary already DOWN")
        << swap << primaryDown << true << u"swap: pg-replica in (UP)"_qs;
    SafetyRequest planned = swap;
    planned.planned = true;
    QTest::addRow("preview: the replica comes in first")
        << planned << before << true
        << u"swap: pg-replica in before pg-primary out (pg-replica must be UP in bank-db when the step runs)"_qs;
    SafetySnapshot unknown = before;
    unknown.poolUnknown = u"the last HAProxy read failed: connection refused"_qs;
    QTest::addRow("preview, pool state unknown: refused")
        << planned << unknown << false << u"connection refused: pool-shrinking steps are refused"_qs;
    QTest::addRow("swap, pool state unknown: refused")
        << swap << unknown << false << u"pool-shrinking steps are refused"_qs;
    SafetySnapshot stale = after;
    stale.poolUnknown = u"the pool state is 5 s old (older than two polls)"_qs;
    QTest::addRow("swap, pool state stale: refused") << swap << stale << false << u"5 s old"_qs;
    SafetyRequest plain = out;
    SafetySnapshot alone = before;
    alone.backendServers = 1;
    QTest::addRow("no swap: the last healthy server")
        << plain << alone << false << u"last healthy server of bank-db"_qs;
}

void TestSafetyGates::failoverSwap()
{
    QFETCH(SafetyRequest, request);
    QFETCH(SafetySnapshot, snapshot);
    QFETCH(bool, allowed);
    QFETCH(QString, why);
    why.replace(u"%%"_qs, u"%"_qs);
    const SafetyDecision d = SafetyGates::check(request, snapshot);
    QVERIFY2(d.allowed == allowed, qPrintable(d.reasons.join(u'\n')));
    if (allowed) {
        QVERIFY2(d.swap.startsWith(why), qPrintable(d.swap));
        QVERIFY(d.affects.contains(d.swap)); // the preview shows it
        QVERIFY2(d.affects.join(u' ').contains(u"1 of 2 servers of bank-db stay healthy in rotation"_qs),
            qPrintable(d.affects.join(u' ')));
    } else {
        QVERIFY2(d.tooltip().contains(why), qPrintable(d.tooltip()));
        QVERIFY(d.swap.isEmpty());
    }
}

// Which earlier step brought a server in for which removal: one in for one out, per backend, never the server itself.
void TestSafetyGates::swapPairing()
{
    auto step = [](bool in, const char* backend, const char* server) {
        Runbook::Step s;
        s.addsServer = in;
        s.removesServer = !in;
        s.backend = QString::fromLatin1(backend);
        s.server = QString::fromLatin1(server);
        return s;
    };
    Runbook failover;
    failover.steps << Runbook::Step {} << step(true, "bank-db", "pg-replica") << step(false, "bank-db", "pg-primary");
    QCOMPARE(failover.swapInBefore(2), QStringList { u"pg-replica"_qs });
    QVERIFY(failover.swapInBefore(1).isEmpty()); // the step that brings it in removes nothing
    QVERIFY(failover.swapInBefore(0).isEmpty());

    Runbook outFirst; // out before in: a shrink, then a growth
    outFirst.steps << step(false, "bank-db", "pg-primary") << step(true, "bank-db", "pg-replica");
    QVERIFY(outFirst.swapInBefore(0).isEmpty());

    Runbook twoOut; // one in pays for one out only
    twoOut.steps << step(true, "web", "web-5") << step(false, "web", "web-1") << step(false, "web", "web-2");
    QCOMPARE(twoOut.swapInBefore(1), QStringList { u"web-5"_qs });
    QVERIFY(twoOut.swapInBefore(2).isEmpty());

    Runbook otherBackend;
    otherBackend.steps << step(true, "api", "api-3") << step(false, "web", "web-1");
    QVERIFY(otherBackend.swapInBefore(1).isEmpty());

    Runbook itself; // ready then maint of the same server is no swap
    itself.steps << step(true, "web", "web-1") << step(false, "web", "web-1");
    QVERIFY(itself.swapInBefore(1).isEmpty());

    Runbook unnamed; // steps that name no backend use the target's
    unnamed.steps << step(true, "", "web-5") << step(false, "", "web-1");
    QCOMPARE(unnamed.swapInBefore(1, u"web"_qs), QStringList { u"web-5"_qs });
}
