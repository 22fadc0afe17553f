#pragma once

#include "probe/proberequest.h"
#include "probe/proberesult.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>

class QThread;
class QTimerEvent;

namespace FaultDesk {

class PostgresSession;

/**
 * Runs postgres probes for ProbeEngine without ever blocking its thread: each target gets a PostgresSession on a
 * thread of its own (one connection kept per target), and this object, in the engine's thread, holds every probe's
 * wall-clock deadline. At the deadline the probe is reported as a timeout and its session interrupted; a session
 * still stuck in libpq's connect (which cannot be interrupted, and lasts at least 2 s) makes the next rounds of its
 * target time out too, never anyone else's. Exactly one result per submitted request.
 */
class PostgresProber : public QObject
{
    Q_OBJECT
public:
    explicit PostgresProber(QObject* parent = nullptr);
    /// Interrupts every session and joins the threads (a connect in progress ends within its connect_timeout).
    ~PostgresProber() override;

    void submit(const ProbeRequest& request);

Q_SIGNALS:
    void finished(const FaultDesk::ProbeResult& result);

protected:
    void timerEvent(QTimerEvent* event) override;

private:
    struct Slot
    {
        QString dsn; ///< the DSN the session was made for; another one retires it
        QThread* thread = nullptr;
        PostgresSession* session = nullptr;
    };
    struct Pending
    {
        ProbeRequest request;
        QDateTime startedAt;
        QElapsedTimer clock;
        int timerId = 0;
    };

    Slot& slotFor(const ProbeRequest& request);
    void retire(Slot& slot);
    void onSessionFinished(quint64 serial, const ProbeResult& result);

    QHash<QString, Slot> m_slots; ///< by target
    QList<Slot> m_retired; ///< sessions of a changed DSN, finishing their last call
    QHash<quint64, Pending> m_pending;
    QHash<int, quint64> m_byTimer;
    quint64 m_serial = 0;
};

} // namespace FaultDesk
