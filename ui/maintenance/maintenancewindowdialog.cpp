#include "ui/maintenance/maintenancewindowdialog.h"

#include "maintenance/maintenancecontroller.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QVBoxLayout>

namespace FaultDesk {

MaintenanceWindowDialog::MaintenanceWindowDialog(
    MaintenanceController* controller, const QStringList& targets, const QString& operatorName, QWidget* parent)
    : QDialog(parent)
    , m_controller(controller)
    , m_operator(operatorName)
{
    setObjectName(QStringLiteral("maintenanceWindowDialog"));
    setWindowTitle(tr("New maintenance window"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    layout->addLayout(form);

    m_targets = new QLineEdit(targets.join(QStringLiteral(", ")), this);
    m_targets->setObjectName(QStringLiteral("maintenanceTargets"));
    m_targets->setAccessibleName(tr("Targets"));
    m_targets->setPlaceholderText(tr("web-1, web-2"));
    form->addRow(tr("&Targets:"), m_targets);

    m_group = new QComboBox(this);
    m_group->setObjectName(QStringLiteral("maintenanceGroup"));
    m_group->setAccessibleName(tr("Group"));
    m_group->addItem(tr("(none)"), QString());
    if (m_controller) {
        QStringList groups;
        const auto& schedule = m_controller->schedule();
        for (const QString& t : schedule.knownTargets())
            if (const QString g = schedule.groupOf(t); !g.isEmpty() && !groups.contains(g))
                groups << g;
        groups.sort();
        for (const QString& g : std::as_const(groups))
            m_group->addItem(g, g);
    }
    form->addRow(tr("or &group:"), m_group);

    const QDateTime now = (m_controller ? m_controller->now() : QDateTime::currentDateTimeUtc()).toLocalTime();
    const QString format = QStringLiteral("yyyy-MM-dd HH:mm");
    m_start = new QDateTimeEdit(now, this);
    m_start->setObjectName(QStringLiteral("maintenanceStart"));
    m_start->setAccessibleName(tr("Start (local time)"));
    m_start->setDisplayFormat(format);
    m_start->setCalendarPopup(true);
    form->addRow(tr("&Start (local):"), m_start);
    m_end = new QDateTimeEdit(now.addSecs(3600), this);
    m_end->setObjectName(QStringLiteral("maintenanceEnd"));
    m_end->setAccessibleName(tr("End (local time)"));
    m_end->setDisplayFormat(format);
    m_end->setCalendarPopup(true);
    form->addRow(tr("&End (local):"), m_end);

    m_comment = new QLineEdit(this);
    m_comment->setObjectName(QStringLiteral("maintenanceComment"));
    m_comment->setAccessibleName(tr("Comment"));
    m_comment->setPlaceholderText(tr("what is being done, ticket"));
    form->addRow(tr("&Comment:"), m_comment);

    const qint64 maxDays
        = (m_controller ? m_controller->settings().maxLengthMs : MaintenanceSchedule::DefaultMaxLengthMs) / 86400000;
    m_confirmLong = new QCheckBox(tr("Allow a window longer than %1 days").arg(maxDays), this);
    m_confirmLong->setObjectName(QStringLiteral("maintenanceConfirmLong"));
    form->addRow(QString(), m_confirmLong);

    m_error = new QLabel(this);
    m_error->setTextFormat(Qt::PlainText); // errors quote replies from the network
    m_error->setObjectName(QStringLiteral("maintenanceError"));
    m_error->setWordWrap(true);
    m_error->setAccessibleName(tr("Problem"));
    m_error->hide();
    layout->addWidget(m_error);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start &maintenance"));
    connect(buttons, &QDialogButtonBox::accepted, this, &MaintenanceWindowDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    m_comment->setFocus();
}

QString MaintenanceWindowDialog::errorText() const
{
    return m_error->isVisible() || !m_error->text().isEmpty() ? m_error->text() : QString();
}

void MaintenanceWindowDialog::accept()
{
    if (!m_controller)
        return QDialog::reject();
    MaintenanceWindow w;
    for (const QString& t : m_targets->text().split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts))
        if (!w.targets.contains(t))
            w.targets << t;
    if (const QString g = m_group->currentData().toString(); !g.isEmpty())
        w.groups << g;
    w.startUtc = m_start->dateTime().toUTC();
    w.endUtc = m_end->dateTime().toUTC();
    w.comment = m_comment->text().trimmed();
    // A start a little in the past is "now": the minutes the dialog was open do not matter.
    if (w.startUtc < m_controller->now())
        w.startUtc = m_controller->now();
    QString error;
    m_createdId = m_controller->create(w, m_operator, m_confirmLong->isChecked(), &error);
    if (m_createdId.isEmpty()) {
        m_error->setText(error);
        m_error->show();
        return;
    }
    m_error->clear();
    QDialog::accept();
}

} // namespace FaultDesk
