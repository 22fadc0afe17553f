#include "probe/probeworker.h"

#include "probe/httpresponseparser.h"

#include "util/logging.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QHostInfo>
#include <QSocketNotifier>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimerEvent>

#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace FaultDesk {

namespace {

// Qt buffers at most this much per socket, so a flood is read in bounded slices.
constexpr qint64 SocketReadBuffer = 256 * 1024;
// Resolved host names are reused this long (probes run every second; the resolver is not free).
constexpr qint64 DnsCacheMs = 30'000;

bool isRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

QString excerpt(const QByteArray& bytes, int max = 160)
{
    return HttpResponseParser::excerpt(bytes, max);
}

} // namespace

// A connection is either a QSslSocket (https) or, for plain HTTP and TCP probes, a raw non-blocking fd in
// the worker's epoll set (host names resolved with QHostInfo and cached briefly): Qt's poll-based dispatcher rescans
// every open socket on each wake-up, so thousands of idle keep-alive connections would cost more than the probes
// themselves.
struct ProbeWorker::Connection
{
    QTcpSocket* socket = nullptr;
    int fd = -1;
    bool raw = false;
    bool connecting = false;
    QByteArray out; ///< unsent request bytes (raw)
    QList<QHostAddress> addresses; ///< candidates for a raw connect, tried in order
    qsizetype nextAddress = 0;
    quint16 port = 0;
    QString resolvingHost; ///< set while waiting for a host name lookup
    QString key;
    Job* job = nullptr;
    bool tls = false;
    bool everUsed = false; ///< a response completed on it, so it is a reused keep-alive connection
    QString sslErrorText;
};

struct ProbeWorker::Job
{
    enum class Phase {
        Connecting,
        Handshake,
        Waiting,
        Body
    };
    ProbeResult result;
    ProbeSpec spec;
    QUrl url; ///< current URL (changes on redirects)
    int redirects = 0;
    QElapsedTimer clock;
    int timerId = 0;
    Connection* conn = nullptr;
    Phase phase = Phase::Connecting;
    bool retriedFresh = false;

    HttpResponseParser response; ///< the response being read (socket-free)
    qint64 responseBytes = 0;

    void resetResponse()
    {
        response.reset(spec.effectiveBodyLimit());
        responseBytes = 0;
        result.body.clear();
        result.httpStatus = 0;
    }
};

ProbeWorker::ProbeWorker(QObject* parent)
    : QObject(parent)
{
    m_monotonic.start();
}

