#pragma once

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>

namespace FaultDesk {

/**
 * Warns once, a configurable lead time before something ends: a maintenance window, a silence. Callers watch
 * (id, label, endsAt) items; endingSoon() fires once per item and end time (moving the end re-arms it). Polls on
 * its own timer against an injectable clock; check(now) lets tests drive it.
 */
class ExpiryReminder : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<QDateTime()>;

    explicit ExpiryReminder(QObject* parent = nullptr);

    void setClock(Clock clock) { m_clock = std::move(clock); }
    /// How long before the end the reminder fires (default 10 minutes).
    void setLead(std::chrono::milliseconds lead) { m_lead = lead; }
    std::chrono::milliseconds lead() const { return m_lead; }
    /// How often the timer checks (default 5 s); started by the first watch().
    void setCheckInterval(std::chrono::milliseconds interval);

    /// Watches @p id, ending at @p endsAt (UTC); checks at once.
    void watch(const QString& id, const QString& label, const QDateTime& endsAt);
    void unwatch(const QString& id);
    QStringList watched() const { return m_items.keys(); }

public Q_SLOTS:
    /// Fires endingSoon() for every item ending within the lead time of the clock's now.
    void check();
    void check(const QDateTime& now);

Q_SIGNALS:
    /// @p id ends at @p endsAt, within the lead time from now.
    void endingSoon(const QString& id, const QString& label, const QDateTime& endsAt);

private:
    struct Item
    {
        QString label;
        QDateTime endsAt;
        bool fired = false;
    };

    Clock m_clock;
    std::chrono::milliseconds m_lead { 10 * 60 * 1000 };
    QHash<QString, Item> m_items;
    QTimer m_timer;
};

} // namespace FaultDesk
