#include "alert/alertmanagerclient.h"

#include "net/httpclient.h"
#include "util/secretmask.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUrlQuery>

namespace FaultDesk {

namespace {
constexpr int MaxRedirects = 3;

QString excerpt(const QByteArray& body)
{
    QString text = QString::fromUtf8(body.left(200)).simplified();
    if (body.size() > 200)
        text += u'…';
    return text;
}

std::optional<QJsonDocument> parseJson(const QByteArray& body, QString* error)
{
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &e);
    if (e.error != QJsonParseError::NoError) {
        *error = QStringLiteral("the reply is not JSON (%1 at byte %2): %3")
                     .arg(e.errorString())
                     .arg(e.offset)
                     .arg(excerpt(body));
        return std::nullopt;
    }
    return doc;
}
} // namespace

AlertmanagerClient::AlertmanagerClient(const AlertmanagerConfig& config, QObject* parent)
    : QObject(parent)
    , m_config(config)
    , m_http(new HttpClient(this))
{ }

AlertmanagerClient::~AlertmanagerClient() = default;

QString AlertmanagerClient::prefix(const QByteArray& method, const QString& path) const
{
    return QStringLiteral("Alertmanager %1: %2 %3: ").arg(m_config.name, QString::fromLatin1(method), path);
}

void AlertmanagerClient::send(const QByteArray& method, const QString& path, const QString& query,
    const QByteArray& body, QObject* context, RawHandler done)
{
    const QString where = prefix(method, path);
    QPointer<QObject> guard(context);
    // Handlers always run from the event loop, also for errors found before sending, so callers see one order.
    auto finish = [guard, done](int status, const QByteArray& reply, const QString& error) {
        if (guard)
            done(status, reply, error);
    };

    QUrl url = m_config.url;
    QString base = url.path();
    while (base.endsWith(u'/'))
        base.chop(1);
    url.setPath(base + path);
    url.setQuery(query);
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    request.maxRedirects = MaxRedirects;
    request.timeout = m_config.timeout;
    request.maxBodyBytes = m_maxBodyBytes;
    request.allowTokenOverHttp = m_config.insecureTokenOverHttp;
    request.headers.emplaceBack(QByteArray("Accept"), "application/json");
    if (!body.isEmpty())
        request.headers.emplaceBack(QByteArray("Content-Type"), "application/json");
    if (m_config.token) {
        QString why;
        const auto token = m_config.token->resolve(&why);
        if (!token) {
            QTimer::singleShot(
                0, this, [finish, where, why] { finish(0, {}, where + QStringLiteral("token: ") + why); });
            return;
        }
        request.bearerToken = *token;
    }
    if (url.scheme() == u"https" && !m_config.tlsCaFile.isEmpty()) {
        if (!m_caCertificates || m_caCertificates->isEmpty())
            m_caCertificates = HttpClient::readCaFile(m_config.tlsCaFile, nullptr).value_or(QList<QSslCertificate>());
        if (m_caCertificates->isEmpty()) {
            const QString file = m_config.tlsCaFile;
            QTimer::singleShot(0, this, [finish, where, file] {
                finish(0, {}, where + QStringLiteral("cannot read a PEM certificate from CA file %1").arg(file));
            });
            return;
        }
        request.extraCaCertificates = *m_caCertificates;
    }

    ++m_pending;
    const qint64 timeoutMs = m_config.timeout.count();
    m_http->send(request, this, [this, where, finish, timeoutMs](const HttpResponse& reply) {
        --m_pending;
        const int status = reply.status;
        switch (reply.error) {
        case HttpResponse::Error::None:
            break;
        case HttpResponse::Error::Timeout:
            finish(status, {}, where + QStringLiteral("no complete reply within %1 ms").arg(timeoutMs));
            return;
        default:
            finish(status, {}, where + reply.errorText);
            return;
        }
        if (status >= 300) {
            // A server may quote the request back (its token included): the error never carries a known secret.
            finish(status, reply.body,
                where + QStringLiteral("HTTP %1: %2").arg(status).arg(SecretMask::apply(excerpt(reply.body))));
            return;
        }
        finish(status, reply.body, {});
    });
}

