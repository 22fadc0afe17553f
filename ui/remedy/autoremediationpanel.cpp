#include "ui/remedy/autoremediationpanel.h"

#include "remedy/remediationcontroller.h"

#include <QCheckBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace FaultDesk {

namespace {

constexpr int KeyRole = Qt::UserRole + 1; ///< group or target name
constexpr int IsGroupRole = Qt::UserRole + 2;

} // namespace

AutoRemediationPanel::AutoRemediationPanel(RemediationController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
{
    auto* layout = new QVBoxLayout(this);
    m_toggle = new QCheckBox(tr("Automatic remediation (global switch)"), this);
    m_toggle->setObjectName(QStringLiteral("autoToggle"));
    m_toggle->setToolTip(tr("When on, FaultDesk presses Handle and Recover itself on located root causes: at most 3 "
                            "attempts per 5 cycles per target, backing off; then it stops there until re-enabled. "
                            "A group's or target's own switch below wins over this one."));
    layout->addWidget(m_toggle);
    auto* hint = new QLabel(tr("Per group and target (a target's own switch wins over its group's):"), this);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("automationTree"));
    m_tree->setHeaderLabels({ tr("Group / target"), tr("Decided by"), tr("Gave up"), QString() });
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(GaveUpColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(ButtonColumn, QHeaderView::ResizeToContents);
    layout->addWidget(m_tree, 1);
    connect(m_toggle, &QCheckBox::toggled, m_controller, &RemediationController::setAutoEnabled);
    connect(m_tree, &QTreeWidget::itemChanged, this, &AutoRemediationPanel::onItemChanged);
    connect(m_controller, &RemediationController::autoChanged, this, &AutoRemediationPanel::refresh);
    rebuild();
}

QTreeWidgetItem* AutoRemediationPanel::item(const QString& groupOrTarget) const
{
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem* g = m_tree->topLevelItem(i);
        if (g->data(NameColumn, KeyRole).toString() == groupOrTarget)
            return g;
        for (int j = 0; j < g->childCount(); ++j)
            if (g->child(j)->data(NameColumn, KeyRole).toString() == groupOrTarget)
                return g->child(j);
    }
    return nullptr;
}

QPushButton* AutoRemediationPanel::reenableButton(const QString& target) const
{
    QTreeWidgetItem* i = item(target);
    return i ? qobject_cast<QPushButton*>(m_tree->itemWidget(i, ButtonColumn)) : nullptr;
}

void AutoRemediationPanel::rebuild()
{
    m_updating = true;
    m_tree->clear();
    QHash<QString, QTreeWidgetItem*> groups;
    for (const TargetConfig& t : m_controller->fleetConfig().targets) {
        const QString group = t.group.isEmpty() ? QString() : t.group;
        QTreeWidgetItem* parent = groups.value(group);
        if (!parent) {
            parent = new QTreeWidgetItem(m_tree);
            parent->setText(NameColumn, group.isEmpty() ? tr("(no group)") : group);
            parent->setData(NameColumn, KeyRole, group);
            parent->setData(NameColumn, IsGroupRole, true);
            if (!group.isEmpty())
                parent->setFlags(parent->flags() | Qt::ItemIsUserCheckable);
            groups.insert(group, parent);
        }
        auto* child = new QTreeWidgetItem(parent);
        child->setText(NameColumn, t.name);
        child->setData(NameColumn, KeyRole, t.name);
        child->setData(NameColumn, IsGroupRole, false);
        child->setFlags(child->flags() | Qt::ItemIsUserCheckable);
    }
    m_tree->expandAll();
    m_updating = false;
    refresh();
}

void AutoRemediationPanel::refresh()
{
    m_updating = true;
    {
        const QSignalBlocker block(m_toggle);
        m_toggle->setChecked(m_controller->autoEnabled());
    }
    const QString global = m_controller->autoEnabled() ? tr("global switch (on)") : tr("global switch (off)");
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem* g = m_tree->topLevelItem(i);
        const QString group = g->data(NameColumn, KeyRole).toString();
        const auto groupSwitch = group.isEmpty() ? std::nullopt : m_controller->autoOverride(group);
        if (!group.isEmpty()) {
            g->setCheckState(
                NameColumn, groupSwitch.value_or(m_controller->autoEnabled()) ? Qt::Checked : Qt::Unchecked);
            g->setText(DecidedByColumn, groupSwitch ? tr("group switch") : global);
        }
        for (int j = 0; j < g->childCount(); ++j) {
            QTreeWidgetItem* c = g->child(j);
            const QString target = c->data(NameColumn, KeyRole).toString();
            const auto own = m_controller->autoOverride(target);
            c->setCheckState(NameColumn, m_controller->autoEnabledFor(target) ? Qt::Checked : Qt::Unchecked);
            c->setText(DecidedByColumn, own ? tr("own switch") : groupSwitch ? tr("group %1").arg(group) : global);
            const auto e = m_controller->ledger().entry(target);
            if (e.suspended) {
                c->setText(GaveUpColumn,
                    tr("%1 — %2").arg(e.suspendedAt.isValid()
                            ? e.suspendedAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"))
                            : tr("earlier"),
                        e.suspendedReason));
                c->setToolTip(GaveUpColumn, e.suspendedReason);
                if (!m_tree->itemWidget(c, ButtonColumn)) {
                    auto* button = new QPushButton(tr("Re-enable"), m_tree);
                    button->setObjectName(QStringLiteral("reenable"));
                    button->setToolTip(
                        tr("Let automation act on %1 again: its attempt count starts over.").arg(target));
                    connect(button, &QPushButton::clicked, m_controller, [controller = m_controller, target] {
                        controller->reenable(target, controller->operatorName());
                    });
                    m_tree->setItemWidget(c, ButtonColumn, button);
                }
            } else {
                c->setText(GaveUpColumn, QString());
                c->setToolTip(GaveUpColumn, QString());
                if (m_tree->itemWidget(c, ButtonColumn))
                    m_tree->removeItemWidget(c, ButtonColumn);
            }
        }
    }
    m_tree->resizeColumnToContents(NameColumn);
    m_tree->resizeColumnToContents(DecidedByColumn);
    m_updating = false;
}

void AutoRemediationPanel::onItemChanged(QTreeWidgetItem* item, int column)
{
    if (m_updating || column != NameColumn)
        return;
    const QString key = item->data(NameColumn, KeyRole).toString();
    if (key.isEmpty())
        return;
    const bool on = item->checkState(NameColumn) == Qt::Checked;
    // A switch that agrees with what the target would inherit anyway is still explicit: the person chose it.
    m_controller->setAutoEnabledFor(key, on);
}

} // namespace FaultDesk
