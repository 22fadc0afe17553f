#include "prom/prometheussource.h"

#include "prom/prometheusclient.h"
#include "util/logging.h"

#include <QDateTime>
#include <QMap>
#include <QPointer>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace FaultDesk {

namespace {

// A PromQL double-quoted string literal.
QString promString(const QString& s)
{
    QString out = s;
    out.replace(u'\\', QStringLiteral("\\\\"));
    out.replace(u'"', QStringLiteral("\\\""));
    return u'"' + out + u'"';
}

QString instanceOf(const PromSeries& s)
{
    return s.labels.value(QStringLiteral("instance"));
}

// Prometheus caps a range query at 11,000 points per series.
constexpr qint64 MaxRangePoints = 11000;

} // namespace

struct PrometheusSource::Round
{
    quint64 generation = 0;
    qint64 timeMs = 0;
    int pending = 0;
    PromQueryResult up;
    QList<PromQueryResult> signalResults;
};

PrometheusSource::PrometheusSource(const PrometheusSourceConfig& config, qint64 defaultIntervalMs, QObject* parent)
    : QObject(parent)
    , m_config(config)
    , m_intervalMs(config.interval.count() > 0 ? config.interval.count() : defaultIntervalMs)
{
    qRegisterMetaType<FaultDesk::Observation>();
    qRegisterMetaType<QList<FaultDesk::Observation>>();
    qRegisterMetaType<FaultDesk::PrometheusSource::Target>();
    PrometheusClient::Settings settings;
    settings.baseUrl = config.url;
    settings.token = config.token;
    settings.caFile = config.tlsCaFile;
    settings.insecureTokenOverHttp = config.insecureTokenOverHttp;
    settings.timeoutMs = int(config.queryTimeout.count());
    m_client = std::make_unique<PrometheusClient>(settings);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] { poll(QDateTime::currentMSecsSinceEpoch()); });
    connect(&m_discoveryTimer, &QTimer::timeout, this, &PrometheusSource::refreshTargets);
}

PrometheusSource::~PrometheusSource()
{
    stop();
}

void PrometheusSource::setDeclaredTargets(const QList<Target>& targets)
{
    m_declared = targets;
    m_byName.clear();
    for (const Target& t : std::as_const(m_declared))
        m_byName.insert(t.name, 0);
    for (const Target& t : std::as_const(m_discovered))
        m_byName.insert(t.name, 1);
}

QList<PrometheusSource::Target> PrometheusSource::targets() const
{
    return m_declared + m_discovered;
}

void PrometheusSource::start()
{
    m_timer.start(int(m_intervalMs));
    if (m_config.discover) {
        m_discoveryTimer.start(int(m_discoveryOk ? m_config.discover->refresh.count() : m_intervalMs));
        refreshTargets();
    }
    poll(QDateTime::currentMSecsSinceEpoch());
}

void PrometheusSource::stop()
{
    m_timer.stop();
    m_discoveryTimer.stop();
    ++m_generation;
    m_round.reset();
    m_discoveryBusy = false;
    m_client->abortAll();
}

QString PrometheusSource::upQuery() const
{
    QStringList parts;
    if (m_config.discover)
        parts << QStringLiteral("up{job=%1}").arg(promString(m_config.discover->job));
    QStringList instances;
    for (const Target& t : m_declared)
        instances << QRegularExpression::escape(t.instance);
    if (!instances.isEmpty())
        parts << QStringLiteral("up{instance=~%1}").arg(promString(instances.join(u'|')));
    if (parts.isEmpty())
        return QStringLiteral("up{job=\"\"}");
    return parts.join(QStringLiteral(" or "));
}

void PrometheusSource::poll(qint64 nowMs)
{
    if (m_round) {
        ++m_skipped;
        return;
    }
    m_round = std::make_unique<Round>();
    m_round->generation = m_generation;
    m_round->timeMs = nowMs;
    m_round->pending = 1 + int(m_config.signalConfigs.size());
    m_round->signalResults.resize(m_config.signalConfigs.size());
    const quint64 generation = m_generation;
    QPointer<PrometheusSource> self(this);
    auto arrived = [this, self, generation](int index, const PromQueryResult& r) {
        if (!self || !m_round || m_round->generation != generation)
            return;
        if (index < 0)
            m_round->up = r;
        else
            m_round->signalResults[index] = r;
        if (--m_round->pending == 0)
            finishRound();
    };
    m_client->query(upQuery(), 0, [arrived](const PromQueryResult& r) { arrived(-1, r); });
    for (int i = 0; i < m_config.signalConfigs.size(); ++i)
        m_client->query(
            m_config.signalConfigs.at(i).query, 0, [arrived, i](const PromQueryResult& r) { arrived(i, r); });
}

