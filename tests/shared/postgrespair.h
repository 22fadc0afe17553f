#pragma once

// The bank case's database for tests: a primary (initdb -k) and its streaming replica started in temporary
// directories (tests/shared/postgresharness.h), a `bank` database with the critical tables `accounts` (2,000 rows) and
// `ledger` (20,000) and an application table `payments`, the `faultdesk` role with exactly the privileges the built-in
// fail-over needs, the operator's rebuild/start/stop scripts for each server (from the other one), a page of
// `accounts` to corrupt on disk,
// the two targets' fleet YAML and an HAProxy TCP backend whose health check passes only on the writable primary.
// Shared by the remedy fail-over test and the headless `monitor --auto` test.

#include "shared/postgresharness.h"

#include <QProcessEnvironment>

namespace FaultDesk::Test {

class PostgresPair
{
public:
    static QString role() { return QStringLiteral("faultdesk"); }
    static QString password() { return QStringLiteral("bank-pg-s3cret"); }
    /// Where the fleet's `password: {env: …}` finds it (setUp() sets it in this process; children inherit it).
    static QString passwordVariable() { return QStringLiteral("FD_TEST_BANK_PG_PASSWORD"); }
    /// The login HAProxy's health check uses: trusted on TCP for database postgres only, no privilege at all.
    static QString checkRole() { return QStringLiteral("haproxy_check"); }

    PostgresHarness& primary() { return m_primary; }
    PostgresHarness& replica() { return m_replica; }

