#include "remedy/haproxyserverstate.h"

#include <QStringList>

#include <algorithm>

namespace FaultDesk {

QJsonObject HaproxyServerState::toJson() const
{
    return QJsonObject { { QStringLiteral("backend"), backend }, { QStringLiteral("server"), server },
        { QStringLiteral("admin_state"), adminState }, { QStringLiteral("status"), status },
        { QStringLiteral("weight"), weight }, { QStringLiteral("initial_weight"), initialWeight },
        { QStringLiteral("sessions"), sessions } };
}

std::optional<HaproxyServerState> HaproxyServerState::fromJson(const QJsonObject& o)
{
    HaproxyServerState s;
    s.backend = o.value(QStringLiteral("backend")).toString();
    s.server = o.value(QStringLiteral("server")).toString();
    if (s.backend.isEmpty() || s.server.isEmpty())
        return std::nullopt;
    s.adminState = o.value(QStringLiteral("admin_state")).toString();
    s.status = o.value(QStringLiteral("status")).toString();
    s.weight = o.value(QStringLiteral("weight")).toInt(-1);
    s.initialWeight = o.value(QStringLiteral("initial_weight")).toInt(-1);
    s.sessions = o.value(QStringLiteral("sessions")).toInt(-1);
    return s;
}

QList<HaproxyServerState> HaproxyServerState::parseServersState(const QString& text, QString* error)
{
    QList<HaproxyServerState> out;
    const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
    QStringList header;
    for (const QString& line : lines) {
        if (line.startsWith(u"# ")) {
            header = line.mid(2).split(u' ', Qt::SkipEmptyParts);
            continue;
        }
        if (header.isEmpty())
            continue; // the format version line
        const QStringList fields = line.split(u' ', Qt::SkipEmptyParts);
        auto field = [&](const QString& name) {
            const qsizetype i = header.indexOf(name);
            return i >= 0 && i < fields.size() ? fields.at(i) : QString();
        };
        HaproxyServerState s;
        s.backend = field(QStringLiteral("be_name"));
        s.server = field(QStringLiteral("srv_name"));
        bool ok = false;
        const int admin = field(QStringLiteral("srv_admin_state")).toInt(&ok);
        if (s.backend.isEmpty() || s.server.isEmpty() || !ok)
            continue;
        // SRV_ADMF_*: 0x01 forced maint, 0x02 inherited, 0x04 config, 0x20 resolution → maint; 0x08/0x10 → drain.
        s.adminState = (admin & 0x27) ? QStringLiteral("maint")
            : (admin & 0x18)          ? QStringLiteral("drain")
                                      : QStringLiteral("ready");
        s.weight = field(QStringLiteral("srv_uweight")).toInt(&ok);
        if (!ok)
            s.weight = -1;
        s.initialWeight = field(QStringLiteral("srv_iweight")).toInt(&ok);
        if (!ok)
            s.initialWeight = -1;
        out.append(s);
    }
    if (header.isEmpty() && error)
        *error = QStringLiteral("not a 'show servers state' reply: %1").arg(text.left(200).trimmed());
    return out;
}

bool HaproxyServerState::mergeStat(QList<HaproxyServerState>& states, const QString& csv, QString* error)
{
    const QStringList lines = csv.split(u'\n', Qt::SkipEmptyParts);
    if (lines.isEmpty() || !lines.first().startsWith(u"# pxname,")) {
        if (error)
            *error = QStringLiteral("not a 'show stat' reply: %1").arg(csv.left(200).trimmed());
        return false;
    }
    const QStringList header = lines.first().mid(2).split(u',');
    const qsizetype px = header.indexOf(QStringLiteral("pxname"));
    const qsizetype sv = header.indexOf(QStringLiteral("svname"));
    const qsizetype scur = header.indexOf(QStringLiteral("scur"));
    const qsizetype status = header.indexOf(QStringLiteral("status"));
    if (px < 0 || sv < 0 || scur < 0 || status < 0) {
        // Without these columns the fields below would be read at index -1: not a state to judge gates on.
        if (error)
            *error = QStringLiteral("'show stat' reply lacks pxname, svname, scur or status: %1")
                         .arg(lines.first().left(200).trimmed());
        return false;
    }
    for (qsizetype l = 1; l < lines.size(); ++l) {
        const QStringList f = lines.at(l).split(u',');
        if (f.size() <= std::max({ px, sv, scur, status }))
            continue;
        for (HaproxyServerState& s : states) {
            if (s.backend == f.at(px) && s.server == f.at(sv)) {
                s.sessions = f.at(scur).toInt();
                s.status = f.at(status);
            }
        }
    }
    return true;
}

std::optional<HaproxyServerState> HaproxyServerState::find(
    const QList<HaproxyServerState>& states, const QString& backend, const QString& server)
{
    for (const HaproxyServerState& s : states)
        if (s.backend == backend && s.server == server)
            return s;
    return std::nullopt;
}

} // namespace FaultDesk
