#include "ui/history/incidenthistorymodel.h"

#include "incident/reportrenderer.h"

namespace FaultDesk {

IncidentHistoryModel::IncidentHistoryModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void IncidentHistoryModel::setIncidents(const QList<Incident>& incidents)
{
    beginResetModel();
    m_incidents = incidents;
    endResetModel();
}

const Incident* IncidentHistoryModel::incidentAt(int row) const
{
    return row >= 0 && row < m_incidents.size() ? &m_incidents[row] : nullptr;
}

int IncidentHistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_incidents.size());
}

int IncidentHistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant IncidentHistoryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Incident& i = m_incidents[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case DetectedColumn:
            return i.detectedUtc.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case IdColumn:
            return i.id;
        case RootColumn:
            return i.rootTarget;
        case CauseColumn:
            return i.causeClass;
        case StateColumn:
            return IncidentLifecycle::name(i.state);
        case ImpactColumn:
            return ReportRenderer::duration(i.phases().impactMs);
        case DrillColumn:
            return i.drill ? tr("drill") : QString();
        case TitleColumn:
            return i.title;
        }
        return {};
    case Qt::ToolTipRole:
        return index.column() == TitleColumn ? QVariant(i.title) : QVariant();
    case IncidentIdRole:
        return i.id;
    case StateRole:
        return int(i.state);
    case DrillRole:
        return i.drill;
    case SortRole:
        switch (index.column()) {
        case DetectedColumn:
            return i.detectedUtc.toMSecsSinceEpoch();
        case ImpactColumn:
            return i.phases().impactMs.value_or(-1);
        case DrillColumn:
            return i.drill;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    return {};
}

QVariant IncidentHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case DetectedColumn:
        return tr("Detected (UTC)");
    case IdColumn:
        return tr("Incident");
    case RootColumn:
        return tr("Root cause");
    case CauseColumn:
        return tr("Cause");
    case StateColumn:
        return tr("State");
    case ImpactColumn:
        return tr("Impact");
    case DrillColumn:
        return tr("Drill");
    case TitleColumn:
        return tr("Title");
    }
    return {};
}

} // namespace FaultDesk
