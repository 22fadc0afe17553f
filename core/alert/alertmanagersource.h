#pragma once

#include "alert/alertmanageralert.h"
#include "alert/alertmanagersilence.h"
#include "config/alertmanagerconfig.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <functional>
#include <optional>

namespace FaultDesk {

class AlertmanagerClient;
class Detector;
struct FleetConfig;

/**
 * Firing Alertmanager alerts as faults. Every poll lists the active alerts; each one whose `target_label` label names
 * a target of the fleet (by name, or by the `host:port` one of its probes reaches) is raised in the Detector as an
 * external fault keyed by its fingerprint, with its labels as evidence, so it is located over the same dependency
 * graph as probe faults. An alert that disappears from the list (resolved, or silenced by someone else) clears its
 * fault. Alerts muted by a silence this FaultDesk owns (an acknowledgement's) stay faults. Alerts mapped to no target
 * are reported once each (unmappedAlertSeen), never dropped silently.
 *
 * A failed poll (unreachable, timeout, bad reply) clears nothing: the source becomes degraded — its faults are
 * "monitoring degraded" — until a poll succeeds again. Time is injectable (setClock) and poll() can be called directly.
 */
class AlertmanagerSource : public QObject
{
    Q_OBJECT
public:
    AlertmanagerSource(
        const AlertmanagerConfig& config, const FleetConfig& fleet, Detector* detector, QObject* parent = nullptr);
    ~AlertmanagerSource() override;

    const AlertmanagerConfig& config() const { return m_config; }
    QString name() const { return m_config.name; }
    /// The Detector's source id of its faults: "alertmanager/NAME".
    QString sourceId() const;
    AlertmanagerClient* client() const { return m_client; }
    /// "now" in ms since the epoch; default: the system clock.
    void setClock(std::function<qint64()> clock) { m_clock = std::move(clock); }

    /// Polls now and then every poll interval.
    void start();
    void stop();
    bool isRunning() const { return m_timer.isActive(); }
    /// One poll now (skipped while one is in flight).
    void poll();

    /// The last poll failed; faults from this source are kept but cannot be confirmed.
    bool isDegraded() const { return m_degraded; }
    QString degradedReason() const { return m_degradedReason; }
    /// At least one poll succeeded.
    bool hasPolled() const { return m_polledOk; }

    /// The target an alert with @p labels belongs to, or empty (@p why says why).
    QString targetFor(const QMap<QString, QString>& labels, QString* why = nullptr) const;
    /// Open fault ids raised by this source.
    QStringList faultIds() const;
    /// The alert behind open fault @p faultId.
    std::optional<AlertmanagerAlert> alertOf(const QString& faultId) const;
    /// The narrow matchers a silence for @p faultId uses: alertname and the target label, exact.
    QList<AlertmanagerSilence::Matcher> silenceMatchers(const QString& faultId) const;
    /// Firing alerts of the last poll that map to no target.
    QList<AlertmanagerAlert> unmappedAlerts() const { return m_unmapped; }

    /// Silences FaultDesk created (acknowledgements): alerts they mute stay faults.
    void addOwnedSilence(const QString& silenceId) { m_owned.insert(silenceId); }
    void removeOwnedSilence(const QString& silenceId) { m_owned.remove(silenceId); }
    QSet<QString> ownedSilences() const { return m_owned; }
    /// While held (a silence is being created for it) a fault is not cleared by a poll that no longer lists it.
    void holdFault(const QString& faultId, bool hold);

Q_SIGNALS:
    /// A poll finished (@p error empty on success).
    void polled(bool ok, const QString& error);
    void degradedChanged(bool degraded, const QString& reason);
    /// A firing alert that maps to no target; once per alert until it stops firing.
    void unmappedAlertSeen(const FaultDesk::AlertmanagerAlert& alert, const QString& why);
    /// The alert behind @p faultId stopped firing at @p whenMs (its fault is cleared already); @p reason says how.
    void alertResolved(
        const QString& faultId, const FaultDesk::AlertmanagerAlert& alert, qint64 whenMs, const QString& reason);

private:
    void onAlerts(const QList<AlertmanagerAlert>& alerts, const QString& error);
    void setDegraded(bool degraded, const QString& reason);
    QString evidenceOf(const AlertmanagerAlert& alert) const;
    CauseClass causeOf(const AlertmanagerAlert& alert) const;
    qint64 now() const;

    AlertmanagerConfig m_config;
    Detector* m_detector;
    AlertmanagerClient* m_client;
    QHash<QString, QString> m_targetByName;
    QHash<QString, QString> m_targetByAddress; ///< host:port → first target probing it
    QTimer m_timer;
    std::function<qint64()> m_clock;
    bool m_inFlight = false;
    bool m_degraded = false;
    bool m_polledOk = false;
    QString m_degradedReason;
    QHash<QString, AlertmanagerAlert> m_alerts; ///< fingerprint → alert of an open fault
    QHash<QString, QString> m_faultOfFingerprint;
    QList<AlertmanagerAlert> m_unmapped;
    QSet<QString> m_unmappedSeen;
    QSet<QString> m_owned;
    QSet<QString> m_held;
};

} // namespace FaultDesk
