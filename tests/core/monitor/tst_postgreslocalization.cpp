// A PostgreSQL primary stopped hard (`pg_ctl stop -m immediate`), watched by the Monitor on real processes: the
// primary and its streaming replica (which depends on it; its replay falls behind once the primary is gone), and the
// bank's entry point — HAProxy's TCP frontend, whose pool's health check passes only on the writable primary, probed
// as a postgres target that depends on the primary. The primary is located `down` as the root cause; the replica's
// replication lag and the entry point's failure are symptoms of the same incident, never root causes of their own.

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "monitor/monitor.h"
#include "pg/pgconnection.h"
#include "shared/haproxyharness.h"
#include "shared/postgrespair.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace FaultDesk;
using FaultDesk::Test::HaproxyHarness;
using FaultDesk::Test::PostgresPair;

class TestPostgresLocalization : public QObject
{
    Q_OBJECT

private:
    PostgresPair m_pair;
    HaproxyHarness m_haproxy;

private Q_SLOTS:
    void initTestCase()
    {
        if (!PgConnection::driverAvailable())
            QFAIL("Qt's PostgreSQL driver (libqt6sql6-psql) is missing: scripts/install-deps installs it");
        if (HaproxyHarness::binary().isEmpty())
            QFAIL("haproxy is missing: scripts/install-deps installs it");
        QString error;
        QVERIFY2(m_pair.setUp(&error), qPrintable(error));
        QVERIFY2(m_haproxy.startBackend(QStringLiteral("bank-db"), m_pair.haproxyBackendLines(), 2, &error),
            qPrintable(error));
        // Only the writable primary passes the pool's check: the entry point reaches it, never the replica.
        auto pool = [&] {
            QStringList out;
            for (const HaproxyServerState& s : m_haproxy.readStates(QStringLiteral("bank-db")))
                out << s.server + u'=' + s.status.section(u' ', 0, 0);
            return out.join(u' ');
        };
        QTRY_COMPARE_WITH_TIMEOUT(pool(), QStringLiteral("pg-primary=UP pg-replica=DOWN"), 15000);
    }

    void stoppedPrimaryIsTheRootAndItsDependantsAreSymptoms()
    {
        const QByteArray yaml = (QStringLiteral("version: 1\n"
                                                "defaults: {interval: 300ms, timeout: 2s, attempts: 2}\n"
                                                "haproxy:\n"
                                                "  - {name: lb, socket: '%1'}\n"
                                                "targets:\n")
                                     .arg(m_haproxy.adminSocket())
            + m_pair.targetsYaml({ QStringLiteral("lb"), QStringLiteral("bank-db") }, { true, QStringLiteral("2s") })
            + QStringLiteral(
                "  - name: bank-lb\n"
                "    group: bank-api\n"
                "    probes: [{kind: tcp, address: '127.0.0.1:%2'}]  # HAProxy itself: it accepts with no server left\n"
                "  - name: bank-entry\n"
                "    group: bank-api\n"
                "    depends_on: [bank-lb, pg-primary]\n"
                "    probes:\n"
                "      - kind: postgres\n"
                "        dsn: postgresql://%1@127.0.0.1:%2/bank\n"
                "        password: {env: %3}\n")
                  .arg(PostgresPair::role())
                  .arg(m_haproxy.frontendPort())
                  .arg(PostgresPair::passwordVariable()))
                                    .toUtf8();
        const ConfigLoadResult loaded = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
        QVERIFY2(loaded.ok(), loaded.errors.isEmpty() ? "" : qPrintable(loaded.errors.first().toString()));
        Monitor monitor;
        int replicaRounds = 0;
        connect(&monitor, &Monitor::seriesUpdated, this, [&replicaRounds](const QString& target) {
            if (target == u"pg-replica")
                ++replicaRounds;
        });
        monitor.setConfig(*loaded.config);
        monitor.start();
        auto state = [&](const char* t) { return monitor.detector()->status(QString::fromLatin1(t))->state; };
        for (const char* t : { "pg-primary", "pg-replica", "bank-lb", "bank-entry" })
            QTRY_COMPARE_WITH_TIMEOUT(state(t), TargetState::Up, 15000);
        QVERIFY(monitor.detector()->openFaults().isEmpty());
        // A monitor that has watched the replica for a few rounds knows it caught up: its lag then counts from there.
        QTRY_VERIFY_WITH_TIMEOUT(replicaRounds >= 3, 10000);
        QCOMPARE(monitor.detector()
                     ->status(QStringLiteral("pg-replica"))
                     ->values.value(QStringLiteral("pg_replication_lag_seconds"), -1),
            0.0);

        QElapsedTimer clock;
        clock.start();
        m_pair.primary().stop(QStringLiteral("immediate"));
        auto faultOf = [&](const char* target) -> std::optional<Fault> {
            for (const Fault& f : monitor.detector()->openFaults())
                if (f.target == QLatin1String(target) && f.phase != Fault::Phase::Detected)
                    return f;
            return std::nullopt;
        };
        QTRY_VERIFY_WITH_TIMEOUT(faultOf("pg-primary").has_value(), 10000);
        const qint64 detectMs = clock.elapsed();
        // The replica falls behind (2 s allowed) and the entry point has no server left: both show, later.
        QTRY_VERIFY_WITH_TIMEOUT(faultOf("pg-replica").has_value() && faultOf("bank-entry").has_value(), 20000);
        const qint64 symptomsMs = clock.elapsed();

        const Fault root = *faultOf("pg-primary");
        QCOMPARE(root.cause, CauseClass::Down);
        QVERIFY2(root.rootCause, qPrintable(root.localization));
        QVERIFY(!root.incidentId.isEmpty());
        for (const char* t : { "pg-replica", "bank-entry" }) {
            const Fault symptom = *faultOf(t);
            qInfo("%s: %s — %s", t, qPrintable(symptom.evidence), qPrintable(symptom.localization));
            QVERIFY2(!symptom.rootCause, qPrintable(symptom.target + u": " + symptom.localization));
            QCOMPARE(symptom.rootTarget, root.target);
            QCOMPARE(symptom.incidentId, root.incidentId);
        }
        // What the replica shows is its replication: its replay falls behind the primary it lost.
        const Fault replica = *faultOf("pg-replica");
        QVERIFY2(replica.evidence.contains(QStringLiteral("pg_replication_lag_seconds"))
                || replica.targetState == TargetState::Unreachable,
            qPrintable(replica.evidence));
        // One incident, one root cause.
        QStringList roots;
        QSet<QString> incidents;
        for (const Fault& f : monitor.detector()->openFaults()) {
            incidents.insert(f.incidentId);
            if (f.rootCause)
                roots << f.target;
        }
        QCOMPARE(roots, QStringList { QStringLiteral("pg-primary") });
        QCOMPARE(incidents.size(), 1);
        qInfo("FIGURES primary down located after %lld ms, its symptoms located after %lld ms", detectMs, symptomsMs);
        monitor.stop();
    }

    void cleanupTestCase()
    {
        m_haproxy.stop();
        m_pair.stopAll();
    }
};

QTEST_GUILESS_MAIN(TestPostgresLocalization)
#include "tst_postgreslocalization.moc"
