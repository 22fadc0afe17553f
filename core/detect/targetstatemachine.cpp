#include "detect/targetstatemachine.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

namespace FaultDesk {

namespace {

QString clock(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("HH:mm:ss"));
}

QString number(double v)
{
    return QString::number(v, 'g', 4);
}

QString probeVerb(Observation::FailureKind kind)
{
    using K = Observation::FailureKind;
    switch (kind) {
    case K::Refused:
        return QStringLiteral("refused");
    case K::Timeout:
        return QStringLiteral("timed out");
    case K::Reset:
        return QStringLiteral("were reset");
    case K::Dns:
        return QStringLiteral("failed to resolve");
    case K::Tls:
        return QStringLiteral("failed TLS");
    case K::BodyLimit:
        return QStringLiteral("exceeded the body limit");
    case K::Parse:
        return QStringLiteral("returned unparsable data");
    case K::SlowAnswer:
        return QStringLiteral("answered too slowly");
    case K::Stale:
        return QStringLiteral("went stale");
    default:
        return QStringLiteral("failed");
    }
}

QString causeHeadline(const QString& target, CauseClass cause)
{
    switch (cause) {
    case CauseClass::Down:
        return target + u" is down";
    case CauseClass::Unreachable:
        return target + u" is unreachable (no answer)";
    case CauseClass::DataIntegrity:
        return target + u" data integrity failed";
    case CauseClass::Network:
        return target + u" cannot reach a dependency";
    case CauseClass::Attack:
        return target + u" is under attack";
    case CauseClass::Overload:
        return target + u" is overloaded";
    case CauseClass::Errors:
        return target + u" is returning errors";
    case CauseClass::Latency:
        return target + u" is slow";
    case CauseClass::Unhealthy:
        return target + u" is unhealthy";
    }
    return target + u" is unhealthy";
}

// Two numbers as printed in one sentence: enough digits that the printed values compare like the real ones.
std::pair<QString, QString> distinct(double a, double b)
{
    for (int digits = 4; digits <= 12; ++digits) {
        const QString x = QString::number(a, 'g', digits);
        const QString y = QString::number(b, 'g', digits);
        if (a == b || x != y)
            return { x, y };
    }
    return { QString::number(a, 'g', 17), QString::number(b, 'g', 17) };
}

QString countedChecks(qsizetype n, const QString& noun)
{
    if (n == 1)
        return u"1 " + noun;
    return QString::number(n) + u" consecutive " + noun + u's';
}

} // namespace

std::optional<CauseClass> TargetStateMachine::Check::primaryCause() const
{
    std::optional<CauseClass> best;
    auto consider = [&best](CauseClass c) {
        if (!best || int(c) < int(*best))
            best = c;
    };
    if (probe == Observation::Probe::Down) {
        // No answer at all (the host or the path is gone) is not the same as a refusal (the process is gone).
        // And an answer that began but did not finish in time is a slow server, neither gone nor cut off.
        using K = Observation::FailureKind;
        const bool noAnswer = failureKind == K::Timeout || failureKind == K::Dns || failureKind == K::Tls;
        consider(failureKind == K::SlowAnswer ? CauseClass::Latency
                : noAnswer                    ? CauseClass::Unreachable
                                              : CauseClass::Down);
    } else if (probe == Observation::Probe::Unhealthy)
        consider(CauseClass::Unhealthy);
    for (const Breach& b : breaches)
        consider(b.cause);
    return best;
}

TargetStateMachine::TargetStateMachine(const TargetPolicy& policy)
    : m_policy(policy)
    , m_attack(policy.attack)
    , m_flapping(policy.flappingLow, policy.flappingHigh)
{
    m_policy.attempts = std::max(1, m_policy.attempts);
    for (const ThresholdRule& r : m_policy.thresholds) {
        Rule rule;
        rule.rule = r;
        if (r.adaptive)
            rule.learner.emplace(r, AdaptiveThreshold::Model::Normal, uint(qHash(m_policy.name)));
        m_rules.append(rule);
    }
}

