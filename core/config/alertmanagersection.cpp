// `alertmanager:` — Alertmanagers whose firing alerts become faults.

#include "configsections.h"

namespace FaultDesk::ConfigSections {

namespace {

std::optional<AlertmanagerConfig> readAlertmanager(YamlReader& yaml, ConfigDraft& draft, const YNode& n)
{
    const QStringList inlineSecrets { QStringLiteral("token"), QStringLiteral("password"), QStringLiteral("secret") };
    const auto f = yaml.mapping(n, yaml.pos(n), QStringLiteral("an alertmanager source"),
        QStringList { QStringLiteral("name"), QStringLiteral("url"), QStringLiteral("token_env"),
            QStringLiteral("token_file"), QStringLiteral("tls_ca_file"), QStringLiteral("poll_interval"),
            QStringLiteral("timeout"), QStringLiteral("target_label"), QStringLiteral("cause_label"),
            QStringLiteral("causes"), QStringLiteral("default_cause"), QStringLiteral("silence_duration"),
            QStringLiteral("insecure_token_over_http") }
            + inlineSecrets);
    if (!f)
        return std::nullopt;
    AlertmanagerConfig a;
    a.position = f->position;
    bool ok = true;
    auto check = [&ok](bool good) { ok = ok && good; };
    for (const Entry& x : f->entries) {
        if (x.key == u"name") {
            const auto v = yaml.name(x, QStringLiteral("alertmanager name"));
            check(v.has_value());
            if (v) {
                a.name = *v;
                for (int i = 0; i < draft.config.alertmanager.size(); ++i) {
                    if (draft.config.alertmanager[i].name == a.name) {
                        yaml.error(yaml.pos(x),
                            QStringLiteral("duplicate alertmanager name '%1' (first defined at line %2)")
                                .arg(a.name)
                                .arg(draft.alertmanagerNamePositions.value(i).line));
                        ok = false;
                    }
                }
            }
        } else if (x.key == u"url") {
            const auto u = yaml.url(x);
            check(u.has_value());
            if (u)
                a.url = *u;
        } else if (tokenKey(yaml, x, inlineSecrets, a.token, ok)) {
            continue;
        } else if (x.key == u"tls_ca_file") {
            const auto p = yaml.path(x);
            check(p.has_value());
            if (p)
                a.tlsCaFile = *p;
        } else if (x.key == u"poll_interval" || x.key == u"timeout" || x.key == u"silence_duration") {
            const auto d = yaml.duration(x);
            check(d.has_value());
            if (d)
                (x.key == u"poll_interval" ? a.pollInterval : x.key == u"timeout" ? a.timeout : a.silenceDuration) = *d;
        } else if (x.key == u"target_label" || x.key == u"cause_label") {
            const auto v = yaml.labelName(x);
            check(v.has_value());
            if (v)
                (x.key == u"target_label" ? a.targetLabel : a.causeLabel) = *v;
        } else if (x.key == u"default_cause") {
            const auto c = yaml.causeClass(x);
            check(c.has_value());
            if (c)
                a.defaultCause = *c;
        } else if (x.key == u"causes") {
            if (x.value.IsNull())
                continue;
            if (!x.value.IsMap()) {
                yaml.error(yaml.pos(x),
                    QStringLiteral("'causes' must be a mapping of alertname to cause class (e.g. { HighLatency: "
                                   "latency }), got %1")
                        .arg(describe(x.value)));
                ok = false;
                continue;
            }
            for (auto it = x.value.begin(); it != x.value.end(); ++it) {
                const Entry c { it->first.IsScalar() ? fromStd(it->first.Scalar()) : QString(), it->first, it->second };
                if (c.key.isEmpty()) {
                    yaml.error(yaml.pos(c.keyNode), QStringLiteral("alert names in 'causes' must be plain words"));
                    ok = false;
                    continue;
                }
                if (a.causes.contains(c.key)) {
                    yaml.error(yaml.pos(c.keyNode), QStringLiteral("duplicate alert name '%1' in 'causes'").arg(c.key));
                    ok = false;
                    continue;
                }
                const auto cause = yaml.causeClass(c);
                check(cause.has_value());
                if (cause)
                    a.causes.insert(c.key, *cause);
            }
        }
    }
    checkOneToken(yaml, *f, QStringLiteral("alertmanager"), ok);
    checkTokenTransport(yaml, *f, a.url, a.token.has_value(), QStringLiteral("alertmanager '%1'").arg(a.name), ok);
    if (const Entry* e = f->get(u"insecure_token_over_http"))
        a.insecureTokenOverHttp = yaml.boolean(*e).value_or(false);
    if (!f->get(u"name")) {
        yaml.missing(*f, QStringLiteral("alertmanager source"), QStringLiteral("name"));
        ok = false;
    }
    if (!f->get(u"url")) {
        yaml.missing(*f, QStringLiteral("alertmanager source"), QStringLiteral("url"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    draft.alertmanagerNamePositions.append(f->get(u"name") ? yaml.pos(*f->get(u"name")) : f->position);
    return a;
}

} // namespace

void readAlertmanagers(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    const auto items = yaml.sequence(e);
    if (!items)
        return;
    for (const YNode& n : *items) {
        if (yaml.stopped())
            return;
        if (auto a = readAlertmanager(yaml, draft, n))
            draft.config.alertmanager.append(*a);
    }
}

} // namespace FaultDesk::ConfigSections
