#pragma once

#include "detect/targetstatus.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QList>
#include <QPointer>

#include <array>

namespace FaultDesk {

class Detector;

/**
 * The fleet table: one row per target, optionally under one parent row per group. Semantics only (state and
 * severity as ints, raw values for sorting); the ui maps them to colours and icons. A new observation
 * changes exactly the cells it changed, and a detector tick that changed many rows is one dataChanged per group and
 * changed column (a sort proxy re-checks the order only of ranges that include its sort column);
 * targets joining or leaving are row inserts/removals; a reset only for a reload. Lookups by name and by index are hash
 * lookups and a group row's state is kept as counts, so a tick that updates every target of a 5,000-target fleet costs
 * O(n), not O(n²).
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

    /// Fleet-wide figures for the status bar, kept up to date with every update.
    struct Counts
    {
        int total = 0;
        int up = 0; ///< targets that answer: UP, or failing a rule while still serving (overload, latency, …)
        int degraded = 0; ///< of those, the ones failing a rule (counted in up)
    };

    explicit FleetModel(QObject* parent = nullptr);

    /// Whether @p target still answers: UP, or SOFT/HARD for a reason that leaves it serving (overload, latency,
    /// errors, attack, a link or data fault). Down, unreachable, unhealthy and unknown targets do not.
    static bool answers(const TargetStatus& target);
    Counts counts() const { return m_counts; }
    /// The worst severity of any target (Ok for an empty fleet), for the tray icon.
    Severity worstSeverity() const;

    /// Follows @p detector: reset on reload, row inserts/removals, exact dataChanged on updates.
    void setDetector(Detector* detector);
    /// Rows under one parent row per group (true) or a flat list (false). Resets the model.
    void setGrouped(bool grouped);
    bool isGrouped() const { return m_grouped; }

    /// Replaces all rows (a reload).
    void resetTargets(const QList<TargetStatus>& targets);
    /// Updates a target's row (exact cells), or inserts it when new.
    void updateTarget(const TargetStatus& target);
    /**
     * Updates many rows at once (what one detector tick changed): per group, one dataChanged spanning the changed
     * rows for their row-wide roles and one per column spanning the rows whose cell in it changed, each with the
     * union of the roles (exact cells when only one row changed), then the group row. Nothing when nothing changed.
     * New targets and targets that changed group are inserted or moved first, as updateTarget() does.
     */
    void updateTargets(QList<TargetStatus> targets);
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
    static constexpr int SeverityCount = int(Severity::Critical) + 1;
    static constexpr int StateCount = int(TargetState::Unreachable) + 1;
    /// What a group row shows: its worst member's state and severity, whether any member flaps or is a root cause.
    struct Summary
    {
        TargetState state = TargetState::Up;
        Severity severity = Severity::Ok;
        bool flapping = false;
        bool rootCause = false;
    };
    struct Group
    {
        quintptr key = 0;
        QString name;
        QList<TargetStatus> targets;
        QHash<QString, int> rows; ///< target name → row in targets
        std::array<int, SeverityCount * StateCount> tally {}; ///< members per (severity, state)
        int flapping = 0;
        int rootCauses = 0;

        void count(const TargetStatus& t, int delta);
        Summary summary() const;
    };
    struct Place
    {
        int group = -1;
        int row = -1;
    };
    /// The roles a row update can change, as bits of RowChange's masks.
    static constexpr int RoleBits[] = { StateRole, SeverityRole, FlappingRole, RootCauseRole, CauseRole,
        Qt::DisplayRole, SortRole, Qt::ToolTipRole };
    /// What a row update changed: the row-wide roles (every cell serves them) and per column the cell's roles, as
    /// masks of RoleBits (no list per row: a 5,000-target tick changes hundreds of rows).
    struct RowChange
    {
        quint8 rowRoles = 0;
        std::array<quint8, ColumnCount> cellRoles {};

        static QList<int> rolesOf(quint8 mask);
    };
    Place find(const QString& name) const;
    /// Whether updating @p target changes its row where it is (it exists and stays in its group).
    bool updatesInPlace(const TargetStatus& target) const;
    /// Stores @p target in its row at @p p, keeps the counts, and says which cells changed (nothing emitted).
    RowChange replace(const Place& p, TargetStatus target);
    int groupOf(quintptr key) const;
    int findGroup(const QString& name) const;
    const TargetStatus* targetAt(const QModelIndex& index) const;
    const Group* groupAt(const QModelIndex& index) const;
    QModelIndex parentIndex(int group) const;
    void insertTarget(const TargetStatus& target);
    void rebuild(const QList<TargetStatus>& targets);
    void reindexGroups();
    void countFleet(const TargetStatus& t, int delta);
    /// Re-emits what changed on group row @p group: its member count (@p sizeChanged) and its summary.
    void emitGroupChanges(int group, const Summary& before, bool sizeChanged);

    QPointer<Detector> m_detector;
    bool m_grouped = false;
    QList<Group> m_groups; ///< flat mode: exactly one group holding every target
    QHash<QString, quintptr> m_groupOfTarget; ///< target name → key of its group
    QHash<quintptr, int> m_groupRow; ///< group key → index in m_groups
    QHash<QString, int> m_groupByName; ///< grouped mode: group name → index in m_groups
    quintptr m_nextKey = 1;
    QHash<QString, QString> m_maintenance; ///< target → maintenance note
    Counts m_counts;
    std::array<int, SeverityCount> m_severities {}; ///< targets per severity, fleet-wide
};

} // namespace FaultDesk
