#include "prom/prometheusclient.h"

#include "net/httpclient.h"
#include "util/secretmask.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <cmath>
#include <limits>

namespace FaultDesk {

namespace {

QString seconds(int ms)
{
    return QString::number(ms / 1000.0, 'g', 3) + QStringLiteral(" s");
}

QString shortQuery(const QString& q)
{
    constexpr qsizetype MaxShown = 120;
    QString s = q.simplified();
    return s.size() > MaxShown ? s.left(MaxShown) + u'…' : s;
}

// Prometheus writes sample values as strings so NaN and the infinities survive JSON.
std::optional<double> sampleValue(const QJsonValue& v)
{
    if (!v.isString())
        return std::nullopt;
    const QString s = v.toString();
    if (s == u"NaN")
        return std::numeric_limits<double>::quiet_NaN();
    if (s == u"+Inf" || s == u"Inf")
        return std::numeric_limits<double>::infinity();
    if (s == u"-Inf")
        return -std::numeric_limits<double>::infinity();
    bool ok = false;
    const double d = s.toDouble(&ok);
    if (!ok || !std::isfinite(d))
        return std::nullopt;
    return d;
}

// [ <unix seconds as a number>, "<value>" ]
bool samplePair(const QJsonValue& v, PromPoint* out, QString* why)
{
    const QJsonArray a = v.toArray();
    if (!v.isArray() || a.size() != 2) {
        *why = QStringLiteral("a sample is not a [time, \"value\"] pair");
        return false;
    }
    if (!a.at(0).isDouble()) {
        *why = QStringLiteral("a sample time is not a number");
        return false;
    }
    const auto value = sampleValue(a.at(1));
    if (!value) {
        *why = QStringLiteral("a sample value is not a number written as a string (got %1)")
                   .arg(QString::fromUtf8(QJsonDocument(QJsonArray { a.at(1) }).toJson(QJsonDocument::Compact)));
        return false;
    }
    out->timeMs = qint64(std::llround(a.at(0).toDouble() * 1000.0));
    out->value = *value;
    return true;
}

bool labelSet(const QJsonValue& v, QHash<QString, QString>* out, QString* why)
{
    if (!v.isObject()) {
        *why = QStringLiteral("a series has no 'metric' object");
        return false;
    }
    const QJsonObject o = v.toObject();
    out->reserve(o.size());
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString()) {
            *why = QStringLiteral("label '%1' is not a string").arg(it.key());
            return false;
        }
        out->insert(it.key(), it.value().toString());
    }
    return true;
}

QHash<QString, QString> stringMap(const QJsonObject& o)
{
    QHash<QString, QString> out;
    for (auto it = o.begin(); it != o.end(); ++it)
        out.insert(it.key(), it.value().toString());
    return out;
}

} // namespace

PrometheusClient::PrometheusClient(const Settings& settings, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
    , m_http(new HttpClient(this))
{
    qRegisterMetaType<FaultDesk::PromQueryResult>();
}

PrometheusClient::~PrometheusClient()
{
    abortAll();
}

QString PrometheusClient::displayName() const
{
    return QStringLiteral("Prometheus at ")
        + m_settings.baseUrl.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::StripTrailingSlash);
}

void PrometheusClient::abortAll()
{
    m_http->abortAll();
}

int PrometheusClient::inFlight() const
{
    return m_http->inFlight();
}

