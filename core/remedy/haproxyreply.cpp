#include "remedy/haproxyreply.h"

namespace FaultDesk {

bool HaproxyReply::accepts(const HaproxyCommand& command, const QString& text, QString* error)
{
    bool ok = !text.isEmpty();
    if (command.isChange()) {
        // Changes answer with an empty line on success and with a message otherwise.
        ok = text.trimmed().isEmpty();
    } else {
        switch (command.kind()) {
        case HaproxyCommand::Kind::ShowStat:
            ok = text.startsWith(u"# pxname,");
            break;
        case HaproxyCommand::Kind::ShowServersState:
            ok = text.contains(u"# be_id");
            break;
        case HaproxyCommand::Kind::GetWeight:
            ok = parseWeight(text).has_value();
            break;
        case HaproxyCommand::Kind::ShowAcl:
            ok = !text.startsWith(u"Unknown") && !text.startsWith(u"Missing");
            break;
        default:
            break;
        }
    }
    if (text.startsWith(u"Permission denied"))
        ok = false;
    if (!ok && error)
        *error = text.trimmed().left(500);
    return ok;
}

std::optional<int> HaproxyReply::parseWeight(const QString& text)
{
    const QStringView first = QStringView(text).left(text.indexOf(u' ') < 0 ? text.size() : text.indexOf(u' '));
    const QStringView digits = first.trimmed();
    if (digits.isEmpty() || digits.size() > 3)
        return std::nullopt;
    int weight = 0;
    for (QChar c : digits) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        weight = weight * 10 + (c.unicode() - u'0');
    }
    if (weight > 256)
        return std::nullopt;
    return weight;
}

QStringList HaproxyReply::parseAclEntries(const QString& text)
{
    QStringList entries;
    for (const QString& line : text.split(u'\n', Qt::SkipEmptyParts)) {
        const QString value = line.section(u' ', 1).trimmed(); // "0x55… 10.0.0.1"
        if (!value.isEmpty())
            entries.append(value);
    }
    return entries;
}

} // namespace FaultDesk