    /// Starts both servers with the bank's data, the replica streaming; false with @p error when that fails.
    bool setUp(QString* error)
    {
        if (!m_primary.initAndStart(error))
            return false;
        // HAProxy's check logs in without a password (it cannot do SCRAM), as a role that can do nothing but ask.
        {
            QFile hba(m_primary.dataDir() + QStringLiteral("/pg_hba.conf"));
            if (!hba.open(QIODevice::ReadOnly))
                return fail(error, QStringLiteral("cannot read pg_hba.conf"));
            const QByteArray rest = hba.readAll();
            hba.close();
            if (!hba.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return fail(error, QStringLiteral("cannot write pg_hba.conf"));
            hba.write("host postgres " + checkRole().toUtf8() + " 127.0.0.1/32 trust\n" + rest);
            hba.close();
        }
        bool ok = m_primary.createRole(role(), password()) && m_primary.createDatabase(QStringLiteral("bank"), role());
        m_primary.psql(QStringLiteral("CREATE ROLE %1 LOGIN; SELECT pg_reload_conf()").arg(checkRole()),
            QStringLiteral("postgres"), &ok);
        if (!ok)
            return fail(error, QStringLiteral("cannot create the roles and the bank database"));
        // What the remediation role needs, and nothing more: fence (ALTER SYSTEM on one parameter, reload), end
        // writers, promote, amcheck; it owns the bank database (its write check table lives there). Function
        // privileges live in each database's own catalog.
        m_primary.psql(QStringLiteral("GRANT ALTER SYSTEM ON PARAMETER default_transaction_read_only TO %1;"
                                      "GRANT EXECUTE ON FUNCTION pg_reload_conf() TO %1;"
                                      "GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO %1;"
                                      "GRANT pg_signal_backend TO %1")
                           .arg(role()),
            QStringLiteral("bank"), &ok);
        if (!ok)
            return fail(error, QStringLiteral("cannot grant the fail-over's privileges"));
        m_primary.psql(
            QStringLiteral(
                "CREATE EXTENSION amcheck;"
                "GRANT EXECUTE ON FUNCTION verify_heapam(regclass, boolean, boolean, text, bigint, bigint) TO %1;"
                "GRANT EXECUTE ON FUNCTION bt_index_check(regclass) TO %1;"
                "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL);"
                "INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 2000) g;"
                "CREATE TABLE ledger (id bigint PRIMARY KEY, account int NOT NULL, amount numeric NOT NULL);"
                "INSERT INTO ledger SELECT g, g % 2000 + 1, g % 97 FROM generate_series(1, 20000) g;"
                "CREATE TABLE payments (id bigserial PRIMARY KEY, amount numeric NOT NULL, at timestamptz NOT NULL "
                "DEFAULT now());"
                "ANALYZE; GRANT SELECT ON accounts, ledger TO %1; GRANT SELECT, INSERT ON payments TO %1;"
                "GRANT USAGE ON SEQUENCE payments_id_seq TO %1; CHECKPOINT")
                .arg(role()),
            QStringLiteral("bank"), &ok);
        if (!ok)
            return fail(error, QStringLiteral("cannot create the bank's tables"));
        if (!m_replica.startReplicaOf(m_primary, error))
            return false;
        if (!QTest::qWaitFor(
                [&] {
                    return m_replica.psql(QStringLiteral("SELECT count(*) FROM ledger"), QStringLiteral("bank"))
                        == u"20000";
                },
                20000))
            return fail(error, QStringLiteral("the replica did not catch up"));
        qputenv(passwordVariable().toUtf8().constData(), password().toUtf8());
        return writeScripts(error);
    }

    /// The replica's content of `accounts`, in key order (what the rebuilt primary must equal).
    QString accountsMd5()
    {
        return m_replica.psql(QStringLiteral("SELECT md5(string_agg(a::text, E'\\n' ORDER BY a.id)) FROM accounts a"),
            QStringLiteral("bank"));
    }

    /**
     * A failed upgrade damages one page of the primary's copy of `accounts` on disk: the server stopped (no buffer
     * holds the page), 60 bytes of block 1 inverted, the server started again and the replica streaming from it.
     */
    bool corruptAccountsPage(QString* error)
    {
        const QString file
            = m_primary.psql(QStringLiteral("SELECT pg_relation_filepath('accounts')"), QStringLiteral("bank"));
        if (!file.startsWith(QStringLiteral("base/")))
            return fail(error, QStringLiteral("no file for accounts: ") + file);
        m_primary.stop();
        QFile relation(m_primary.dataDir() + u'/' + file);
        if (!relation.open(QIODevice::ReadOnly) || !relation.seek(pageOffset))
            return fail(error, QStringLiteral("cannot read ") + relation.fileName());
        QByteArray bytes = relation.read(60);
        relation.close();
        for (char& c : bytes)
            c = char(~c);
        if (!m_primary.overwrite(file, pageOffset, bytes))
            return fail(error, QStringLiteral("cannot write ") + relation.fileName());
        if (!m_primary.start(error))
            return false;
        if (!QTest::qWaitFor(
                [&] {
                    return m_replica.psql(QStringLiteral("SELECT status FROM pg_stat_wal_receiver")) == u"streaming";
                },
                20000))
            return fail(error, QStringLiteral("the replica did not stream from the restarted primary again"));
        return true;
    }

    /// An application reads `accounts` on the primary; false when the read fails (the damaged page).
    bool readAccountsOnPrimary() { return read(m_primary); }

    /// Where the pair sits in an HAProxy pool (empty: no pool).
    struct Pool
    {
        QString instance;
        QString backend;
    };
    /// How the replica is described beyond the pair itself.
    struct ReplicaOptions
    {
        bool dependsOnPrimary = false; ///< `depends_on: [pg-primary]`
        QString maxReplicationLag; ///< `max_replication_lag:` of its probe ("2s"); empty: the default
        /// `commands: {stop, rebuild, start}` as the primary has them (from the primary): what switching back needs
        bool rebuildCommands = false;
    };

    /**
     * The two targets (pg-primary, pg-replica) of group bank-db as fleet YAML under `targets:`: postgres probes with
     * the password by reference, the critical tables (ledger sampled), the primary's stop/rebuild/start commands, their
     * pool membership when @p pool names one, and the replica as @p replica says.
     */
    QString targetsYaml(const Pool& pool, const ReplicaOptions& replica) const
    {
        auto member = [&](const QString& server) {
            return pool.backend.isEmpty() ? QString()
                                          : QStringLiteral("    haproxy: {instance: %1, backend: %2, server: %3}\n")
                                                .arg(pool.instance, pool.backend, server);
        };
        auto commands = [](const PostgresHarness& server) {
            return QStringLiteral("    commands:\n"
                                  "      stop: %1\n"
                                  "      rebuild: %2\n"
                                  "      start: %3\n")
                .arg(argvOf(server.dir() + QStringLiteral("/stop.sh")),
                    argvOf(server.dir() + QStringLiteral("/rebuild.sh")),
                    argvOf(server.dir() + QStringLiteral("/start.sh")));
        };
        const QString probe = QStringLiteral("    probes:\n"
                                             "      - kind: postgres\n"
                                             "        dsn: %1\n"
                                             "        password: {env: %2}\n"
                                             "        critical_tables: [accounts, {table: ledger, max_rows: 4000}]\n");
        return QStringLiteral("  - name: pg-primary\n"
                              "    group: bank-db\n"
                              "    labels: {role: primary}\n")
            + probe.arg(m_primary.dsn(role(), QStringLiteral("bank")), passwordVariable()) + member(u"pg-primary"_qs)
            + commands(m_primary)
            + QStringLiteral("  - name: pg-replica\n"
                             "    group: bank-db\n"
                             "    labels: {role: replica}\n")
            + (replica.dependsOnPrimary ? QStringLiteral("    depends_on: [pg-primary]\n") : QString())
            + probe.arg(m_replica.dsn(role(), QStringLiteral("bank")), passwordVariable())
            + (replica.maxReplicationLag.isEmpty()
                    ? QString()
                    : QStringLiteral("        max_replication_lag: %1\n").arg(replica.maxReplicationLag))
            + member(u"pg-replica"_qs) + (replica.rebuildCommands ? commands(m_replica) : QString());
    }

    QString targetsYaml(const Pool& pool = {}) const { return targetsYaml(pool, ReplicaOptions {}); }

    /**
     * The lines of an HAProxy TCP backend holding both servers, whose health check logs in as checkRole() and asks
     * `SHOW transaction_read_only`: UP only on a writable primary (a replica, or a fenced primary, answers "on").
     */
    QString haproxyBackendLines() const
    {
        QByteArray startup;
        appendInt(startup, 196608); // protocol 3.0
        startup += "user";
        startup += '\0';
        startup += checkRole().toUtf8();
        startup += '\0';
        startup += "database";
        startup += '\0';
        startup += "postgres";
        startup += '\0';
        startup += '\0';
        QByteArray length;
        appendInt(length, int(startup.size()) + 4);
        startup.prepend(length);
        const QByteArray sql = QByteArrayLiteral("SHOW transaction_read_only");
        QByteArray query("Q");
        appendInt(query, int(sql.size()) + 5);
        query += sql;
        query += '\0';
        return QStringLiteral("    balance first\n"
                              "    option tcp-check\n"
                              "    tcp-check connect\n"
                              "    tcp-check send-binary %1\n"
                              "    tcp-check expect binary 5a0000000549\n" // ReadyForQuery, idle
                              "    tcp-check send-binary %2\n"
                              "    tcp-check expect binary 440000000d0001000000036f6666\n" // DataRow 'off'
                              "    tcp-check send-binary 5800000004\n" // Terminate
                              "    timeout check 1s\n"
                              // sessions of a server marked DOWN are cut, so clients reconnect to the primary
                              "    default-server inter 300ms fall 1 rise 1 on-marked-down shutdown-sessions\n"
                              "    server pg-primary 127.0.0.1:%3 check\n"
                              "    server pg-replica 127.0.0.1:%4 check\n")
            .arg(QString::fromLatin1(startup.toHex()), QString::fromLatin1(query.toHex()))
            .arg(m_primary.port())
            .arg(m_replica.port());
    }

    /**
     * Runs @p sql as role() over TCP on 127.0.0.1:@p port (a server, or HAProxy's frontend) in database bank; the
     * output rows.
     */
    QString psqlAt(quint16 port, const QString& sql, bool* ok = nullptr) const
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGPASSWORD"), password());
        env.insert(QStringLiteral("PGCONNECT_TIMEOUT"), QStringLiteral("5"));
        p.setProcessEnvironment(env);
        p.start(PostgresHarness::binDir() + QStringLiteral("/psql"),
            { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-A"), QStringLiteral("-t"),
                QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-h"),
                QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port), QStringLiteral("-U"), role(),
                QStringLiteral("-d"), QStringLiteral("bank"), QStringLiteral("-c"), sql });
        const bool good = p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        if (ok)
            *ok = good;
        return QString::fromUtf8(good ? p.readAllStandardOutput() : p.readAllStandardError()).trimmed();
    }