void PrometheusClient::get(const QString& endpoint, const Params& params, const QString& what, Finish finish)
{
    const QString subject = displayName();
    auto failLater = [this, finish](PromQueryResult::Error error, const QString& why) {
        QTimer::singleShot(0, this, [finish, error, why] { finish({}, error, why); });
    };

    QUrl url = m_settings.baseUrl;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + QStringLiteral("/api/v1/") + endpoint);
    // Built by hand: QUrlQuery leaves '+' alone, which the server would read as a space inside PromQL.
    QByteArray query;
    for (const auto& [key, value] : params) {
        if (!query.isEmpty())
            query += '&';
        query += key + '=' + QUrl::toPercentEncoding(value);
    }
    url.setQuery(QString::fromLatin1(query), QUrl::StrictMode);
    HttpRequest request;
    request.url = url;
    request.headers.emplaceBack(QByteArray("Accept"), "application/json");
    request.timeout = std::chrono::milliseconds(m_settings.timeoutMs);
    request.maxBodyBytes = m_settings.maxReplyBytes;
    request.allowTokenOverHttp = m_settings.insecureTokenOverHttp;
    if (m_settings.token) {
        QString why;
        const auto token = m_settings.token->resolve(&why);
        if (!token) {
            failLater(PromQueryResult::Error::NoToken, subject + QStringLiteral(": bearer token: ") + why);
            return;
        }
        request.bearerToken = *token;
    }
    if (!m_settings.caFile.isEmpty()) {
        QString why;
        const auto ca = HttpClient::readCaFile(m_settings.caFile, &why);
        if (!ca) {
            failLater(PromQueryResult::Error::Unreachable, subject + QStringLiteral(": ") + why);
            return;
        }
        request.extraCaCertificates = *ca;
    }

    const int timeoutMs = m_settings.timeoutMs;
    const qint64 limit = m_settings.maxReplyBytes;
    m_http->send(request, this, [finish, subject, what, timeoutMs, limit](const HttpResponse& reply) {
        using E = HttpResponse::Error;
        switch (reply.error) {
        case E::None:
            break;
        case E::Timeout:
            finish({}, PromQueryResult::Error::Timeout,
                subject + QStringLiteral(": %1 got no answer within %2").arg(what, seconds(timeoutMs)));
            return;
        case E::TooLarge:
            finish({}, PromQueryResult::Error::Malformed,
                subject + QStringLiteral(": %1: the reply is larger than %2 MiB").arg(what).arg(limit / (1024 * 1024)));
            return;
        case E::Redirect:
            finish({}, PromQueryResult::Error::Http, subject + QStringLiteral(": %1: ").arg(what) + reply.errorText);
            return;
        default:
            finish(
                {}, PromQueryResult::Error::Unreachable, subject + QStringLiteral(" unreachable: ") + reply.errorText);
            return;
        }
        const int status = reply.status;
        const QByteArray& body = reply.body;
        if (status != 200) {
            // Prometheus explains a rejected query in its JSON error envelope; anything else gets the status line.
            const QJsonObject o = QJsonDocument::fromJson(body).object();
            QString detail = QString::fromLatin1(reply.reason);
            if (o.value(QStringLiteral("status")).toString() == u"error")
                detail = o.value(QStringLiteral("errorType")).toString() + QStringLiteral(": ")
                    + o.value(QStringLiteral("error")).toString().left(300);
            // A server may quote the request back (its token included): the error text never carries a known secret.
            detail = SecretMask::apply(detail);
            finish({}, PromQueryResult::Error::Http,
                subject
                    + QStringLiteral(": %1 failed: HTTP %2%3")
                          .arg(what)
                          .arg(status)
                          .arg(detail.isEmpty() ? QString() : u' ' + detail));
            return;
        }
        finish(body, PromQueryResult::Error::None, {});
    });
}

void PrometheusClient::query(const QString& promql, qint64 atMs, QueryCallback done)
{
    Params params { { "query", promql } };
    if (atMs > 0)
        params.append({ "time", QString::number(double(atMs) / 1000.0, 'f', 3) });
    const QString what = QStringLiteral("query '%1'").arg(shortQuery(promql));
    const QString subject = displayName();
    get(QStringLiteral("query"), params, what,
        [done, promql, what, subject](const QByteArray& body, PromQueryResult::Error error, const QString& why) {
            PromQueryResult r;
            if (error == PromQueryResult::Error::None) {
                r = parseQueryReply(body, promql);
                if (!r.ok())
                    r.errorText = subject + QStringLiteral(": ") + what + QStringLiteral(": ") + r.errorText;
            } else {
                r.error = error;
                r.errorText = why;
            }
            r.query = promql;
            done(r);
        });
}

void PrometheusClient::queryRange(const QString& promql, qint64 fromMs, qint64 toMs, qint64 stepMs, QueryCallback done)
{
    Params params { { "query", promql } };
    params.append({ "start", QString::number(double(fromMs) / 1000.0, 'f', 3) });
    params.append({ "end", QString::number(double(toMs) / 1000.0, 'f', 3) });
    params.append({ "step", QString::number(double(std::max<qint64>(stepMs, 1)) / 1000.0, 'f', 3) });
    const QString what = QStringLiteral("range query '%1'").arg(shortQuery(promql));
    const QString subject = displayName();
    get(QStringLiteral("query_range"), params, what,
        [done, promql, what, subject](const QByteArray& body, PromQueryResult::Error error, const QString& why) {
            PromQueryResult r;
            if (error == PromQueryResult::Error::None) {
                r = parseQueryReply(body, promql);
                if (r.ok() && r.type != PromQueryResult::Type::Matrix) {
                    r.error = PromQueryResult::Error::Malformed;
                    r.errorText = QStringLiteral("a range query must return a matrix");
                }
                if (!r.ok())
                    r.errorText = subject + QStringLiteral(": ") + what + QStringLiteral(": ") + r.errorText;
            } else {
                r.error = error;
                r.errorText = why;
            }
            r.query = promql;
            done(r);
        });
}

void PrometheusClient::targets(TargetsCallback done)
{
    const Params params { { "state", QStringLiteral("active") } };
    const QString subject = displayName();
    get(QStringLiteral("targets"), params, QStringLiteral("the targets list"),
        [done, subject](const QByteArray& body, PromQueryResult::Error error, const QString& why) {
            PromTargetsResult r;
            if (error == PromQueryResult::Error::None) {
                r = parseTargetsReply(body);
                if (!r.ok())
                    r.errorText = subject + QStringLiteral(": the targets list: ") + r.errorText;
            } else {
                r.errorText = why;
            }
            done(r);
        });
}

