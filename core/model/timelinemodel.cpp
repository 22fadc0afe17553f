#include "model/timelinemodel.h"

#include <QDateTime>

namespace FaultDesk {

TimelineModel::TimelineModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

bool TimelineModel::isUnconfirmed(const DetectionEvent& event)
{
    return event.kind == DetectionEvent::Kind::StateChanged
        && ((event.from == TargetState::Up && event.to == TargetState::Soft)
            || (event.from == TargetState::Soft && event.to == TargetState::Up));
}

void TimelineModel::addEvent(const DetectionEvent& event)
{
    beginInsertRows({}, 0, 0);
    m_events.prepend(event);
    endInsertRows();
    trim();
}

void TimelineModel::clear()
{
    if (m_events.isEmpty())
        return;
    beginResetModel();
    m_events.clear();
    endResetModel();
}

void TimelineModel::setMaximumRows(int rows)
{
    m_maximumRows = std::max(1, rows);
    trim();
}

void TimelineModel::trim()
{
    const int excess = int(m_events.size()) - m_maximumRows;
    if (excess <= 0)
        return;
    beginRemoveRows({}, m_maximumRows, int(m_events.size()) - 1);
    m_events.remove(m_maximumRows, excess);
    endRemoveRows();
}

int TimelineModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int TimelineModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimelineModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DetectionEvent& e = m_events[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(e.timeMs).toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        case EventColumn:
            return DetectionEvent::kindName(e.kind);
        case TargetColumn:
            return e.target;
        case DetailsColumn: {
            // toText() starts with the time and the target, which have their own columns.
            QString details = e.toText().section(u' ', 1);
            if (!e.target.isEmpty() && details.startsWith(e.target + u' '))
                details = details.mid(e.target.size() + 1);
            return details;
        }
        }
        return {};
    case Qt::ToolTipRole:
        return index.column() == DetailsColumn ? QVariant(e.toText()) : QVariant();
    case KindRole:
        return int(e.kind);
    case SeverityRole:
        if (e.kind == DetectionEvent::Kind::FaultDetected
            || (e.kind == DetectionEvent::Kind::FaultLocated && e.rootCause)
            || e.kind == DetectionEvent::Kind::MonitorDegraded)
            return int(Severity::Critical);
        if (e.kind == DetectionEvent::Kind::FaultCleared || e.kind == DetectionEvent::Kind::MonitorRecovered)
            return int(Severity::Ok);
        return {};
    case UnconfirmedRole:
        return isUnconfirmed(e);
    case TimeRole:
        return e.timeMs;
    case FaultIdRole:
        return e.faultId;
    case IncidentIdRole:
        return e.incidentId;
    default:
        return {};
    }
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case EventColumn:
        return tr("Event");
    case TargetColumn:
        return tr("Target");
    case DetailsColumn:
        return tr("Details");
    }
    return {};
}

QHash<int, QByteArray> TimelineModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(KindRole, "kind");
    names.insert(SeverityRole, "severity");
    names.insert(UnconfirmedRole, "unconfirmed");
    names.insert(TimeRole, "time");
    names.insert(FaultIdRole, "faultId");
    names.insert(IncidentIdRole, "incidentId");
    return names;
}

} // namespace FaultDesk
