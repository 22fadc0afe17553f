#pragma once

#include <QWidget>

class QCheckBox;
class QTreeWidget;
class QTreeWidgetItem;
class QPushButton;

namespace FaultDesk {

class RemediationController;

/**
 * Automatic remediation, switched globally (off by default), per group and per target: a tree of the fleet's
 * groups and targets with a switch each, who decides for each target (its own switch, its group's or the global
 * one), and the targets automation gave up on (attempt budget exhausted) with when and why and a Re-enable button.
 * Every change goes through the controller, which audits it and keeps it across restarts.
 */
class AutoRemediationPanel : public QWidget
{
    Q_OBJECT

public:
    enum Column {
        NameColumn, ///< group or target; checkable: automation on/off there
        DecidedByColumn, ///< "own switch", "group web", "global switch"
        GaveUpColumn, ///< when and why automation gave up on the target
        ButtonColumn, ///< Re-enable
    };

    AutoRemediationPanel(RemediationController* controller, QWidget* parent = nullptr);

    /// The global switch.
    QCheckBox* toggle() const { return m_toggle; }
    QTreeWidget* tree() const { return m_tree; }
    /// The row of a group (top level) or target (child), or nullptr.
    QTreeWidgetItem* item(const QString& groupOrTarget) const;
    /// The Re-enable button of a target automation gave up on, or nullptr.
    QPushButton* reenableButton(const QString& target) const;

private:
    void rebuild();
    void refresh();
    void onItemChanged(QTreeWidgetItem* item, int column);

    RemediationController* m_controller;
    QCheckBox* m_toggle = nullptr;
    QTreeWidget* m_tree = nullptr;
    bool m_updating = false;
};

} // namespace FaultDesk
