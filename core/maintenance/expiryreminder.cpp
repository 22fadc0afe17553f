#include "maintenance/expiryreminder.h"

namespace FaultDesk {

ExpiryReminder::ExpiryReminder(QObject* parent)
    : QObject(parent)
{
    m_timer.setInterval(std::chrono::milliseconds(5000));
    connect(&m_timer, &QTimer::timeout, this, qOverload<>(&ExpiryReminder::check));
}

void ExpiryReminder::setCheckInterval(std::chrono::milliseconds interval)
{
    m_timer.setInterval(interval);
}

void ExpiryReminder::watch(const QString& id, const QString& label, const QDateTime& endsAt)
{
    Item& item = m_items[id];
    if (item.endsAt != endsAt)
        item.fired = false;
    item.label = label;
    item.endsAt = endsAt.toUTC();
    if (!m_timer.isActive())
        m_timer.start();
    check();
}

void ExpiryReminder::unwatch(const QString& id)
{
    m_items.remove(id);
    if (m_items.isEmpty())
        m_timer.stop();
}

void ExpiryReminder::check()
{
    check(m_clock ? m_clock().toUTC() : QDateTime::currentDateTimeUtc());
}

void ExpiryReminder::check(const QDateTime& now)
{
    QList<std::pair<QString, Item>> due;
    for (auto it = m_items.begin(); it != m_items.end(); ++it) {
        Item& item = it.value();
        if (item.fired || !item.endsAt.isValid() || item.endsAt <= now)
            continue;
        if (now.msecsTo(item.endsAt) <= m_lead.count()) {
            item.fired = true;
            due.append({ it.key(), item });
        }
    }
    // Emitted after the walk: a receiver may watch or unwatch items.
    for (const auto& [id, item] : std::as_const(due))
        Q_EMIT endingSoon(id, item.label, item.endsAt);
}

} // namespace FaultDesk
