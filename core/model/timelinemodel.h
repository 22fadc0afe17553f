#pragma once

#include "detect/detectionevent.h"

#include <QAbstractTableModel>
#include <QList>

namespace FaultDesk {

/**
 * The incident timeline: every detection event, newest first, capped (the oldest rows leave). Semantics only: the
 * event's severity and whether it is an unconfirmed check are roles; the ui colours and filters.
 */
class TimelineModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        EventColumn,
        TargetColumn,
        DetailsColumn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role {
        KindRole = Qt::UserRole + 1, ///< DetectionEvent::Kind as int
        SeverityRole, ///< Severity as int: Critical for detections, root causes and a degraded monitor, Ok for clears
                      ///< and recoveries, invalid otherwise
        UnconfirmedRole, ///< bool: a single failed check the next one took back (UP → SOFT → UP)
        TimeRole, ///< qint64 ms since the epoch
        FaultIdRole, ///< QString
        IncidentIdRole, ///< QString
    };
    Q_ENUM(Role)

    explicit TimelineModel(QObject* parent = nullptr);

    /// Adds @p event at the top; the oldest row leaves once there are more than maximumRows().
    void addEvent(const DetectionEvent& event);
    void clear();
    int maximumRows() const { return m_maximumRows; }
    void setMaximumRows(int rows);
    /// Whether @p event is a single failed check that the next check took back (or the check that took it back).
    static bool isUnconfirmed(const DetectionEvent& event);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void trim();

    QList<DetectionEvent> m_events; ///< newest first
    int m_maximumRows = 5000;
};

} // namespace FaultDesk
