// `maintenance:` — planned maintenance windows.

#include "configsections.h"

namespace FaultDesk::ConfigSections {

void readMaintenance(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    const auto items = yaml.sequence(e);
    if (!items)
        return;
    for (const YNode& n : *items) {
        if (yaml.stopped())
            return;
        const auto f = yaml.mapping(n, yaml.pos(e), QStringLiteral("a maintenance window"),
            { QStringLiteral("targets"), QStringLiteral("groups"), QStringLiteral("start"), QStringLiteral("end"),
                QStringLiteral("comment"), QStringLiteral("confirm_long") });
        if (!f)
            continue;
        MaintenanceConfig m;
        m.position = f->position;
        bool ok = true;
        for (const Entry& x : f->entries) {
            if (x.key == u"targets" || x.key == u"groups") {
                const auto names = yaml.sequence(x);
                if (!names) {
                    ok = false;
                    continue;
                }
                for (const YNode& item : *names) {
                    const auto nm = yaml.name(
                        item, x.key == u"targets" ? QStringLiteral("target name") : QStringLiteral("group name"));
                    if (!nm) {
                        ok = false;
                        continue;
                    }
                    (x.key == u"targets" ? m.targets : m.groups).append(*nm);
                    (x.key == u"targets" ? draft.maintenanceTargetRefs : draft.maintenanceGroupRefs)
                        .append({ -1, *nm, yaml.pos(item) });
                }
            } else if (x.key == u"start" || x.key == u"end") {
                const auto t = yaml.utcTime(x);
                if (!t)
                    ok = false;
                else
                    (x.key == u"start" ? m.startUtc : m.endUtc) = *t;
            } else if (x.key == u"comment") {
                m.comment = yaml.string(x, true).value_or(QString());
            } else if (x.key == u"confirm_long") {
                m.confirmLong = yaml.boolean(x).value_or(false);
            }
        }
        if (m.targets.isEmpty() && m.groups.isEmpty() && ok)
            yaml.error(
                f->position, QStringLiteral("a maintenance window needs 'targets' or 'groups' (or both), not empty"));
        if (!f->get(u"start"))
            yaml.missing(*f, QStringLiteral("maintenance window"), QStringLiteral("start"));
        if (!f->get(u"end"))
            yaml.missing(*f, QStringLiteral("maintenance window"), QStringLiteral("end"));
        if (m.startUtc.isValid() && m.endUtc.isValid()) {
            const SourcePosition endPos = yaml.pos(*f->get(u"end"));
            const qint64 length = m.startUtc.msecsTo(m.endUtc);
            if (length <= 0)
                yaml.error(endPos,
                    QStringLiteral("maintenance window ends (%1) before it starts (%2)")
                        .arg(m.endUtc.toString(Qt::ISODate), m.startUtc.toString(Qt::ISODate)));
            else if (length > 7LL * 24 * 3600 * 1000 && !m.confirmLong)
                yaml.error(endPos,
                    QStringLiteral("maintenance window lasts %1 days, more than 7; add 'confirm_long: true' if that "
                                   "is intended")
                        .arg(length / 86400000.0, 0, 'f', 1));
        }
        draft.config.maintenance.append(m);
    }
}

} // namespace FaultDesk::ConfigSections
