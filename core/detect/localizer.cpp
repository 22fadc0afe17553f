#include "detect/localizer.h"

#include <QSet>

#include <functional>

namespace FaultDesk {

void Localizer::setGraph(const QList<Node>& nodes)
{
    m_nodes.clear();
    m_order.clear();
    for (const Node& n : nodes)
        setNode(n);
}

void Localizer::setNode(const Node& node)
{
    if (!m_nodes.contains(node.target))
        m_order.append(node.target);
    m_nodes.insert(node.target, node);
}

void Localizer::removeNode(const QString& target)
{
    m_nodes.remove(target);
    m_order.removeAll(target);
}

QStringList Localizer::dependents(const QString& target) const
{
    QStringList out;
    for (const QString& name : m_order) {
        const Node& n = m_nodes[name];
        bool uses = n.dependsOn.contains(target);
        for (const QStringList& g : n.anyOf)
            uses = uses || g.contains(target);
        if (uses)
            out.append(name);
    }
    return out;
}

QStringList Localizer::validate() const
{
    QStringList problems;
    for (const QString& name : m_order) {
        const Node& n = m_nodes[name];
        QStringList all = n.dependsOn;
        for (const QStringList& g : n.anyOf)
            all += g;
        for (const QString& d : all) {
            if (!m_nodes.contains(d))
                problems.append(QStringLiteral("%1 depends on unknown target %2").arg(name, d));
            else if (d == name)
                problems.append(QStringLiteral("%1 depends on itself").arg(name));
        }
    }
    // Cycles: depth-first search with colours; report each cycle once, by its path.
    QHash<QString, int> colour; // 0 white, 1 on the stack, 2 done
    QStringList stack;
    std::function<void(const QString&)> visit = [&](const QString& t) {
        colour[t] = 1;
        stack.append(t);
        const Node& n = m_nodes[t];
        QStringList all = n.dependsOn;
        for (const QStringList& g : n.anyOf)
            all += g;
        for (const QString& d : all) {
            if (!m_nodes.contains(d) || d == t)
                continue;
            if (colour.value(d) == 1) {
                const QStringList cycle = stack.mid(stack.indexOf(d)) << d;
                problems.append(QStringLiteral("dependency cycle: %1").arg(cycle.join(QStringLiteral(" -> "))));
            } else if (colour.value(d) == 0) {
                visit(d);
            }
        }
        stack.removeLast();
        colour[t] = 2;
    };
    for (const QString& name : m_order) {
        if (colour.value(name) == 0)
            visit(name);
    }
    return problems;
}

QHash<QString, Localizer::Verdict> Localizer::localize(const QHash<QString, Input>& status) const
{
    QHash<QString, Verdict> memo;
    QSet<QString> visiting;
    auto failing = [&](const QString& t) {
        const Health h = status.value(t).health;
        return h == Health::Suspect || h == Health::Confirmed;
    };

    std::function<Verdict(const QString&)> judge = [&](const QString& t) -> Verdict {
        if (const auto it = memo.constFind(t); it != memo.cend())
            return *it;
        Verdict v;
        v.root = t;
        if (visiting.contains(t)) {
            // A cycle of failing targets: the one we came back to stands as the root.
            v.explanation = QStringLiteral("%1 is part of a dependency cycle").arg(t);
            return v;
        }
        visiting.insert(t);
        const Node n = m_nodes.value(t);

        // Candidate explanations in configuration order: plain dependencies, then groups.
        struct Candidate
        {
            QString blamed; ///< confirmed dependency that explains it, if any
            bool pending = false;
            QString wording;
        };
        QList<Candidate> candidates;
        auto consider = [&](const QStringList& members, const QString& wording) {
            Candidate c;
            c.wording = wording;
            for (const QString& m : members) {
                if (status.value(m).health == Health::Confirmed && judge(m).role != Role::Pending) {
                    c.blamed = m;
                    break;
                }
            }
            c.pending = c.blamed.isEmpty();
            candidates.append(c);
        };
        for (const QString& d : n.dependsOn) {
            if (failing(d))
                consider({ d }, QStringLiteral("%1 depends on %2, which is failing").arg(t, d));
        }
        for (const QStringList& g : n.anyOf) {
            bool allDown = !g.isEmpty();
            for (const QString& m : g)
                allDown = allDown && failing(m);
            if (allDown) {
                consider(g,
                    QStringLiteral("%1 depends on any of %2, and all of them are failing")
                        .arg(t, g.join(QStringLiteral(", "))));
            }
        }
        visiting.remove(t);

        v.unreachable = false;
        if (candidates.isEmpty()) {
            v.role = Role::Root;
            v.explanation = n.dependsOn.isEmpty() && n.anyOf.isEmpty()
                ? QStringLiteral("%1 has no dependencies").arg(t)
                : QStringLiteral("none of %1's dependencies is down").arg(t);
        } else {
            const auto blamed = std::find_if(
                candidates.cbegin(), candidates.cend(), [](const Candidate& c) { return !c.blamed.isEmpty(); });
            if (blamed != candidates.cend()) {
                const Verdict parent = judge(blamed->blamed);
                v.role = Role::Symptom;
                v.via = blamed->blamed;
                v.root = parent.role == Role::Root ? blamed->blamed : parent.root;
                v.unreachable = status.value(t).noAnswer;
                v.explanation = blamed->wording;
                if (v.root != v.via)
                    v.explanation += QStringLiteral(" (root cause: %1)").arg(v.root);
            } else {
                v.role = Role::Pending;
                v.explanation = candidates.first().wording + QStringLiteral(", not yet confirmed");
            }
        }
        memo.insert(t, v);
        return v;
    };

    QHash<QString, Verdict> out;
    for (auto it = status.cbegin(); it != status.cend(); ++it) {
        if (it.value().health == Health::Confirmed)
            out.insert(it.key(), judge(it.key()));
    }
    return out;
}

} // namespace FaultDesk
