#pragma once

#include <QByteArray>
#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <memory>

#include <sys/socket.h>

namespace FaultDesk::Test {

/**
 * A small HTTP/1.1 server on 127.0.0.1 (ephemeral port) for probe tests. Behaviour is chosen by path:
 *   /ok  /metrics  /chunked  /http10 (close-delimited)  /503  /redirect/N  /loop  /toftp  /tohttp  /missing (404)
 *   /hang (never answers)  /slow (trickles the whole response a byte per 100 ms)  /slowbody (headers, then trickle)
 *   /garbage  /reset (RST)  /close (closes without answering)  /okclose (answers, then closes the idle connection)
 *   /huge-length /huge-stream /huge-chunked (100 MB, announced / close-delimited / chunked, streamed in slices)
 * Keeps connections alive between requests and counts accepted connections.
 */
class TestHttpServer : public QObject
{
public:
    static constexpr qint64 HugeSize = 100LL * 1024 * 1024;

    /// Plain HTTP, or HTTPS with @p tls (a configuration holding the server's certificate and key).
    explicit TestHttpServer(const QSslConfiguration& tls = {})
    {
        if (tls.isNull()) {
            m_server = std::make_unique<QTcpServer>();
        } else {
            auto server = std::make_unique<QSslServer>();
            server->setSslConfiguration(tls);
            m_server = std::move(server);
            m_scheme = QStringLiteral("https");
        }
        m_server->listen(QHostAddress::LocalHost, 0);
        connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket* socket = m_server->nextPendingConnection())
                accept(socket);
        });
    }

    ~TestHttpServer() override
    {
        m_server->close();
        const auto sockets = m_server->findChildren<QTcpSocket*>(Qt::FindDirectChildrenOnly);
        for (QTcpSocket* socket : sockets) {
            socket->disconnect(this);
            delete socket;
        }
    }

    bool isListening() const { return m_server->isListening(); }
    quint16 port() const { return m_server->serverPort(); }
    /// URL of @p path on this server, addressed by @p host (the TLS certificate names "localhost").
    QUrl url(const QString& path, const QString& host = QStringLiteral("127.0.0.1")) const
    {
        return QUrl(QStringLiteral("%1://%2:%3%4").arg(m_scheme, host).arg(port()).arg(path));
    }
    int connectionsAccepted() const { return m_accepted; }
    int requestsServed() const { return m_requests; }

