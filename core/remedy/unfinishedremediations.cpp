#include "remedy/unfinishedremediations.h"

#include "audit/auditsink.h"
#include "util/logging.h"

#include <QHash>

namespace FaultDesk {

QList<UnfinishedRemediation> UnfinishedRemediations::list() const
{
    QList<UnfinishedRemediation> out;
    if (!m_audit)
        return out;
    QHash<QString, int> index; ///< incident|target → position in out
    for (const AuditRecord& r : m_audit->unfinished()) {
        const QString key = r.incidentId + u'|' + r.target;
        if (const auto it = index.constFind(key); it != index.constEnd()) {
            // The first intent carries the baseline; later ones of the same run are closed with it.
            out[*it].actionIds << r.actionId;
            out[*it].action = r.description;
            continue;
        }
        if (r.baseline.isEmpty())
            continue;
        const auto b = RemediationBaseline::fromJson(r.baseline);
        if (!b)
            continue;
        index.insert(key, int(out.size()));
        out.append(UnfinishedRemediation {
            r.target, r.incidentId, r.runbook, r.operatorName, r.timeUtc, *b, r.description, { r.actionId } });
    }
    return out;
}

void UnfinishedRemediations::close(
    const UnfinishedRemediation& item, const QString& status, const QString& operatorName, const QString& note) const
{
    if (!m_audit)
        return;
    QHash<QString, AuditRecord> intents;
    for (const AuditRecord& r : m_audit->unfinished())
        if (item.actionIds.contains(r.actionId))
            intents.insert(r.actionId, r);
    for (const QString& id : item.actionIds) {
        if (!intents.contains(id))
            continue;
        AuditRecord r = intents.value(id);
        r.phase = AuditRecord::Phase::Result;
        r.timeUtc = QDateTime::currentDateTimeUtc();
        r.operatorName = operatorName;
        r.status = status;
        r.exitCode.reset();
        r.durationMs = 0;
        r.baseline = {};
        r.outputExcerpt = note;
        QString error;
        if (!m_audit->append(r, &error))
            qCWarning(lcRemedy, "unfinished remediation %s not closed: %s", qUtf8Printable(id), qUtf8Printable(error));
    }
}

} // namespace FaultDesk
