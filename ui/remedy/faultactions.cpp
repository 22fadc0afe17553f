#include "ui/remedy/faultactions.h"

#include "ui/remedy/remediationdialog.h"

#include "remedy/remediationcontroller.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>
#include <QTreeWidget>
#include <QVBoxLayout>

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
    m_handleSelected = new QPushButton(tr("Handle &selected"), this);
    m_handleSelected->setObjectName(QStringLiteral("handleSelected"));
    m_handleSelected->setAccessibleName(tr("Handle the selected faults"));
    layout->addWidget(m_handle);
    layout->addWidget(m_recover);
    layout->addWidget(m_handleSelected);
    // Who is acting on the selected fault (this console, another one sharing the store): plain text, names are data.
    m_acting = new QLabel(this);
    m_acting->setObjectName(QStringLiteral("acting"));
    m_acting->setTextFormat(Qt::PlainText);
    layout->addWidget(m_acting);
    layout->addStretch();
    connect(m_handleSelected, &QPushButton::clicked, this, [this] { openBatchDialog(); });
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

void FaultActions::setFaultIds(const QStringList& faultIds)
{
    m_faultIds = faultIds;
    updateButtons();
}

void FaultActions::updateButtons()
{
    const int n = int(m_faultIds.size());
    m_handleSelected->setEnabled(n >= 2);
    m_handleSelected->setText(n >= 2 ? tr("Handle &selected (%1)").arg(n) : tr("Handle &selected"));
    m_handleSelected->setToolTip(n >= 2 ? tr("Preview and run Handle on the %1 selected faults").arg(n)
                                        : tr("Select several faults (Ctrl+click, Shift+click) to handle them at once"));
    m_acting->setText(m_faultId.isEmpty() ? QString() : m_controller->actingOn(m_faultId));
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

QList<FaultActions::BatchItem> FaultActions::batchPreview() const
{
    QList<BatchItem> items;
    const QStringList ids = m_faultIds;
    for (const QString& id : ids) {
        const RemediationPlan plan = m_controller->preview(id, SafetyRequest::Purpose::Handle);
        BatchItem item;
        item.faultId = id;
        item.target = plan.target;
        item.runbook = plan.runbook;
        item.allowed = plan.decision.allowed && plan.isValid();
        // The gates word their own warnings (a manual step inside a maintenance window); they lead the lines.
        item.lines += plan.decision.warnings;
        if (!plan.error.isEmpty())
            item.lines << tr("no plan: %1").arg(plan.error);
        else if (!plan.decision.allowed)
            item.lines << plan.decision.reasons;
        else
            item.lines << plan.steps;
        items.append(item);
    }
    return items;
}

QDialog* FaultActions::openBatchDialog()
{
    if (m_faultIds.size() < 2)
        return nullptr;
    if (m_batchDialog)
        m_batchDialog->close();
    auto* dialog = new QDialog(window());
    m_batchDialog = dialog;
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("batchHandleDialog"));
    dialog->setWindowTitle(tr("Handle %1 faults").arg(m_faultIds.size()));
    auto* layout = new QVBoxLayout(dialog);
    const QList<BatchItem> items = batchPreview();
    int allowed = 0;
    for (const BatchItem& i : items)
        allowed += i.allowed ? 1 : 0;
    auto* summary = new QLabel(tr("%1 of %2 faults can be handled now; the safety gates are checked again for each "
                                  "when it starts.")
                                   .arg(allowed)
                                   .arg(items.size()),
        dialog);
    summary->setWordWrap(true);
    layout->addWidget(summary);
    auto* tree = new QTreeWidget(dialog);
    tree->setObjectName(QStringLiteral("batchPreview"));
    tree->setAccessibleName(tr("Plans of the selected faults"));
    tree->setHeaderLabels({ tr("Fault"), tr("Plan or reason"), tr("Result") });
    for (const BatchItem& i : items) {
        auto* top = new QTreeWidgetItem(tree,
            { tr("%1 on %2").arg(i.faultId, i.target), i.allowed ? tr("will run %1").arg(i.runbook) : tr("refused"),
                QString() });
        top->setData(0, Qt::UserRole, i.faultId);
        for (const QString& line : i.lines)
            new QTreeWidgetItem(top, { QString(), line });
    }
    tree->expandAll();
    tree->setWordWrap(true);
    tree->header()->setStretchLastSection(false);
    tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    tree->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    tree->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    layout->addWidget(tree, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, dialog);
    QPushButton* run = buttons->addButton(tr("&Handle %1").arg(allowed), QDialogButtonBox::AcceptRole);
    run->setObjectName(QStringLiteral("batchRun"));
    run->setEnabled(allowed > 0);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    // The faults previewed are the faults run, whatever the panel's selection has become meanwhile.
    QStringList previewed;
    for (const BatchItem& i : items)
        previewed << i.faultId;
    connect(run, &QPushButton::clicked, dialog, [this, tree, run, buttons, previewed] {
        run->setEnabled(false);
        const QStringList results = handleFaults(previewed);
        for (int r = 0; r < tree->topLevelItemCount() && r < results.size(); ++r)
            tree->topLevelItem(r)->setText(2, results.at(r));
        buttons->button(QDialogButtonBox::Cancel)->setText(tr("&Close"));
    });
    // Each run's end lands in its row: the operator sees the batch complete, fault by fault.
    connect(m_controller, &RemediationController::runFinished, tree,
        [tree](const QString& faultId, SafetyRequest::Purpose purpose, const RunbookOutcome& outcome, bool) {
            if (purpose != SafetyRequest::Purpose::Handle)
                return;
            for (int r = 0; r < tree->topLevelItemCount(); ++r)
                if (tree->topLevelItem(r)->data(0, Qt::UserRole).toString() == faultId)
                    tree->topLevelItem(r)->setText(2, RunbookOutcome::resultName(outcome.result));
        });
    layout->addWidget(buttons);
    dialog->resize(760, 380);
    dialog->show();
    return dialog;
}

QStringList FaultActions::handleSelected()
{
    // A copy: starting a run changes the fault's phase, the fault panel may re-sort and the selection (and with it
    // m_faultIds) change under the loop.
    return handleFaults(QStringList(m_faultIds));
}

QStringList FaultActions::handleFaults(const QStringList& ids)
{
    QStringList results;
    for (const QString& id : ids) {
        QString error;
        // handle() asks the gates itself: a fault whose situation changed since the preview is refused here.
        const bool started = m_controller->handle(id, QString(), &error);
        const QString message = started ? tr("started") : tr("refused: %1").arg(error);
        results << message;
        Q_EMIT batchItemDone(id, started, message);
    }
    return results;
}

} // namespace FaultDesk