private:
    struct Stream
    {
        qint64 left = 0;
        bool chunked = false;
    };

    void accept(QTcpSocket* socket)
    {
        ++m_accepted;
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QObject::destroyed, this, [this, socket] { m_buffers.remove(socket); });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onRead(socket); });
    }

    void onRead(QTcpSocket* socket)
    {
        QByteArray& buffer = m_buffers[socket];
        buffer += socket->readAll();
        if (!buffer.isEmpty() && (buffer.at(0) < 'A' || buffer.at(0) > 'Z')) {
            // Not HTTP (a TLS ClientHello, say): answer like a real plain server would.
            socket->write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            socket->disconnectFromHost();
            buffer.clear();
            return;
        }
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray head = buffer.left(end);
            buffer.remove(0, end + 4);
            const QByteArray path = head.split(' ').value(1);
            ++m_requests;
            if (!respond(socket, path))
                return; // the connection is gone or taken over by a slow/streaming response
        }
    }

    static QByteArray response(
        int status, const QByteArray& reason, const QByteArray& body, const QByteArray& extraHeaders = {})
    {
        return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\nContent-Type: text/plain\r\n"
            + extraHeaders + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }

    // Returns false when the socket must not be read further in this call.
    bool respond(QTcpSocket* socket, const QByteArray& path)
    {
        if (path == "/ok") {
            socket->write(response(200, "OK", "ok\n"));
        } else if (path == "/metrics") {
            socket->write(response(200, "OK", "# TYPE up gauge\nup 1\n"));
        } else if (path == "/missing") {
            socket->write(response(404, "Not Found", "no such page\n"));
        } else if (path == "/503") {
            socket->write(response(503, "Service Unavailable", "db integrity check failed\nchecksum mismatch\n"));
        } else if (path == "/chunked") {
            socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "6\r\nhello \r\n8;ext=1\r\nchunked \r\n5\r\nworld\r\n0\r\nX-Trailer: 1\r\n\r\n");
        } else if (path == "/http10") {
            socket->write("HTTP/1.0 200 OK\r\n\r\nclose-delimited body");
            socket->disconnectFromHost();
            return false;
        } else if (path.startsWith("/redirect/")) {
            const int left = path.mid(10).toInt();
            const QByteArray next = left <= 1 ? QByteArray("/ok") : "/redirect/" + QByteArray::number(left - 1);
            socket->write(response(302, "Found", {}, "Location: " + next + "\r\n"));
        } else if (path == "/loop") {
            socket->write(response(301, "Moved Permanently", {}, "Location: /loop\r\n"));
        } else if (path == "/tohttp") {
            socket->write(response(302, "Found", {}, "Location: http://localhost/ok\r\n"));
        } else if (path == "/toftp") {
            socket->write(response(302, "Found", {}, "Location: ftp://127.0.0.1/file\r\n"));
        } else if (path == "/hang") {
            return false;
        } else if (path == "/slow" || path == "/slowbody") {
            trickle(socket, path == "/slow");
            return false;
        } else if (path == "/garbage") {
            socket->write(QByteArray("\x00\x17garbage, not HTTP at all\r\n\r\n", 30));
            socket->disconnectFromHost();
            return false;
        } else if (path == "/reset") {
            const struct linger hard
            {
                1, 0
            };
            ::setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
            socket->abort();
            return false;
        } else if (path == "/close") {
            socket->disconnectFromHost();
            return false;
        } else if (path == "/okclose") {
            socket->write(response(200, "OK", "ok\n"));
            QPointer<QTcpSocket> guard(socket);
            QTimer::singleShot(50, this, [guard] {
                if (guard)
                    guard->disconnectFromHost();
            });
        } else if (path.startsWith("/huge-")) {
            stream(socket, path);
            return false;
        } else {
            socket->write(response(404, "Not Found", "unknown test path\n"));
        }
        return true;
    }

    void trickle(QTcpSocket* socket, bool wholeResponse)
    {
        const QByteArray all = response(200, "OK", QByteArray(200, 'x'));
        qsizetype sent = 0;
        if (!wholeResponse) {
            sent = all.indexOf("\r\n\r\n") + 4;
            socket->write(all.left(sent));
        }
        auto* timer = new QTimer(socket);
        connect(timer, &QTimer::timeout, socket, [socket, all, sent]() mutable {
            if (sent < all.size())
                socket->write(all.mid(sent++, 1));
        });
        timer->start(100);
    }

    void stream(QTcpSocket* socket, const QByteArray& path)
    {
        static const QByteArray slice(64 * 1024, 'm');
        auto state = std::make_shared<Stream>();
        state->left = HugeSize;
        if (path == "/huge-length") {
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(HugeSize) + "\r\n\r\n");
        } else if (path == "/huge-chunked") {
            socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            state->chunked = true;
        } else {
            socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        }
        auto refill = [socket, state] {
            // Keep at most a few slices queued so the server's memory stays small too.
            while (state->left > 0 && socket->bytesToWrite() < 4 * slice.size()
                && socket->state() == QAbstractSocket::ConnectedState) {
                const qint64 n = qMin<qint64>(slice.size(), state->left);
                if (state->chunked)
                    socket->write(QByteArray::number(n, 16) + "\r\n" + slice.left(n) + "\r\n");
                else
                    socket->write(slice.constData(), n);
                state->left -= n;
            }
            if (state->left == 0 && state->chunked) {
                socket->write("0\r\n\r\n");
                state->left = -1;
            }
        };
        connect(socket, &QTcpSocket::bytesWritten, socket, refill);
        refill();
    }

    std::unique_ptr<QTcpServer> m_server;
    QString m_scheme = QStringLiteral("http");
    QHash<QTcpSocket*, QByteArray> m_buffers;
    int m_accepted = 0;
    int m_requests = 0;
};

/// Current and peak resident memory of this process in KiB, from /proc/self/status.
inline qint64 procStatusKiB(const char* field)
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray& line : file.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

/// Resets VmHWM to the current RSS (Linux clear_refs "5"), so a later VmHWM is the peak since now.
inline bool resetPeakRss()
{
    QFile file(QStringLiteral("/proc/self/clear_refs"));
    return file.open(QIODevice::WriteOnly) && file.write("5") == 1;
}

} // namespace FaultDesk::Test
