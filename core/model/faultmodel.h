#pragma once

#include "alert/acknowledgement.h"
#include "detect/fault.h"

#include <QAbstractItemModel>
#include <QList>
#include <QPointer>

namespace FaultDesk {

class AcknowledgementManager;
class Detector;
class RemediationController;

/**
 * The fault panel: one top-level row per incident (faults sharing Fault::incidentId), standing for the incident's
 * root cause; the incident's other faults beneath it — further root causes that joined it (members), the symptoms
 * and the aftershocks (faults that began after the root cause had recovered). Recovered faults stay (phase
 * "recovered") until removed. A target whose fault cleared and fired again within the incident (a dependant flapping
 * during an outage, the root failing again after it recovered) is one row: its latest firing, counted
 * (OccurrenceCountRole), every firing's id finding it. Semantics only (cause, phase, severity and membership as
 * ints); the ui decides the looks. Updates change exactly the cells that changed; a fault changing incident is a row
 * move (remove + insert).
 */
class FaultModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column {
        TargetColumn,
        CauseColumn,
        /// the fault's phase (detected, located, handling, handled, recovering); once its target passes again, what
        /// remediation says of it: "recovering — step 3 of 5: …" while Recover runs, "recovered — verified",
        /// "recovery failed — not recovered", "cleared on its own" (nothing ran)
        StateColumn,
        EvidenceColumn,
        SinceColumn,
        AcknowledgedColumn, ///< who acknowledged it ("" when nobody); comment and silence in the tooltip
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        FaultIdRole = Qt::UserRole + 1, ///< QString fault id
        IncidentIdRole, ///< QString incident id (root and symptoms share it)
        CauseRole, ///< CauseClass as int
        PhaseRole, ///< Fault::Phase as int
        /// Severity as int: Critical for open roots (and a failed Recover), Symptom for symptoms, Warning for a root
        /// that passes its checks while it is not recovered yet, Ok once settled (SettledRole)
        SeverityRole,
        RootCauseRole, ///< bool
        SortRole, ///< raw value of the cell for sorting
        SymptomCountRole, ///< int: symptoms nested under a root
        FlappingRole, ///< bool: the target flaps, no automatic action
        SourcesRole, ///< QStringList: attack sources
        TargetRole, ///< QString target name
        AcknowledgedRole, ///< bool: an operator acknowledged it (the panel mutes it)
        AcknowledgedByRole, ///< QString operator name, empty when not acknowledged
        AcknowledgementCommentRole, ///< QString comment of the acknowledgement
        SilenceIdRole, ///< QString id of the Alertmanager silence FaultDesk owns for it, or empty
        MonitoringDegradedRole, ///< QString why its source cannot confirm it now; empty when it can
        MembershipRole, ///< Membership as int: the fault's place in its incident
        MemberCountRole, ///< int, incident rows: further root causes in the incident
        AftershockCountRole, ///< int, incident rows: aftershocks in the incident
        /// int, incident rows: faults of the incident not settled (SettledRole) yet, the row itself included
        OpenCountRole,
        IncidentTargetsRole, ///< QStringList, incident rows: every target of the incident, root cause first
        PoolRole, ///< QString: the pool or group a pool-level root cause stands for ("lb/web"); empty otherwise
        /// int: how often the row's target failed in this incident (its fault cleared and fired again: a flapping
        /// dependant, a root failing again after it recovered); the row shows the latest firing. 1 for most rows.
        OccurrenceCountRole,
        RecoveryRole, ///< Recovery as int: what remediation says of the fault's return to its baseline
        /// bool: it is over — its target passes its checks and no remediation runs on it, nor failed to recover it
        SettledRole,
    };
    Q_ENUM(Role)
    /// What remediation says of a fault's way back to its baseline (RecoveryRole).
    enum class Recovery {
        None, ///< open, no Recover ran on it
        Running, ///< a Recover runbook runs on it (its verification included): not recovered yet
        Verified, ///< Recover finished and verified it: the read-back equals the baseline and the target is healthy
        Failed, ///< Recover finished without passing its verification (or aborted): not recovered
        ClearedOnItsOwn, ///< it passes its checks again and nothing ran on it
        NotRecovered, ///< it passes its checks again after a Handle, and no Recover has run since
    };
    Q_ENUM(Recovery)
    /// A fault's place in its incident.
    enum class Membership {
        Root, ///< the incident's root cause: the top-level row
        /// another root cause that joined the incident, or an affected member: a peer of the root in its pool or
        /// group hit by the same event (e.g. a second overloaded server of the pool)
        Member,
        Symptom, ///< explained by the root cause; never acted on
        Aftershock, ///< began after the root cause had recovered, on the incident's targets
    };
    Q_ENUM(Membership)

    explicit FaultModel(QObject* parent = nullptr);

