// `targets:` — what to probe, what a target depends on, its pool membership, admin API, commands and labels.

#include "config/configsections.h"
#include "config/fieldtable.h"
#include "config/postgresprobereader.h"

#include <QHash>
#include <QRegularExpression>
#include <algorithm>

namespace FaultDesk::ConfigSections {

namespace {

/// A target while it is read: the names it uses are resolved once every section is read (crosschecks.cpp).
struct TargetDraft : TargetConfig
{
    QList<ConfigDraft::Reference> dependencyRefs;
    QList<ConfigDraft::Reference> instanceRefs;
    QList<ConfigDraft::Reference> sourceRefs;
};

std::optional<ProbeConfig> readProbe(YamlReader& yaml, const YNode& n)
{
    if (PostgresProbeReader::isPostgresProbe(n))
        return PostgresProbeReader::read(
            n, yaml.baseDir(), [&yaml](SourcePosition p, const QString& m) { yaml.error(p, m); });
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
    const QStringList kinds { QStringLiteral("http"), QStringLiteral("metrics"), QStringLiteral("tcp"),
        QStringLiteral("postgres") };
    if (!kinds.contains(k)) {
        yaml.error(yaml.pos(*kind),
            QStringLiteral("probe kind must be http, metrics, tcp or postgres, got %1%2")
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

bool readDependsOn(YamlReader& yaml, const Entry& e, TargetDraft& target)
{
    const auto items = yaml.sequence(e);
    if (!items)
        return false;
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
                    target.dependencyRefs.append({ -1, *nm, yaml.pos(m) });
                }
            }
        } else if (const auto nm = yaml.name(n, QStringLiteral("depends_on entry"))) {
            d.targets << *nm;
            target.dependencyRefs.append({ -1, *nm, yaml.pos(n) });
        }
        if (!d.targets.isEmpty())
            target.dependsOn.append(d);
    }
    return true;
}

bool readMembership(YamlReader& yaml, const Entry& e, TargetDraft& target)
{
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("haproxy membership"),
        { QStringLiteral("instance"), QStringLiteral("backend"), QStringLiteral("server") });
    if (!f)
        return false;
    HaproxyMembership m;
    m.position = f->position;
    m.server = target.name;
    for (const Entry& x : f->entries) {
        const auto v = yaml.name(x, QStringLiteral("haproxy %1").arg(x.key));
        if (!v)
            return false;
        if (x.key == u"instance") {
            m.instance = *v;
            target.instanceRefs.append({ -1, *v, yaml.pos(x) });
        } else if (x.key == u"backend") {
            m.backend = *v;
        } else {
            m.server = *v;
        }
    }
    for (const auto key : { u"instance", u"backend" }) {
        if (!f->get(key)) {
            yaml.missing(*f, QStringLiteral("haproxy membership"), QString::fromUtf16(key));
            return false;
        }
    }
    target.haproxy = m;
    return true;
}