EffectiveThreshold TargetStateMachine::effective(const Rule& r) const
{
    EffectiveThreshold e;
    e.signal = r.rule.signal;
    e.direction = r.rule.direction;
    e.breached = r.breached;
    e.enter = r.rule.enter;
    e.clear = r.rule.clear;
    const std::optional<double> pin = r.operatorPin ? r.operatorPin : r.rule.pinned;
    if (r.learner) {
        const AdaptiveThreshold::Estimate est = r.learner->estimate();
        e.baselineSamples = est.samples;
        e.baselineMean = est.mean;
        e.baselineSd = est.sd;
        if (!pin) {
            e.source = est.valid ? EffectiveThreshold::Source::Adaptive : EffectiveThreshold::Source::Learning;
            if (est.valid) {
                e.enter = est.enter;
                e.clear = est.clear;
            }
            return e;
        }
    }
    e.source = EffectiveThreshold::Source::Pinned;
    if (pin) {
        // The configured band width (enter − clear) moves with the pinned level.
        e.clear = *pin - (r.rule.enter - r.rule.clear);
        e.enter = *pin;
    }
    return e;
}

void TargetStateMachine::observe(const Observation& o)
{
    if (m_last && o.timeMs < m_last->timeMs)
        return;
    if (o.monitorBlind) {
        // Not a missing check either: the source answered for it, only not about the target.
        m_lastFreshMs = o.timeMs;
        m_lastStaleMs = -1;
        Check blind;
        blind.timeMs = o.timeMs;
        blind.reason = o.reason;
        m_last = blind;
        setBlind(true, o.timeMs, o.reason);
        return;
    }
    setBlind(false, o.timeMs, QStringLiteral("monitoring restored"));
    const bool synthetic = o.failureKind == Observation::FailureKind::Stale;
    if (!synthetic)
        m_lastFreshMs = o.timeMs;
    // The usual round reports every signal the target has: take its hash as it is. Inserting into ours instead
    // copied it on every check, because the fleet model's status of the target still shares it.
    const bool covers = o.values.size() >= m_values.size()
        && std::all_of(m_values.keyBegin(), m_values.keyEnd(), [&o](const QString& k) { return o.values.contains(k); });
    if (covers) {
        m_values = o.values;
    } else {
        for (auto it = o.values.cbegin(); it != o.values.cend(); ++it)
            m_values.insert(it.key(), it.value());
    }

    Check check;
    check.timeMs = o.timeMs;
    check.probe = o.probe;
    check.failureKind = o.probe == Observation::Probe::Ok ? Observation::FailureKind::None : o.failureKind;
    check.reason = o.reason;

    // Threshold rules keep their breach state when the value is missing (the scrape failed): the probe
    // failure already fails the check, and a gap must not clear a breach.
    for (Rule& r : m_rules) {
        const auto it = o.values.constFind(r.rule.signal);
        const EffectiveThreshold e = effective(r);
        const bool fresh = it != o.values.cend() && std::isfinite(it.value());
        if (fresh) {
            const double v = it.value();
            const bool above = r.rule.direction == ThresholdRule::Direction::Above;
            if (!r.breached) {
                r.breached = above ? v > e.enter : v < e.enter;
                if (r.breached) {
                    r.crossedMs = o.timeMs;
                    r.crossedLevel = e.enter;
                }
            } else {
                r.breached = above ? v > e.clear : v < e.clear;
            }
        }
        if (r.breached) {
            Breach b;
            b.signal = r.rule.signal;
            b.cause = r.rule.cause;
            b.value = m_values.value(r.rule.signal);
            b.level = e.enter;
            b.clear = e.clear;
            b.crossedMs = r.crossedMs;
            b.crossedLevel = r.crossedLevel;
            b.link = r.rule.link;
            b.direction = r.rule.direction;
            b.levelSource = e.source;
            b.fresh = fresh;
            check.breaches.append(b);
        }
    }
    const bool freshSources = (o.sourcesMeasured || !o.sourceRates.isEmpty()) && !m_unknownHold;
    if (freshSources) {
        const AttackDetector::Verdict v = m_attack.observe(o.sourceRates, o.timeMs);
        m_attackBreached = v.underAttack;
    }
    if (m_attackBreached) {
        const AttackDetector::Verdict v = m_attack.verdict();
        Breach b;
        b.signal = QStringLiteral("sources");
        b.cause = CauseClass::Attack;
        b.value = v.totalRate;
        b.level = v.baselineRate * m_policy.attack.rateFactor;
        b.attack = v;
        b.fresh = freshSources && !o.sourceRates.isEmpty(); // an interval without requests witnesses nothing
        check.breaches.append(b);
    }
    judge(check, o.values);
}

