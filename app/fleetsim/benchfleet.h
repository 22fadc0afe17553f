#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>

namespace FaultDesk {

class HttpListener;

/**
 * Benchmark mode (`faultdesk-fleetsim --targets N`): N metrics endpoints in one process on a contiguous port range
 * of 127.0.0.1, each answering GET /metrics with the same payload over HTTP/1.1 keep-alive.
 */
class BenchFleet : public QObject
{
    Q_OBJECT
public:
    BenchFleet(QByteArray payload, QObject* parent = nullptr);

    /// Listens on count ports from firstPort (0: find a free contiguous range); false with *error on failure.
    bool listen(int count, quint16 firstPort, QString* error);
    quint16 firstPort() const { return m_firstPort; }

private:
    bool tryRange(int count, quint16 firstPort);

    QByteArray m_payload;
    QList<HttpListener*> m_listeners;
    quint16 m_firstPort = 0;
};

} // namespace FaultDesk
