#pragma once

#include <QDialog>
#include <QPointer>
#include <QStringList>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;

namespace FaultDesk {

class AcknowledgementManager;

/**
 * "Acknowledge…" for one or several faults: who (defaults to the login name) and a comment (required). Confirming
 * acknowledges each fault through the AcknowledgementManager (alert faults also get a silence); the dialog stays
 * open while Alertmanager answers, lists each fault's outcome, closes by itself when all succeeded and otherwise
 * keeps the failures on screen.
 */
class AcknowledgeDialog : public QDialog
{
    Q_OBJECT
public:
    /// @p descriptions: one line per fault ("web-1 — down"), same order as @p faultIds.
    AcknowledgeDialog(AcknowledgementManager* manager, const QStringList& faultIds, const QStringList& descriptions,
        QWidget* parent = nullptr);

    /// The login name the operator field starts with.
    static QString defaultOperator();

    QLineEdit* operatorEdit() const { return m_operator; }
    QPlainTextEdit* commentEdit() const { return m_comment; }
    QListWidget* resultList() const { return m_results; }
    QDialogButtonBox* buttons() const { return m_buttons; }
    QStringList faultIds() const { return m_faultIds; }
    /// Whether the acknowledgements were sent and all finished.
    bool isFinished() const { return m_finished; }

public Q_SLOTS:
    /// Acknowledges with what the fields hold (the OK button). Does nothing while the input is incomplete.
    void submit();

private:
    void updateButtons();

    QPointer<AcknowledgementManager> m_manager;
    QStringList m_faultIds;
    QLineEdit* m_operator = nullptr;
    QPlainTextEdit* m_comment = nullptr;
    QLabel* m_status = nullptr;
    QListWidget* m_results = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    bool m_sent = false;
    bool m_finished = false;
};

} // namespace FaultDesk
