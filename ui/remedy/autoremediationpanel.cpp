#include "autoremediationpanel.h"

#include "remedy/remediationcontroller.h"

#include <QCheckBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace FaultDesk {

AutoRemediationPanel::AutoRemediationPanel(RemediationController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
{
    auto* layout = new QVBoxLayout(this);
    m_toggle = new QCheckBox(tr("Automatic remediation"), this);
    m_toggle->setObjectName(QStringLiteral("autoToggle"));
    m_toggle->setToolTip(tr("When on, FaultDesk presses Handle and Recover itself on located root causes: at most 3 "
                            "attempts per 5 cycles per target, backing off; then it stops there until re-enabled."));
    layout->addWidget(m_toggle);
    layout->addWidget(new QLabel(tr("Automation gave up on:"), this));
    m_givenUp = new QListWidget(this);
    m_givenUp->setObjectName(QStringLiteral("givenUp"));
    layout->addWidget(m_givenUp);
    m_reenable = new QPushButton(tr("Re-enable"), this);
    m_reenable->setObjectName(QStringLiteral("reenable"));
    layout->addWidget(m_reenable);
    connect(m_toggle, &QCheckBox::toggled, m_controller, &RemediationController::setAutoEnabled);
    connect(m_reenable, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem* item = m_givenUp->currentItem())
            m_controller->reenable(item->data(Qt::UserRole).toString());
    });
    connect(m_givenUp, &QListWidget::currentRowChanged, this, [this](int row) { m_reenable->setEnabled(row >= 0); });
    connect(m_controller, &RemediationController::autoChanged, this, &AutoRemediationPanel::refresh);
    refresh();
}

void AutoRemediationPanel::refresh()
{
    const QSignalBlocker block(m_toggle);
    m_toggle->setChecked(m_controller->autoEnabled());
    m_givenUp->clear();
    for (const auto& [target, reason] : m_controller->givenUp()) {
        auto* item = new QListWidgetItem(QStringLiteral("%1 — %2").arg(target, reason), m_givenUp);
        item->setData(Qt::UserRole, target);
    }
    m_reenable->setEnabled(m_givenUp->currentRow() >= 0);
}

} // namespace FaultDesk
