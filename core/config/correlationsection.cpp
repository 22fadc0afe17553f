// `correlation:` — which faults join one incident.

#include "config/configsections.h"
#include "config/fieldtable.h"

namespace FaultDesk::ConfigSections {

namespace {

const FieldTable<CorrelationConfig>& correlationFields()
{
    static const FieldTable<CorrelationConfig> rules {
        Bind::boolean(QStringLiteral("depends_on"), &CorrelationConfig::dependsOn),
        Bind::boolean(QStringLiteral("pool"), &CorrelationConfig::pool),
        Bind::boolean(QStringLiteral("group"), &CorrelationConfig::group),
        Bind::boolean(QStringLiteral("traffic_path"), &CorrelationConfig::trafficPath),
    };
    static const FieldTable<CorrelationConfig> fields {
        Bind::boolean(QStringLiteral("enabled"), &CorrelationConfig::enabled),
        Bind::custom<CorrelationConfig>(QStringLiteral("window"),
            [](YamlReader& yaml, const Entry& x, CorrelationConfig& c) {
                const auto d = yaml.duration(x);
                if (d && *d > std::chrono::minutes(10)) {
                    yaml.error(yaml.pos(x),
                        QStringLiteral("'window' is at most 10m: faults that far apart are not one event, got %1")
                            .arg(describe(x.value)));
                    return false;
                }
                if (d)
                    c.window = *d;
                return d.has_value();
            }),
        Bind::custom<CorrelationConfig>(QStringLiteral("aftershock_grace"),
            [](YamlReader& yaml, const Entry& x, CorrelationConfig& c) {
                // "0s" turns aftershocks off; duration() wants a positive value, so zero is read here.
                if (x.value.IsScalar()
                    && QStringList { QStringLiteral("0"), QStringLiteral("0s"), QStringLiteral("0ms") }.contains(
                        fromStd(x.value.Scalar()).trimmed())) {
                    c.aftershockGrace = std::chrono::milliseconds(0);
                    return true;
                }
                const auto d = yaml.duration(x);
                if (d && *d > std::chrono::hours(1)) {
                    yaml.error(
                        yaml.pos(x), QStringLiteral("'aftershock_grace' is at most 1h, got %1").arg(describe(x.value)));
                    return false;
                }
                if (d)
                    c.aftershockGrace = *d;
                return d.has_value();
            }),
        Bind::custom<CorrelationConfig>(QStringLiteral("rules"),
            [](YamlReader& yaml, const Entry& x, CorrelationConfig& c) {
                const auto r
                    = yaml.mapping(x.value, yaml.pos(x), QStringLiteral("correlation rules"), fieldKeys(rules));
                return r && readFields(yaml, *r, rules, c);
            }),
    };
    return fields;
}

} // namespace

void readCorrelation(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    if (e.value.IsNull())
        return;
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("correlation"), fieldKeys(correlationFields()));
    if (!f)
        return;
    CorrelationConfig& c = draft.config.correlation;
    c.position = f->position;
    readFields(yaml, *f, correlationFields(), c);
}

} // namespace FaultDesk::ConfigSections
