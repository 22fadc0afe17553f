#include "ui/chartfeed.h"

#include "config/fleetconfig.h"
#include "detect/detector.h"
#include "metrics/seriesstore.h"

#include <QMap>

#include <cmath>
#include <limits>

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

/// The per-source breakdown the monitor records for @p target (the one `by: source`, else the first), or empty.
QString sourceSignal(const TargetConfig* target)
{
    QString name;
    if (!target)
        return name;
    for (const SignalConfig& sc : target->signalConfigs) {
        if (sc.isBreakdown() && (name.isEmpty() || sc.by == u"source"))
            name = sc.name;
    }
    return name;
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
    if (signal == u"sources")
        return tr("Req/s");
    if (signal.startsWith(u"link_"))
        return tr("Path up (1 = yes)");
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
    QString sources;
    for (const QString& name : std::as_const(incidentTargets)) {
        const TargetConfig* t = targetConfig(m_config, name);
        if (!t)
            continue;
        if (sources.isEmpty())
            sources = sourceSignal(t);
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
    if (cause == CauseClass::Attack) {
        // The flood is in the requests by source: the total the attack rule judges, else the request rate.
        addOnce(s.signalNames, sources);
        addOnce(s.signalNames, demand);
    }
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
        // One empty slot between two samples is a scrape that landed a little late, not one that was missed: the
        // line goes on (a lone sample between such "gaps" would otherwise be drawn as a dot).
        const qint64 jitter = 2 * m_store.stepMs();
        for (size_t i = 0; i < points.size(); ++i) {
            const SeriesPoint& point = points[i];
            if (std::isnan(point.value) && i > 0 && i + 1 < points.size()
                && points[i + 1].timeMs - points[i - 1].timeMs <= jitter)
                continue;
            line.points.append(QPointF(double(point.timeMs), point.value));
        }
        p.series << line;
        if (const std::optional<TargetStatus> status = m_detector.status(target)) {
            for (const EffectiveThreshold& threshold : status->thresholds) {
                if (threshold.signal == signal)
                    levels.append({ target, { threshold.enter, threshold.clear } });
            }
            // The attack rule judges the total over all sources against its learnt baseline.
            if (status->attackLevel && signal == sourceSignal(targetConfig(m_config, target)))
                levels.append({ target, { status->attackLevel->enter, status->attackLevel->clear } });
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

ChartFeed::Panel ChartFeed::overview(
    const QStringList& chosen, const QString& chosenTitle, qint64 t0Ms, qint64 t1Ms) const
{
    QStringList shown = chosen;
    QString title = chosenTitle;
    if (shown.isEmpty()) {
        for (const Fault& fault : m_detector.openFaults()) {
            if (fault.rootCause)
                shown << fault.target;
        }
        const QStringList all = m_detector.targetNames();
        if (shown.isEmpty())
            shown = all.mid(0, MaxTargets);
        // "all" only when it is all of them: a fleet larger than the chart shows its first few.
        title = tr("Load — %1")
                    .arg(shown.size() <= 6 ? shown.join(u", ")
                            : shown.size() == all.size()
                            ? tr("all %n targets", nullptr, int(shown.size()))
                            : tr("%n of %1 targets", nullptr, int(shown.size())).arg(all.size()));
    }
    Panel p = targets(shown, QStringLiteral("load"), t0Ms, t1Ms);
    p.title = title;
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
    // One event, one band: from the incident's first detection until its last fault ended (open: now).
    QList<ChartBand> bands;
    qint64 start = std::numeric_limits<qint64>::max();
    qint64 end = 0;
    bool open = false;
    for (const Fault& fault : faults) {
        start = std::min(start, fault.detectedMs);
        open = open || fault.isOpen();
        end = std::max(end, fault.clearedMs);
    }
    if (open)
        end = -1;
    if (end < 0 || end >= t0Ms)
        bands << ChartBand { start, end,
            causeClassName(faults.constFirst().cause) + u' ' + faults.constFirst().target };
    if (faults.constFirst().cause == CauseClass::Attack) {
        Panel p = sourcesPanel(faults, s.targets, t0Ms, t1Ms);
        if (!p.series.isEmpty()) {
            p.bands = bands;
            panels << p;
        }
    }
    for (const QString& signal : s.signalNames) {
        if (panels.size() >= maxPanels)
            break;
        Panel p = panel(s.targets, signal, t0Ms, t1Ms);
        if (p.series.isEmpty())
            continue;
        p.bands = bands;
        QStringList shown;
        for (const ChartSeries& line : std::as_const(p.series))
            shown << line.target;
        // A path's chart names the dependency it leads to; the axis keeps the short title.
        const QString what = signal.startsWith(u"link_") ? tr("Path to %1 (1 = up)").arg(signal.mid(5))
            : signal == u"sources"                       ? tr("Req/s, all sources")
                                                         : p.valueTitle;
        p.title = tr("%1 — %2 (%3 incident)")
                      .arg(what, shown.join(QStringLiteral(", ")), causeClassName(faults.constFirst().cause));
        panels << p;
        if (panels.size() >= maxPanels)
            break;
    }
    return panels;
}

ChartFeed::Panel ChartFeed::sourcesPanel(
    const QList<Fault>& faults, const QStringList& targets, qint64 t0Ms, qint64 t1Ms) const
{
    Panel p;
    QStringList named;
    for (const Fault& f : faults) {
        for (const QString& source : f.sources)
            addOnce(named, source);
    }
    named = named.mid(0, MaxSources);
    if (named.isEmpty())
        return p;
    // Each flooding source's rate summed over the targets it hits, and the total over all sources, on one time axis
    // (the store's slots are aligned, so equal times add up).
    QMap<qint64, double> all;
    QList<QMap<qint64, double>> perSource(named.size());
    QStringList hit;
    for (const QString& target : targets) {
        const QString signal = sourceSignal(targetConfig(m_config, target));
        if (signal.isEmpty())
            continue;
        const SeriesStore::SeriesId totalId = m_store.find(target, signal);
        if (totalId < 0)
            continue;
        bool any = false;
        for (qsizetype i = 0; i < named.size(); ++i) {
            const SeriesStore::SeriesId id = m_store.find(target, signal + u'/' + named.at(i));
            if (id < 0)
                continue;
            any = true;
            for (const SeriesPoint& point : m_store.rangeWithGaps(id, t0Ms, t1Ms)) {
                if (std::isnan(point.value))
                    continue;
                perSource[i][point.timeMs] += point.value;
            }
        }
        if (!any)
            continue;
        hit << target;
        // The total, flooding sources included: before they were named it is the only line that shows the rise.
        for (const SeriesPoint& point : m_store.rangeWithGaps(totalId, t0Ms, t1Ms)) {
            if (!std::isnan(point.value))
                all[point.timeMs] += point.value;
        }
    }
    if (hit.isEmpty())
        return p;
    const auto line = [](const QString& id, const QString& label, const QMap<qint64, double>& values) {
        ChartSeries series { id, QStringLiteral("source"), QString(), {}, label };
        series.points.reserve(values.size());
        for (auto it = values.cbegin(); it != values.cend(); ++it)
            series.points.append(QPointF(double(it.key()), it.value()));
        return series;
    };
    for (qsizetype i = 0; i < named.size(); ++i) {
        if (!perSource.at(i).isEmpty())
            p.series << line(named.at(i), named.at(i), perSource.at(i));
    }
    if (!all.isEmpty())
        p.series << line(QStringLiteral("all sources"), tr("all sources"), all);
    p.signal = QStringLiteral("source");
    p.valueTitle = tr("Req/s");
    const QString flooders = named.size() == 1 ? tr("1 flooding source") : tr("%1 flooding sources").arg(named.size());
    p.title = tr("Req/s by source — %1 into %2 (attack incident)").arg(flooders, hit.join(QStringLiteral(", ")));
    return p;
}

} // namespace FaultDesk
