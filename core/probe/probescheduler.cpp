#include "probe/probescheduler.h"

#include "probe/probeengine.h"
#include "util/logging.h"

#include <QElapsedTimer>

#include <limits>
#include <memory>

namespace FaultDesk {

namespace {

// The first time base + k·period (k ≥ 0) at or after @p notBefore.
qint64 slotAtOrAfter(qint64 base, qint64 period, qint64 notBefore)
{
    if (base >= notBefore)
        return base;
    const qint64 steps = (notBefore - base + period - 1) / period;
    return base + steps * period;
}

} // namespace

ProbeScheduler::ProbeScheduler(ProbeEngine* engine, QObject* parent)
    : QObject(parent)
    , m_engine(engine ? engine : new ProbeEngine(this))
{
    auto monotonic = std::make_shared<QElapsedTimer>();
    monotonic->start();
    m_clock = [monotonic] { return monotonic->elapsed(); };
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ProbeScheduler::onTimer);
    connect(m_engine, &ProbeEngine::probeFinished, this, &ProbeScheduler::onProbeFinished);
}

ProbeScheduler::~ProbeScheduler() = default;

void ProbeScheduler::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

void ProbeScheduler::setInterval(int ms)
{
    m_intervalMs = qMax(1, ms);
    respread();
}

void ProbeScheduler::setTickInterval(int ms)
{
    m_tickIntervalMs = qMax(0, ms);
}

void ProbeScheduler::setRetryInterval(int ms)
{
    m_retryIntervalMs = qMax(1, ms);
}

void ProbeScheduler::setTargets(const QList<ProbeTarget>& targets)
{
    QList<State> states;
    QHash<QString, int> index;
    states.reserve(targets.size());
    for (const ProbeTarget& target : targets) {
        if (index.contains(target.name)) {
            qCWarning(lcProbe) << "duplicate probe target" << target.name << "ignored";
            continue;
        }
        State state;
        const auto old = m_index.constFind(target.name);
        if (old != m_index.constEnd()) {
            const State& previous = m_states.at(*old);
            state.inFlight = previous.inFlight;
            state.outstanding = previous.outstanding;
            state.results = previous.results;
            state.retrying = previous.retrying;
            state.lastStartMs = previous.lastStartMs;
        }
        state.target = target;
        index.insert(target.name, int(states.size()));
        states.append(std::move(state));
    }
    for (const State& previous : std::as_const(m_states)) {
        if (previous.inFlight && !index.contains(previous.target.name))
            --m_counters.inFlight; // its late results will be dropped
    }
    m_states = std::move(states);
    m_index = std::move(index);
    respread();
    qCInfo(lcProbe) << "probe schedule:" << m_states.size() << "targets, interval" << m_intervalMs << "ms";
    if (m_running)
        armTimer(m_clock());
}

QList<ProbeTarget> ProbeScheduler::targets() const
{
    QList<ProbeTarget> result;
    result.reserve(m_states.size());
    for (const State& state : m_states)
        result.append(state.target);
    return result;
}

int ProbeScheduler::periodOf(const State& state) const
{
    return state.target.intervalMs > 0 ? state.target.intervalMs : m_intervalMs;
}

void ProbeScheduler::respread()
{
    const qint64 n = m_states.size();
    for (qint64 i = 0; i < n; ++i) {
        State& state = m_states[i];
        state.offsetMs = i * periodOf(state) / n;
        state.scheduled = false;
    }
}

void ProbeScheduler::setRetrying(const QString& target, bool retrying)
{
    const auto it = m_index.constFind(target);
    if (it == m_index.constEnd())
        return;
    State& state = m_states[*it];
    if (state.retrying == retrying)
        return;
    state.retrying = retrying;
    qCInfo(lcProbe) << "target" << target << (retrying ? "now retried every" : "back to its interval of")
                    << (retrying ? m_retryIntervalMs : periodOf(state)) << "ms";
    if (!state.scheduled)
        return;
    if (retrying) {
        const qint64 soon = state.lastStartMs >= 0 ? state.lastStartMs + m_retryIntervalMs : state.nextDueMs;
        state.nextDueMs = qMin(state.nextDueMs, soon);
    } else {
        state.scheduled = false; // back onto its regular phase on the next tick
    }
    if (m_running)
        armTimer(m_clock());
}

bool ProbeScheduler::isRetrying(const QString& target) const
{
    const auto it = m_index.constFind(target);
    return it != m_index.constEnd() && m_states.at(*it).retrying;
}

