#include "ui/alert/acknowledgeactions.h"

#include "alert/acknowledgementmanager.h"
#include "detect/fault.h"
#include "model/faultmodel.h"
#include "ui/alert/acknowledgedialog.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QMenu>
#include <QTreeView>

namespace FaultDesk {

AcknowledgeActions::AcknowledgeActions(AcknowledgementManager* manager, QTreeView* faultView, QWidget* dialogParent)
    : QObject(faultView)
    , m_manager(manager)
    , m_view(faultView)
    , m_dialogParent(dialogParent)
{
    m_acknowledge = new QAction(tr("&Acknowledge…"), this);
    m_acknowledge->setObjectName(QStringLiteral("acknowledgeAction"));
    m_acknowledge->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_acknowledge->setShortcutContext(Qt::WindowShortcut);
    m_acknowledge->setToolTip(tr("Acknowledge the selected faults with a comment (Alertmanager alerts are silenced)"));
    m_unacknowledge = new QAction(tr("&Unacknowledge"), this);
    m_unacknowledge->setObjectName(QStringLiteral("unacknowledgeAction"));
    m_unacknowledge->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    m_unacknowledge->setShortcutContext(Qt::WindowShortcut);
    m_unacknowledge->setToolTip(tr("Take the acknowledgement back (and expire its silence)"));
    connect(m_acknowledge, &QAction::triggered, this, [this] { openDialog(); });
    connect(m_unacknowledge, &QAction::triggered, this, &AcknowledgeActions::unacknowledgeSelected);
    if (dialogParent) {
        dialogParent->addAction(m_acknowledge);
        dialogParent->addAction(m_unacknowledge);
    }

    m_menu = new QMenu(faultView);
    m_menu->setObjectName(QStringLiteral("faultContextMenu"));
    m_menu->addAction(m_acknowledge);
    m_menu->addAction(m_unacknowledge);
    faultView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(faultView, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        updateActions();
        m_menu->popup(m_view->viewport()->mapToGlobal(pos));
    });
    auto follow = [this] {
        if (m_view->selectionModel())
            connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
                &AcknowledgeActions::updateActions, Qt::UniqueConnection);
        updateActions();
    };
    follow();
    if (m_view->model()) {
        connect(m_view->model(), &QAbstractItemModel::dataChanged, this, &AcknowledgeActions::updateActions);
        connect(m_view->model(), &QAbstractItemModel::modelReset, this, follow);
    }
    if (manager)
        connect(manager, &AcknowledgementManager::acknowledgementChanged, this, &AcknowledgeActions::updateActions);
}

QStringList AcknowledgeActions::selectedFaultIds() const
{
    QStringList ids;
    if (!m_view->selectionModel())
        return ids;
    QModelIndexList rows = m_view->selectionModel()->selectedRows(FaultModel::TargetColumn);
    std::sort(rows.begin(), rows.end(), [this](const QModelIndex& a, const QModelIndex& b) {
        return m_view->visualRect(a).top() < m_view->visualRect(b).top();
    });
    for (const QModelIndex& i : std::as_const(rows)) {
        const QString id = i.data(FaultModel::FaultIdRole).toString();
        if (!id.isEmpty() && !ids.contains(id))
            ids.append(id);
    }
    return ids;
}

void AcknowledgeActions::updateActions()
{
    bool canAck = false;
    bool canUnack = false;
    if (m_manager && m_view->selectionModel()) {
        for (const QModelIndex& i : m_view->selectionModel()->selectedRows(FaultModel::TargetColumn)) {
            const bool open = Fault::Phase(i.data(FaultModel::PhaseRole).toInt()) != Fault::Phase::Recovered;
            const bool acked = i.data(FaultModel::AcknowledgedRole).toBool();
            canAck = canAck || (open && !acked);
            canUnack = canUnack || acked;
        }
    }
    m_acknowledge->setEnabled(canAck);
    m_unacknowledge->setEnabled(canUnack);
}

AcknowledgeDialog* AcknowledgeActions::openDialog()
{
    if (!m_manager || !m_view->selectionModel())
        return nullptr;
    QStringList ids;
    QStringList lines;
    const QStringList selected = selectedFaultIds();
    for (const QModelIndex& i : m_view->selectionModel()->selectedRows(FaultModel::TargetColumn)) {
        const QString id = i.data(FaultModel::FaultIdRole).toString();
        const bool open = Fault::Phase(i.data(FaultModel::PhaseRole).toInt()) != Fault::Phase::Recovered;
        if (id.isEmpty() || !open || i.data(FaultModel::AcknowledgedRole).toBool() || ids.contains(id))
            continue;
        ids.append(id);
    }
    std::sort(ids.begin(), ids.end(),
        [&selected](const QString& a, const QString& b) { return selected.indexOf(a) < selected.indexOf(b); });
    if (ids.isEmpty())
        return nullptr;
    const QAbstractItemModel* model = m_view->model();
    for (const QString& id : std::as_const(ids)) {
        const QModelIndexList hit
            = model->match(model->index(0, 0), FaultModel::FaultIdRole, id, 1, Qt::MatchExactly | Qt::MatchRecursive);
        const QModelIndex i = hit.value(0);
        const QString cause = i.siblingAtColumn(FaultModel::CauseColumn).data(FaultModel::SortRole).isValid()
            ? i.siblingAtColumn(FaultModel::CauseColumn).data(Qt::DisplayRole).toString()
            : QString();
        lines << QStringLiteral("%1 — %2 (%3)").arg(i.data(FaultModel::TargetRole).toString(), cause, id);
    }
    if (m_dialog)
        m_dialog->close();
    m_dialog = new AcknowledgeDialog(m_manager, ids, lines, m_dialogParent);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog->show();
    return m_dialog;
}

void AcknowledgeActions::unacknowledgeSelected()
{
    if (!m_manager || !m_view->selectionModel())
        return;
    QStringList ids;
    for (const QString& id : selectedFaultIds()) {
        if (m_manager->isAcknowledged(id))
            ids.append(id);
    }
    if (!ids.isEmpty())
        m_manager->unacknowledge(ids, AcknowledgeDialog::defaultOperator());
}

} // namespace FaultDesk