void TargetStateMachine::judge(const Check& check, const QHash<QString, double>& freshValues)
{
    if (m_unknownHold) {
        m_last = check;
        return;
    }
    // Confirming a fault takes failing checks that each measured it; a kept breach is no second witness.
    if (check.failed() && !check.conclusive())
        return;
    m_last = check;
    const bool failed = check.failed();
    if (m_flapping.record(failed ? 1 : 0))
        m_flappingChanges.append({ check.timeMs, m_flapping.isFlapping(), m_flapping.percent() });

    if (failed) {
        ++m_failures;
        m_failedChecks.append(check);
        while (m_failedChecks.size() > m_policy.attempts)
            m_failedChecks.removeFirst();
        m_base = m_failures >= m_policy.attempts ? TargetState::Hard : TargetState::Soft;
    } else {
        m_failures = 0;
        m_failedChecks.clear();
        m_base = TargetState::Up;
        m_unreachable = false;
        // Learn only from healthy checks, or a slow fault would teach the threshold to accept itself; and only
        // from values this check brought, not the last known ones.
        for (Rule& r : m_rules) {
            const auto it = freshValues.constFind(r.rule.signal);
            if (r.learner && !r.breached && check.probe == Observation::Probe::Ok && it != freshValues.cend())
                r.learner->addSample(it.value());
        }
    }
    publish(check.timeMs, transitionReason());
}

QString TargetStateMachine::transitionReason() const
{
    if (!m_last)
        return QString();
    if (!m_last->failed())
        return QStringLiteral("check passed");
    if (m_base == TargetState::Soft) {
        const auto cause = m_last->primaryCause();
        return QStringLiteral("check failed (%1), attempt %2 of %3")
            .arg(cause ? causeClassName(*cause) : QStringLiteral("unhealthy"))
            .arg(m_failures)
            .arg(m_policy.attempts);
    }
    return evidence();
}

void TargetStateMachine::publish(qint64 nowMs, const QString& reason)
{
    TargetState s = m_base;
    if (m_unknownHold || m_blind)
        s = TargetState::Unknown;
    else if (m_base == TargetState::Hard && m_unreachable)
        s = TargetState::Unreachable;
    if (s == m_published)
        return;
    m_transitions.append({ nowMs, m_published, s, reason });
    m_published = s;
}

bool TargetStateMachine::checkStaleness(qint64 nowMs)
{
    if (m_lastFreshMs < 0) {
        m_lastFreshMs = nowMs;
        return false;
    }
    if (nowMs - m_lastFreshMs < m_policy.staleAfterMs)
        return false;
    if (m_lastStaleMs >= 0 && nowMs - m_lastStaleMs < m_policy.intervalMs)
        return false;
    m_lastStaleMs = nowMs;
    Observation o;
    o.target = m_policy.name;
    o.timeMs = nowMs;
    o.probe = Observation::Probe::Down;
    o.failureKind = Observation::FailureKind::Stale;
    o.reason = QStringLiteral("no fresh check for %1 s").arg(number((nowMs - m_lastFreshMs) / 1000.0));
    observe(o);
    return true;
}

void TargetStateMachine::setUnknown(bool unknown, qint64 nowMs, const QString& reason)
{
    if (unknown == m_unknownHold)
        return;
    m_unknownHold = unknown;
    restartJudgement(nowMs, reason);
}

void TargetStateMachine::setBlind(bool blind, qint64 nowMs, const QString& reason)
{
    if (blind == m_blind)
        return;
    m_blind = blind;
    restartJudgement(nowMs, reason);
}

