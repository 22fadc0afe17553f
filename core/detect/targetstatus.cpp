#include "detect/targetstatus.h"

#include <QDateTime>
#include <QJsonArray>

namespace FaultDesk {

Severity TargetStatus::severity() const
{
    // A HARD failure explained by a dependency is a symptom, not a second emergency.
    if (state == TargetState::Hard && !symptomOf.isEmpty())
        return Severity::Symptom;
    return severityOf(state);
}

QJsonObject TargetStatus::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("target"), name);
    o.insert(QStringLiteral("group"), group);
    o.insert(QStringLiteral("state"), targetStateName(state));
    o.insert(QStringLiteral("failures"), consecutiveFailures);
    o.insert(QStringLiteral("flapping"), flapping);
    o.insert(QStringLiteral("flapping_percent"), flappingPercent);
    o.insert(QStringLiteral("answers"), answers());
    o.insert(QStringLiteral("root_cause"), rootCause);
    if (!symptomOf.isEmpty())
        o.insert(QStringLiteral("symptom_of"), symptomOf);
    if (!faultId.isEmpty())
        o.insert(QStringLiteral("fault"), faultId);
    if (cause)
        o.insert(QStringLiteral("cause"), causeClassName(*cause));
    if (!evidence.isEmpty())
        o.insert(QStringLiteral("evidence"), evidence);
    if (lastCheckMs > 0)
        o.insert(QStringLiteral("last_check"),
            QDateTime::fromMSecsSinceEpoch(lastCheckMs, Qt::UTC).toString(Qt::ISODateWithMs));
    QJsonObject v;
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        v.insert(it.key(), it.value());
    o.insert(QStringLiteral("values"), v);
    QJsonArray t;
    for (const EffectiveThreshold& e : thresholds)
        t.append(e.toJson());
    o.insert(QStringLiteral("thresholds"), t);
    return o;
}

} // namespace FaultDesk
