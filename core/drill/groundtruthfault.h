#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace FaultDesk {

struct FleetConfig;

/**
 * One fault as the demo fleet knows it really is (`faultdesk-fleetsim ctl truth`), value type: where it was
 * injected, its root cause and cause class, the targets it affects, an attack's sources and a partition's
 * dependency. Drills and campaigns score what FaultDesk located against it.
 */
struct GroundTruthFault
{
    QString kind; ///< fleetsim's fault kind (crash, overload, …, partition)
    QString target; ///< where it was injected (a target, or a backend for an attack)
    QString rootCause; ///< the target or pool an expert names as the root cause
    QString cause; ///< the cause class spelling (down, unreachable, network, …)
    QStringList targets; ///< every target it affects
    QStringList sources; ///< attack: the flooding sources
    QString dependency; ///< partition: the dependency the target lost its path to
    qint64 sinceMs = 0;

    static GroundTruthFault fromJson(const QJsonObject& o);
    /// The faults of a `ctl truth` answer.
    static QList<GroundTruthFault> listFromTruth(const QJsonObject& truth);
    QJsonObject toJson() const;
    /// "crash on web-2", "partition api-1 → db-primary".
    QString describe() const;

    /// Whether a root cause named on @p target is this fault's root: the root target itself, a member of the pool
    /// or group that is the root (an attack on a backend), or any member of the pool an overload saturates.
    bool isRoot(const QString& target, const FleetConfig& config) const;
    /// Whether a fault on @p target belongs to this fault: its root, a target it affects, or a target that
    /// depends (directly or not) on one of those.
    bool touches(const QString& target, const FleetConfig& config) const;
    /// Whether this fault and @p other, injected at once, are one event an expert may report as one incident: the
    /// same cause on members of one pool or group, where that cause is not a server's own (down, unreachable and
    /// network each need their own remedy, so two of them are two incidents). Anything else at once is two events,
    /// each scored on an incident rooted at its own root.
    bool oneEventWith(const GroundTruthFault& other, const FleetConfig& config) const;
};

} // namespace FaultDesk