    /// Stops everything: each server as a rebuild may have started it (its own script), then both harnesses.
    void stopAll()
    {
        for (const PostgresHarness* server : { &m_primary, &m_replica }) {
            const QString script = server->dir() + QStringLiteral("/stop.sh");
            if (!QFile::exists(script))
                continue;
            QProcess stop;
            QStringList argv { QStringLiteral("/bin/sh"), script };
            if (PostgresHarness::runsAsRoot())
                argv = QStringList { QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--") } + argv;
            stop.start(PostgresHarness::runsAsRoot() ? QStringLiteral("runuser") : argv.takeFirst(), argv);
            stop.waitForFinished(40000);
        }
        m_replica.stop();
        m_primary.stop();
    }

private:
    static constexpr qint64 pageOffset = 8192 + 8192 - 400; // inside block 1

    static bool fail(QString* error, const QString& message)
    {
        if (error)
            *error = message;
        return false;
    }

    static void appendInt(QByteArray& out, int v)
    {
        out += char((v >> 24) & 0xff);
        out += char((v >> 16) & 0xff);
        out += char((v >> 8) & 0xff);
        out += char(v & 0xff);
    }

    static bool read(PostgresHarness& server)
    {
        bool ok = true;
        server.psql(QStringLiteral("SELECT sum(balance) FROM accounts"), QStringLiteral("bank"), &ok);
        return ok;
    }

    // The argv (a YAML flow list) that runs @p script as the server's user (runuser when the test runs as root).
    static QString argvOf(const QString& script)
    {
        QStringList argv;
        if (PostgresHarness::runsAsRoot())
            argv << QStringLiteral("runuser") << QStringLiteral("-u") << QStringLiteral("postgres")
                 << QStringLiteral("--");
        argv << QStringLiteral("/bin/sh") << script;
        QStringList quoted;
        for (const QString& a : argv)
            quoted << u'\'' + a + u'\'';
        return u'[' + quoted.join(QStringLiteral(", ")) + u']';
    }

    static bool writeScript(const QString& path, const QStringList& lines)
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        f.write((lines.join(u'\n') + u'\n').toUtf8());
        f.close();
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
        return true;
    }

