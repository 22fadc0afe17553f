#pragma once

#include "config/fleetconfig.h"
#include "detect/detectionevent.h"
#include "detect/observation.h"
#include "probe/proberesult.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>

namespace FaultDesk {

class Detector;
class PrometheusSource;
class ProbeScheduler;
class SeriesStore;
class SignalEvaluator;

/**
 * The pipeline of the core, wired: scheduler → probes (own thread) → parser → signals → series store →
 * detector (state machines, localization). One Monitor per monitored fleet; the console and the headless
 * commands both use it. Time is injectable: the tick timer only calls tick(now), which tests call directly.
 */
class Monitor : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        int tickIntervalMs = 100; ///< how often arrived results are judged (detection latency adds at most this)
        qint64 historyStepMs = 1000; ///< series store resolution
        quint32 historyCapacity = 3600; ///< samples kept per series (1 h at 1 s)
    };

    /// Fleet-wide figures for the status bar and the headless status line.
    struct Summary
    {
        int total = 0;
        int up = 0;
        int activeFaults = 0;
        bool degraded = false;
        double lastTickMs = 0; ///< time spent judging in the last tick
        quint64 rounds = 0; ///< probe rounds received
        quint64 skippedRounds = 0; ///< rounds skipped because the previous one was still running
    };

    explicit Monitor(QObject* parent = nullptr);
    explicit Monitor(const Settings& settings, QObject* parent = nullptr);
    ~Monitor() override;

    /// Replaces the monitored fleet (all state starts afresh). The configuration is already validated.
    void setConfig(const FleetConfig& config);
    const FleetConfig& config() const { return m_config; }

    /// Starts probing and the tick timer.
    void start();
    void stop();
    bool isRunning() const { return m_tickTimer.isActive(); }

    /// Judges everything that arrived, as of @p nowMs (ms since the epoch). Called by the timer.
    void tick(qint64 nowMs);
    /// Folds one probe round of @p target into an observation and the series store (public for tests).
    void ingestRound(const QString& target, const QList<ProbeResult>& results, qint64 nowMs);

    /**
     * Backfills the series store for @p targets over [@p fromMs, @p toMs] from the Prometheus sources that
     * report them (one range query per signal and source for all those targets), so a chart opened now shows
     * the past too; seriesUpdated() follows for each target that got samples. Probed targets have no history
     * beyond what this process saw and are ignored.
     */
    void requestHistory(const QStringList& targets, qint64 fromMs, qint64 toMs);
    /// The Prometheus sources of the fleet, in configuration order.
    QList<PrometheusSource*> prometheusSources() const;
    /// The source reporting @p target, or nullptr for a probed target.
    PrometheusSource* prometheusSourceOf(const QString& target) const { return m_sourceOf.value(target); }

    Detector* detector() const { return m_detector.get(); }
    SeriesStore* store() const { return m_store.get(); }
    ProbeScheduler* scheduler() const { return m_scheduler.get(); }
    Summary summary() const;

Q_SIGNALS:
    /// Every detection event (state change, fault detected/located/cleared, flapping, monitor degraded).
    void eventRaised(const FaultDesk::DetectionEvent& event);
    /// New samples for @p target are in the store.
    void seriesUpdated(const QString& target);
    /// A tick finished; summary() changed.
    void ticked();

private:
    void onRoundFinished(const QString& target, const QList<ProbeResult>& results);
    void addPrometheusSource(const PrometheusSourceConfig& source);
    void ingestObservations(const QList<Observation>& observations);
    void recordSources(
        const QString& target, const QString& signal, const QHash<QString, double>& sourceRates, qint64 nowMs);

    Settings m_settings;
    FleetConfig m_config;
    std::unique_ptr<ProbeScheduler> m_scheduler;
    std::unique_ptr<SeriesStore> m_store;
    std::unique_ptr<Detector> m_detector;
    std::unordered_map<QString, std::unique_ptr<SignalEvaluator>> m_evaluators;
    QHash<QString, int> m_sourceSignal; ///< target → index of its per-source breakdown signal
    /// target → source an attack named → the series of its rate ("sources/127.0.1.201"), for the attack chart
    QHash<QString, QHash<QString, int>> m_sourceSeries;
    static constexpr qsizetype MaxSourceSeries = 12; ///< per target
    std::vector<std::unique_ptr<PrometheusSource>> m_sources;
    QHash<QString, PrometheusSource*> m_sourceOf; ///< target → the Prometheus source reporting it
    QTimer m_tickTimer;
    double m_lastTickMs = 0;
    quint64 m_rounds = 0;
};

} // namespace FaultDesk