ProbeWorker::~ProbeWorker()
{
    shutdown();
    delete m_epollNotifier;
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void ProbeWorker::setMaxInFlight(int count)
{
    m_maxInFlight = qMax(1, count);
    startPending();
}

void ProbeWorker::setMaxIdlePerHost(int count)
{
    m_maxIdlePerHost = qMax(0, count);
}

void ProbeWorker::submit(const QList<Request>& requests)
{
    for (const Request& request : requests) {
        auto* job = new Job;
        job->spec = request.spec;
        job->url = request.spec.url;
        job->result.target = request.target;
        job->result.probeIndex = request.probeIndex;
        job->result.kind = request.spec.kind;
        m_pending.enqueue(job);
    }
    startPending();
}

void ProbeWorker::startPending()
{
    while (m_running < m_maxInFlight && !m_pending.isEmpty())
        start(m_pending.dequeue());
}

void ProbeWorker::shutdown()
{
    qDeleteAll(m_pending);
    m_pending.clear();
    const auto jobs = m_byTimer.values();
    for (Job* job : jobs) {
        killTimer(job->timerId);
        if (job->conn)
            destroyConnection(job->conn);
        delete job;
    }
    m_byTimer.clear();
    m_running = 0;
    for (auto& list : m_idle) {
        for (Connection* conn : std::as_const(list))
            destroyConnection(conn);
    }
    m_idle.clear();
    qDeleteAll(m_graveyard);
    m_graveyard.clear();
}

void ProbeWorker::start(Job* job)
{
    ++m_running;
    job->result.startedAt = QDateTime::currentDateTimeUtc();
    job->clock.start();
    job->timerId = startTimer(qMax(1, job->spec.timeoutMs), Qt::PreciseTimer);
    m_byTimer.insert(job->timerId, job);

    const QString scheme = job->url.scheme();
    if (job->spec.kind == ProbeSpec::Kind::Tcp) {
        if (job->url.host().isEmpty() || job->url.port() <= 0)
            return fail(job, ProbeResult::FailureReason::Other, QStringLiteral("TCP probe needs host:port"));
        job->conn = createConnection(job);
        beginConnect(job->conn, quint16(job->url.port()));
        return;
    }
    if (scheme != u"http" && scheme != u"https")
        return fail(job, ProbeResult::FailureReason::Other,
            QStringLiteral("unsupported URL scheme \"%1\" in %2").arg(scheme, job->url.toDisplayString()));
    startHttp(job);
}

void ProbeWorker::startHttp(Job* job)
{
    job->resetResponse();
    if (job->url.host().isEmpty())
        return fail(job, ProbeResult::FailureReason::Other,
            QStringLiteral("URL has no host: %1").arg(job->url.toDisplayString()));
    if (Connection* idle = takeIdle(connectionKey(job))) {
        idle->job = job;
        job->conn = idle;
        sendRequest(job);
        return;
    }
    connectFresh(job);
}

QString ProbeWorker::connectionKey(const Job* job)
{
    const bool tls = job->url.scheme() == u"https";
    return job->url.scheme() + QStringLiteral("://") + job->url.host() + u':'
        + QString::number(job->url.port(tls ? 443 : 80)) + u'|' + job->spec.caFile;
}

void ProbeWorker::connectFresh(Job* job)
{
    job->phase = Job::Phase::Connecting;
    Connection* conn = createConnection(job);
    if (!conn)
        return; // createConnection failed the job
    conn->key = connectionKey(job);
    job->conn = conn;
    beginConnect(conn, quint16(job->url.port(conn->tls ? 443 : 80)));
}

void ProbeWorker::beginConnect(Connection* conn, quint16 port)
{
    const QString host = conn->job->url.host();
    if (!conn->raw) {
        static_cast<QSslSocket*>(conn->socket)->connectToHostEncrypted(host, port);
        return;
    }
    conn->port = port;
    const QHostAddress literal(host);
    if (!literal.isNull()) {
        conn->addresses = { literal };
        return rawConnectNext(conn);
    }
    const auto cached = m_dnsCache.constFind(host);
    if (cached != m_dnsCache.constEnd() && cached->expiresMs > m_monotonic.elapsed()) {
        conn->addresses = cached->addresses;
        return rawConnectNext(conn);
    }
    conn->resolvingHost = host;
    QList<Connection*>& waiting = m_dnsWaiting[host];
    waiting.append(conn);
    if (waiting.size() == 1)
        QHostInfo::lookupHost(host, this, [this, host](const QHostInfo& info) { onResolved(host, info); });
}

void ProbeWorker::onResolved(const QString& host, const QHostInfo& info)
{
    const QList<Connection*> waiting = m_dnsWaiting.take(host);
    QList<QHostAddress> addresses = info.addresses();
    // IPv4 first: services often listen on 0.0.0.0 only while "localhost" resolves to ::1 as well.
    std::stable_sort(addresses.begin(), addresses.end(), [](const QHostAddress& a, const QHostAddress& b) {
        return a.protocol() == QAbstractSocket::IPv4Protocol && b.protocol() != QAbstractSocket::IPv4Protocol;
    });
    if (info.error() == QHostInfo::NoError && !addresses.isEmpty())
        m_dnsCache.insert(host, DnsEntry { addresses, m_monotonic.elapsed() + DnsCacheMs });
    for (Connection* conn : waiting) {
        conn->resolvingHost.clear();
        if (addresses.isEmpty()) {
            onLost(conn, Loss::HostNotFound, info.errorString());
        } else {
            conn->addresses = addresses;
            rawConnectNext(conn);
        }
    }
}

void ProbeWorker::rawConnectNext(Connection* conn)
{
    if (conn->fd >= 0) {
        if (m_epoll >= 0)
            ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, conn->fd, nullptr);
        ::close(conn->fd);
        conn->fd = -1;
    }
    conn->connecting = false;
    rawConnect(conn, conn->addresses.at(conn->nextAddress++), conn->port);
}

