#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <optional>

namespace FaultDesk {

/**
 * One line of the audit trail. Every remediation step writes two: an Intent before it runs and a Result
 * after (same actionId). An Intent without a Result after a restart is an unfinished remediation.
 * Text fields must already be masked: no secret ever reaches a record.
 */
struct AuditRecord
{
    enum class Phase {
        Intent,
        Result,
    };

    QString actionId; ///< links the Intent and the Result of one step
    Phase phase = Phase::Intent;
    QDateTime timeUtc; ///< when the record was written (UTC)
    QString operatorName; ///< the person who pressed the button, or "auto" for automatic remediation
    QString target; ///< target name the action acts on
    QString incidentId; ///< incident the action belongs to (may be empty)
    QString runbook; ///< runbook name and step ("crash/handle#1"), may be empty
    QString actionKind; ///< command, http, haproxy, wait
    QString description; ///< masked argv / method+URL / runtime API command
    QJsonObject baseline; ///< the recorded pre-fault baseline (Intent records of Handle runbooks)
    // Result only:
    QString status; ///< ok, failed, timeout, refused, aborted, rolled-back
    std::optional<int> exitCode; ///< process exit code or HTTP status
    qint64 durationMs = -1;
    QString outputExcerpt; ///< bounded, masked output

    /// This record with every secret SecretMask knows masked in its texts: what each sink writes, whoever
    /// filled the record in.
    AuditRecord masked() const;
    QJsonObject toJson() const;
    /// Parses a record written by toJson(); returns std::nullopt (and sets @p error) when malformed.
    static std::optional<AuditRecord> fromJson(const QJsonObject& object, QString* error = nullptr);
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::AuditRecord)
