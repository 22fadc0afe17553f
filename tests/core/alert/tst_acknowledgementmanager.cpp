// AcknowledgementManager with a real Alertmanager: acknowledging an alert fault creates a narrow silence FaultDesk
// owns and expires when the alert resolves or on unacknowledge; probe faults are acknowledged without one; batches
// report per fault; every silence create/expire is audited; a restart rebuilds acknowledgements and owned silences.

#include "alert/acknowledgementmanager.h"
#include "alert/alertmanagerclient.h"
#include "alert/alertmanagersource.h"
#include "alertmanagerprocess.h"
#include "audit/auditsink.h"
#include "config/fleetconfig.h"
#include "detect/detector.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace FaultDesk;
using namespace FaultDesk::Test;

namespace {

class MemoryAudit : public AuditSink
{
public:
    bool append(const AuditRecord& record, QString* error = nullptr) override
    {
        if (failing) {
            if (error)
                *error = QStringLiteral("disk full");
            return false;
        }
        m_records.append(record);
        return true;
    }
    QList<AuditRecord> records() const override { return m_records; }
    QList<AuditRecord> ofKind(const QString& kind) const
    {
        QList<AuditRecord> out;
        for (const AuditRecord& r : m_records) {
            if (r.actionKind == kind)
                out.append(r);
        }
        return out;
    }
    bool failing = false;

private:
    QList<AuditRecord> m_records;
};

FleetConfig fleet()
{
    FleetConfig c;
    for (const QString& name : { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("db") }) {
        TargetConfig t;
        t.name = name;
        c.targets.append(t);
    }
    return c;
}

QList<TargetPolicy> policies()
{
    QList<TargetPolicy> out;
    for (const TargetConfig& t : fleet().targets) {
        TargetPolicy p;
        p.name = t.name;
        p.attempts = 1;
        p.staleAfterMs = 3600 * 1000;
        out.append(p);
    }
    return out;
}

AlertmanagerAlert alert(const QString& name, const QString& instance, int endsInS = 300)
{
    AlertmanagerAlert a;
    a.labels = { { QStringLiteral("alertname"), name }, { QStringLiteral("instance"), instance },
        { QStringLiteral("job"), QStringLiteral("fleet") } };
    a.startsAt = QDateTime::currentDateTimeUtc().addSecs(-10);
    a.endsAt = QDateTime::currentDateTimeUtc().addSecs(endsInS);
    return a;
}

} // namespace

class TestAcknowledgementManager : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<AlertmanagerProcess> m_am;

    AlertmanagerConfig config() const
    {
        AlertmanagerConfig c;
        c.name = QStringLiteral("am1");
        c.url = QUrl(m_am->url());
        c.pollInterval = std::chrono::milliseconds(200);
        c.silenceDuration = std::chrono::minutes(30);
        return c;
    }
    void post(AlertmanagerClient& client, const QList<AlertmanagerAlert>& alerts)
    {
        QString error = QStringLiteral("pending");
        client.postAlerts(alerts, this, [&error](const QString& e) { error = e; });
        QTRY_COMPARE_WITH_TIMEOUT(error, QString(), 10000);
    }
    std::optional<AlertmanagerSilence> silence(AlertmanagerClient& client, const QString& id)
    {
        std::optional<AlertmanagerSilence> out;
        bool done = false;
        client.fetchSilence(id, this, [&](const std::optional<AlertmanagerSilence>& s, const QString&) {
            out = s;
            done = true;
        });
        QElapsedTimer t;
        t.start();
        while (!done && t.elapsed() < 10000)
            QTest::qWait(20);
        return out;
    }
    static QString faultOn(const Detector& d, const QString& target)
    {
        for (const Fault& f : d.openFaults()) {
            if (f.target == target)
                return f.id;
        }
        return {};
    }
    static void failProbe(Detector& d, const QString& target)
    {
        Observation o;
        o.target = target;
        o.timeMs = QDateTime::currentMSecsSinceEpoch();
        o.probe = Observation::Probe::Down;
        o.failureKind = Observation::FailureKind::Refused;
        o.reason = QStringLiteral("connection refused");
        d.observe(o);
        d.tick(o.timeMs);
    }

