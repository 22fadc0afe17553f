#pragma once

#include <QDialog>
#include <QPointer>

#include <functional>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace FaultDesk {

class MaintenanceController;
class MaintenanceWindowDialog;

/**
 * The maintenance manager: every window, configured or created here (scope, local start and end, comment, who,
 * running/planned/ended), with New… for the fleet view's selection and End now for the selected window. Non-modal;
 * follows the controller live.
 */
class MaintenanceDialog : public QDialog
{
    Q_OBJECT
public:
    /// @p selection gives the targets New… starts with (the fleet view's selection); may be empty.
    MaintenanceDialog(MaintenanceController* controller, QString operatorName,
        std::function<QStringList()> selection = {}, QWidget* parent = nullptr);

    QTreeWidget* list() const { return m_list; }
    QPushButton* newButton() const { return m_new; }
    QPushButton* endButton() const { return m_end; }
    /// Opens "New maintenance window" for @p targets, non-modal; returns it.
    MaintenanceWindowDialog* openNew(const QStringList& targets);
    /// Ends the selected window now (after no confirmation: the action is audited and reversible by a new window).
    bool endSelected(QString* error = nullptr);
    /// Selects the row of window @p id.
    void selectWindow(const QString& id);

public Q_SLOTS:
    void reload();

private:
    void updateButtons();

    QPointer<MaintenanceController> m_controller;
    QString m_operator;
    std::function<QStringList()> m_selection;
    QTreeWidget* m_list = nullptr;
    QPushButton* m_new = nullptr;
    QPushButton* m_end = nullptr;
    QLabel* m_status = nullptr;
    QPointer<MaintenanceWindowDialog> m_newDialog;
};

} // namespace FaultDesk
