#pragma once

// A real HAProxy on loopback for the remedy tests: its Runtime API on a unix socket (level admin), a TCP frontend
// that rejects the sources listed in an ACL file, and backend "web" whose servers are small HTTP responders in
// this process (they answer once a request is complete); or, with startBackend(), a backend of the caller's (a
// database pool with its own health check). Skips cleanly where haproxy is not installed.

#include "remedy/haproxyclient.h"
#include "remedy/haproxyserverstate.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

namespace FaultDesk::Test {

class HaproxyHarness : public QObject
{
public:
    static QString binary()
    {
        return QStandardPaths::findExecutable(
            QStringLiteral("haproxy"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin") });
    }

    ~HaproxyHarness() override { stop(); }

    /// Starts HAProxy with @p servers servers s1…sN of weight 10 in backend "web"; false with @p error if not.
    bool start(int servers, QString* error)
    {
        const QString haproxy = binary();
        if (haproxy.isEmpty() || !m_dir.isValid()) {
            *error = QStringLiteral("haproxy is not installed");
            return false;
        }
        QStringList serverLines;
        for (int i = 1; i <= servers; ++i) {
            auto* server = new QTcpServer(this);
            if (!server->listen(QHostAddress::LocalHost, 0)) {
                *error = server->errorString();
                return false;
            }
            connect(server, &QTcpServer::newConnection, this, [server, i] {
                while (QTcpSocket* s = server->nextPendingConnection()) {
                    connect(s, &QTcpSocket::readyRead, s, [s, i] {
                        if (s->peek(4096).contains("\r\n\r\n")) {
                            s->readAll();
                            s->write("HTTP/1.0 200 OK\r\n\r\ns" + QByteArray::number(i) + '\n');
                            s->disconnectFromHost();
                        }
                    });
                    connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
                }
            });
            m_servers.append(server);
            serverLines.append(
                QStringLiteral("    server s%1 127.0.0.1:%2 weight 10").arg(i).arg(server->serverPort()));
        }
        return launch(QStringLiteral("web"), QStringLiteral("    balance roundrobin\n") + serverLines.join(u'\n'),
            servers, error);
    }

    /**
     * Starts HAProxy with backend @p backend (its lines, servers included, in @p backendLines) behind the TCP
     * frontend, e.g. a database pool with its own health check; waits until its @p servers servers are listed.
     */
    bool startBackend(const QString& backend, const QString& backendLines, int servers, QString* error)
    {
        if (binary().isEmpty() || !m_dir.isValid()) {
            *error = QStringLiteral("haproxy is not installed");
            return false;
        }
        return launch(backend, backendLines, servers, error);
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    QString adminSocket() const { return m_admin; }
    QString aclFile() const { return m_acl; }
    QString directory() const { return m_dir.path(); }
    quint16 frontendPort() const { return m_frontendPort; }

    /// One Runtime API command, answered or not within 5 s.
    HaproxyClient::Reply send(const HaproxyCommand& command)
    {
        HaproxyClient client(m_admin);
        HaproxyClient::Reply reply;
        bool done = false;
        client.send(command, [&](const HaproxyClient::Reply& r) {
            reply = r;
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 6000))
            reply.error = QStringLiteral("no answer within 6 s");
        return reply;
    }

    /// Backend @p backend as HAProxy reports it now: state, weight, status, sessions.
    QList<HaproxyServerState> readStates(const QString& backend = QStringLiteral("web"))
    {
        const auto state = send(HaproxyCommand::showServersState(backend));
        if (!state.ok)
            return {};
        QList<HaproxyServerState> states = HaproxyServerState::parseServersState(state.text);
        const auto stat = send(HaproxyCommand::showStat());
        HaproxyServerState::mergeStat(states, stat.text);
        return states;
    }

    /// The entries of the block ACL as `show acl` lists them.
    QStringList showAcl()
    {
        QStringList entries;
        for (const QString& line : send(HaproxyCommand::showAcl(m_acl)).text.split(u'\n', Qt::SkipEmptyParts))
            if (const QString v = line.section(u' ', 1).trimmed(); !v.isEmpty())
                entries << v;
        return entries;
    }

    /// The ACL file on disk (HAProxy never writes it; a runtime change must not either).
    QByteArray aclFileContent() const
    {
        QFile f(m_acl);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
    }

    /// Every server ready with weight 10, the ACL empty.
    void reset()
    {
        for (int i = 1; i <= m_servers.size(); ++i) {
            send(
                HaproxyCommand::setState(QStringLiteral("web"), QStringLiteral("s%1").arg(i), QStringLiteral("ready")));
            send(HaproxyCommand::setWeight(QStringLiteral("web"), QStringLiteral("s%1").arg(i), 10));
        }
        for (const QString& e : showAcl())
            send(HaproxyCommand::delAcl(m_acl, e));
    }

private:
    bool launch(const QString& backend, const QString& backendLines, int servers, QString* error)
    {
        const QString haproxy = binary();
        {
            QTcpServer probe; // a free port for the TCP frontend (HAProxy cannot bind port 0)
            probe.listen(QHostAddress::LocalHost, 0);
            m_frontendPort = probe.serverPort();
        }
        m_admin = m_dir.filePath(QStringLiteral("admin.sock"));
        m_acl = m_dir.filePath(QStringLiteral("blocked.acl"));
        QFile acl(m_acl);
        if (!acl.open(QIODevice::WriteOnly)) {
            *error = acl.errorString();
            return false;
        }
        acl.close();
        const QString config = QStringLiteral("global\n"
                                              "    stats socket %1 mode 600 level admin\n"
                                              "    stats timeout 10s\n"
                                              "defaults\n"
                                              "    mode tcp\n"
                                              "    timeout connect 2s\n"
                                              "    timeout client 60s\n"
                                              "    timeout server 60s\n"
                                              "frontend fe\n"
                                              "    bind 127.0.0.1:%2\n"
                                              "    acl blocked src -f %3\n"
                                              "    tcp-request connection reject if blocked\n"
                                              "    default_backend %4\n"
                                              "backend %4\n"
                                              "%5\n")
                                   .arg(m_admin)
                                   .arg(m_frontendPort)
                                   .arg(m_acl, backend, backendLines);
        QFile cfg(m_dir.filePath(QStringLiteral("haproxy.cfg")));
        if (!cfg.open(QIODevice::WriteOnly)) {
            *error = cfg.errorString();
            return false;
        }
        cfg.write(config.toUtf8());
        cfg.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(haproxy, { QStringLiteral("-db"), QStringLiteral("-f"), cfg.fileName() });
        if (!m_process.waitForStarted()) {
            *error = m_process.errorString();
            return false;
        }
        if (!QTest::qWaitFor(
                [&] { return readStates(backend).size() == servers || m_process.state() != QProcess::Running; }, 15000)
            || m_process.state() != QProcess::Running) {
            *error = QString::fromLocal8Bit(m_process.readAll());
            return false;
        }
        return true;
    }

    QTemporaryDir m_dir { QDir::tempPath() + QStringLiteral("/fd-hap-XXXXXX") };
    QProcess m_process;
    QList<QTcpServer*> m_servers;
    quint16 m_frontendPort = 0;
    QString m_admin;
    QString m_acl;
};

} // namespace FaultDesk::Test
