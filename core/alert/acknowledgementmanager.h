#pragma once

#include "alert/acknowledgement.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace FaultDesk {

class AlertmanagerSource;
class AuditSink;
class Detector;
struct AuditRecord;
class IncidentRecorder;
struct AlertmanagerAlert;
struct Fault;

/**
 * Acknowledge and unacknowledge faults, one or many at once. An acknowledgement (operator, comment) is sticky until the
 * fault recovers; it is written to the audit trail before it shows (durable first), recorded as the incident's
 * "acknowledged" event, and for a fault raised by an Alertmanager alert it also creates a silence with narrow
 * matchers (alertname and the target label, exact) for the source's silence_duration. FaultDesk owns that silence:
 * it expires it itself when the alert resolves, when the fault recovers and on unacknowledge, and retries a failed
 * expiry at the source's next successful poll. A silence that lapses by itself (the acknowledgement outlived
 * silence_duration) is forgotten with a notice; the acknowledgement stays. Every silence create/expire writes an Intent
 * and a Result audit record (never the token); an alert's resolution is written to its incident's audit trail too.
 *
 * After a restart, restore() rebuilds the acknowledgements still open and the silences still owned from the audit
 * trail: a fault that comes back (same alert, or same target and cause) is acknowledged again with its silence;
 * an owned silence whose alert is gone is expired at the first successful poll; a restored probe-fault
 * acknowledgement whose fault does not come back within restoreGraceMs ends.
 */
class AcknowledgementManager : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        qint64 restoreGraceMs = 60000; ///< how long a restored acknowledgement waits for its fault to come back
    };

    AcknowledgementManager(Detector* detector, AuditSink* audit, QObject* parent = nullptr);
    ~AcknowledgementManager() override;

    void setSettings(const Settings& settings) { m_settings = settings; }
    /// Records each acknowledgement as its incident's event through @p recorder (may be null: audit trail only).
    void setIncidentRecorder(IncidentRecorder* recorder);
    /// Alert faults of @p source get silences; its degraded state and unmapped alerts are relayed. Not owned.
    void addSource(AlertmanagerSource* source);
    /// Forgets every source (a fleet reload); owned silences stay remembered for the next sources.
    void clearSources();
    /// "now" in ms since the epoch; default: the system clock.
    void setClock(std::function<qint64()> clock) { m_clock = std::move(clock); }

    /**
     * Acknowledges each fault of @p faultIds as @p operatorName with @p comment (required). Each fault gets its own
     * records and silence; acknowledgeFinished() reports each, batchFinished() the whole batch.
     */
    void acknowledge(const QStringList& faultIds, const QString& operatorName, const QString& comment);
    /// Takes the acknowledgement back (and expires its silence); same reporting as acknowledge().
    void unacknowledge(const QStringList& faultIds, const QString& operatorName, const QString& comment = {});

    bool isAcknowledged(const QString& faultId) const { return m_acks.contains(faultId); }
    std::optional<Acknowledgement> acknowledgement(const QString& faultId) const;
    QList<Acknowledgement> acknowledgements() const { return m_acks.values(); }
    /// Open faults acknowledged now.
    int acknowledgedCount() const { return int(m_acks.size()); }
    /// Silences FaultDesk owns and has not expired yet (the status bar's "silenced").
    int silencedCount() const { return int(m_silences.size()); }
    /// Silence ids FaultDesk owns now.
    QStringList ownedSilences() const { return m_silences.keys(); }
    /// A silence FaultDesk owns and when Alertmanager lets it lapse (for a reminder before it does).
    struct SilenceEnd
    {
        QString id;
        QString target;
        QDateTime endsUtc; ///< invalid when not known
    };
    QList<SilenceEnd> silenceEnds() const;
    /// Requests to Alertmanager still running.
    int pendingRequests() const { return m_pendingRequests; }

    /// Rebuilds open acknowledgements and owned silences from the audit trail; returns how many were found.
    int restore();
    /**
     * Takes up an acknowledgement record another console wrote to the shared store (StoreNotifier announced it): the
     * same fault here — same alert, or same target and cause — shows acknowledged by that operator with that comment
     * (Acknowledgement::shared); its unacknowledgement or end takes a shared one back. Writes nothing (that console
     * did); this console's own records, heard back, change nothing. True when a fault changed.
     */
    bool applyShared(const AuditRecord& record);