void ProbeWorker::rawConnect(Connection* conn, const QHostAddress& address, quint16 port)
{
    if (m_epoll < 0) {
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        if (m_epoll < 0)
            return onLost(conn, Loss::Other, QString::fromLocal8Bit(std::strerror(errno)));
        m_epollNotifier = new QSocketNotifier(m_epoll, QSocketNotifier::Read, this);
        connect(m_epollNotifier, &QSocketNotifier::activated, this, &ProbeWorker::onEpoll);
    }
    sockaddr_storage storage {};
    socklen_t length = 0;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
        length = sizeof *in6;
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof *in4;
    }
    conn->fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (conn->fd < 0)
        return onRawError(conn, errno);
    const int one = 1;
    ::setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event event {};
    event.data.ptr = conn;
    if (::connect(conn->fd, reinterpret_cast<sockaddr*>(&storage), length) == 0) {
        event.events = EPOLLIN | EPOLLRDHUP;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, conn->fd, &event);
        return onConnected(conn);
    }
    if (errno != EINPROGRESS)
        return onRawError(conn, errno);
    conn->connecting = true;
    event.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, conn->fd, &event);
}

void ProbeWorker::onEpoll()
{
    epoll_event events[256];
    const int count = ::epoll_wait(m_epoll, events, 256, 0);
    m_inEpollBatch = true;
    for (int i = 0; i < count; ++i) {
        auto* conn = static_cast<Connection*>(events[i].data.ptr);
        if (conn->fd < 0)
            continue; // closed earlier in this batch
        const uint32_t what = events[i].events;
        if (conn->connecting) {
            int error = 0;
            socklen_t size = sizeof error;
            ::getsockopt(conn->fd, SOL_SOCKET, SO_ERROR, &error, &size);
            if (error != 0) {
                onRawError(conn, error);
                continue;
            }
            if (!(what & EPOLLOUT))
                continue;
            conn->connecting = false;
            epoll_event event {};
            event.data.ptr = conn;
            event.events = EPOLLIN | EPOLLRDHUP;
            ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, conn->fd, &event);
            onConnected(conn);
            continue;
        }
        if ((what & EPOLLOUT) && !conn->out.isEmpty()) {
            rawWrite(conn, QByteArray());
            if (conn->fd < 0)
                continue;
        }
        if (what & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
            rawReadable(conn);
    }
    m_inEpollBatch = false;
    qDeleteAll(m_graveyard);
    m_graveyard.clear();
}

void ProbeWorker::rawWrite(Connection* conn, const QByteArray& data)
{
    conn->out += data;
    while (!conn->out.isEmpty()) {
        const ssize_t n = ::send(conn->fd, conn->out.constData(), size_t(conn->out.size()), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                return onRawError(conn, errno);
            break;
        }
        conn->out.remove(0, n);
    }
    epoll_event event {};
    event.data.ptr = conn;
    event.events = EPOLLIN | EPOLLRDHUP | (conn->out.isEmpty() ? 0u : uint32_t(EPOLLOUT));
    ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, conn->fd, &event);
}

void ProbeWorker::rawReadable(Connection* conn)
{
    if (!conn->job)
        return onIdleEvent(conn);
    char buffer[65536];
    qint64 budget = SocketReadBuffer; // level-triggered: the rest comes on the next round, others get a turn
    while (budget > 0) {
        const ssize_t n = ::recv(conn->fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            if (!consume(conn->job, buffer, n))
                return;
            budget -= n;
        } else if (n == 0) {
            return onLost(conn, Loss::PeerClosed, QString());
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN) {
            return;
        } else {
            return onRawError(conn, errno);
        }
    }
}

void ProbeWorker::onRawError(Connection* conn, int error)
{
    const bool connectFailed = conn->job && conn->job->phase == Job::Phase::Connecting;
    if (connectFailed && conn->nextAddress < conn->addresses.size()
        && (error == ECONNREFUSED || error == ENETUNREACH || error == EHOSTUNREACH || error == EADDRNOTAVAIL
            || error == EAFNOSUPPORT)) {
        return rawConnectNext(conn); // the host name has another address
    }
    const QString text = QString::fromLocal8Bit(std::strerror(error));
    switch (error) {
    case ECONNREFUSED:
        return onLost(conn, Loss::Refused, text);
    case ECONNRESET:
    case EPIPE:
        return onLost(conn, Loss::Reset, text);
    case ETIMEDOUT:
        return onLost(conn, Loss::Timeout, text);
    default:
        return onLost(conn, Loss::Other, text);
    }
}

