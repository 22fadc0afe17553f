#include "ui/remedy/remediationdialog.h"

#include "remedy/remediationcontroller.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace FaultDesk {

RemediationDialog::RemediationDialog(
    RemediationController* controller, const QString& faultId, SafetyRequest::Purpose purpose, QWidget* parent)
    : QDialog(parent)
    , m_controller(controller)
    , m_faultId(faultId)
    , m_purpose(purpose)
    , m_plan(controller->preview(faultId, purpose))
{
    const bool handle = purpose == SafetyRequest::Purpose::Handle;
    setWindowTitle(QStringLiteral("%1 %2 — %3").arg(handle ? tr("Handle") : tr("Recover"), faultId, m_plan.target));
    auto* layout = new QVBoxLayout(this);
    m_header = new QLabel(this);
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::PlainText);
    layout->addWidget(m_header);
    // Which runbook and why: a configured binding (target, group, cause) or the built-in default.
    auto* why = new QLabel(this);
    why->setObjectName(QStringLiteral("runbookReason"));
    why->setWordWrap(true);
    why->setTextFormat(Qt::PlainText);
    why->setText(m_plan.runbookReason.isEmpty() ? QString() : tr("Chosen: %1").arg(m_plan.runbookReason));
    why->setVisible(!m_plan.runbookReason.isEmpty());
    layout->addWidget(why);
    m_steps = new QListWidget(this);
    m_steps->setObjectName(QStringLiteral("steps"));
    m_steps->setWordWrap(true);
    layout->addWidget(m_steps, 2);
    if (!m_plan.switchBackOffer.isEmpty()) {
        // Only if asked: switching back is a second change of primary, never part of Recover by default.
        m_switchBack = new QCheckBox(m_plan.switchBackOffer.left(1).toUpper() + m_plan.switchBackOffer.mid(1), this);
        m_switchBack->setObjectName(QStringLiteral("switchBack"));
        m_switchBack->setEnabled(m_plan.switchBackPossible);
        layout->addWidget(m_switchBack);
        connect(m_switchBack, &QCheckBox::toggled, this, [this](bool on) {
            m_plan = m_controller->preview(m_faultId, m_purpose, on);
            showPlan();
        });
    }
    m_facts = new QLabel(this);
    m_facts->setObjectName(QStringLiteral("facts"));
    m_facts->setWordWrap(true);
    m_facts->setTextFormat(Qt::PlainText);
    layout->addWidget(m_facts);
    if (!m_plan.weights.isEmpty()) {
        m_weights = new QTableWidget(int(m_plan.weights.size()), 5, this);
        m_weights->setObjectName(QStringLiteral("weights"));
        m_weights->setHorizontalHeaderLabels(
            { tr("Server"), tr("Weight now"), tr("Proposed"), tr("Load now"), tr("Expected load") });
        m_weights->verticalHeader()->hide();
        m_weights->setEditTriggers(QAbstractItemView::NoEditTriggers);
        for (int i = 0; i < m_plan.weights.size(); ++i) {
            const auto& w = m_plan.weights.at(i);
            m_weights->setItem(i, 0, new QTableWidgetItem(w.server));
            m_weights->setItem(i, 1, new QTableWidgetItem(QString::number(w.current)));
            m_weights->setItem(i, 2, new QTableWidgetItem(QString::number(w.proposed)));
            m_weights->setItem(i, 3, new QTableWidgetItem(QString::number(w.utilisation, 'f', 2)));
            m_weights->setItem(i, 4, new QTableWidgetItem(QString::number(w.proposedUtilisation, 'f', 2)));
        }
        layout->addWidget(m_weights, 1);
    }
    m_output = new QPlainTextEdit(this);
    m_output->setObjectName(QStringLiteral("output"));
    m_output->setReadOnly(true);
    m_output->setPlaceholderText(tr("Step output appears here while it runs."));
    layout->addWidget(m_output, 2);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    auto* buttons = new QDialogButtonBox(this);
    m_run = buttons->addButton(handle ? tr("Run Handle") : tr("Run Recover"), QDialogButtonBox::AcceptRole);
    m_abort = buttons->addButton(tr("Abort"), QDialogButtonBox::DestructiveRole);
    m_close = buttons->addButton(QDialogButtonBox::Close);
    m_abort->setEnabled(false);
    layout->addWidget(buttons);
    showPlan();
    connect(m_run, &QPushButton::clicked, this, [this] { run(); });
    connect(
        m_abort, &QPushButton::clicked, this, [this] { m_controller->abort(m_faultId, m_controller->operatorName()); });
    connect(m_close, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_controller, &RemediationController::stepChanged, this, &RemediationDialog::onStep);
    connect(m_controller, &RemediationController::runFinished, this, &RemediationDialog::onFinished);
    resize(720, 560);
}

