#pragma once

#include <QWidget>

class QCheckBox;
class QListWidget;
class QPushButton;

namespace FaultDesk {

class RemediationController;

/**
 * The automatic-remediation switch (off by default) and the targets automation gave up on (attempt limit
 * reached), each re-enabled by a person with Re-enable.
 */
class AutoRemediationPanel : public QWidget
{
    Q_OBJECT

public:
    AutoRemediationPanel(RemediationController* controller, QWidget* parent = nullptr);

    QCheckBox* toggle() const { return m_toggle; }
    QListWidget* givenUpList() const { return m_givenUp; }

private:
    void refresh();

    RemediationController* m_controller;
    QCheckBox* m_toggle = nullptr;
    QListWidget* m_givenUp = nullptr;
    QPushButton* m_reenable = nullptr;
};

} // namespace FaultDesk