    /// Follows @p detector: reset on reload, row changes on faultChanged/faultRemoved.
    void setDetector(Detector* detector);
    /// Follows @p manager's acknowledgements and its sources' "monitoring degraded" state (not owned; may be null).
    void setAcknowledgementManager(AcknowledgementManager* manager);
    /// Shows @p faultId acknowledged as @p ack, or not acknowledged (std::nullopt).
    void setAcknowledgement(const QString& faultId, const std::optional<Acknowledgement>& ack);
    /// Marks @p faultIds as "monitoring degraded" for @p reason (empty reason: confirmed again).
    void setMonitoringDegraded(const QStringList& faultIds, const QString& reason);
    /**
     * Follows @p controller's Handle and Recover runs (not owned; may be null): a fault whose target passes its checks
     * is "recovered" only once a Recover verified it, "recovering" (with its step) while one runs.
     */
    void setRemediation(RemediationController* controller);
    /// Replaces all rows (a reload).
    void resetFaults(const QList<Fault>& faults);
    /// Inserts, updates (exact cells) or moves (re-localized) a fault.
    void updateFault(const Fault& fault);
    void removeFault(const QString& faultId);
    /// Drops every incident whose faults have all settled (SettledRole).
    void removeRecovered();
    QModelIndex indexOf(const QString& faultId, int column = TargetColumn) const;
    /**
     * The faults of @p incidentId (or of the incident @p faultId belongs to): each row's latest firing in row order,
     * its root cause first, then the earlier firings of targets that fired again; empty if unknown.
     */
    QList<Fault> incidentFaults(const QString& faultId) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    /// One row: a target's latest fault in the incident, and its earlier firings there (each had recovered before the
    /// next began).
    struct Row
    {
        Fault fault;
        QList<Fault> earlier; ///< oldest first
        int dropped = 0; ///< earlier firings the detector no longer keeps (still counted)
        int firings() const { return int(earlier.size()) + dropped + 1; }
        qint64 firstDetectedMs() const
        {
            return earlier.isEmpty() ? fault.detectedMs : earlier.constFirst().detectedMs;
        }
        /// @p faultId's index in earlier, or -1.
        int earlierIndex(const QString& faultId) const;
    };
    /// One incident: rows[0] is the top-level row, the others its children (child rows 0… = rows[1…]).
    struct Node
    {
        quintptr key = 0;
        QString incident;
        QList<Row> rows;
    };
    struct Place
    {
        int node = -1;
        int pos = -1; ///< in Node::rows; 0 = the top-level row
        int earlier = -1; ///< in Row::earlier; -1 = the row's latest firing
    };
    struct Tally
    {
        int members = 0;
        int symptoms = 0;
        int aftershocks = 0;
        int open = 0;
        bool operator==(const Tally&) const = default;
    };
    static QString incidentKey(const Fault& fault);
    static Membership membership(const Node& node, int pos);
    Tally tally(const Node& node) const;
    static int preferredHead(const Node& node);
    Place find(const QString& faultId) const;
    int nodeRow(quintptr key) const;
    const Node* nodeAt(const QModelIndex& index) const;
    const Row* rowAt(const QModelIndex& index) const;
    QModelIndex rowIndex(int node, int pos, int column) const;
    void reindex();
    /// The row of @p node that @p fault is another firing of (same target, one recovered before the other began), or
    /// -1.
    static int firingRow(const Node& node, const Fault& fault);
    /// Adds @p fault to @p row as a firing, in time order; whether it became the row's latest.
    static bool addFiring(Row& row, const Fault& fault);
    QString firingHistory(const Row& row) const;
    void insertFault(const Fault& fault);
    /// Takes the fault at @p place out; @p keepCount: it still counts as a firing (the detector dropped it).
    void takeFault(const Place& place, bool keepCount = false);
    void promote(int node, int pos);
    /// After @p node changed: re-emits its incident row's counts and, when the root changed, its children's places.
    void emitIncidentChanges(int node, const Tally& before, bool rootChanged);

    void emitFaultCells(const QString& faultId, const QList<int>& columns, const QList<int>& roles);
    /// A run of @p faultId started, moved on or finished: its state cell and its incident's counts.
    void remediationChanged(const QString& faultId);
    Recovery recoveryOf(const Fault& fault) const;
    bool settled(const Fault& fault) const;
    Severity faultSeverity(const Fault& fault) const;
    /// The state column's text of @p fault.
    QString stateText(const Fault& fault) const;

    QPointer<Detector> m_detector;
    QPointer<AcknowledgementManager> m_acknowledgements;
    QPointer<RemediationController> m_remedy;
    QHash<QString, Acknowledgement> m_acks; ///< fault id → its acknowledgement
    QHash<QString, QString> m_degraded; ///< fault id → why its source cannot confirm it
    QList<Node> m_nodes;
    QHash<QString, QString> m_incidentOf; ///< fault id → incident key
    QHash<QString, int> m_nodeOfIncident; ///< incident key → row
    QHash<quintptr, int> m_nodeOfKey; ///< node key → row
    quintptr m_nextKey = 1;
};

} // namespace FaultDesk
