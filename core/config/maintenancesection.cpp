// `maintenance:` — planned maintenance windows.

#include "config/configsections.h"
#include "config/fieldtable.h"

namespace FaultDesk::ConfigSections {

namespace {

/// A window while it is read: the names it uses are checked once every target is known (crosschecks.cpp).
struct WindowDraft : MaintenanceConfig
{
    QList<ConfigDraft::Reference> targetRefs;
    QList<ConfigDraft::Reference> groupRefs;
};

FieldBinding<WindowDraft> names(const QString& key, QStringList MaintenanceConfig::*member,
    QList<ConfigDraft::Reference> WindowDraft::*refs, const QString& what)
{
    return Bind::custom<WindowDraft>(key, [=](YamlReader& yaml, const Entry& x, WindowDraft& w) {
        const auto items = yaml.sequence(x);
        if (!items)
            return false;
        bool ok = true;
        for (const YNode& item : *items) {
            if (const auto nm = yaml.name(item, what)) {
                (w.*member).append(*nm);
                (w.*refs).append({ -1, *nm, yaml.pos(item) });
            } else {
                ok = false;
            }
        }
        return ok;
    });
}

const FieldTable<WindowDraft>& windowFields()
{
    static const FieldTable<WindowDraft> fields {
        names(QStringLiteral("targets"), &MaintenanceConfig::targets, &WindowDraft::targetRefs,
            QStringLiteral("target name")),
        names(QStringLiteral("groups"), &MaintenanceConfig::groups, &WindowDraft::groupRefs,
            QStringLiteral("group name")),
        Bind::utcTime<WindowDraft>(QStringLiteral("start"), &WindowDraft::startUtc),
        Bind::utcTime<WindowDraft>(QStringLiteral("end"), &WindowDraft::endUtc),
        Bind::string<WindowDraft>(QStringLiteral("comment"), &WindowDraft::comment, true),
        Bind::boolean<WindowDraft>(QStringLiteral("confirm_long"), &WindowDraft::confirmLong),
    };
    return fields;
}

std::optional<MaintenanceConfig> readWindow(YamlReader& yaml, ConfigDraft& draft, const YNode& n, SourcePosition where)
{
    const auto f = yaml.mapping(n, where, QStringLiteral("a maintenance window"), fieldKeys(windowFields()));
    if (!f)
        return std::nullopt;
    WindowDraft m;
    m.position = f->position;
    const bool ok = readFields(yaml, *f, windowFields(), m);
    draft.maintenanceTargetRefs += m.targetRefs;
    draft.maintenanceGroupRefs += m.groupRefs;
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
    return static_cast<const MaintenanceConfig&>(m);
}

} // namespace

void readMaintenance(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    yaml.list(e, draft.config.maintenance, [&](const YNode& n) { return readWindow(yaml, draft, n, yaml.pos(e)); });
}

} // namespace FaultDesk::ConfigSections
