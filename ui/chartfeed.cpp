#include "chartfeed.h"

#include "config/fleetconfig.h"
#include "detect/detector.h"
#include "metrics/seriesstore.h"

namespace FaultDesk {

namespace {

const TargetConfig* targetConfig(const FleetConfig& config, const QString& name)
{
    for (const TargetConfig& t : config.targets) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

void addOnce(QStringList& list, const QString& value)
{
    if (!value.isEmpty() && !list.contains(value))
        list << value;
}

} // namespace

ChartFeed::ChartFeed(const FleetConfig& config, const Detector& detector, const SeriesStore& store)
    : m_config(config)
    , m_detector(detector)
    , m_store(store)
{ }

QString ChartFeed::valueTitle(const QString& signal)
{
    if (signal == u"load")
        return tr("Load (utilisation)");
    if (signal == u"rps" || signal == u"requests")
        return tr("Req/s");
    if (signal == u"error_rate")
        return tr("Error rate");
    if (signal == u"p95_latency")
        return tr("Latency p95 (s)");
    if (signal == u"integrity")
        return tr("Integrity (1 = ok)");
    return signal;
}

ChartFeed::Selection ChartFeed::select(const QList<Fault>& faults) const
{
    Selection s;
    if (faults.isEmpty())
        return s;
    const CauseClass cause = faults.constFirst().cause;
    QStringList incidentTargets;
    for (const Fault& f : faults)
        addOnce(incidentTargets, f.target);

    // The signals whose rules name the incident's cause (integrity for data-integrity, `link:` signals for a
    // network fault, load for an overload, …), then any other rule that is breached now.
    QStringList causeSignals;
    QString demand;
    for (const QString& name : std::as_const(incidentTargets)) {
        const TargetConfig* t = targetConfig(m_config, name);
        if (!t)
            continue;
        for (const SignalConfig& sc : t->signalConfigs) {
            if (sc.isBreakdown())
                continue;
            if (sc.threshold && sc.cause == cause)
                addOnce(causeSignals, sc.name);
            // Demand: a request rate without a rule of its own.
            if (demand.isEmpty() && sc.kind == SignalConfig::Kind::Rate && !sc.threshold)
                demand = sc.name;
        }
    }
    QStringList breached;
    for (const QString& name : std::as_const(incidentTargets)) {
        if (const std::optional<TargetStatus> status = m_detector.status(name)) {
            for (const EffectiveThreshold& threshold : status->thresholds) {
                if (threshold.breached)
                    addOnce(breached, threshold.signal);
            }
        }
    }

    const bool poolWide = cause == CauseClass::Overload || cause == CauseClass::Attack;
    if (cause == CauseClass::Attack)
        addOnce(s.signalNames, demand); // the flood is in the requests
    for (const QString& signal : std::as_const(causeSignals))
        addOnce(s.signalNames, signal);
    if (poolWide)
        addOnce(s.signalNames, demand);
    for (const QString& signal : std::as_const(breached))
        addOnce(s.signalNames, signal);
    if (s.signalNames.isEmpty())
        s.signalNames << QStringLiteral("load"); // a dead server breaks no rule: its last load shows when it went

    // An overload or an attack is the pool's: every member of the incident's groups, the incident's own first.
    s.targets = incidentTargets;
    if (poolWide) {
        QStringList groups;
        for (const Fault& f : faults)
            addOnce(groups, f.group);
        for (const TargetConfig& t : m_config.targets) {
            if (!t.group.isEmpty() && groups.contains(t.group))
                addOnce(s.targets, t.name);
        }
    }
    s.targets = s.targets.mid(0, MaxTargets);
    return s;
}

ChartFeed::Panel ChartFeed::panel(const QStringList& targets, const QString& signal, qint64 t0Ms, qint64 t1Ms) const
{
    Panel p;
    p.signal = signal;
    p.valueTitle = valueTitle(signal);
    struct Level
    {
        double enter;
        double clear;
        bool operator==(const Level&) const = default;
    };
    QList<std::pair<QString, Level>> levels;
    for (const QString& target : targets) {
        const SeriesStore::SeriesId id = m_store.find(target, signal);
        if (id < 0)
            continue;
        ChartSeries line { target, signal, QString(), {}, {} };
        const std::vector<SeriesPoint> points = m_store.rangeWithGaps(id, t0Ms, t1Ms);
        line.points.reserve(qsizetype(points.size()));
        for (const SeriesPoint& point : points)
            line.points.append(QPointF(double(point.timeMs), point.value));
        p.series << line;
        if (const std::optional<TargetStatus> status = m_detector.status(target)) {
            for (const EffectiveThreshold& threshold : status->thresholds) {
                if (threshold.signal == signal)
                    levels.append({ target, { threshold.enter, threshold.clear } });
            }
        }
    }
    // One pair of lines when every target has the same levels; else each target its own.
    const bool shared = levels.size() > 1
        && std::all_of(levels.cbegin(), levels.cend(), [&](const auto& l) { return l.second == levels[0].second; });
    for (const auto& [target, level] : levels) {
        const QString owner = shared ? QString() : target;
        p.thresholds << ChartThreshold { owner, signal, { QPointF(0, level.enter) }, false };
        if (level.clear != level.enter)
            p.thresholds << ChartThreshold { owner, signal, { QPointF(0, level.clear) }, true };
        if (shared)
            break;
    }
    return p;
}

ChartFeed::Panel ChartFeed::targets(const QStringList& targets, const QString& signal, qint64 t0Ms, qint64 t1Ms) const
{
    Panel p = panel(targets, signal, t0Ms, t1Ms);
    const QSet<QString> shown(targets.cbegin(), targets.cend());
    for (const Fault& fault : m_detector.faults()) {
        if (!shown.contains(fault.target))
            continue;
        const qint64 end = fault.phase == Fault::Phase::Recovered ? fault.clearedMs : -1;
        if (end >= 0 && end < t0Ms)
            continue;
        p.bands << ChartBand { fault.detectedMs, end, causeClassName(fault.cause) + u' ' + fault.target };
    }
    return p;
}

QList<ChartFeed::Panel> ChartFeed::incident(const QList<Fault>& faults, qint64 t0Ms, qint64 t1Ms, int maxPanels) const
{
    QList<Panel> panels;
    const Selection s = select(faults);
    QList<ChartBand> bands;
    for (const Fault& fault : faults) {
        const qint64 end = fault.phase == Fault::Phase::Recovered ? fault.clearedMs : -1;
        if (end >= 0 && end < t0Ms)
            continue;
        bands << ChartBand { fault.detectedMs, end, causeClassName(fault.cause) + u' ' + fault.target };
    }
    for (const QString& signal : s.signalNames) {
        Panel p = panel(s.targets, signal, t0Ms, t1Ms);
        if (p.series.isEmpty())
            continue;
        p.bands = bands;
        QStringList shown;
        for (const ChartSeries& line : std::as_const(p.series))
            shown << line.target;
        p.title = tr("%1 — %2 (%3 incident)")
                      .arg(p.valueTitle, shown.join(QStringLiteral(", ")), causeClassName(faults.constFirst().cause));
        panels << p;
        if (panels.size() >= maxPanels)
            break;
    }
    return panels;
}

} // namespace FaultDesk
