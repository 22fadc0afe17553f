#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * What one action did: its status, masked description and bounded, masked output, plus the state it read
 * back (HAProxy server state, HTTP status, the checks of a wait gate) in @c data.
 */
struct ActionResult
{
    enum class Status {
        Ok,
        Failed, ///< ran and did not succeed (exit code, HTTP status, read-back mismatch, refused by the peer)
        Timeout, ///< the deadline passed; the action was stopped (a process killed with its children)
        Refused, ///< never ran: bad input, a template value refused, or the intent could not be recorded
        Aborted, ///< stopped by an operator
    };

    Status status = Status::Failed;
    QString kind; ///< command, http, haproxy, wait
    QString description; ///< masked argv / method+URL / runtime API command
    std::optional<int> exitCode; ///< process exit code or HTTP status
    qint64 durationMs = 0;
    QString output; ///< bounded, masked output
    QString error; ///< human-readable reason when not Ok
    QJsonObject data; ///< read-back state, action specific
    bool ran = false; ///< the action really started (its intent was recorded): it may have changed something

    bool ok() const { return status == Status::Ok; }
    /// The audit/UI spelling: ok, failed, timeout, refused, aborted.
    static QString statusName(Status status);
    /// One line for logs and tooltips: "ok", "failed: exit code 3", "timeout: deadline of 2000 ms passed".
    QString summary() const;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::ActionResult)
