#include "attackdetector.h"

#include <algorithm>

namespace FaultDesk {

AttackDetector::AttackDetector(const TargetPolicy::AttackRule& rule)
    : m_rule(rule)
{ }

double AttackDetector::baselineMedian() const
{
    if (m_baseline.isEmpty())
        return 0;
    QList<double> v = m_baseline;
    const auto mid = v.begin() + v.size() / 2;
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

AttackDetector::Verdict AttackDetector::observe(const QHash<QString, double>& sourceRates)
{
    if (!m_rule.enabled || sourceRates.isEmpty())
        return m_verdict;

    QList<std::pair<double, QString>> sorted;
    sorted.reserve(sourceRates.size());
    double total = 0;
    for (auto it = sourceRates.cbegin(); it != sourceRates.cend(); ++it) {
        const double rate = std::max(0.0, it.value());
        total += rate;
        sorted.append({ rate, it.key() });
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

    Verdict v;
    v.totalRate = total;
    v.topShare = total > 0 ? top / total : 0;
    v.baselineRate = baselineMedian();
    const bool armed = m_baseline.size() >= std::max(1, m_rule.minSamples);
    if (armed) {
        if (!m_verdict.underAttack) {
            v.underAttack = v.topShare > m_rule.shareEnter && total > m_rule.rateFactor * v.baselineRate
                && total > m_rule.minRate;
        } else {
            v.underAttack = v.topShare > m_rule.shareClear && total > m_rule.rateClearFactor * v.baselineRate
                && total > m_rule.minRate;
        }
    }
    if (v.underAttack) {
        // Name the sources far above a typical one; the median source stands for normal clients.
        std::sort(sorted.begin(), sorted.end(), busier);
        const double typical = sorted[sorted.size() / 2].first;
        for (const auto& [rate, source] : sorted) {
            if (v.sources.size() >= m_rule.maxNamed)
                break;
            if (!v.sources.isEmpty() && rate < m_rule.heavyFactor * typical)
                break;
            v.sources.append(source);
            v.sourceRates.append(rate);
        }
    } else {
        // Only traffic outside an attack teaches the baseline, or a long flood would become normal.
        if (m_baseline.size() < std::max(1, m_rule.window)) {
            m_baseline.append(total);
        } else {
            m_baseline[m_next] = total;
            m_next = (m_next + 1) % int(m_baseline.size());
        }
    }
    m_verdict = v;
    return v;
}

} // namespace FaultDesk
