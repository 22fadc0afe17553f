#pragma once

#include <QHash>
#include <QMetaType>
#include <QString>
#include <QStringView>

namespace FaultDesk {

/**
 * One check of one target: everything a probe round learnt about it (health probe outcome, signal values
 * derived from the scrape, per-source request rates). The Monitor merges the results of one round into one
 * Observation, because each Observation counts as one check attempt.
 */
struct Observation
{
    /// What the health probing said.
    enum class Probe {
        Ok, ///< every probe answered as expected
        Unhealthy, ///< the target answered but said "not ok" (non-2xx such as 503, body mismatch)
        Down, ///< no usable answer (refused, timeout, reset, DNS, TLS, body limit, parse error)
    };
    /// Why a probe failed; shown in evidence and used to word it.
    enum class FailureKind {
        None,
        Refused,
        Timeout,
        Reset,
        Dns,
        Tls,
        HttpStatus,
        BodyMismatch,
        BodyLimit,
        Parse,
        /// The answer began but did not complete within the deadline: the target is there and slow, not gone (a
        /// timeout with no byte of the answer is Timeout).
        SlowAnswer,
        Stale, ///< synthesised by the detector when no fresh sample arrived in time
        Other,
    };

    QString target;
    qint64 timeMs = 0; ///< when the check finished, ms since the epoch (UTC)
    Probe probe = Probe::Ok;
    FailureKind failureKind = FailureKind::None;
    QString reason; ///< short human text of the failure ("connection refused", "HTTP 503: db unavailable")
    QHash<QString, double> values; ///< signal values by signal name (load, rps, error_rate, p95_latency, …)
    QHash<QString, double> sourceRates; ///< requests per second by client source (attack detection)
    /// The per-source rates were measured this interval: empty @c sourceRates then means no request at all, which
    /// the attack rule counts as time passing (a source that sent nothing is no longer "busy").
    bool sourcesMeasured = false;
    /// The monitor could not tell (its data source failed: Prometheus unreachable, a query error, no sample):
    /// the check neither passes nor fails, the target is UNKNOWN with @c reason until a real check arrives.
    bool monitorBlind = false;

    bool probeFailed() const { return probe != Probe::Ok; }

    /// "refused", "timeout", "reset", "dns", "tls", "http-status", "body-mismatch", "body-limit", "parse",
    /// "slow-answer", "stale", "other", "" for None.
    static QString failureKindName(FailureKind kind);
    static FailureKind failureKindFromName(QStringView name);
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::Observation)
