#include "incident/incident.h"

namespace FaultDesk {

namespace {
std::optional<qint64> span(const QDateTime& from, const QDateTime& to)
{
    if (!from.isValid() || !to.isValid())
        return std::nullopt;
    return from.msecsTo(to);
}
} // namespace

QStringList Incident::affectedTargets() const
{
    QStringList out;
    if (!rootTarget.isEmpty())
        out.append(rootTarget);
    for (const Symptom& s : symptoms)
        if (!s.target.isEmpty() && !out.contains(s.target))
            out.append(s.target);
    return out;
}

PhaseTimes Incident::phases() const
{
    PhaseTimes p;
    p.detectMs = span(firstFailureUtc, detectedUtc);
    p.locateMs = span(detectedUtc, locatedUtc);
    p.acknowledgeMs = span(detectedUtc, acknowledgedUtc);
    p.handleMs = span(detectedUtc, handledUtc);
    p.recoverMs = span(detectedUtc, recoveredUtc);
    p.impactMs = span(firstFailureUtc.isValid() ? firstFailureUtc : detectedUtc, recoveredUtc);
    return p;
}

} // namespace FaultDesk
