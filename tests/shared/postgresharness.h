#pragma once

// A real PostgreSQL for tests: `initdb -k` (data checksums) in a scratch directory, `postgres` on 127.0.0.1 at a
// free port with its unix socket in that directory, login roles with passwords, always stopped (pg_ctl stop -m fast,
// then SIGKILL). PostgreSQL refuses to run as root: when the test runs as root (CI does), initdb, pg_ctl and postgres
// run as the `postgres` system user through `runuser`, and the scratch directory is handed to that user. Local
// (unix socket) connections are trusted, TCP ones need a password (scram-sha-256).

#include "shared/selfsignedcert.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

namespace FaultDesk::Test {

class PostgresHarness
{
public:
    /// Where the server programs are: Debian's versioned directory, else PATH.
    static QString binDir()
    {
        for (const char* dir :
            { "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin" }) {
            if (QFileInfo::exists(QString::fromLatin1(dir) + QStringLiteral("/postgres")))
                return QString::fromLatin1(dir);
        }
        const QString initdb = QStandardPaths::findExecutable(QStringLiteral("initdb"));
        return initdb.isEmpty() ? QString() : QFileInfo(initdb).absolutePath();
    }
    static bool runsAsRoot() { return ::geteuid() == 0; }

    PostgresHarness() = default;
    PostgresHarness(const PostgresHarness&) = delete;
    PostgresHarness& operator=(const PostgresHarness&) = delete;
    ~PostgresHarness() { stop(); }

    QString dir() const { return m_dir.path(); }
    QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }
    QString socketDir() const { return m_dir.path(); }
    quint16 port() const { return m_port; }
    bool isRunning() const { return m_server.state() != QProcess::NotRunning; }
    /// What the server logged.
    QByteArray log() const { return m_log; }
    /// `postgresql://USER@127.0.0.1:PORT/DATABASE`
    QString dsn(const QString& user, const QString& database) const
    {
        return QStringLiteral("postgresql://%1@127.0.0.1:%2/%3").arg(user).arg(m_port).arg(database);
    }

