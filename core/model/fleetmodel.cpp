#include "model/fleetmodel.h"

#include "detect/detector.h"

#include <QDateTime>
#include <QSet>

#include <algorithm>
#include <utility>
#include <vector>

namespace FaultDesk {

namespace {

/// The keys of the signals shown in columns, made once: QHash<QString, …> in Qt 6.4 looks up by QString only, and
/// a QString per lookup (two per signal per changed row per tick, one per painted cell) is a needless allocation.
struct SignalKeys
{
    QString load = QStringView(FleetModel::LoadSignal).toString();
    QString latency = QStringView(FleetModel::LatencySignal).toString();
    QString errorRate = QStringView(FleetModel::ErrorRateSignal).toString();
};

const SignalKeys& keys()
{
    static const SignalKeys k;
    return k;
}

std::optional<double> value(const TargetStatus& t, const QString& signal)
{
    const auto it = t.values.constFind(signal);
    if (it == t.values.cend())
        return std::nullopt;
    return *it;
}

QVariant sortValue(const std::optional<double>& v)
{
    return v ? QVariant(*v) : QVariant();
}

} // namespace

FleetModel::FleetModel(QObject* parent)
    : QAbstractItemModel(parent)
{
    rebuild({});
}

void FleetModel::setDetector(Detector* detector)
{
    if (m_detector)
        disconnect(m_detector, nullptr, this, nullptr);
    m_detector = detector;
    if (!detector) {
        resetTargets({});
        return;
    }
    connect(detector, &Detector::targetsReset, this, [this] { resetTargets(m_detector->statuses()); });
    connect(detector, &Detector::targetAdded, this, [this](const QString& name) {
        if (const auto s = m_detector->status(name))
            updateTarget(*s);
    });
    connect(detector, &Detector::targetUpdated, this, [this](const QString& name) {
        if (const auto s = m_detector->status(name))
            updateTarget(*s);
    });
    connect(detector, &Detector::targetsUpdated, this,
        [this](const QStringList& names) { updateTargets(m_detector->statuses(names)); });
    connect(detector, &Detector::targetRemoved, this, &FleetModel::removeTarget);
    resetTargets(detector->statuses());
}

void FleetModel::setGrouped(bool grouped)
{
    if (grouped == m_grouped)
        return;
    QList<TargetStatus> all;
    for (const Group& g : std::as_const(m_groups))
        all += g.targets;
    m_grouped = grouped;
    resetTargets(all);
}

bool FleetModel::answers(const TargetStatus& target)
{
    switch (target.state) {
    case TargetState::Up:
        return true;
    case TargetState::Soft:
    case TargetState::Hard:
        if (!target.cause)
            return target.state == TargetState::Soft;
        switch (*target.cause) {
        case CauseClass::Down:
        case CauseClass::Unreachable:
        case CauseClass::Unhealthy:
            return false;
        default:
            return true; // overloaded, slow, erroring, attacked, cut off from a dependency: still serving
        }
    case TargetState::Unknown:
    case TargetState::Unreachable:
        return false;
    }
    return false;
}

void FleetModel::Group::count(const TargetStatus& t, int delta)
{
    tally[std::size_t(int(t.severity()) * StateCount + int(t.state))] += delta;
    flapping += t.flapping ? delta : 0;
    rootCauses += t.rootCause ? delta : 0;
}

FleetModel::Summary FleetModel::Group::summary() const
{
    Summary s;
    s.flapping = flapping > 0;
    s.rootCause = rootCauses > 0;
    // The worst severity present; within it, the state that explains it best (HARD before UNREACHABLE).
    static constexpr TargetState preference[]
        = { TargetState::Hard, TargetState::Unreachable, TargetState::Soft, TargetState::Unknown, TargetState::Up };
    for (int severity = SeverityCount - 1; severity >= 0; --severity) {
        for (TargetState state : preference) {
            if (tally[std::size_t(severity * StateCount + int(state))] > 0) {
                s.severity = Severity(severity);
                s.state = state;
                return s;
            }
        }
    }
    return s;
}

Severity FleetModel::worstSeverity() const
{
    for (int severity = SeverityCount - 1; severity > 0; --severity) {
        if (m_severities[std::size_t(severity)] > 0)
            return Severity(severity);
    }
    return Severity::Ok;
}

void FleetModel::countFleet(const TargetStatus& t, int delta)
{
    m_counts.total += delta;
    m_severities[std::size_t(t.severity())] += delta;
    if (answers(t)) {
        m_counts.up += delta;
        m_counts.degraded += t.state == TargetState::Up ? 0 : delta;
    }
}

void FleetModel::reindexGroups()
{
    m_groupRow.clear();
    m_groupByName.clear();
    for (int g = 0; g < m_groups.size(); ++g) {
        m_groupRow.insert(m_groups[g].key, g);
        if (m_grouped)
            m_groupByName.insert(m_groups[g].name, g);
    }
}

void FleetModel::rebuild(const QList<TargetStatus>& targets)
{
    m_groups.clear();
    m_groupOfTarget.clear();
    m_counts = {};
    m_severities = {};
    if (!m_grouped)
        m_groups.append(Group { m_nextKey++, QString(), {}, {}, {}, 0, 0 });
    reindexGroups();
    for (const TargetStatus& t : targets) {
        if (m_groupOfTarget.contains(t.name))
            continue;
        int g = m_grouped ? findGroup(t.group) : 0;
        if (g < 0) {
            m_groups.append(Group { m_nextKey++, t.group, {}, {}, {}, 0, 0 });
            g = int(m_groups.size()) - 1;
            m_groupRow.insert(m_groups[g].key, g);
            m_groupByName.insert(t.group, g);
        }
        Group& group = m_groups[g];
        group.rows.insert(t.name, int(group.targets.size()));
        group.targets.append(t);
        group.count(t, 1);
        m_groupOfTarget.insert(t.name, group.key);
        countFleet(t, 1);
    }
}

void FleetModel::resetTargets(const QList<TargetStatus>& targets)
{
    beginResetModel();
    rebuild(targets);
    endResetModel();
}

FleetModel::Place FleetModel::find(const QString& name) const
{
    const auto key = m_groupOfTarget.constFind(name);
    if (key == m_groupOfTarget.cend())
        return {};
    const int g = groupOf(*key);
    return g < 0 ? Place() : Place { g, m_groups[g].rows.value(name, -1) };
}

int FleetModel::findGroup(const QString& name) const
{
    return m_groupByName.value(name, -1);
}

int FleetModel::groupOf(quintptr key) const
{
    return m_groupRow.value(key, -1);
}

QModelIndex FleetModel::parentIndex(int group) const
{
    return m_grouped ? createIndex(group, 0, quintptr(0)) : QModelIndex();
}

QModelIndex FleetModel::indexOf(const QString& name, int column) const
{
    const Place p = find(name);
    if (p.group < 0 || column < 0 || column >= ColumnCount)
        return {};
    return createIndex(p.row, column, m_grouped ? m_groups[p.group].key : quintptr(0));
}

QModelIndex FleetModel::groupIndex(const QString& group, int column) const
{
    const int g = m_grouped ? findGroup(group) : -1;
    if (g < 0 || column < 0 || column >= ColumnCount)
        return {};
    return createIndex(g, column, quintptr(0));
}

void FleetModel::insertTarget(const TargetStatus& target)
{
    int g = m_grouped ? findGroup(target.group) : 0;
    if (g < 0) {
        g = int(m_groups.size());
        beginInsertRows({}, g, g);
        m_groups.append(Group { m_nextKey++, target.group, {}, {}, {}, 0, 0 });
        m_groupRow.insert(m_groups[g].key, g);
        m_groupByName.insert(target.group, g);
        endInsertRows();
    }
    Group& group = m_groups[g];
    const Summary before = group.summary();
    const int row = int(group.targets.size());
    beginInsertRows(parentIndex(g), row, row);
    group.targets.append(target);
    group.rows.insert(target.name, row);
    group.count(target, 1);
    m_groupOfTarget.insert(target.name, group.key);
    countFleet(target, 1);
    endInsertRows();
    if (m_grouped)
        emitGroupChanges(g, before, true);
}

void FleetModel::emitGroupChanges(int g, const Summary& before, bool sizeChanged)
{
    const Summary after = m_groups[g].summary();
    QList<int> roles;
    if (before.state != after.state)
        roles << StateRole;
    if (before.severity != after.severity)
        roles << SeverityRole;
    if (before.flapping != after.flapping)
        roles << FlappingRole;
    if (before.rootCause != after.rootCause)
        roles << RootCauseRole;
    if (!roles.isEmpty())
        Q_EMIT dataChanged(index(g, 0), index(g, ColumnCount - 1), roles);
    if (before.state != after.state) {
        const QModelIndex i = index(g, StateColumn);
        Q_EMIT dataChanged(i, i, { Qt::DisplayRole, SortRole });
    }
    if (sizeChanged) {
        // The group column reads "4 targets".
        const QModelIndex i = index(g, GroupColumn);
        Q_EMIT dataChanged(i, i, { Qt::DisplayRole });
    }
}

QList<int> FleetModel::RowChange::rolesOf(quint8 mask)
{
    QList<int> roles;
    for (int bit = 0; bit < int(std::size(RoleBits)); ++bit) {
        if (mask & (1u << bit))
            roles.append(RoleBits[bit]);
    }
    return roles;
}

FleetModel::RowChange FleetModel::replace(const Place& p, TargetStatus target)
{
    Group& group = m_groups[p.group];
    const TargetStatus before = std::exchange(group.targets[p.row], std::move(target));
    const TargetStatus& now = group.targets[p.row];
    group.count(before, -1);
    group.count(now, 1);
    countFleet(before, -1);
    countFleet(now, 1);

    // Row-wide roles (every cell serves them), then per cell the roles whose value changed.
    RowChange change;
    const auto mark = [](quint8& mask, int role) {
        mask |= quint8(1u << (std::find(std::begin(RoleBits), std::end(RoleBits), role) - std::begin(RoleBits)));
    };
    if (before.state != now.state)
        mark(change.rowRoles, StateRole);
    if (before.severity() != now.severity())
        mark(change.rowRoles, SeverityRole);
    if (before.flapping != now.flapping)
        mark(change.rowRoles, FlappingRole);
    if (before.rootCause != now.rootCause)
        mark(change.rowRoles, RootCauseRole);
    if (before.cause != now.cause)
        mark(change.rowRoles, CauseRole);
    quint8& state = change.cellRoles[StateColumn];
    if (before.state != now.state || before.evidence != now.evidence || before.lastReason != now.lastReason)
        mark(state, Qt::ToolTipRole);
    if (before.state != now.state)
        mark(state, Qt::DisplayRole);
    if (before.state != now.state || before.severity() != now.severity())
        mark(state, SortRole); // the state column sorts by severity
    const std::pair<int, const QString&> signalColumns[]
        = { { LoadColumn, keys().load }, { LatencyColumn, keys().latency }, { ErrorRateColumn, keys().errorRate } };
    for (const auto& [column, signal] : signalColumns) {
        if (value(before, signal) != value(now, signal)) {
            mark(change.cellRoles[size_t(column)], Qt::DisplayRole);
            mark(change.cellRoles[size_t(column)], SortRole);
        }
    }
    if (before.lastCheckMs != now.lastCheckMs) {
        mark(change.cellRoles[LastCheckColumn], Qt::DisplayRole);
        mark(change.cellRoles[LastCheckColumn], SortRole);
    }
    return change;
}

bool FleetModel::updatesInPlace(const TargetStatus& target) const
{
    const Place p = find(target.name);
    return p.group >= 0 && (!m_grouped || target.group == m_groups[p.group].name);
}

void FleetModel::updateTarget(const TargetStatus& target)
{
    if (!updatesInPlace(target)) {
        // New, or moved to another group: row removal and insertion.
        removeTarget(target.name);
        insertTarget(target);
        return;
    }
    updateTargets({ target });
}

void FleetModel::updateTargets(QList<TargetStatus> targets)
{
    // Rows joining or moving first, so the rows of the batch below stay where they are while it is gathered (found
    // once per target; again only if a row did move).
    QList<std::pair<TargetStatus*, Place>> inPlace;
    inPlace.reserve(targets.size());
    bool moved = false;
    for (TargetStatus& t : targets) {
        const Place p = find(t.name);
        if (p.group >= 0 && (!m_grouped || t.group == m_groups[p.group].name)) {
            inPlace.append({ &t, p });
        } else {
            updateTarget(t);
            moved = true;
        }
    }
    if (moved) {
        for (auto& [t, p] : inPlace)
            p = find(t->name);
    }

    // What changed in each group: one dataChanged over whole rows for the row-wide roles (state, severity, …), and one
    // per column for the cells whose value changed there, each spanning the group's rows that changed, with the union
    // of their roles (a single changed row: its exact cells). Per column, because Qt's sort proxy re-checks the order
    // of every row of a range that includes its sort column, whatever the roles: a tick that changed only load and
    // check times leaves a sort on latency alone, and one on load sees the load ranges only.
    struct Span
    {
        int firstRow = -1;
        int lastRow = -1;
        quint8 roles = 0;

        void add(int row, quint8 mask)
        {
            if (!mask)
                return;
            firstRow = firstRow < 0 ? row : std::min(firstRow, row);
            lastRow = std::max(lastRow, row);
            roles |= mask;
        }
    };
    struct Batch
    {
        bool touched = false;
        Summary before;
        Span rowWide;
        std::array<Span, ColumnCount> cells;
    };
    std::vector<Batch> batches(size_t(m_groups.size()));
    for (const auto& [t, p] : std::as_const(inPlace)) {
        Batch& b = batches[size_t(p.group)];
        if (!b.touched) {
            b.touched = true;
            b.before = m_groups[p.group].summary();
        }
        const RowChange change = replace(p, std::move(*t));
        b.rowWide.add(p.row, change.rowRoles);
        for (int column = 0; column < ColumnCount; ++column)
            b.cells[size_t(column)].add(p.row, change.cellRoles[size_t(column)]);
    }
    for (int g = 0; g < int(batches.size()); ++g) {
        const Batch& b = batches[size_t(g)];
        if (!b.touched)
            continue;
        const QModelIndex parent = parentIndex(g);
        if (b.rowWide.roles)
            Q_EMIT dataChanged(index(b.rowWide.firstRow, 0, parent), index(b.rowWide.lastRow, ColumnCount - 1, parent),
                RowChange::rolesOf(b.rowWide.roles));
        for (int column = 0; column < ColumnCount; ++column) {
            const Span& span = b.cells[size_t(column)];
            if (span.roles)
                Q_EMIT dataChanged(index(span.firstRow, column, parent), index(span.lastRow, column, parent),
                    RowChange::rolesOf(span.roles));
        }
        if (m_grouped)
            emitGroupChanges(g, b.before, false);
    }
}

void FleetModel::removeTarget(const QString& name)
{
    const Place p = find(name);
    if (p.group < 0)
        return;
    Group& group = m_groups[p.group];
    countFleet(group.targets[p.row], -1);
    m_groupOfTarget.remove(name);
    if (m_grouped && group.targets.size() == 1) {
        beginRemoveRows({}, p.group, p.group);
        m_groups.removeAt(p.group);
        reindexGroups();
        endRemoveRows();
        return;
    }
    const Summary before = group.summary();
    beginRemoveRows(parentIndex(p.group), p.row, p.row);
    group.count(group.targets[p.row], -1);
    group.targets.removeAt(p.row);
    group.rows.remove(name);
    for (int r = p.row; r < group.targets.size(); ++r)
        group.rows[group.targets[r].name] = r;
    endRemoveRows();
    if (m_grouped)
        emitGroupChanges(p.group, before, true);
}

const TargetStatus* FleetModel::targetAt(const QModelIndex& index) const
{
    if (!index.isValid())
        return nullptr;
    if (!m_grouped)
        return &m_groups[0].targets[index.row()];
    if (index.internalId() == 0)
        return nullptr;
    const int g = groupOf(index.internalId());
    return g < 0 ? nullptr : &m_groups[g].targets[index.row()];
}

const FleetModel::Group* FleetModel::groupAt(const QModelIndex& index) const
{
    if (!m_grouped || !index.isValid() || index.internalId() != 0)
        return nullptr;
    return &m_groups[index.row()];
}

QModelIndex FleetModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!m_grouped) {
        if (parent.isValid() || row >= m_groups[0].targets.size())
            return {};
        return createIndex(row, column, quintptr(0));
    }
    if (!parent.isValid())
        return row < m_groups.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= m_groups.size())
        return {};
    const Group& g = m_groups[parent.row()];
    return row < g.targets.size() ? createIndex(row, column, g.key) : QModelIndex();
}

