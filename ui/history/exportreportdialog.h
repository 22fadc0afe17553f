#pragma once

#include "ui/report/reportexporter.h"

#include <QDateTime>
#include <QDialog>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace FaultDesk {

class IncidentStore;

/**
 * The Export action's dialog: one incident or a time range, a format (PDF, HTML, Markdown, JSON) and a file.
 * Writes the report with ReportExporter (the same code as `faultdesk report`) and stays open with the reason when
 * it cannot, so the operator can pick another place.
 */
class ExportReportDialog : public QDialog
{
    Q_OBJECT
public:
    ExportReportDialog(IncidentStore* store, QWidget* parent = nullptr);

    /// Runs the dialog for incident @p incidentId (the range stays selectable). True when a report was written.
    static bool exportIncident(IncidentStore* store, const QString& incidentId, QWidget* parent = nullptr);
    /// Runs the dialog for the incidents detected in [@p fromUtc, @p toUtc). True when a report was written.
    static bool exportRange(IncidentStore* store, const QDateTime& fromUtc, const QDateTime& toUtc,
        bool includeDrills = false, QWidget* parent = nullptr);

    /// Scope: one incident (empty id: the range only).
    void setIncident(const QString& incidentId);
    void setRange(const QDateTime& fromUtc, const QDateTime& toUtc, bool includeDrills);
    void setFormat(ReportExporter::Format format);
    ReportExporter::Format format() const;
    void setPath(const QString& path);
    QString path() const;
    /// The file written by the last successful export.
    QString writtenPath() const { return m_written; }

    /// Writes the report as set in the fields. False with @p error (also shown in the dialog) otherwise.
    bool exportNow(QString* error = nullptr);

public Q_SLOTS:
    void accept() override;

private:
    void browse();
    void updateSuffix();
    void updateScope();

    IncidentStore* m_store;
    QString m_incidentId;
    QRadioButton* m_oneIncident;
    QRadioButton* m_range;
    QDateTimeEdit* m_from;
    QDateTimeEdit* m_to;
    QCheckBox* m_drills;
    QComboBox* m_format;
    QLineEdit* m_path;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
    QString m_written;
};

} // namespace FaultDesk
