#pragma once

#include "incident/incident.h"

#include <QAbstractTableModel>
#include <QList>

namespace FaultDesk {

/// The incidents of a history query as a table: one row per incident, newest first. Plain values; the view refills it.
class IncidentHistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        DetectedColumn,
        IdColumn,
        RootColumn,
        CauseColumn,
        StateColumn,
        ImpactColumn,
        DrillColumn,
        TitleColumn,
        ColumnCount,
    };
    enum Role {
        IncidentIdRole = Qt::UserRole + 1, ///< QString: the incident id
        StateRole, ///< int: IncidentState
        DrillRole, ///< bool: raised by a drill
        SortRole, ///< a value that sorts the column naturally (times as ms, durations as ms)
    };

    explicit IncidentHistoryModel(QObject* parent = nullptr);

    /// Replaces the rows (a new query: one reset).
    void setIncidents(const QList<Incident>& incidents);
    const QList<Incident>& incidents() const { return m_incidents; }
    /// The incident shown in @p row (bounds-checked).
    const Incident* incidentAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Incident> m_incidents;
};

} // namespace FaultDesk
