#include "detect/adaptivethreshold.h"

#include <algorithm>
#include <cmath>

namespace FaultDesk {

namespace {

constexpr int RecomputeEvery = 20;

double normalCdf(double z)
{
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    const auto mid = values.begin() + values.size() / 2;
    std::nth_element(values.begin(), mid, values.end());
    if (values.size() % 2 == 1)
        return *mid;
    const double upper = *mid;
    const double lower = *std::max_element(values.begin(), mid);
    return (lower + upper) / 2;
}

// P(X > x) for the rule's direction "above", P(X < x) for "below": the probability of an alarm.
double beyond(double x, double centre, double scale, ThresholdRule::Direction direction)
{
    const double z = (x - centre) / scale;
    return direction == ThresholdRule::Direction::Above ? 1.0 - normalCdf(z) : normalCdf(z);
}

} // namespace

AdaptiveThreshold::AdaptiveThreshold(const ThresholdRule& rule, Model model, uint recomputePhase)
    : m_rule(rule)
    , m_model(model)
    , m_sinceRecompute(int(recomputePhase % RecomputeEvery))
{
    m_samples.reserve(qMax(1, rule.window));
}

void AdaptiveThreshold::addSample(double value)
{
    if (!std::isfinite(value))
        return;
    if (m_samples.size() < qMax(1, m_rule.window)) {
        m_samples.append(value);
    } else {
        m_samples[m_next] = value;
        m_next = (m_next + 1) % int(m_samples.size());
    }
    // Recompute as soon as the level can be valid, then every few samples, keeping this instance's phase.
    const bool periodic = ++m_sinceRecompute >= RecomputeEvery;
    if (periodic)
        m_sinceRecompute = 0;
    if (periodic || (!m_estimate.valid && m_samples.size() >= m_rule.minSamples))
        m_estimate = optimise(m_samples, m_rule, m_model);
    m_estimate.samples = int(m_samples.size());
}

AdaptiveThreshold::Fit AdaptiveThreshold::fit(const QList<double>& baseline, const ThresholdRule& rule, Model model)
{
    Fit f;
    f.mean = median(baseline);
    QList<double> deviations;
    deviations.reserve(baseline.size());
    for (double v : baseline)
        deviations.append(std::abs(v - f.mean));
    const double mad = 1.4826 * median(deviations);
    // A perfectly flat baseline (a gauge stuck at 1.0) would make every wobble an alarm: floor the spread.
    f.sd = std::max({ mad, 0.02 * std::abs(f.mean), 1e-6 });
    const bool up = rule.direction == ThresholdRule::Direction::Above;
    const double shifted = up ? f.mean + rule.faultShiftSd * f.sd : f.mean - rule.faultShiftSd * f.sd;
    f.faultMean = shifted;
    if (rule.faultLevel && (up ? *rule.faultLevel > f.mean : *rule.faultLevel < f.mean))
        f.faultMean = *rule.faultLevel;
    if (model == Model::Empirical)
        f.bandwidth = std::max(1.06 * f.sd * std::pow(double(std::max<qsizetype>(baseline.size(), 1)), -0.2), 1e-9);
    return f;
}

double AdaptiveThreshold::falseAlarm(
    double x, const QList<double>& baseline, const Fit& f, const ThresholdRule& rule, Model model)
{
    if (model == Model::Normal || baseline.isEmpty())
        return beyond(x, f.mean, f.sd, rule.direction);
    double sum = 0;
    for (double s : baseline)
        sum += beyond(x, s, f.bandwidth, rule.direction);
    return sum / double(baseline.size());
}

double AdaptiveThreshold::miss(
    double x, const QList<double>& baseline, const Fit& f, const ThresholdRule& rule, Model model)
{
    // The fault model keeps the baseline's shape and moves its centre to faultMean.
    const double shift = f.faultMean - f.mean;
    if (model == Model::Normal || baseline.isEmpty())
        return 1.0 - beyond(x, f.faultMean, f.sd, rule.direction);
    double sum = 0;
    for (double s : baseline)
        sum += 1.0 - beyond(x, s + shift, f.bandwidth, rule.direction);
    return sum / double(baseline.size());
}

AdaptiveThreshold::Estimate AdaptiveThreshold::optimise(
    const QList<double>& baseline, const ThresholdRule& rule, Model model)
{
    Estimate e;
    e.samples = int(baseline.size());
    if (baseline.isEmpty())
        return e;
    const Fit f = fit(baseline, rule, model);
    auto cost = [&](double x) {
        return rule.costFalseAlarm * falseAlarm(x, baseline, f, rule, model)
            + rule.costMiss * miss(x, baseline, f, rule, model);
    };
    // d(x) is smooth with one minimum between the two centres for these models; a coarse grid brackets it
    // (robust to a flat region when costs are very uneven) and a golden-section search refines it.
    const double lo = std::min(f.mean, f.faultMean) - 4 * f.sd;
    const double hi = std::max(f.mean, f.faultMean) + 4 * f.sd;
    constexpr int Steps = 64;
    const double step = (hi - lo) / Steps;
    int best = 0;
    double bestCost = cost(lo);
    for (int i = 1; i <= Steps; ++i) {
        const double c = cost(lo + i * step);
        if (c < bestCost) {
            bestCost = c;
            best = i;
        }
    }
    // A fault far beyond a tight baseline leaves a plateau where neither error costs anything that a double can
    // tell apart: any level on it is optimal, and the middle is the one that stays clear of both (the first point of
    // it would sit a few spreads above the baseline, where the next wobble of a busy host crosses it).
    int first = best;
    int last = best;
    const double flat = bestCost + 1e-9 * (rule.costFalseAlarm + rule.costMiss);
    while (first > 0 && cost(lo + (first - 1) * step) <= flat)
        --first;
    while (last < Steps && cost(lo + (last + 1) * step) <= flat)
        ++last;
    if (last - first >= 2)
        best = (first + last) / 2;
    double a = lo + std::max(0, best - 1) * step;
    double b = lo + std::min(Steps, best + 1) * step;
    const double ratio = (std::sqrt(5.0) - 1) / 2;
    double c1 = b - ratio * (b - a);
    double c2 = a + ratio * (b - a);
    double f1 = cost(c1);
    double f2 = cost(c2);
    for (int i = 0; i < 60 && b - a > 1e-9 * std::max(1.0, std::abs(a)); ++i) {
        if (f1 < f2) {
            b = c2;
            c2 = c1;
            f2 = f1;
            c1 = b - ratio * (b - a);
            f1 = cost(c1);
        } else {
            a = c1;
            c1 = c2;
            f1 = f2;
            c2 = a + ratio * (b - a);
            f2 = cost(c2);
        }
    }
    const double x = (a + b) / 2;
    const bool up = rule.direction == ThresholdRule::Direction::Above;
    e.enter = x;
    e.clear = up ? x - rule.clearBandSd * f.sd : x + rule.clearBandSd * f.sd;
    e.mean = f.mean;
    e.sd = f.sd;
    e.faultMean = f.faultMean;
    e.falseAlarmProbability = falseAlarm(x, baseline, f, rule, model);
    e.missProbability = miss(x, baseline, f, rule, model);
    e.expectedCost = cost(x);
    e.valid = baseline.size() >= std::max(1, rule.minSamples);
    return e;
}

double AdaptiveThreshold::expectedCost(double x) const
{
    if (m_samples.isEmpty())
        return 0;
    const Fit f = fit(m_samples, m_rule, m_model);
    return m_rule.costFalseAlarm * falseAlarm(x, m_samples, f, m_rule, m_model)
        + m_rule.costMiss * miss(x, m_samples, f, m_rule, m_model);
}

} // namespace FaultDesk