    /// initdb -k, then start(). False with @p error when PostgreSQL is missing or does not come up.
    bool initAndStart(QString* error)
    {
        if (binDir().isEmpty())
            return fail(error, QStringLiteral("PostgreSQL is not installed (scripts/install-deps installs it)"));
        if (!m_dir.isValid() || !handOver(m_dir.path(), error))
            return false;
        QByteArray out;
        if (!runAsServer(QStringLiteral("initdb"),
                { QStringLiteral("-D"), dataDir(), QStringLiteral("-k"), QStringLiteral("-U"),
                    QStringLiteral("postgres"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                    QStringLiteral("--locale=C"), QStringLiteral("--auth-local=trust"),
                    QStringLiteral("--auth-host=scram-sha-256"), QStringLiteral("--no-sync") },
                &out, 120000))
            return fail(error, QStringLiteral("initdb failed: ") + QString::fromLocal8Bit(out.right(2000)));
        return start(error);
    }

    /**
     * Makes the next start() serve TLS with a fresh self-signed certificate for 127.0.0.1 (openssl), which is also
     * the CA a client trusts: caFile(). Call before start().
     */
    bool enableTls(QString* error)
    {
        const QString key = m_dir.filePath(QStringLiteral("server.key"));
        const QString cert = caFile();
        if (!makeSelfSigned(key, cert, error))
            return false;
        QFile::setPermissions(key, QFile::ReadOwner | QFile::WriteOwner);
        if (!handOver(key, error) || !handOver(cert, error))
            return false;
        m_extraArgs = { QStringLiteral("-c"), QStringLiteral("ssl=on"), QStringLiteral("-c"),
            QStringLiteral("ssl_cert_file=") + cert, QStringLiteral("-c"), QStringLiteral("ssl_key_file=") + key };
        return true;
    }
    /// The server's certificate (self-signed: its own CA) once enableTls() ran.
    QString caFile() const { return m_dir.filePath(QStringLiteral("server.crt")); }

    /// A self-signed certificate for 127.0.0.1 in @p certPath (its key in @p keyPath), e.g. a CA that signed nothing.
    static bool makeSelfSigned(const QString& keyPath, const QString& certPath, QString* error)
    {
        return makeSelfSignedCertificate(keyPath, certPath, QStringLiteral("127.0.0.1"), error);
    }

    /**
     * Makes this harness a streaming replica of @p primary (pg_basebackup -R over the primary's unix socket, as its
     * superuser) and starts it. The primary must be running.
     */
    bool startReplicaOf(const PostgresHarness& primary, QString* error)
    {
        if (!m_dir.isValid() || !handOver(m_dir.path(), error))
            return false;
        QByteArray out;
        if (!runAsServer(QStringLiteral("pg_basebackup"),
                { QStringLiteral("-D"), dataDir(), QStringLiteral("-h"), primary.socketDir(), QStringLiteral("-p"),
                    QString::number(primary.port()), QStringLiteral("-U"), QStringLiteral("postgres"),
                    QStringLiteral("-R"), QStringLiteral("-X"), QStringLiteral("stream"), QStringLiteral("-c"),
                    QStringLiteral("fast"), QStringLiteral("--no-sync") },
                &out, 120000))
            return fail(error, QStringLiteral("pg_basebackup failed: ") + QString::fromLocal8Bit(out.right(2000)));
        m_extraArgs.clear(); // the primary's certificate paths do not exist here
        return start(error);
    }

    /// Starts the server on port() (a fresh free port the first time) and waits until it accepts connections.
    bool start(QString* error, int timeoutMs = 30000)
    {
        if (isRunning())
            return true;
        if (m_port == 0)
            m_port = freePort();
        m_log.clear();
        QObject::disconnect(&m_server, nullptr, nullptr, nullptr);
        m_server.setProcessChannelMode(QProcess::MergedChannels);
        QObject::connect(&m_server, &QProcess::readyRead, &m_server, [this] { m_log += m_server.readAll(); });
        const QStringList args
            = QStringList { QStringLiteral("-D"), dataDir(), QStringLiteral("-p"), QString::number(m_port),
                  QStringLiteral("-k"), socketDir(), QStringLiteral("-c"), QStringLiteral("listen_addresses=127.0.0.1"),
                  QStringLiteral("-c"), QStringLiteral("fsync=off"), QStringLiteral("-c"),
                  QStringLiteral("max_connections=40"), QStringLiteral("-c"), QStringLiteral("shared_buffers=16MB") }
            + m_extraArgs;
        const auto [program, argv] = asServer(QStringLiteral("postgres"), args);
        // A test killed before its destructor runs must not leave a server behind: the child dies with it
        // (SIGQUIT is postgres's immediate shutdown; runuser passes a SIGTERM on as a smart one).
        m_server.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, runsAsRoot() ? SIGTERM : SIGQUIT); });
        m_server.start(program, argv);
        if (!m_server.waitForStarted(5000))
            return fail(error, QStringLiteral("postgres did not start: ") + m_server.errorString());
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs && isRunning()) {
            if (ready())
                return true;
            QTest::qWait(50);
        }
        const QString why = QString::fromLocal8Bit(m_log.right(2000));
        stop();
        return fail(error, QStringLiteral("postgres did not become ready: ") + why);
    }

    /// Stops the server (pg_ctl stop -m @p mode: fast or immediate), killing it if it lingers.
    void stop(const QString& mode = QStringLiteral("fast"))
    {
        if (!isRunning())
            return;
        QByteArray out;
        runAsServer(QStringLiteral("pg_ctl"),
            { QStringLiteral("stop"), QStringLiteral("-D"), dataDir(), QStringLiteral("-m"), mode, QStringLiteral("-w"),
                QStringLiteral("-t"), QStringLiteral("30") },
            &out, 40000);
        if (!m_server.waitForFinished(10000)) {
            if (const qint64 pid = postmasterPid(); pid > 0)
                ::kill(pid_t(pid), SIGKILL);
            m_server.kill();
            m_server.waitForFinished(5000);
        }
    }

    bool restart(QString* error)
    {
        stop();
        return start(error);
    }

    /// Runs @p sql through psql on the unix socket as the superuser; the output rows, unaligned, '|' between columns.
    QString psql(const QString& sql, const QString& database = QStringLiteral("postgres"), bool* ok = nullptr) const
    {
        QProcess p;
        p.start(binDir() + QStringLiteral("/psql"),
            { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-A"), QStringLiteral("-t"),
                QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-h"), socketDir(),
                QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-U"), QStringLiteral("postgres"),
                QStringLiteral("-d"), database, QStringLiteral("-c"), sql });
        const bool finished = p.waitForFinished(60000);
        const bool good = finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        if (ok)
            *ok = good;
        if (!good)
            qWarning("psql failed on %s: %s", qPrintable(sql), p.readAllStandardError().constData());
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }

    /// A login role with @p password and the pg_monitor role (what the postgres probe reads needs it).
    bool createRole(const QString& name, const QString& password) const
    {
        bool ok = false;
        psql(QStringLiteral("CREATE ROLE \"%1\" LOGIN PASSWORD '%2'; GRANT pg_monitor TO \"%1\";").arg(name, password),
            QStringLiteral("postgres"), &ok);
        return ok;
    }

    bool createDatabase(const QString& name, const QString& owner = QStringLiteral("postgres")) const
    {
        bool ok = false;
        psql(QStringLiteral("CREATE DATABASE \"%1\" OWNER \"%2\"").arg(name, owner), QStringLiteral("postgres"), &ok);
        return ok;
    }

    /// The postmaster's pid from postmaster.pid, or 0.
    qint64 postmasterPid() const
    {
        QFile f(dataDir() + QStringLiteral("/postmaster.pid"));
        if (!f.open(QIODevice::ReadOnly))
            return 0;
        return f.readLine().trimmed().toLongLong();
    }

    /// Writes @p bytes at @p offset of @p relativePath under the data directory (a page to corrupt).
    bool overwrite(const QString& relativePath, qint64 offset, const QByteArray& bytes) const
    {
        QFile f(dataDir() + u'/' + relativePath);
        if (!f.open(QIODevice::ReadWrite) || !f.seek(offset))
            return false;
        return f.write(bytes) == bytes.size() && f.flush();
    }

    /// A file owned by the server's user, readable only by it (a password file, a certificate key).
    bool writePrivateFile(const QString& path, const QByteArray& text) const
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text) != text.size())
            return false;
        f.close();
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        return !runsAsRoot() || handOver(path, nullptr);
    }

