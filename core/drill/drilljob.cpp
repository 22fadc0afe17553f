#include "drill/drilljob.h"

#include "drill/demofleetprocess.h"

#include <QEventLoop>

namespace FaultDesk {

DrillJob::DrillJob(Settings settings, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
{ }

QJsonObject DrillJob::summary(const DrillOutcome& outcome, const QString& runtimeDirectory)
{
    QJsonObject summary = outcome.toJson();
    summary.insert(QStringLiteral("runtime_dir"), runtimeDirectory);
    return summary;
}

DrillJob::Result DrillJob::run(QString* error)
{
    DemoDrillSession::Options sessionOptions = m_settings.session;
    sessionOptions.phaseTimeout = m_settings.phaseTimeout;
    DemoDrillSession session(sessionOptions);
    switch (session.start(error)) {
    case DemoDrillSession::Failure::None:
        break;
    case DemoDrillSession::Failure::Runbooks:
        return Result::BadInput;
    case DemoDrillSession::Failure::Fleet:
    case DemoDrillSession::Failure::Store:
        return Result::Failed;
    }

    QEventLoop loop;
    bool passed = false;
    const auto finish = [&](const QJsonObject& summary) {
        passed = summary.value(QStringLiteral("passed")).toBool();
        Q_EMIT finished(summary);
        loop.quit();
    };
    if (m_settings.faults.isEmpty()) {
        FaultCampaign campaign(session.monitor(), session.controller(), session.fleet());
        FaultCampaign::Settings settings = m_settings.campaign;
        settings.phaseTimeout = m_settings.phaseTimeout;
        campaign.setSettings(settings);
        connect(&campaign, &FaultCampaign::progress, this, &DrillJob::progress);
        connect(&campaign, &FaultCampaign::faultScored, this, &DrillJob::faultScored);
        connect(&campaign, &FaultCampaign::finished, this, finish);
        campaign.start();
        loop.exec();
    } else {
        DrillRunner runner(session.monitor(), session.controller(), session.fleet());
        DrillRunner::Settings settings = m_settings.drill;
        settings.operatorName = session.operatorName();
        settings.phaseTimeout = m_settings.phaseTimeout;
        runner.setSettings(settings);
        connect(&runner, &DrillRunner::progress, this, &DrillJob::progress);
        connect(&runner, &DrillRunner::finished, this,
            [&](const DrillOutcome& outcome) { finish(summary(outcome, session.fleet()->runtimeDirectory())); });
        if (!runner.start(m_settings.faults, error)) {
            session.stop();
            return Result::Failed;
        }
        loop.exec();
    }
    session.stop();
    return passed ? Result::Passed : Result::Failed;
}

} // namespace FaultDesk