    // The rebuild as an operator would script it, for each server from the other: stop the node, copy the other (the
    // primary by then), start as a replica. The scripts and the rebuilt server's log live in the server's directory,
    // readable by the server's user.
    bool writeScripts(QString* error)
    {
        return writeScriptsOf(m_primary, m_replica, error) && writeScriptsOf(m_replica, m_primary, error);
    }

    static bool writeScriptsOf(const PostgresHarness& server, const PostgresHarness& source, QString* error)
    {
        const QString dir = server.dir();
        const QString bin = PostgresHarness::binDir();
        const QString data = server.dataDir();
        const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off -c "
                                               "max_connections=40 -c shared_buffers=16MB")
                                    .arg(server.port())
                                    .arg(server.socketDir());
        const QString stop = dir + QStringLiteral("/stop.sh");
        const bool ok
            = writeScript(stop,
                  { QStringLiteral("if [ -f '%1/postmaster.pid' ]; then '%2/pg_ctl' stop -D '%1' -m fast -w -t 30; fi")
                          .arg(data, bin) })
            && writeScript(dir + QStringLiteral("/rebuild.sh"),
                { QStringLiteral("set -e"), QStringLiteral("/bin/sh '%1'").arg(stop),
                    QStringLiteral("rm -rf '%1'").arg(data),
                    QStringLiteral("'%1/pg_basebackup' -D '%2' -h '%3' -p %4 -U postgres -R -X stream -c fast "
                                   "--no-sync")
                        .arg(bin, data, source.socketDir())
                        .arg(source.port()) })
            && writeScript(dir + QStringLiteral("/start.sh"),
                { QStringLiteral("exec '%1/pg_ctl' start -D '%2' -w -t 60 -l '%3/rebuilt.log' -o '%4'")
                        .arg(bin, data, dir, options) });
        return ok || fail(error, QStringLiteral("cannot write the rebuild scripts in ") + dir);
    }

    PostgresHarness m_primary;
    PostgresHarness m_replica;
};

} // namespace FaultDesk::Test
