#include "detect/attackdetector.h"

#include <algorithm>
#include <cmath>

namespace FaultDesk {

AttackDetector::AttackDetector(const TargetPolicy::AttackRule& rule)
    : m_rule(rule)
{ }

double AttackDetector::baselineRate() const
{
    if (m_baseline.isEmpty())
        return 0;
    // The lower quartile, not the median: a flash sale is not an attack, so it teaches the baseline, and a long
    // one would otherwise lift it so far that an attack riding on the next quiet hour went unseen.
    QList<double> v = m_baseline;
    const auto q = v.begin() + v.size() / 4;
    std::nth_element(v.begin(), q, v.end());
    return *q;
}

void AttackDetector::smooth(const QHash<QString, double>& sourceRates, qint64 nowMs)
{
    const qint64 tau = m_rule.smoothingMs;
    if (tau <= 0 || m_lastMs < 0) {
        m_smoothed.clear();
        for (auto it = sourceRates.cbegin(); it != sourceRates.cend(); ++it)
            m_smoothed.insert(it.key(), std::max(0.0, it.value()));
        m_lastMs = nowMs;
        return;
    }
    if (nowMs <= m_lastMs) {
        // A second look at the same instant adds nothing; a clock that went back restarts the interval.
        m_lastMs = nowMs;
        return;
    }
    const double alpha = 1.0 - std::exp(-double(std::min(nowMs - m_lastMs, 10 * tau)) / double(tau));
    m_lastMs = nowMs;
    // Sources that sent nothing this interval decay towards zero; the ones that have faded out are dropped so
    // the map stays as small as the set of recent clients.
    for (auto it = m_smoothed.begin(); it != m_smoothed.end();) {
        const double rate = std::max(0.0, sourceRates.value(it.key(), 0.0));
        it.value() += alpha * (rate - it.value());
        if (it.value() < 1e-3 && rate <= 0)
            it = m_smoothed.erase(it);
        else
            ++it;
    }
    for (auto it = sourceRates.cbegin(); it != sourceRates.cend(); ++it) {
        if (!m_smoothed.contains(it.key()) && it.value() > 0)
            m_smoothed.insert(it.key(), alpha * it.value());
    }
}

void AttackDetector::remember(const QHash<QString, double>& sourceRates, qint64 nowMs)
{
    const qint64 span = std::max({ m_rule.smoothingMs, m_rule.rateWindowMs, qint64(1000) });
    // The first interval is taken as a second; a second look at the same instant (or a clock that went back)
    // covers no time and adds no requests, as in smooth().
    if (m_lastMs >= 0 && nowMs <= m_lastMs)
        return;
    const double seconds = m_lastMs < 0 ? 1.0 : double(std::min(nowMs - m_lastMs, span)) / 1000.0;
    m_recent.append({ nowMs, seconds, sourceRates });
    while (m_recent.size() > 1 && m_recent.constFirst().endMs <= nowMs - span)
        m_recent.removeFirst();
}

double AttackDetector::recentRequests(const QString& source) const
{
    double requests = 0;
    for (const Interval& i : m_recent)
        requests += std::max(0.0, i.rates.value(source, 0.0)) * i.seconds;
    return requests;
}

QHash<QString, double> AttackDetector::windowRequests(qint64 nowMs, double* seconds) const
{
    QHash<QString, double> requests;
    double covered = 0;
    for (qsizetype i = m_recent.size() - 1; i >= 0; --i) {
        const Interval& interval = m_recent[i];
        if (i < m_recent.size() - 1 && interval.endMs <= nowMs - m_rule.rateWindowMs)
            break;
        covered += interval.seconds;
        for (auto it = interval.rates.cbegin(); it != interval.rates.cend(); ++it)
            if (it.value() > 0)
                requests[it.key()] += it.value() * interval.seconds;
    }
    *seconds = covered;
    return requests;
}

AttackDetector::Verdict AttackDetector::observe(const QHash<QString, double>& sourceRates, qint64 nowMs)
{
    if (!m_rule.enabled)
        return m_verdict;
    // An interval measured without a single request still counts as time: skipped, the next interval's rates were
    // weighed over both, and one request in a 0.1 s scrape after a quiet second made its source look like a fifth
    // of all traffic, enough for a false attack at the start of a flash sale. A quiet interval never starts an
    // attack, but it does count towards the end of one: a flood that stopped leaves nothing but quiet intervals on
    // a server nobody else uses.
    const bool quiet = sourceRates.isEmpty();
    remember(sourceRates, nowMs);
    smooth(sourceRates, nowMs);

    double windowSeconds = 0;
    const QHash<QString, double> requests = windowRequests(nowMs, &windowSeconds);
    double windowRequestsTotal = 0;
    QList<std::pair<double, QString>> byCount;
    byCount.reserve(requests.size());
    for (auto it = requests.cbegin(); it != requests.cend(); ++it) {
        windowRequestsTotal += it.value();
        byCount.append({ it.value(), it.key() });
    }
    const double total = windowSeconds > 0 ? windowRequestsTotal / windowSeconds : 0;

    QList<std::pair<double, QString>> sorted;
    sorted.reserve(m_smoothed.size());
    double smoothedTotal = 0;
    for (auto it = m_smoothed.cbegin(); it != m_smoothed.cend(); ++it) {
        smoothedTotal += it.value();
        sorted.append({ it.value(), it.key() });
    }
    // Busiest first; ties by name so the named sources are stable. Only the top needs ordering on the
    // common path; the full order is needed only to name the sources of an attack.
    const auto busier
        = [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; };
    const int topN = std::min<int>(std::max(1, m_rule.topSources), int(sorted.size()));
    std::partial_sort(sorted.begin(), sorted.begin() + topN, sorted.end(), busier);
    double top = 0;
    for (int i = 0; i < topN; ++i)
        top += sorted[i].first;
    const int countedN = std::min<int>(std::max(1, m_rule.topSources), int(byCount.size()));
    std::partial_sort(byCount.begin(), byCount.begin() + countedN, byCount.end(), busier);
    double countedTop = 0;
    for (int i = 0; i < countedN; ++i)
        countedTop += byCount[i].first;

    Verdict v;
    v.totalRate = total;
    v.windowSeconds = windowSeconds;
    v.topShare = smoothedTotal > 0 ? top / smoothedTotal : 0;
    v.countedTopShare = windowRequestsTotal > 0 ? countedTop / windowRequestsTotal : 0;
    v.baselineRate = baselineRate();
    const bool armed = m_baseline.size() >= std::max(1, m_rule.minSamples);
    if (armed) {
        if (!m_verdict.underAttack) {
            // The rise must also show in the smoothed rate: a flood lasts; it lifts the smoothed rate within a
            // second or two, where a scrape that comes early (a busy monitor) only makes a short burst.
            // And the busiest source must have sent a flood's worth lately: on a quiet server a handful of
            // requests from three clients is "most of the traffic" without being anything.
            v.underAttack = !quiet && !sorted.isEmpty() && v.topShare > m_rule.shareEnter
                && total > m_rule.rateFactor * v.baselineRate && smoothedTotal > m_rule.rateClearFactor * v.baselineRate
                && total > m_rule.minRate && recentRequests(sorted.constFirst().second) >= m_rule.minSourceRequests;
        } else {
            // Hysteresis on the absolute floor too: a 12 req/s flood counted over two seconds dips below 5 req/s
            // now and then by chance alone, which is no end of the attack.
            v.underAttack = v.topShare > m_rule.shareClear && total > m_rule.rateClearFactor * v.baselineRate
                && total > m_rule.minRate * m_rule.rateClearFactor / std::max(m_rule.rateFactor, 1e-9);
        }
    }
    if (v.underAttack) {
        // Name the sources far above a typical one (the median source stands for normal clients) that also
        // carry a real part of the traffic: a client that happened to send two requests lately is neither.
        std::sort(sorted.begin(), sorted.end(), busier);
        const double typical = sorted[sorted.size() / 2].first;
        QList<std::pair<double, QString>> named;
        for (const auto& [rate, source] : sorted) {
            if (named.size() >= m_rule.maxNamed)
                break;
            if (!named.isEmpty()
                && (rate < m_rule.heavyFactor * typical || rate < m_rule.minSourceShare * smoothedTotal
                    || rate < m_rule.minOfBusiest * sorted.first().first))
                break;
            // Counted, not smoothed: at the start of a flood its sources have sent many requests while their
            // smoothed rates still climb.
            if (!named.isEmpty() && recentRequests(source) < m_rule.minSourceRequests)
                continue;
            named.append({ windowSeconds > 0 ? requests.value(source) / windowSeconds : 0, source });
        }
        // Shown busiest first by the rates shown.
        std::stable_sort(named.begin(), named.end(), busier);
        for (const auto& [rate, source] : std::as_const(named)) {
            v.sources.append(source);
            v.sourceRates.append(rate);
        }
    } else {
        // Only traffic outside an attack teaches the baseline, or a long flood would become normal. The smoothed
        // total, not one interval's rate: that is biased by the scrape's length (a quiet 0.3 s scrape reads nothing,
        // a busy one 3 req/s per request), and on a quiet server a quarter of two-second windows hold no request
        // at all, which made "its baseline of 0 req/s". The smoothed rate is what the server usually sees.
        if (m_baseline.size() < std::max(1, m_rule.window)) {
            m_baseline.append(smoothedTotal);
        } else {
            m_baseline[m_next] = smoothedTotal;
            m_next = (m_next + 1) % int(m_baseline.size());
        }
    }
    m_verdict = v;
    return v;
}

} // namespace FaultDesk
