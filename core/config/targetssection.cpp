// `targets:` — what to probe, what a target depends on, its pool membership, admin API, commands and labels.

#include "configsections.h"

#include <QHash>
#include <QRegularExpression>
#include <algorithm>

namespace FaultDesk::ConfigSections {

namespace {

std::optional<ProbeConfig> readProbe(YamlReader& yaml, const YNode& n)
{
    const auto f = yaml.mapping(n, {}, QStringLiteral("a probe"),
        { QStringLiteral("kind"), QStringLiteral("url"), QStringLiteral("address"), QStringLiteral("expect_status"),
            QStringLiteral("body_match"), QStringLiteral("timeout") });
    if (!f)
        return std::nullopt;
    ProbeConfig p;
    p.position = f->position;
    const Entry* kind = f->get(u"kind");
    if (!kind) {
        yaml.missing(*f, QStringLiteral("probe"), QStringLiteral("kind"));
        return std::nullopt;
    }
    const QString k = kind->value.IsScalar() ? fromStd(kind->value.Scalar()) : QString();
    const QStringList kinds { QStringLiteral("http"), QStringLiteral("metrics"), QStringLiteral("tcp") };
    if (!kinds.contains(k)) {
        yaml.error(yaml.pos(*kind),
            QStringLiteral("probe kind must be http, metrics or tcp, got %1%2")
                .arg(describe(kind->value), didYouMean(k, kinds)));
        return std::nullopt;
    }
    p.kind = k == u"http" ? ProbeConfig::Kind::Http
        : k == u"metrics" ? ProbeConfig::Kind::Metrics
                          : ProbeConfig::Kind::Tcp;
    const bool tcp = p.kind == ProbeConfig::Kind::Tcp;
    for (const Entry& x : f->entries) {
        if (x.key == u"url") {
            if (tcp)
                yaml.error(yaml.pos(x.keyNode),
                    QStringLiteral("'url' does not apply to tcp probes (use 'address: host:port')"));
            else if (const auto u = yaml.url(x))
                p.url = *u;
        } else if (x.key == u"address") {
            if (!tcp)
                yaml.error(yaml.pos(x.keyNode),
                    QStringLiteral("'address' applies to tcp probes only (use 'url' for %1)").arg(k));
            else
                p.address = yaml.hostPort(x).value_or(QString());
        } else if (x.key == u"expect_status" || x.key == u"body_match") {
            if (p.kind != ProbeConfig::Kind::Http) {
                yaml.error(yaml.pos(x.keyNode), QStringLiteral("'%1' applies to http probes only").arg(x.key));
            } else if (x.key == u"expect_status") {
                p.expectStatus = int(yaml.integer(x, 100, 599).value_or(p.expectStatus));
            } else {
                p.bodyMatch = yaml.string(x).value_or(QString());
            }
        } else if (x.key == u"timeout") {
            p.timeout = yaml.duration(x);
        }
    }
    if (tcp && !f->get(u"address"))
        yaml.missing(*f, QStringLiteral("tcp probe"), QStringLiteral("address"));
    if (!tcp && !f->get(u"url"))
        yaml.missing(*f, QStringLiteral("%1 probe").arg(k), QStringLiteral("url"));
    return p;
}

void readDependsOn(YamlReader& yaml, ConfigDraft& draft, const Entry& e, TargetConfig& target, int index)
{
    const auto items = yaml.sequence(e);
    if (!items)
        return;
    for (const YNode& n : *items) {
        DependencyConfig d;
        d.position = yaml.pos(n);
        if (n.IsMap()) {
            const auto f
                = yaml.mapping(n, yaml.pos(e), QStringLiteral("a depends_on entry"), { QStringLiteral("any_of") });
            if (!f)
                continue;
            const Entry* anyOf = f->get(u"any_of");
            if (!anyOf) {
                yaml.missing(*f, QStringLiteral("depends_on entry"), QStringLiteral("any_of"));
                continue;
            }
            const auto names = yaml.sequence(*anyOf);
            if (!names)
                continue;
            if (names->isEmpty()) {
                yaml.error(yaml.pos(*anyOf), QStringLiteral("'any_of' needs at least one target name"));
                continue;
            }
            d.anyOf = true;
            for (const YNode& m : *names) {
                if (const auto nm = yaml.name(m, QStringLiteral("target name"))) {
                    d.targets << *nm;
                    draft.dependencyRefs.append({ index, *nm, yaml.pos(m) });
                }
            }
        } else if (const auto nm = yaml.name(n, QStringLiteral("depends_on entry"))) {
            d.targets << *nm;
            draft.dependencyRefs.append({ index, *nm, yaml.pos(n) });
        }
        if (!d.targets.isEmpty())
            target.dependsOn.append(d);
    }
}

std::optional<HaproxyMembership> readMembership(
    YamlReader& yaml, ConfigDraft& draft, const Entry& e, const QString& targetName)
{
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("haproxy membership"),
        { QStringLiteral("instance"), QStringLiteral("backend"), QStringLiteral("server") });
    if (!f)
        return std::nullopt;
    HaproxyMembership m;
    m.position = f->position;
    m.server = targetName;
    for (const Entry& x : f->entries) {
        const auto v = yaml.name(x, QStringLiteral("haproxy %1").arg(x.key));
        if (!v)
            return std::nullopt;
        if (x.key == u"instance") {
            m.instance = *v;
            draft.instanceRefs.append({ int(draft.config.targets.size()), *v, yaml.pos(x) });
        } else if (x.key == u"backend") {
            m.backend = *v;
        } else {
            m.server = *v;
        }
    }
    for (const auto key : { u"instance", u"backend" }) {
        if (!f->get(key)) {
            yaml.missing(*f, QStringLiteral("haproxy membership"), QString::fromUtf16(key));
            return std::nullopt;
        }
    }
    return m;
}

std::optional<AdminConfig> readAdmin(YamlReader& yaml, const Entry& e)
{
    const QStringList inlineSecrets { QStringLiteral("token"), QStringLiteral("password"), QStringLiteral("secret") };
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("admin"),
        QStringList { QStringLiteral("url"), QStringLiteral("status"), QStringLiteral("token_env"),
            QStringLiteral("token_file"), QStringLiteral("insecure_token_over_http") }
            + inlineSecrets);
    if (!f)
        return std::nullopt;
    AdminConfig a;
    a.position = f->position;
    bool ok = true;
    for (const Entry& x : f->entries) {
        if (x.key == u"url") {
            if (const auto u = yaml.url(x))
                a.url = *u;
            else
                ok = false;
        } else if (x.key == u"insecure_token_over_http") {
            a.insecureTokenOverHttp = yaml.boolean(x).value_or(false);
        } else if (x.key == u"status") {
            if (const auto u = yaml.url(x))
                a.statusUrl = *u;
            else
                ok = false;
        } else {
            tokenKey(yaml, x, inlineSecrets, a.token, ok);
        }
    }
    checkOneToken(yaml, *f, QStringLiteral("admin"), ok);
    checkTokenTransport(yaml, *f, a.url, a.token.has_value(), QStringLiteral("admin API"), ok);
    if (!f->get(u"url")) {
        yaml.missing(*f, QStringLiteral("admin"), QStringLiteral("url"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return a;
}

void readCommands(YamlReader& yaml, const Entry& e, TargetConfig& target)
{
    static const QRegularExpression placeholder(QStringLiteral("\\{([^{}]*)\\}"));
    if (e.value.IsNull())
        return;
    if (!e.value.IsMap()) {
        yaml.error(yaml.pos(e),
            QStringLiteral("'commands' must be a mapping of name → [program, arg, …], got %1").arg(describe(e.value)));
        return;
    }
    if (!yaml.spend(qint64(e.value.size())))
        return;
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        const YNode k = it->first;
        const YNode v = it->second;
        const auto commandName = yaml.name(k, QStringLiteral("command name"));
        if (!commandName)
            continue;
        if (target.commands.contains(*commandName)) {
            yaml.error(yaml.pos(k), QStringLiteral("duplicate command '%1'").arg(*commandName));
            continue;
        }
        if (!v.IsSequence()) {
            yaml.error(yaml.pos(v).isValid() ? yaml.pos(v) : yaml.pos(k),
                QStringLiteral("command '%1' must be an argument vector [program, arg, …], not %2 (commands never "
                               "go through a shell)")
                    .arg(*commandName, v.IsScalar() ? QStringLiteral("a shell string") : describe(v)));
            continue;
        }
        if (v.size() == 0 || !yaml.spend(qint64(v.size()))) {
            yaml.error(yaml.pos(v).isValid() ? yaml.pos(v) : yaml.pos(k),
                QStringLiteral("command '%1' is empty").arg(*commandName));
            continue;
        }
        QStringList argv;
        bool ok = true;
        for (const YNode& a : v) {
            if (!a.IsScalar()) {
                yaml.error(yaml.pos(a),
                    QStringLiteral("arguments of command '%1' must be strings, got %2").arg(*commandName, describe(a)));
                ok = false;
                continue;
            }
            const QString arg = fromStd(a.Scalar());
            auto matches = placeholder.globalMatch(arg);
            while (matches.hasNext()) {
                const QRegularExpressionMatch m = matches.next();
                if (m.capturedView(1) != u"target" && m.capturedView(1) != u"address") {
                    yaml.error(yaml.positionInScalar(a, arg, int(m.capturedStart())),
                        QStringLiteral("unknown placeholder '%1' in command '%2' (use {target} or {address})")
                            .arg(m.captured(0), *commandName));
                    ok = false;
                }
            }
            argv << arg;
        }
        if (ok && argv.constFirst().isEmpty()) {
            yaml.error(yaml.pos(v), QStringLiteral("command '%1' has an empty program name").arg(*commandName));
            ok = false;
        }
        if (ok)
            target.commands.insert(*commandName, argv);
    }
}

void readLabels(YamlReader& yaml, const Entry& e, TargetConfig& target)
{
    if (e.value.IsNull())
        return;
    if (!e.value.IsMap()) {
        yaml.error(yaml.pos(e), QStringLiteral("'labels' must be a mapping, got %1").arg(describe(e.value)));
        return;
    }
    if (!yaml.spend(qint64(e.value.size())))
        return;
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        const YNode k = it->first;
        const YNode v = it->second;
        const QString key = k.IsScalar() ? fromStd(k.Scalar()) : QString();
        if (!labelNamePattern().match(key).hasMatch()) {
            yaml.error(
                yaml.pos(k), QStringLiteral("invalid label name %1 (use letters, digits and '_')").arg(describe(k)));
            continue;
        }
        if (target.labels.contains(key)) {
            yaml.error(yaml.pos(k), QStringLiteral("duplicate label '%1'").arg(key));
            continue;
        }
        if (!v.IsNull() && !v.IsScalar()) {
            yaml.error(yaml.pos(v), QStringLiteral("label '%1' must be a string, got %2").arg(key, describe(v)));
            continue;
        }
        target.labels.insert(key, v.IsScalar() ? fromStd(v.Scalar()) : QString());
    }
}

std::optional<TargetConfig> readTarget(YamlReader& yaml, ConfigDraft& draft, const YNode& n, int index)
{
    const auto f = yaml.mapping(n, {}, QStringLiteral("a target"),
        { QStringLiteral("name"), QStringLiteral("group"), QStringLiteral("address"), QStringLiteral("priority"),
            QStringLiteral("labels"), QStringLiteral("tls_ca_file"), QStringLiteral("probes"),
            QStringLiteral("signals"), QStringLiteral("depends_on"), QStringLiteral("haproxy"), QStringLiteral("admin"),
            QStringLiteral("commands"), QStringLiteral("source"), QStringLiteral("instance"), QStringLiteral("env") });
    if (!f)
        return std::nullopt;
    TargetConfig t;
    t.position = f->position;
    SourcePosition namePos = f->position;
    if (const Entry* nm = f->get(u"name")) {
        t.name = yaml.name(*nm, QStringLiteral("target name")).value_or(QString());
        namePos = yaml.pos(*nm);
    } else {
        yaml.missing(*f, QStringLiteral("target"), QStringLiteral("name"));
    }
    for (const Entry& x : f->entries) {
        if (yaml.stopped())
            return std::nullopt;
        if (x.key == u"group") {
            t.group = yaml.name(x, QStringLiteral("group name")).value_or(QString());
        } else if (x.key == u"address") {
            t.address = yaml.host(x).value_or(QString());
        } else if (x.key == u"priority") {
            t.priority = int(yaml.integer(x, 1, 10).value_or(t.priority));
        } else if (x.key == u"labels") {
            readLabels(yaml, x, t);
        } else if (x.key == u"tls_ca_file") {
            t.tlsCaFile = yaml.path(x).value_or(QString());
        } else if (x.key == u"probes") {
            const auto items = yaml.sequence(x);
            if (items && items->isEmpty())
                yaml.error(yaml.pos(x), QStringLiteral("'probes' needs at least one probe"));
            for (const YNode& p : items.value_or(QList<YNode>())) {
                if (const auto probe = readProbe(yaml, p))
                    t.probes.append(*probe);
            }
        } else if (x.key == u"signals") {
            QHash<QString, int> lines;
            for (const YNode& s : yaml.sequence(x).value_or(QList<YNode>())) {
                const auto signal = readSignal(yaml, s);
                if (!signal)
                    continue;
                if (const auto it = lines.constFind(signal->name); it != lines.constEnd())
                    yaml.error(signal->position,
                        QStringLiteral("duplicate signal name '%1' (first defined at line %2)")
                            .arg(signal->name)
                            .arg(*it));
                else
                    lines.insert(signal->name, signal->position.line);
                t.signalConfigs.append(*signal);
            }
            const bool scraped = std::any_of(t.probes.cbegin(), t.probes.cend(),
                [](const ProbeConfig& p) { return p.kind == ProbeConfig::Kind::Metrics; });
            const Entry* probes = f->get(u"probes");
            const bool metricsProbeLater = probes && probes->value.IsSequence()
                && std::any_of(probes->value.begin(), probes->value.end(), [](const YNode& p) {
                       return p.IsMap() && p["kind"].IsScalar() && p["kind"].Scalar() == "metrics";
                   });
            if (f->get(u"source"))
                yaml.error(yaml.pos(x.keyNode),
                    QStringLiteral("a target reported by a Prometheus source takes its signals from the source's "
                                   "'signals' (PromQL); remove them here"));
            else if (!t.signalConfigs.isEmpty() && !scraped && !metricsProbeLater)
                yaml.error(
                    yaml.pos(x.keyNode), QStringLiteral("signals need a metrics probe on the target (kind: metrics)"));
        } else if (x.key == u"depends_on") {
            readDependsOn(yaml, draft, x, t, index);
        } else if (x.key == u"haproxy") {
            t.haproxy = readMembership(yaml, draft, x, t.name);
        } else if (x.key == u"admin") {
            t.admin = readAdmin(yaml, x);
        } else if (x.key == u"commands") {
            readCommands(yaml, x, t);
        } else if (x.key == u"env") {
            t.env = yaml.env(x).value_or(QMap<QString, QString>());
        } else if (x.key == u"source") {
            if (const auto v = yaml.name(x, QStringLiteral("prometheus source name"))) {
                t.source = *v;
                draft.sourceRefs.append({ index, *v, yaml.pos(x) });
            }
        } else if (x.key == u"instance") {
            t.instance = yaml.hostPort(x).value_or(QString());
        }
    }
    const Entry* source = f->get(u"source");
    if (source) {
        if (const Entry* p = f->get(u"probes"))
            yaml.error(yaml.pos(p->keyNode),
                QStringLiteral("target has both 'probes' and 'source': a Prometheus source reports it, FaultDesk does "
                               "not probe it too; give one"));
        if (!f->get(u"instance"))
            yaml.missing(*f, QStringLiteral("target with a Prometheus 'source'"), QStringLiteral("instance"));
    } else if (const Entry* i = f->get(u"instance")) {
        yaml.error(yaml.pos(i->keyNode),
            QStringLiteral("'instance' names the target in a Prometheus source; add 'source: NAME' or remove it"));
    }
    if (!f->get(u"probes") && !source)
        yaml.missing(*f, QStringLiteral("target"), QStringLiteral("probes"));
    if (!t.name.isEmpty()) {
        if (const auto it = draft.targetIndex.constFind(t.name); it != draft.targetIndex.constEnd()) {
            yaml.error(namePos,
                QStringLiteral("duplicate target name '%1' (first defined at line %2)")
                    .arg(t.name)
                    .arg(draft.targetNamePositions.at(*it).line));
        } else {
            draft.targetIndex.insert(t.name, index);
        }
    }
    return t;
}

} // namespace

void readTargets(YamlReader& yaml, ConfigDraft& draft, const Entry& e, bool mayBeEmpty)
{
    const auto items = yaml.sequence(e);
    if (!items)
        return;
    if (items->isEmpty() && !mayBeEmpty) {
        yaml.error(yaml.pos(e), QStringLiteral("'targets' needs at least one target"));
        return;
    }
    for (const YNode& n : *items) {
        if (yaml.stopped())
            return;
        const int index = int(draft.config.targets.size());
        auto t = readTarget(yaml, draft, n, index);
        // Keep indices aligned with the references recorded while reading, even for broken targets.
        draft.config.targets.append(t.value_or(TargetConfig()));
        draft.targetNamePositions.append(t ? t->position : yaml.pos(n));
    }
}

} // namespace FaultDesk::ConfigSections