ProbeWorker::Connection* ProbeWorker::takeIdle(const QString& key)
{
    auto it = m_idle.find(key);
    if (it == m_idle.end())
        return nullptr;
    while (!it->isEmpty()) {
        Connection* conn = it->takeLast();
        if (conn->raw
                ? (conn->fd >= 0 && !conn->connecting)
                : (conn->socket->state() == QAbstractSocket::ConnectedState && conn->socket->bytesAvailable() == 0))
            return conn;
        destroyConnection(conn);
    }
    m_idle.erase(it);
    return nullptr;
}

ProbeWorker::Connection* ProbeWorker::createConnection(Job* job)
{
    auto* conn = new Connection;
    conn->job = job;
    conn->tls = job->spec.kind != ProbeSpec::Kind::Tcp && job->url.scheme() == u"https";
    if (conn->tls) {
        if (!QSslSocket::supportsSsl()) {
            delete conn;
            job->conn = nullptr;
            fail(job, ProbeResult::FailureReason::Tls, QStringLiteral("TLS is not available in this build"));
            return nullptr;
        }
        auto* ssl = new QSslSocket(this);
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!job->spec.caFile.isEmpty()) {
            auto cached = m_caCache.find(job->spec.caFile);
            if (cached == m_caCache.end())
                cached = m_caCache.insert(job->spec.caFile,
                    QSslCertificate::fromPath(
                        job->spec.caFile, QSsl::Pem, QSslCertificate::PatternSyntax::FixedString));
            if (cached->isEmpty()) {
                m_caCache.erase(cached); // the file may be fixed later
                delete ssl;
                delete conn;
                job->conn = nullptr;
                fail(job, ProbeResult::FailureReason::Tls,
                    QStringLiteral("cannot read a PEM certificate from CA file %1").arg(job->spec.caFile));
                return nullptr;
            }
            config.addCaCertificates(*cached);
        }
        ssl->setSslConfiguration(config);
        ssl->setPeerVerifyName(job->url.host());
        connect(ssl, &QSslSocket::connected, this, [this, conn] { onConnected(conn); });
        connect(ssl, &QSslSocket::encrypted, this, [this, conn] { onConnected(conn); });
        connect(ssl, &QSslSocket::sslErrors, this, [conn](const QList<QSslError>& errors) {
            QStringList texts;
            for (const QSslError& error : errors)
                texts << error.errorString();
            conn->sslErrorText = texts.join(u"; ");
        });
        conn->socket = ssl;
    } else {
        conn->raw = true;
        return conn;
    }
    conn->socket->setReadBufferSize(SocketReadBuffer);
    connect(conn->socket, &QTcpSocket::readyRead, this, [this, conn] {
        if (conn->job)
            onReadyRead(conn);
        else
            onIdleEvent(conn);
    });
    connect(conn->socket, &QTcpSocket::errorOccurred, this, [this, conn] {
        if (conn->job)
            onSocketError(conn);
        else
            onIdleEvent(conn);
    });
    connect(conn->socket, &QTcpSocket::disconnected, this, [this, conn] {
        if (conn->job)
            onSocketError(conn);
        else
            onIdleEvent(conn);
    });
    return conn;
}

void ProbeWorker::destroyConnection(Connection* conn)
{
    conn->job = nullptr;
    if (conn->raw) {
        if (!conn->resolvingHost.isEmpty()) {
            auto waiting = m_dnsWaiting.find(conn->resolvingHost);
            if (waiting != m_dnsWaiting.end())
                waiting->removeOne(conn); // the lookup's answer must not reach a dead connection
        }
        if (conn->fd >= 0) {
            ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, conn->fd, nullptr);
            ::close(conn->fd);
            conn->fd = -1;
        }
        // Events of this batch may still point at it.
        if (m_inEpollBatch)
            m_graveyard.append(conn);
        else
            delete conn;
        return;
    }
    conn->socket->disconnect(this);
    conn->socket->abort();
    conn->socket->deleteLater();
    delete conn;
}

void ProbeWorker::onIdleEvent(Connection* conn)
{
    // An idle keep-alive connection closed or sent unsolicited bytes: it cannot be reused.
    auto it = m_idle.find(conn->key);
    if (it != m_idle.end()) {
        it->removeOne(conn);
        if (it->isEmpty())
            m_idle.erase(it);
    }
    destroyConnection(conn);
}

