#pragma once

#include <QWidget>

class QLabel;

namespace FaultDesk {

/**
 * The status bar's summary of the fleet: "Targets up: 7/8 (1 degraded)", "Active incidents: 1 (3 faults)",
 * "Monitor: ok", "Tick: 3.2 ms". A label that calls for attention is tinted in its severity's colour and bold,
 * so colour is never the only signal. Each label keeps its object name (targetsLabel, faultsLabel, monitorLabel,
 * tickLabel) for tests and accessibility tools.
 */
class StatusSummary : public QWidget
{
    Q_OBJECT
public:
    explicit StatusSummary(QWidget* parent = nullptr);

    /// @p up counts targets that answer, @p degraded of them fail a rule; @p tickMs < 0 means "no tick yet";
    /// @p activeIncidents: the incidents the open faults belong to (-1: one per fault).
    void setSummary(int up, int total, int activeFaults, bool monitorDegraded, double tickMs, int degraded = 0,
        int activeIncidents = -1);

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyTints();

    QLabel* m_targets = nullptr;
    QLabel* m_faults = nullptr;
    QLabel* m_monitor = nullptr;
    QLabel* m_tick = nullptr;
    bool m_faultsCritical = false;
    bool m_monitorWarning = false;
    bool m_targetsWarning = false;
};

} // namespace FaultDesk
