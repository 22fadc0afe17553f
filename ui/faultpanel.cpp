#include "ui/faultpanel.h"

#include "model/faultmodel.h"
#include "ui/faultproxymodel.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QStackedWidget>
#include <QTreeView>
#include <QVBoxLayout>

namespace FaultDesk {

namespace {

QString clock(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("HH:mm:ss"));
}

} // namespace

FaultPanel::FaultPanel(FaultModel* model, FaultProxyModel* proxy, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_stack = new QStackedWidget(this);
    m_view = new QTreeView(m_stack);
    m_view->setObjectName(QStringLiteral("faultView"));
    m_view->setAccessibleName(tr("Faults"));
    m_view->setModel(proxy);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Several faults may be selected for batch actions; the first one drives the details and the chart.
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setWordWrap(false);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->resizeSection(FaultModel::TargetColumn, 330);
    m_view->header()->resizeSection(FaultModel::CauseColumn, 100);
    m_view->header()->resizeSection(FaultModel::StateColumn, 80);
    m_view->header()->resizeSection(FaultModel::EvidenceColumn, 380);
    m_view->header()->resizeSection(FaultModel::SinceColumn, 70);
    auto* quiet = new QLabel(tr("No active faults — all quiet."), m_stack);
    quiet->setAlignment(Qt::AlignCenter);
    quiet->setForegroundRole(QPalette::PlaceholderText);
    m_stack->addWidget(quiet);
    m_stack->addWidget(m_view);
    connect(proxy, &QAbstractItemModel::rowsInserted, this, &FaultPanel::updateStack);
    connect(proxy, &QAbstractItemModel::rowsRemoved, this, &FaultPanel::updateStack);
    connect(proxy, &QAbstractItemModel::rowsMoved, this, &FaultPanel::updateStack);
    connect(proxy, &QAbstractItemModel::modelReset, this, &FaultPanel::updateStack);

    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("faultDetails"));
    m_details->setWordWrap(true);
    // Rich text for the emphasis only: showDetails() escapes every value that came from the fleet (tst_faultpanel).
    m_details->setTextFormat(Qt::RichText);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setAccessibleName(tr("Fault details"));
    m_details->setMargin(4);
    m_details->hide();

    m_actionsLayout = new QVBoxLayout;
    m_actionsLayout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_details);
    layout->addLayout(m_actionsLayout);
}

void FaultPanel::updateStack()
{
    m_stack->setCurrentIndex(m_model->rowCount() > 0 ? 1 : 0);
    m_view->expandAll();
}

void FaultPanel::setActions(QWidget* widget)
{
    if (m_actions)
        m_actions->deleteLater();
    m_actions = widget;
    if (widget)
        m_actionsLayout->addWidget(widget);
}

void FaultPanel::showDetails(const Fault* fault, const QList<Fault>& incident)
{
    if (!fault) {
        m_details->hide();
        return;
    }
    // Everything quoted from the targets is escaped: evidence and names are data, never markup.
    const Fault& root = incident.isEmpty() ? *fault : incident.constFirst();
    QString role;
    // A pool-wide root is the pool's fault; its target is where the event began.
    const bool poolRoot = fault->id == root.id && !root.pool.isEmpty();
    if (poolRoot)
        role = tr("<b>Root cause</b> (pool-wide, began at <b>%1</b>)").arg(fault->target.toHtmlEscaped());
    else if (fault->id == root.id)
        role = tr("<b>Root cause</b>");
    else if (fault->isMember())
        role = tr("Member of the incident of <b>%1</b> (%2 %3)")
                   .arg(root.target.toHtmlEscaped(), fault->relation == u"pool" ? tr("same pool") : tr("same group"),
                       (fault->pool.isEmpty() ? fault->group : fault->pool).toHtmlEscaped());
    else if (!fault->rootCause)
        role = tr("Symptom of <b>%1</b>")
                   .arg((fault->rootTarget.isEmpty() ? root.target : fault->rootTarget).toHtmlEscaped());
    else
        role = tr("Also a root cause in the incident of <b>%1</b>").arg(root.target.toHtmlEscaped());
    // The state as the panel's row says it: "recovered" only once Recover verified it, the step while it runs.
    const QString state = m_model->indexOf(fault->id, FaultModel::StateColumn).data().toString();
    QString text
        = tr("<b>%1</b> — %2 · cause <b>%3</b> · <b>%4</b> · detected at %5")
              .arg(poolRoot ? tr("%1 pool").arg(root.pool.toHtmlEscaped()) : fault->target.toHtmlEscaped(), role,
                  causeClassName(fault->cause),
                  (state.isEmpty() ? Fault::phaseName(fault->phase) : state).toHtmlEscaped(), clock(fault->detectedMs));
    QStringList others;
    for (const Fault& f : incident) {
        // Earlier firings of the same target are not another target of the incident.
        if (f.target != fault->target && !others.contains(f.target.toHtmlEscaped()))
            others << f.target.toHtmlEscaped();
    }
    if (!others.isEmpty())
        text += QStringLiteral("<br>")
            + tr("Incident %1 also involves %2")
                  .arg(root.incidentId.toHtmlEscaped(), others.join(QStringLiteral(", ")));
    text += QStringLiteral("<br>") + fault->evidence.toHtmlEscaped();
    if (!fault->localization.isEmpty())
        text += QStringLiteral("<br><i>") + fault->localization.toHtmlEscaped() + QStringLiteral("</i>");
    if (!fault->sources.isEmpty())
        text += QStringLiteral("<br>") + tr("Sources: %1").arg(fault->sources.join(u", ").toHtmlEscaped());
    if (!fault->maintenance.isEmpty())
        text += QStringLiteral("<br>") + tr("Maintenance: %1").arg(fault->maintenance.toHtmlEscaped());
    m_details->setText(text);
    m_details->show();
}

} // namespace FaultDesk
