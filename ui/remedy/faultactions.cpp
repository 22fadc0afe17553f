#include "faultactions.h"

#include "remediationdialog.h"

#include "remedy/remediationcontroller.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QShortcut>

namespace FaultDesk {

FaultActions::FaultActions(RemediationController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_handle = new QPushButton(tr("&Handle"), this);
    m_handle->setObjectName(QStringLiteral("handle"));
    m_recover = new QPushButton(tr("&Recover"), this);
    m_recover->setObjectName(QStringLiteral("recover"));
    layout->addWidget(m_handle);
    layout->addWidget(m_recover);
    layout->addStretch();
    auto* handleKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_H), this);
    auto* recoverKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_R), this);
    handleKey->setContext(Qt::WindowShortcut);
    recoverKey->setContext(Qt::WindowShortcut);
    connect(m_handle, &QPushButton::clicked, this, [this] { openDialog(true); });
    connect(m_recover, &QPushButton::clicked, this, [this] { openDialog(false); });
    connect(handleKey, &QShortcut::activated, this, [this] {
        if (m_handle->isEnabled())
            openDialog(true);
    });
    connect(recoverKey, &QShortcut::activated, this, [this] {
        if (m_recover->isEnabled())
            openDialog(false);
    });
    connect(m_controller, &RemediationController::gatesChanged, this, &FaultActions::updateButtons);
    updateButtons();
}

void FaultActions::setFaultId(const QString& faultId)
{
    m_faultId = faultId;
    updateButtons();
}

void FaultActions::updateButtons()
{
    if (m_faultId.isEmpty()) {
        for (QPushButton* b : { m_handle, m_recover }) {
            b->setEnabled(false);
            b->setToolTip(tr("Select a fault first"));
        }
        return;
    }
    const SafetyDecision h = m_controller->canHandle(m_faultId);
    const SafetyDecision r = m_controller->canRecover(m_faultId);
    m_handle->setEnabled(h.allowed);
    m_recover->setEnabled(r.allowed);
    m_handle->setToolTip(h.allowed ? tr("Mitigate %1 (Ctrl+H)\n%2").arg(m_faultId, h.tooltip())
                                   : tr("Handle is not possible now:\n%1").arg(h.tooltip()));
    m_recover->setToolTip(r.allowed ? tr("Return %1 to its baseline (Ctrl+R)\n%2").arg(m_faultId, r.tooltip())
                                    : tr("Recover is not possible now:\n%1").arg(r.tooltip()));
}

RemediationDialog* FaultActions::openDialog(bool handle)
{
    if (m_faultId.isEmpty())
        return nullptr;
    if (m_dialog)
        m_dialog->close();
    m_dialog = new RemediationDialog(
        m_controller, m_faultId, handle ? SafetyRequest::Purpose::Handle : SafetyRequest::Purpose::Recover, window());
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog->show();
    return m_dialog;
}

} // namespace FaultDesk
