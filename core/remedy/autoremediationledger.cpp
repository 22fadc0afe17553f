#include "remedy/autoremediationledger.h"

#include <QJsonArray>

namespace FaultDesk {

void AutoRemediationLedger::recordAttempt(
    const QString& target, qint64 cycle, const QDateTime& now, const AutoRemediationPolicy& policy)
{
    Entry& e = m_entries[target];
    e.attempts.append({ cycle, now });
    e.healthySince = {};
    const int inWindow = attemptsInWindow(target, cycle, policy);
    if (inWindow >= policy.maxAttempts && !e.suspended) {
        e.suspended = true;
        e.suspendedAt = now.toUTC();
        e.suspendedReason = QStringLiteral("%1 automatic attempts within %2 cycles (last at %3); automatic remediation "
                                           "stays off for %4 until a person re-enables it")
                                .arg(inWindow)
                                .arg(policy.windowCycles)
                                .arg(now.toUTC().toString(Qt::ISODate), target);
    }
}

void AutoRemediationLedger::noteHealth(
    const QString& target, bool healthy, const QDateTime& now, const AutoRemediationPolicy& policy)
{
    auto it = m_entries.find(target);
    if (it == m_entries.end())
        return;
    if (!healthy) {
        it->healthySince = {};
        return;
    }
    if (!it->healthySince.isValid())
        it->healthySince = now;
    // Only the backoff resets; a suspension waits for a person (Monit: an OK status does not reset the counter).
    if (!it->suspended && it->healthySince.msecsTo(now) >= policy.resetAfterHealthy.count())
        it->attempts.clear();
}

void AutoRemediationLedger::reenable(const QString& target)
{
    m_entries.remove(target);
}

int AutoRemediationLedger::attemptsInWindow(
    const QString& target, qint64 cycle, const AutoRemediationPolicy& policy) const
{
    int n = 0;
    for (const Attempt& a : m_entries.value(target).attempts)
        if (a.cycle > cycle - policy.windowCycles && a.cycle <= cycle)
            ++n;
    return n;
}

std::chrono::milliseconds AutoRemediationLedger::backoffAfter(int attempts, const AutoRemediationPolicy& policy)
{
    if (attempts <= 0)
        return std::chrono::milliseconds(0);
    auto b = policy.backoffInitial;
    for (int i = 1; i < attempts && b < policy.backoffMax; ++i)
        b *= 2;
    return std::min(b, policy.backoffMax);
}

QDateTime AutoRemediationLedger::nextAllowed(const QString& target, const AutoRemediationPolicy& policy) const
{
    const Entry e = m_entries.value(target);
    if (e.attempts.isEmpty())
        return {};
    return e.attempts.last().time.addMSecs(backoffAfter(int(e.attempts.size()), policy).count());
}

QJsonObject AutoRemediationLedger::toJson() const
{
    QJsonObject out;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        QJsonArray attempts;
        for (const Attempt& a : it->attempts)
            attempts.append(QJsonObject { { QStringLiteral("cycle"), a.cycle },
                { QStringLiteral("time"), a.time.toUTC().toString(Qt::ISODateWithMs) } });
        QJsonObject e { { QStringLiteral("attempts"), attempts }, { QStringLiteral("suspended"), it->suspended },
            { QStringLiteral("reason"), it->suspendedReason } };
        if (it->suspendedAt.isValid())
            e.insert(QStringLiteral("suspended_at"), it->suspendedAt.toUTC().toString(Qt::ISODateWithMs));
        if (it->healthySince.isValid())
            e.insert(QStringLiteral("healthy_since"), it->healthySince.toUTC().toString(Qt::ISODateWithMs));
        out.insert(it.key(), e);
    }
    return out;
}

AutoRemediationLedger AutoRemediationLedger::fromJson(const QJsonObject& object)
{
    AutoRemediationLedger ledger;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QJsonObject o = it.value().toObject();
        Entry e;
        for (const QJsonValue& v : o.value(QStringLiteral("attempts")).toArray()) {
            const QJsonObject a = v.toObject();
            const QDateTime t = QDateTime::fromString(a.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
            if (t.isValid())
                e.attempts.append({ a.value(QStringLiteral("cycle")).toInteger(), t.toUTC() });
        }
        e.suspended = o.value(QStringLiteral("suspended")).toBool();
        e.suspendedReason = o.value(QStringLiteral("reason")).toString();
        e.suspendedAt = QDateTime::fromString(o.value(QStringLiteral("suspended_at")).toString(), Qt::ISODateWithMs);
        e.healthySince = QDateTime::fromString(o.value(QStringLiteral("healthy_since")).toString(), Qt::ISODateWithMs);
        ledger.m_entries.insert(it.key(), e);
    }
    return ledger;
}

} // namespace FaultDesk
