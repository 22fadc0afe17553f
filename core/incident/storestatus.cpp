#include "incident/storestatus.h"

#include <QFileInfo>
#include <QStringList>

namespace FaultDesk {

namespace {
QString since(const StoreHealth& h)
{
    const QDateTime t = h.downSinceUtc.isValid() ? h.downSinceUtc : h.lastErrorUtc;
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("HH:mm:ss")) : QStringLiteral("now");
}

QString writes(int n)
{
    return n == 1 ? QStringLiteral("1 write") : QStringLiteral("%1 writes").arg(n);
}

QString mib(qint64 bytes)
{
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
}
} // namespace

QString StoreStatus::text(const StoreHealth& h)
{
    QStringList parts;
    const QString name = h.server ? QStringLiteral("PostgreSQL") : QFileInfo(h.store).fileName();
    if (h.writable) {
        parts << QStringLiteral("Store: %1 connected").arg(name);
        if (h.journaled > 0)
            parts << QStringLiteral("replaying %1 journaled").arg(writes(h.journaled));
        else if (h.pending > 100)
            parts << QStringLiteral("%1 queued").arg(writes(h.pending));
    } else {
        parts << (h.server ? QStringLiteral("Store: PostgreSQL reconnecting since %1").arg(since(h))
                           : QStringLiteral("Store: %1 cannot write since %2").arg(name, since(h)));
        if (h.journalEnabled)
            parts << QStringLiteral("%1 journaled").arg(writes(h.journaled));
        if (h.pending > 0 || !h.journalEnabled)
            parts << QStringLiteral("%1 waiting in memory").arg(writes(h.pending));
    }
    if (h.journalFull)
        parts << QStringLiteral("journal FULL: new records are not saved");
    if (h.dropped > 0)
        parts << QStringLiteral("%1 not recorded").arg(writes(int(std::min<quint64>(h.dropped, 1'000'000'000))));
    if (h.replayRefused > 0)
        parts << QStringLiteral("%1 refused on replay")
                     .arg(writes(int(std::min<quint64>(h.replayRefused, 1'000'000'000))));
    return parts.join(QStringLiteral(" · "));
}

QString StoreStatus::detail(const StoreHealth& h)
{
    QStringList lines;
    lines << QStringLiteral("Incident store: %1").arg(h.store);
    if (!h.writable && !h.lastError.isEmpty())
        lines << QStringLiteral("Last error: %1").arg(h.lastError);
    if (h.journalEnabled)
        lines << QStringLiteral("Local journal: %1 (%2 of %3; a write that does not fit is refused and reported, "
                                "never dropped silently)")
                     .arg(h.journalPath, mib(h.journalBytes), mib(h.journalMaxBytes));
    else if (h.server)
        lines << QStringLiteral("No local journal: writes wait in memory while the server is away");
    if (!h.writable)
        lines << QStringLiteral("Monitoring, Handle and Recover go on; the history is unavailable until the store "
                                "answers.");
    return lines.join(u'\n');
}

StoreStatus::Level StoreStatus::level(const StoreHealth& h)
{
    if (h.journalFull || h.dropped > 0 || h.replayRefused > 0)
        return Level::Error;
    if (!h.writable || h.journaled > 0)
        return Level::Warning;
    return Level::Ok;
}

} // namespace FaultDesk
