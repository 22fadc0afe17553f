#include "ui/alert/acknowledgedialog.h"

#include "alert/acknowledgementmanager.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace FaultDesk {

AcknowledgeDialog::AcknowledgeDialog(
    AcknowledgementManager* manager, const QStringList& faultIds, const QStringList& descriptions, QWidget* parent)
    : QDialog(parent)
    , m_manager(manager)
    , m_faultIds(faultIds)
{
    setObjectName(QStringLiteral("acknowledgeDialog"));
    setWindowTitle(
        faultIds.size() == 1 ? tr("Acknowledge fault") : tr("Acknowledge %n faults", nullptr, int(faultIds.size())));
    setMinimumWidth(520);
    auto* layout = new QVBoxLayout(this);

    auto* what = new QLabel(this);
    what->setTextFormat(Qt::PlainText);
    what->setWordWrap(true);
    what->setText(tr("Acknowledge:") + u'\n' + descriptions.mid(0, 10).join(u'\n')
        + (descriptions.size() > 10 ? u'\n' + tr("… and %n more", nullptr, int(descriptions.size() - 10)) : QString()));
    layout->addWidget(what);

    auto* form = new QFormLayout;
    m_operator = new QLineEdit(defaultOperator(), this);
    m_operator->setObjectName(QStringLiteral("operatorEdit"));
    m_operator->setAccessibleName(tr("Operator"));
    form->addRow(tr("&Operator:"), m_operator);
    m_comment = new QPlainTextEdit(this);
    m_comment->setObjectName(QStringLiteral("commentEdit"));
    m_comment->setAccessibleName(tr("Comment"));
    m_comment->setPlaceholderText(tr("What you are doing about it (required)"));
    m_comment->setTabChangesFocus(true);
    m_comment->setFixedHeight(80);
    form->addRow(tr("&Comment:"), m_comment);
    layout->addLayout(form);

    auto* hint = new QLabel(tr("Stays until the fault recovers. Alertmanager alerts are also silenced (alertname and "
                               "instance); FaultDesk expires the silence when the alert resolves."),
        this);
    hint->setWordWrap(true);
    hint->setEnabled(false);
    layout->addWidget(hint);

    m_status = new QLabel(this);
    m_status->setTextFormat(Qt::PlainText); // errors quote replies from the network
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    m_status->hide();
    layout->addWidget(m_status);
    m_results = new QListWidget(this);
    m_results->setObjectName(QStringLiteral("resultList"));
    m_results->setAccessibleName(tr("Results"));
    m_results->setWordWrap(true);
    m_results->setTextElideMode(Qt::ElideNone);
    m_results->hide();
    layout->addWidget(m_results);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Acknowledge"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &AcknowledgeDialog::submit);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_operator, &QLineEdit::textChanged, this, &AcknowledgeDialog::updateButtons);
    connect(m_comment, &QPlainTextEdit::textChanged, this, &AcknowledgeDialog::updateButtons);
    m_comment->setFocus();
    updateButtons();
}

QString AcknowledgeDialog::defaultOperator()
{
    for (const char* name : { "USER", "LOGNAME", "USERNAME" }) {
        const QString v = qEnvironmentVariable(name);
        if (!v.isEmpty())
            return v;
    }
    return QDir::home().dirName();
}

void AcknowledgeDialog::updateButtons()
{
    const bool complete = !m_operator->text().trimmed().isEmpty() && !m_comment->toPlainText().trimmed().isEmpty();
    if (QPushButton* ok = m_buttons->button(QDialogButtonBox::Ok)) {
        ok->setEnabled(!m_sent && complete && m_manager);
        ok->setToolTip(complete ? QString() : tr("A comment and an operator name are required"));
    }
}

void AcknowledgeDialog::submit()
{
    if (m_sent || !m_manager || m_operator->text().trimmed().isEmpty() || m_comment->toPlainText().trimmed().isEmpty())
        return;
    m_sent = true;
    m_operator->setEnabled(false);
    m_comment->setReadOnly(true);
    updateButtons();
    m_status->setText(tr("Acknowledging…"));
    m_status->show();
    m_results->show();
    auto* manager = m_manager.data();
    const QSet<QString> mine(m_faultIds.cbegin(), m_faultIds.cend());
    auto perFault = std::make_shared<QMetaObject::Connection>();
    auto whole = std::make_shared<QMetaObject::Connection>();
    *perFault = connect(manager, &AcknowledgementManager::acknowledgeFinished, this,
        [this, mine](const QString& faultId, bool ok, const QString& message) {
            if (!mine.contains(faultId))
                return;
            auto* item = new QListWidgetItem((ok ? QStringLiteral("✓ ") : QStringLiteral("✗ ")) + message, m_results);
            item->setData(Qt::UserRole, faultId);
            item->setData(Qt::UserRole + 1, ok);
        });
    *whole = connect(manager, &AcknowledgementManager::batchFinished, this,
        [this, perFault, whole](int succeeded, const QStringList& failures) {
            disconnect(*perFault);
            disconnect(*whole);
            m_finished = true;
            if (failures.isEmpty()) {
                accept();
                return;
            }
            m_status->setText(tr("%1 done, %2 with a problem (marked ✗):").arg(succeeded).arg(failures.size()));
            m_buttons->setStandardButtons(QDialogButtonBox::Close);
            connect(m_buttons->button(QDialogButtonBox::Close), &QPushButton::clicked, this, &QDialog::accept);
        });
    manager->acknowledge(m_faultIds, m_operator->text().trimmed(), m_comment->toPlainText().trimmed());
}

} // namespace FaultDesk
