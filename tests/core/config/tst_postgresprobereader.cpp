// `kind: postgres` probes in a fleet file: the DSN (no password in it, ever), the password by reference, TLS, and the
// built-in signals with their default thresholds (a checksum failure is a data-integrity breach).

#include "config/fleetconfigloader.h"
#include "config/postgresdsn.h"

#include <QtTest>

using namespace FaultDesk;

class TestPostgresProbeReader : public QObject
{
    Q_OBJECT

private:
    static const SignalConfig* signal(const TargetConfig& t, const QString& name)
    {
        for (const SignalConfig& s : t.signalConfigs)
            if (s.name == name)
                return &s;
        return nullptr;
    }

private Q_SLOTS:
    void dsn_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("normalised"); ///< empty: refused
        QTest::addColumn<QString>("error");
        QTest::addRow("full") << QStringLiteral("postgresql://fd@127.0.0.1:5433/bank")
                              << QStringLiteral("postgresql://fd@127.0.0.1:5433/bank") << QString();
        QTest::addRow("default port, postgres scheme")
            << QStringLiteral("postgres://fd@db.example/bank") << QStringLiteral("postgresql://fd@db.example:5432/bank")
            << QString();
        QTest::addRow("sslmode in the query")
            << QStringLiteral("postgresql://fd@h/bank?sslmode=require")
            << QStringLiteral("postgresql://fd@h:5432/bank?sslmode=require") << QString();
        QTest::addRow("password in the userinfo") << QStringLiteral("postgresql://fd:hunter2@h/bank") << QString()
                                                  << QStringLiteral("never written in the DSN");
        QTest::addRow("password as a parameter") << QStringLiteral("postgresql://fd@h/bank?password=hunter2")
                                                 << QString() << QStringLiteral("never written in the DSN");
        QTest::addRow("no user") << QStringLiteral("postgresql://h/bank") << QString() << QStringLiteral("no user");
        QTest::addRow("no database") << QStringLiteral("postgresql://fd@h") << QString()
                                     << QStringLiteral("no database");
        QTest::addRow("other scheme") << QStringLiteral("mysql://fd@h/bank") << QString()
                                      << QStringLiteral("postgresql://");
        QTest::addRow("unknown sslmode") << QStringLiteral("postgresql://fd@h/bank?sslmode=maybe") << QString()
                                         << QStringLiteral("sslmode must be");
        QTest::addRow("unknown parameter") << QStringLiteral("postgresql://fd@h/bank?gssencmode=require") << QString()
                                           << QStringLiteral("unsupported DSN parameter 'gssencmode'");
    }

    void dsn()
    {
        QFETCH(QString, text);
        QFETCH(QString, normalised);
        QFETCH(QString, error);
        QString why;
        const auto d = PostgresDsn::parse(text, &why);
        if (normalised.isEmpty()) {
            QVERIFY(!d);
            QVERIFY2(why.contains(error), qPrintable(why));
            QVERIFY2(!why.contains(QStringLiteral("hunter2")), "the refused secret is not repeated");
        } else {
            QVERIFY2(d, qPrintable(why));
            QCOMPARE(d->toString(), normalised);
        }
    }

    void builtinSignalsAndThresholds()
    {
        const QByteArray yaml = "version: 1\n"
                                "targets:\n"
                                "  - name: pg-primary\n"
                                "    probes:\n"
                                "      - kind: postgres\n"
                                "        dsn: postgresql://faultdesk@127.0.0.1:5432/bank\n"
                                "        password: { file: secrets/pg }\n"
                                "        sslmode: verify-full\n"
                                "        ca_file: ca.pem\n"
                                "        timeout: 2s\n"
                                "        max_replication_lag: 10s\n"
                                "        max_transaction_age: 15m\n";
        QTemporaryDir dir;
        QFile ca(dir.filePath(QStringLiteral("ca.pem")));
        QVERIFY(ca.open(QIODevice::WriteOnly));
        ca.write("-----BEGIN CERTIFICATE-----\n");
        ca.close();
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"), dir.path());
        QVERIFY2(r.ok(), r.errors.isEmpty() ? "" : qPrintable(r.errors.first().toString()));
        const TargetConfig& t = r.config->targets.first();
        QCOMPARE(t.probes.size(), 1);
        const ProbeConfig& p = t.probes.first();
        QCOMPARE(p.kind, ProbeConfig::Kind::Postgres);
        QCOMPARE(ProbeConfig::kindName(p.kind), QStringLiteral("postgres"));
        QVERIFY(p.postgres);
        QCOMPARE(p.postgres->dsn.sslMode, PostgresDsn::SslMode::VerifyFull);
        QCOMPARE(p.postgres->dsn.caFile, dir.filePath(QStringLiteral("ca.pem")));
        QCOMPARE(p.postgres->dsn.password->toString(), u"file:" + dir.filePath(QStringLiteral("secrets/pg")));
        QCOMPARE(p.timeout->count(), 2000);

        for (const char* name :
            { "pg_up", "pg_role", "pg_replication_lag_seconds", "pg_replicas_streaming", "pg_checksum_failures",
                "pg_checksum_failures_new", "pg_connections_used_ratio", "pg_oldest_transaction_seconds" }) {
            const SignalConfig* s = signal(t, QString::fromLatin1(name));
            QVERIFY2(s, name);
            QVERIFY(s->builtin);
        }
        const SignalConfig* integrity = signal(t, QStringLiteral("pg_checksum_failures_new"));
        QVERIFY(integrity->threshold);
        QCOMPARE(integrity->cause, CauseClass::DataIntegrity);
        QCOMPARE(integrity->threshold->enter, 0.0); // any increase
        QVERIFY(!signal(t, QStringLiteral("pg_checksum_failures"))->threshold); // the raw counter is only charted
        QCOMPARE(signal(t, QStringLiteral("pg_replication_lag_seconds"))->threshold->enter, 10.0);
        QCOMPARE(signal(t, QStringLiteral("pg_oldest_transaction_seconds"))->threshold->enter, 900.0);
        QCOMPARE(signal(t, QStringLiteral("pg_connections_used_ratio"))->cause, CauseClass::Overload);
    }

    void criticalTables_data()
    {
        QTest::addColumn<QByteArray>("tables");
        QTest::addColumn<QString>("error");
        QTest::addRow("names and a sampled table")
            << QByteArray("[accounts, {table: bank.ledger, max_rows: 5000}]") << QString();
        QTest::addRow("not a list") << QByteArray("accounts")
                                    << QStringLiteral("fleet.yaml:7:26: 'critical_tables' must be a list of table "
                                                      "names or {table: NAME, max_rows: N}");
        QTest::addRow("SQL in a name") << QByteArray("['accounts; DROP TABLE x']")
                                       << QStringLiteral("fleet.yaml:7:27: critical table 'accounts; DROP TABLE x' is "
                                                         "not a table name (name or schema.name: letters, digits, "
                                                         "'_', '$')");
        QTest::addRow("too few rows to sample") << QByteArray("[{table: ledger, max_rows: 5}]")
                                                << QStringLiteral("fleet.yaml:7:53: 'max_rows' must be a whole number "
                                                                  "of at least 100, got '5'");
    }

    void criticalTables()
    {
        QFETCH(QByteArray, tables);
        QFETCH(QString, error);
        const QByteArray yaml = "version: 1\n"
                                "targets:\n"
                                "  - name: pg-primary\n"
                                "    probes:\n"
                                "      - kind: postgres\n"
                                "        dsn: postgresql://faultdesk@127.0.0.1:5432/bank\n"
                                "        critical_tables: "
            + tables + "\n";
        const ConfigLoadResult r = FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
        if (!error.isEmpty()) {
            QVERIFY(!r.ok());
            QCOMPARE(r.errors.first().toString(), error);
            return;
        }
        QVERIFY2(r.ok(), r.errors.isEmpty() ? "" : qPrintable(r.errors.first().toString()));
        const auto& t = r.config->targets.first().probes.first().postgres->criticalTables;
        QCOMPARE(t.size(), 2);
        QCOMPARE(t.at(0).name, QStringLiteral("accounts"));
        QCOMPARE(t.at(0).maxRows, 1000000);
        QCOMPARE(t.at(1).name, QStringLiteral("bank.ledger"));
        QCOMPARE(t.at(1).maxRows, 5000);
    }

    void shippedExampleLoads()
    {
        const ConfigLoadResult r = FleetConfigLoader::loadFile(
            QStringLiteral(FAULTDESK_SOURCE_DIR "/resources/examples/postgres-primary-replica.yaml"));
        QVERIFY2(r.ok(), r.errors.isEmpty() ? "" : qPrintable(r.errors.first().toString()));
        QCOMPARE(r.config->targets.size(), 2);
        QVERIFY(r.config->targets.at(1).probes.first().postgres);
    }
};

QTEST_GUILESS_MAIN(TestPostgresProbeReader)
#include "tst_postgresprobereader.moc"
