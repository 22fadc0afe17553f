#include "drill/faultcampaign.h"

#include "drill/demofleetprocess.h"
#include "drill/drillrunner.h"
#include "drill/faultjournal.h"

#include "config/fleetconfig.h"
#include "detect/detector.h"
#include "monitor/monitor.h"

#include <QDateTime>
#include <QMap>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <random>

namespace FaultDesk {

namespace {

/// A deterministic draw from [0, n): the same seed gives the same campaign on every platform.
qsizetype pick(std::mt19937_64& rng, qsizetype n)
{
    return n <= 0 ? 0 : qsizetype(rng() % quint64(n));
}

QStringList namesInGroup(const FleetConfig& config, const QString& group)
{
    QStringList out;
    for (const TargetConfig& t : config.targets)
        if (t.group == group)
            out << t.name;
    return out;
}

double percentile(QList<double> values, double q)
{
    if (values.isEmpty())
        return -1;
    std::sort(values.begin(), values.end());
    const qsizetype rank = std::max<qsizetype>(1, qsizetype(std::ceil(q * double(values.size()))));
    return values.at(std::min(rank, values.size()) - 1);
}

double secondsOf(qint64 ms)
{
    return std::round(double(ms) / 100.0) / 10.0;
}

double share(int part, int whole)
{
    return whole > 0 ? std::round(1000.0 * part / whole) / 1000.0 : 0;
}

} // namespace

FaultCampaign::FaultCampaign(
    Monitor* monitor, RemediationController* controller, DemoFleetProcess* fleet, QObject* parent)
    : QObject(parent)
    , m_monitor(monitor)
    , m_controller(controller)
    , m_fleet(fleet)
{ }

FaultCampaign::~FaultCampaign() = default;

QList<QList<DrillFault>> FaultCampaign::draw(const Settings& settings, const FleetConfig& config)
{
    std::mt19937_64 rng(settings.seed);
    const QStringList kinds = settings.kinds.isEmpty() ? DrillScenario::campaignKinds() : settings.kinds;
    QStringList all;
    QStringList backends;
    QList<QPair<QString, QString>> links;
    for (const TargetConfig& t : config.targets) {
        all << t.name;
        if (t.haproxy && !backends.contains(t.haproxy->backend))
            backends << t.haproxy->backend;
        for (const SignalConfig& s : t.signalConfigs)
            if (!s.link.isEmpty())
                links << qMakePair(t.name, s.link);
    }
    // Where each kind can happen on the demo fleet: an overload slows a web server, a corruption damages a
    // database, an attack floods a pool, a partition cuts a server from a dependency it calls.
    const QStringList web = namesInGroup(config, QStringLiteral("web"));
    const QStringList dbs = namesInGroup(config, QStringLiteral("db"));
    auto faultOf = [&](const QString& kind) {
        DrillFault f;
        f.kind = kind;
        if (kind == u"overload")
            f.target = web.value(pick(rng, web.size()));
        else if (kind == u"corruption")
            f.target = dbs.value(pick(rng, dbs.size()));
        else if (kind == u"attack")
            f.target = backends.value(pick(rng, backends.size()));
        else if (kind == u"network") {
            const auto link = links.value(pick(rng, links.size()));
            f.target = link.first;
            f.dependency = link.second;
        } else
            f.target = all.value(pick(rng, all.size()));
        return f;
    };
    QList<QList<DrillFault>> episodes;
    int drawn = 0;
    while (drawn < settings.faults) {
        QList<DrillFault> episode { faultOf(kinds.at(pick(rng, kinds.size()))) };
        const DrillFault& first = episode.constFirst();
        const int roll = int(pick(rng, 100));
        // A second fault at once: a server fault on a web server that the first one neither is nor touches (a
        // surge or a flood already involves the whole pool).
        if (settings.faults - drawn >= 2 && roll < settings.pairPercent && first.kind != u"overload"
            && first.kind != u"attack") {
            static const QStringList serverFaults = { QStringLiteral("crash"), QStringLiteral("hang"),
                QStringLiteral("slow"), QStringLiteral("garbage") };
            QStringList allowedKinds;
            for (const QString& k : serverFaults)
                if (kinds.contains(k))
                    allowedKinds << k;
            QStringList others = web;
            others.removeAll(first.target);
            if (!allowedKinds.isEmpty() && !others.isEmpty()) {
                DrillFault second;
                second.kind = allowedKinds.at(pick(rng, allowedKinds.size()));
                second.target = others.at(pick(rng, others.size()));
                episode << second;
            }
        }
        drawn += int(episode.size());
        episodes << episode;
    }
    return episodes;
}

qint64 FaultCampaign::campaignGraceMs(const Settings& settings, qint64 fleetGraceMs)
{
    if (settings.aftershockGrace.count() >= 0)
        return settings.aftershockGrace.count();
    return std::clamp<qint64>(settings.gap.count() - 1000, 0, std::max<qint64>(0, fleetGraceMs));
}

void FaultCampaign::start()
{
    if (m_running || !m_monitor || !m_controller || !m_fleet)
        return;
    m_running = true;
    Detector* detector = m_monitor->detector();
    Detector::Settings ds = detector->settings();
    m_fleetGraceMs = ds.aftershockGraceMs;
    ds.aftershockGraceMs = campaignGraceMs(m_settings, m_fleetGraceMs);
    detector->setSettings(ds);
    m_episodes = draw(m_settings, m_monitor->config());
    m_episode = 0;
    m_records = {};
    m_gapIncidents = {};
    m_startedMs = QDateTime::currentMSecsSinceEpoch();
    m_journal = std::make_unique<FaultJournal>(m_monitor->detector());
    int faults = 0;
    for (const auto& e : std::as_const(m_episodes))
        faults += int(e.size());
    Q_EMIT progress(QStringLiteral("campaign: %1 faults in %2 episodes, seed %3; quiet gap %4 s, aftershock grace %5 s "
                                   "(the fleet's: %6 s), correlation window %7 s")
                        .arg(faults)
                        .arg(m_episodes.size())
                        .arg(m_settings.seed)
                        .arg(secondsOf(m_settings.gap.count()))
                        .arg(secondsOf(ds.aftershockGraceMs))
                        .arg(secondsOf(m_fleetGraceMs))
                        .arg(secondsOf(ds.correlationWindowMs)));
    runEpisode();
}

void FaultCampaign::runEpisode()
{
    if (m_episode >= m_episodes.size()) {
        m_running = false;
        const QJsonObject summary = summarize(m_records, m_gapIncidents, m_settings.seed);
        QJsonObject out = summary;
        out.insert(
            QStringLiteral("duration_s"), DrillOutcome::seconds(m_startedMs, QDateTime::currentMSecsSinceEpoch()));
        // The timings the score was taken under: an incident is scored on the faults of its episode only.
        Detector* detector = m_monitor ? m_monitor->detector() : nullptr;
        if (detector) {
            Detector::Settings ds = detector->settings();
            out.insert(QStringLiteral("gap_s"), secondsOf(m_settings.gap.count()));
            out.insert(QStringLiteral("aftershock_grace_s"), secondsOf(ds.aftershockGraceMs));
            out.insert(QStringLiteral("correlation_window_s"), secondsOf(ds.correlationWindowMs));
            ds.aftershockGraceMs = m_fleetGraceMs;
            detector->setSettings(ds);
        }
        Q_EMIT finished(out);
        return;
    }
    if (m_runner)
        m_runner->deleteLater();
    m_runner = new DrillRunner(m_monitor, m_controller, m_fleet, this);
    m_runner->setJournal(m_journal.get());
    DrillRunner::Settings s;
    s.mode = DrillRunner::Mode::Auto;
    s.phaseTimeout = m_settings.phaseTimeout;
    // The quiet gap is the warm-up; with attacks drawn, the first one is long enough for the attack rule's baseline.
    const bool attacks = m_settings.kinds.isEmpty() || m_settings.kinds.contains(QStringLiteral("attack"));
    s.warmup = m_episode == 0 && attacks ? std::max(m_settings.gap, std::chrono::milliseconds(12000)) : m_settings.gap;
    s.operatorName = m_settings.operatorName;
    m_runner->setSettings(s);
    connect(m_runner, &DrillRunner::progress, this, &FaultCampaign::progress);
    connect(m_runner, &DrillRunner::finished, this, &FaultCampaign::onEpisodeFinished);
    QString error;
    if (!m_runner->start(m_episodes.at(m_episode), &error)) {
        Q_EMIT progress(QStringLiteral("campaign: %1").arg(error));
        m_running = false;
        Detector::Settings ds = m_monitor->detector()->settings();
        ds.aftershockGraceMs = m_fleetGraceMs;
        m_monitor->detector()->setSettings(ds);
        Q_EMIT finished(QJsonObject { { QStringLiteral("error"), error } });
    }
}

void FaultCampaign::onEpisodeFinished(const DrillOutcome& outcome)
{
    // The quiet gap before this episode: from the end of the last one (the first: the warm-up) to the injection.
    const qint64 injected = outcome.injectedMs > 0 ? outcome.injectedMs : outcome.endedMs;
    const qint64 gapFrom = m_gapStartMs > 0 ? m_gapStartMs : injected - std::max<qint64>(0, m_settings.gap.count());
    for (const QString& incident : m_journal->incidentsOpened(gapFrom, injected)) {
        QStringList roots;
        for (const JournalEntry& e : m_journal->rootsOf(incident))
            roots << QStringLiteral("%1 %2").arg(e.target, causeClassName(e.cause));
        m_gapIncidents.append(QJsonObject { { QStringLiteral("incident"), incident },
            { QStringLiteral("before_fault"), int(m_records.size()) },
            { QStringLiteral("roots"), QJsonArray::fromStringList(roots) } });
    }
    m_gapStartMs = outcome.endedMs;

    for (qsizetype i = 0; i < outcome.faults.size(); ++i) {
        const DrillOutcome::PerFault& f = outcome.faults.at(i);
        QJsonObject r { { QStringLiteral("index"), int(m_records.size()) },
            { QStringLiteral("episode"), int(m_episode) }, { QStringLiteral("fault"), f.injected.describe() },
            { QStringLiteral("kind"), f.injected.kind }, { QStringLiteral("target"), f.injected.target },
            { QStringLiteral("truth_root"), f.truth.rootCause }, { QStringLiteral("truth_cause"), f.truth.cause },
            { QStringLiteral("episode_incidents"), int(outcome.incidents.size()) },
            { QStringLiteral("episode_false_roots"), int(outcome.falseRoots.size()) },
            { QStringLiteral("detected"), f.detectedMs > 0 }, { QStringLiteral("right_root"), f.rightRoot },
            { QStringLiteral("right_cause"), f.rightCause },
            { QStringLiteral("recovered"), f.recovered && f.baselineRestored } };
        if (!f.injected.dependency.isEmpty())
            r.insert(QStringLiteral("dependency"), f.injected.dependency);
        if (outcome.faults.size() > 1) {
            const DrillOutcome::PerFault& other = outcome.faults.at(1 - i);
            r.insert(QStringLiteral("with"), other.injected.describe());
            // How the pair is scored: one event may be one incident, two unrelated faults must be two.
            if (m_monitor)
                r.insert(QStringLiteral("one_event"), f.truth.oneEventWith(other.truth, m_monitor->config()));
        }
        r.insert(QStringLiteral("mttd_s"),
            f.detectedMs > 0 ? QJsonValue(DrillOutcome::seconds(outcome.injectedMs, f.detectedMs))
                             : QJsonValue(QJsonValue::Null));
        if (f.named) {
            r.insert(QStringLiteral("named_root"), f.named->target);
            r.insert(QStringLiteral("named_cause"), causeClassName(f.named->cause));
            r.insert(QStringLiteral("said"), f.named->evidence);
        }
        if (!outcome.failure.isEmpty())
            r.insert(QStringLiteral("failure"), outcome.failure);
        // The root causes the ground truth does not explain, as FaultDesk said them (only on the episode's first
        // record: they are the episode's, not a fault's).
        if (i == 0 && !outcome.falseRoots.isEmpty()) {
            QJsonArray falseRoots;
            for (const JournalEntry& e : outcome.falseRoots)
                falseRoots.append(e.toJson());
            r.insert(QStringLiteral("false_roots"), falseRoots);
        }
        m_records.append(r);
        Q_EMIT faultScored(r);
    }
    ++m_episode;
    runEpisode();
}

QJsonObject FaultCampaign::summarize(const QJsonArray& records, const QJsonArray& gapIncidents, quint64 seed)
{
    int faults = 0, rightRoot = 0, rightCause = 0, recovered = 0, incidents = 0;
    QSet<int> episodes;
    QMap<QString, QList<double>> mttd;
    QJsonArray misses;
    for (const QJsonValue& v : records) {
        const QJsonObject r = v.toObject();
        ++faults;
        rightRoot += r.value(QStringLiteral("right_root")).toBool() ? 1 : 0;
        rightCause += r.value(QStringLiteral("right_cause")).toBool() ? 1 : 0;
        recovered += r.value(QStringLiteral("recovered")).toBool() ? 1 : 0;
        const int episode = r.value(QStringLiteral("episode")).toInt();
        if (!episodes.contains(episode)) {
            episodes.insert(episode);
            incidents += r.value(QStringLiteral("episode_incidents")).toInt();
        }
        if (r.value(QStringLiteral("mttd_s")).isDouble())
            mttd[r.value(QStringLiteral("truth_cause")).toString()] << r.value(QStringLiteral("mttd_s")).toDouble();
        if (!r.value(QStringLiteral("right_root")).toBool() || !r.value(QStringLiteral("right_cause")).toBool()) {
            const QString said = r.contains(QStringLiteral("named_root"))
                ? QStringLiteral("%1 %2: %3")
                      .arg(r.value(QStringLiteral("named_root")).toString(),
                          r.value(QStringLiteral("named_cause")).toString(), r.value(QStringLiteral("said")).toString())
                : (r.value(QStringLiteral("detected")).toBool() ? QStringLiteral("detected, but no root cause named")
                        : r.contains(QStringLiteral("failure"))
                        ? QStringLiteral("nothing detected (%1)").arg(r.value(QStringLiteral("failure")).toString())
                        : QStringLiteral("nothing detected"));
            misses.append(QJsonObject { { QStringLiteral("fault"), r.value(QStringLiteral("fault")) },
                { QStringLiteral("truth"),
                    QStringLiteral("%1 %2").arg(r.value(QStringLiteral("truth_root")).toString(),
                        r.value(QStringLiteral("truth_cause")).toString()) },
                { QStringLiteral("said"), said } });
        }
    }
    QJsonObject p50, p99;
    for (auto it = mttd.cbegin(); it != mttd.cend(); ++it) {
        p50.insert(it.key(), percentile(it.value(), 0.50));
        p99.insert(it.key(), percentile(it.value(), 0.99));
    }
    const double acAt1 = share(rightRoot, faults);
    const double perFault = faults > 0 ? std::round(1000.0 * incidents / faults) / 1000.0 : 0;
    const int falseIncidents = int(gapIncidents.size());
    const bool passed = faults > 0 && acAt1 >= RequiredAcAt1 && perFault <= MaxIncidentsPerFault && falseIncidents == 0;
    return QJsonObject { { QStringLiteral("seed"), double(seed) }, { QStringLiteral("faults"), faults },
        { QStringLiteral("ac_at_1"), acAt1 }, { QStringLiteral("cause_accuracy"), share(rightCause, faults) },
        { QStringLiteral("incidents_per_fault"), perFault }, { QStringLiteral("incidents"), incidents },
        { QStringLiteral("false_incidents"), falseIncidents }, { QStringLiteral("false_incident_list"), gapIncidents },
        { QStringLiteral("recovered"), share(recovered, faults) }, { QStringLiteral("mttd_p50_s"), p50 },
        { QStringLiteral("mttd_p99_s"), p99 }, { QStringLiteral("misses"), misses },
        { QStringLiteral("passed"), passed } };
}

QString FaultCampaign::describe(const QJsonObject& r)
{
    auto judged = [&r](const char* key, const char* yes, const char* no) {
        return QLatin1String(r.value(QLatin1String(key)).toBool() ? yes : no);
    };
    return QStringLiteral("fault %1: %2 — root %3, cause %4, %5")
        .arg(r.value(QStringLiteral("index")).toInt() + 1)
        .arg(r.value(QStringLiteral("fault")).toString(), judged("right_root", "right", "WRONG"),
            judged("right_cause", "right", "WRONG"), judged("recovered", "recovered", "NOT recovered"));
}

} // namespace FaultDesk
