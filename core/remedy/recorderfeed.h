#pragma once

namespace FaultDesk {

class Detector;
class IncidentRecorder;
class RemediationController;

/**
 * What remediation tells the incident record, wired once for the console, `faultdesk monitor --auto` and the
 * drills: the baseline frozen for a fault (IncidentRecorder::setBaseline), its Handle runs (a successful one whose
 * steps ran left a change only Recover returns: the record waits for a verified Recover before it says recovered)
 * and its Recover runs (IncidentRecorder::setRecoveryRun). Runs are reported per root fault of the incident
 * @p detector files the fault under; runs without a fault (an earlier run's unfinished remediation) are left out.
 */
namespace RecorderFeed {
/// Connects @p controller to @p recorder for as long as both live; @p detector must outlive the controller.
void connect(RemediationController& controller, const Detector& detector, IncidentRecorder& recorder);
} // namespace RecorderFeed

} // namespace FaultDesk
