#pragma once

namespace FaultDesk {

class Detector;
class IncidentRecorder;
class RemediationController;
struct RunbookOutcome;

/**
 * What remediation tells the incident record, wired once for the console, `faultdesk monitor --auto` and the
 * drills: the baseline frozen for a fault (IncidentRecorder::setBaseline), its Handle runs (one that left a change
 * — leftChange() — makes the record wait for a verified Recover before it says recovered; one that did not succeed
 * is recorded escalated with its message) and its Recover runs (IncidentRecorder::setRecoveryRun). Runs are
 * reported per root fault of the incident @p detector files the fault under; runs without a fault (an earlier
 * run's unfinished remediation) are left out.
 */
namespace RecorderFeed {
/// Whether a Handle that ended so left a change only Recover returns: a step that ran in a run that succeeded, or a
/// step done that could not be undone in one that did not (no rollback, or it failed).
bool leftChange(const RunbookOutcome& outcome);
/// Connects @p controller to @p recorder for as long as both live; @p detector must outlive the controller.
void connect(RemediationController& controller, const Detector& detector, IncidentRecorder& recorder);
} // namespace RecorderFeed

} // namespace FaultDesk