QModelIndex FleetModel::parent(const QModelIndex& child) const
{
    if (!m_grouped || !child.isValid() || child.internalId() == 0)
        return {};
    const int g = groupOf(child.internalId());
    return g < 0 ? QModelIndex() : createIndex(g, 0, quintptr(0));
}

int FleetModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    if (!m_grouped)
        return parent.isValid() ? 0 : int(m_groups[0].targets.size());
    if (!parent.isValid())
        return int(m_groups.size());
    if (const Group* g = groupAt(parent))
        return int(g->targets.size());
    return 0;
}

int FleetModel::columnCount(const QModelIndex& parent) const
{
    Q_UNUSED(parent)
    return ColumnCount;
}

QVariant FleetModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Group* group = groupAt(index);
    const TargetStatus* target = targetAt(index);
    if (!group && !target)
        return {};
    // A group row's summary comes from its counts; a target row is read in place, never copied.
    const Summary summary = group ? group->summary() : Summary();
    const TargetState state = group ? summary.state : target->state;
    const Severity severity = group ? summary.severity : target->severity();
    const int column = index.column();

    switch (role) {
    case Qt::DisplayRole:
        if (group) {
            if (column == NameColumn)
                return group->name.isEmpty() ? tr("(no group)") : group->name;
            if (column == GroupColumn)
                return tr("%n target(s)", nullptr, int(group->targets.size()));
            if (column == StateColumn)
                return targetStateName(state);
            return {};
        }
        switch (column) {
        case NameColumn:
            return target->name;
        case GroupColumn:
            return target->group;
        case StateColumn:
            if (m_maintenance.contains(target->name))
                return tr("maintenance");
            return targetStateName(target->state);
        case LoadColumn:
            if (const auto v = value(*target, keys().load))
                return QString::number(*v, 'f', 2);
            return {};
        case LatencyColumn:
            if (const auto v = value(*target, keys().latency))
                return tr("%1 ms").arg(QString::number(*v * 1000, 'f', 0));
            return {};
        case ErrorRateColumn:
            if (const auto v = value(*target, keys().errorRate))
                return tr("%1 %").arg(QString::number(*v * 100, 'f', 1));
            return {};
        case LastCheckColumn:
            if (target->lastCheckMs > 0)
                return QDateTime::fromMSecsSinceEpoch(target->lastCheckMs)
                    .toLocalTime()
                    .toString(QStringLiteral("HH:mm:ss"));
            return {};
        }
        return {};
    case Qt::ToolTipRole:
        if (target && column == StateColumn) {
            const QString why = target->evidence.isEmpty() ? target->lastReason : target->evidence;
            if (const QString note = m_maintenance.value(target->name); !note.isEmpty())
                return why.isEmpty()
                    ? note
                    : tr("%1\nmonitored state: %2 — %3").arg(note, targetStateName(target->state), why);
            return why;
        }
        return {};
    case SortRole:
        if (group)
            return column == StateColumn ? QVariant(int(severity)) : QVariant(group->name);
        switch (column) {
        case NameColumn:
            return target->name;
        case GroupColumn:
            return target->group;
        case StateColumn:
            return int(target->severity());
        case LoadColumn:
            return sortValue(value(*target, keys().load));
        case LatencyColumn:
            return sortValue(value(*target, keys().latency));
        case ErrorRateColumn:
            return sortValue(value(*target, keys().errorRate));
        case LastCheckColumn:
            return target->lastCheckMs;
        }
        return {};
    case StateRole:
        return int(state);
    case SeverityRole:
        return int(severity);
    case FlappingRole:
        return group ? summary.flapping : target->flapping;
    case RootCauseRole:
        return group ? summary.rootCause : target->rootCause;
    case TargetNameRole:
        return target ? target->name : QString();
    case IsGroupRole:
        return group != nullptr;
    case CauseRole:
        return target && target->cause ? int(*target->cause) : -1;
    case MaintenanceRole:
        return target ? m_maintenance.value(target->name) : QString();
    default:
        return {};
    }
}

