#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>

class QAction;
class QMenu;
class QTreeView;
class QWidget;

namespace FaultDesk {

class AcknowledgeDialog;
class AcknowledgementManager;

/**
 * Acknowledge… (Ctrl+K) and Unacknowledge (Ctrl+Shift+K) for the faults selected in a fault view (rows of a
 * FaultModel, through any proxy): the actions follow the selection, appear in the view's context menu, and can be put
 * in a window menu. Acknowledge opens an AcknowledgeDialog for all selected open, unacknowledged faults at once.
 */
class AcknowledgeActions : public QObject
{
    Q_OBJECT
public:
    AcknowledgeActions(AcknowledgementManager* manager, QTreeView* faultView, QWidget* dialogParent);

    QAction* acknowledgeAction() const { return m_acknowledge; }
    QAction* unacknowledgeAction() const { return m_unacknowledge; }
    /// Fault ids of the selected rows, in view order.
    QStringList selectedFaultIds() const;
    /// Opens the dialog for the selected faults that can be acknowledged (non-modal); nullptr when there is none.
    AcknowledgeDialog* openDialog();
    /// Unacknowledges the selected acknowledged faults as the login name.
    void unacknowledgeSelected();
    /// The context menu the view shows (the actions, plus whatever else was added to it).
    QMenu* contextMenu() const { return m_menu; }

private:
    void updateActions();

    QPointer<AcknowledgementManager> m_manager;
    QTreeView* m_view;
    QWidget* m_dialogParent;
    QAction* m_acknowledge = nullptr;
    QAction* m_unacknowledge = nullptr;
    QMenu* m_menu = nullptr;
    QPointer<AcknowledgeDialog> m_dialog;
};

} // namespace FaultDesk
