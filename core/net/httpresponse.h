#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace FaultDesk {

/// What HttpClient answers: an HTTP status and body, or why there is none.
struct HttpResponse
{
    enum class Error {
        None, ///< an HTTP response arrived (any status; judging it is the caller's job)
        Invalid, ///< the request was refused before sending (bad URL, token over plain http, …)
        Refused, ///< connection refused
        HostNotFound,
        Timeout, ///< no complete response within the request's deadline
        TooLarge, ///< the body is larger than the request allows
        Redirect, ///< a redirect that leaves the origin, downgrades https, or one too many
        Tls, ///< the TLS handshake or the certificate check failed
        Network, ///< any other transport failure (reset, closed early, …)
    };

    Error error = Error::None;
    QString errorText; ///< plain text naming the problem; never contains the token; empty when error is None
    int status = 0; ///< HTTP status (0 when no response arrived)
    QByteArray reason; ///< the status line's reason phrase
    QByteArray body; ///< at most the request's maxBodyBytes
    bool truncated = false; ///< OverLimit::Truncate cut the body
    QUrl url; ///< the URL that answered (after same-origin redirects)
    int redirects = 0; ///< redirects followed

    bool ok() const { return error == Error::None; }
    /// "timeout", "too-large", … — stable names for logs and tests.
    static QString errorName(Error error);
};

} // namespace FaultDesk
