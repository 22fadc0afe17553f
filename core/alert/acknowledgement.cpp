#include "alert/acknowledgement.h"

namespace FaultDesk {

QString Acknowledgement::key() const
{
    if (isAlert())
        return QStringLiteral("alert/%1/%2/%3").arg(source, alertName, alertInstance);
    return QStringLiteral("fault/%1/%2").arg(target, causeClassName(cause));
}

QJsonObject Acknowledgement::toJson() const
{
    QJsonObject o { { QStringLiteral("fault"), faultId }, { QStringLiteral("incident"), incidentId },
        { QStringLiteral("target"), target }, { QStringLiteral("cause"), causeClassName(cause) },
        { QStringLiteral("operator"), operatorName }, { QStringLiteral("comment"), comment },
        { QStringLiteral("time"), timeUtc.toUTC().toString(Qt::ISODateWithMs) } };
    if (isAlert()) {
        o.insert(QStringLiteral("source"), source);
        o.insert(QStringLiteral("alertname"), alertName);
        o.insert(QStringLiteral("instance"), alertInstance);
    }
    if (!silenceId.isEmpty())
        o.insert(QStringLiteral("silence"), silenceId);
    return o;
}

std::optional<Acknowledgement> Acknowledgement::fromJson(const QJsonObject& o)
{
    const auto cause = causeClassFromName(o.value(QStringLiteral("cause")).toString());
    const QString target = o.value(QStringLiteral("target")).toString();
    if (!cause || target.isEmpty())
        return std::nullopt;
    Acknowledgement a;
    a.faultId = o.value(QStringLiteral("fault")).toString();
    a.incidentId = o.value(QStringLiteral("incident")).toString();
    a.target = target;
    a.cause = *cause;
    a.operatorName = o.value(QStringLiteral("operator")).toString();
    a.comment = o.value(QStringLiteral("comment")).toString();
    a.timeUtc = QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    a.source = o.value(QStringLiteral("source")).toString();
    a.alertName = o.value(QStringLiteral("alertname")).toString();
    a.alertInstance = o.value(QStringLiteral("instance")).toString();
    a.silenceId = o.value(QStringLiteral("silence")).toString();
    return a;
}

} // namespace FaultDesk
