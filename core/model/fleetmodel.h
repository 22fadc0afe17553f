#pragma once

#include "detect/targetstatus.h"

#include <QAbstractItemModel>
#include <QList>
#include <QPointer>

namespace FaultDesk {

class Detector;

/**
 * The fleet table: one row per target, optionally under one parent row per group. Semantics only (state and
 * severity as ints, raw values for sorting); the ui maps them to colours and icons. A new observation
 * changes exactly the cells it changed; targets joining or leaving are row inserts/removals; a reset only
 * for a reload.
 */
class FleetModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        GroupColumn,
        StateColumn,
        LoadColumn,
        LatencyColumn,
        ErrorRateColumn,
        LastCheckColumn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        StateRole = Qt::UserRole + 1, ///< TargetState as int (group rows: the worst member's)
        SeverityRole, ///< Severity as int (group rows: the worst member's)
        SortRole, ///< raw value of the cell for sorting: double, qint64 ms or QString
        FlappingRole, ///< bool: the target flaps, no automatic action
        RootCauseRole, ///< bool: the target is the root cause of an open fault
        TargetNameRole, ///< QString: the target's name (empty on group rows)
        IsGroupRole, ///< bool: a group parent row
        CauseRole, ///< int CauseClass of the current failure, -1 when passing
        MaintenanceRole, ///< QString: the maintenance note ("in a maintenance window until …"), empty when none
    };
    Q_ENUM(Role)

    /// The signal names shown in the load, latency and error-rate columns.
    static constexpr auto LoadSignal = u"load";
    static constexpr auto LatencySignal = u"p95_latency";
    static constexpr auto ErrorRateSignal = u"error_rate";

    explicit FleetModel(QObject* parent = nullptr);

    /// Follows @p detector: reset on reload, row inserts/removals, exact dataChanged on updates.
    void setDetector(Detector* detector);
    /// Rows under one parent row per group (true) or a flat list (false). Resets the model.
    void setGrouped(bool grouped);
    bool isGrouped() const { return m_grouped; }

    /// Replaces all rows (a reload).
    void resetTargets(const QList<TargetStatus>& targets);
    /// Updates a target's row (exact cells), or inserts it when new.
    void updateTarget(const TargetStatus& target);
    void removeTarget(const QString& name);
    /**
     * Targets in maintenance with their notes (MaintenanceController::activeTargets()): their state cell reads
     * "maintenance" with the note as tooltip. Changes emit dataChanged for the affected rows only.
     */
    void setMaintenance(const QHash<QString, QString>& notes);
    QHash<QString, QString> maintenance() const { return m_maintenance; }
    /// The index of @p name's row (column @p column), invalid if unknown.
    QModelIndex indexOf(const QString& name, int column = NameColumn) const;
    /// The index of a group's parent row; invalid when not grouped or unknown.
    QModelIndex groupIndex(const QString& group, int column = NameColumn) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    struct Group
    {
        quintptr key = 0;
        QString name;
        QList<TargetStatus> targets;
    };
    struct Place
    {
        int group = -1;
        int row = -1;
    };
    Place find(const QString& name) const;
    int groupOf(quintptr key) const;
    int findGroup(const QString& name) const;
    const TargetStatus* targetAt(const QModelIndex& index) const;
    const Group* groupAt(const QModelIndex& index) const;
    QModelIndex parentIndex(int group) const;
    TargetStatus worst(const Group& g) const;
    void insertTarget(const TargetStatus& target);
    void rebuild(const QList<TargetStatus>& targets);

    QPointer<Detector> m_detector;
    bool m_grouped = false;
    QList<Group> m_groups; ///< flat mode: exactly one group holding every target
    quintptr m_nextKey = 1;
    QHash<QString, QString> m_maintenance; ///< target → maintenance note
};

} // namespace FaultDesk
