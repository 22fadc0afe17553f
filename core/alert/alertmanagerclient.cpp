#include "alertmanagerclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
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
    , m_network(new QNetworkAccessManager(this))
{
    m_network->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
}

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
    QNetworkRequest request(url);
    request.setMaximumRedirectsAllowed(MaxRedirects);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("FaultDesk"));
    request.setRawHeader("Accept", "application/json");
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    if (m_config.token) {
        QString why;
        const auto token = m_config.token->resolveText(&why);
        if (!token) {
            QTimer::singleShot(
                0, this, [finish, where, why] { finish(0, {}, where + QStringLiteral("token: ") + why); });
            return;
        }
        request.setRawHeader("Authorization", "Bearer " + token->toUtf8());
    }
    if (url.scheme() == u"https") {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!m_config.tlsCaFile.isEmpty()) {
            if (!m_caCertificates || m_caCertificates->isEmpty())
                m_caCertificates = QSslCertificate::fromPath(
                    m_config.tlsCaFile, QSsl::Pem, QSslCertificate::PatternSyntax::FixedString);
            if (m_caCertificates->isEmpty()) {
                const QString file = m_config.tlsCaFile;
                QTimer::singleShot(0, this, [finish, where, file] {
                    finish(0, {}, where + QStringLiteral("cannot read a PEM certificate from CA file %1").arg(file));
                });
                return;
            }
            ssl.addCaCertificates(*m_caCertificates);
        }
        request.setSslConfiguration(ssl);
    }

    QNetworkReply* reply = m_network->sendCustomRequest(request, method, body);
    ++m_pending;
    struct State
    {
        bool timedOut = false;
        bool tooLarge = false;
    };
    auto state = std::make_shared<State>();
    auto* deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, reply, [reply, state] {
        state->timedOut = true;
        reply->abort();
    });
    deadline->start(int(m_config.timeout.count()));
    connect(reply, &QNetworkReply::downloadProgress, reply, [this, reply, state](qint64 received, qint64 total) {
        if (received > m_maxBodyBytes || total > m_maxBodyBytes) {
            state->tooLarge = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, state, where, finish] {
        reply->deleteLater();
        --m_pending;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (state->timedOut) {
            finish(status, {}, where + QStringLiteral("no complete reply within %1 ms").arg(m_config.timeout.count()));
            return;
        }
        if (state->tooLarge) {
            finish(status, {}, where + QStringLiteral("reply larger than %1 bytes").arg(m_maxBodyBytes));
            return;
        }
        const QByteArray data = reply->readAll();
        if (status >= 300 || (status == 0 && reply->error() != QNetworkReply::NoError)) {
            const QString detail
                = status > 0 ? QStringLiteral("HTTP %1: %2").arg(status).arg(excerpt(data)) : reply->errorString();
            finish(status, data, where + detail);
            return;
        }
        if (reply->error() != QNetworkReply::NoError) {
            finish(status, data, where + reply->errorString());
            return;
        }
        finish(status, data, {});
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
