#include "remedy/recorderfeed.h"

#include "detect/detector.h"
#include "incident/incidentrecorder.h"
#include "remedy/remediationcontroller.h"

#include <algorithm>

namespace FaultDesk {

bool RecorderFeed::leftChange(const RunbookOutcome& outcome)
{
    // A Handle that succeeded with a step that really ran may have changed something (drained, re-weighted,
    // blocked) that the target passing its checks does not undo; one that failed rolled back what it could, and
    // what it could not is a change too.
    if (!outcome.notRolledBack.isEmpty())
        return true;
    return outcome.result == RunbookOutcome::Result::Succeeded
        && std::any_of(outcome.steps.cbegin(), outcome.steps.cend(),
            [](const StepReport& s) { return s.action && s.action->ran; });
}

void RecorderFeed::connect(RemediationController& controller, const Detector& detector, IncidentRecorder& recorder)
{
    // Only a root cause is remediated; its incident is the record.
    const auto incidentOf = [&detector](const QString& faultId) {
        const auto fault = detector.fault(faultId);
        return fault && fault->rootCause ? fault->incidentId : QString();
    };
    QObject::connect(&controller, &RemediationController::baselineCaptured, &recorder,
        [&controller, &detector, &recorder](const QString& faultId) {
            const auto fault = detector.fault(faultId);
            const auto baseline = controller.baseline(faultId);
            if (fault && baseline)
                recorder.setBaseline(fault->incidentId, baseline->toJson());
        });
    QObject::connect(&controller, &RemediationController::runStarted, &recorder,
        [&recorder, incidentOf](const QString& faultId, SafetyRequest::Purpose purpose) {
            const QString incident = incidentOf(faultId);
            if (incident.isEmpty())
                return;
            if (purpose == SafetyRequest::Purpose::Handle)
                recorder.setHandleRun(incident, faultId, true);
            else
                recorder.setRecoveryRun(incident, faultId, true);
        });
    QObject::connect(&controller, &RemediationController::runFinished, &recorder,
        [&controller, &recorder, incidentOf](
            const QString& faultId, SafetyRequest::Purpose purpose, const RunbookOutcome& outcome, bool verified) {
            const QString incident = incidentOf(faultId);
            if (incident.isEmpty())
                return;
            if (purpose == SafetyRequest::Purpose::Handle) {
                const bool failed = outcome.result != RunbookOutcome::Result::Succeeded;
                // The change waits for Recover only where Recover has a baseline to return to.
                recorder.setHandleRun(incident, faultId, false,
                    leftChange(outcome) && controller.baseline(faultId).has_value(),
                    failed ? (outcome.message.isEmpty() ? RunbookOutcome::resultName(outcome.result) : outcome.message)
                           : QString());
            } else
                recorder.setRecoveryRun(incident, faultId, false, verified, outcome.message);
        });
}

} // namespace FaultDesk
