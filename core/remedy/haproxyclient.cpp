#include "remedy/haproxyclient.h"

#include "remedy/haproxyreply.h"

#include <QLocalSocket>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace FaultDesk {

HaproxyClient::HaproxyClient(QString endpoint, QObject* parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
{ }

namespace {

// One exchange: connect, write, read to EOF. Owns its socket and deletes itself when done.
template <typename Socket> class Exchange : public QObject
{
public:
    Exchange(QObject* parent, HaproxyCommand command, HaproxyClient::Callback done, std::chrono::milliseconds timeout)
        : QObject(parent)
        , m_command(std::move(command))
        , m_done(std::move(done))
    {
        m_timer.setSingleShot(true);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this, timeout] {
            complete({ false, {}, QStringLiteral("no complete answer within %1 ms").arg(qint64(timeout.count())) });
        });
        m_timer.start(timeout);
        QObject::connect(
            &m_socket, &Socket::connected, this, [this] { m_socket.write((m_command.text() + u'\n').toUtf8()); });
        QObject::connect(&m_socket, &Socket::readyRead, this, [this] {
            m_reply += m_socket.readAll();
            if (m_reply.size() > 16 * 1024 * 1024)
                complete({ false, {}, QStringLiteral("answer larger than 16 MiB") });
        });
        QObject::connect(&m_socket, &Socket::disconnected, this, [this] {
            m_reply += m_socket.readAll();
            interpret();
        });
        QObject::connect(&m_socket, &Socket::errorOccurred, this, [this] {
            if (m_connectedOnce())
                return; // RemoteHostClosed after the answer: disconnected() handles it
            complete({ false, {}, m_socket.errorString() });
        });
    }

    ~Exchange() override
    {
        // A socket closed by its destructor reports "disconnected": that must not answer a client (or its owner)
        // that is being destroyed.
        m_completed = true;
        QObject::disconnect(&m_socket, nullptr, this, nullptr);
    }

    Socket& socket() { return m_socket; }

private:
    bool m_connectedOnce() const
    {
        if constexpr (std::is_same_v<Socket, QLocalSocket>)
            return m_socket.error() == QLocalSocket::PeerClosedError;
        else
            return m_socket.error() == QAbstractSocket::RemoteHostClosedError;
    }

    void interpret()
    {
        QString text = QString::fromUtf8(m_reply);
        while (text.endsWith(u'\n'))
            text.chop(1);
        QString error;
        const bool ok = HaproxyReply::accepts(m_command, text, &error);
        if (ok && m_command.isChange())
            complete({ true, {}, {} });
        else
            complete({ ok, text, error });
    }

    void complete(const HaproxyClient::Reply& reply)
    {
        if (m_completed)
            return;
        m_completed = true;
        m_timer.stop();
        QObject::disconnect(&m_socket, nullptr, this, nullptr);
        m_socket.abort();
        auto done = std::move(m_done);
        deleteLater();
        if (done)
            done(reply);
    }

    Socket m_socket;
    QTimer m_timer;
    HaproxyCommand m_command;
    HaproxyClient::Callback m_done;
    QByteArray m_reply;
    bool m_completed = false;
};

} // namespace

void HaproxyClient::send(const HaproxyCommand& command, Callback done)
{
    QPointer<HaproxyClient> self(this);
    auto deliver = [self, done = std::move(done)](const Reply& reply) {
        if (self && done)
            done(reply);
    };
    if (!command.isValid()) {
        QTimer::singleShot(0, this, [deliver, error = command.error()] { deliver({ false, {}, error }); });
        return;
    }
    const QString text = command.text();
    if (text.contains(u';') || text.contains(u'\n') || text.contains(u'\r') || text.contains(u'\\')) {
        QTimer::singleShot(0, this, [deliver] {
            deliver({ false, {}, QStringLiteral("command refused: it contains a separator") });
        });
        return;
    }
    QString path = m_endpoint;
    if (path.startsWith(u"unix:"))
        path = path.mid(5);
    if (path.startsWith(u'/')) {
        auto* ex = new Exchange<QLocalSocket>(this, command, deliver, m_timeout);
        ex->socket().connectToServer(path);
        return;
    }
    const qsizetype colon = m_endpoint.lastIndexOf(u':');
    bool ok = false;
    const uint port = colon > 0 ? m_endpoint.mid(colon + 1).toUInt(&ok) : 0;
    if (!ok || port == 0 || port > 65535) {
        QTimer::singleShot(0, this, [deliver, ep = m_endpoint] {
            deliver(
                { false, {}, QStringLiteral("HAProxy endpoint '%1' is neither a socket path nor host:port").arg(ep) });
        });
        return;
    }
    auto* ex = new Exchange<QTcpSocket>(this, command, deliver, m_timeout);
    QString host = m_endpoint.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2); // [::1]:9999
    ex->socket().connectToHost(host, quint16(port));
}

} // namespace FaultDesk