PromQueryResult PrometheusClient::parseQueryReply(const QByteArray& body, const QString& promql)
{
    PromQueryResult r;
    r.query = promql;
    auto malformed = [&r](const QString& why) {
        r.error = PromQueryResult::Error::Malformed;
        r.errorText = QStringLiteral("malformed reply: ") + why;
        r.series.clear();
        return r;
    };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return malformed(
            QStringLiteral("not JSON (%1 at byte %2)").arg(parseError.errorString()).arg(parseError.offset));
    if (!doc.isObject())
        return malformed(QStringLiteral("not a JSON object"));
    const QJsonObject root = doc.object();
    const QString status = root.value(QStringLiteral("status")).toString();
    if (status == u"error") {
        r.error = PromQueryResult::Error::Http;
        r.errorText = QStringLiteral("rejected: ") + root.value(QStringLiteral("errorType")).toString()
            + QStringLiteral(": ") + root.value(QStringLiteral("error")).toString().left(300);
        return r;
    }
    if (status != u"success")
        return malformed(QStringLiteral("'status' is not \"success\""));
    for (const QJsonValue& w : root.value(QStringLiteral("warnings")).toArray())
        r.warnings << w.toString();
    const QJsonValue dataValue = root.value(QStringLiteral("data"));
    if (!dataValue.isObject())
        return malformed(QStringLiteral("no 'data' object"));
    const QJsonObject data = dataValue.toObject();
    const QString type = data.value(QStringLiteral("resultType")).toString();
    const QJsonValue result = data.value(QStringLiteral("result"));
    QString why;
    if (type == u"vector" || type == u"matrix") {
        r.type = type == u"vector" ? PromQueryResult::Type::Vector : PromQueryResult::Type::Matrix;
        if (!result.isArray())
            return malformed(QStringLiteral("'result' of a %1 is not a list").arg(type));
        const QJsonArray items = result.toArray();
        r.series.reserve(items.size());
        for (const QJsonValue& item : items) {
            if (!item.isObject())
                return malformed(QStringLiteral("a %1 element is not an object").arg(type));
            const QJsonObject o = item.toObject();
            PromSeries s;
            if (!labelSet(o.value(QStringLiteral("metric")), &s.labels, &why))
                return malformed(why);
            if (r.type == PromQueryResult::Type::Vector) {
                PromPoint sample;
                if (!samplePair(o.value(QStringLiteral("value")), &sample, &why))
                    return malformed(why);
                s.samples.append(sample);
            } else {
                const QJsonValue values = o.value(QStringLiteral("values"));
                if (!values.isArray())
                    return malformed(QStringLiteral("a matrix series has no 'values' list"));
                const QJsonArray points = values.toArray();
                s.samples.reserve(points.size());
                for (const QJsonValue& p : points) {
                    PromPoint sample;
                    if (!samplePair(p, &sample, &why))
                        return malformed(why);
                    s.samples.append(sample);
                }
            }
            r.series.append(std::move(s));
        }
        return r;
    }
    if (type == u"scalar") {
        r.type = PromQueryResult::Type::Scalar;
        PromPoint sample;
        if (!samplePair(result, &sample, &why))
            return malformed(why);
        r.series.append({ {}, { sample } });
        return r;
    }
    if (type.isEmpty())
        return malformed(QStringLiteral("no 'resultType'"));
    return malformed(
        QStringLiteral("unsupported resultType '%1' (expected vector, matrix or scalar)").arg(type.left(40)));
}

PromTargetsResult PrometheusClient::parseTargetsReply(const QByteArray& body)
{
    PromTargetsResult r;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        r.errorText = QStringLiteral("malformed reply: not JSON (%1 at byte %2)")
                          .arg(parseError.errorString())
                          .arg(parseError.offset);
        return r;
    }
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("status")).toString() != u"success") {
        r.errorText = QStringLiteral("malformed reply: 'status' is not \"success\"");
        return r;
    }
    const QJsonValue active = root.value(QStringLiteral("data")).toObject().value(QStringLiteral("activeTargets"));
    if (!active.isArray()) {
        r.errorText = QStringLiteral("malformed reply: no 'data.activeTargets' list");
        return r;
    }
    for (const QJsonValue& v : active.toArray()) {
        const QJsonObject o = v.toObject();
        if (!v.isObject() || !o.value(QStringLiteral("labels")).isObject()) {
            r.errorText = QStringLiteral("malformed reply: an active target has no 'labels' object");
            r.targets.clear();
            return r;
        }
        PromTargetInfo t;
        t.labels = stringMap(o.value(QStringLiteral("labels")).toObject());
        t.scrapePool = o.value(QStringLiteral("scrapePool")).toString();
        t.scrapeUrl = o.value(QStringLiteral("scrapeUrl")).toString();
        t.health = o.value(QStringLiteral("health")).toString();
        t.lastError = o.value(QStringLiteral("lastError")).toString();
        r.targets.append(t);
    }
    return r;
}

} // namespace FaultDesk
