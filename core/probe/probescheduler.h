#pragma once

#include "probe/proberesult.h"
#include "probe/probetarget.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <functional>

namespace FaultDesk {

class ProbeEngine;

/**
 * Runs every target's probes as one round per interval on a ProbeEngine. Targets' start offsets are
 * spread evenly over the interval so load is flat; each target has at most one round in flight, so a
 * slow or hanging target only skips its own rounds (counted) and never delays the others. Targets the
 * caller marks as retrying (a SOFT state) are probed at the faster retry interval.
 *
 * Time comes from an injectable clock (milliseconds, monotonic); tests call tick(now) directly and
 * leave the scheduler stopped. Results arrive as value types in this object's thread.
 */
class ProbeScheduler : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<qint64()>;

    /// Figures for status displays and benchmarks.
    struct Counters
    {
        quint64 roundsStarted = 0;
        quint64 roundsSkipped = 0; ///< due while the previous round was still running
        quint64 roundsFinished = 0;
        int inFlight = 0; ///< targets with a round running now
        qint64 lastTickUs = 0; ///< CPU-side duration of the last tick (scan + hand-over)
        qint64 maxTickUs = 0;
    };

    /// Uses @p engine (not owned) to run probes; with nullptr the scheduler creates and owns its own engine.
    explicit ProbeScheduler(ProbeEngine* engine = nullptr, QObject* parent = nullptr);
    ~ProbeScheduler() override;

    /// Replaces the monotonic millisecond clock (default: a QElapsedTimer).
    void setClock(Clock clock);
    /// Default interval between a target's rounds (default 1000 ms); re-spreads offsets.
    void setInterval(int ms);
    int interval() const { return m_intervalMs; }
    /// Least time between two timer-driven ticks (default 10 ms); rounds start up to this late, in batches.
    void setTickInterval(int ms);
    int tickInterval() const { return m_tickIntervalMs; }
    /// Interval for targets marked retrying (default 250 ms).
    void setRetryInterval(int ms);
    int retryInterval() const { return m_retryIntervalMs; }

    /// Sets the targets; a target keeping its name keeps its in-flight round and retry mark.
    /// Offsets are spread evenly in the given order: target i of n starts at i·interval/n.
    void setTargets(const QList<ProbeTarget>& targets);
    QList<ProbeTarget> targets() const;
    /// Marks @p target for the fast retry interval (true) or back to its normal interval (false).
    void setRetrying(const QString& target, bool retrying);
    bool isRetrying(const QString& target) const;
    /// The target's start offset within its interval, or -1 for an unknown target.
    qint64 offsetMs(const QString& target) const;
    /// When the target's next round is due on the scheduler's clock, or -1.
    qint64 nextDueMs(const QString& target) const;

    /// Starts the timer-driven schedule: the first round of target i is due at now + offset(i).
    void start();
    void stop();
    bool isRunning() const { return m_running; }

    /// Starts every round due at @p nowMs (what the timer calls with the clock's time). Also usable
    /// while stopped, for tests; the phase origin is the first tick's time unless start() set it.
    void tick(qint64 nowMs);
    Counters counters() const;
    /// Duration of the last tick in microseconds.
    qint64 tickDurationUs() const { return m_counters.lastTickUs; }
    ProbeEngine* engine() const { return m_engine; }

Q_SIGNALS:
    void roundStarted(const QString& target, qint64 nowMs);
    void roundSkipped(const QString& target, qint64 nowMs);
    /// One probe of a round finished.
    void resultReady(const FaultDesk::ProbeResult& result);
    /// Every probe of the target's round finished; @p results are in probe order.
    void roundFinished(const QString& target, const QList<FaultDesk::ProbeResult>& results);

private:
    struct State
    {
        ProbeTarget target;
        qint64 offsetMs = 0;
        qint64 nextDueMs = 0;
        qint64 lastStartMs = -1;
        bool scheduled = false; ///< nextDueMs is valid (set on the first tick after start/setTargets)
        bool inFlight = false;
        bool retrying = false;
        int outstanding = 0;
        QList<ProbeResult> results;
    };

    int periodOf(const State& state) const;
    void respread();
    void onProbeFinished(const ProbeResult& result);
    void onTimer();
    void armTimer(qint64 nowMs);

    ProbeEngine* m_engine = nullptr;
    Clock m_clock;
    QTimer m_timer;
    QList<State> m_states;
    QHash<QString, int> m_index;
    int m_intervalMs = 1000;
    int m_retryIntervalMs = 250;
    int m_tickIntervalMs = 10;
    bool m_running = false;
    bool m_haveOrigin = false;
    qint64 m_originMs = 0;
    Counters m_counters;
};

} // namespace FaultDesk