void RemediationDialog::showPlan()
{
    m_header->setText(m_plan.error.isEmpty()
            ? QStringLiteral("%1 — %2 on %3").arg(m_plan.runbook, m_plan.cause, m_plan.target)
            : tr("No plan: %1").arg(m_plan.error));
    m_steps->clear();
    for (const QString& s : m_plan.steps)
        m_steps->addItem(s);
    QStringList lines;
    if (!m_plan.affected.isEmpty())
        lines << tr("Affects: %1").arg(m_plan.affected.join(QStringLiteral(", ")));
    if (!m_plan.capacity.isEmpty())
        lines << tr("Capacity: %1").arg(m_plan.capacity);
    for (const QString& src : m_plan.sources)
        lines << tr("Source: %1").arg(src);
    for (const QString& o : m_plan.order)
        lines << tr("Recovery order: %1").arg(o);
    for (const QString& d : m_plan.baselineDifferences)
        lines << tr("Differs from the baseline: %1").arg(d);
    // Allowed, but worth knowing (Recover of a fault nobody handled returns what differs from the baseline).
    for (const QString& w : m_plan.decision.warnings)
        lines << tr("Note: %1").arg(w);
    if (!m_plan.decision.allowed)
        lines << tr("Not allowed now: %1").arg(m_plan.decision.reasons.join(QStringLiteral("; ")));
    m_facts->setText(lines.join(u'\n'));
    m_run->setEnabled(m_plan.isValid() && m_plan.decision.allowed);
    m_run->setToolTip(m_plan.decision.tooltip());
}

QStringList RemediationDialog::stepLines() const
{
    QStringList out;
    for (int i = 0; i < m_steps->count(); ++i)
        out << m_steps->item(i)->text();
    return out;
}

bool RemediationDialog::run()
{
    QString error;
    const bool ok = m_purpose == SafetyRequest::Purpose::Handle
        ? m_controller->handle(m_faultId, {}, &error)
        : m_controller->recover(m_faultId, {}, &error, m_switchBack && m_switchBack->isChecked());
    if (!ok) {
        m_status->setText(tr("Refused: %1").arg(error));
        return false;
    }
    m_run->setEnabled(false);
    if (m_switchBack)
        m_switchBack->setEnabled(false);
    m_abort->setEnabled(true);
    m_status->setText(tr("Running…"));
    return true;
}

void RemediationDialog::onStep(const QString& faultId, int index, const StepReport& report)
{
    if (faultId != m_faultId)
        return;
    const QString line = QStringLiteral("%1. %2 — %3%4")
                             .arg(index + 1)
                             .arg(report.name, StepReport::statusName(report.status),
                                 report.reason.isEmpty() ? QString() : u": " + report.reason);
    if (index < m_steps->count())
        m_steps->item(index)->setText(line);
    else
        m_steps->addItem(line);
    const QString out = report.output().trimmed();
    if (!out.isEmpty() && report.status != StepReport::Status::Running)
        m_output->appendPlainText(QStringLiteral("[%1] %2").arg(report.name, out));
}

void RemediationDialog::onFinished(
    const QString& faultId, SafetyRequest::Purpose purpose, const RunbookOutcome& outcome, bool verified)
{
    if (faultId != m_faultId || purpose != m_purpose)
        return;
    m_abort->setEnabled(false);
    QString text = QStringLiteral("%1: %2").arg(RunbookOutcome::resultName(outcome.result), outcome.message);
    if (!outcome.rolledBack.isEmpty())
        text += u'\n' + tr("Rolled back: %1").arg(outcome.rolledBack.join(QStringLiteral(", ")));
    if (!outcome.notRolledBack.isEmpty())
        text += u'\n' + tr("NOT rolled back: %1").arg(outcome.notRolledBack.join(QStringLiteral(", ")));
    if (purpose == SafetyRequest::Purpose::Recover)
        text += u'\n'
            + (verified ? tr("Verified: the read-back state equals the baseline and the target is healthy.")
                        : tr("NOT verified: the baseline is not restored — act by hand."));
    m_status->setText(text);
}

} // namespace FaultDesk
