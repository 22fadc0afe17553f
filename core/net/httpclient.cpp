#include "net/httpclient.h"

#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>

namespace FaultDesk {

namespace {

QString seconds(std::chrono::milliseconds ms)
{
    return QString::number(double(ms.count()) / 1000.0, 'g', 3) + QStringLiteral(" s");
}

bool isRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool hasControlCharacter(const QByteArray& bytes)
{
    return std::any_of(bytes.cbegin(), bytes.cend(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

// Transport failures carry no HTTP status; name them the way an operator would.
HttpResponse transportError(const QNetworkReply* reply)
{
    HttpResponse r;
    switch (reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
        r.error = HttpResponse::Error::Refused;
        r.errorText = QStringLiteral("connection refused");
        break;
    case QNetworkReply::HostNotFoundError:
        r.error = HttpResponse::Error::HostNotFound;
        r.errorText = QStringLiteral("host not found");
        break;
    case QNetworkReply::RemoteHostClosedError:
        r.error = HttpResponse::Error::Network;
        r.errorText = QStringLiteral("connection closed by the server");
        break;
    case QNetworkReply::TimeoutError:
        r.error = HttpResponse::Error::Network;
        r.errorText = QStringLiteral("connection timed out");
        break;
    case QNetworkReply::SslHandshakeFailedError:
        r.error = HttpResponse::Error::Tls;
        r.errorText = QStringLiteral("TLS handshake failed (") + reply->errorString() + u')';
        break;
    default:
        r.error = HttpResponse::Error::Network;
        r.errorText = reply->errorString();
        break;
    }
    return r;
}

} // namespace

struct HttpClient::Call
{
    quint64 id = 0;
    HttpRequest request;
    QUrl url; ///< where the current hop goes
    QString origin; ///< of the request's URL: the only one this call may talk to
    QPointer<QObject> context;
    bool hasContext = false; ///< without a context the callback always runs
    Callback done;
    QPointer<QNetworkReply> reply;
    QTimer deadline;
    QByteArray body;
    bool truncated = false;
    int redirects = 0;
};

HttpClient::HttpClient(QObject* parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    // Redirects are judged here, hop by hop; the manager must never follow one on its own.
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_network->setCookieJar(nullptr);
}

HttpClient::~HttpClient()
{
    abortAll();
}

QString HttpClient::origin(const QUrl& url)
{
    const QString scheme = url.scheme().toLower();
    const int port = url.port(scheme == u"https" ? 443 : scheme == u"http" ? 80 : -1);
    QString host = url.host().toLower();
    if (host.contains(u':'))
        host = u'[' + host + u']';
    return scheme + QStringLiteral("://") + host + u':' + QString::number(port);
}

bool HttpClient::sameOrigin(const QUrl& a, const QUrl& b)
{
    return origin(a) == origin(b);
}

bool HttpClient::isLoopbackHost(const QString& host)
{
    if (host.compare(u"localhost", Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

std::optional<QList<QSslCertificate>> HttpClient::readCaFile(const QString& path, QString* error)
{
    const QList<QSslCertificate> certificates
        = QSslCertificate::fromPath(path, QSsl::Pem, QSslCertificate::PatternSyntax::FixedString);
    if (certificates.isEmpty()) {
        if (error)
            *error = QStringLiteral("no PEM certificate could be read from CA file %1").arg(path);
        return std::nullopt;
    }
    return certificates;
}

quint64 HttpClient::send(const HttpRequest& request, QObject* context, Callback done)
{
    auto* call = new Call;
    call->id = m_nextId++;
    call->request = request;
    call->url = request.url;
    call->origin = origin(request.url);
    call->context = context;
    call->hasContext = context != nullptr;
    call->done = std::move(done);
    m_calls.insert(call->id, call);

    auto refuse = [this, call](const QString& why) {
        HttpResponse r;
        r.error = HttpResponse::Error::Invalid;
        r.errorText = why;
        r.url = call->url;
        // Callers see one order: the answer always comes from the event loop.
        QTimer::singleShot(0, this, [this, id = call->id, r] {
            if (Call* c = m_calls.value(id))
                complete(c, r);
        });
    };
    const QString scheme = request.url.scheme().toLower();
    if (!request.url.isValid() || (scheme != u"http" && scheme != u"https") || request.url.host().isEmpty()) {
        refuse(QStringLiteral("'%1' is not an http(s) URL").arg(request.url.toDisplayString(QUrl::RemoveUserInfo)));
        return call->id;
    }
    if (!request.bearerToken.isEmpty()) {
        if (hasControlCharacter(request.bearerToken)) {
            refuse(QStringLiteral("the bearer token contains a control character"));
            return call->id;
        }
        if (scheme == u"http" && !isLoopbackHost(request.url.host()) && !request.allowTokenOverHttp) {
            refuse(QStringLiteral("refusing to send a bearer token over plain http to %1 (use https, or set "
                                  "insecure_token_over_http: true)")
                       .arg(request.url.host()));
            return call->id;
        }
    }
    for (const auto& [name, value] : request.headers) {
        if (name.compare("Authorization", Qt::CaseInsensitive) == 0 || hasControlCharacter(name)
            || hasControlCharacter(value)) {
            refuse(QStringLiteral("header '%1' is not allowed").arg(QString::fromLatin1(name)));
            return call->id;
        }
    }

    call->deadline.setSingleShot(true);
    call->deadline.setTimerType(Qt::PreciseTimer);
    connect(&call->deadline, &QTimer::timeout, this, [this, call] {
        HttpResponse r;
        r.error = HttpResponse::Error::Timeout;
        r.errorText = QStringLiteral("no complete answer within %1").arg(seconds(call->request.timeout));
        complete(call, r);
    });
    call->deadline.start(request.timeout);
    issue(call);
    return call->id;
}

void HttpClient::issue(Call* call)
{
    QNetworkRequest r(call->url);
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    r.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    r.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    r.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("FaultDesk"));
    for (const auto& [name, value] : std::as_const(call->request.headers))
        r.setRawHeader(name, value);
    // Checked on every hop, though only same-origin hops are ever issued: the token is bound to its origin.
    if (!call->request.bearerToken.isEmpty() && origin(call->url) == call->origin)
        r.setRawHeader("Authorization", "Bearer " + call->request.bearerToken);
    if (call->url.scheme().compare(u"https", Qt::CaseInsensitive) == 0) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!call->request.extraCaCertificates.isEmpty())
            tls.addCaCertificates(call->request.extraCaCertificates);
        r.setSslConfiguration(tls);
    }
    call->body.clear();
    call->truncated = false;
    QNetworkReply* reply = m_network->sendCustomRequest(r, call->request.method, call->request.body);
    call->reply = reply;
    connect(reply, &QNetworkReply::readyRead, this, [this, call] { onReadyRead(call); });
    connect(reply, &QNetworkReply::finished, this, [this, call] { onFinished(call); });
}

void HttpClient::onReadyRead(Call* call)
{
    QNetworkReply* reply = call->reply;
    if (!reply)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (isRedirect(status)) {
        reply->readAll(); // a redirect's body is never shown; drop it as it comes
        return;
    }
    // One byte past the limit is enough to know it is over; the rest stays unread.
    call->body += reply->read(call->request.maxBodyBytes - call->body.size() + 1);
    if (call->body.size() > call->request.maxBodyBytes)
        overLimit(call, status);
}

void HttpClient::overLimit(Call* call, int status)
{
    HttpResponse r;
    r.status = status;
    r.url = call->url;
    r.redirects = call->redirects;
    if (call->request.overLimit == HttpRequest::OverLimit::Truncate) {
        r.body = call->body.left(call->request.maxBodyBytes);
        r.truncated = true;
        if (call->reply)
            r.reason = call->reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
    } else {
        r.error = HttpResponse::Error::TooLarge;
        r.errorText = QStringLiteral("reply larger than %1 bytes").arg(call->request.maxBodyBytes);
    }
    complete(call, r);
}

void HttpClient::onFinished(Call* call)
{
    QNetworkReply* reply = call->reply;
    if (!reply)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError error = reply->error();
    // Qt reports HTTP error statuses as errors from 201 on; below that the transport itself failed.
    const bool transportFailed = error != QNetworkReply::NoError && int(error) < 200;
    if (status == 0 || transportFailed) {
        HttpResponse r = transportError(reply);
        if (status != 0 && r.error == HttpResponse::Error::Network)
            r.errorText = QStringLiteral("HTTP %1, then: %2").arg(status).arg(r.errorText);
        r.status = status;
        r.url = call->url;
        complete(call, r);
        return;
    }
    if (isRedirect(status)) {
        const QByteArray location = reply->rawHeader("Location");
        const QUrl next = call->url.resolved(QUrl::fromEncoded(location));
        HttpResponse r;
        r.error = HttpResponse::Error::Redirect;
        r.status = status;
        r.url = call->url;
        if (location.isEmpty() || !next.isValid()) {
            r.errorText = QStringLiteral("HTTP %1 redirect without a usable Location").arg(status);
        } else if (origin(next) != call->origin) {
            const bool downgrade = call->url.scheme().compare(u"https", Qt::CaseInsensitive) == 0
                && next.scheme().compare(u"https", Qt::CaseInsensitive) != 0;
            r.errorText = QStringLiteral("HTTP %1 redirect to %2 not followed: %3")
                              .arg(status)
                              .arg(next.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery),
                                  downgrade ? QStringLiteral("it would downgrade https to http")
                                            : QStringLiteral("it leaves the configured origin ") + call->origin);
        } else if (call->redirects >= call->request.maxRedirects) {
            r.errorText = QStringLiteral("too many redirects (limit %1)").arg(call->request.maxRedirects);
        } else {
            ++call->redirects;
            // 303 (and 301/302 after a POST, as every client does) continue as GET without a body.
            if (status == 303 || ((status == 301 || status == 302) && call->request.method == "POST")) {
                call->request.method = QByteArrayLiteral("GET");
                call->request.body.clear();
            }
            reply->disconnect(this);
            reply->deleteLater();
            call->reply = nullptr;
            call->url = next;
            issue(call);
            return;
        }
        complete(call, r);
        return;
    }
    call->body += reply->read(call->request.maxBodyBytes - call->body.size() + 1);
    if (call->body.size() > call->request.maxBodyBytes) {
        overLimit(call, status);
        return;
    }
    HttpResponse r;
    r.status = status;
    r.reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
    r.body = call->body;
    r.url = call->url;
    r.redirects = call->redirects;
    complete(call, r);
}

void HttpClient::complete(Call* call, HttpResponse response)
{
    m_calls.remove(call->id);
    call->deadline.stop();
    if (QNetworkReply* reply = call->reply) {
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    const bool alive = !call->hasContext || call->context;
    Callback done = std::move(call->done);
    delete call;
    if (alive && done)
        done(response);
}

void HttpClient::abort(quint64 id)
{
    Call* call = m_calls.take(id);
    if (!call)
        return;
    if (QNetworkReply* reply = call->reply) {
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    delete call;
}

void HttpClient::abortAll()
{
    const QList<quint64> ids = m_calls.keys();
    for (quint64 id : ids)
        abort(id);
}

} // namespace FaultDesk
