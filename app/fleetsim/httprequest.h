#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>

namespace FaultDesk {

/// One parsed HTTP/1.x request as the fleetsim servers see it (value type).
struct HttpRequest
{
    QByteArray method;
    QByteArray path; ///< without the query string
    QByteArray query; ///< after '?', raw
    QByteArray version; ///< "HTTP/1.1" or "HTTP/1.0"
    QHash<QByteArray, QByteArray> headers; ///< names lower-cased
    QByteArray body;
    QHostAddress peer;

    /// The client source: the first X-Forwarded-For hop (HAProxy adds it), else the peer address.
    QString source() const
    {
        const QByteArray xff = headers.value(QByteArrayLiteral("x-forwarded-for"));
        if (!xff.isEmpty())
            return QString::fromLatin1(xff.split(',').constFirst().trimmed());
        QHostAddress p = peer;
        bool ok = false;
        const QHostAddress v4(p.toIPv4Address(&ok));
        return ok ? v4.toString() : p.toString();
    }
};

} // namespace FaultDesk