private:
    static bool fail(QString* error, const QString& message)
    {
        if (error)
            *error = message;
        return false;
    }

    static quint16 freePort()
    {
        QTcpServer s;
        s.listen(QHostAddress::LocalHost, 0);
        return s.serverPort();
    }

    // As root, the server's files belong to `postgres`.
    static bool handOver(const QString& path, QString* error)
    {
        if (!runsAsRoot())
            return true;
        const passwd* pw = ::getpwnam("postgres");
        if (!pw)
            return fail(error,
                QStringLiteral("running as root needs the 'postgres' system user (the postgresql package makes it)"));
        if (::chown(QFile::encodeName(path).constData(), pw->pw_uid, pw->pw_gid) != 0)
            return fail(error, QStringLiteral("cannot hand %1 to the postgres user").arg(path));
        return true;
    }

    // The program and arguments that run @p tool of the server as the right user (argument vectors, never a shell).
    static std::pair<QString, QStringList> asServer(const QString& tool, const QStringList& args)
    {
        const QString program = binDir() + u'/' + tool;
        if (!runsAsRoot())
            return { program, args };
        return { QStringLiteral("runuser"),
            QStringList { QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"), program } + args };
    }

    static bool runAsServer(const QString& tool, const QStringList& args, QByteArray* output, int timeoutMs)
    {
        const auto [program, argv] = asServer(tool, args);
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(program, argv);
        const bool finished = p.waitForFinished(timeoutMs);
        if (!finished)
            p.kill();
        p.waitForFinished(5000);
        *output = p.readAll();
        return finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    bool ready() const
    {
        QProcess p;
        p.start(binDir() + QStringLiteral("/pg_isready"),
            { QStringLiteral("-q"), QStringLiteral("-h"), socketDir(), QStringLiteral("-p"), QString::number(m_port),
                QStringLiteral("-t"), QStringLiteral("1") });
        return p.waitForFinished(3000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    QTemporaryDir m_dir { QDir::tempPath() + QStringLiteral("/fdpgXXXXXX") };
    QProcess m_server;
    QStringList m_extraArgs;
    QByteArray m_log;
    quint16 m_port = 0;
};

} // namespace FaultDesk::Test