private Q_SLOTS:
    void init()
    {
        m_am = std::make_unique<AlertmanagerProcess>();
        QVERIFY2(m_am->start(), m_am->output().constData());
    }
    void cleanup() { m_am.reset(); }

    void acknowledgingAnAlertSilencesItUntilItResolves()
    {
        Detector detector;
        detector.setTargets(policies());
        MemoryAudit audit;
        AlertmanagerSource source(config(), fleet(), &detector);
        AcknowledgementManager acks(&detector, &audit);
        acks.addSource(&source);
        QSignalSpy counts(&acks, &AcknowledgementManager::countsChanged);
        post(*source.client(), { alert(QStringLiteral("HighErrorRate"), QStringLiteral("web-1")) });
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(!faultOn(detector, QStringLiteral("web-1")).isEmpty(), 10000);
        const QString id = faultOn(detector, QStringLiteral("web-1"));

        QSignalSpy batch(&acks, &AcknowledgementManager::batchFinished);
        acks.acknowledge({ id }, QStringLiteral("alice"), QStringLiteral("on it"));
        QVERIFY(acks.isAcknowledged(id)); // shown at once; the silence follows
        QTRY_COMPARE_WITH_TIMEOUT(batch.count(), 1, 10000);
        QCOMPARE(batch.at(0).at(0).toInt(), 1);
        const Acknowledgement ack = *acks.acknowledgement(id);
        QCOMPARE(ack.operatorName, QStringLiteral("alice"));
        QCOMPARE(ack.comment, QStringLiteral("on it"));
        QVERIFY(!ack.silenceId.isEmpty());
        QCOMPARE(acks.silencedCount(), 1);
        QCOMPARE(counts.last().at(0).toInt(), 1);
        QCOMPARE(counts.last().at(1).toInt(), 1);
        // When it lapses by itself (silence_duration 30 min), for the reminder before it does.
        const QList<AcknowledgementManager::SilenceEnd> ends = acks.silenceEnds();
        QCOMPARE(ends.size(), 1);
        QCOMPARE(ends.first().id, ack.silenceId);
        QCOMPARE(ends.first().target, QStringLiteral("web-1"));
        const qint64 lapsesIn = QDateTime::currentDateTimeUtc().msecsTo(ends.first().endsUtc);
        QVERIFY2(lapsesIn > 28 * 60 * 1000 && lapsesIn <= 30 * 60 * 1000, qPrintable(QString::number(lapsesIn)));

        const auto s = silence(*source.client(), ack.silenceId);
        QVERIFY(s);
        QCOMPARE(s->state, QStringLiteral("active"));
        QCOMPARE(s->createdBy, QStringLiteral("alice"));
        QCOMPARE(s->matchersText(), QStringLiteral("alertname=\"HighErrorRate\", instance=\"web-1\""));
        QVERIFY(s->comment.startsWith(QStringLiteral("on it")));

        // Muted by our own silence, the alert stays a fault (acknowledged) across polls.
        QTest::qWait(800);
        QCOMPARE(faultOn(detector, QStringLiteral("web-1")), id);
        QVERIFY(acks.isAcknowledged(id));

        // Audit: acknowledgement, then silence intent + result with its id; never a token.
        QCOMPARE(audit.ofKind(QStringLiteral("acknowledge")).size(), 1);
        const auto silenceRecords = audit.ofKind(QStringLiteral("alertmanager-silence"));
        QCOMPARE(silenceRecords.size(), 2);
        QCOMPARE(silenceRecords.at(0).phase, AuditRecord::Phase::Intent);
        QVERIFY(silenceRecords.at(0).description.contains(QStringLiteral("alertname=\"HighErrorRate\"")));
        QCOMPARE(silenceRecords.at(1).status, QStringLiteral("ok"));
        QVERIFY(silenceRecords.at(1).outputExcerpt.contains(ack.silenceId));

        // The alert resolves: the fault recovers, FaultDesk expires the silence, the resolution is audited.
        post(*source.client(), { alert(QStringLiteral("HighErrorRate"), QStringLiteral("web-1"), -1) });
        QTRY_VERIFY_WITH_TIMEOUT(faultOn(detector, QStringLiteral("web-1")).isEmpty(), 10000);
        QVERIFY(!acks.isAcknowledged(id));
        QTRY_COMPARE_WITH_TIMEOUT(acks.silencedCount(), 0, 10000);
        QCOMPARE(silence(*source.client(), ack.silenceId)->state, QStringLiteral("expired"));
        QCOMPARE(audit.ofKind(QStringLiteral("alert-resolved")).size(), 1);
        const auto expire = audit.ofKind(QStringLiteral("alertmanager-expire"));
        QCOMPARE(expire.size(), 2);
        QCOMPARE(expire.at(1).status, QStringLiteral("ok"));
        QCOMPARE(counts.last().at(0).toInt(), 0);
        QCOMPARE(counts.last().at(1).toInt(), 0);

        // A new fault after the recovery starts unacknowledged.
        post(*source.client(), { alert(QStringLiteral("HighErrorRate"), QStringLiteral("web-1")) });
        QTRY_VERIFY_WITH_TIMEOUT(!faultOn(detector, QStringLiteral("web-1")).isEmpty(), 10000);
        QVERIFY(!acks.isAcknowledged(faultOn(detector, QStringLiteral("web-1"))));
    }

    void anotherConsolesAcknowledgementShowsHere()
    {
        // Two consoles sharing one store watch the same fleet: each has its own detector and fault ids.
        Detector here;
        Detector there;
        here.setTargets(policies());
        there.setTargets(policies());
        MemoryAudit hereAudit;
        MemoryAudit thereAudit;
        AcknowledgementManager acksHere(&here, &hereAudit);
        AcknowledgementManager acksThere(&there, &thereAudit);
        failProbe(here, QStringLiteral("db"));
        failProbe(there, QStringLiteral("db"));
        const QString fault = faultOn(here, QStringLiteral("db"));
        QVERIFY(!fault.isEmpty());
        QVERIFY(!faultOn(there, QStringLiteral("db")).isEmpty());

        QSignalSpy batch(&acksThere, &AcknowledgementManager::batchFinished);
        acksThere.acknowledge(
            { faultOn(there, QStringLiteral("db")) }, QStringLiteral("alice"), QStringLiteral("restoring from backup"));
        QTRY_COMPARE_WITH_TIMEOUT(batch.count(), 1, 5000);
        QSignalSpy changed(&acksHere, &AcknowledgementManager::acknowledgementChanged);
        const QList<AuditRecord> made = thereAudit.ofKind(QStringLiteral("acknowledge"));
        QVERIFY(!made.isEmpty());
        for (const AuditRecord& r : made)
            acksHere.applyShared(r);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toString(), fault);
        const auto ack = acksHere.acknowledgement(fault);
        QVERIFY(ack);
        QVERIFY(ack->shared);
        QCOMPARE(ack->operatorName, QStringLiteral("alice"));
        QCOMPARE(ack->comment, QStringLiteral("restoring from backup"));
        QVERIFY2(hereAudit.records().isEmpty(), "the other console wrote the records; this one writes none");
        // Heard again (or this console's own record heard back): nothing changes.
        for (const AuditRecord& r : made)
            QVERIFY(!acksHere.applyShared(r));

        acksThere.unacknowledge({ faultOn(there, QStringLiteral("db")) }, QStringLiteral("alice"));
        for (const AuditRecord& r : thereAudit.ofKind(QStringLiteral("unacknowledge")))
            acksHere.applyShared(r);
        QVERIFY(!acksHere.isAcknowledged(fault));
    }

    void batchAcknowledgeReportsEachFault()
    {
        Detector detector;
        detector.setTargets(policies());
        MemoryAudit audit;
        AlertmanagerSource source(config(), fleet(), &detector);
        AcknowledgementManager acks(&detector, &audit);
        acks.addSource(&source);
        post(*source.client(), { alert(QStringLiteral("HighErrorRate"), QStringLiteral("web-2")) });
        source.start();
        failProbe(detector, QStringLiteral("db"));
        QTRY_VERIFY_WITH_TIMEOUT(!faultOn(detector, QStringLiteral("web-2")).isEmpty(), 10000);
        const QString alertFault = faultOn(detector, QStringLiteral("web-2"));
        const QString probeFault = faultOn(detector, QStringLiteral("db"));
        QVERIFY(!probeFault.isEmpty());

        QSignalSpy each(&acks, &AcknowledgementManager::acknowledgeFinished);
        QSignalSpy batch(&acks, &AcknowledgementManager::batchFinished);
        acks.acknowledge(
            { alertFault, probeFault, QStringLiteral("F999") }, QStringLiteral("bob"), QStringLiteral("maintenance"));
        QTRY_COMPARE_WITH_TIMEOUT(batch.count(), 1, 10000);
        QCOMPARE(each.count(), 3);
        QCOMPARE(batch.at(0).at(0).toInt(), 2);
        const QStringList failures = batch.at(0).at(1).toStringList();
        QCOMPARE(failures.size(), 1);
        QVERIFY2(failures.at(0).startsWith(QStringLiteral("F999: no open fault")), qPrintable(failures.at(0)));
        QVERIFY(!acks.acknowledgement(alertFault)->silenceId.isEmpty());
        QVERIFY2(acks.acknowledgement(probeFault)->silenceId.isEmpty(), "probe faults get no silence");
        QCOMPARE(acks.acknowledgedCount(), 2);
        QCOMPARE(acks.silencedCount(), 1);

        // Acknowledging again is refused per fault, naming who has it.
        acks.acknowledge({ probeFault }, QStringLiteral("carol"), QStringLiteral("me too"));
        QTRY_COMPARE_WITH_TIMEOUT(batch.count(), 2, 5000);
        QVERIFY(batch.at(1).at(1).toStringList().value(0).contains(QStringLiteral("already acknowledged by bob")));

        // Unacknowledge expires the silence; the alert is a plain fault again.
        const QString silenceId = acks.acknowledgement(alertFault)->silenceId;
        acks.unacknowledge({ alertFault }, QStringLiteral("bob"));
        QVERIFY(!acks.isAcknowledged(alertFault));
        QTRY_COMPARE_WITH_TIMEOUT(acks.silencedCount(), 0, 10000);
        QCOMPARE(silence(*source.client(), silenceId)->state, QStringLiteral("expired"));
        QTest::qWait(600);
        QCOMPARE(faultOn(detector, QStringLiteral("web-2")), alertFault);

        // An audit trail that cannot write refuses the acknowledgement: nothing shows that is not recorded.
        audit.failing = true;
        acks.acknowledge({ alertFault }, QStringLiteral("bob"), QStringLiteral("again"));
        QTRY_COMPARE_WITH_TIMEOUT(batch.count(), 4, 5000);
        QVERIFY(batch.at(3).at(1).toStringList().value(0).contains(QStringLiteral("disk full")));
        QVERIFY(!acks.isAcknowledged(alertFault));
    }

    void aLapsedSilenceIsForgottenButTheAcknowledgementStays()
    {
        Detector detector;
        detector.setTargets(policies());
        MemoryAudit audit;
        AlertmanagerConfig c = config();
        c.silenceDuration = std::chrono::milliseconds(1500);
        AlertmanagerSource source(c, fleet(), &detector);
        AcknowledgementManager acks(&detector, &audit);
        acks.addSource(&source);
        QSignalSpy notices(&acks, &AcknowledgementManager::notice);
        post(*source.client(), { alert(QStringLiteral("HighErrorRate"), QStringLiteral("web-1")) });
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(!faultOn(detector, QStringLiteral("web-1")).isEmpty(), 10000);
        const QString id = faultOn(detector, QStringLiteral("web-1"));
        QSignalSpy batch(&acks, &AcknowledgementManager::batchFinished);
        acks.acknowledge({ id }, QStringLiteral("alice"), QStringLiteral("long job"));
        QTRY_COMPARE_WITH_TIMEOUT(batch.count(), 1, 10000);
        const QString silenceId = acks.acknowledgement(id)->silenceId;
        QCOMPARE(acks.silencedCount(), 1);

        QTRY_COMPARE_WITH_TIMEOUT(acks.silencedCount(), 0, 10000);
        QCOMPARE(silence(*source.client(), silenceId)->state, QStringLiteral("expired"));
        QVERIFY2(acks.isAcknowledged(id), "sticky until the fault recovers, silence or not");
        QVERIFY(acks.acknowledgement(id)->silenceId.isEmpty());
        QTest::qWait(600);
        QCOMPARE(faultOn(detector, QStringLiteral("web-1")), id);
        bool told = false;
        for (const auto& n : std::as_const(notices))
            told = told || n.at(0).toString().contains(QStringLiteral("lapsed"));
        QVERIFY(told);
        const auto expire = audit.ofKind(QStringLiteral("alertmanager-expire"));
        QCOMPARE(expire.size(), 1); // recorded as ended, never sent: Alertmanager ended it itself
        QVERIFY(expire.at(0).description.contains(QStringLiteral("lapsed")));
    }

    void fleetReloadKeepsAcknowledgementsAndSilences()
    {
        Detector detector;
        detector.setTargets(policies());
        MemoryAudit audit;
        AlertmanagerSource source(config(), fleet(), &detector);
        AcknowledgementManager acks(&detector, &audit);
        acks.addSource(&source);
        post(*source.client(), { alert(QStringLiteral("HighErrorRate"), QStringLiteral("web-1")) });
        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(!faultOn(detector, QStringLiteral("web-1")).isEmpty(), 10000);
        QSignalSpy batch(&acks, &AcknowledgementManager::batchFinished);
        acks.acknowledge({ faultOn(detector, QStringLiteral("web-1")) }, QStringLiteral("alice"), QStringLiteral("x"));
        QTRY_COMPARE_WITH_TIMEOUT(batch.count(), 1, 10000);
        const QString silenceId = acks.acknowledgement(faultOn(detector, QStringLiteral("web-1")))->silenceId;

        detector.setTargets(policies()); // a reload: every fault starts afresh
        QCOMPARE(acks.acknowledgedCount(), 0);
        QCOMPARE(acks.silencedCount(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!faultOn(detector, QStringLiteral("web-1")).isEmpty(), 10000);
        const QString id = faultOn(detector, QStringLiteral("web-1"));
        QVERIFY(acks.isAcknowledged(id));
        QCOMPARE(acks.acknowledgement(id)->silenceId, silenceId);
        QCOMPARE(silence(*source.client(), silenceId)->state, QStringLiteral("active"));
        QVERIFY(audit.ofKind(QStringLiteral("alertmanager-expire")).isEmpty());
    }

    void restartRebuildsAcknowledgementsAndOwnedSilences()
    {
        MemoryAudit audit;
        QString firstSilence;
        QString secondSilence;
        {
            Detector detector;
            detector.setTargets(policies());
            AlertmanagerSource source(config(), fleet(), &detector);
            AcknowledgementManager acks(&detector, &audit);
            acks.addSource(&source);
            post(*source.client(),
                { alert(QStringLiteral("HighErrorRate"), QStringLiteral("web-1")),
                    alert(QStringLiteral("DiskFull"), QStringLiteral("db")) });
            source.start();
            QTRY_VERIFY_WITH_TIMEOUT(source.faultIds().size() == 2, 10000);
            QSignalSpy batch(&acks, &AcknowledgementManager::batchFinished);
            acks.acknowledge(source.faultIds(), QStringLiteral("alice"), QStringLiteral("before restart"));
            QTRY_COMPARE_WITH_TIMEOUT(batch.count(), 1, 10000);
            QCOMPARE(acks.silencedCount(), 2);
            firstSilence = acks.acknowledgement(faultOn(detector, QStringLiteral("web-1")))->silenceId;
            secondSilence = acks.acknowledgement(faultOn(detector, QStringLiteral("db")))->silenceId;
            source.stop();
        } // FaultDesk "exits" with both acknowledged

        AlertmanagerClient client(config());
        // While it was away, db's alert resolved.
        post(client, { alert(QStringLiteral("DiskFull"), QStringLiteral("db"), -1) });

        Detector detector;
        detector.setTargets(policies());
        AlertmanagerSource source(config(), fleet(), &detector);
        AcknowledgementManager acks(&detector, &audit);
        acks.addSource(&source);
        QCOMPARE(acks.restore(), 2);
        QCOMPARE(acks.silencedCount(), 2);
        source.start();
        // web-1's alert, muted by the owned silence, comes back as a fault and is acknowledged again with it.
        QTRY_VERIFY_WITH_TIMEOUT(!faultOn(detector, QStringLiteral("web-1")).isEmpty(), 10000);
        const QString id = faultOn(detector, QStringLiteral("web-1"));
        QVERIFY(acks.isAcknowledged(id));
        QCOMPARE(acks.acknowledgement(id)->operatorName, QStringLiteral("alice"));
        QCOMPARE(acks.acknowledgement(id)->silenceId, firstSilence);
        QVERIFY(acks.acknowledgement(id)->restored);
        // db's silence has nothing left to mute: FaultDesk expires it instead of forgetting it.
        QTRY_COMPARE_WITH_TIMEOUT(acks.silencedCount(), 1, 10000);
        QCOMPARE(silence(client, secondSilence)->state, QStringLiteral("expired"));
        QCOMPARE(silence(client, firstSilence)->state, QStringLiteral("active"));

        // And when web-1 resolves, the restored silence is expired too.
        post(client, { alert(QStringLiteral("HighErrorRate"), QStringLiteral("web-1"), -1) });
        QTRY_COMPARE_WITH_TIMEOUT(acks.silencedCount(), 0, 10000);
        QCOMPARE(silence(client, firstSilence)->state, QStringLiteral("expired"));
    }
};

QTEST_GUILESS_MAIN(TestAcknowledgementManager)
#include "tst_acknowledgementmanager.moc"