void PrometheusSource::finishRound()
{
    const std::unique_ptr<Round> round = std::move(m_round);
    ++m_rounds;
    const QList<Target> all = targets();
    QList<Observation> out;
    out.reserve(all.size());

    // Health comes from `up` alone: without it nothing can be said about any target.
    if (!round->up.ok()) {
        for (const Target& t : all) {
            Observation o;
            o.target = t.name;
            o.timeMs = round->timeMs;
            o.monitorBlind = true;
            o.reason = round->up.errorText;
            out.append(o);
        }
        setDegraded(true, round->up.errorText, int(all.size()));
        Q_EMIT observed(out);
        return;
    }
    // A failed signal query leaves its values out: the health verdict stands, and threshold rules keep their
    // current state for a missing value (no false breach, no false clear). The source still reports it.
    QString signalFailure;
    for (const PromQueryResult& r : std::as_const(round->signalResults)) {
        if (signalFailure.isEmpty() && !r.ok())
            signalFailure = r.errorText;
    }

    QHash<QString, double> up;
    for (const PromSeries& s : std::as_const(round->up.series)) {
        if (s.samples.isEmpty())
            continue;
        const QString instance = instanceOf(s);
        const double v = s.samples.constFirst().value;
        // Two jobs scraping one instance: one failing scrape is enough to report it.
        const auto it = up.find(instance);
        if (it == up.end())
            up.insert(instance, v);
        else
            *it = std::min(*it, v);
    }
    QList<QHash<QString, double>> sums(round->signalResults.size());
    for (int i = 0; i < round->signalResults.size(); ++i) {
        for (const PromSeries& s : std::as_const(round->signalResults.at(i).series)) {
            // NaN is "no value" (0/0 of a quiet interval), not a breach and not a clear.
            if (s.samples.isEmpty() || !std::isfinite(s.samples.constFirst().value))
                continue;
            sums[i][instanceOf(s)] += s.samples.constFirst().value;
        }
    }

    QStringList missing;
    for (const Target& t : all) {
        Observation o;
        o.target = t.name;
        o.timeMs = round->timeMs;
        const auto u = up.constFind(t.instance);
        if (u == up.cend()) {
            o.monitorBlind = true;
            o.reason = m_client->displayName()
                + QStringLiteral(" has no 'up' sample for instance %1 (not scraped by it?)").arg(t.instance);
            missing << t.name;
        } else if (*u < 0.5) {
            o.probe = Observation::Probe::Down;
            o.failureKind = Observation::FailureKind::Other;
            o.reason = QStringLiteral("Prometheus reports up=0 (last scrape failed)");
        } else {
            for (int i = 0; i < sums.size(); ++i) {
                const auto v = sums.at(i).constFind(t.instance);
                if (v != sums.at(i).cend())
                    o.values.insert(m_config.signalConfigs.at(i).name, *v);
            }
        }
        out.append(o);
    }
    if (missing.isEmpty() && signalFailure.isEmpty()) {
        setDegraded(false, {}, 0);
    } else if (missing.isEmpty()) {
        setDegraded(true, signalFailure + QStringLiteral(" (health still judged from 'up')"), 0);
    } else {
        QStringList shown = missing.mid(0, 5);
        if (missing.size() > shown.size())
            shown << QStringLiteral("…");
        setDegraded(true,
            m_client->displayName()
                + QStringLiteral(" has no data for %1 of %2 targets (%3)")
                      .arg(missing.size())
                      .arg(all.size())
                      .arg(shown.join(QStringLiteral(", "))),
            int(missing.size()));
    }
    Q_EMIT observed(out);
}

void PrometheusSource::setDegraded(bool degraded, const QString& reason, int affected)
{
    m_degradedReason = reason;
    m_affected = affected;
    if (degraded == m_degraded)
        return;
    m_degraded = degraded;
    if (degraded)
        qCWarning(lcApp).noquote() << "monitoring degraded:" << reason;
    else
        qCInfo(lcApp).noquote() << m_client->displayName() << "answers again";
    Q_EMIT degradedChanged(degraded, reason, affected);
}