void TargetStateMachine::restartJudgement(qint64 nowMs, const QString& reason)
{
    // Into or out of a time the monitor could not see the target: the failure count restarts either way, what was
    // seen before proves nothing about it afterwards.
    m_failures = 0;
    m_failedChecks.clear();
    m_base = TargetState::Unknown;
    m_unreachable = false;
    publish(nowMs, reason);
}

void TargetStateMachine::setUnreachable(bool unreachable, qint64 nowMs, const QString& reason)
{
    if (unreachable == m_unreachable)
        return;
    m_unreachable = unreachable;
    publish(nowMs, reason);
}

qint64 TargetStateMachine::nextCheckDueMs() const
{
    if (!m_last)
        return 0;
    return m_last->timeMs + (m_base == TargetState::Soft ? m_policy.retryIntervalMs : m_policy.intervalMs);
}

std::optional<CauseClass> TargetStateMachine::primaryCause() const
{
    if (!m_last || !m_last->failed())
        return std::nullopt;
    const auto cause = m_last->primaryCause();
    // No answer now after a refusal before: the process was gone, whatever the last probe saw.
    if (cause == CauseClass::Unreachable) {
        for (const Check& c : m_failedChecks) {
            if (c.primaryCause() == CauseClass::Down)
                return CauseClass::Down;
        }
    }
    return cause;
}

QStringList TargetStateMachine::breachedSignals() const
{
    QStringList out;
    for (const Check& c : m_failedChecks) {
        for (const Breach& b : c.breaches) {
            if (!out.contains(b.signal))
                out.append(b.signal);
        }
    }
    return out;
}

QString TargetStateMachine::brokenLink() const
{
    if (!m_last)
        return {};
    for (const Breach& b : m_last->breaches) {
        if (!b.link.isEmpty())
            return b.link;
    }
    return {};
}

