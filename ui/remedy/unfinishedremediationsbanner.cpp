#include "ui/remedy/unfinishedremediationsbanner.h"

#include "ui/mainwindow.h"
#include "ui/plaintooltip.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace FaultDesk {

UnfinishedRemediationsBanner::UnfinishedRemediationsBanner(RemediationController* controller, QWidget* parent)
    : QFrame(parent)
    , m_controller(controller)
{
    setObjectName(QStringLiteral("unfinishedBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAccessibleName(tr("Unfinished remediations"));
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("unfinishedTitle"));
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::PlainText);
    auto* close = new QToolButton(this);
    close->setText(tr("Hide"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Hide this list; the remediations stay unfinished until recovered or dismissed."));
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    top->addWidget(m_title, 1);
    top->addWidget(close);
    layout->addLayout(top);
    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("unfinishedList"));
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({ tr("Target"), tr("Action"), tr("When (UTC)"), tr("Operator"), tr("Status") });
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(ActionColumn, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(StatusColumn, QHeaderView::Stretch);
    m_list->setMaximumHeight(140);
    layout->addWidget(m_list);
    auto* buttons = new QHBoxLayout;
    m_recover = new QPushButton(tr("Recover from recorded baseline"), this);
    m_recover->setObjectName(QStringLiteral("recover"));
    m_dismiss = new QPushButton(tr("Dismiss"), this);
    m_dismiss->setObjectName(QStringLiteral("dismiss"));
    m_dismiss->setToolTip(tr("Mark it handled without acting (recorded in the audit trail)."));
    buttons->addStretch(1);
    buttons->addWidget(m_recover);
    buttons->addWidget(m_dismiss);
    layout->addLayout(buttons);
    connect(m_recover, &QPushButton::clicked, this,
        [this] { recover(m_list->indexOfTopLevelItem(m_list->currentItem())); });
    connect(m_dismiss, &QPushButton::clicked, this,
        [this] { dismiss(m_list->indexOfTopLevelItem(m_list->currentItem())); });
    connect(m_list, &QTreeWidget::currentItemChanged, this, &UnfinishedRemediationsBanner::updateButtons);
    m_output = new QPlainTextEdit(this);
    m_output->setObjectName(QStringLiteral("unfinishedOutput"));
    m_output->setReadOnly(true);
    m_output->setMaximumHeight(120);
    m_output->setPlaceholderText(tr("The steps of a recovery and their output appear here."));
    m_output->hide();
    layout->addWidget(m_output);
    connect(m_controller, &RemediationController::stepChanged, this, &UnfinishedRemediationsBanner::onStep);
    connect(m_controller, &RemediationController::runFinished, this, &UnfinishedRemediationsBanner::onFinished);
    reload();
}

UnfinishedRemediationsBanner* UnfinishedRemediationsBanner::showIn(
    MainWindow* window, RemediationController* controller)
{
    if (controller->unfinished().isEmpty()) {
        if (qobject_cast<UnfinishedRemediationsBanner*>(window->banner()))
            window->setBanner(nullptr);
        return nullptr;
    }
    auto* banner = new UnfinishedRemediationsBanner(controller);
    window->setBanner(banner);
    return banner;
}

int UnfinishedRemediationsBanner::reload()
{
    m_items = m_controller->unfinished();
    m_done = QList<bool>(m_items.size(), false);
    m_runs.clear();
    m_list->clear();
    for (int row = 0; row < m_items.size(); ++row) {
        const auto& u = m_items.at(row);
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(TargetColumn, u.target);
        item->setText(ActionColumn,
            u.runbook.isEmpty() ? u.action : QStringLiteral("%1 — %2").arg(u.runbook.section(u'#', 0, 0), u.action));
        item->setToolTip(ActionColumn, plainToolTip(QStringLiteral("%1\n%2").arg(u.runbook, u.action)));
        item->setText(WhenColumn, u.since.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        item->setText(OperatorColumn, u.operatorName);
        const QStringList differs = u.baseline.differences(m_controller->current());
        item->setText(StatusColumn,
            m_controller->current().haproxyKnown && differs.isEmpty() ? tr("matches the baseline now")
                                                                      : tr("unfinished"));
        item->setToolTip(StatusColumn, plainToolTip(differs.join(u'\n'))); // quotes database status replies
        item->setToolTip(TargetColumn,
            tr("Incident %1; baseline recorded %2").arg(u.incidentId, u.baseline.capturedUtc.toString(Qt::ISODate)));
    }
    for (const int c : { int(TargetColumn), int(WhenColumn), int(OperatorColumn) })
        m_list->resizeColumnToContents(c);
    if (!m_items.isEmpty())
        m_list->setCurrentItem(m_list->topLevelItem(0));
    updateButtons();
    m_title->setText(m_items.isEmpty()
            ? tr("No unfinished remediations.")
            : tr("%n remediation(s) started before FaultDesk stopped and never reported a result. Recover returns "
                 "what they touched to the baseline recorded before they ran.",
                nullptr, int(m_items.size())));
    setVisible(!m_items.isEmpty());
    return int(m_items.size());
}

void UnfinishedRemediationsBanner::selectRow(int row)
{
    m_list->setCurrentItem(m_list->topLevelItem(row));
}

void UnfinishedRemediationsBanner::updateButtons()
{
    const int row = m_list->indexOfTopLevelItem(m_list->currentItem());
    const bool busy = std::find(m_runs.cbegin(), m_runs.cend(), row) != m_runs.cend();
    const bool open = row >= 0 && row < m_done.size() && !m_done.at(row) && !busy;
    m_recover->setEnabled(open);
    m_dismiss->setEnabled(open);
    if (open) {
        const auto& u = m_items.at(row);
        m_recover->setToolTip(tr("Return what %1's remediation touched to the baseline recorded at %2, then verify "
                                 "the read-back and the target's health.")
                                  .arg(u.target, u.baseline.capturedUtc.toString(Qt::ISODate)));
    }
}

void UnfinishedRemediationsBanner::setRowStatus(int row, const QString& text, bool done)
{
    if (QTreeWidgetItem* item = m_list->topLevelItem(row)) {
        item->setText(StatusColumn, text);
        item->setToolTip(StatusColumn, plainToolTip(text)); // a run's errors quote replies
    }
    if (done) {
        m_done[row] = true;
        checkSettled();
    }
    updateButtons();
}

bool UnfinishedRemediationsBanner::recover(int row)
{
    if (row < 0 || row >= m_items.size() || m_done.at(row))
        return false;
    const auto& u = m_items.at(row);
    QString error;
    QString runId;
    if (!m_controller->recoverUnfinished(u, m_controller->operatorName(), &error, &runId)) {
        setRowStatus(row, tr("refused: %1").arg(error), false);
        return false;
    }
    m_runs.insert(runId, row);
    m_output->show();
    m_output->appendPlainText(tr("Recovering %1 from the baseline recorded %2 …")
                                  .arg(u.target, u.baseline.capturedUtc.toString(Qt::ISODate)));
    setRowStatus(row, tr("recovering…"), false);
    return true;
}

bool UnfinishedRemediationsBanner::dismiss(int row)
{
    if (row < 0 || row >= m_items.size() || m_done.at(row))
        return false;
    QString error;
    if (!m_controller->dismissUnfinished(m_items.at(row), m_controller->operatorName(), &error)) {
        setRowStatus(row, tr("not dismissed: %1").arg(error), false);
        return false;
    }
    setRowStatus(row, tr("dismissed by %1").arg(m_controller->operatorName()), true);
    return true;
}

void UnfinishedRemediationsBanner::onStep(const QString& runId, int index, const StepReport& report)
{
    if (!m_runs.contains(runId))
        return;
    QString line = QStringLiteral("%1. %2 — %3").arg(index + 1).arg(report.name, StepReport::statusName(report.status));
    if (!report.reason.isEmpty())
        line += u": " + report.reason;
    m_output->appendPlainText(line);
    const QString out = report.output().trimmed();
    if (!out.isEmpty() && report.status != StepReport::Status::Running)
        m_output->appendPlainText(QStringLiteral("   %1").arg(QString(out).replace(u'\n', QStringLiteral("\n   "))));
}

void UnfinishedRemediationsBanner::onFinished(
    const QString& runId, SafetyRequest::Purpose purpose, const RunbookOutcome& outcome, bool verified)
{
    if (!m_runs.contains(runId) || purpose != SafetyRequest::Purpose::Recover)
        return;
    const int row = m_runs.take(runId);
    m_output->appendPlainText(
        QStringLiteral("%1: %2").arg(RunbookOutcome::resultName(outcome.result), outcome.message));
    if (verified) {
        setRowStatus(row, tr("recovered and verified"), true);
    } else {
        setRowStatus(row, tr("NOT recovered: %1").arg(outcome.message), false);
    }
}

void UnfinishedRemediationsBanner::checkSettled()
{
    if (std::all_of(m_done.cbegin(), m_done.cend(), [](bool d) { return d; })) {
        m_title->setText(tr("Every unfinished remediation is recovered or dismissed."));
        Q_EMIT settled();
    }
}

} // namespace FaultDesk
