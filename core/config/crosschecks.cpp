// Checks across sections, once everything is read: references resolve, no dependency cycle, no ambiguous
// runbook binding.

#include "config/configsections.h"

#include <QHash>
#include <QSet>
#include <algorithm>
#include <vector>

namespace FaultDesk::ConfigSections {

void checkReferences(YamlReader& yaml, ConfigDraft& draft)
{
    const QStringList targetNames = draft.targetNames();
    for (const ConfigDraft::Reference& r : std::as_const(draft.dependencyRefs)) {
        if (yaml.stopped())
            return;
        if (!draft.targetIndex.contains(r.name))
            yaml.error(r.position,
                QStringLiteral("depends_on: unknown target '%1'%2").arg(r.name, didYouMean(r.name, targetNames)));
    }
    QStringList instances;
    for (const HaproxyInstance& h : std::as_const(draft.config.haproxy))
        instances << h.name;
    const QSet<QString> instanceSet(instances.cbegin(), instances.cend());
    for (const ConfigDraft::Reference& r : std::as_const(draft.instanceRefs)) {
        if (yaml.stopped())
            return;
        if (!instanceSet.contains(r.name))
            yaml.error(r.position,
                QStringLiteral(
                    "haproxy: unknown instance '%1'%2; instances are defined in the top-level 'haproxy' list")
                    .arg(r.name, didYouMean(r.name, instances)));
    }
    QStringList sources;
    for (const PrometheusSourceConfig& p : std::as_const(draft.config.prometheus))
        sources << p.name;
    QHash<QString, QString> sourceInstances;
    for (const ConfigDraft::Reference& r : std::as_const(draft.sourceRefs)) {
        if (yaml.stopped())
            return;
        if (!sources.contains(r.name)) {
            yaml.error(r.position,
                QStringLiteral("source: unknown Prometheus source '%1'%2; sources are defined in the top-level "
                               "'prometheus' list")
                    .arg(r.name, didYouMean(r.name, sources)));
            continue;
        }
        const TargetConfig& t = draft.config.targets.at(r.from);
        if (t.instance.isEmpty())
            continue;
        const QString key = r.name + u'/' + t.instance;
        if (const auto it = sourceInstances.constFind(key); it != sourceInstances.constEnd())
            yaml.error(r.position,
                QStringLiteral("instance '%1' of source '%2' is already target '%3'").arg(t.instance, r.name, *it));
        else
            sourceInstances.insert(key, t.name);
    }
    QHash<QString, QString> servers;
    for (const TargetConfig& t : std::as_const(draft.config.targets)) {
        if (!t.haproxy)
            continue;
        const QString key = t.haproxy->instance + u'/' + t.haproxy->backend + u'/' + t.haproxy->server;
        if (const auto it = servers.constFind(key); it != servers.constEnd())
            yaml.error(t.haproxy->position,
                QStringLiteral("haproxy server %1 is already the membership of target '%2'").arg(quoted(key), *it));
        else
            servers.insert(key, t.name);
    }
}

void checkCycles(YamlReader& yaml, ConfigDraft& draft)
{
    const qsizetype n = draft.config.targets.size();
    struct Edge
    {
        int to;
        SourcePosition position;
    };
    QList<QList<Edge>> edges(n);
    for (const ConfigDraft::Reference& r : std::as_const(draft.dependencyRefs)) {
        const auto to = draft.targetIndex.constFind(r.name);
        // A duplicate target name maps references to the first one; the duplicate is reported already.
        if (to == draft.targetIndex.constEnd()
            || draft.targetIndex.value(draft.config.targets.at(r.from).name, -1) != r.from)
            continue;
        QList<Edge>& out = edges[r.from];
        if (std::none_of(out.cbegin(), out.cend(), [&](const Edge& e) { return e.to == *to; }))
            out.append({ *to, r.position });
    }
    enum Color : char {
        White,
        Grey,
        Black
    };
    std::vector<Color> color(size_t(n), White);
    QSet<QList<int>> reported;
    struct Frame
    {
        int node;
        qsizetype next;
    };
    std::vector<Frame> stack;
    for (int root = 0; root < n; ++root) {
        if (color[size_t(root)] != White)
            continue;
        color[size_t(root)] = Grey;
        stack.push_back({ root, 0 });
        while (!stack.empty()) {
            const int v = stack.back().node;
            const qsizetype k = stack.back().next;
            if (k >= edges[v].size()) {
                color[size_t(v)] = Black;
                stack.pop_back();
                continue;
            }
            ++stack.back().next;
            const int w = edges[v][k].to;
            if (color[size_t(w)] == White) {
                color[size_t(w)] = Grey;
                stack.push_back({ w, 0 });
                continue;
            }
            if (color[size_t(w)] != Grey)
                continue;
            QList<int> cycle;
            auto it = stack.end();
            do {
                --it;
                cycle.prepend(it->node);
            } while (it->node != w);
            // Rotate so the cycle starts at its first-declared target: the same cycle found twice reads the same.
            const auto first = std::min_element(cycle.begin(), cycle.end());
            std::rotate(cycle.begin(), first, cycle.end());
            if (reported.contains(cycle))
                continue;
            reported.insert(cycle);
            QStringList names;
            for (int i : std::as_const(cycle))
                names << draft.config.targets.at(i).name;
            names << names.constFirst();
            const int from = cycle.constFirst();
            const int to = cycle.size() > 1 ? cycle.at(1) : from;
            SourcePosition at;
            for (const Edge& e : std::as_const(edges[from])) {
                if (e.to == to)
                    at = e.position;
            }
            yaml.error(at, QStringLiteral("dependency cycle: %1").arg(names.join(QStringLiteral(" → "))));
        }
    }
}

void checkMaintenanceReferences(YamlReader& yaml, ConfigDraft& draft)
{
    const QStringList targetNames = draft.targetNames();
    const QStringList groupNames = draft.groupNames();
    for (const ConfigDraft::Reference& r : std::as_const(draft.maintenanceTargetRefs))
        if (!draft.targetIndex.contains(r.name))
            yaml.error(r.position,
                QStringLiteral("maintenance: unknown target '%1'%2").arg(r.name, didYouMean(r.name, targetNames)));
    for (const ConfigDraft::Reference& r : std::as_const(draft.maintenanceGroupRefs))
        if (!groupNames.contains(r.name))
            yaml.error(r.position,
                QStringLiteral("maintenance: no target is in group '%1'%2")
                    .arg(r.name, didYouMean(r.name, groupNames)));
}

void checkLinkReferences(YamlReader& yaml, ConfigDraft& draft)
{
    const QStringList targetNames = draft.targetNames();
    for (const TargetConfig& t : std::as_const(draft.config.targets)) {
        for (const SignalConfig& s : t.signalConfigs) {
            if (s.link.isEmpty())
                continue;
            const SourcePosition at = s.linkPosition.isValid() ? s.linkPosition : s.position;
            if (s.link == t.name)
                yaml.error(at,
                    QStringLiteral("link: '%1' is the target itself; a link names one of its dependencies")
                        .arg(s.link));
            else if (!draft.targetIndex.contains(s.link))
                yaml.error(
                    at, QStringLiteral("link: unknown target '%1'%2").arg(s.link, didYouMean(s.link, targetNames)));
            else if (!t.dependencyNames().contains(s.link))
                yaml.error(at,
                    QStringLiteral("link: '%1' is not a dependency of '%2'; add it to depends_on (the link is the "
                                   "path from %2 to it)")
                        .arg(s.link, t.name));
        }
    }
}

void checkRunbookAmbiguity(YamlReader& yaml, ConfigDraft& draft)
{
    struct Seen
    {
        QString runbook;
        int line;
    };
    QHash<QString, Seen> seen; ///< "level|name|cause" → first runbook
    QHash<QString, int> names;
    for (const RunbookConfig& r : std::as_const(draft.config.runbooks)) {
        if (const auto it = names.constFind(r.name); it != names.constEnd())
            yaml.error(r.position,
                QStringLiteral("duplicate runbook name '%1' (first defined at line %2)").arg(r.name).arg(*it));
        else
            names.insert(r.name, r.position.line);
        for (const CauseClass c : r.on) {
            QList<QPair<QString, QString>> keys; ///< level, what
            for (const QString& t : r.targets)
                keys.append({ QStringLiteral("target"), t });
            for (const QString& g : r.groups)
                keys.append({ QStringLiteral("group"), g });
            if (r.targets.isEmpty() && r.groups.isEmpty())
                keys.append({ QStringLiteral("cause"), QString() });
            for (const auto& [level, what] : keys) {
                const QString key = level + u'|' + what + u'|' + causeClassName(c);
                if (const auto it = seen.constFind(key); it != seen.constEnd()) {
                    const QString where
                        = what.isEmpty() ? QStringLiteral("every target") : QStringLiteral("%1 %2").arg(level, what);
                    yaml.error(r.position,
                        QStringLiteral("ambiguous binding: runbooks '%1' (line %2) and '%3' are both bound to %4 for "
                                       "cause %5; bind one of them more narrowly (targets:/groups:) or merge them")
                            .arg(it->runbook)
                            .arg(it->line)
                            .arg(r.name, where, causeClassName(c)));
                } else {
                    seen.insert(key, { r.name, r.position.line });
                }
            }
        }
    }
}

} // namespace FaultDesk::ConfigSections
