// `prometheus:` — Prometheus sources: discovery and PromQL signals.

#include "config/configsections.h"
#include "config/fieldtable.h"

#include <QHash>

namespace FaultDesk::ConfigSections {

namespace {

std::optional<PrometheusDiscoveryConfig> readDiscovery(YamlReader& yaml, const Entry& e)
{
    static const FieldTable<PrometheusDiscoveryConfig> fields {
        Bind::string(QStringLiteral("job"), &PrometheusDiscoveryConfig::job),
        Bind::labelName(QStringLiteral("name_label"), &PrometheusDiscoveryConfig::nameLabel),
        Bind::labelName(QStringLiteral("group_label"), &PrometheusDiscoveryConfig::groupLabel),
        Bind::duration(QStringLiteral("refresh"), &PrometheusDiscoveryConfig::refresh),
    };
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("discover"), fieldKeys(fields));
    if (!f)
        return std::nullopt;
    PrometheusDiscoveryConfig d;
    d.position = f->position;
    bool ok = readFields(yaml, *f, fields, d);
    if (!f->get(u"job")) {
        yaml.missing(*f, QStringLiteral("discover"), QStringLiteral("job"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return d;
}

void readPrometheusSignals(YamlReader& yaml, const Entry& e, PrometheusSourceConfig& source)
{
    if (e.value.IsNull())
        return;
    if (!e.value.IsMap()) {
        yaml.error(yaml.pos(e),
            QStringLiteral("'signals' of a Prometheus source must be a mapping of signal name to PromQL query, got %1")
                .arg(describe(e.value)));
        return;
    }
    if (!yaml.spend(qint64(e.value.size()) + 1))
        return;
    QHash<QString, int> lines;
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        const YNode keyNode = it->first;
        const YNode value = it->second;
        const auto signalName = yaml.name(keyNode, QStringLiteral("signal name"));
        if (!signalName)
            continue;
        PrometheusSignalConfig s;
        s.name = *signalName;
        s.position = yaml.pos(keyNode);
        s.cause = CauseClasses::defaultForSignal(s.name);
        if (const auto l = lines.constFind(s.name); l != lines.constEnd()) {
            yaml.error(s.position,
                QStringLiteral("duplicate signal name '%1' (first defined at line %2)").arg(s.name).arg(*l));
            continue;
        }
        lines.insert(s.name, s.position.line);
        const Entry entry { s.name, keyNode, value };
        bool ok = true;
        if (value.IsScalar()) {
            if (const auto q = yaml.string(entry))
                s.query = q->trimmed();
            else
                ok = false;
        } else {
            const auto f = yaml.mapping(value, s.position, QStringLiteral("signal '%1'").arg(s.name),
                { QStringLiteral("query"), QStringLiteral("threshold"), QStringLiteral("cause") });
            if (!f)
                continue;
            for (const Entry& x : f->entries) {
                if (x.key == u"query") {
                    if (const auto q = yaml.string(x))
                        s.query = q->trimmed();
                    else
                        ok = false;
                } else if (x.key == u"threshold") {
                    s.threshold = readThreshold(yaml, x);
                    ok = ok && s.threshold;
                } else if (x.key == u"cause") {
                    const auto c = yaml.causeClass(x);
                    s.cause = c.value_or(s.cause);
                    ok = ok && c;
                }
            }
            if (!f->get(u"query")) {
                yaml.missing(*f, QStringLiteral("signal '%1'").arg(s.name), QStringLiteral("query"));
                ok = false;
            }
        }
        if (ok && s.query.isEmpty()) {
            yaml.error(s.position, QStringLiteral("signal '%1': the query is empty").arg(s.name));
            ok = false;
        }
        if (ok)
            source.signalConfigs.append(s);
    }
}

const FieldTable<PrometheusSourceConfig>& sourceFields()
{
    using Source = PrometheusSourceConfig;
    static const FieldTable<Source> fields {
        Bind::name(QStringLiteral("name"), &Source::name, QStringLiteral("prometheus source name")),
        Bind::url(QStringLiteral("url"), &Source::url),
        Bind::path(QStringLiteral("tls_ca_file"), &Source::tlsCaFile),
        Bind::duration(QStringLiteral("query_timeout"), &Source::queryTimeout),
        Bind::duration(QStringLiteral("interval"), &Source::interval),
        Bind::custom<Source>(QStringLiteral("discover"),
            [](YamlReader& yaml, const Entry& x, Source& p) {
                p.discover = readDiscovery(yaml, x);
                return p.discover.has_value();
            }),
        Bind::custom<Source>(QStringLiteral("signals"),
            [](YamlReader& yaml, const Entry& x, Source& p) {
                readPrometheusSignals(yaml, x, p);
                return true;
            }),
    };
    return fields;
}

std::optional<PrometheusSourceConfig> readPrometheusSource(YamlReader& yaml, const YNode& n)
{
    const auto f = yaml.mapping(n, {}, QStringLiteral("a prometheus source"), fieldKeys(sourceFields(), tokenKeys()));
    if (!f)
        return std::nullopt;
    PrometheusSourceConfig p;
    p.position = f->position;
    readFields(yaml, *f, sourceFields(), p);
    if (yaml.stopped())
        return std::nullopt;
    if (const Entry* nm = f->get(u"name"))
        p.position = yaml.pos(*nm);
    if (!f->get(u"name"))
        yaml.missing(*f, QStringLiteral("prometheus source"), QStringLiteral("name"));
    if (!f->get(u"url"))
        yaml.missing(*f, QStringLiteral("prometheus source"), QStringLiteral("url"));
    readToken(yaml, *f, QStringLiteral("prometheus source"), p.token, p.insecureTokenOverHttp);
    checkTokenTransport(yaml, *f, p.url, p.token.has_value(), p.insecureTokenOverHttp,
        QStringLiteral("prometheus source '%1'").arg(p.name));
    return p;
}

} // namespace

void readPrometheusSources(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    const auto items = yaml.sequence(e);
    if (!items)
        return;
    QHash<QString, int> lines;
    for (const YNode& n : *items) {
        if (yaml.stopped())
            return;
        const auto p = readPrometheusSource(yaml, n);
        if (!p)
            continue;
        if (!p->name.isEmpty()) {
            if (const auto it = lines.constFind(p->name); it != lines.constEnd())
                yaml.error(p->position,
                    QStringLiteral("duplicate prometheus source name '%1' (first defined at line %2)")
                        .arg(p->name)
                        .arg(*it));
            else
                lines.insert(p->name, p->position.line);
        }
        draft.config.prometheus.append(*p);
    }
}

} // namespace FaultDesk::ConfigSections