void ProbeWorker::onConnected(Connection* conn)
{
    Job* job = conn->job;
    if (!job)
        return;
    if (conn->tls && conn->socket->state() == QAbstractSocket::ConnectedState
        && !static_cast<QSslSocket*>(conn->socket)->isEncrypted()) {
        job->phase = Job::Phase::Handshake;
        return;
    }
    if (job->spec.kind == ProbeSpec::Kind::Tcp) {
        job->result.ok = true;
        destroyConnection(conn);
        job->conn = nullptr;
        finish(job);
        return;
    }
    sendRequest(job);
}

void ProbeWorker::sendRequest(Job* job)
{
    job->phase = Job::Phase::Waiting;
    const QUrl& url = job->url;
    QByteArray path = url.path(QUrl::FullyEncoded).toLatin1();
    if (path.isEmpty())
        path = "/";
    if (url.hasQuery())
        path += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    const bool tls = url.scheme() == u"https";
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    if (url.port() > 0 && url.port() != (tls ? 443 : 80))
        host += ':' + QByteArray::number(url.port());

    QByteArray request;
    request.reserve(256);
    request += "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: FaultDesk-probe/1\r\n";
    if (job->spec.kind == ProbeSpec::Kind::Metrics) {
        request += "Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1\r\nX-Prometheus-Scrape-Timeout-Seconds: "
            + QByteArray::number(job->spec.timeoutMs / 1000.0, 'f', 3) + "\r\n";
    } else {
        request += "Accept: */*\r\n";
    }
    request += "Connection: keep-alive\r\n\r\n";
    if (job->conn->raw)
        rawWrite(job->conn, request);
    else
        job->conn->socket->write(request);
}

bool ProbeWorker::onReadyRead(Connection* conn)
{
    Job* job = conn->job;
    char buffer[16384];
    for (;;) {
        const qint64 n = conn->socket->read(buffer, sizeof buffer);
        if (n <= 0)
            return true;
        if (!consume(job, buffer, n))
            return false; // the job finished: conn may be gone or idle
    }
}

bool ProbeWorker::consume(Job* job, const char* data, qint64 size)
{
    job->result.bytesRead += size;
    job->responseBytes += size;
    if (job->phase == Job::Phase::Waiting)
        job->phase = Job::Phase::Body;
    return feed(job, data, size);
}

// Returns false once the job is finished, so the caller stops touching it.
bool ProbeWorker::feed(Job* job, const char* data, qint64 size)
{
    switch (job->response.feed(data, size)) {
    case HttpResponseParser::Status::NeedMore:
        return true;
    case HttpResponseParser::Status::Error: {
        const bool overLimit = job->response.error() == HttpResponseParser::Error::BodyLimit;
        job->result.httpStatus = job->response.status();
        fail(job, overLimit ? ProbeResult::FailureReason::BodyLimit : ProbeResult::FailureReason::Other,
            job->response.errorText());
        return false;
    }
    case HttpResponseParser::Status::Complete:
        break;
    }
    completeResponse(job);
    return false;
}

