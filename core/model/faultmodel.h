#pragma once

#include "alert/acknowledgement.h"
#include "detect/fault.h"

#include <QAbstractItemModel>
#include <QList>
#include <QPointer>

namespace FaultDesk {

class AcknowledgementManager;
class Detector;

/**
 * The fault list: root-cause faults as top-level rows, their symptoms nested under them; recovered faults
 * stay (phase "recovered") until removed. Semantics only (cause, phase and severity as ints); the ui decides
 * the looks. Updates change exactly the cells that changed; re-localization moves a row.
 */
class FaultModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column {
        TargetColumn,
        CauseColumn,
        StateColumn, ///< the fault's phase: detected, located, handling, handled, recovering, recovered
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
        SeverityRole, ///< Severity as int: Critical for open roots, Symptom for symptoms, Ok once recovered
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
    };
    Q_ENUM(Role)

    explicit FaultModel(QObject* parent = nullptr);

    /// Follows @p detector: reset on reload, row changes on faultChanged/faultRemoved.
    void setDetector(Detector* detector);
    /// Follows @p manager's acknowledgements and its sources' "monitoring degraded" state (not owned; may be null).
    void setAcknowledgementManager(AcknowledgementManager* manager);
    /// Shows @p faultId acknowledged as @p ack, or not acknowledged (std::nullopt).
    void setAcknowledgement(const QString& faultId, const std::optional<Acknowledgement>& ack);
    /// Marks @p faultIds as "monitoring degraded" for @p reason (empty reason: confirmed again).
    void setMonitoringDegraded(const QStringList& faultIds, const QString& reason);
    /// Replaces all rows (a reload).
    void resetFaults(const QList<Fault>& faults);
    /// Inserts, updates (exact cells) or moves (re-localized) a fault.
    void updateFault(const Fault& fault);
    void removeFault(const QString& faultId);
    /// Drops every recovered fault that has no open symptom left.
    void removeRecovered();
    QModelIndex indexOf(const QString& faultId, int column = TargetColumn) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    struct Node
    {
        quintptr key = 0;
        Fault fault;
        QList<Fault> symptoms;
    };
    struct Place
    {
        int root = -1;
        int child = -1; ///< -1: the root row itself
    };
    Place find(const QString& faultId) const;
    int rootRow(quintptr key) const;
    int rootRowOf(const QString& faultId) const;
    const Fault* faultAt(const QModelIndex& index) const;
    int desiredRoot(const Fault& fault) const;
    void insertFault(const Fault& fault);
    void takeFault(const Place& place);
    void adoptOrphans(int root);

    void emitFaultCells(const QString& faultId, const QList<int>& columns, const QList<int>& roles);

    QPointer<Detector> m_detector;
    QPointer<AcknowledgementManager> m_acknowledgements;
    QHash<QString, Acknowledgement> m_acks; ///< fault id → its acknowledgement
    QHash<QString, QString> m_degraded; ///< fault id → why its source cannot confirm it
    QList<Node> m_roots;
    quintptr m_nextKey = 1;
};

} // namespace FaultDesk
