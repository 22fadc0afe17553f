#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QSslConfiguration>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#include <memory>

namespace FaultDesk::Test {

/**
 * A loopback HTTP/1.1 server that records every request it receives (method, path, headers, body) and answers
 * each path with a canned reply — what redirect and secret tests need to prove who received what. Unknown paths
 * get 200 "ok". One request per connection (Connection: close), so every hop is a fresh connection.
 */
class RecordingHttpServer : public QObject
{
public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;

        QByteArray header(const QByteArray& name) const
        {
            for (const auto& [n, v] : headers)
                if (n.compare(name, Qt::CaseInsensitive) == 0)
                    return v;
            return {};
        }
        /// The whole request as received, for searching.
        QByteArray raw;
    };
    struct Reply
    {
        int status = 200;
        QByteArray headers; ///< extra header lines, each ending in "\r\n"
        QByteArray body = QByteArrayLiteral("ok\n"); ///< "%AUTHORIZATION%" becomes the request's header (an echo)
    };

    /// Plain HTTP, or HTTPS with @p tls (a configuration holding the server's certificate and key).
    explicit RecordingHttpServer(const QSslConfiguration& tls = {})
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
            while (QTcpSocket* socket = m_server->nextPendingConnection()) {
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onRead(socket); });
            }
        });
    }

    bool isListening() const { return m_server->isListening(); }
    quint16 port() const { return m_server->serverPort(); }
    /// SCHEME://HOST:PORT/PATH; @p host may name the server differently (127.0.0.1 or localhost).
    QUrl url(const QString& path = QStringLiteral("/"), const QString& host = QStringLiteral("127.0.0.1")) const
    {
        return QUrl(QStringLiteral("%1://%2:%3%4").arg(m_scheme, host).arg(port()).arg(path));
    }
    void route(const QByteArray& path, const Reply& reply) { m_routes.insert(path, reply); }
    /// A redirect of @p path to @p location with @p status.
    void redirect(const QByteArray& path, const QUrl& location, int status = 302)
    {
        route(path, Reply { status, "Location: " + location.toEncoded() + "\r\n", {} });
    }
    const QList<Request>& requests() const { return m_requests; }
    /// Requests that carried an Authorization header.
    int requestsWithAuthorization() const
    {
        int n = 0;
        for (const Request& r : m_requests)
            n += r.header("Authorization").isEmpty() ? 0 : 1;
        return n;
    }
    /// How often @p needle occurs in everything received.
    int occurrences(const QByteArray& needle) const
    {
        int n = 0;
        for (const Request& r : m_requests)
            n += int(r.raw.count(needle));
        return n;
    }

private:
    void onRead(QTcpSocket* socket)
    {
        QByteArray& buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        Request r;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        r.method = first.value(0);
        r.path = first.value(1);
        qsizetype length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = lines.at(i).left(colon).trimmed();
            const QByteArray value = lines.at(i).mid(colon + 1).trimmed();
            r.headers.append({ name, value });
            if (name.compare("Content-Length", Qt::CaseInsensitive) == 0)
                length = value.toLongLong();
        }
        if (buffer.size() < end + 4 + length)
            return;
        r.body = buffer.mid(end + 4, length);
        r.raw = buffer.left(end + 4 + length);
        m_buffers.remove(socket);
        m_requests.append(r);
        const QByteArray routeKey = r.path.split('?').value(0);
        Reply reply = m_routes.value(routeKey, m_routes.value(r.path, Reply {}));
        reply.body.replace("%AUTHORIZATION%", r.header("Authorization"));
        socket->write("HTTP/1.1 " + QByteArray::number(reply.status) + " Status\r\nConnection: close\r\n"
            + reply.headers + "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n\r\n" + reply.body);
        socket->disconnectFromHost();
    }

    std::unique_ptr<QTcpServer> m_server;
    QString m_scheme = QStringLiteral("http");
    QHash<QByteArray, Reply> m_routes;
    QHash<QTcpSocket*, QByteArray> m_buffers;
    QList<Request> m_requests;
};

} // namespace FaultDesk::Test
