#pragma once

#include "maintenance/maintenancewindow.h"

#include <QHash>
#include <QList>

#include <functional>
#include <optional>

namespace FaultDesk {

/**
 * The maintenance windows known to the console, configured and runtime, and the one question everything else
 * asks: is target T in maintenance at time t, by which window, and until when. Windows of one target that overlap
 * or touch merge: the target stays in maintenance until the last of them ends. A value type with an injectable
 * clock; MaintenanceController applies it to the detector and persists it.
 */
class MaintenanceSchedule
{
public:
    using Clock = std::function<QDateTime()>;
    static constexpr qint64 DefaultMaxLengthMs = 7LL * 24 * 3600 * 1000;

    explicit MaintenanceSchedule(Clock clock = {});

    void setClock(Clock clock) { m_clock = std::move(clock); }
    /// The clock's time (UTC); the system clock when none was set.
    QDateTime now() const;
    /// Windows longer than this need confirmedLong in add().
    void setMaxLengthMs(qint64 ms) { m_maxLengthMs = ms; }
    qint64 maxLengthMs() const { return m_maxLengthMs; }

    /// Which group each target belongs to (the fleet's membership); group windows apply through it.
    void setGroups(const QHash<QString, QString>& groupOfTarget) { m_groupOf = groupOfTarget; }
    QString groupOf(const QString& target) const { return m_groupOf.value(target); }
    QStringList knownTargets() const { return m_groupOf.keys(); }

    /// Replaces the configured windows (a fleet reload); runtime windows stay.
    void setConfigured(const QList<MaintenanceWindow>& windows);
    /// Adds (or replaces, by id) a runtime window; false with a readable @p error when it is not acceptable.
    bool add(const MaintenanceWindow& window, bool confirmedLong, QString* error = nullptr);
    /// Ends window @p id at @p at (a window not started yet is cancelled: it ends at its start). Configured windows
    /// and windows already over are refused. @p ended receives the window as it is now.
    bool end(const QString& id, const QDateTime& at, const QString& by, QString* error = nullptr,
        MaintenanceWindow* ended = nullptr);
    /// Forgets runtime windows that ended before @p cutoff.
    void prune(const QDateTime& cutoff);

    /// Every window, by start time.
    QList<MaintenanceWindow> windows() const;
    std::optional<MaintenanceWindow> window(const QString& id) const;
    /// Windows not over at @p at (running and planned), by start time.
    QList<MaintenanceWindow> upcoming(const QDateTime& at) const;

    /// Whether @p target is in maintenance at @p at: the covering window that ends last, and in @p until the end
    /// of the merged chain of overlapping or touching windows.
    std::optional<MaintenanceWindow> windowFor(
        const QString& target, const QDateTime& at, QDateTime* until = nullptr) const;
    /// Every target in maintenance at @p at (known targets and targets named by windows), with its window.
    QHash<QString, MaintenanceWindow> targetsInMaintenance(const QDateTime& at) const;
    /// The first start or end of a window strictly after @p at; invalid when nothing changes any more.
    QDateTime nextChange(const QDateTime& at) const;

private:
    Clock m_clock;
    qint64 m_maxLengthMs = DefaultMaxLengthMs;
    QHash<QString, QString> m_groupOf;
    QList<MaintenanceWindow> m_windows;
};

} // namespace FaultDesk
