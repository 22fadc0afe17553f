#include "fleetmodel.h"

#include "detect/detector.h"

#include <QDateTime>
#include <QSet>

namespace FaultDesk {

namespace {

std::optional<double> value(const TargetStatus& t, QStringView signal)
{
    const auto it = t.values.constFind(signal.toString());
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

void FleetModel::rebuild(const QList<TargetStatus>& targets)
{
    m_groups.clear();
    if (!m_grouped)
        m_groups.append({ m_nextKey++, QString(), {} });
    for (const TargetStatus& t : targets) {
        if (find(t.name).group >= 0)
            continue;
        int g = m_grouped ? findGroup(t.group) : 0;
        if (g < 0) {
            m_groups.append({ m_nextKey++, t.group, {} });
            g = int(m_groups.size()) - 1;
        }
        m_groups[g].targets.append(t);
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
    for (int g = 0; g < m_groups.size(); ++g) {
        const auto& list = m_groups[g].targets;
        for (int r = 0; r < list.size(); ++r) {
            if (list[r].name == name)
                return { g, r };
        }
    }
    return {};
}

int FleetModel::findGroup(const QString& name) const
{
    for (int g = 0; g < m_groups.size(); ++g) {
        if (m_groups[g].name == name)
            return g;
    }
    return -1;
}

int FleetModel::groupOf(quintptr key) const
{
    for (int g = 0; g < m_groups.size(); ++g) {
        if (m_groups[g].key == key)
            return g;
    }
    return -1;
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
        m_groups.append({ m_nextKey++, target.group, {} });
        endInsertRows();
    }
    const int row = int(m_groups[g].targets.size());
    beginInsertRows(parentIndex(g), row, row);
    m_groups[g].targets.append(target);
    endInsertRows();
}

TargetStatus FleetModel::worst(const Group& g) const
{
    TargetStatus w;
    w.state = TargetState::Up;
    bool flapping = false;
    bool rootCause = false;
    for (const TargetStatus& t : g.targets) {
        if (int(t.severity()) > int(w.severity()))
            w = t;
        flapping = flapping || t.flapping;
        rootCause = rootCause || t.rootCause;
    }
    w.flapping = flapping;
    w.rootCause = rootCause;
    return w;
}

void FleetModel::updateTarget(const TargetStatus& target)
{
    const Place p = find(target.name);
    if (p.group < 0) {
        insertTarget(target);
        return;
    }
    if (m_grouped && target.group != m_groups[p.group].name) {
        removeTarget(target.name);
        insertTarget(target);
        return;
    }
    Group& group = m_groups[p.group];
    const TargetStatus before = group.targets[p.row];
    const TargetStatus groupBefore = worst(group);
    group.targets[p.row] = target;
    const QModelIndex parent = parentIndex(p.group);

    // Row-wide roles first (every cell serves them), then the cells whose text changed.
    QList<int> rowRoles;
    if (before.state != target.state)
        rowRoles << StateRole;
    if (before.severity() != target.severity())
        rowRoles << SeverityRole;
    if (before.flapping != target.flapping)
        rowRoles << FlappingRole;
    if (before.rootCause != target.rootCause)
        rowRoles << RootCauseRole;
    if (before.cause != target.cause)
        rowRoles << CauseRole;
    if (!rowRoles.isEmpty())
        Q_EMIT dataChanged(index(p.row, 0, parent), index(p.row, ColumnCount - 1, parent), rowRoles);
    auto cell = [&](int column, const QList<int>& roles) {
        const QModelIndex i = index(p.row, column, parent);
        Q_EMIT dataChanged(i, i, roles);
    };
    if (before.state != target.state || before.evidence != target.evidence || before.lastReason != target.lastReason) {
        QList<int> roles { Qt::ToolTipRole };
        if (before.state != target.state)
            roles = { Qt::DisplayRole, SortRole, Qt::ToolTipRole };
        cell(StateColumn, roles);
    }
    const std::pair<int, QStringView> signalColumns[]
        = { { LoadColumn, LoadSignal }, { LatencyColumn, LatencySignal }, { ErrorRateColumn, ErrorRateSignal } };
    for (const auto& [column, signal] : signalColumns) {
        if (value(before, signal) != value(target, signal))
            cell(column, { Qt::DisplayRole, SortRole });
    }
    if (before.lastCheckMs != target.lastCheckMs)
        cell(LastCheckColumn, { Qt::DisplayRole, SortRole });

    if (m_grouped) {
        const TargetStatus groupAfter = worst(group);
        QList<int> groupRoles;
        if (groupBefore.state != groupAfter.state)
            groupRoles << StateRole;
        if (groupBefore.severity() != groupAfter.severity())
            groupRoles << SeverityRole;
        if (groupBefore.flapping != groupAfter.flapping)
            groupRoles << FlappingRole;
        if (groupBefore.rootCause != groupAfter.rootCause)
            groupRoles << RootCauseRole;
        if (!groupRoles.isEmpty())
            Q_EMIT dataChanged(parent, index(p.group, ColumnCount - 1), groupRoles);
        if (groupBefore.state != groupAfter.state) {
            const QModelIndex i = index(p.group, StateColumn);
            Q_EMIT dataChanged(i, i, { Qt::DisplayRole, SortRole });
        }
    }
}

void FleetModel::removeTarget(const QString& name)
{
    const Place p = find(name);
    if (p.group < 0)
        return;
    if (m_grouped && m_groups[p.group].targets.size() == 1) {
        beginRemoveRows({}, p.group, p.group);
        m_groups.removeAt(p.group);
        endRemoveRows();
        return;
    }
    beginRemoveRows(parentIndex(p.group), p.row, p.row);
    m_groups[p.group].targets.removeAt(p.row);
    endRemoveRows();
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
    const TargetStatus row = group ? worst(*group) : *target;
    const int column = index.column();

    switch (role) {
    case Qt::DisplayRole:
        if (group) {
            if (column == NameColumn)
                return group->name.isEmpty() ? tr("(no group)") : group->name;
            if (column == GroupColumn)
                return tr("%n target(s)", nullptr, int(group->targets.size()));
            if (column == StateColumn)
                return targetStateName(row.state);
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
            if (const auto v = value(*target, LoadSignal))
                return QString::number(*v, 'f', 2);
            return {};
        case LatencyColumn:
            if (const auto v = value(*target, LatencySignal))
                return tr("%1 ms").arg(QString::number(*v * 1000, 'f', 0));
            return {};
        case ErrorRateColumn:
            if (const auto v = value(*target, ErrorRateSignal))
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
            return column == StateColumn ? QVariant(int(row.severity())) : QVariant(group->name);
        switch (column) {
        case NameColumn:
            return target->name;
        case GroupColumn:
            return target->group;
        case StateColumn:
            return int(target->severity());
        case LoadColumn:
            return sortValue(value(*target, LoadSignal));
        case LatencyColumn:
            return sortValue(value(*target, LatencySignal));
        case ErrorRateColumn:
            return sortValue(value(*target, ErrorRateSignal));
        case LastCheckColumn:
            return target->lastCheckMs;
        }
        return {};
    case StateRole:
        return int(row.state);
    case SeverityRole:
        return int(row.severity());
    case FlappingRole:
        return row.flapping;
    case RootCauseRole:
        return row.rootCause;
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
