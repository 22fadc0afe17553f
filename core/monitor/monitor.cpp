#include "monitor/monitor.h"

#include "detect/configmapping.h"
#include "detect/detector.h"
#include "metrics/promparser.h"
#include "metrics/scrapelimits.h"
#include "metrics/seriesstore.h"
#include "metrics/signalevaluator.h"
#include "probe/probescheduler.h"
#include "prom/prometheusclient.h"
#include "prom/prometheussource.h"
#include "util/logging.h"

#include <QDateTime>

#include <algorithm>

namespace FaultDesk {

namespace {

Observation::FailureKind failureKind(ProbeResult::FailureReason reason, qint64 bytesRead = 0)
{
    switch (reason) {
    case ProbeResult::FailureReason::None:
        return Observation::FailureKind::None;
    case ProbeResult::FailureReason::Refused:
        return Observation::FailureKind::Refused;
    case ProbeResult::FailureReason::Timeout:
        // The answer began and did not finish: a slow server, not a silent one.
        return bytesRead > 0 ? Observation::FailureKind::SlowAnswer : Observation::FailureKind::Timeout;
    case ProbeResult::FailureReason::Reset:
        return Observation::FailureKind::Reset;
    case ProbeResult::FailureReason::Dns:
        return Observation::FailureKind::Dns;
    case ProbeResult::FailureReason::Tls:
        return Observation::FailureKind::Tls;
    case ProbeResult::FailureReason::HttpStatus:
        return Observation::FailureKind::HttpStatus;
    case ProbeResult::FailureReason::BodyLimit:
        return Observation::FailureKind::BodyLimit;
    case ProbeResult::FailureReason::BodyMismatch:
        return Observation::FailureKind::BodyMismatch;
    case ProbeResult::FailureReason::Parse:
        return Observation::FailureKind::Parse;
    case ProbeResult::FailureReason::Config:
    case ProbeResult::FailureReason::Other:
        return Observation::FailureKind::Other;
    }
    return Observation::FailureKind::Other;
}

// An answer that says "not ok" is unhealthy; no usable answer at all is down.
Observation::Probe verdict(ProbeResult::FailureReason reason)
{
    switch (reason) {
    case ProbeResult::FailureReason::None:
        return Observation::Probe::Ok;
    case ProbeResult::FailureReason::HttpStatus:
    case ProbeResult::FailureReason::BodyMismatch:
    case ProbeResult::FailureReason::Parse:
        return Observation::Probe::Unhealthy;
    default:
        return Observation::Probe::Down;
    }
}

} // namespace

Monitor::Monitor(QObject* parent)
    : Monitor(Settings {}, parent)
{ }

Monitor::Monitor(const Settings& settings, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
    , m_scheduler(std::make_unique<ProbeScheduler>(nullptr))
    , m_store(std::make_unique<SeriesStore>(settings.historyStepMs, settings.historyCapacity))
    , m_detector(std::make_unique<Detector>())
{
    connect(m_scheduler.get(), &ProbeScheduler::roundFinished, this, &Monitor::onRoundFinished);
    connect(m_detector.get(), &Detector::eventRaised, this, &Monitor::eventRaised);
    connect(m_detector.get(), &Detector::retryRequested, this, [this](const QString& target, qint64) {
        // A Prometheus target's data refreshes at the source's pace; a fast re-check would only re-read it.
        if (!m_sourceOf.contains(target))
            m_scheduler->setRetrying(target, true);
    });
    // The sources an attack names get a series of their own from then on, for the attack chart.
    connect(m_detector.get(), &Detector::faultChanged, this, [this](const Fault& fault) {
        if (fault.cause != CauseClass::Attack || !m_sourceSignal.contains(fault.target))
            return;
        const auto it = m_evaluators.find(fault.target);
        if (it == m_evaluators.end())
            return;
        const QString signal = it->second->specs().at(m_sourceSignal.value(fault.target)).name;
        QHash<QString, int>& series = m_sourceSeries[fault.target];
        for (const QString& source : fault.sources) {
            if (!series.contains(source) && series.size() < MaxSourceSeries)
                series.insert(source, m_store->addSeries(fault.target, signal + u'/' + source));
        }
    });
    const auto endRetry = [this](const QString& target) {
        if (!m_scheduler->isRetrying(target))
            return;
        const auto status = m_detector->status(target);
        if (!status || status->state != TargetState::Soft)
            m_scheduler->setRetrying(target, false);
    };
    connect(m_detector.get(), &Detector::targetUpdated, this, endRetry);
    connect(m_detector.get(), &Detector::targetsUpdated, this, [endRetry](const QStringList& targets) {
        for (const QString& target : targets)
            endRetry(target);
    });
    m_tickTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_tickTimer, &QTimer::timeout, this, [this] { tick(QDateTime::currentMSecsSinceEpoch()); });
}

Monitor::~Monitor()
{
    stop();
}

void Monitor::setConfig(const FleetConfig& config)
{
    const bool running = isRunning();
    stop();
    m_config = config;
    m_evaluators.clear();
    m_sourceSignal.clear();
    m_sourceSeries.clear();
    m_sources.clear();
    m_sourceOf.clear();

    QList<ProbeTarget> probeTargets;
    QList<TargetPolicy> policies;
    for (const TargetConfig& t : m_config.targets) {
        if (const PrometheusSourceConfig* source = m_config.prometheusSource(t.source)) {
            policies.append(ConfigMapping::targetPolicy(t, m_config.defaults, source));
            for (const PrometheusSignalConfig& s : source->signalConfigs)
                m_store->addSeries(t.name, s.name);
            continue;
        }
        probeTargets.append(ConfigMapping::probeTarget(t, m_config.defaults));
        policies.append(ConfigMapping::targetPolicy(t, m_config.defaults));
        const QList<SignalSpec> specs = ConfigMapping::signalSpecs(t);
        for (int i = 0; i < specs.size(); ++i) {
            if (specs.at(i).kind == SignalSpec::Kind::Breakdown) {
                if (!m_sourceSignal.contains(t.name) || specs.at(i).by == u"source")
                    m_sourceSignal.insert(t.name, i);
            } else {
                m_store->addSeries(t.name, specs.at(i).name);
            }
        }
        // The per-source breakdown is charted by its total (the rate the attack rule judges) and its heavy sources.
        if (const int i = m_sourceSignal.value(t.name, -1); i >= 0)
            m_store->addSeries(t.name, specs.at(i).name);
        for (const SignalConfig& s : t.signalConfigs) {
            if (s.builtin)
                m_store->addSeries(t.name, s.name);
        }
        m_evaluators.emplace(
            t.name, std::make_unique<SignalEvaluator>(specs, 10000, ScrapeLimits::BreakdownValuesPerSignal));
    }
    m_scheduler->setInterval(int(m_config.defaults.interval.count()));
    m_scheduler->setRetryInterval(int(m_config.defaults.retryInterval.count()));
    m_scheduler->setTargets(probeTargets);
    m_detector->setSettings(ConfigMapping::detectorSettings(m_config, m_detector->settings()));
    m_detector->setTargets(policies);
    for (const PrometheusSourceConfig& source : std::as_const(m_config.prometheus))
        addPrometheusSource(source);
    if (m_config.prometheus.isEmpty())
        qCInfo(lcApp).noquote() << "monitoring" << m_config.targets.size() << "targets from" << m_config.sourceFile;
    else
        qCInfo(lcApp).noquote() << "monitoring" << m_config.targets.size() << "declared targets and"
                                << m_config.prometheus.size() << "Prometheus source(s) from" << m_config.sourceFile;
    if (running)
        start();
}

void Monitor::addPrometheusSource(const PrometheusSourceConfig& config)
{
    auto source = std::make_unique<PrometheusSource>(config, m_config.defaults.interval.count());
    PrometheusSource* raw = source.get();
    QList<PrometheusSource::Target> declared;
    for (const TargetConfig& t : std::as_const(m_config.targets)) {
        if (t.source == config.name) {
            declared.append({ t.name, t.group, t.instance, false });
            m_sourceOf.insert(t.name, raw);
        }
    }
    raw->setDeclaredTargets(declared);
    connect(raw, &PrometheusSource::observed, this, &Monitor::ingestObservations);
    connect(raw, &PrometheusSource::targetsChanged, this,
        [this, raw](const QList<PrometheusSource::Target>& added, const QStringList& removed) {
            for (const QString& name : removed) {
                if (m_sourceOf.value(name) == raw) {
                    m_sourceOf.remove(name);
                    m_detector->removeTarget(name);
                }
            }
            for (const PrometheusSource::Target& t : added) {
                // A probed target or another source's target of the same name keeps its name.
                if (m_config.target(t.name) || (m_sourceOf.contains(t.name) && m_sourceOf.value(t.name) != raw)) {
                    qCWarning(lcApp).noquote() << raw->client()->displayName() << "reports a target named" << t.name
                                               << "which the fleet already has; ignored";
                    continue;
                }
                for (const PrometheusSignalConfig& s : raw->config().signalConfigs)
                    m_store->addSeries(t.name, s.name);
                m_sourceOf.insert(t.name, raw);
                m_detector->addTarget(
                    ConfigMapping::discoveredPolicy(t.name, t.group, raw->config(), m_config.defaults));
            }
        });
    connect(
        raw, &PrometheusSource::degradedChanged, this, [this, raw](bool degraded, const QString& reason, int affected) {
            DetectionEvent e;
            e.kind = degraded ? DetectionEvent::Kind::MonitorDegraded : DetectionEvent::Kind::MonitorRecovered;
            e.timeMs = QDateTime::currentMSecsSinceEpoch();
            e.failing = affected;
            e.checked = int(raw->targets().size());
            e.reason = degraded
                ? reason + QStringLiteral(": its targets are UNKNOWN, none is blamed")
                : raw->client()->displayName() + QStringLiteral(" answers again: judging its targets again");
            Q_EMIT eventRaised(e);
        });
    connect(raw, &PrometheusSource::historyReady, this,
        [this](const QString& signal, const QHash<QString, QList<PromPoint>>& byTarget) {
            for (auto it = byTarget.cbegin(); it != byTarget.cend(); ++it) {
                SeriesStore::SeriesId id = m_store->find(it.key(), signal);
                if (id < 0)
                    id = m_store->addSeries(it.key(), signal);
                for (const PromPoint& p : it.value())
                    m_store->append(id, p.timeMs, p.value);
                Q_EMIT seriesUpdated(it.key());
            }
        });
    connect(raw, &PrometheusSource::historyFailed, this, [](const QString& signal, const QString& error) {
        qCWarning(lcApp).noquote() << "history of" << signal << "unavailable:" << error;
    });
    m_sources.push_back(std::move(source));
}

QList<PrometheusSource*> Monitor::prometheusSources() const
{
    QList<PrometheusSource*> out;
    for (const auto& s : m_sources)
        out.append(s.get());
    return out;
}

void Monitor::requestHistory(const QStringList& targets, qint64 fromMs, qint64 toMs)
{
    for (const auto& source : m_sources) {
        QStringList mine;
        for (const QString& t : targets) {
            if (m_sourceOf.value(t) == source.get())
                mine << t;
        }
        if (!mine.isEmpty())
            source->requestHistory(mine, fromMs, toMs, m_settings.historyStepMs);
    }
}

void Monitor::ingestObservations(const QList<Observation>& observations)
{
    for (const Observation& o : observations) {
        ++m_rounds;
        for (auto it = o.values.cbegin(); it != o.values.cend(); ++it)
            m_store->append(m_store->find(o.target, it.key()), o.timeMs, it.value());
        m_detector->observe(o);
        if (!o.values.isEmpty())
            Q_EMIT seriesUpdated(o.target);
    }
}

void Monitor::start()
{
    m_scheduler->start();
    for (const auto& s : m_sources)
        s->start();
    m_tickTimer.start(m_settings.tickIntervalMs);
}

void Monitor::stop()
{
    m_tickTimer.stop();
    m_scheduler->stop();
    for (const auto& s : m_sources)
        s->stop();
}

void Monitor::tick(qint64 nowMs)
{
    QElapsedTimer timer;
    timer.start();
    m_detector->tick(nowMs);
    m_lastTickMs = double(timer.nsecsElapsed()) / 1e6;
    Q_EMIT ticked();
}

void Monitor::onRoundFinished(const QString& target, const QList<ProbeResult>& results)
{
    ingestRound(target, results, QDateTime::currentMSecsSinceEpoch());
}

void Monitor::ingestRound(const QString& target, const QList<ProbeResult>& results, qint64 nowMs)
{
    ++m_rounds;
    Observation obs;
    obs.target = target;
    obs.timeMs = nowMs;

    auto fail = [&obs](Observation::Probe probe, Observation::FailureKind kind, const QString& reason) {
        // Down outranks Unhealthy: one probe refused says more than another's 503.
        if (obs.probe == Observation::Probe::Down)
            return;
        if (obs.probe == Observation::Probe::Unhealthy && probe != Observation::Probe::Down)
            return;
        obs.probe = probe;
        obs.failureKind = kind;
        obs.reason = reason;
    };

    for (const ProbeResult& r : results) {
        // Signals the probe measured itself (postgres): stored like scraped ones.
        for (auto v = r.values.cbegin(); v != r.values.cend(); ++v) {
            obs.values.insert(v.key(), v.value());
            m_store->append(m_store->find(target, v.key()), nowMs, v.value());
        }
        if (r.reason == ProbeResult::FailureReason::Config) {
            // The probe cannot log in: the configuration is wrong, the target is not judged (UNKNOWN), never blamed.
            obs.monitorBlind = true;
            obs.reason = ProbeConfig::kindName(r.kind) + QStringLiteral(" probe: configuration error: ") + r.reasonText;
            continue;
        }
        if (!r.ok) {
            fail(verdict(r.reason), failureKind(r.reason, r.bytesRead),
                ProbeConfig::kindName(r.kind) + QStringLiteral(" probe: ") + r.reasonText);
            continue;
        }
        if (r.kind != ProbeSpec::Kind::Metrics)
            continue;
        auto it = m_evaluators.find(target);
        if (it == m_evaluators.end())
            continue;
        ParsedScrape scrape;
        PromParseError error;
        if (!PromParser::parse(std::string_view(r.body.constData(), size_t(r.body.size())), scrape, &error,
                ScrapeLimits::parseLimits())) {
            const QString why = QStringLiteral("metrics probe: ") + ScrapeLimits::describe(error);
            qCDebug(lcProbe).noquote() << target << why;
            fail(Observation::Probe::Unhealthy, Observation::FailureKind::Parse, why);
            continue;
        }
        std::vector<SignalResult> values;
        SignalEvaluator& evaluator = *it->second;
        evaluator.evaluate(scrape, nowMs, values);
        const QList<SignalSpec>& specs = evaluator.specs();
        const int sourceIndex = m_sourceSignal.value(target, -1);
        for (int i = 0; i < specs.size(); ++i) {
            const SignalResult& v = values.at(size_t(i));
            if (i == sourceIndex) {
                for (const BreakdownEntry& e : v.breakdown)
                    obs.sourceRates.insert(
                        QString::fromUtf8(e.labelValue.data(), qsizetype(e.labelValue.size())), e.rate);
                if (v.valid) {
                    obs.sourcesMeasured = true;
                    recordSources(target, specs.at(i).name, obs.sourceRates, nowMs);
                }
                continue;
            }
            // A ratio over an interval without traffic (0/0) says nothing: leaving it out keeps the rule's
            // current verdict instead of clearing an error-rate breach every quiet second.
            if (specs.at(i).kind == SignalSpec::Kind::Breakdown || !v.valid || v.has(SignalResult::ZeroOverZero))
                continue;
            obs.values.insert(specs.at(i).name, v.value);
            m_store->append(m_store->find(target, specs.at(i).name), nowMs, v.value);
        }
    }
    m_detector->observe(obs);
    Q_EMIT seriesUpdated(target);
}

void Monitor::recordSources(
    const QString& target, const QString& signal, const QHash<QString, double>& sourceRates, qint64 nowMs)
{
    // The attack chart's history: the total over all sources, and the rate of each source an attack named (from
    // its naming on), so a crowd of ordinary clients never grows the store.
    double total = 0;
    for (const double rate : sourceRates)
        total += std::max(0.0, rate);
    m_store->append(m_store->find(target, signal), nowMs, total);
    const QHash<QString, int> series = m_sourceSeries.value(target);
    for (auto it = series.cbegin(); it != series.cend(); ++it)
        m_store->append(it.value(), nowMs, std::max(0.0, sourceRates.value(it.key(), 0.0)));
}

Monitor::Summary Monitor::summary() const
{
    Summary s;
    // Counted, not built: a TargetStatus per target per status refresh cost milliseconds at 5,000 targets.
    s.total = int(m_detector->targetNames().size());
    s.up = m_detector->answeringCount();
    s.activeFaults = int(m_detector->openFaults().size());
    s.degraded = m_detector->isDegraded();
    for (const auto& source : m_sources)
        s.degraded = s.degraded || source->isDegraded();
    s.lastTickMs = m_lastTickMs;
    s.rounds = m_rounds;
    s.skippedRounds = m_scheduler->counters().roundsSkipped;
    return s;
}

} // namespace FaultDesk
