// `correlation:` — which faults join one incident.

#include "configsections.h"

namespace FaultDesk::ConfigSections {

void readCorrelation(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    if (e.value.IsNull())
        return;
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("correlation"),
        { QStringLiteral("enabled"), QStringLiteral("window"), QStringLiteral("aftershock_grace"),
            QStringLiteral("rules") });
    if (!f)
        return;
    CorrelationConfig& c = draft.config.correlation;
    c.position = f->position;
    for (const Entry& x : f->entries) {
        if (x.key == u"enabled") {
            c.enabled = yaml.boolean(x).value_or(c.enabled);
        } else if (x.key == u"window") {
            const auto d = yaml.duration(x);
            if (d && *d > std::chrono::minutes(10))
                yaml.error(yaml.pos(x),
                    QStringLiteral("'window' is at most 10m: faults that far apart are not one event, got %1")
                        .arg(describe(x.value)));
            else if (d)
                c.window = *d;
        } else if (x.key == u"aftershock_grace") {
            // "0s" turns aftershocks off; yaml.duration() wants a positive value, so zero is read here.
            if (x.value.IsScalar()
                && QStringList { QStringLiteral("0"), QStringLiteral("0s"), QStringLiteral("0ms") }.contains(
                    fromStd(x.value.Scalar()).trimmed())) {
                c.aftershockGrace = std::chrono::milliseconds(0);
                continue;
            }
            const auto d = yaml.duration(x);
            if (d && *d > std::chrono::hours(1))
                yaml.error(
                    yaml.pos(x), QStringLiteral("'aftershock_grace' is at most 1h, got %1").arg(describe(x.value)));
            else if (d)
                c.aftershockGrace = *d;
        } else if (x.key == u"rules") {
            const auto r = yaml.mapping(x.value, yaml.pos(x), QStringLiteral("correlation rules"),
                { QStringLiteral("depends_on"), QStringLiteral("pool"), QStringLiteral("group"),
                    QStringLiteral("traffic_path") });
            if (!r)
                continue;
            for (const Entry& y : r->entries) {
                const auto on = yaml.boolean(y);
                if (!on)
                    continue;
                if (y.key == u"depends_on")
                    c.dependsOn = *on;
                else if (y.key == u"pool")
                    c.pool = *on;
                else if (y.key == u"group")
                    c.group = *on;
                else
                    c.trafficPath = *on;
            }
        }
    }
}

} // namespace FaultDesk::ConfigSections
