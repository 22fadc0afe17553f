#include "maintenance/maintenanceschedule.h"

#include <QSet>

#include <algorithm>

namespace FaultDesk {

MaintenanceSchedule::MaintenanceSchedule(Clock clock)
    : m_clock(std::move(clock))
{ }

QDateTime MaintenanceSchedule::now() const
{
    return m_clock ? m_clock().toUTC() : QDateTime::currentDateTimeUtc();
}

void MaintenanceSchedule::setConfigured(const QList<MaintenanceWindow>& windows)
{
    m_windows.removeIf([](const MaintenanceWindow& w) { return w.origin == MaintenanceWindow::Origin::Config; });
    for (MaintenanceWindow w : windows) {
        w.origin = MaintenanceWindow::Origin::Config;
        m_windows.append(w);
    }
}

bool MaintenanceSchedule::add(const MaintenanceWindow& window, bool confirmedLong, QString* error)
{
    auto fail = [error](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    if (window.id.isEmpty())
        return fail(QStringLiteral("a maintenance window needs an id"));
    if (const QString why = window.problem(m_maxLengthMs, confirmedLong); !why.isEmpty())
        return fail(why);
    for (const MaintenanceWindow& w : std::as_const(m_windows))
        if (w.id == window.id && w.origin == MaintenanceWindow::Origin::Config)
            return fail(QStringLiteral("%1 is a configured window: change it in the fleet description").arg(w.id));
    m_windows.removeIf([&](const MaintenanceWindow& w) { return w.id == window.id; });
    MaintenanceWindow w = window;
    w.origin = MaintenanceWindow::Origin::Runtime;
    m_windows.append(w);
    return true;
}

bool MaintenanceSchedule::end(
    const QString& id, const QDateTime& at, const QString& by, QString* error, MaintenanceWindow* ended)
{
    auto fail = [error](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    for (MaintenanceWindow& w : m_windows) {
        if (w.id != id)
            continue;
        if (w.origin == MaintenanceWindow::Origin::Config)
            return fail(QStringLiteral("%1 comes from the fleet description: remove it there to end it").arg(id));
        if (w.endUtc <= at)
            return fail(QStringLiteral("%1 is over already").arg(id));
        w.endUtc = std::max(at, w.startUtc);
        w.endedBy = by;
        if (ended)
            *ended = w;
        return true;
    }
    return fail(QStringLiteral("no maintenance window %1").arg(id));
}

void MaintenanceSchedule::prune(const QDateTime& cutoff)
{
    m_windows.removeIf([&](const MaintenanceWindow& w) {
        return w.origin == MaintenanceWindow::Origin::Runtime && w.endUtc < cutoff;
    });
}

QList<MaintenanceWindow> MaintenanceSchedule::windows() const
{
    QList<MaintenanceWindow> out = m_windows;
    std::stable_sort(out.begin(), out.end(),
        [](const MaintenanceWindow& a, const MaintenanceWindow& b) { return a.startUtc < b.startUtc; });
    return out;
}

std::optional<MaintenanceWindow> MaintenanceSchedule::window(const QString& id) const
{
    for (const MaintenanceWindow& w : m_windows)
        if (w.id == id)
            return w;
    return std::nullopt;
}

QList<MaintenanceWindow> MaintenanceSchedule::upcoming(const QDateTime& at) const
{
    QList<MaintenanceWindow> out = windows();
    out.removeIf([&](const MaintenanceWindow& w) { return w.endUtc <= at; });
    return out;
}

std::optional<MaintenanceWindow> MaintenanceSchedule::windowFor(
    const QString& target, const QDateTime& at, QDateTime* until) const
{
    const QString group = groupOf(target);
    std::optional<MaintenanceWindow> best;
    for (const MaintenanceWindow& w : m_windows) {
        if (w.activeAt(at) && w.covers(target, group) && (!best || w.endUtc > best->endUtc))
            best = w;
    }
    if (best && until) {
        // Follow the chain: a window starting before (or exactly when) the current end keeps the target in.
        QDateTime end = best->endUtc;
        for (bool grew = true; grew;) {
            grew = false;
            for (const MaintenanceWindow& w : m_windows) {
                if (w.covers(target, group) && w.startUtc <= end && w.endUtc > end) {
                    end = w.endUtc;
                    grew = true;
                }
            }
        }
        *until = end;
    }
    return best;
}

QHash<QString, MaintenanceWindow> MaintenanceSchedule::targetsInMaintenance(const QDateTime& at) const
{
    QSet<QString> candidates(m_groupOf.keyBegin(), m_groupOf.keyEnd());
    for (const MaintenanceWindow& w : m_windows)
        for (const QString& t : w.targets)
            candidates.insert(t);
    QHash<QString, MaintenanceWindow> out;
    for (const QString& t : std::as_const(candidates))
        if (const auto w = windowFor(t, at))
            out.insert(t, *w);
    return out;
}

QDateTime MaintenanceSchedule::nextChange(const QDateTime& at) const
{
    QDateTime next;
    for (const MaintenanceWindow& w : m_windows) {
        for (const QDateTime& t : { w.startUtc, w.endUtc })
            if (t > at && (!next.isValid() || t < next))
                next = t;
    }
    return next;
}

} // namespace FaultDesk
