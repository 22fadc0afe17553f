#pragma once

#include "incident/incidentfilter.h"

#include <QTime>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class QTreeWidget;

namespace FaultDesk {

class IncidentHistoryModel;
class IncidentStore;

/**
 * The incident history: search the incident database by target, cause, text and date range (drills on request),
 * a sortable table of the matching incidents (state, cause, times, drill flag), and the timeline of the selected
 * one — lifecycle events and actions in time order. Follows the store: new records show up by themselves.
 * Export buttons ask the owner (exportRequested / exportRangeRequested) to run the export dialog.
 */
class IncidentHistoryView : public QWidget
{
    Q_OBJECT
public:
    explicit IncidentHistoryView(IncidentStore* store, QWidget* parent = nullptr);
    ~IncidentHistoryView() override;

    /// The search as set in the fields.
    IncidentFilter filter() const;
    /// Sets the fields to @p filter and searches.
    void setFilter(const IncidentFilter& filter);
    /// The id of the selected incident, empty when none.
    QString currentIncidentId() const;
    /// Selects @p id (when listed) and shows its timeline. False when the store does not know it.
    bool openIncident(const QString& id);

    IncidentHistoryModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QTreeWidget* timeline() const { return m_timeline; }

public Q_SLOTS:
    /// Runs the search again with the current fields.
    void refresh();

Q_SIGNALS:
    /// The operator wants a report of @p incidentId (ExportReportDialog::exportIncident).
    void exportRequested(const QString& incidentId);
    /// The operator wants a report of the searched period (ExportReportDialog::exportRange).
    void exportRangeRequested(const QDateTime& fromUtc, const QDateTime& toUtc, bool includeDrills);
    /// An incident's timeline is shown.
    void incidentOpened(const QString& incidentId);

private:
    void showTimeline(const QString& id);

    IncidentStore* m_store;
    IncidentHistoryModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_target;
    QComboBox* m_cause;
    QLineEdit* m_text;
    QCheckBox* m_useFrom;
    QDateTimeEdit* m_from;
    QCheckBox* m_useTo;
    QDateTimeEdit* m_to;
    QCheckBox* m_drills;
    QTableView* m_table;
    QTreeWidget* m_timeline;
    QLabel* m_summary;
    QLabel* m_status;
    QPushButton* m_export;
    QPushButton* m_exportRange;
    QTimer* m_refreshTimer;
    QTime m_readAt; ///< when the list shown was read (the store may be away later)
    QString m_shown;
};

} // namespace FaultDesk
