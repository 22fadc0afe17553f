#include "trafficgenerator.h"

#include <QTcpSocket>

#include <cmath>
#include <numbers>

namespace FaultDesk {

namespace {
constexpr int TickMs = 20;
constexpr int NormalConnectionsPerSource = 8;
constexpr int AttackConnectionsPerSource = 64;
constexpr qint64 RequestDeadlineMs = 15000;
} // namespace

struct TrafficGenerator::Connection
{
    QTcpSocket* socket = nullptr;
    QString source;
    bool busy = false;
    qint64 sentAtMs = 0;
    QByteArray buffer;
};

TrafficGenerator::TrafficGenerator(quint16 frontendPort, TrafficShape shape, QObject* parent)
    : QObject(parent)
    , m_port(frontendPort)
    , m_shape(std::move(shape))
    , m_random(std::random_device {}())
{
    m_timer.setInterval(TickMs);
    connect(&m_timer, &QTimer::timeout, this, &TrafficGenerator::onTick);
}

TrafficGenerator::~TrafficGenerator()
{
    stop();
}

void TrafficGenerator::start()
{
    m_clock.start();
    m_lastMs = 0;
    m_timer.start();
}

void TrafficGenerator::stop()
{
    m_timer.stop();
    for (auto& list : m_pool)
        for (Connection* c : std::as_const(list)) {
            c->socket->disconnect(this);
            c->socket->abort();
            c->socket->deleteLater();
            delete c;
        }
    m_pool.clear();
}

void TrafficGenerator::startAttack(const QStringList& sources, double rpsPerSource, const QString& backend)
{
    m_attackSources = sources;
    m_attackRps = rpsPerSource;
    m_attackApi = backend == u"api";
}

void TrafficGenerator::stopAttack()
{
    m_attackSources.clear();
    m_attackRps = 0;
}

QByteArray TrafficGenerator::webRequest()
{
    std::uniform_int_distribution<int> page(1, 500);
    const int p = page(m_random);
    const QByteArray path = p % 5 == 0 ? QByteArrayLiteral("/") : "/products/" + QByteArray::number(p);
    return "GET " + path + " HTTP/1.1\r\nHost: demo.fleetsim\r\nUser-Agent: fleetsim-traffic\r\n\r\n";
}

QByteArray TrafficGenerator::apiRequest()
{
    std::uniform_real_distribution<double> coin(0, 1);
    std::uniform_int_distribution<int> item(1, 5000);
    if (coin(m_random) < m_shape.writeShare) {
        const QByteArray body = "{\"item\":" + QByteArray::number(item(m_random)) + ",\"quantity\":1}";
        return "POST /api/orders HTTP/1.1\r\nHost: demo.fleetsim\r\nUser-Agent: fleetsim-traffic\r\n"
               "Content-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }
    return "GET /api/items/" + QByteArray::number(item(m_random))
        + " HTTP/1.1\r\nHost: demo.fleetsim\r\nUser-Agent: fleetsim-traffic\r\n\r\n";
}

void TrafficGenerator::onTick()
{
    const qint64 now = m_clock.elapsed();
    const double dt = double(now - m_lastMs) / 1000.0;
    m_lastMs = now;
    const double wave = 1
        + m_shape.waveAmplitude
            * std::sin(2 * std::numbers::pi * double(now) / double(std::max<qint64>(1, m_shape.wavePeriodMs)));
    std::uniform_int_distribution<qsizetype> who(0, std::max<qsizetype>(0, m_shape.sources.size() - 1));
    auto arrivals = [&](double rps) {
        std::poisson_distribution<int> n(std::max(0.0, rps * dt));
        return rps * dt > 0 ? n(m_random) : 0;
    };
    if (!m_shape.sources.isEmpty()) {
        for (int i = arrivals(m_shape.webRps * wave * m_factor); i > 0; --i)
            send(m_shape.sources.at(who(m_random)), webRequest(), NormalConnectionsPerSource);
        for (int i = arrivals(m_shape.apiRps * wave * m_factor); i > 0; --i)
            send(m_shape.sources.at(who(m_random)), apiRequest(), NormalConnectionsPerSource);
    }
    for (const QString& source : std::as_const(m_attackSources))
        for (int i = arrivals(m_attackRps); i > 0; --i)
            send(QHostAddress(source), m_attackApi ? apiRequest() : webRequest(), AttackConnectionsPerSource);
    // A request that never got an answer (a hung server behind a long timeout) frees its connection eventually.
    for (auto& list : m_pool)
        for (Connection* c : QList<Connection*>(list))
            if (c->busy && now - c->sentAtMs > RequestDeadlineMs)
                discard(c);
}

void TrafficGenerator::send(const QHostAddress& source, const QByteArray& request, int maxConnections)
{
    const QString key = source.toString();
    QList<Connection*>& list = m_pool[key];
    Connection* use = nullptr;
    for (Connection* c : std::as_const(list))
        if (!c->busy && c->socket->state() == QAbstractSocket::ConnectedState) {
            use = c;
            break;
        }
    if (!use) {
        if (list.size() >= maxConnections) {
            ++m_dropped;
            return;
        }
        use = new Connection;
        use->source = key;
        use->socket = new QTcpSocket(this);
        if (!use->socket->bind(source, 0)) {
            // 127.0.0.0/8 is routed to lo on Linux; if binding fails anyway, fall back to the default source.
            use->socket->abort();
        }
        Connection* c = use;
        connect(use->socket, &QTcpSocket::readyRead, this, [this, c] { onReadyRead(c); });
        connect(use->socket, &QTcpSocket::disconnected, this, [this, c] { discard(c); });
        connect(use->socket, &QTcpSocket::errorOccurred, this, [this, c](QAbstractSocket::SocketError) {
            if (c->socket->state() != QAbstractSocket::ConnectedState)
                discard(c);
        });
        use->socket->connectToHost(QHostAddress::LocalHost, m_port);
        list << use;
    }
    use->busy = true;
    use->sentAtMs = m_clock.elapsed();
    use->buffer.clear();
    use->socket->write(request);
    ++m_sent;
}

void TrafficGenerator::onReadyRead(Connection* connection)
{
    connection->buffer += connection->socket->readAll();
    const qsizetype end = connection->buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    const QByteArray head = connection->buffer.left(end).toLower();
    qsizetype length = 0;
    const qsizetype at = head.indexOf("\ncontent-length:");
    if (at >= 0) {
        const qsizetype eol = head.indexOf('\r', at + 1);
        length = head.mid(at + 16, eol < 0 ? -1 : eol - at - 16).trimmed().toLongLong();
    }
    if (connection->buffer.size() < end + 4 + length)
        return;
    ++m_answered;
    if (head.contains("\nconnection: close") || at < 0) {
        discard(connection);
        return;
    }
    connection->buffer.clear();
    connection->busy = false;
}

void TrafficGenerator::discard(Connection* connection)
{
    auto it = m_pool.find(connection->source);
    if (it == m_pool.end() || !it->removeOne(connection))
        return;
    connection->socket->disconnect(this);
    connection->socket->abort();
    connection->socket->deleteLater();
    delete connection;
}

} // namespace FaultDesk
