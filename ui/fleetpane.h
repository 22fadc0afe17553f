#pragma once

#include <QModelIndexList>
#include <QWidget>

class QAction;
class QComboBox;
class QLineEdit;
class QSettings;
class QStackedWidget;
class QTreeView;

namespace FaultDesk {

class FleetModel;
class FleetProxyModel;

/**
 * The fleet table with its filter row: a search over name, group and labels, a group filter and the grouping
 * toggle; columns the operator can hide and move (kept across restarts and model resets); a context menu for
 * actions on the selected targets; "no fleet loaded" until one is.
 */
class FleetPane : public QWidget
{
    Q_OBJECT
public:
    /// @p groupedAction toggles grouping (a button in the filter row shows it).
    FleetPane(FleetModel* model, FleetProxyModel* proxy, QAction* groupedAction, QWidget* parent = nullptr);

    QTreeView* view() const { return m_view; }
    QLineEdit* filterEdit() const { return m_filterEdit; }
    /// Shows the table (true) or the "no fleet loaded" placeholder.
    void setFleetLoaded(bool loaded);
    /// Offers @p groups in the group filter, keeping the current (or the remembered) choice.
    void setGroups(QStringList groups);
    void setGrouped(bool grouped);
    /// The targets of @p rows (proxy rows of the name column); a group row stands for its members.
    QStringList targetsOf(const QModelIndexList& rows) const;
    QStringList selectedTargets() const;
    /// Adds @p action to the table's context menu.
    void addContextAction(QAction* action);

    void restoreSettings(QSettings& settings);
    void saveSettings(QSettings& settings) const;

Q_SIGNALS:
    /// The operator selected @p targets (@p groupTitle names the group when one group row was chosen).
    void targetsSelected(const QStringList& targets, const QString& groupTitle);

private:
    void showHeaderMenu(const QPoint& pos);
    void restoreHeader();
    void onSelectionChanged();

    FleetModel* m_model = nullptr;
    FleetProxyModel* m_proxy = nullptr;
    QLineEdit* m_filterEdit = nullptr;
    QComboBox* m_groupFilter = nullptr;
    QStackedWidget* m_stack = nullptr;
    QTreeView* m_view = nullptr;
    QList<QAction*> m_contextActions;
    QByteArray m_headerState;
    QString m_savedGroup;
};

} // namespace FaultDesk
