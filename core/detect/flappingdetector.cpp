#include "detect/flappingdetector.h"

namespace FaultDesk {

FlappingDetector::FlappingDetector(double low, double high, Weighting weighting)
    : m_low(low)
    , m_high(high)
    , m_weighting(weighting)
{ }

double FlappingDetector::weight(int position) const
{
    // position 0 is the oldest of the 20 slots, 19 the newest.
    if (m_weighting == Weighting::Nagios)
        return 0.75 + position * 0.5 / (Window - 1);
    return 0.8 + 0.02 * position;
}

bool FlappingDetector::record(int state)
{
    const bool changed = m_hasState && state != m_lastState;
    m_lastState = state;
    m_hasState = true;
    m_changed[m_head] = changed;
    m_head = (m_head + 1) % Window;

    double sum = 0;
    for (int i = 0; i < Window; ++i) {
        if (m_changed[(m_head + i) % Window])
            sum += weight(i);
    }
    m_percent = 100.0 * sum / Window;

    const bool enter = m_weighting == Weighting::Nagios ? m_percent >= m_high : m_percent > m_high;
    if (!m_flapping && enter) {
        m_flapping = true;
        return true;
    }
    if (m_flapping && m_percent <= m_low) {
        m_flapping = false;
        return true;
    }
    return false;
}

void FlappingDetector::reset()
{
    *this = FlappingDetector(m_low, m_high, m_weighting);
}

} // namespace FaultDesk
