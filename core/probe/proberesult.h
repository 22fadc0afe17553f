#pragma once

#include "probe/probespec.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QMetaType>
#include <QString>

namespace FaultDesk {

/**
 * Outcome of one probe: a plain value type emitted across threads. Failed probes carry a machine
 * reason (FailureReason) and a sentence for the operator ("timeout after 1000 ms while reading the body").
 */
struct ProbeResult
{
    enum class FailureReason {
        None,
        Refused, ///< the port actively refused the connection
        Timeout, ///< the wall-clock deadline passed (hang, trickle, slow connect)
        Reset, ///< the peer reset or closed the connection before a complete response
        Dns, ///< the host name did not resolve
        Tls, ///< handshake or certificate verification failed, or an https→http redirect
        HttpStatus, ///< a status other than the expected one (including too many redirects)
        BodyLimit, ///< the body grew past the probe's limit; reading stopped there
        BodyMismatch, ///< the body did not contain the expected bytes
        Parse, ///< set by callers whose parser rejected the body
        Config, ///< the probe's own configuration is wrong (authentication refused, unknown role): no fault of the
                ///< target
        Other, ///< malformed HTTP and anything else
    };

    QString target; ///< the target's name as given to the engine
    int probeIndex = 0; ///< index of the probe within its target
    ProbeSpec::Kind kind = ProbeSpec::Kind::Http;
    bool ok = false;
    FailureReason reason = FailureReason::None;
    QString reasonText; ///< readable, e.g. "timeout after 1000 ms" or "HTTP 503: db integrity check failed"
    int httpStatus = 0; ///< final status line's code, 0 when none was received
    QByteArray body; ///< the response body (empty on body-limit or connection failures)
    /// Signals the probe measured itself, by name (the postgres probe's pg_*; pg_up is 0 on a failure).
    QHash<QString, double> values;
    QDateTime startedAt; ///< UTC wall clock when the probe started
    qint64 elapsedUs = 0; ///< from start to result
    qint64 bytesRead = 0; ///< bytes received from the network for this probe (headers and body)

    /// Stable short name of @p reason for logs, JSON and metrics: "refused", "timeout", "http-status" …
    static QString reasonName(FailureReason reason);
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::ProbeResult)
