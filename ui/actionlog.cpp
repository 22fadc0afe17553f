#include "ui/actionlog.h"

#include "audit/auditrecord.h"
#include "ui/palette.h"
#include "ui/plaintooltip.h"
#include "ui/stateappearance.h"

#include <QDateTime>

namespace FaultDesk {

ActionLog::ActionLog(QWidget* parent)
    : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("actionLog"));
    setAccessibleName(tr("Action log"));
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setHeaderLabels({ tr("Time"), tr("Phase"), tr("Operator"), tr("Target"), tr("Step"), tr("Status"), tr("Action") });
}

void ActionLog::append(const AuditRecord& record)
{
    const QString time
        = record.timeUtc.isValid() ? record.timeUtc.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")) : QString();
    auto* item = new QTreeWidgetItem({ time, record.phase == AuditRecord::Phase::Intent ? tr("intent") : tr("result"),
        record.operatorName, record.target, record.runbook, record.status, record.description });
    QString tip = record.description;
    if (!record.outputExcerpt.isEmpty())
        tip += u'\n' + record.outputExcerpt;
    item->setToolTip(6, plainToolTip(tip)); // audit details quote replies and child output
    if (record.phase == AuditRecord::Phase::Result) {
        const bool ok = record.status == u"ok";
        item->setForeground(
            5, StateAppearance::colour(ok ? Severity::Ok : Severity::Critical, Palette::isDark(palette())));
    }
    insertTopLevelItem(0, item);
    while (topLevelItemCount() > maximumRows())
        delete takeTopLevelItem(topLevelItemCount() - 1);
}

} // namespace FaultDesk
