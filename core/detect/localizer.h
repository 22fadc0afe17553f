#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/**
 * Root cause versus symptom from the dependency graph (Nagios DOWN vs UNREACHABLE, with Icinga's redundancy
 * groups): a confirmed failing target is a symptom when one of its dependencies is down, where an any-of
 * group is down only when all its members are; otherwise it is a root cause. A dependency that is failing
 * but not yet confirmed leaves the verdict pending, so a child is not blamed for one tick only to be
 * re-parented the next. Pure: the caller passes the current health of every target.
 */
class Localizer
{
public:
    /// One target's dependencies as configured.
    struct Node
    {
        QString target;
        QStringList dependsOn; ///< each must be up
        QList<QStringList> anyOf; ///< at least one member of each group must be up
    };
    enum class Health {
        Ok,
        Unknown, ///< cannot tell: never counts as down
        Suspect, ///< failing, not confirmed (SOFT)
        Confirmed, ///< failing, confirmed (HARD)
    };
    struct Input
    {
        Health health = Health::Ok;
        bool noAnswer = false; ///< the failure is a probe that got no answer ("down"), not a rule breach
    };
    enum class Role {
        Root, ///< none of its dependencies is down: this is where the fault is
        Symptom, ///< explained by a down dependency
        Pending, ///< a dependency is failing but not yet confirmed
    };
    struct Verdict
    {
        Role role = Role::Root;
        QString root; ///< the root-cause target (the target itself for a root)
        QString via; ///< the dependency that explains a symptom (may differ from root in a chain)
        bool unreachable = false; ///< symptom whose own failure is "no answer": state UNREACHABLE
        QString explanation; ///< why, in one sentence
    };

    void setGraph(const QList<Node>& nodes);
    void setNode(const Node& node);
    void removeNode(const QString& target);
    /// Problems of the graph: dependencies on unknown targets and cycles, one message each.
    QStringList validate() const;
    /// Targets that depend on @p target directly (plain or in a group).
    QStringList dependents(const QString& target) const;

    /// Verdicts for every Confirmed target in @p status.
    QHash<QString, Verdict> localize(const QHash<QString, Input>& status) const;

private:
    QHash<QString, Node> m_nodes;
    QStringList m_order;
};

} // namespace FaultDesk
