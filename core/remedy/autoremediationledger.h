#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <chrono>

namespace FaultDesk {

/// Limits of automatic remediation (Monit's "3 restarts within 5 cycles", Kubernetes' crash-loop backoff).
struct AutoRemediationPolicy
{
    bool enabled = false; ///< automatic remediation is off until an operator turns it on
    int maxAttempts = 3; ///< per target within windowCycles; reaching it stops automatic remediation there
    int windowCycles = 5;
    std::chrono::milliseconds backoffInitial { 10000 }; ///< wait after the first attempt; doubles each attempt
    std::chrono::milliseconds backoffMax { 300000 };
    std::chrono::milliseconds resetAfterHealthy { 600000 }; ///< healthy this long: the backoff starts over
};

/**
 * Per-target memory of automatic remediation attempts: when they were, the backoff they impose, and whether the
 * target reached its attempt limit (then automatic remediation stays off there until a person re-enables it).
 * A value type, serialisable so the counter survives restarts; SafetyGates reads it, the caller records in it.
 */
class AutoRemediationLedger
{
public:
    struct Attempt
    {
        qint64 cycle = 0;
        QDateTime time;
    };
    struct Entry
    {
        QList<Attempt> attempts; ///< since the last reset
        bool suspended = false; ///< attempt limit reached
        QString suspendedReason;
        QDateTime suspendedAt; ///< when the limit was reached (UTC)
        QDateTime healthySince; ///< invalid while not healthy
    };

    /// Records an automatic attempt on @p target in @p cycle at @p now; may suspend the target.
    void recordAttempt(const QString& target, qint64 cycle, const QDateTime& now, const AutoRemediationPolicy& policy);
    /// Tells the ledger whether @p target is healthy at @p now (long enough healthy resets the backoff).
    void noteHealth(const QString& target, bool healthy, const QDateTime& now, const AutoRemediationPolicy& policy);
    /// A person re-enables automatic remediation on @p target: the count and backoff start over.
    void reenable(const QString& target);

    Entry entry(const QString& target) const { return m_entries.value(target); }
    /// Targets with an entry (attempts or a suspension).
    QStringList targets() const { return m_entries.keys(); }
    /// Attempts within the window ending at @p cycle.
    int attemptsInWindow(const QString& target, qint64 cycle, const AutoRemediationPolicy& policy) const;
    /// When the next automatic attempt is allowed (invalid: now).
    QDateTime nextAllowed(const QString& target, const AutoRemediationPolicy& policy) const;
    /// The backoff that follows @p attempts attempts: initial · 2^(attempts−1), capped.
    static std::chrono::milliseconds backoffAfter(int attempts, const AutoRemediationPolicy& policy);

    QJsonObject toJson() const;
    static AutoRemediationLedger fromJson(const QJsonObject& object);

private:
    QHash<QString, Entry> m_entries;
};

} // namespace FaultDesk
