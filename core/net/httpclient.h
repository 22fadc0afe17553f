#pragma once

#include "net/httprequest.h"
#include "net/httpresponse.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <optional>

class QNetworkAccessManager;

namespace FaultDesk {

/**
 * The one bounded HTTP client of FaultDesk's core. Every request has a wall-clock deadline covering all of it
 * (redirects included) and a body cap; TLS verification always stays on (extra CAs can be added, never
 * errors ignored); a bearer token is bound to the origin of the request's URL: redirects are followed only
 * within that origin (same scheme, host and port, so never https to http), and any other redirect ends the
 * request with Error::Redirect instead of sending anything there. A token is refused over plain http to a
 * host that is not loopback unless the request allows it. Callbacks run later from the event loop (never
 * inside send()) and only while their context object lives.
 */
class HttpClient : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const HttpResponse& response)>;

    explicit HttpClient(QObject* parent = nullptr);
    ~HttpClient() override;

    /// Starts @p request; @p done gets its response (only while @p context lives, when one is given).
    /// Returns an id for abort().
    quint64 send(const HttpRequest& request, QObject* context, Callback done);
    /// Stops request @p id; its callback is not called.
    void abort(quint64 id);
    /// Stops every request; no callback is called.
    void abortAll();
    /// Requests sent and not answered yet.
    int inFlight() const { return int(m_calls.size()); }

    /// "https://host:port" — scheme, host and effective port, the unit a token is bound to.
    static QString origin(const QUrl& url);
    static bool sameOrigin(const QUrl& a, const QUrl& b);
    /// localhost, 127.0.0.0/8 or ::1.
    static bool isLoopbackHost(const QString& host);
    /// Reads the PEM certificates of @p path; std::nullopt (and @p error) when none can be read.
    static std::optional<QList<QSslCertificate>> readCaFile(const QString& path, QString* error);

private:
    struct Call;
    void issue(Call* call);
    void onReadyRead(Call* call);
    void onFinished(Call* call);
    void overLimit(Call* call, int status);
    void complete(Call* call, HttpResponse response);

    QNetworkAccessManager* m_network = nullptr;
    QHash<quint64, Call*> m_calls;
    quint64 m_nextId = 1;
};

} // namespace FaultDesk