QString TargetStateMachine::evidence() const
{
    const auto cause = primaryCause();
    if (!cause)
        return QString();
    // The deciding samples: the failing checks that show this cause.
    QList<Check> checks;
    const bool gone = cause == CauseClass::Down || cause == CauseClass::Unreachable;
    for (const Check& c : m_failedChecks) {
        const auto own = c.primaryCause();
        if (own == cause || (gone && (own == CauseClass::Down || own == CauseClass::Unreachable)))
            checks.append(c);
    }
    if (checks.isEmpty())
        checks.append(*m_last);
    const QString head = causeHeadline(m_policy.name, *cause);

    // A cause the probes themselves showed (no rule breach to quote): what they got, when.
    const bool probeCause = (*cause == CauseClass::Unhealthy && checks.last().probe != Observation::Probe::Ok)
        || (*cause == CauseClass::Latency && checks.last().failureKind == Observation::FailureKind::SlowAnswer);
    if (*cause == CauseClass::Down || *cause == CauseClass::Unreachable || probeCause) {
        bool sameKind = true;
        bool sameReason = true;
        for (const Check& c : checks) {
            sameKind = sameKind && c.failureKind == checks.first().failureKind;
            sameReason = sameReason && c.reason == checks.first().reason;
        }
        const bool down = *cause == CauseClass::Down || *cause == CauseClass::Unreachable;
        const bool probes = down || checks.first().probe == Observation::Probe::Down;
        const QString what = probes ? countedChecks(checks.size(), QStringLiteral("probe"))
                                    : countedChecks(checks.size(), QStringLiteral("health check"));
        const QString verb = probes && sameKind ? probeVerb(checks.first().failureKind) : QStringLiteral("failed");
        QStringList parts;
        if (sameReason) {
            QStringList times;
            for (const Check& c : checks)
                times.append(clock(c.timeMs));
            parts.append(checks.first().reason + u" at " + times.join(u", "));
        } else {
            for (const Check& c : checks)
                parts.append(c.reason + u" at " + clock(c.timeMs));
        }
        return head + u": " + what + u' ' + verb + u" (" + parts.join(u"; ") + u')';
    }

    // A rule breach: find it in the latest check.
    const Check& last = checks.last();
    const auto b = std::find_if(
        last.breaches.cbegin(), last.breaches.cend(), [&](const Breach& br) { return br.cause == *cause; });
    if (b == last.breaches.cend())
        return head;
    if (*cause == CauseClass::Attack) {
        const AttackDetector::Verdict& v = b->attack;
        QStringList named;
        for (int i = 0; i < v.sources.size(); ++i)
            named.append(v.sources[i] + u" (" + number(v.sourceRates.value(i)) + u" req/s)");
        // Every number is counted over the same recent window, so they agree: the named sources' rates add up to no
        // more than the busiest sources' share of the total.
        const QString busiest = m_policy.attack.topSources == 1
            ? QStringLiteral("the busiest source")
            : u"the " + QString::number(m_policy.attack.topSources) + u" busiest sources";
        // A server that had no traffic to speak of has a baseline of 0: no factor of it is true.
        const QString against = v.baselineRate > 0
            ? number(v.totalRate / v.baselineRate) + u"× its baseline of " + number(v.baselineRate)
            : QStringLiteral("up from a baseline of 0");
        return head + u": " + number(v.totalRate) + u" req/s, " + against + u" req/s (counted over the last "
            + number(v.windowSeconds) + u" s); " + busiest + u" sent "
            + QString::number(qRound(v.countedTopShare * 100)) + u"% of its requests"
            + (named.isEmpty() ? QString() : u"; flooding sources: " + named.join(u", "));
    }
    const QString dir
        = b->direction == ThresholdRule::Direction::Above ? QStringLiteral("above") : QStringLiteral("below");
    const QString source
        = b->levelSource == EffectiveThreshold::Source::Adaptive ? QStringLiteral(", adaptive") : QString();
    const QString linkHead = b->link.isEmpty() ? head : m_policy.name + u" cannot reach " + b->link;
    bool sameValue = true;
    QList<std::pair<qint64, double>> samples;
    for (const Check& c : checks) {
        for (const Breach& br : c.breaches) {
            if (br.signal == b->signal) {
                samples.append({ c.timeMs, br.value });
                sameValue = sameValue && br.value == b->value;
            }
        }
    }
    QStringList parts;
    for (const auto& [t, v] : samples)
        parts.append(sameValue ? clock(t) : number(v) + u" at " + clock(t));
    const QString span = u" for " + QString::number(samples.size()) + (samples.size() == 1 ? u" check (" : u" checks (")
        + parts.join(u", ") + u')';
    // Hysteresis: a value between the clear and the enter level keeps a breach that began earlier; say so, never
    // "above <enter>" of a value that is not.
    const bool past = b->direction == ThresholdRule::Direction::Above ? b->value > b->level : b->value < b->level;
    if (!past) {
        const auto [value, clearLevel] = distinct(b->value, b->clear);
        return linkHead + u": " + b->signal + u" = " + value + u", stayed " + dir + u" the clear level " + clearLevel
            + u" after crossing " + number(b->crossedLevel) + source + u" at " + clock(b->crossedMs) + span;
    }
    const auto [value, level] = distinct(b->value, b->level);
    return linkHead + u": " + b->signal + u" = " + value + u" (" + dir + u' ' + level + source + u')' + span;
}

QList<EffectiveThreshold> TargetStateMachine::thresholds() const
{
    QList<EffectiveThreshold> out;
    out.reserve(m_rules.size());
    for (const Rule& r : m_rules)
        out.append(effective(r));
    return out;
}

bool TargetStateMachine::pinThreshold(const QString& signal, std::optional<double> level)
{
    for (Rule& r : m_rules) {
        if (r.rule.signal == signal) {
            r.operatorPin = level;
            return true;
        }
    }
    return false;
}

QList<TargetStateMachine::Transition> TargetStateMachine::takeTransitions()
{
    return std::exchange(m_transitions, {});
}

QList<TargetStateMachine::FlappingChange> TargetStateMachine::takeFlappingChanges()
{
    return std::exchange(m_flappingChanges, {});
}

} // namespace FaultDesk
