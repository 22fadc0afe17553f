#include "ui/fleetproxymodel.h"

#include "config/causeclass.h"
#include "model/fleetmodel.h"
#include "ui/stateappearance.h"

#include <QFont>

namespace FaultDesk {

FleetProxyModel::FleetProxyModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(FleetModel::SortRole);
    // filterAcceptsRow() reads name, group and labels itself. A filter role that a sample never changes spares the
    // group rows' re-filtering on every tick (Qt re-checks a range's parents only when the filter role changed); the
    // rows of a range themselves are re-filtered on every dataChanged, so filterAcceptsRow() must be cheap.
    setFilterRole(FleetModel::TargetNameRole);
    setRecursiveFilteringEnabled(true);
    setDynamicSortFilter(true);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void FleetProxyModel::setFilterText(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    refilter();
}

void FleetProxyModel::setGroupFilter(const QString& group)
{
    if (group == m_group)
        return;
    m_group = group;
    refilter();
}

void FleetProxyModel::setTargetLabels(const QHash<QString, QStringList>& labels)
{
    m_labels = labels;
    refilter();
}

void FleetProxyModel::setDark(bool dark)
{
    if (dark == m_dark)
        return;
    m_dark = dark;
    StateAppearance::emitLooksChanged(this);
}

void FleetProxyModel::refilter()
{
    // Qt 6.4 has no beginFilterChange(); invalidateFilter() re-evaluates every row once.
    invalidateFilter();
}

bool FleetProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    // No filter: every row, read nothing. Qt calls this for every row of every dataChanged range (at 5,000 targets,
    // thousands of calls per monitor tick).
    if (m_text.isEmpty() && m_group.isEmpty())
        return true;
    const QModelIndex i = sourceModel()->index(sourceRow, FleetModel::NameColumn, sourceParent);
    if (i.data(FleetModel::IsGroupRole).toBool()) {
        // A group row stands for itself only without a search text; otherwise its matching members bring it in
        // (recursive filtering).
        return m_text.isEmpty() && (m_group.isEmpty() || i.data(Qt::DisplayRole).toString() == m_group);
    }
    const QString name = i.data(FleetModel::TargetNameRole).toString();
    const QString group = sourceModel()->index(sourceRow, FleetModel::GroupColumn, sourceParent).data().toString();
    if (!m_group.isEmpty() && group != m_group)
        return false;
    if (m_text.isEmpty())
        return true;
    if (name.contains(m_text, Qt::CaseInsensitive) || group.contains(m_text, Qt::CaseInsensitive))
        return true;
    const QStringList labels = m_labels.value(name);
    for (const QString& label : labels) {
        if (label.contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

namespace {

bool isValueColumn(int column)
{
    return column == FleetModel::LoadColumn || column == FleetModel::LatencyColumn
        || column == FleetModel::ErrorRateColumn;
}

} // namespace

bool FleetProxyModel::isStale(const QModelIndex& index) const
{
    // A target that does not answer keeps its last scraped values; they are shown as such, not as current.
    const QVariant state = QSortFilterProxyModel::data(index, FleetModel::StateRole);
    if (!state.isValid() || QSortFilterProxyModel::data(index, FleetModel::IsGroupRole).toBool())
        return false;
    const auto s = TargetState(state.toInt());
    if (s == TargetState::Unreachable || s == TargetState::Unknown)
        return true;
    // HARD and still answering (overload, attack, errors): the values are current.
    return s == TargetState::Hard
        && QSortFilterProxyModel::data(index, FleetModel::CauseRole).toInt() == int(CauseClass::Down);
}

QVariant FleetProxyModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const int column = index.column();
    if (isValueColumn(column) && isStale(index)) {
        switch (role) {
        case Qt::DisplayRole: {
            const QString text = QSortFilterProxyModel::data(index, role).toString();
            return text.isEmpty() ? QStringLiteral("—") : tr("(%1)").arg(text);
        }
        case Qt::ToolTipRole:
            return tr("Last known value: the target does not answer now");
        case Qt::ForegroundRole:
            return QColor(0x88, 0x88, 0x88);
        default:
            break;
        }
    }
    switch (role) {
    case Qt::DecorationRole:
        if (column == FleetModel::StateColumn) {
            const QVariant severity = QSortFilterProxyModel::data(index, FleetModel::SeverityRole);
            if (severity.isValid())
                return StateAppearance::icon(Severity(severity.toInt()), m_dark);
        }
        break;
    case Qt::ForegroundRole:
        if (column == FleetModel::StateColumn) {
            const QVariant severity = QSortFilterProxyModel::data(index, FleetModel::SeverityRole);
            if (severity.isValid() && Severity(severity.toInt()) != Severity::Ok)
                return StateAppearance::colour(Severity(severity.toInt()), m_dark);
        }
        break;
    case Qt::BackgroundRole:
        if (QSortFilterProxyModel::data(index, FleetModel::RootCauseRole).toBool()) {
            QColor tint = StateAppearance::colour(Severity::Critical, m_dark);
            tint.setAlpha(m_dark ? 70 : 40);
            return tint;
        }
        break;
    case Qt::FontRole:
        if (QSortFilterProxyModel::data(index, FleetModel::RootCauseRole).toBool()
            || QSortFilterProxyModel::data(index, FleetModel::IsGroupRole).toBool()) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    case Qt::DisplayRole:
        if (column == FleetModel::StateColumn) {
            QString text = QSortFilterProxyModel::data(index, role).toString();
            if (QSortFilterProxyModel::data(index, FleetModel::RootCauseRole).toBool())
                text += tr(" · root cause");
            if (QSortFilterProxyModel::data(index, FleetModel::FlappingRole).toBool())
                text += tr(" · flapping");
            return text;
        }
        break;
    case Qt::AccessibleTextRole:
        if (column == FleetModel::StateColumn)
            return data(index, Qt::DisplayRole);
        break;
    default:
        break;
    }
    return QSortFilterProxyModel::data(index, role);
}

} // namespace FaultDesk
