#pragma once

#include "config/secretref.h"
#include "remedy/action.h"

#include <QList>
#include <QPair>
#include <QUrl>

#include <optional>

namespace FaultDesk {

class HttpClient;
struct HttpResponse;

/// What an http action sends: templates for the URL, headers and body; the bearer token only by reference.
struct HttpSpec
{
    QString method = QStringLiteral("POST");
    QString url; ///< template; substituted values are percent-encoded
    QList<QPair<QString, QString>> headers; ///< name, value template (control characters refused)
    QString body; ///< template
    TemplateFields::Escape bodyEscape = TemplateFields::Escape::Json; ///< how values are escaped in the body
    QString contentType = QStringLiteral("application/json");
    std::optional<SecretRef> bearerToken; ///< read at run time; never logged, recorded or shown
    bool insecureTokenOverHttp = false; ///< the token may go over plain http to a non-loopback host
    int maxRedirects = 3;
    qint64 maxResponseBytes = 64 * 1024; ///< the reply is cut (and the transfer stopped) beyond this
    QList<int> okStatuses; ///< empty: any 2xx is success
};

/**
 * A webhook or admin HTTP call through the bounded HttpClient: a deadline, TLS verification on (never ignored),
 * redirects capped and kept on the URL's origin (never downgraded to http), the response bounded, and the bearer
 * token bound to that origin and masked everywhere it could surface.
 */
class HttpAction : public Action
{
    Q_OBJECT

public:
    HttpAction(HttpSpec spec, ActionContext context, QObject* parent = nullptr);
    ~HttpAction() override;

    QString kind() const override { return QStringLiteral("http"); }
    /// "METHOD URL" with any password removed; the token never appears.
    QString description() const override;

protected:
    bool prepare(QString* error) override;
    void run() override;
    void cancel() override;

private:
    void onFinished(const HttpResponse& reply);

    HttpSpec m_spec;
    QUrl m_url;
    QByteArray m_body;
    QByteArray m_token;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    HttpClient* m_http = nullptr;
    quint64 m_request = 0;
};

} // namespace FaultDesk
