#include "httplistener.h"

#include <QTcpSocket>

namespace FaultDesk {

HttpListener::HttpListener(HttpConnection::Handler handler, QObject* parent)
    : QTcpServer(parent)
    , m_handler(std::move(handler))
{
    setMaxPendingConnections(1024);
    connect(this, &QTcpServer::newConnection, this, &HttpListener::onNewConnection);
}

void HttpListener::onNewConnection()
{
    while (QTcpSocket* socket = nextPendingConnection())
        new HttpConnection(socket, m_handler, this);
}

} // namespace FaultDesk
