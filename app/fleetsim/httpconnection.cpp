#include "httpconnection.h"

#include <QTcpSocket>

namespace FaultDesk {

namespace {
constexpr qsizetype MaxHeaderBytes = 16 * 1024;
constexpr qsizetype MaxBodyBytes = 1024 * 1024;
} // namespace

HttpConnection::HttpConnection(QTcpSocket* socket, Handler handler, QObject* parent)
    : QObject(parent)
    , m_socket(socket)
    , m_handler(std::move(handler))
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    connect(&m_trickleTimer, &QTimer::timeout, this, [this] {
        if (m_trickleRest.isEmpty()) {
            m_trickleTimer.stop();
            finishRequest();
            return;
        }
        m_socket->write(m_trickleRest.left(1));
        m_trickleRest.remove(0, 1);
    });
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection() = default;

QByteArray HttpConnection::reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return QByteArrayLiteral("OK");
    case 202:
        return QByteArrayLiteral("Accepted");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 401:
        return QByteArrayLiteral("Unauthorized");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 409:
        return QByteArrayLiteral("Conflict");
    case 413:
        return QByteArrayLiteral("Payload Too Large");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 502:
        return QByteArrayLiteral("Bad Gateway");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    default:
        return QByteArrayLiteral("Status");
    }
}

void HttpConnection::onReadyRead()
{
    m_buffer += m_socket->readAll();
    while (!m_busy && parseOne()) { }
}

// Parses one complete request from the buffer and hands it out; false when more bytes are needed.
bool HttpConnection::parseOne()
{
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_buffer.size() > MaxHeaderBytes)
            fail(431, QByteArrayLiteral("request head too large"));
        return false;
    }
    if (end > MaxHeaderBytes) {
        fail(431, QByteArrayLiteral("request head too large"));
        return false;
    }
    const QList<QByteArray> lines = m_buffer.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.constFirst().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
        fail(400, QByteArrayLiteral("malformed request line"));
        return false;
    }
    HttpRequest request;
    request.method = requestLine.at(0);
    const QByteArray target = requestLine.at(1);
    const qsizetype q = target.indexOf('?');
    request.path = q < 0 ? target : target.left(q);
    request.query = q < 0 ? QByteArray() : target.mid(q + 1);
    request.version = requestLine.at(2);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            fail(400, QByteArrayLiteral("malformed header line"));
            return false;
        }
        request.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    if (request.headers.contains(QByteArrayLiteral("transfer-encoding"))) {
        fail(400, QByteArrayLiteral("chunked request bodies are not supported"));
        return false;
    }
    bool ok = true;
    const QByteArray lengthHeader = request.headers.value(QByteArrayLiteral("content-length"), QByteArrayLiteral("0"));
    const qsizetype length = lengthHeader.toLongLong(&ok);
    if (!ok || length < 0 || length > MaxBodyBytes) {
        fail(ok ? 413 : 400, QByteArrayLiteral("bad content-length"));
        return false;
    }
    if (m_buffer.size() < end + 4 + length)
        return false;
    request.body = m_buffer.mid(end + 4, length);
    m_buffer.remove(0, end + 4 + length);
    request.peer = m_socket->peerAddress();
    const QByteArray connection = request.headers.value(QByteArrayLiteral("connection")).toLower();
    m_version = request.version;
    m_keepAlive = request.version == "HTTP/1.1" ? connection != "close" : connection == "keep-alive";
    m_busy = true;
    m_handler(this, request);
    return true;
}

void HttpConnection::fail(int status, const QByteArray& why)
{
    m_keepAlive = false;
    m_version = QByteArrayLiteral("HTTP/1.1");
    m_busy = true;
    reply(status, why + '\n');
}

QByteArray HttpConnection::head(int status, qsizetype length, const QByteArray& contentType,
    const QList<QPair<QByteArray, QByteArray>>& extraHeaders) const
{
    QByteArray h = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
        + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(length) + "\r\n";
    for (const auto& [name, value] : extraHeaders)
        h += name + ": " + value + "\r\n";
    h += m_keepAlive ? (m_version == "HTTP/1.0" ? "Connection: keep-alive\r\n" : "") : "Connection: close\r\n";
    h += "\r\n";
    return h;
}

void HttpConnection::reply(int status, const QByteArray& body, const QByteArray& contentType,
    const QList<QPair<QByteArray, QByteArray>>& extraHeaders)
{
    if (!m_busy || m_trickleTimer.isActive())
        return;
    m_socket->write(head(status, body.size(), contentType, extraHeaders) + body);
    finishRequest();
}

void HttpConnection::trickle(int status, const QByteArray& body, int intervalMs, const QByteArray& contentType)
{
    if (!m_busy || m_trickleTimer.isActive())
        return;
    m_trickleRest = head(status, body.size(), contentType, {}) + body;
    m_trickleTimer.start(qMax(1, intervalMs));
}

void HttpConnection::abort()
{
    m_trickleTimer.stop();
    m_socket->abort();
    deleteLater();
}

void HttpConnection::finishRequest()
{
    m_busy = false;
    if (!m_keepAlive) {
        m_socket->disconnectFromHost();
        return;
    }
    if (!m_buffer.isEmpty())
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

} // namespace FaultDesk
