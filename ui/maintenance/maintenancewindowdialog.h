#pragma once

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace FaultDesk {

class MaintenanceController;

/**
 * "New maintenance window": targets (prefilled with the fleet view's selection) and/or a group, start and end in
 * local time, a comment, and an explicit confirmation for windows longer than the limit. OK creates the window
 * through the controller; a refusal is shown in the dialog, which stays open.
 */
class MaintenanceWindowDialog : public QDialog
{
    Q_OBJECT
public:
    MaintenanceWindowDialog(MaintenanceController* controller, const QStringList& targets, const QString& operatorName,
        QWidget* parent = nullptr);

    QLineEdit* targetsEdit() const { return m_targets; }
    QComboBox* groupBox() const { return m_group; }
    QDateTimeEdit* startEdit() const { return m_start; }
    QDateTimeEdit* endEdit() const { return m_end; }
    QLineEdit* commentEdit() const { return m_comment; }
    QCheckBox* confirmLongBox() const { return m_confirmLong; }
    /// The refusal shown, if any.
    QString errorText() const;
    /// The window created by the last accept, or empty.
    QString createdId() const { return m_createdId; }

public Q_SLOTS:
    /// Creates the window; closes the dialog on success.
    void accept() override;

private:
    QPointer<MaintenanceController> m_controller;
    QString m_operator;
    QString m_createdId;
    QLineEdit* m_targets = nullptr;
    QComboBox* m_group = nullptr;
    QDateTimeEdit* m_start = nullptr;
    QDateTimeEdit* m_end = nullptr;
    QLineEdit* m_comment = nullptr;
    QCheckBox* m_confirmLong = nullptr;
    QLabel* m_error = nullptr;
};

} // namespace FaultDesk
