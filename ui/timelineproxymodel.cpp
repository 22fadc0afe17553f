#include "ui/timelineproxymodel.h"

#include "model/timelinemodel.h"
#include "ui/plaintooltip.h"
#include "ui/stateappearance.h"

namespace FaultDesk {

TimelineProxyModel::TimelineProxyModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    // Newest first as the model keeps them; no re-sorting on every event.
    setDynamicSortFilter(false);
}

void TimelineProxyModel::setShowUnconfirmed(bool show)
{
    if (show == m_showUnconfirmed)
        return;
    m_showUnconfirmed = show;
    // Qt 6.4 has no beginFilterChange(); invalidateFilter() re-evaluates every row once.
    invalidateFilter();
}

void TimelineProxyModel::setDark(bool dark)
{
    if (dark == m_dark)
        return;
    m_dark = dark;
    StateAppearance::emitLooksChanged(this);
}

bool TimelineProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    return m_showUnconfirmed
        || !sourceModel()->index(sourceRow, 0, sourceParent).data(TimelineModel::UnconfirmedRole).toBool();
}

QVariant TimelineProxyModel::data(const QModelIndex& index, int role) const
{
    if (role == Qt::ForegroundRole && index.column() == TimelineModel::EventColumn) {
        const QVariant severity = QSortFilterProxyModel::data(index, TimelineModel::SeverityRole);
        if (severity.isValid())
            return StateAppearance::colour(Severity(severity.toInt()), m_dark);
    }
    if (role == Qt::ToolTipRole) // event text quotes the network (alert summaries, HTTP errors): never rich text
        return plainToolTip(QSortFilterProxyModel::data(index, role).toString());
    return QSortFilterProxyModel::data(index, role);
}

} // namespace FaultDesk
