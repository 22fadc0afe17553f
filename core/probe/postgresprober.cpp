#include "probe/postgresprober.h"

#include "config/postgresprobeconfig.h"
#include "probe/postgressession.h"
#include "util/logging.h"

#include <QDeadlineTimer>
#include <QThread>
#include <QTimerEvent>

namespace FaultDesk {

PostgresProber::PostgresProber(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<FaultDesk::ProbeResult>();
}

PostgresProber::~PostgresProber()
{
    // Retired sessions were interrupted when retired and may be gone already; live ones still run their thread.
    for (const Slot& s : std::as_const(m_slots))
        s.session->interrupt(s.session->running());
    QList<Slot> all = m_retired;
    for (const Slot& s : std::as_const(m_slots))
        all.append(s);
    for (const Slot& s : std::as_const(all))
        s.thread->quit();
    for (const Slot& s : std::as_const(all)) {
        s.thread->wait();
        delete s.thread;
    }
}

PostgresProber::Slot& PostgresProber::slotFor(const ProbeRequest& request)
{
    const QString dsn = request.spec.postgres.toString()
        + (request.spec.postgres.password ? request.spec.postgres.password->toString() : QString());
    auto it = m_slots.find(request.target);
    if (it != m_slots.end() && it->dsn == dsn)
        return *it;
    if (it != m_slots.end()) {
        retire(*it);
        m_slots.erase(it);
    }
    Slot slot;
    slot.dsn = dsn;
    slot.thread = new QThread; // joined and deleted by this object, never by a parent that may not wait
    slot.thread->setObjectName(QStringLiteral("FaultDesk postgres ") + request.target);
    slot.session = new PostgresSession(request.spec.postgres);
    slot.session->moveToThread(slot.thread);
    connect(slot.thread, &QThread::finished, slot.session, &QObject::deleteLater);
    connect(slot.session, &PostgresSession::finished, this, &PostgresProber::onSessionFinished, Qt::QueuedConnection);
    slot.thread->start();
    return *m_slots.insert(request.target, slot);
}

void PostgresProber::retire(Slot& slot)
{
    slot.session->interrupt(slot.session->running());
    disconnect(slot.session, nullptr, this, nullptr);
    slot.thread->quit();
    m_retired.append(slot);
    QThread* thread = slot.thread;
    connect(thread, &QThread::finished, this, [this, thread] {
        for (qsizetype i = 0; i < m_retired.size(); ++i) {
            if (m_retired.at(i).thread == thread) {
                m_retired.removeAt(i);
                thread->wait();
                thread->deleteLater();
                return;
            }
        }
    });
}

void PostgresProber::submit(const ProbeRequest& request)
{
    Slot& slot = slotFor(request);
    const quint64 serial = ++m_serial;
    Pending pending;
    pending.request = request;
    pending.startedAt = QDateTime::currentDateTimeUtc();
    pending.clock.start();
    pending.timerId = startTimer(qMax(1, request.spec.timeoutMs), Qt::PreciseTimer);
    m_byTimer.insert(pending.timerId, serial);
    m_pending.insert(serial, pending);
    const QDeadlineTimer deadline(qMax(1, request.spec.timeoutMs), Qt::PreciseTimer);
    QMetaObject::invokeMethod(
        slot.session, [session = slot.session, request, serial, deadline] { session->run(request, serial, deadline); },
        Qt::QueuedConnection);
}

void PostgresProber::onSessionFinished(quint64 serial, const ProbeResult& result)
{
    const auto it = m_pending.find(serial);
    if (it == m_pending.end())
        return; // reported as a timeout already
    killTimer(it->timerId);
    m_byTimer.remove(it->timerId);
    m_pending.erase(it);
    Q_EMIT finished(result);
}

void PostgresProber::timerEvent(QTimerEvent* event)
{
    const quint64 serial = m_byTimer.take(event->timerId());
    killTimer(event->timerId());
    const auto it = m_pending.find(serial);
    if (it == m_pending.end())
        return;
    const Pending pending = *it;
    m_pending.erase(it);

    QString phase = QStringLiteral("waiting for its session");
    if (const auto slot = m_slots.constFind(pending.request.target); slot != m_slots.constEnd()) {
        PostgresSession* session = slot->session;
        const quint64 running = session->running();
        if (running == serial) {
            phase = session->phase() == PostgresSession::Phase::Connecting ? QStringLiteral("connecting")
                                                                           : QStringLiteral("querying");
            session->interrupt(serial);
        } else if (running != 0) {
            phase = QStringLiteral("waiting for the previous attempt, still stuck connecting");
        }
    }
    ProbeResult result;
    result.target = pending.request.target;
    result.probeIndex = pending.request.probeIndex;
    result.kind = ProbeSpec::Kind::Postgres;
    result.reason = ProbeResult::FailureReason::Timeout;
    result.reasonText = QStringLiteral("timeout after %1 ms while %2").arg(pending.request.spec.timeoutMs).arg(phase);
    result.startedAt = pending.startedAt;
    result.elapsedUs = pending.clock.nsecsElapsed() / 1000;
    result.values.insert(PostgresProbeConfig::upSignal(), 0);
    qCDebug(lcProbe).noquote() << "postgres probe of" << result.target << result.reasonText;
    Q_EMIT finished(result);
}

} // namespace FaultDesk
