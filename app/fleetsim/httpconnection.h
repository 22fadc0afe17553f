#pragma once

#include "httprequest.h"

#include <QObject>
#include <QTimer>

#include <functional>

class QTcpSocket;

namespace FaultDesk {

/**
 * One server-side HTTP/1.1 connection on a plain QTcpSocket.
 *
 * Qt HttpServer 6.4 cannot answer a request later safely (no connection tracking), but the simulated fleet must
 * delay, hold and trickle answers. This connection parses one request at a time (keep-alive, no pipelining in
 * flight), hands it to the handler and writes the answer whenever the owner calls reply(), trickle() or nothing
 * at all (a hang). Callers keep a QPointer: the connection deletes itself when the peer goes away.
 */
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(HttpConnection* connection, const HttpRequest& request)>;

    HttpConnection(QTcpSocket* socket, Handler handler, QObject* parent = nullptr);
    ~HttpConnection() override;

    /// Answers the request in flight; ignored when none is waiting for an answer.
    void reply(int status, const QByteArray& body, const QByteArray& contentType = QByteArrayLiteral("text/plain"),
        const QList<QPair<QByteArray, QByteArray>>& extraHeaders = {});
    /// Answers the request in flight one byte every intervalMs (a "slow" server).
    void trickle(int status, const QByteArray& body, int intervalMs,
        const QByteArray& contentType = QByteArrayLiteral("text/plain"));
    /// Closes the connection without an answer.
    void abort();
    /// True while a request was handed out and not answered yet.
    bool busy() const { return m_busy; }

    static QByteArray reasonPhrase(int status);

private:
    void onReadyRead();
    bool parseOne();
    void fail(int status, const QByteArray& why);
    QByteArray head(int status, qsizetype length, const QByteArray& contentType,
        const QList<QPair<QByteArray, QByteArray>>& extraHeaders) const;
    void finishRequest();

    QTcpSocket* m_socket;
    Handler m_handler;
    QByteArray m_buffer;
    bool m_busy = false;
    bool m_keepAlive = true;
    QByteArray m_version;
    QTimer m_trickleTimer;
    QByteArray m_trickleRest;
};

} // namespace FaultDesk
