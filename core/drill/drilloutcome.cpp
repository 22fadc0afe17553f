#include "drill/drilloutcome.h"

#include <algorithm>
#include <cmath>

namespace FaultDesk {

QString DrillFault::describe() const
{
    QString s = kind;
    if (!target.isEmpty())
        s += u' ' + target;
    if (!dependency.isEmpty())
        s += QStringLiteral(" → ") + dependency;
    return s;
}

double DrillOutcome::seconds(qint64 fromMs, qint64 toMs)
{
    return toMs > 0 && fromMs > 0 ? std::round((toMs - fromMs) / 100.0) / 10.0 : -1;
}

bool DrillOutcome::passed() const
{
    if (faults.isEmpty() || !failure.isEmpty() || !falseRoots.isEmpty() || incidents.size() != faults.size())
        return false;
    for (const PerFault& f : faults)
        if (!f.rightRoot || !f.recovered || !f.baselineRestored)
            return false;
    return true;
}

QJsonArray DrillOutcome::actionsOf(const QString& purpose, const RunbookOutcome& outcome)
{
    QJsonArray out;
    for (const StepReport& s : outcome.steps) {
        QJsonObject o { { QStringLiteral("phase"), purpose }, { QStringLiteral("step"), s.name },
            { QStringLiteral("status"), StepReport::statusName(s.status) } };
        if (s.action)
            o.insert(QStringLiteral("action"), QString(s.action->description + u": " + s.action->summary()));
        if (s.verification)
            o.insert(QStringLiteral("verification"), s.verification->summary());
        if (s.rollback)
            o.insert(QStringLiteral("rollback"), s.rollback->summary());
        if (!s.reason.isEmpty())
            o.insert(QStringLiteral("reason"), s.reason);
        out.append(o);
    }
    return out;
}

namespace {

QJsonArray entries(const QList<JournalEntry>& list)
{
    QJsonArray out;
    for (const JournalEntry& e : list)
        out.append(e.toJson());
    return out;
}

} // namespace

QJsonObject DrillOutcome::toJson() const
{
    QJsonObject summary;
    const PerFault first = faults.value(0);
    summary.insert(QStringLiteral("drill"), first.injected.kind);
    QJsonObject truth = first.truth.toJson();
    truth.remove(QStringLiteral("kind"));
    summary.insert(QStringLiteral("ground_truth"), truth);
    const std::optional<JournalEntry> shown = first.handled ? first.handled : first.named;
    if (shown) {
        QJsonObject located { { QStringLiteral("fault"), shown->faultId },
            { QStringLiteral("root_cause"), shown->target }, { QStringLiteral("cause"), causeClassName(shown->cause) },
            { QStringLiteral("evidence"), shown->evidence }, { QStringLiteral("incident"), shown->incidentId },
            { QStringLiteral("sources"), QJsonArray::fromStringList(shown->sources) } };
        if (!shown->localization.isEmpty())
            located.insert(QStringLiteral("localization"), shown->localization);
        summary.insert(QStringLiteral("located"), located);
        summary.insert(QStringLiteral("seconds_to_locate"), seconds(injectedMs, shown->locatedMs));
    } else {
        summary.insert(QStringLiteral("located"), QJsonValue::Null);
    }
    summary.insert(QStringLiteral("seconds_to_detect"),
        first.detectedMs > 0 ? QJsonValue(seconds(injectedMs, first.detectedMs)) : QJsonValue(QJsonValue::Null));
    summary.insert(QStringLiteral("seconds_to_handle"),
        first.handle ? seconds(first.handle->startedMs, first.handle->finishedMs) : -1);
    summary.insert(QStringLiteral("seconds_to_recover"),
        first.recover ? seconds(first.recover->startedMs, first.recover->finishedMs) : -1);
    // Each phase's duration, from its start to the next phase's.
    QJsonObject phases;
    QList<QPair<qint64, QString>> order;
    for (auto it = phaseStartedMs.cbegin(); it != phaseStartedMs.cend(); ++it)
        order << qMakePair(it.value(), it.key());
    std::sort(order.begin(), order.end());
    for (qsizetype i = 0; i < order.size(); ++i) {
        const qint64 end = i + 1 < order.size() ? order.at(i + 1).first : endedMs;
        phases.insert(order.at(i).second, seconds(order.at(i).first, end));
    }
    phases.insert(QStringLiteral("total"), seconds(injectedMs, endedMs));
    summary.insert(QStringLiteral("phase_seconds"), phases);
    summary.insert(QStringLiteral("actions"), actions);
    summary.insert(QStringLiteral("incidents"), int(incidents.size()));
    summary.insert(QStringLiteral("incident_ids"), QJsonArray::fromStringList(incidents));
    summary.insert(QStringLiteral("root_causes"), entries(rootCauses));
    summary.insert(QStringLiteral("false_roots"), entries(falseRoots));
    summary.insert(QStringLiteral("right_root_cause"), first.rightRoot);
    summary.insert(QStringLiteral("right_cause"), first.rightCause);
    summary.insert(QStringLiteral("recovered"), first.recovered);
    if (!first.stillFailing.isEmpty())
        summary.insert(QStringLiteral("still_failing"), QJsonArray::fromStringList(first.stillFailing));
    summary.insert(QStringLiteral("baseline_restored"), first.baselineRestored);
    if (!first.baselineDifferences.isEmpty())
        summary.insert(QStringLiteral("baseline_differences"), QJsonArray::fromStringList(first.baselineDifferences));
    if (!first.baseline.isEmpty())
        summary.insert(QStringLiteral("baseline"), first.baseline);
    if (faults.size() > 1) {
        QJsonArray all;
        for (const PerFault& f : faults)
            all.append(QJsonObject { { QStringLiteral("fault"), f.injected.describe() },
                { QStringLiteral("ground_truth"), f.truth.toJson() },
                { QStringLiteral("right_root_cause"), f.rightRoot }, { QStringLiteral("recovered"), f.recovered } });
        summary.insert(QStringLiteral("faults"), all);
    }
    if (!failure.isEmpty())
        summary.insert(QStringLiteral("failure"), failure);
    summary.insert(QStringLiteral("passed"), passed());
    return summary;
}

} // namespace FaultDesk
