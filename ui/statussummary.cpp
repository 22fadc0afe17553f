#include "ui/statussummary.h"

#include "ui/palette.h"
#include "ui/stateappearance.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>

namespace FaultDesk {

StatusSummary::StatusSummary(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    const auto add = [this, layout](const char* name) {
        auto* label = new QLabel(this);
        label->setObjectName(QLatin1String(name));
        layout->addWidget(label);
        return label;
    };
    m_targets = add("targetsLabel");
    m_faults = add("faultsLabel");
    m_monitor = add("monitorLabel");
    m_tick = add("tickLabel");
    setSummary(0, 0, 0, false, -1);
}

void StatusSummary::setSummary(
    int up, int total, int activeFaults, bool monitorDegraded, double tickMs, int degraded, int activeIncidents)
{
    // An overloaded server that still answers is up, and degraded: the operator sees both.
    m_targets->setText(degraded > 0 ? tr("Targets up: %1/%2 (%3 degraded)").arg(up).arg(total).arg(degraded)
                                    : tr("Targets up: %1/%2").arg(up).arg(total));
    // One event is one incident: the operator counts incidents; the faults in them are the detail.
    const int incidents = activeIncidents < 0 ? activeFaults : activeIncidents;
    m_faults->setText(incidents == activeFaults
            ? tr("Active incidents: %1").arg(incidents)
            : tr("Active incidents: %1 (%2 faults)").arg(incidents).arg(activeFaults));
    m_monitor->setText(monitorDegraded ? tr("Monitor: DEGRADED") : tr("Monitor: ok"));
    m_tick->setText(tickMs < 0 ? tr("Tick: —")
            : tickMs < 0.05    ? tr("Tick: < 0.1 ms")
                               : tr("Tick: %1 ms").arg(tickMs, 0, 'f', 1));
    m_faultsCritical = activeFaults > 0;
    m_monitorWarning = monitorDegraded;
    m_targetsWarning = up < total || degraded > 0;
    applyTints();
}

void StatusSummary::applyTints()
{
    const bool dark = Palette::isDark(palette());
    const auto tint = [dark](QLabel* label, std::optional<Severity> severity) {
        label->setStyleSheet(severity ? QStringLiteral("QLabel { color: %1; font-weight: bold; }")
                                            .arg(StateAppearance::colour(*severity, dark).name())
                                      : QString());
    };
    tint(m_faults, m_faultsCritical ? std::optional(Severity::Critical) : std::nullopt);
    tint(m_monitor, m_monitorWarning ? std::optional(Severity::Warning) : std::nullopt);
    tint(m_targets, m_targetsWarning ? std::optional(Severity::Warning) : std::nullopt);
}

void StatusSummary::changeEvent(QEvent* event)
{
    // A light/dark switch changes the palette: the tints follow it at once, not at the next refresh.
    if (event->type() == QEvent::PaletteChange)
        applyTints();
    QWidget::changeEvent(event);
}

} // namespace FaultDesk
