#include "httpaction.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace FaultDesk {

HttpAction::HttpAction(HttpSpec spec, ActionContext context, QObject* parent)
    : Action(std::move(context), parent)
    , m_spec(std::move(spec))
{ }

HttpAction::~HttpAction()
{
    if (m_reply)
        m_reply->abort();
}

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
    for (const auto& [name, valueTemplate] : std::as_const(m_spec.headers)) {
        if (name.isEmpty() || TemplateFields::hasControlCharacter(name) || name.contains(u':') || name.contains(u' ')) {
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
        m_headers.append({ QByteArrayLiteral("Authorization"), "Bearer " + token->toUtf8() });
    }
    return true;
}

void HttpAction::run()
{
    m_nam = new QNetworkAccessManager(this);
    QNetworkRequest request(m_url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setMaximumRedirectsAllowed(m_spec.maxRedirects);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    if (!m_body.isEmpty() && !m_spec.contentType.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, m_spec.contentType);
    for (const auto& [name, value] : std::as_const(m_headers))
        request.setRawHeader(name, value);
    m_reply = m_nam->sendCustomRequest(request, m_spec.method.toUpper().toLatin1(), m_body);
    connect(m_reply, &QNetworkReply::readyRead, this, [this] {
        const QByteArray chunk = m_reply->readAll();
        m_received += chunk.size();
        appendOutput(chunk);
        if (m_received > m_spec.maxResponseBytes && !m_truncated) {
            m_truncated = true;
            m_reply->abort();
        }
    });
    connect(m_reply, &QNetworkReply::finished, this, &HttpAction::onFinished);
}

void HttpAction::onFinished()
{
    if (!isActive() || !m_reply)
        return;
    if (m_reply->isOpen())
        appendOutput(m_reply->readAll());
    const QVariant statusAttr = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttr.isValid() ? statusAttr.toInt() : 0;
    data().insert(QStringLiteral("http_status"), status);
    data().insert(QStringLiteral("url"), m_reply->url().toDisplayString(QUrl::RemovePassword));
    if (m_truncated)
        data().insert(QStringLiteral("truncated"), true);
    m_reply->deleteLater();
    if (status == 0) {
        finish(ActionResult::Status::Failed, m_reply->errorString());
        return;
    }
    const bool ok = m_spec.okStatuses.isEmpty() ? (status >= 200 && status < 300) : m_spec.okStatuses.contains(status);
    if (ok)
        finish(ActionResult::Status::Ok, {}, status);
    else
        finish(ActionResult::Status::Failed, QStringLiteral("HTTP status %1").arg(status), status);
}

void HttpAction::cancel()
{
    if (m_reply) {
        disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
    }
}

} // namespace FaultDesk
