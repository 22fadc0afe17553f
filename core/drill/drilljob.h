#pragma once

#include "drill/demodrillsession.h"
#include "drill/drilloutcome.h"
#include "drill/drillrunner.h"
#include "drill/faultcampaign.h"

#include <QJsonObject>
#include <QList>
#include <QObject>

#include <chrono>

namespace FaultDesk {

/**
 * One headless drill from start to end, as `faultdesk drill` runs it: the demo fleet and everything watching it
 * (DemoDrillSession), then a named drill (DrillRunner) or a seeded campaign (FaultCampaign) under a local event
 * loop, then the fleet stopped. The signals carry what a terminal shows; the caller decides where it goes.
 */
class DrillJob : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        /// How long each phase may take: the session's controller, the drill's and the campaign's phases (the
        /// phaseTimeout of the settings below is replaced by it).
        std::chrono::milliseconds phaseTimeout { 60000 };
        DemoDrillSession::Options session;
        QList<DrillFault> faults; ///< the named drill's faults, injected at once; empty: run the campaign
        DrillRunner::Settings drill; ///< a named drill's; its operator is the session's
        FaultCampaign::Settings campaign;
    };

    enum class Result {
        Passed,
        Failed, ///< the drill or campaign failed, or the fleet or the incident database did not start
        BadInput, ///< the runbooks file is invalid
    };

    explicit DrillJob(Settings settings, QObject* parent = nullptr);

    /// Starts the session, runs the drill or campaign to its end and stops the session. When it could not start,
    /// @p error holds the lines to show (a runbooks file's errors as file:line:col).
    Result run(QString* error);

    /// The summary of a named drill: its outcome (DrillOutcome::toJson()) and where the demo fleet ran
    /// (`runtime_dir`, with the fleet's logs and fleetsim's own view), so the operator can look back.
    static QJsonObject summary(const DrillOutcome& outcome, const QString& runtimeDirectory);

Q_SIGNALS:
    /// One line of what is happening.
    void progress(const QString& line);
    /// A campaign's fault, scored (FaultCampaign::faultScored).
    void faultScored(const QJsonObject& record);
    /// The summary, once, at the end: summary() for a named drill, FaultCampaign's for a campaign. Both carry
    /// `passed`.
    void finished(const QJsonObject& summary);

private:
    Settings m_settings;
};

} // namespace FaultDesk
