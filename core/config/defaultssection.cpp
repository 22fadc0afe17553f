// `defaults:` — fleet-wide probing and confirmation defaults.

#include "config/configsections.h"
#include "config/fieldtable.h"

namespace FaultDesk::ConfigSections {

namespace {

bool readFlapping(YamlReader& yaml, const Entry& x, FleetDefaults& d)
{
    const auto fl = yaml.mapping(
        x.value, yaml.pos(x), QStringLiteral("flapping"), { QStringLiteral("high"), QStringLiteral("low") });
    if (!fl)
        return false;
    bool ok = true;
    for (const Entry& y : fl->entries) {
        const auto v = yaml.number(y);
        if (v && (*v < 0 || *v > 100)) {
            yaml.error(yaml.pos(y), QStringLiteral("'%1' is a percentage: 0–100, got %2").arg(y.key).arg(*v));
            ok = false;
        } else if (!v) {
            ok = false;
        } else {
            (y.key == u"high" ? d.flappingHigh : d.flappingLow) = *v;
        }
    }
    if (ok && d.flappingLow > d.flappingHigh) {
        yaml.error(fl->position,
            QStringLiteral("flapping: low (%1) must not be above high (%2)").arg(d.flappingLow).arg(d.flappingHigh));
        ok = false;
    }
    return ok;
}

} // namespace

void readDefaults(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    static const FieldTable<FleetDefaults> fields {
        Bind::duration(QStringLiteral("interval"), &FleetDefaults::interval),
        Bind::duration(QStringLiteral("timeout"), &FleetDefaults::timeout),
        Bind::integer(QStringLiteral("attempts"), &FleetDefaults::attempts, 1, 100),
        Bind::duration(QStringLiteral("retry_interval"), &FleetDefaults::retryInterval),
        Bind::duration(QStringLiteral("stale_after"), &FleetDefaults::staleAfter),
        Bind::custom<FleetDefaults>(QStringLiteral("flapping"), readFlapping),
    };
    if (e.value.IsNull())
        return;
    if (const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("defaults"), fieldKeys(fields)))
        readFields(yaml, *f, fields, draft.config.defaults);
}

} // namespace FaultDesk::ConfigSections
