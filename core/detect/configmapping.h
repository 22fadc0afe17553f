#pragma once

#include "config/fleetconfig.h"
#include "detect/detector.h"
#include "detect/targetpolicy.h"
#include "metrics/signalspec.h"
#include "probe/probetarget.h"

#include <QList>

namespace FaultDesk {

/// Translations from the validated fleet configuration to what each stage of the pipeline consumes.
namespace ConfigMapping {
/// The probes of @p target as the scheduler runs them (deadlines and CA file applied).
ProbeTarget probeTarget(const TargetConfig& target, const FleetDefaults& defaults);
/// The signals of @p target in configuration order.
QList<SignalSpec> signalSpecs(const TargetConfig& target);
/// How the detector judges @p target: attempts, timings, thresholds, dependencies. A target reported by a
/// Prometheus source (@p source, from FleetConfig::prometheusSource) takes that source's signal thresholds
/// and timings.
TargetPolicy targetPolicy(
    const TargetConfig& target, const FleetDefaults& defaults, const PrometheusSourceConfig* source = nullptr);
/// The policy of a target discovered through @p source (no dependencies, the source's thresholds).
TargetPolicy discoveredPolicy(
    const QString& name, const QString& group, const PrometheusSourceConfig& source, const FleetDefaults& defaults);
/// The detector's correlation settings from the fleet's `correlation:` section, on top of @p base.
Detector::Settings detectorSettings(const FleetConfig& config, Detector::Settings base = {});
} // namespace ConfigMapping

} // namespace FaultDesk
