#include "benchfleet.h"

#include "httplistener.h"

#include <QRandomGenerator>

#include <sys/resource.h>

namespace FaultDesk {

BenchFleet::BenchFleet(QByteArray payload, QObject* parent)
    : QObject(parent)
    , m_payload(std::move(payload))
{ }

bool BenchFleet::tryRange(int count, quint16 firstPort)
{
    const HttpConnection::Handler handler = [this](HttpConnection* connection, const HttpRequest& request) {
        if (request.path == "/metrics")
            connection->reply(200, m_payload, QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"));
        else if (request.path == "/healthz")
            connection->reply(200, QByteArrayLiteral("ok\n"));
        else
            connection->reply(404, QByteArrayLiteral("not found\n"));
    };
    for (int i = 0; i < count; ++i) {
        auto* listener = new HttpListener(handler, this);
        if (!listener->listen(QHostAddress::LocalHost, quint16(firstPort + i))) {
            delete listener;
            qDeleteAll(m_listeners);
            m_listeners.clear();
            return false;
        }
        m_listeners << listener;
    }
    m_firstPort = firstPort;
    return true;
}

bool BenchFleet::listen(int count, quint16 firstPort, QString* error)
{
    // Each endpoint needs a listening socket plus its scrapers' connections.
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (firstPort != 0) {
        if (int(firstPort) + count - 1 > 65535 || !tryRange(count, firstPort)) {
            *error = QStringLiteral("cannot listen on 127.0.0.1:%1-%2").arg(firstPort).arg(int(firstPort) + count - 1);
            return false;
        }
        return true;
    }
    // Below the kernel's ephemeral range (32768+) so outgoing connections do not take our ports.
    for (int attempt = 0; attempt < 64; ++attempt) {
        const quint16 base = quint16(QRandomGenerator::global()->bounded(10000, 30000 - count));
        if (tryRange(count, base))
            return true;
    }
    *error = QStringLiteral("no free range of %1 contiguous ports found on 127.0.0.1").arg(count);
    return false;
}

} // namespace FaultDesk
