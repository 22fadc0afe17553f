#pragma once

#include "probe/proberequest.h"
#include "probe/proberesult.h"
#include "probe/probespec.h"

#include <QList>
#include <QObject>

#include <atomic>

class QThread;

namespace FaultDesk {

class PostgresProber;
class ProbeWorker;

/**
 * Runs probes off the caller's thread. The engine owns a QThread with a ProbeWorker on it; submit() is
 * cheap and non-blocking, and every result comes back as a queued probeFinished() in the engine's thread.
 * Many probes run concurrently (up to maxInFlight, the rest queue); each one is bounded in time (its
 * deadline) and memory (its body limit). Deleting the engine aborts what runs and joins the thread.
 */
class ProbeEngine : public QObject
{
    Q_OBJECT
public:
    using Request = ProbeRequest;

    explicit ProbeEngine(QObject* parent = nullptr);
    ~ProbeEngine() override;

    /// Runs one probe.
    void submit(const QString& target, int probeIndex, const ProbeSpec& spec);
    /// Runs many probes with one hand-over to the worker thread (what the scheduler does each tick).
    void submit(const QList<Request>& requests);
    /// Caps probes running at once (default 1024); further ones wait for a free slot.
    void setMaxInFlight(int count);
    /// Idle keep-alive connections kept per scheme/host/port (default 2; 0 = a new connection per probe).
    void setMaxIdleConnectionsPerHost(int count);
    /// Probes submitted whose result has not been delivered yet.
    int pending() const;

Q_SIGNALS:
    /// A probe finished (successfully or not). Emitted in the engine's thread.
    void probeFinished(const FaultDesk::ProbeResult& result);

private:
    void onWorkerFinished(const QList<ProbeResult>& results);

    QThread* m_thread = nullptr;
    ProbeWorker* m_worker = nullptr;
    PostgresProber* m_postgres = nullptr; ///< threads start with the first postgres probe
    std::atomic<int> m_pending { 0 };
};

} // namespace FaultDesk
