#pragma once

#include "detect/thresholdrule.h"

#include <QList>

namespace FaultDesk {

/**
 * The adaptive level of one ThresholdRule (detection model min Σ d_i(x_i)): from the target's own recent
 * healthy samples it estimates the baseline distribution, assumes a fault moves the signal by
 * `faultShiftSd` standard deviations (or to `faultLevel`), and picks the threshold x minimising
 *   d(x) = c_fa · P(alarm | baseline) + c_miss · P(no alarm | fault).
 * Only feed it samples taken while the target is healthy, or it learns the fault as normal.
 */
class AdaptiveThreshold
{
public:
    enum class Model {
        Normal, ///< baseline = normal with robust mean/sd (median, 1.4826·MAD): cheap, the default
        Empirical, ///< baseline = kernel density over the samples: follows skewed baselines, costs O(n)
    };
    struct Estimate
    {
        bool valid = false; ///< enough samples to use the level
        double enter = 0; ///< the threshold x minimising d(x)
        double clear = 0; ///< enter moved back towards the baseline by clearBandSd·sd
        double mean = 0; ///< baseline centre (median)
        double sd = 0; ///< baseline spread (floored so a flat baseline does not alarm on noise)
        double faultMean = 0; ///< centre of the fault model
        double falseAlarmProbability = 0; ///< P(alarm | baseline) at enter
        double missProbability = 0; ///< P(no alarm | fault) at enter
        double expectedCost = 0; ///< d(enter)
        int samples = 0;
    };

    /// @p recomputePhase staggers the periodic re-estimation so a fleet started together does not recompute
    /// every threshold in the same tick (pass something target-specific, e.g. a hash of its name).
    explicit AdaptiveThreshold(const ThresholdRule& rule, Model model = Model::Normal, uint recomputePhase = 0);

    /// Adds one healthy baseline sample; the estimate is recomputed every few samples.
    void addSample(double value);
    int sampleCount() const { return int(m_samples.size()); }
    /// The current estimate (valid once minSamples healthy samples were seen).
    Estimate estimate() const { return m_estimate; }
    /// The expected cost d(x) under the current baseline and fault model; for plots and tests.
    double expectedCost(double x) const;

    /// Pure optimiser: the cost-minimising level for these baseline samples under @p rule's cost model.
    static Estimate optimise(const QList<double>& baseline, const ThresholdRule& rule, Model model);

private:
    struct Fit
    {
        double mean = 0;
        double sd = 0;
        double faultMean = 0;
        double bandwidth = 0;
    };
    static Fit fit(const QList<double>& baseline, const ThresholdRule& rule, Model model);
    static double falseAlarm(
        double x, const QList<double>& baseline, const Fit& f, const ThresholdRule& rule, Model model);
    static double miss(double x, const QList<double>& baseline, const Fit& f, const ThresholdRule& rule, Model model);

    ThresholdRule m_rule;
    Model m_model;
    QList<double> m_samples;
    int m_next = 0; ///< ring position once the window is full
    int m_sinceRecompute = 0;
    Estimate m_estimate;
};

} // namespace FaultDesk
