#pragma once

#include "detect/fault.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QStackedWidget;
class QTreeView;
class QVBoxLayout;

namespace FaultDesk {

class FaultModel;
class FaultProxyModel;

/**
 * The Faults dock's content: one row per incident with its members, symptoms and aftershocks beneath (or "all
 * quiet" when there are none), the selected fault's details below, and room for the Handle/Recover buttons.
 */
class FaultPanel : public QWidget
{
    Q_OBJECT
public:
    FaultPanel(FaultModel* model, FaultProxyModel* proxy, QWidget* parent = nullptr);

    QTreeView* view() const { return m_view; }
    /// Places @p widget (the Handle/Recover buttons) under the details; replaces and deletes a previous one.
    void setActions(QWidget* widget);
    /// Shows @p fault's details in the light of its incident @p incident (root cause first); nullptr hides them.
    void showDetails(const Fault* fault, const QList<Fault>& incident);

private:
    void updateStack();

    FaultModel* m_model = nullptr;
    QStackedWidget* m_stack = nullptr;
    QTreeView* m_view = nullptr;
    QLabel* m_details = nullptr;
    QVBoxLayout* m_actionsLayout = nullptr;
    QPointer<QWidget> m_actions;
};

} // namespace FaultDesk
