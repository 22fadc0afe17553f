#pragma once

#include "drill/drilloutcome.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <chrono>
#include <memory>

namespace FaultDesk {

class DemoFleetProcess;
class DrillRunner;
class FaultJournal;
class Monitor;
class RemediationController;
struct FleetConfig;

/**
 * A seeded random campaign of faults on the demo fleet, scored: N faults drawn from crash, overload, corruption,
 * attack, network, hang, slow and garbage on random targets, sometimes two at once, with quiet gaps between them.
 * Each is run by the drill engine (detect, locate, Handle, Recover) and scored against fleetsim's ground truth;
 * the summary gives AC@1 (the incident's root cause is the true one), cause accuracy, incidents per fault,
 * incidents opened in the quiet gaps, the share recovered to a verified baseline, detection times per cause and
 * every miss with what FaultDesk said instead.
 */
class FaultCampaign : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        int faults = 30;
        quint64 seed = 1;
        QStringList kinds; ///< empty: every campaign kind
        std::chrono::milliseconds gap { 10000 }; ///< quiet, healthy time before each injection
        /// The aftershock grace the campaign's detector runs with. It must end before the next fault is injected,
        /// or an unrelated fault on the same pool joins the last incident as its aftershock (what the grace is for in
        /// production, and not what a campaign measures): negative = the fleet's own grace, capped at the gap less
        /// 1 s. The summary reports the one used.
        std::chrono::milliseconds aftershockGrace { -1 };
        int pairPercent = 20; ///< chance that a fault comes with a second one at once
        std::chrono::milliseconds phaseTimeout { 40000 };
        QString operatorName = QStringLiteral("drill");
    };
    /// The figures a campaign must reach (exit 0): AC@1, incidents per fault, false incidents.
    static constexpr double RequiredAcAt1 = 0.95;
    static constexpr double MaxIncidentsPerFault = 1.05;

    FaultCampaign(
        Monitor* monitor, RemediationController* controller, DemoFleetProcess* fleet, QObject* parent = nullptr);
    ~FaultCampaign() override;

    void setSettings(const Settings& settings) { m_settings = settings; }
    Settings settings() const { return m_settings; }

    /// The episodes @p settings' seed draws on @p config (each one fault, or two at once); the same seed gives the
    /// same faults on the same fleet.
    static QList<QList<DrillFault>> draw(const Settings& settings, const FleetConfig& config);
    /// Scores the per-fault @p records of a campaign (as faultScored() gives them) and the incidents opened in its
    /// quiet gaps into the summary.
    static QJsonObject summarize(const QJsonArray& records, const QJsonArray& gapIncidents, quint64 seed);
    /// One line for a scored fault's @p record (faultScored()): "fault 3: crash web-2 — root right, cause right,
    /// recovered", with WRONG and NOT where FaultDesk missed.
    static QString describe(const QJsonObject& record);
    /// The aftershock grace a campaign with @p settings runs with, given the fleet's own @p fleetGraceMs.
    static qint64 campaignGraceMs(const Settings& settings, qint64 fleetGraceMs);

    /// Starts the campaign; finished() reports the summary.
    void start();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void progress(const QString& line);
    /// One injected fault, scored.
    void faultScored(const QJsonObject& record);
    void finished(const QJsonObject& summary);

private:
    void runEpisode();
    void onEpisodeFinished(const DrillOutcome& outcome);

    QPointer<Monitor> m_monitor;
    QPointer<RemediationController> m_controller;
    QPointer<DemoFleetProcess> m_fleet;
    std::unique_ptr<FaultJournal> m_journal;
    DrillRunner* m_runner = nullptr;
    Settings m_settings;
    QList<QList<DrillFault>> m_episodes;
    qsizetype m_episode = 0;
    qint64 m_gapStartMs = 0;
    qint64 m_startedMs = 0;
    qint64 m_fleetGraceMs = -1; ///< the detector's own grace, restored when the campaign ends
    QJsonArray m_records;
    QJsonArray m_gapIncidents;
    bool m_running = false;
};

} // namespace FaultDesk
