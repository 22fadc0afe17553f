#include "ui/history/exportreportdialog.h"

#include "incident/incidentstore.h"
#include "incident/reportdata.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QStandardPaths>

namespace FaultDesk {

ExportReportDialog::ExportReportDialog(IncidentStore* store, QWidget* parent)
    : QDialog(parent)
    , m_store(store)
    , m_oneIncident(new QRadioButton(this))
    , m_range(new QRadioButton(tr("Incidents detected between"), this))
    , m_from(new QDateTimeEdit(this))
    , m_to(new QDateTimeEdit(this))
    , m_drills(new QCheckBox(tr("Include drills"), this))
    , m_format(new QComboBox(this))
    , m_path(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Export incident report"));
    m_format->addItem(tr("PDF document"), int(ReportExporter::Format::Pdf));
    m_format->addItem(tr("HTML (one self-contained file)"), int(ReportExporter::Format::Html));
    m_format->addItem(tr("Markdown"), int(ReportExporter::Format::Markdown));
    m_format->addItem(tr("JSON (documented schema)"), int(ReportExporter::Format::Json));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (QDateTimeEdit* edit : { m_from, m_to }) {
        edit->setTimeSpec(Qt::UTC);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
        edit->setCalendarPopup(true);
    }
    m_from->setDateTime(now.addDays(-7));
    m_to->setDateTime(now);
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(QStringLiteral("color: #b3261e"));
    m_error->hide();
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));

    auto* browseButton = new QPushButton(tr("Browse…"), this);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browseButton);
    auto* rangeRow = new QHBoxLayout;
    rangeRow->addWidget(m_from);
    rangeRow->addWidget(new QLabel(tr("and"), this));
    rangeRow->addWidget(m_to);
    rangeRow->addWidget(m_drills);
    auto* form = new QFormLayout;
    form->addRow(m_oneIncident);
    form->addRow(m_range);
    form->addRow(rangeRow);
    form->addRow(tr("Format"), m_format);
    form->addRow(tr("File"), pathRow);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty() || !QDir(dir).exists())
        dir = QDir::homePath();
    m_path->setText(QDir(dir).filePath(QStringLiteral("incident-report.pdf")));

    connect(browseButton, &QPushButton::clicked, this, &ExportReportDialog::browse);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportReportDialog::updateSuffix);
    connect(m_oneIncident, &QRadioButton::toggled, this, &ExportReportDialog::updateScope);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ExportReportDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setIncident({});
}

bool ExportReportDialog::exportIncident(IncidentStore* store, const QString& incidentId, QWidget* parent)
{
    ExportReportDialog dialog(store, parent);
    dialog.setIncident(incidentId);
    return dialog.exec() == QDialog::Accepted;
}

bool ExportReportDialog::exportRange(
    IncidentStore* store, const QDateTime& fromUtc, const QDateTime& toUtc, bool includeDrills, QWidget* parent)
{
    ExportReportDialog dialog(store, parent);
    dialog.setRange(fromUtc, toUtc, includeDrills);
    return dialog.exec() == QDialog::Accepted;
}

void ExportReportDialog::setIncident(const QString& incidentId)
{
    m_incidentId = incidentId;
    m_oneIncident->setText(
        incidentId.isEmpty() ? tr("One incident (none selected)") : tr("Incident %1").arg(incidentId));
    m_oneIncident->setEnabled(!incidentId.isEmpty());
    (incidentId.isEmpty() ? m_range : m_oneIncident)->setChecked(true);
    if (!incidentId.isEmpty()) {
        const QFileInfo info(m_path->text());
        m_path->setText(info.dir().filePath(QStringLiteral("%1.%2").arg(incidentId, ReportExporter::suffix(format()))));
    }
    updateScope();
}

void ExportReportDialog::setRange(const QDateTime& fromUtc, const QDateTime& toUtc, bool includeDrills)
{
    m_from->setDateTime(fromUtc.toUTC());
    m_to->setDateTime(toUtc.toUTC());
    m_drills->setChecked(includeDrills);
    m_range->setChecked(true);
    updateScope();
}

void ExportReportDialog::setFormat(ReportExporter::Format format)
{
    m_format->setCurrentIndex(m_format->findData(int(format)));
}

ReportExporter::Format ExportReportDialog::format() const
{
    return ReportExporter::Format(m_format->currentData().toInt());
}

void ExportReportDialog::setPath(const QString& path)
{
    m_path->setText(path);
}

QString ExportReportDialog::path() const
{
    return m_path->text().trimmed();
}

void ExportReportDialog::browse()
{
    const QString chosen = QFileDialog::getSaveFileName(this, tr("Export report to"), path(),
        tr("%1 files (*.%2)").arg(ReportExporter::formatName(format()).toUpper(), ReportExporter::suffix(format())));
    if (!chosen.isEmpty())
        m_path->setText(chosen);
}

void ExportReportDialog::updateSuffix()
{
    const QString p = path();
    if (p.isEmpty())
        return;
    const QFileInfo info(p);
    m_path->setText(info.dir().filePath(info.completeBaseName() + u'.' + ReportExporter::suffix(format())));
}

void ExportReportDialog::updateScope()
{
    const bool range = m_range->isChecked();
    m_from->setEnabled(range);
    m_to->setEnabled(range);
    m_drills->setEnabled(range);
}

bool ExportReportDialog::exportNow(QString* error)
{
    QString why;
    auto failed = [&](const QString& message) {
        m_error->setText(message);
        m_error->show();
        if (error)
            *error = message;
        return false;
    };
    if (!m_store)
        return failed(tr("No incident database is open."));
    if (path().isEmpty())
        return failed(tr("Choose a file to write the report to."));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    std::optional<ReportData> report;
    if (m_oneIncident->isChecked() && !m_incidentId.isEmpty()) {
        report = ReportData::forIncident(*m_store, m_incidentId, now, &why);
    } else {
        if (m_from->dateTime() >= m_to->dateTime())
            return failed(tr("The period must start before it ends."));
        report = ReportData::forRange(
            *m_store, m_from->dateTime().toUTC(), m_to->dateTime().toUTC(), m_drills->isChecked(), now, &why);
    }
    if (!report)
        return failed(why.isEmpty() ? tr("The incident could not be read.") : why);
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = ReportExporter::write(*report, format(), path(), &why);
    QGuiApplication::restoreOverrideCursor();
    if (!ok)
        return failed(why);
    m_error->hide();
    m_written = path();
    return true;
}

void ExportReportDialog::accept()
{
    if (exportNow())
        QDialog::accept();
}

} // namespace FaultDesk