void ProbeWorker::completeResponse(Job* job)
{
    const HttpResponseParser& response = job->response;
    const int status = response.status();
    job->result.httpStatus = status;
    job->result.body = job->response.takeBody();
    const bool framed = response.bodyMode() != HttpResponseParser::BodyMode::UntilClose;
    releaseConnection(job, framed && response.keepAlive());

    if (isRedirect(status) && !response.location().isEmpty()) {
        const QUrl next = job->url.resolved(QUrl::fromEncoded(response.location()));
        if (job->redirects >= job->spec.maxRedirects)
            return fail(job, ProbeResult::FailureReason::HttpStatus,
                QStringLiteral("HTTP %1: too many redirects (limit %2), last to %3")
                    .arg(status)
                    .arg(job->spec.maxRedirects)
                    .arg(next.toDisplayString()));
        if (job->url.scheme() == u"https" && next.scheme() != u"https")
            return fail(job, ProbeResult::FailureReason::Tls,
                QStringLiteral("refused redirect from https to %1").arg(next.toDisplayString()));
        if (next.scheme() != u"http" && next.scheme() != u"https")
            return fail(job, ProbeResult::FailureReason::Other,
                QStringLiteral("redirect to unsupported URL %1").arg(next.toDisplayString()));
        ++job->redirects;
        qCDebug(lcProbe) << "probe" << job->result.target << job->result.probeIndex << "redirected to"
                         << next.toDisplayString();
        job->url = next;
        job->retriedFresh = false;
        job->phase = Job::Phase::Connecting;
        startHttp(job);
        return;
    }

    const int expected = job->spec.expectedStatus;
    const bool statusOk = expected == 0 ? (status >= 200 && status < 300) : status == expected;
    if (!statusOk) {
        const QString detail = excerpt(job->result.body);
        const QString text
            = QStringLiteral("HTTP %1: %2")
                  .arg(status)
                  .arg(detail.isEmpty() ? (response.statusPhrase().isEmpty() ? QStringLiteral("unexpected status")
                                                                             : response.statusPhrase())
                                        : detail);
        return fail(job, ProbeResult::FailureReason::HttpStatus,
            expected == 0 ? text : text + QStringLiteral(" (expected %1)").arg(expected));
    }
    if (!job->spec.bodyContains.isEmpty() && !job->result.body.contains(job->spec.bodyContains))
        return fail(job, ProbeResult::FailureReason::BodyMismatch,
            QStringLiteral("body does not contain \"%1\"").arg(excerpt(job->spec.bodyContains, 80)));
    job->result.ok = true;
    finish(job);
}

void ProbeWorker::releaseConnection(Job* job, bool reusable)
{
    Connection* conn = job->conn;
    job->conn = nullptr;
    if (!conn)
        return;
    conn->job = nullptr;
    QList<Connection*>& idle = m_idle[conn->key];
    const bool open = conn->raw ? conn->fd >= 0 : conn->socket->state() == QAbstractSocket::ConnectedState;
    if (reusable && idle.size() < m_maxIdlePerHost && open) {
        conn->everUsed = true;
        idle.append(conn);
    } else {
        if (idle.isEmpty())
            m_idle.remove(conn->key);
        destroyConnection(conn);
    }
}

void ProbeWorker::onSocketError(Connection* conn)
{
    // Bytes that arrived just before the close belong to the response.
    if (conn->socket->bytesAvailable() > 0 && !onReadyRead(conn))
        return;
    const QAbstractSocket::SocketError error = conn->socket->error();
    Loss loss = Loss::Other;
    QString detail = conn->socket->errorString();
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        loss = Loss::Refused;
        break;
    case QAbstractSocket::HostNotFoundError:
        loss = Loss::HostNotFound;
        break;
    case QAbstractSocket::SocketTimeoutError:
        loss = Loss::Timeout;
        break;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        loss = Loss::Tls;
        break;
    case QAbstractSocket::RemoteHostClosedError:
        loss = Loss::PeerClosed;
        break;
    case QAbstractSocket::NetworkError:
        loss = Loss::Reset;
        break;
    default:
        if (conn->socket->state() == QAbstractSocket::UnconnectedState)
            loss = Loss::PeerClosed;
        break;
    }
    if (conn->tls && !conn->sslErrorText.isEmpty())
        detail = conn->sslErrorText;
    onLost(conn, loss, detail);
}

