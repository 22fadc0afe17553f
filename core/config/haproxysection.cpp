// `haproxy:` (the instances remediation drives) and `never_block:` (what an attack Handle never blocks).

#include "config/configsections.h"
#include "config/fieldtable.h"

#include <QHash>
#include <QHostAddress>

namespace FaultDesk::ConfigSections {

void readHaproxyInstances(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    const auto items = yaml.sequence(e);
    if (!items)
        return;
    static const FieldTable<HaproxyInstance> fields {
        Bind::name(QStringLiteral("name"), &HaproxyInstance::name, QStringLiteral("haproxy instance name")),
        Bind::path(QStringLiteral("socket"), &HaproxyInstance::socket),
        Bind::hostPort(QStringLiteral("address"), &HaproxyInstance::address),
        Bind::path(QStringLiteral("block_acl"), &HaproxyInstance::blockAcl),
    };
    QHash<QString, int> lines;
    for (const YNode& n : *items) {
        const auto f = yaml.mapping(n, yaml.pos(e), QStringLiteral("an haproxy instance"), fieldKeys(fields));
        if (!f)
            continue;
        HaproxyInstance h;
        h.position = f->position;
        readFields(yaml, *f, fields, h);
        const SourcePosition namePos = f->get(u"name") ? yaml.pos(*f->get(u"name")) : f->position;
        if (!f->get(u"name"))
            yaml.missing(*f, QStringLiteral("haproxy instance"), QStringLiteral("name"));
        if (f->get(u"socket") && f->get(u"address"))
            yaml.error(yaml.pos(*f->get(u"address")),
                QStringLiteral("haproxy instance has both 'socket' and 'address'; give one"));
        else if (!f->get(u"socket") && !f->get(u"address"))
            yaml.error(f->position,
                QStringLiteral("haproxy instance needs 'socket' (unix socket path) or 'address' (host:port)"));
        if (!h.name.isEmpty()) {
            if (const auto it = lines.constFind(h.name); it != lines.constEnd())
                yaml.error(namePos,
                    QStringLiteral("duplicate haproxy instance name '%1' (first defined at line %2)")
                        .arg(h.name)
                        .arg(*it));
            else
                lines.insert(h.name, namePos.line);
        }
        draft.config.haproxy.append(h);
    }
}

void readNeverBlock(YamlReader& yaml, ConfigDraft& draft, const Entry& e)
{
    const auto items = yaml.sequence(e);
    if (!items)
        return;
    for (const YNode& n : *items) {
        const QString text = n.IsScalar() ? fromStd(n.Scalar()).trimmed() : QString();
        // A single address is its own /32 (/128); anything else must be a network in CIDR notation.
        const auto net
            = QHostAddress::parseSubnet(text.contains(u'/') ? text : text + (text.contains(u':') ? u"/128" : u"/32"));
        if (text.isEmpty() || net.first.isNull())
            yaml.error(yaml.pos(n),
                QStringLiteral("'never_block': %1 is not an address or a network in CIDR notation (10.0.0.0/8, "
                               "2001:db8::/32)")
                    .arg(quoted(text)));
        else
            draft.config.neverBlock.append(text);
    }
}

} // namespace FaultDesk::ConfigSections
