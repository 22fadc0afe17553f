#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QSslCertificate>
#include <QUrl>

#include <chrono>

namespace FaultDesk {

/// One request for HttpClient: what to send, and the bounds it runs within.
struct HttpRequest
{
    /// What happens to a reply body past maxBodyBytes.
    enum class OverLimit {
        Fail, ///< the request fails with Error::TooLarge
        Truncate, ///< the body is cut at the limit, the transfer stopped, and the response marked truncated
    };

    QByteArray method = QByteArrayLiteral("GET");
    QUrl url; ///< http or https; its origin (scheme, host, port) is the only one the request may reach
    QList<QPair<QByteArray, QByteArray>> headers; ///< extra headers; never Authorization (use bearerToken)
    QByteArray body;
    /// Sent as "Authorization: Bearer …" to the origin of url only; never logged, never in any error text.
    QByteArray bearerToken;
    /// A token may go over plain http only to a loopback host, unless the configuration says so explicitly.
    bool allowTokenOverHttp = false;
    std::chrono::milliseconds timeout { 5000 }; ///< wall clock for the whole exchange, redirects included
    qint64 maxBodyBytes = 1024 * 1024;
    OverLimit overLimit = OverLimit::Fail;
    int maxRedirects = 3; ///< same-origin redirects followed; any other redirect is an error
    QList<QSslCertificate> extraCaCertificates; ///< trusted besides the system's (TLS verification stays on)
};

} // namespace FaultDesk