void FleetModel::setMaintenance(const QHash<QString, QString>& notes)
{
    QSet<QString> changed;
    for (auto it = notes.cbegin(); it != notes.cend(); ++it)
        if (m_maintenance.value(it.key()) != it.value())
            changed.insert(it.key());
    for (auto it = m_maintenance.cbegin(); it != m_maintenance.cend(); ++it)
        if (!notes.contains(it.key()))
            changed.insert(it.key());
    m_maintenance = notes;
    for (const QString& name : std::as_const(changed)) {
        const QModelIndex i = indexOf(name, StateColumn);
        if (!i.isValid())
            continue;
        Q_EMIT dataChanged(
            index(i.row(), 0, i.parent()), index(i.row(), ColumnCount - 1, i.parent()), { MaintenanceRole });
        Q_EMIT dataChanged(i, i, { Qt::DisplayRole, Qt::ToolTipRole });
    }
}

QVariant FleetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case GroupColumn:
        return tr("Group");
    case StateColumn:
        return tr("State");
    case LoadColumn:
        return tr("Load");
    case LatencyColumn:
        return tr("Latency");
    case ErrorRateColumn:
        return tr("Error rate");
    case LastCheckColumn:
        return tr("Last check");
    }
    return {};
}

QHash<int, QByteArray> FleetModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(StateRole, "state");
    names.insert(SeverityRole, "severity");
    names.insert(SortRole, "sort");
    names.insert(FlappingRole, "flapping");
    names.insert(RootCauseRole, "rootCause");
    names.insert(TargetNameRole, "targetName");
    names.insert(IsGroupRole, "isGroup");
    names.insert(CauseRole, "cause");
    names.insert(MaintenanceRole, "maintenance");
    return names;
}

} // namespace FaultDesk
