#pragma once

#include "httplistener.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QMap>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSocketNotifier>
#include <QTimer>

#include <deque>
#include <random>

namespace FaultDesk {

/// Settings of one simulated server process (`faultdesk-fleetsim serve …`), value type.
struct SimTargetOptions
{
    QString name;
    QString kind = QStringLiteral("web"); ///< web, api or db
    QString role = QStringLiteral("primary"); ///< databases
    quint16 port = 0;
    double capacityRps = 20;
    double slowFactor = 0.6; ///< capacity factor while the overload fault makes this server slower
    QString tokenFile;
    QStringList dbUrls; ///< apis: the databases they use, each `NAME=URL` (or a bare base URL, named by it)
    quint32 checksum = 0x5eedf00d;
    int dbPollMs = 500;
    int restartMs = 1500;
    int maxQueueMs = 3000; ///< a request that would wait longer is shed with 503
    int windowMs = 5000; ///< utilisation is measured over this window
    int trickleMs = 200;
    bool controlledByStdin = true; ///< commands from the supervisor on stdin; EOF ends the process
};

/**
 * One simulated server of the demo fleet: a real HTTP/1.1 listener whose work requests cost exponential service
 * time in a single FIFO queue (M/M/1), so latency and utilisation follow the traffic it actually receives. It
 * serves /metrics (Prometheus text), /healthz, an admin API (bearer token) and, for databases, /db/status that
 * the apis poll. The supervisor drives faults through stdin lines ("fault hang", "clear all", …) and reads
 * events from stdout ("LISTENING 1234", "EVENT restored pre-upgrade").
 */
class SimTarget : public QObject
{
    Q_OBJECT
public:
    explicit SimTarget(SimTargetOptions options, QObject* parent = nullptr);

    /// Binds the port and starts serving; false (with *error set) when it cannot.
    bool start(QString* error);

private:
    struct Db
    {
        QString name; ///< the dependency's name, as fleetsim_dependency_up labels it
        QString url;
        bool fresh = false;
        qint64 seenAt = 0;
        QString role;
        bool integrity = true;
        bool readOnly = false;
    };

    void handle(HttpConnection* connection, const HttpRequest& request);
    void handleWork(HttpConnection* connection, const HttpRequest& request);
    void handleAdmin(HttpConnection* connection, const HttpRequest& request);
    void answer(QPointer<HttpConnection> connection, int status, const QByteArray& body, const QByteArray& method,
        double latencySeconds, const QString& source, const QByteArray& contentType = QByteArrayLiteral("text/plain"));
    void send(HttpConnection* connection, int status, const QByteArray& body,
        const QByteArray& contentType = QByteArrayLiteral("text/plain"));
    QByteArray metrics();
    QByteArray statusJson() const;
    double utilisation();
    double capacity() const;
    void tick();
    void pollDatabases();
    void onStdin();
    void command(const QString& line);
    void restart();
    void emitEvent(const QString& event);
    void log(const QString& line) const;
    QString readToken() const;

    SimTargetOptions m_options;
    HttpListener* m_listener = nullptr;
    QElapsedTimer m_clock;
    std::mt19937_64 m_random;
    qint64 m_busyUntilMs = 0;
    std::deque<qint64> m_arrivals;
    QTimer m_tick;
    qint64 m_lastTickMs = 0;

    // fault and admin state
    bool m_hang = false;
    bool m_slow = false;
    bool m_garbage = false;
    bool m_overloadSlow = false;
    qint64 m_restartingUntilMs = 0;
    QSet<QString> m_blocked;
    QList<QPointer<HttpConnection>> m_held;

    // database state
    QString m_role;
    bool m_integrity = true;
    bool m_readOnly = false;
    quint32 m_checksum = 0;
    QMap<QString, quint32> m_backups;

    // apis: what they know about the databases
    QNetworkAccessManager* m_network = nullptr;
    QTimer m_dbPoll;
    QMap<QString, Db> m_dbs; ///< by name
    QSet<QString> m_partitioned; ///< dependencies this server has lost its network path to
    QMap<QString, QString> m_routes; ///< dependency → the other database its calls go to instead (admin reroute)

    // counters
    QMap<QPair<int, QByteArray>, quint64> m_requests;
    QMap<QString, quint64> m_bySource;
    QList<quint64> m_buckets;
    double m_latencySum = 0;
    quint64 m_latencyCount = 0;
    double m_cpuBusy[2] = { 0, 0 };
    double m_cpuIdle[2] = { 0, 0 };
    double m_load1 = 0;
    QDateTime m_startedAt;

    QSocketNotifier* m_stdin = nullptr;
    QByteArray m_stdinBuffer;
};

} // namespace FaultDesk
