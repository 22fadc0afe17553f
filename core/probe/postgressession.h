#pragma once

#include "pg/pgconnection.h"
#include "probe/proberequest.h"
#include "probe/proberesult.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QVariant>

#include <atomic>
#include <optional>

namespace FaultDesk {

/**
 * The postgres probe of one target, on a thread of its own (PostgresProber starts it): one session kept open across
 * rounds and opened again after any failure, and the measurements of the built-in pg_* signals (see
 * PostgresProbeConfig). Its calls block; PostgresProber holds the wall-clock deadline and interrupts it.
 */
class PostgresSession : public QObject
{
    Q_OBJECT
public:
    enum class Phase {
        Idle,
        Connecting,
        Querying,
    };

    explicit PostgresSession(const PostgresDsn& dsn, QObject* parent = nullptr);
    ~PostgresSession() override;

    /// Runs @p request (in this object's thread) unless @p deadline already passed; emits finished() when it ran.
    void run(const FaultDesk::ProbeRequest& request, quint64 serial, QDeadlineTimer deadline);
    /// Thread-safe: when @p serial is the probe running, breaks its session so the blocked call returns.
    void interrupt(quint64 serial);
    /// Thread-safe: what the probe running now is doing.
    Phase phase() const { return m_phase.load(); }
    /// Thread-safe: the serial of the probe running now, 0 when idle.
    quint64 running() const { return m_running.load(); }

Q_SIGNALS:
    void finished(quint64 serial, const FaultDesk::ProbeResult& result);

private:
    bool measure(ProbeResult& result, int statementTimeoutMs, PgConnection::Error* error);
    /// What one status round says of a replica's replication (see statusQuery()).
    struct ReplicaPosition
    {
        bool streaming = false;
        QVariant replayAge; ///< seconds since the last replayed transaction's commit; null when none was replayed
        double runningSeconds = 0;
        double received = 0; ///< WAL position received, in bytes
        double replayed = 0; ///< WAL position replayed, in bytes
        double walPageBytes = 8192; ///< wal_block_size: what is received is whole pages
    };
    /// A replica's lag in seconds from one status round.
    double replicationLag(const ReplicaPosition& position);
    void noteConfigError(const QString& target, const QString& message);

    PgConnection m_connection;
    QHash<QString, double> m_checksumBaseline; ///< per database: its counter when first seen (or reset)
    QHash<QString, double> m_checksumLast; ///< per database: the counter last read
    QString m_lastConfigError; ///< logged once until it changes or the probe succeeds
    bool m_warnedChecksumsOff = false;
    QElapsedTimer m_caughtUp; ///< since this session last saw the replica streaming with everything replayed
    std::optional<ReplicaPosition> m_lastPosition; ///< the replica's positions in the previous round
    std::atomic<Phase> m_phase { Phase::Idle };
    std::atomic<quint64> m_running { 0 };
};

} // namespace FaultDesk
