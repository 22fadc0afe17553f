#pragma once

#include "probe/proberequest.h"
#include "probe/proberesult.h"
#include "probe/probespec.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QQueue>
#include <QSslCertificate>

class QHostAddress;
class QHostInfo;
class QSocketNotifier;
class QTimerEvent;

namespace FaultDesk {

/**
 * The probe engine's worker: a lean HTTP/1.1 client (responses read by HttpResponseParser) with keep-alive
 * connections reused per host, plus TCP
 * connect probes. Plain connections are raw non-blocking sockets on one epoll set (one QSocketNotifier), so
 * idle connections cost nothing per wake-up; https uses QSslSocket with verification always on. Lives on the
 * ProbeEngine's thread; use it only through ProbeEngine. Every probe has one wall-clock deadline and a body limit;
 * nothing it reads is kept past the limit.
 */
class ProbeWorker : public QObject
{
    Q_OBJECT
public:
    using Request = ProbeRequest;

    explicit ProbeWorker(QObject* parent = nullptr);
    ~ProbeWorker() override;

    /// Queues @p requests; they start at once while fewer than maxInFlight probes run.
    void submit(const QList<Request>& requests);
    /// Limits concurrently running probes (the rest wait in a queue).
    void setMaxInFlight(int count);
    /// Idle keep-alive connections kept per scheme/host/port.
    void setMaxIdlePerHost(int count);
    /// Aborts every running probe without results and closes all connections.
    void shutdown();

Q_SIGNALS:
    /// Results in completion order; each submitted request appears in exactly one batch.
    void finished(const QList<FaultDesk::ProbeResult>& results);

protected:
    void timerEvent(QTimerEvent* event) override;

private:
    struct Job;
    struct Connection;
    enum class Loss {
        PeerClosed,
        Reset,
        Refused,
        HostNotFound,
        Timeout,
        Tls,
        Other
    };

    void start(Job* job);
    void startHttp(Job* job);
    void sendRequest(Job* job);
    void onConnected(Connection* conn);
    bool onReadyRead(Connection* conn);
    void connectFresh(Job* job);
    static QString connectionKey(const Job* job);
    void onSocketError(Connection* conn);
    void onLost(Connection* conn, Loss loss, const QString& detail);
    void beginConnect(Connection* conn, quint16 port);
    void rawConnect(Connection* conn, const QHostAddress& address, quint16 port);
    void rawWrite(Connection* conn, const QByteArray& data);
    void rawReadable(Connection* conn);
    void onRawError(Connection* conn, int error);
    void onEpoll();
    void onResolved(const QString& host, const QHostInfo& info);
    void rawConnectNext(Connection* conn);
    bool consume(Job* job, const char* data, qint64 size);
    void onIdleEvent(Connection* conn);
    bool feed(Job* job, const char* data, qint64 size);
    void completeResponse(Job* job);
    void fail(Job* job, ProbeResult::FailureReason reason, const QString& text);
    void finish(Job* job);
    void releaseConnection(Job* job, bool reusable);
    void destroyConnection(Connection* conn);
    Connection* takeIdle(const QString& key);
    Connection* createConnection(Job* job);
    QString phaseText(const Job* job) const;
    void startPending();
    void flushResults();

    QHash<int, Job*> m_byTimer;
    QHash<QString, QList<Connection*>> m_idle;
    QHash<QString, QList<QSslCertificate>> m_caCache;
    struct DnsEntry
    {
        QList<QHostAddress> addresses;
        qint64 expiresMs = 0;
    };

    QQueue<Job*> m_pending;
    QHash<QString, DnsEntry> m_dnsCache;
    QHash<QString, QList<Connection*>> m_dnsWaiting;
    QElapsedTimer m_monotonic;
    QList<ProbeResult> m_outbox;
    QList<Connection*> m_graveyard; ///< raw connections closed during an epoll batch, freed after it
    QSocketNotifier* m_epollNotifier = nullptr;
    int m_epoll = -1;
    bool m_inEpollBatch = false;
    int m_running = 0;
    int m_maxInFlight = 1024;
    int m_maxIdlePerHost = 2;
};

} // namespace FaultDesk