void PrometheusSource::refreshTargets()
{
    if (!m_config.discover || m_discoveryBusy)
        return;
    m_discoveryBusy = true;
    const quint64 generation = m_generation;
    QPointer<PrometheusSource> self(this);
    m_client->targets([this, self, generation](const PromTargetsResult& r) {
        if (!self || generation != m_generation)
            return;
        m_discoveryBusy = false;
        if (!r.ok()) {
            // Keep the last known list: the rounds report the outage for the targets it holds.
            qCWarning(lcApp).noquote() << "target discovery:" << r.errorText;
            return;
        }
        if (!m_discoveryOk) {
            m_discoveryOk = true;
            if (m_discoveryTimer.isActive())
                m_discoveryTimer.start(int(m_config.discover->refresh.count()));
        }
        const PrometheusDiscoveryConfig& d = *m_config.discover;
        QHash<QString, QString> declaredInstance; // instance → declared name
        QHash<QString, QString> declaredName; // name → instance
        for (const Target& t : std::as_const(m_declared)) {
            declaredInstance.insert(t.instance, t.name);
            declaredName.insert(t.name, t.instance);
        }
        QList<Target> found;
        QSet<QString> names;
        for (const PromTargetInfo& info : r.targets) {
            if (info.labels.value(QStringLiteral("job")) != d.job && info.scrapePool != d.job)
                continue;
            Target t;
            t.discovered = true;
            t.instance = info.labels.value(QStringLiteral("instance"));
            t.name = info.labels.value(d.nameLabel);
            if (!d.groupLabel.isEmpty())
                t.group = info.labels.value(d.groupLabel);
            if (t.name.isEmpty() || t.instance.isEmpty() || declaredInstance.contains(t.instance))
                continue;
            if (declaredName.contains(t.name) || names.contains(t.name)) {
                qCWarning(lcApp).noquote() << "target discovery: two targets are named" << t.name
                                           << "; keeping the first (set discover.name_label to a unique label)";
                continue;
            }
            names.insert(t.name);
            found.append(t);
        }
        applyDiscovery(found);
    });
}

void PrometheusSource::applyDiscovery(const QList<Target>& found)
{
    QHash<QString, const Target*> before;
    for (const Target& t : std::as_const(m_discovered))
        before.insert(t.name, &t);
    QList<Target> added;
    QSet<QString> kept;
    for (const Target& t : found) {
        const Target* old = before.value(t.name);
        if (!old || old->instance != t.instance || old->group != t.group)
            added.append(t);
        kept.insert(t.name);
    }
    QStringList removed;
    for (const Target& t : std::as_const(m_discovered)) {
        if (!kept.contains(t.name))
            removed << t.name;
    }
    m_discovered = found;
    setDeclaredTargets(m_declared);
    if (!added.isEmpty() || !removed.isEmpty())
        Q_EMIT targetsChanged(added, removed);
}

void PrometheusSource::requestHistory(const QStringList& targetNames, qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    if (toMs <= fromMs)
        return;
    QHash<QString, QString> nameOf; // instance → target
    for (const Target& t : targets()) {
        if (targetNames.contains(t.name))
            nameOf.insert(t.instance, t.name);
    }
    if (nameOf.isEmpty())
        return;
    const qint64 step = std::max<qint64>({ stepMs, 1, (toMs - fromMs) / (MaxRangePoints - 1) + 1 });
    QPointer<PrometheusSource> self(this);
    for (const PrometheusSignalConfig& s : std::as_const(m_config.signalConfigs)) {
        const QString signal = s.name;
        m_client->queryRange(s.query, fromMs, toMs, step, [this, self, signal, nameOf](const PromQueryResult& r) {
            if (!self)
                return;
            if (!r.ok()) {
                Q_EMIT historyFailed(signal, r.errorText);
                return;
            }
            QHash<QString, QMap<qint64, double>> summed;
            for (const PromSeries& series : r.series) {
                const auto name = nameOf.constFind(instanceOf(series));
                if (name == nameOf.cend())
                    continue;
                QMap<qint64, double>& points = summed[*name];
                for (const PromPoint& p : series.samples) {
                    if (std::isfinite(p.value))
                        points[p.timeMs] += p.value;
                }
            }
            QHash<QString, QList<PromPoint>> byTarget;
            for (auto it = summed.cbegin(); it != summed.cend(); ++it) {
                QList<PromPoint>& out = byTarget[it.key()];
                out.reserve(it->size());
                for (auto p = it->cbegin(); p != it->cend(); ++p)
                    out.append({ p.key(), p.value() });
            }
            Q_EMIT historyReady(signal, byTarget);
        });
    }
}

} // namespace FaultDesk