void ProbeWorker::onLost(Connection* conn, Loss loss, const QString& detail)
{
    Job* job = conn->job;
    if (!job)
        return onIdleEvent(conn);
    const bool closedByPeer = loss == Loss::PeerClosed;
    if (job->response.headDone() && job->response.bodyMode() == HttpResponseParser::BodyMode::UntilClose
        && closedByPeer) {
        if (job->response.finishOnClose() == HttpResponseParser::Status::Complete)
            completeResponse(job);
        return;
    }
    // A kept-alive connection the server closed while idle: retry once on a fresh one.
    if (conn->everUsed && job->responseBytes == 0 && !job->retriedFresh
        && (loss == Loss::PeerClosed || loss == Loss::Reset)) {
        job->retriedFresh = true;
        job->conn = nullptr;
        destroyConnection(conn);
        qCDebug(lcProbe) << "probe" << job->result.target << job->result.probeIndex
                         << "kept-alive connection was closed; retrying on a new one";
        connectFresh(job);
        return;
    }

    using R = ProbeResult::FailureReason;
    const QString where = job->url.host() + u':' + QString::number(job->url.port(conn->tls ? 443 : 80));
    if (conn->tls && job->phase != Job::Phase::Waiting && job->phase != Job::Phase::Body && loss != Loss::Refused
        && loss != Loss::HostNotFound && loss != Loss::Timeout)
        return fail(job, R::Tls, QStringLiteral("TLS handshake with %1 failed: %2").arg(where, detail));
    switch (loss) {
    case Loss::Refused:
        return fail(job, R::Refused, QStringLiteral("connection refused by %1").arg(where));
    case Loss::HostNotFound:
        return fail(job, R::Dns, QStringLiteral("DNS lookup of %1 failed").arg(job->url.host()));
    case Loss::Timeout:
        return fail(job, R::Timeout, QStringLiteral("timeout after %1 ms (%2)").arg(job->spec.timeoutMs).arg(detail));
    case Loss::Tls:
        return fail(job, R::Tls, QStringLiteral("TLS error with %1: %2").arg(where, detail));
    case Loss::PeerClosed:
    case Loss::Reset: {
        const QString when = job->responseBytes == 0
            ? QStringLiteral("before responding")
            : QStringLiteral("after %1 bytes of the response").arg(job->responseBytes);
        return fail(job, R::Reset,
            QStringLiteral("connection %1 by %2 %3")
                .arg(loss == Loss::Reset ? QStringLiteral("reset") : QStringLiteral("closed"), where, when));
    }
    case Loss::Other:
        break;
    }
    fail(job, R::Other, QStringLiteral("network error with %1: %2").arg(where, detail));
}

void ProbeWorker::timerEvent(QTimerEvent* event)
{
    Job* job = m_byTimer.value(event->timerId());
    if (!job) {
        killTimer(event->timerId());
        return;
    }
    fail(job, ProbeResult::FailureReason::Timeout,
        QStringLiteral("timeout after %1 ms %2").arg(job->spec.timeoutMs).arg(phaseText(job)));
}

QString ProbeWorker::phaseText(const Job* job) const
{
    switch (job->phase) {
    case Job::Phase::Connecting:
        return QStringLiteral("while connecting to %1").arg(job->url.host());
    case Job::Phase::Handshake:
        return QStringLiteral("in the TLS handshake");
    case Job::Phase::Waiting:
        return QStringLiteral("waiting for the response");
    case Job::Phase::Body:
        return QStringLiteral("reading the response (%1 bytes so far)").arg(job->responseBytes);
    }
    return {};
}

void ProbeWorker::fail(Job* job, ProbeResult::FailureReason reason, const QString& text)
{
    job->result.ok = false;
    job->result.reason = reason;
    job->result.reasonText = text;
    if (reason == ProbeResult::FailureReason::BodyLimit || reason == ProbeResult::FailureReason::Timeout
        || job->result.httpStatus == 0) {
        job->result.body = QByteArray(); // release what was buffered
    }
    if (job->conn) {
        Connection* conn = job->conn;
        job->conn = nullptr;
        destroyConnection(conn); // never reuse a connection in an unknown state
    }
    finish(job);
}

void ProbeWorker::finish(Job* job)
{
    if (job->timerId) {
        killTimer(job->timerId);
        m_byTimer.remove(job->timerId);
        job->timerId = 0;
    }
    job->result.elapsedUs = job->clock.nsecsElapsed() / 1000;
    if (job->result.ok) {
        qCDebug(lcProbe) << "probe" << job->result.target << job->result.probeIndex << "ok" << job->result.httpStatus
                         << job->result.bytesRead << "bytes" << job->result.elapsedUs << "us";
    } else {
        qCDebug(lcProbe) << "probe" << job->result.target << job->result.probeIndex
                         << "failed:" << ProbeResult::reasonName(job->result.reason) << job->result.reasonText;
    }
    --m_running;
    // Results finishing in the same pass of the event loop cross to the engine's thread together.
    if (m_outbox.isEmpty())
        QMetaObject::invokeMethod(this, &ProbeWorker::flushResults, Qt::QueuedConnection);
    m_outbox.append(std::move(job->result));
    delete job;
    startPending();
}

void ProbeWorker::flushResults()
{
    if (m_outbox.isEmpty())
        return;
    QList<ProbeResult> batch;
    batch.swap(m_outbox);
    Q_EMIT finished(batch);
}

} // namespace FaultDesk
