#pragma once

#include "config/prometheussourceconfig.h"
#include "detect/observation.h"
#include "prom/promqueryresult.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace FaultDesk {

class PrometheusClient;

/**
 * Health and signals of many targets from one Prometheus: per round, ONE instant query per signal expression
 * plus one `up` query for the whole fleet (never one per target), folded into one Observation per target —
 * up = 0 is a down target, up = 1 an answering one with its signal values (series matched to targets by their
 * `instance` label, several series of one instance summed). When the source cannot tell about health
 * (unreachable, the `up` query rejected or timed out, a malformed reply, a target missing from `up`) the affected
 * targets get an Observation with monitorBlind set: UNKNOWN, "monitoring degraded", never down. A failing signal
 * query only leaves that signal's values out (health is still judged) and marks the source degraded. Targets
 * are declared in the fleet file (`source:` + `instance:`) and/or discovered from `/api/v1/targets` for one job.
 */
class PrometheusSource : public QObject
{
    Q_OBJECT
public:
    /// One target this source reports.
    struct Target
    {
        QString name;
        QString group;
        QString instance; ///< the `instance` label its series carry
        bool discovered = false;
    };

    /// @p defaultIntervalMs applies when the source gives no interval of its own.
    PrometheusSource(const PrometheusSourceConfig& config, qint64 defaultIntervalMs, QObject* parent = nullptr);
    ~PrometheusSource() override;

    const PrometheusSourceConfig& config() const { return m_config; }
    qint64 intervalMs() const { return m_intervalMs; }
    PrometheusClient* client() const { return m_client.get(); }

    /// The targets declared in the fleet file for this source (replaces the previous ones).
    void setDeclaredTargets(const QList<Target>& targets);
    /// Every target reported now, declared first.
    QList<Target> targets() const;
    bool hasTarget(const QString& name) const { return m_byName.contains(name); }

    /// Starts the round timer (and discovery, when configured); the first round runs at once.
    void start();
    void stop();
    bool isRunning() const { return m_timer.isActive(); }

    /// Issues one round as of @p nowMs unless the previous one is still waiting (then it is skipped and counted).
    void poll(qint64 nowMs);
    /// Reads the target list again now (discovery only).
    void refreshTargets();

    /// True while the source cannot tell about some of its targets; degradedReason() says why.
    bool isDegraded() const { return m_degraded; }
    QString degradedReason() const { return m_degradedReason; }
    /// How many targets are UNKNOWN because of it (as of the last round).
    int degradedTargets() const { return m_affected; }
    quint64 rounds() const { return m_rounds; }
    quint64 skippedRounds() const { return m_skipped; }

    /**
     * Backfills history: one range query per signal over [@p fromMs, @p toMs] for all of @p targets at once
     * (those this source reports; others are ignored). Answers arrive through historyReady(), errors through
     * historyFailed().
     */
    void requestHistory(const QStringList& targets, qint64 fromMs, qint64 toMs, qint64 stepMs);

Q_SIGNALS:
    /// One round's verdicts: one Observation per target, all with the round's time.
    void observed(const QList<FaultDesk::Observation>& observations);
    /// Discovery changed the target list.
    void targetsChanged(const QList<FaultDesk::PrometheusSource::Target>& added, const QStringList& removed);
    /// The source started (@p degraded) or stopped failing; @p affected targets are UNKNOWN meanwhile.
    /// Emitted on the change only; the current reason is degradedReason().
    void degradedChanged(bool degraded, const QString& reason, int affected);
    /// Past samples of @p signal, by target name.
    void historyReady(const QString& signal, const QHash<QString, QList<FaultDesk::PromPoint>>& byTarget);
    void historyFailed(const QString& signal, const QString& error);

private:
    struct Round;
    void finishRound();
    void setDegraded(bool degraded, const QString& reason, int affected);
    QString upQuery() const;
    void applyDiscovery(const QList<Target>& found);

    PrometheusSourceConfig m_config;
    qint64 m_intervalMs;
    std::unique_ptr<PrometheusClient> m_client;
    QList<Target> m_declared;
    QList<Target> m_discovered;
    QHash<QString, int> m_byName; ///< name → 0 declared / 1 discovered
    QTimer m_timer;
    QTimer m_discoveryTimer;
    bool m_discoveryOk = false;
    bool m_discoveryBusy = false;
    std::unique_ptr<Round> m_round;
    quint64 m_rounds = 0;
    quint64 m_skipped = 0;
    bool m_degraded = false;
    QString m_degradedReason;
    int m_affected = 0;
    quint64 m_generation = 0; ///< bumped by stop(), so answers of an old round are ignored
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::PrometheusSource::Target)