qint64 ProbeScheduler::offsetMs(const QString& target) const
{
    const auto it = m_index.constFind(target);
    return it == m_index.constEnd() ? -1 : m_states.at(*it).offsetMs;
}

qint64 ProbeScheduler::nextDueMs(const QString& target) const
{
    const auto it = m_index.constFind(target);
    if (it == m_index.constEnd())
        return -1;
    const State& state = m_states.at(*it);
    if (!state.scheduled)
        return m_haveOrigin ? m_originMs + state.offsetMs : state.offsetMs;
    return state.nextDueMs;
}

void ProbeScheduler::start()
{
    if (m_running)
        return;
    m_running = true;
    m_originMs = m_clock();
    m_haveOrigin = true;
    for (State& state : m_states)
        state.scheduled = false;
    qCInfo(lcProbe) << "probe scheduler started:" << m_states.size() << "targets";
    onTimer();
}

void ProbeScheduler::stop()
{
    m_running = false;
    m_timer.stop();
}

void ProbeScheduler::onTimer()
{
    if (!m_running)
        return;
    const qint64 now = m_clock();
    tick(now);
    armTimer(now);
}

void ProbeScheduler::armTimer(qint64 nowMs)
{
    qint64 earliest = std::numeric_limits<qint64>::max();
    for (const State& state : std::as_const(m_states)) {
        const qint64 due
            = state.scheduled ? state.nextDueMs : slotAtOrAfter(m_originMs + state.offsetMs, periodOf(state), nowMs);
        earliest = qMin(earliest, due);
    }
    if (earliest == std::numeric_limits<qint64>::max())
        return m_timer.stop();
    // Waking at most every tick interval lets one tick start a batch of targets: far fewer thread wake-ups
    // at thousands of targets, for start times late by less than a tick.
    const qint64 wait = earliest <= nowMs ? 0 : qMax<qint64>(earliest - nowMs, m_tickIntervalMs);
    m_timer.start(int(qMin<qint64>(wait, 1000)));
}

void ProbeScheduler::tick(qint64 nowMs)
{
    QElapsedTimer spent;
    spent.start();
    if (!m_haveOrigin) {
        m_originMs = nowMs;
        m_haveOrigin = true;
    }
    QList<ProbeEngine::Request> batch;
    for (State& state : m_states) {
        const qint64 period = periodOf(state);
        if (!state.scheduled) {
            state.nextDueMs = slotAtOrAfter(m_originMs + state.offsetMs, period, nowMs);
            state.scheduled = true;
        }
        if (state.nextDueMs > nowMs)
            continue;
        const qint64 due = state.nextDueMs;
        if (state.retrying)
            state.nextDueMs = nowMs + m_retryIntervalMs;
        else
            state.nextDueMs = slotAtOrAfter(due + period, period, nowMs + 1);
        if (state.inFlight) {
            ++m_counters.roundsSkipped;
            qCDebug(lcProbe) << "target" << state.target.name << "round skipped: previous one still running";
            Q_EMIT roundSkipped(state.target.name, nowMs);
            continue;
        }
        if (state.target.probes.isEmpty())
            continue;
        state.inFlight = true;
        state.lastStartMs = nowMs;
        state.outstanding = int(state.target.probes.size());
        state.results = QList<ProbeResult>(state.target.probes.size());
        ++m_counters.roundsStarted;
        ++m_counters.inFlight;
        for (int i = 0; i < state.target.probes.size(); ++i)
            batch.append(ProbeEngine::Request { state.target.name, i, state.target.probes.at(i) });
        Q_EMIT roundStarted(state.target.name, nowMs);
    }
    m_engine->submit(batch);
    m_counters.lastTickUs = spent.nsecsElapsed() / 1000;
    m_counters.maxTickUs = qMax(m_counters.maxTickUs, m_counters.lastTickUs);
}

ProbeScheduler::Counters ProbeScheduler::counters() const
{
    return m_counters;
}

void ProbeScheduler::onProbeFinished(const ProbeResult& result)
{
    const auto it = m_index.constFind(result.target);
    if (it == m_index.constEnd())
        return; // the target was removed while its round ran
    State& state = m_states[*it];
    if (!state.inFlight || result.probeIndex < 0 || result.probeIndex >= state.results.size())
        return;
    state.results[result.probeIndex] = result;
    Q_EMIT resultReady(result);
    if (--state.outstanding > 0)
        return;
    state.inFlight = false;
    --m_counters.inFlight;
    ++m_counters.roundsFinished;
    const QList<ProbeResult> results = std::move(state.results);
    state.results = {};
    Q_EMIT roundFinished(state.target.name, results);
}

} // namespace FaultDesk
