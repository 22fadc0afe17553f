#include "detect/configmapping.h"

#include <algorithm>

namespace FaultDesk::ConfigMapping {

ProbeTarget probeTarget(const TargetConfig& target, const FleetDefaults& defaults)
{
    ProbeTarget out;
    out.name = target.name;
    out.intervalMs = int(defaults.interval.count());
    for (const ProbeConfig& p : target.probes) {
        const int timeoutMs = int(p.timeoutOr(defaults.timeout).count());
        ProbeSpec spec;
        switch (p.kind) {
        case ProbeConfig::Kind::Http:
            spec = ProbeSpec::http(p.url, timeoutMs);
            spec.expectedStatus = p.expectStatus;
            spec.bodyContains = p.bodyMatch.toUtf8();
            break;
        case ProbeConfig::Kind::Metrics:
            spec = ProbeSpec::metrics(p.url, timeoutMs);
            break;
        case ProbeConfig::Kind::Tcp: {
            const qsizetype colon = p.address.lastIndexOf(u':');
            QString host = p.address.left(colon);
            if (host.startsWith(u'[') && host.endsWith(u']'))
                host = host.mid(1, host.size() - 2);
            spec = ProbeSpec::tcp(host, quint16(p.address.mid(colon + 1).toUInt()), timeoutMs);
            break;
        }
        case ProbeConfig::Kind::Postgres:
            spec = ProbeSpec::postgresql(p.postgres ? p.postgres->dsn : PostgresDsn {}, timeoutMs);
            break;
        }
        spec.caFile = target.tlsCaFile;
        out.probes.append(spec);
    }
    return out;
}

QList<SignalSpec> signalSpecs(const TargetConfig& target)
{
    QList<SignalSpec> specs;
    for (const SignalConfig& s : target.signalConfigs) {
        if (s.builtin)
            continue; // measured by the probe itself, not evaluated on a scrape
        SignalSpec spec;
        spec.name = s.name;
        spec.selector = s.selector;
        if (s.isBreakdown()) {
            spec.kind = SignalSpec::Kind::Breakdown;
            spec.by = s.by;
        } else {
            switch (s.kind) {
            case SignalConfig::Kind::Gauge:
                spec.kind = SignalSpec::Kind::Gauge;
                break;
            case SignalConfig::Kind::Rate:
                spec.kind = SignalSpec::Kind::Rate;
                break;
            case SignalConfig::Kind::Ratio:
                spec.kind = SignalSpec::Kind::Ratio;
                spec.denominator = s.denominator;
                break;
            case SignalConfig::Kind::Quantile:
                spec.kind = SignalSpec::Kind::Quantile;
                spec.quantile = s.q;
                break;
            }
        }
        specs.append(spec);
    }
    return specs;
}

namespace {

ThresholdRule rule(const QString& signal, const SignalThreshold& t, CauseClass cause)
{
    ThresholdRule r = t.direction == SignalThreshold::Direction::Above ? ThresholdRule::above(signal, t.enter, t.clear)
                                                                       : ThresholdRule::below(signal, t.enter, t.clear);
    r.cause = cause;
    r.adaptive = t.adaptive;
    // The configured level says what a fault of this signal looks like: the adaptive level is the cheapest line
    // between the target's own normal and that, never a wobble a few spreads above a calm baseline (a p95 latency
    // of 0.37 s called slow on a quiet server whose rule says 1.5 s).
    if (t.adaptive)
        r.faultLevel = t.enter;
    return r;
}

// The request rate: a plain rate signal named for requests (rps, requests, req_rate …), else a rate of a metric named
// for requests (http_requests_total).
QString requestSignalOf(const TargetConfig& target)
{
    auto requestish = [](const QString& text) {
        const QString t = text.toLower();
        return t == u"rps" || t.contains(u"request") || t.startsWith(u"req_") || t.endsWith(u"_rps");
    };
    for (const SignalConfig& s : target.signalConfigs) {
        if (s.kind == SignalConfig::Kind::Rate && !s.isBreakdown() && requestish(s.name))
            return s.name;
    }
    for (const SignalConfig& s : target.signalConfigs) {
        if (s.kind == SignalConfig::Kind::Rate && !s.isBreakdown() && requestish(s.selectorText.section(u'{', 0, 0)))
            return s.name;
    }
    return {};
}

// Rounds are paced by the source, and one may take up to its query timeout: staleness must allow for both,
// or a slow Prometheus would read as a stale (down) target.
void applySource(TargetPolicy& p, const PrometheusSourceConfig& source, const FleetDefaults& defaults)
{
    const qint64 interval = source.interval.count() > 0 ? source.interval.count() : defaults.interval.count();
    p.intervalMs = interval;
    p.retryIntervalMs = interval;
    p.staleAfterMs = std::max<qint64>(defaults.staleAfter.count(), 2 * (interval + source.queryTimeout.count()));
    for (const PrometheusSignalConfig& s : source.signalConfigs) {
        if (s.threshold)
            p.thresholds.append(rule(s.name, *s.threshold, s.cause));
    }
    p.attack.enabled = false;
}

} // namespace

TargetPolicy discoveredPolicy(
    const QString& name, const QString& group, const PrometheusSourceConfig& source, const FleetDefaults& defaults)
{
    TargetPolicy p;
    p.name = name;
    p.group = group;
    p.attempts = defaults.attempts;
    p.flappingHigh = defaults.flappingHigh;
    p.flappingLow = defaults.flappingLow;
    applySource(p, source, defaults);
    return p;
}

TargetPolicy targetPolicy(
    const TargetConfig& target, const FleetDefaults& defaults, const PrometheusSourceConfig* source)
{
    TargetPolicy p;
    p.name = target.name;
    p.group = target.group;
    p.priority = target.priority;
    p.attempts = defaults.attempts;
    p.intervalMs = defaults.interval.count();
    p.retryIntervalMs = defaults.retryInterval.count();
    p.staleAfterMs = defaults.staleAfter.count();
    p.flappingHigh = defaults.flappingHigh;
    p.flappingLow = defaults.flappingLow;
    for (const SignalConfig& s : target.signalConfigs) {
        if (s.threshold && !s.isBreakdown()) {
            p.thresholds.append(rule(s.name, *s.threshold, s.cause));
            p.thresholds.last().link = s.link;
        }
    }
    p.requestSignal = requestSignalOf(target);
    if (target.haproxy) {
        p.pool = target.haproxy->instance + u'/' + target.haproxy->backend;
        p.entry = target.haproxy->instance;
    }
    bool hasSourceBreakdown = false;
    for (const SignalConfig& s : target.signalConfigs)
        hasSourceBreakdown = hasSourceBreakdown || s.isBreakdown();
    p.attack.enabled = hasSourceBreakdown;
    if (source)
        applySource(p, *source, defaults);
    for (const DependencyConfig& d : target.dependsOn) {
        if (d.anyOf)
            p.anyOf.append(d.targets);
        else
            p.dependsOn.append(d.targets);
    }
    return p;
}

Detector::Settings detectorSettings(const FleetConfig& config, Detector::Settings base)
{
    const CorrelationConfig& c = config.correlation;
    base.correlationWindowMs = c.enabled ? c.window.count() : 0;
    base.aftershockGraceMs = c.enabled ? c.aftershockGrace.count() : 0;
    base.correlateDependencies = c.dependsOn;
    base.correlatePool = c.pool;
    base.correlateGroup = c.group;
    base.correlateTrafficPath = c.trafficPath;
    return base;
}

} // namespace FaultDesk::ConfigMapping
