// `defaults:` — fleet-wide probing and confirmation defaults.

#include "configsections.h"

#include <cmath>

namespace FaultDesk::ConfigSections {

void readDefaults(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    if (e.value.IsNull())
        return;
    const auto f = yaml.mapping(e.value, yaml.pos(e), QStringLiteral("defaults"),
        { QStringLiteral("interval"), QStringLiteral("timeout"), QStringLiteral("attempts"),
            QStringLiteral("retry_interval"), QStringLiteral("stale_after"), QStringLiteral("flapping") });
    if (!f)
        return;
    FleetDefaults& d = draft.config.defaults;
    for (const Entry& x : f->entries) {
        if (x.key == u"interval") {
            d.interval = yaml.duration(x).value_or(d.interval);
        } else if (x.key == u"timeout") {
            d.timeout = yaml.duration(x).value_or(d.timeout);
        } else if (x.key == u"retry_interval") {
            d.retryInterval = yaml.duration(x).value_or(d.retryInterval);
        } else if (x.key == u"stale_after") {
            d.staleAfter = yaml.duration(x).value_or(d.staleAfter);
        } else if (x.key == u"attempts") {
            d.attempts = int(yaml.integer(x, 1, 100).value_or(d.attempts));
        } else if (x.key == u"flapping") {
            const auto fl = yaml.mapping(
                x.value, yaml.pos(x), QStringLiteral("flapping"), { QStringLiteral("high"), QStringLiteral("low") });
            if (!fl)
                continue;
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
            if (ok && d.flappingLow > d.flappingHigh)
                yaml.error(fl->position,
                    QStringLiteral("flapping: low (%1) must not be above high (%2)")
                        .arg(d.flappingLow)
                        .arg(d.flappingHigh));
        }
    }
}

} // namespace FaultDesk::ConfigSections
