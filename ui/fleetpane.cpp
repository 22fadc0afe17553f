#include "ui/fleetpane.h"

#include "model/fleetmodel.h"
#include "ui/fleetproxymodel.h"
#include "ui/fleetview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace FaultDesk {

FleetPane::FleetPane(FleetModel* model, FleetProxyModel* proxy, QAction* groupedAction, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(proxy)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* filterRow = new QHBoxLayout;
    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(QStringLiteral("fleetFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter targets (name, group, label)… Ctrl+F"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setAccessibleName(tr("Filter targets"));
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy, &FleetProxyModel::setFilterText);
    m_groupFilter = new QComboBox(this);
    m_groupFilter->setObjectName(QStringLiteral("groupFilter"));
    m_groupFilter->addItem(tr("All groups"), QString());
    m_groupFilter->setAccessibleName(tr("Group filter"));
    m_groupFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_groupFilter, &QComboBox::currentIndexChanged, this,
        [this] { m_proxy->setGroupFilter(m_groupFilter->currentData().toString()); });
    auto* groupButton = new QToolButton(this);
    groupButton->setDefaultAction(groupedAction);
    groupButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    groupButton->setAccessibleName(tr("Group targets"));
    filterRow->addWidget(m_filterEdit, 1);
    filterRow->addWidget(m_groupFilter);
    filterRow->addWidget(groupButton);
    layout->addLayout(filterRow);

    m_stack = new QStackedWidget(this);
    m_view = new FleetView(m_stack);
    m_view->setObjectName(QStringLiteral("fleetView"));
    m_view->setAccessibleName(tr("Fleet"));
    m_view->setRootIsDecorated(false);
    m_view->setAlternatingRowColors(true);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(FleetModel::NameColumn, Qt::AscendingOrder);
    QHeaderView* header = m_view->header();
    header->setSectionsMovable(true);
    header->setFirstSectionMovable(false);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    header->setDefaultSectionSize(110);
    header->resizeSection(FleetModel::StateColumn, 190);
    connect(header, &QHeaderView::customContextMenuRequested, this, &FleetPane::showHeaderMenu);
    // A reset (grouping toggled, a reload) would forget the operator's columns: keep them across it.
    connect(m_proxy, &QAbstractItemModel::modelAboutToBeReset, this,
        [this] { m_headerState = m_view->header()->saveState(); });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] {
        restoreHeader();
        if (m_model->isGrouped())
            m_view->expandAll();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FleetPane::onSelectionChanged);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        if (m_contextActions.isEmpty())
            return;
        QMenu menu(this);
        menu.setObjectName(QStringLiteral("fleetContextMenu"));
        menu.addActions(m_contextActions);
        menu.exec(m_view->viewport()->mapToGlobal(pos));
    });

    auto* empty = new QLabel(tr("No fleet loaded.\nOpen a fleet description with File ▸ Open Fleet…, or start the "
                                "demo fleet with “faultdesk demo”."),
        m_stack);
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    empty->setForegroundRole(QPalette::PlaceholderText);
    empty->setMargin(24);
    m_stack->addWidget(empty);
    m_stack->addWidget(m_view);
    layout->addWidget(m_stack, 1);
}

void FleetPane::setFleetLoaded(bool loaded)
{
    m_stack->setCurrentIndex(loaded ? 1 : 0);
    if (loaded && m_model->isGrouped())
        m_view->expandAll();
}

void FleetPane::setGroups(QStringList groups)
{
    const QString current = m_groupFilter->count() > 1 ? m_groupFilter->currentData().toString() : m_savedGroup;
    groups.removeAll(QString());
    groups.removeDuplicates();
    groups.sort();
    const QSignalBlocker blocker(m_groupFilter);
    m_groupFilter->clear();
    m_groupFilter->addItem(tr("All groups"), QString());
    for (const QString& group : std::as_const(groups))
        m_groupFilter->addItem(group, group);
    const int index = m_groupFilter->findData(current);
    m_groupFilter->setCurrentIndex(index < 0 ? 0 : index);
    m_proxy->setGroupFilter(m_groupFilter->currentData().toString());
}

void FleetPane::setGrouped(bool grouped)
{
    if (m_model->isGrouped() == grouped)
        return;
    m_model->setGrouped(grouped);
    m_view->setRootIsDecorated(grouped);
    if (grouped)
        m_view->expandAll();
}

void FleetPane::showHeaderMenu(const QPoint& pos)
{
    QHeaderView* header = m_view->header();
    QMenu menu(this);
    for (int column = 0; column < m_proxy->columnCount(); ++column) {
        QAction* action = menu.addAction(m_proxy->headerData(column, Qt::Horizontal).toString());
        action->setCheckable(true);
        action->setChecked(!header->isSectionHidden(column));
        action->setEnabled(column != FleetModel::NameColumn); // the name always stays
        connect(action, &QAction::toggled, this, [header, column](bool on) { header->setSectionHidden(column, !on); });
    }
    menu.exec(header->mapToGlobal(pos));
}

void FleetPane::restoreHeader()
{
    if (!m_headerState.isEmpty())
        m_view->header()->restoreState(m_headerState);
}

QStringList FleetPane::targetsOf(const QModelIndexList& rows) const
{
    QStringList targets;
    for (const QModelIndex& row : rows) {
        if (row.data(FleetModel::IsGroupRole).toBool()) {
            for (int i = 0; i < m_proxy->rowCount(row); ++i)
                targets << m_proxy->index(i, FleetModel::NameColumn, row).data(FleetModel::TargetNameRole).toString();
        } else {
            targets << row.data(FleetModel::TargetNameRole).toString();
        }
    }
    targets.removeAll(QString());
    targets.removeDuplicates();
    return targets;
}

QStringList FleetPane::selectedTargets() const
{
    return targetsOf(m_view->selectionModel()->selectedRows(FleetModel::NameColumn));
}

void FleetPane::onSelectionChanged()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(FleetModel::NameColumn);
    if (rows.isEmpty())
        return;
    const bool oneGroup = rows.size() == 1 && rows.constFirst().data(FleetModel::IsGroupRole).toBool();
    Q_EMIT targetsSelected(targetsOf(rows), oneGroup ? rows.constFirst().data().toString() : QString());
}

void FleetPane::addContextAction(QAction* action)
{
    m_contextActions.append(action);
    m_view->addAction(action);
}

void FleetPane::restoreSettings(QSettings& settings)
{
    m_headerState = settings.value(QStringLiteral("header")).toByteArray();
    restoreHeader();
    m_filterEdit->setText(settings.value(QStringLiteral("filter")).toString());
    m_savedGroup = settings.value(QStringLiteral("group")).toString();
}

void FleetPane::saveSettings(QSettings& settings) const
{
    settings.setValue(QStringLiteral("header"), m_view->header()->saveState());
    settings.setValue(QStringLiteral("filter"), m_filterEdit->text());
    settings.setValue(
        QStringLiteral("group"), m_groupFilter->count() > 1 ? m_groupFilter->currentData().toString() : m_savedGroup);
}

} // namespace FaultDesk