Q_SIGNALS:
    /// @p faultId was acknowledged, unacknowledged, or its acknowledgement changed (silence id).
    void acknowledgementChanged(const QString& faultId);
    /// acknowledgedCount() or silencedCount() changed.
    void countsChanged(int acknowledged, int silenced);
    /// One fault of a batch is done; @p message says what happened (or why not).
    void acknowledgeFinished(const QString& faultId, bool ok, const QString& message);
    /// A whole acknowledge/unacknowledge batch is done; @p failures has one line per failed fault.
    void batchFinished(int succeeded, const QStringList& failures);
    /// The faults of a source can no longer be confirmed (@p reason) or can again (@p reason empty).
    void monitoringDegradedChanged(const QStringList& faultIds, const QString& reason);
    /// Something the operator should read (an unmapped alert, a silence that could not be expired).
    void notice(const QString& text, bool critical);

private:
    struct OwnedSilence
    {
        QString source;
        QString key; ///< the acknowledgement's key
        QString target; ///< for the audit records of its expiry
        QString incidentId;
        qint64 endsMs = 0; ///< when Alertmanager lets it lapse by itself (0: unknown)
    };
    struct Batch;

    void onFaultChanged(const Fault& fault);
    void onAlertResolved(const QString& faultId, const AlertmanagerAlert& alert, qint64 whenMs, const QString& reason);
    void onPolled(AlertmanagerSource* source, bool ok);
    void acknowledgeOne(const QString& faultId, const QString& operatorName, const QString& comment,
        const std::shared_ptr<Batch>& batch);
    void createSilence(const QString& faultId, AlertmanagerSource* source, const std::shared_ptr<Batch>& batch);
    void endAcknowledgement(
        const QString& faultId, const QString& kind, const QString& operatorName, const QString& reason);
    void expireSilence(const QString& silenceId, const QString& operatorName, const QString& why);
    void recordIncidentEvent(const Acknowledgement& ack);
    void tryRestore(const Fault& fault);
    /// Owned silences of @p source that lapsed by themselves (silence_duration passed): forgotten, the ack stays.
    void forgetLapsedSilences(AlertmanagerSource* source);
    /// Ends the restored probe-fault acknowledgements whose fault has not come back within restoreGraceMs.
    void scheduleRestoreGrace();
    QString keyOf(const Fault& fault) const;
    AlertmanagerSource* sourceOfFault(const QString& faultId) const;
    AlertmanagerSource* sourceNamed(const QString& name) const;
    bool audit(const QString& kind, const QString& operatorName, const QString& target, const QString& incidentId,
        const QString& description, const QString& status, const QJsonObject& output, QString* error = nullptr);
    void finish(const std::shared_ptr<Batch>& batch, const QString& faultId, bool ok, const QString& message);
    void emitCounts();
    qint64 now() const;

    Detector* m_detector;
    AuditSink* m_audit;
    QPointer<IncidentRecorder> m_recorder;
    Settings m_settings;
    std::function<qint64()> m_clock;
    QList<QPointer<AlertmanagerSource>> m_sources;
    QHash<QString, Acknowledgement> m_acks; ///< open fault id → its acknowledgement
    QHash<QString, OwnedSilence> m_silences; ///< silence id → owner
    QSet<QString> m_expiring; ///< silence ids with an expire request in flight
    QSet<QString> m_incidentsRecorded; ///< detector incident ids whose acknowledgement is recorded
    QHash<QString, Acknowledgement> m_pendingRestore; ///< key → acknowledgement waiting for its fault to return
    int m_pendingRequests = 0;
    QPair<int, int> m_lastCounts { -1, -1 };
};

} // namespace FaultDesk
