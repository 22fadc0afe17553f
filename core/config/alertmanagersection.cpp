// `alertmanager:` — Alertmanagers whose firing alerts become faults.

#include "config/configsections.h"
#include "config/fieldtable.h"

namespace FaultDesk::ConfigSections {

namespace {

bool readCauses(YamlReader& yaml, const Entry& x, AlertmanagerConfig& a)
{
    if (x.value.IsNull())
        return true;
    if (!x.value.IsMap()) {
        yaml.error(yaml.pos(x),
            QStringLiteral("'causes' must be a mapping of alertname to cause class (e.g. { HighLatency: latency }), "
                           "got %1")
                .arg(describe(x.value)));
        return false;
    }
    bool ok = true;
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
        if (cause)
            a.causes.insert(c.key, *cause);
        ok = cause.has_value() && ok;
    }
    return ok;
}

const FieldTable<AlertmanagerConfig>& alertmanagerFields()
{
    using Source = AlertmanagerConfig;
    static const FieldTable<Source> fields {
        Bind::name(QStringLiteral("name"), &Source::name, QStringLiteral("alertmanager name")),
        Bind::url(QStringLiteral("url"), &Source::url),
        Bind::path(QStringLiteral("tls_ca_file"), &Source::tlsCaFile),
        Bind::duration(QStringLiteral("poll_interval"), &Source::pollInterval),
        Bind::duration(QStringLiteral("timeout"), &Source::timeout),
        Bind::labelName(QStringLiteral("target_label"), &Source::targetLabel),
        Bind::labelName(QStringLiteral("cause_label"), &Source::causeLabel),
        Bind::custom<Source>(QStringLiteral("causes"), readCauses),
        Bind::causeClass(QStringLiteral("default_cause"), &Source::defaultCause),
        Bind::duration(QStringLiteral("silence_duration"), &Source::silenceDuration),
    };
    return fields;
}

std::optional<AlertmanagerConfig> readAlertmanager(YamlReader& yaml, ConfigDraft& draft, const YNode& n)
{
    const auto f = yaml.mapping(
        n, yaml.pos(n), QStringLiteral("an alertmanager source"), fieldKeys(alertmanagerFields(), tokenKeys()));
    if (!f)
        return std::nullopt;
    AlertmanagerConfig a;
    a.position = f->position;
    bool ok = readFields(yaml, *f, alertmanagerFields(), a);
    const Entry* name = f->get(u"name");
    if (name && !a.name.isEmpty()) {
        for (int i = 0; i < draft.config.alertmanager.size(); ++i) {
            if (draft.config.alertmanager[i].name == a.name) {
                yaml.error(yaml.pos(*name),
                    QStringLiteral("duplicate alertmanager name '%1' (first defined at line %2)")
                        .arg(a.name)
                        .arg(draft.alertmanagerNamePositions.value(i).line));
                ok = false;
            }
        }
    }
    ok = readToken(yaml, *f, QStringLiteral("alertmanager"), a.token, a.insecureTokenOverHttp) && ok;
    ok = checkTokenTransport(yaml, *f, a.url, a.token.has_value(), a.insecureTokenOverHttp,
             QStringLiteral("alertmanager '%1'").arg(a.name))
        && ok;
    if (!name) {
        yaml.missing(*f, QStringLiteral("alertmanager source"), QStringLiteral("name"));
        ok = false;
    }
    if (!f->get(u"url")) {
        yaml.missing(*f, QStringLiteral("alertmanager source"), QStringLiteral("url"));
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    draft.alertmanagerNamePositions.append(name ? yaml.pos(*name) : f->position);
    return a;
}

} // namespace

void readAlertmanagers(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    yaml.list(e, draft.config.alertmanager, [&](const YNode& n) { return readAlertmanager(yaml, draft, n); });
}

} // namespace FaultDesk::ConfigSections
