#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <random>

class QTcpSocket;

namespace FaultDesk {

/// Rates and client population the traffic generator works with (value type).
struct TrafficShape
{
    double webRps = 12; ///< baseline requests per second to the web backend
    double apiRps = 4.5; ///< baseline requests per second to /api/*
    double waveAmplitude = 0.2; ///< relative amplitude of the slow wave
    qint64 wavePeriodMs = 300000;
    double writeShare = 0.1; ///< share of api requests that are writes (POST)
    QList<QHostAddress> sources; ///< the normal client population (loopback addresses)
};

/**
 * Sends requests through HAProxy's frontend like a population of clients: Poisson arrivals at a waved baseline
 * rate, each from one of many loopback source addresses (sockets bind to 127.0.1.x before connecting, so HAProxy
 * sees them as `src`), over HTTP/1.1 keep-alive connections. Overload multiplies the rate; an attack adds a flood
 * from a few extra sources.
 */
class TrafficGenerator : public QObject
{
    Q_OBJECT
public:
    TrafficGenerator(quint16 frontendPort, TrafficShape shape, QObject* parent = nullptr);
    ~TrafficGenerator() override;

    void start();
    void stop();
    /// Multiplies the normal traffic (1 = baseline, 5 = flash sale).
    void setFactor(double factor) { m_factor = factor; }
    /// Adds a flood of rpsPerSource from each source towards the api backend (api) or the web backend (anything else).
    void startAttack(const QStringList& sources, double rpsPerSource, const QString& backend);
    void stopAttack();
    /// Requests sent, answered and dropped for want of a free connection, since start.
    quint64 sent() const { return m_sent; }
    quint64 answered() const { return m_answered; }
    quint64 dropped() const { return m_dropped; }

private:
    struct Connection;

    void onTick();
    void send(const QHostAddress& source, const QByteArray& request, int maxConnections);
    void onReadyRead(Connection* connection);
    void discard(Connection* connection);
    QByteArray webRequest();
    QByteArray apiRequest();

    quint16 m_port;
    TrafficShape m_shape;
    double m_factor = 1;
    QStringList m_attackSources;
    double m_attackRps = 0;
    bool m_attackApi = false;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastMs = 0;
    std::mt19937_64 m_random;
    QHash<QString, QList<Connection*>> m_pool;
    quint64 m_sent = 0;
    quint64 m_answered = 0;
    quint64 m_dropped = 0;
};

} // namespace FaultDesk
