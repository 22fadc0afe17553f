#include "remedy/httpaction.h"

#include "net/httpclient.h"

namespace FaultDesk {

HttpAction::HttpAction(HttpSpec spec, ActionContext context, QObject* parent)
    : Action(std::move(context), parent)
    , m_spec(std::move(spec))
{ }

HttpAction::~HttpAction() = default;

QString HttpAction::description() const
{
    const QUrl url = m_url.isValid() ? m_url : QUrl(m_spec.url);
    QString text = m_spec.method.toUpper() + u' ' + url.toDisplayString(QUrl::RemovePassword);
    if (m_spec.bearerToken)
        text += QStringLiteral(" (bearer token from %1)").arg(m_spec.bearerToken->toString());
    return text;
}

bool HttpAction::prepare(QString* error)
{
    static const QStringList methods { QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"),
        QStringLiteral("PATCH"), QStringLiteral("DELETE"), QStringLiteral("HEAD") };
    const QString method = m_spec.method.toUpper();
    if (!methods.contains(method)) {
        *error = QStringLiteral("HTTP method '%1' not supported (use %2)").arg(m_spec.method, methods.join(u'/'));
        return false;
    }
    QString why;
    const auto url = context().fields.substitute(m_spec.url, TemplateFields::Escape::Url, false, &why);
    if (!url) {
        *error = QStringLiteral("url: %1").arg(why);
        return false;
    }
    m_url = QUrl(*url, QUrl::StrictMode);
    if (!m_url.isValid() || (m_url.scheme() != u"http" && m_url.scheme() != u"https") || m_url.host().isEmpty()) {
        *error = QStringLiteral("url '%1' is not a valid http(s) URL").arg(*url);
        return false;
    }
    m_headers.clear();
    m_body.clear();
    m_token.clear();
    for (const auto& [name, valueTemplate] : std::as_const(m_spec.headers)) {
        if (name.isEmpty() || TemplateFields::hasControlCharacter(name) || name.contains(u':') || name.contains(u' ')
            || name.compare(u"Authorization", Qt::CaseInsensitive) == 0) {
            *error = QStringLiteral("header name '%1' is not valid").arg(name);
            return false;
        }
        const auto value = context().fields.substitute(valueTemplate, TemplateFields::Escape::None, false, &why);
        if (!value || TemplateFields::hasControlCharacter(*value)) {
            *error = QStringLiteral("header %1: %2").arg(name, value ? QStringLiteral("control character") : why);
            return false;
        }
        m_headers.append({ name.toLatin1(), value->toUtf8() });
    }
    if (!m_spec.body.isEmpty()) {
        const auto body = context().fields.substitute(m_spec.body, m_spec.bodyEscape, false, &why);
        if (!body) {
            *error = QStringLiteral("body: %1").arg(why);
            return false;
        }
        m_body = body->toUtf8();
    }
    if (m_spec.bearerToken) {
        const auto token = m_spec.bearerToken->resolveText(&why);
        if (!token) {
            *error = why;
            return false;
        }
        if (TemplateFields::hasControlCharacter(*token)) {
            *error = QStringLiteral("secret %1 contains a control character").arg(m_spec.bearerToken->toString());
            return false;
        }
        addSecret(*token);
        if (m_url.scheme() == u"http" && !HttpClient::isLoopbackHost(m_url.host()) && !m_spec.insecureTokenOverHttp) {
            *error = QStringLiteral("refusing to send the bearer token from %1 over plain http to %2 (use https, or "
                                    "set insecure_token_over_http: true)")
                         .arg(m_spec.bearerToken->toString(), m_url.host());
            return false;
        }
        m_token = token->toUtf8();
    }
    return true;
}

void HttpAction::run()
{
    m_http = new HttpClient(this);
    HttpRequest request;
    request.method = m_spec.method.toUpper().toLatin1();
    request.url = m_url;
    request.body = m_body;
    request.headers = m_headers;
    if (!m_body.isEmpty() && !m_spec.contentType.isEmpty())
        request.headers.emplaceBack(QByteArray("Content-Type"), m_spec.contentType.toUtf8());
    request.bearerToken = m_token;
    request.allowTokenOverHttp = m_spec.insecureTokenOverHttp;
    request.maxRedirects = m_spec.maxRedirects;
    request.maxBodyBytes = m_spec.maxResponseBytes;
    request.overLimit = HttpRequest::OverLimit::Truncate;
    // The action's own deadline ends it first (as a Timeout); this only guarantees the transfer stops too.
    request.timeout = context().deadline + std::chrono::seconds(1);
    m_request = m_http->send(request, this, [this](const HttpResponse& r) { onFinished(r); });
}

void HttpAction::onFinished(const HttpResponse& reply)
{
    m_request = 0;
    if (!isActive())
        return;
    appendOutput(reply.body);
    data().insert(QStringLiteral("http_status"), reply.status);
    data().insert(QStringLiteral("url"), reply.url.toDisplayString(QUrl::RemovePassword));
    if (reply.truncated)
        data().insert(QStringLiteral("truncated"), true);
    if (!reply.ok()) {
        finish(ActionResult::Status::Failed, reply.errorText);
        return;
    }
    const int status = reply.status;
    const bool ok = m_spec.okStatuses.isEmpty() ? (status >= 200 && status < 300) : m_spec.okStatuses.contains(status);
    if (ok)
        finish(ActionResult::Status::Ok, {}, status);
    else
        finish(ActionResult::Status::Failed, QStringLiteral("HTTP status %1").arg(status), status);
}

void HttpAction::cancel()
{
    if (m_http && m_request)
        m_http->abort(std::exchange(m_request, 0));
}

} // namespace FaultDesk
