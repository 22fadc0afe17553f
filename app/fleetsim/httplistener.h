#pragma once

#include "httpconnection.h"

#include <QTcpServer>

namespace FaultDesk {

/// A QTcpServer whose connections are HttpConnections sharing one request handler.
class HttpListener : public QTcpServer
{
    Q_OBJECT
public:
    explicit HttpListener(HttpConnection::Handler handler, QObject* parent = nullptr);

private:
    void onNewConnection();

    HttpConnection::Handler m_handler;
};

} // namespace FaultDesk
