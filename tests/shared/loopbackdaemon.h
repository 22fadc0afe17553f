#pragma once

// A real server program (Alertmanager, Prometheus, …) for tests and benchmarks: on 127.0.0.1 at a free port, its
// files in a scratch directory, ready when an HTTP path answers 200, always stopped (SIGTERM, then SIGKILL).

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

class LoopbackDaemon
{
public:
    LoopbackDaemon() = default;
    LoopbackDaemon(const LoopbackDaemon&) = delete;
    LoopbackDaemon& operator=(const LoopbackDaemon&) = delete;
    virtual ~LoopbackDaemon() { stop(); }

    quint16 port() const { return m_port; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    /// The scratch directory: configuration files and data live here, removed with the daemon.
    QString dir() const { return m_dir.path(); }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    qint64 pid() const { return m_process.processId(); }
    /// What it printed (stdout and stderr).
    QByteArray output() const { return m_output; }

    /**
     * Starts @p program with @p arguments (where "%PORT%" becomes the port) and waits until GET @p readyPath
     * answers 200. A port taken meanwhile or a slow start is retried on a fresh port, unless @p keepPort (a
     * restart that must come back where it was). prepare() runs before each launch, once the port is known.
     */
    bool start(const QString& program, const QStringList& arguments, const QByteArray& readyPath, int timeoutMs = 20000,
        bool keepPort = false)
    {
        for (int attempt = 0; attempt < (keepPort ? 1 : 3); ++attempt) {
            if (!keepPort || m_port == 0)
                m_port = freePort();
            if (!prepare())
                return false;
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
            qWarning("%s did not become ready: %s", qPrintable(program), m_output.right(2000).constData());
            stop();
        }
        return false;
    }

    /// SIGTERM, then SIGKILL after @p graceMs.
    void stop(int graceMs = 15000)
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(graceMs)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
        QObject::disconnect(&m_process, nullptr, nullptr, nullptr);
    }

    bool writeFile(const QString& name, const QByteArray& text) const
    {
        QFile f(m_dir.filePath(name));
        return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
    }

protected:
    /// Writes what the next launch needs once port() is chosen (a configuration naming it); false aborts start().
    virtual bool prepare() { return true; }

private:
    QTemporaryDir m_dir { QDir::tempPath() + QStringLiteral("/fddaemonXXXXXX") };
    QProcess m_process;
    QByteArray m_output;
    quint16 m_port = 0;
};

} // namespace FaultDesk::Test
