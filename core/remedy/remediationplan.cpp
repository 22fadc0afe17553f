#include "remedy/remediationplan.h"

namespace FaultDesk {

QString RemediationPlan::toText() const
{
    QString sourceLines;
    for (const QString& s : sources)
        sourceLines += QStringLiteral("  source: %1\n").arg(s);
    if (!error.isEmpty())
        return QStringLiteral("no plan: %1\n").arg(error) + sourceLines;
    QString t = QStringLiteral("%1 for %2 (%3 on %4)\n").arg(runbook, faultId, cause, target);
    if (!runbookReason.isEmpty())
        t += QStringLiteral("  why this runbook: %1\n").arg(runbookReason);
    for (const QString& s : steps)
        t += QStringLiteral("  %1\n").arg(s);
    if (!affected.isEmpty())
        t += QStringLiteral("  affects: %1\n").arg(affected.join(QStringLiteral(", ")));
    if (!capacity.isEmpty())
        t += QStringLiteral("  capacity: %1\n").arg(capacity);
    for (const WeightChange& w : weights)
        t += QStringLiteral("  weight %1: %2 -> %3 (utilisation %4 -> %5)\n")
                 .arg(w.server)
                 .arg(w.current)
                 .arg(w.proposed)
                 .arg(w.utilisation, 0, 'f', 2)
                 .arg(w.proposedUtilisation, 0, 'f', 2);
    t += sourceLines;
    for (const QString& o : order)
        t += QStringLiteral("  order: %1\n").arg(o);
    for (const QString& d : baselineDifferences)
        t += QStringLiteral("  differs from baseline: %1\n").arg(d);
    if (!switchBackOffer.isEmpty())
        t += QStringLiteral("  switch back (%1): %2\n")
                 .arg(switchBack ? QStringLiteral("asked for") : QStringLiteral("not asked for"), switchBackOffer);
    if (!decision.allowed)
        t += QStringLiteral("  NOT ALLOWED NOW: %1\n").arg(decision.reasons.join(QStringLiteral("; ")));
    return t;
}

} // namespace FaultDesk