std::optional<AdminConfig> readAdmin(YamlReader& yaml, const Entry& e)
{
    static const FieldTable<AdminConfig> fields {
        Bind::url(QStringLiteral("url"), &AdminConfig::url),
        Bind::url(QStringLiteral("status"), &AdminConfig::statusUrl),
    };
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("admin"), fieldKeys(fields, tokenKeys()));
    if (!f)
        return std::nullopt;
    AdminConfig a;
    a.position = f->position;
    bool ok = readFields(yaml, *f, fields, a);
    ok = readToken(yaml, *f, QStringLiteral("admin"), a.token, a.insecureTokenOverHttp) && ok;
    ok = checkTokenTransport(yaml, *f, a.url, a.token.has_value(), a.insecureTokenOverHttp, QStringLiteral("admin API"))
        && ok;
    if (!f->get(u"url")) {
        yaml.missing(*f, QStringLiteral("admin"), QStringLiteral("url"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return a;
}

bool readCommands(YamlReader& yaml, const Entry& e, TargetDraft& target)
{
    static const QRegularExpression placeholder(QStringLiteral("\\{([^{}]*)\\}"));
    if (e.value.IsNull())
        return false;
    if (!e.value.IsMap()) {
        yaml.error(yaml.pos(e),
            QStringLiteral("'commands' must be a mapping of name → [program, arg, …], got %1").arg(describe(e.value)));
        return false;
    }
    if (!yaml.spend(qint64(e.value.size())))
        return false;
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
    return true;
}

bool readLabels(YamlReader& yaml, const Entry& e, TargetDraft& target)
{
    if (e.value.IsNull())
        return false;
    if (!e.value.IsMap()) {
        yaml.error(yaml.pos(e), QStringLiteral("'labels' must be a mapping, got %1").arg(describe(e.value)));
        return false;
    }
    if (!yaml.spend(qint64(e.value.size())))
        return false;
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
    return true;
}

bool readProbes(YamlReader& yaml, const Entry& x, TargetDraft& t)
{
    const auto items = yaml.sequence(x);
    if (items && items->isEmpty())
        yaml.error(yaml.pos(x), QStringLiteral("'probes' needs at least one probe"));
    for (const YNode& p : items.value_or(QList<YNode>())) {
        if (const auto probe = readProbe(yaml, p))
            t.probes.append(*probe);
    }
    return items && !items->isEmpty();
}

bool readSignals(YamlReader& yaml, const Entry& x, TargetDraft& t)
{
    QHash<QString, int> lines;
    for (const YNode& s : yaml.sequence(x).value_or(QList<YNode>())) {
        const auto signal = readSignal(yaml, s);
        if (!signal)
            continue;
        if (const auto it = lines.constFind(signal->name); it != lines.constEnd())
            yaml.error(signal->position,
                QStringLiteral("duplicate signal name '%1' (first defined at line %2)").arg(signal->name).arg(*it));
        else
            lines.insert(signal->name, signal->position.line);
        t.signalConfigs.append(*signal);
    }
    return true;
}

const FieldTable<TargetDraft>& targetFields()
{
    static const FieldTable<TargetDraft> fields {
        Bind::name<TargetDraft>(QStringLiteral("name"), &TargetDraft::name, QStringLiteral("target name")),
        Bind::name<TargetDraft>(QStringLiteral("group"), &TargetDraft::group, QStringLiteral("group name")),
        Bind::host<TargetDraft>(QStringLiteral("address"), &TargetDraft::address),
        Bind::integer<TargetDraft>(QStringLiteral("priority"), &TargetDraft::priority, 1, 10),
        Bind::custom<TargetDraft>(QStringLiteral("labels"), readLabels),
        Bind::path<TargetDraft>(QStringLiteral("tls_ca_file"), &TargetDraft::tlsCaFile),
        Bind::custom<TargetDraft>(QStringLiteral("probes"), readProbes),
        Bind::custom<TargetDraft>(QStringLiteral("signals"), readSignals),
        Bind::custom<TargetDraft>(QStringLiteral("depends_on"), readDependsOn),
        Bind::custom<TargetDraft>(QStringLiteral("haproxy"), readMembership),
        Bind::custom<TargetDraft>(QStringLiteral("admin"),
            [](YamlReader& yaml, const Entry& x, TargetDraft& t) {
                t.admin = readAdmin(yaml, x);
                return t.admin.has_value();
            }),
        Bind::custom<TargetDraft>(QStringLiteral("commands"), readCommands),
        Bind::value<TargetDraft, QMap<QString, QString>>(
            QStringLiteral("env"), &TargetDraft::env, [](YamlReader& yaml, const Entry& x) { return yaml.env(x); }),
        Bind::custom<TargetDraft>(QStringLiteral("source"),
            [](YamlReader& yaml, const Entry& x, TargetDraft& t) {
                const auto v = yaml.name(x, QStringLiteral("prometheus source name"));
                if (v) {
                    t.source = *v;
                    t.sourceRefs.append({ -1, *v, yaml.pos(x) });
                }
                return v.has_value();
            }),
        Bind::hostPort<TargetDraft>(QStringLiteral("instance"), &TargetDraft::instance),
    };
    return fields;
}

std::optional<TargetConfig> readTarget(YamlReader& yaml, ConfigDraft& draft, const YNode& n, int index)
{
    const auto f = yaml.mapping(n, {}, QStringLiteral("a target"), fieldKeys(targetFields()));
    if (!f)
        return std::nullopt;
    TargetDraft t;
    t.position = f->position;
    SourcePosition namePos = f->position;
    if (const Entry* nm = f->get(u"name"))
        namePos = yaml.pos(*nm);
    else
        yaml.missing(*f, QStringLiteral("target"), QStringLiteral("name"));
    readFields(yaml, *f, targetFields(), t);
    if (yaml.stopped())
        return std::nullopt;
    for (auto* refs : { &t.dependencyRefs, &t.instanceRefs, &t.sourceRefs }) {
        for (ConfigDraft::Reference& r : *refs)
            r.from = index;
    }
    draft.dependencyRefs += t.dependencyRefs;
    draft.instanceRefs += t.instanceRefs;
    draft.sourceRefs += t.sourceRefs;
    const Entry* source = f->get(u"source");
    if (const Entry* signals = f->get(u"signals")) {
        const Entry* probes = f->get(u"probes");
        const bool scraped = probes && probes->value.IsSequence()
            && std::any_of(probes->value.begin(), probes->value.end(), [](const YNode& p) {
                   // A missing key is an invalid node here: IsDefined() is the one query that does not throw.
                   const YNode kind = p.IsMap() ? p["kind"] : YNode();
                   return kind.IsDefined() && kind.IsScalar() && kind.Scalar() == "metrics";
               });
        if (source)
            yaml.error(yaml.pos(signals->keyNode),
                QStringLiteral("a target reported by a Prometheus source takes its signals from the source's "
                               "'signals' (PromQL); remove them here"));
        else if (!t.signalConfigs.isEmpty() && !scraped)
            yaml.error(yaml.pos(signals->keyNode),
                QStringLiteral("signals need a metrics probe on the target (kind: metrics)"));
    }
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
    PostgresProbeReader::addBuiltinSignals(t, [&yaml](SourcePosition p, const QString& m) { yaml.error(p, m); });
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
    return static_cast<const TargetConfig&>(t);
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
