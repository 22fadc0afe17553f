#pragma once

#include "remedy/haproxycommand.h"

#include <QObject>
#include <QString>

#include <chrono>
#include <functional>

namespace FaultDesk {

/**
 * A connection-per-command client of the HAProxy Runtime API (the stats socket) over a unix socket or TCP.
 * Each command opens a connection, writes one validated line, reads until HAProxy closes, and reports the reply
 * or an error; a per-command timeout bounds it. Only HaproxyCommand values can be sent.
 */
class HaproxyClient : public QObject
{
    Q_OBJECT

public:
    /// What came back: ok is false when the connection failed, timed out or HAProxy answered with an error.
    struct Reply
    {
        bool ok = false;
        QString text; ///< HAProxy's answer (trimmed of trailing blank lines)
        QString error;
    };
    using Callback = std::function<void(const Reply&)>;

    /// @p endpoint: a unix socket path ("/run/haproxy/admin.sock" or "unix:/…") or "host:port" for TCP.
    explicit HaproxyClient(QString endpoint, QObject* parent = nullptr);

    QString endpoint() const { return m_endpoint; }
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }

    /// Sends @p command; @p done is called once, later, from the event loop (never if this client is deleted).
    void send(const HaproxyCommand& command, Callback done);

private:
    QString m_endpoint;
    std::chrono::milliseconds m_timeout { 5000 };
};

} // namespace FaultDesk