void AlertmanagerClient::fetchAlerts(bool includeSilenced, bool includeInhibited, QObject* context, AlertsHandler done)
{
    const auto flag = [](bool b) { return b ? QStringLiteral("true") : QStringLiteral("false"); };
    const QString query = QStringLiteral("active=true&silenced=%1&inhibited=%2&unprocessed=false")
                              .arg(flag(includeSilenced), flag(includeInhibited));
    const QString where = prefix("GET", QStringLiteral("/api/v2/alerts"));
    send("GET", QStringLiteral("/api/v2/alerts"), query, {}, context,
        [done, where](int, const QByteArray& body, const QString& error) {
            if (!error.isEmpty()) {
                done({}, error);
                return;
            }
            QString why;
            const auto doc = parseJson(body, &why);
            if (!doc) {
                done({}, where + why);
                return;
            }
            if (!doc->isArray()) {
                done({}, where + QStringLiteral("expected a JSON array of alerts, got %1").arg(excerpt(body)));
                return;
            }
            QList<AlertmanagerAlert> alerts;
            const QJsonArray list = doc->array();
            for (qsizetype i = 0; i < list.size(); ++i) {
                const auto alert = AlertmanagerAlert::fromJson(list.at(i), &why);
                if (!alert) {
                    done({}, where + QStringLiteral("alert #%1: %2").arg(i).arg(why));
                    return;
                }
                alerts.append(*alert);
            }
            done(alerts, {});
        });
}

void AlertmanagerClient::postAlerts(const QList<AlertmanagerAlert>& alerts, QObject* context, DoneHandler done)
{
    QJsonArray list;
    for (const AlertmanagerAlert& a : alerts)
        list.append(a.toPostJson());
    send("POST", QStringLiteral("/api/v2/alerts"), {}, QJsonDocument(list).toJson(QJsonDocument::Compact), context,
        [done](int, const QByteArray&, const QString& error) { done(error); });
}

void AlertmanagerClient::createSilence(const AlertmanagerSilence& silence, QObject* context, SilenceIdHandler done)
{
    const QString where = prefix("POST", QStringLiteral("/api/v2/silences"));
    send("POST", QStringLiteral("/api/v2/silences"), {},
        QJsonDocument(silence.toPostJson()).toJson(QJsonDocument::Compact), context,
        [done, where](int, const QByteArray& body, const QString& error) {
            if (!error.isEmpty()) {
                done({}, error);
                return;
            }
            QString why;
            const auto doc = parseJson(body, &why);
            if (!doc) {
                done({}, where + why);
                return;
            }
            const QJsonValue id = doc->object().value(QStringLiteral("silenceID"));
            if (!doc->isObject() || !id.isString() || id.toString().isEmpty()) {
                done({}, where + QStringLiteral("expected {\"silenceID\": \"…\"}, got %1").arg(excerpt(body)));
                return;
            }
            done(id.toString(), {});
        });
}

void AlertmanagerClient::fetchSilence(const QString& silenceId, QObject* context, SilenceHandler done)
{
    const QString path = QStringLiteral("/api/v2/silence/") + QString::fromLatin1(QUrl::toPercentEncoding(silenceId));
    const QString where = prefix("GET", path);
    send("GET", path, {}, {}, context, [done, where](int, const QByteArray& body, const QString& error) {
        if (!error.isEmpty()) {
            done(std::nullopt, error);
            return;
        }
        QString why;
        const auto doc = parseJson(body, &why);
        const auto silence = doc ? AlertmanagerSilence::fromJson(doc->object(), &why) : std::nullopt;
        if (!silence || !doc->isObject()) {
            done(std::nullopt, where + (doc && !doc->isObject() ? QStringLiteral("expected a silence object") : why));
            return;
        }
        done(silence, {});
    });
}

void AlertmanagerClient::expireSilence(const QString& silenceId, QObject* context, DoneHandler done)
{
    const QString path = QStringLiteral("/api/v2/silence/") + QString::fromLatin1(QUrl::toPercentEncoding(silenceId));
    send("DELETE", path, {}, {}, context, [done](int, const QByteArray&, const QString& error) { done(error); });
}

} // namespace FaultDesk
