#include "probe/probeengine.h"

#include "probe/postgresprober.h"
#include "probe/probeworker.h"

#include <QThread>

namespace FaultDesk {

ProbeEngine::ProbeEngine(QObject* parent)
    : QObject(parent)
    , m_thread(new QThread(this))
    , m_worker(new ProbeWorker)
    , m_postgres(new PostgresProber(this))
{
    connect(m_postgres, &PostgresProber::finished, this,
        [this](const ProbeResult& result) { onWorkerFinished({ result }); });
    qRegisterMetaType<FaultDesk::ProbeResult>();
    qRegisterMetaType<FaultDesk::ProbeSpec>();
    qRegisterMetaType<QList<FaultDesk::ProbeResult>>();
    m_thread->setObjectName(QStringLiteral("FaultDesk probes"));
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &ProbeWorker::finished, this, &ProbeEngine::onWorkerFinished, Qt::QueuedConnection);
    m_thread->start();
}

ProbeEngine::~ProbeEngine()
{
    // The worker must close its sockets in its own thread before the thread stops.
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_postgres; // joins the postgres sessions' threads
}

void ProbeEngine::submit(const QString& target, int probeIndex, const ProbeSpec& spec)
{
    submit(QList<Request> { Request { target, probeIndex, spec } });
}

void ProbeEngine::submit(const QList<Request>& requests)
{
    if (requests.isEmpty())
        return;
    m_pending.fetch_add(int(requests.size()));
    QList<Request> network;
    network.reserve(requests.size());
    for (const Request& r : requests) {
        if (r.spec.kind != ProbeSpec::Kind::Postgres) {
            network.append(r);
            continue;
        }
        m_postgres->submit(r);
    }
    if (network.isEmpty())
        return;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, network] { worker->submit(network); }, Qt::QueuedConnection);
}

void ProbeEngine::setMaxInFlight(int count)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, count] { worker->setMaxInFlight(count); });
}

void ProbeEngine::setMaxIdleConnectionsPerHost(int count)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, count] { worker->setMaxIdlePerHost(count); });
}

int ProbeEngine::pending() const
{
    return m_pending.load();
}

void ProbeEngine::onWorkerFinished(const QList<ProbeResult>& results)
{
    m_pending.fetch_sub(int(results.size()));
    for (const ProbeResult& result : results)
        Q_EMIT probeFinished(result);
}

} // namespace FaultDesk
