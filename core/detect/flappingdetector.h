#pragma once

namespace FaultDesk {

/**
 * Flap detection over the last 20 checks: a weighted percentage of checks whose state differed from the
 * one before, newer changes weighing more. Starts flapping when the percentage passes `high` and stops when it
 * falls to `low` or below; in between nothing changes (hysteresis).
 */
class FlappingDetector
{
public:
    enum class Weighting {
        Icinga, ///< weights 0.80 + 0.02·i (oldest → newest); starts at > high, stops at ≤ low
        Nagios, ///< weights 0.75 … 1.25 linearly; starts at ≥ high, stops at ≤ low
    };
    static constexpr int Window = 20;

    explicit FlappingDetector(double low = 25, double high = 30, Weighting weighting = Weighting::Icinga);

    /// Records one check's state (any comparable key, e.g. ok/failing). Returns true when the flapping
    /// status changed with this check.
    bool record(int state);
    /// The current weighted state-change percentage, 0…100.
    double percent() const { return m_percent; }
    bool isFlapping() const { return m_flapping; }
    void reset();

private:
    double weight(int position) const;

    double m_low;
    double m_high;
    Weighting m_weighting;
    bool m_changed[Window] = {}; ///< ring of "state changed" flags; m_head is the oldest slot
    int m_head = 0;
    int m_lastState = 0;
    bool m_hasState = false;
    bool m_flapping = false;
    double m_percent = 0;
};

} // namespace FaultDesk
