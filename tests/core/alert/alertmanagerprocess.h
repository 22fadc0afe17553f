#pragma once

// Test helpers: a real Alertmanager (and Prometheus) on loopback, on free ports, always stopped at the end.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

namespace FaultDesk::Test {

/// A port that was free a moment ago (the servers under test need a fixed number on their command line).
inline quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

/// Whether something answers HTTP 200 at @p path on 127.0.0.1:@p port.
inline bool httpOk(quint16 port, const QByteArray& path)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(500))
        return false;
    socket.write("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    QByteArray reply;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 1000 && !reply.contains("\r\n")) {
        socket.waitForReadyRead(200);
        reply += socket.readAll();
    }
    return reply.startsWith("HTTP/1.1 200");
}

/// A child server process with its scratch directory.
class ServerProcess
{
public:
    ServerProcess() = default;
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;
    ~ServerProcess() { stop(); }

    quint16 port() const { return m_port; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    QString dir() const { return m_dir.path(); }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    QByteArray output() const { return m_output; }

    /// Starts @p program with @p arguments (where "%PORT%" becomes a free port) and waits for @p readyPath.
    bool start(const QString& program, const QStringList& arguments, const QByteArray& readyPath, int timeoutMs = 20000)
    {
        for (int attempt = 0; attempt < 3; ++attempt) {
            m_port = freePort();
            QStringList args;
            for (const QString& a : arguments)
                args << QString(a).replace(QStringLiteral("%PORT%"), QString::number(m_port));
            m_output.clear();
            m_process.setProcessChannelMode(QProcess::MergedChannels);
            QObject::connect(&m_process, &QProcess::readyRead, &m_process, [this] { m_output += m_process.readAll(); });
            m_process.start(program, args);
            if (!m_process.waitForStarted(5000))
                return false;
            QElapsedTimer t;
            t.start();
            while (t.elapsed() < timeoutMs && m_process.state() == QProcess::Running) {
                if (httpOk(m_port, readyPath))
                    return true;
                QTest::qWait(100);
            }
            stop(); // the port was taken meanwhile, or the server is slow: try another port
        }
        return false;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
        QObject::disconnect(&m_process, nullptr, nullptr, nullptr);
    }

    bool writeFile(const QString& name, const QByteArray& text) const
    {
        QFile f(m_dir.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QByteArray m_output;
    quint16 m_port = 0;
};

/// Alertmanager with short group timings and no cluster; state (silences) under its own scratch directory.
class AlertmanagerProcess : public ServerProcess
{
public:
    bool start()
    {
        const QByteArray config = "route:\n"
                                  "  receiver: 'null'\n"
                                  "  group_wait: 100ms\n"
                                  "  group_interval: 200ms\n"
                                  "  repeat_interval: 1h\n"
                                  "receivers:\n"
                                  "  - name: 'null'\n";
        if (!writeFile(QStringLiteral("alertmanager.yml"), config))
            return false;
        QDir(dir()).mkpath(QStringLiteral("data"));
        return ServerProcess::start(QStringLiteral("/usr/bin/prometheus-alertmanager"),
            { QStringLiteral("--config.file=") + dir() + QStringLiteral("/alertmanager.yml"),
                QStringLiteral("--web.listen-address=127.0.0.1:%PORT%"), QStringLiteral("--cluster.listen-address="),
                QStringLiteral("--storage.path=") + dir() + QStringLiteral("/data"),
                QStringLiteral("--log.level=warn") },
            "/-/ready");
    }
};

} // namespace FaultDesk::Test
