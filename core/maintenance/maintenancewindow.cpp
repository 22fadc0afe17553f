#include "maintenance/maintenancewindow.h"

#include <QJsonArray>

namespace FaultDesk {

bool MaintenanceWindow::covers(const QString& target, const QString& group) const
{
    return targets.contains(target) || (!group.isEmpty() && groups.contains(group));
}

QString MaintenanceWindow::scope() const
{
    QStringList parts = targets;
    for (const QString& g : groups)
        parts << QStringLiteral("group %1").arg(g);
    return parts.join(QStringLiteral(", "));
}

QString MaintenanceWindow::label() const
{
    return comment.isEmpty() ? QStringLiteral("maintenance of %1").arg(scope())
                             : QStringLiteral("maintenance of %1 (%2)").arg(scope(), comment);
}

QString MaintenanceWindow::problem(qint64 maxLengthMs, bool confirmedLong) const
{
    if (targets.isEmpty() && groups.isEmpty())
        return QStringLiteral("a maintenance window needs at least one target or group");
    if (!startUtc.isValid())
        return QStringLiteral("the maintenance window has no valid start time");
    if (!endUtc.isValid())
        return QStringLiteral("the maintenance window has no valid end time");
    if (endUtc <= startUtc)
        return QStringLiteral("the maintenance window ends (%1) before it starts (%2)")
            .arg(endUtc.toString(Qt::ISODate), startUtc.toString(Qt::ISODate));
    const qint64 length = startUtc.msecsTo(endUtc);
    if (maxLengthMs > 0 && length > maxLengthMs && !confirmedLong)
        return QStringLiteral("the maintenance window lasts %1 h, longer than %2 h: confirm a window this long "
                              "explicitly")
            .arg(length / 3600000.0, 0, 'f', 1)
            .arg(maxLengthMs / 3600000.0, 0, 'f', 0);
    return {};
}

QString MaintenanceWindow::localTime(const QDateTime& utc, const QDateTime& now)
{
    const QDateTime local = utc.toLocalTime();
    if (now.isValid() && local.date() == now.toLocalTime().date())
        return local.toString(QStringLiteral("HH:mm"));
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QJsonObject MaintenanceWindow::toJson() const
{
    return {
        { QStringLiteral("id"), id },
        { QStringLiteral("targets"), QJsonArray::fromStringList(targets) },
        { QStringLiteral("groups"), QJsonArray::fromStringList(groups) },
        { QStringLiteral("start"), startUtc.toString(Qt::ISODateWithMs) },
        { QStringLiteral("end"), endUtc.toString(Qt::ISODateWithMs) },
        { QStringLiteral("comment"), comment },
        { QStringLiteral("created_by"), createdBy },
        { QStringLiteral("created"), createdUtc.toString(Qt::ISODateWithMs) },
        { QStringLiteral("ended_by"), endedBy },
        { QStringLiteral("origin"), origin == Origin::Config ? QStringLiteral("config") : QStringLiteral("runtime") },
    };
}

MaintenanceWindow MaintenanceWindow::fromJson(const QJsonObject& o)
{
    auto strings = [](const QJsonValue& v) {
        QStringList out;
        for (const QJsonValue& x : v.toArray())
            out << x.toString();
        return out;
    };
    auto time = [](const QJsonValue& v) { return QDateTime::fromString(v.toString(), Qt::ISODateWithMs).toUTC(); };
    MaintenanceWindow w;
    w.id = o.value(u"id").toString();
    w.targets = strings(o.value(u"targets"));
    w.groups = strings(o.value(u"groups"));
    w.startUtc = time(o.value(u"start"));
    w.endUtc = time(o.value(u"end"));
    w.comment = o.value(u"comment").toString();
    w.createdBy = o.value(u"created_by").toString();
    w.createdUtc = time(o.value(u"created"));
    w.endedBy = o.value(u"ended_by").toString();
    w.origin = o.value(u"origin").toString() == u"config" ? Origin::Config : Origin::Runtime;
    return w;
}

} // namespace FaultDesk
