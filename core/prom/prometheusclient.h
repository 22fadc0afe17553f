#pragma once

#include "config/secretref.h"
#include "prom/promqueryresult.h"
#include "prom/promtargetinfo.h"

#include <QObject>
#include <QSet>
#include <QUrl>

#include <functional>
#include <optional>

namespace FaultDesk {

class HttpClient;

/**
 * A client of the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`, `/api/v1/targets`), also spoken
 * by Thanos and Mimir. Each request has a wall-clock deadline; a bearer token is read from its reference for
 * every request, bound to the server's origin (redirects elsewhere are refused) and never appears in any text;
 * TLS is always verified (extra CAs from a file). Requests go through the bounded HttpClient. Replies are
 * validated strictly: anything that is not the documented JSON shape is an error naming the query and the
 * problem. Callbacks always run later from the event loop, never inside the call that issued the request.
 */
class PrometheusClient : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QUrl baseUrl;
        std::optional<SecretRef> token;
        QString caFile; ///< extra trusted CAs (PEM); empty = the system's
        int timeoutMs = 2000;
        qint64 maxReplyBytes = 64 * 1024 * 1024;
        bool insecureTokenOverHttp = false; ///< the token may go over plain http to a non-loopback host
    };
    using QueryCallback = std::function<void(const PromQueryResult&)>;
    using TargetsCallback = std::function<void(const PromTargetsResult&)>;

    explicit PrometheusClient(const Settings& settings, QObject* parent = nullptr);
    ~PrometheusClient() override;

    const Settings& settings() const { return m_settings; }
    /// "Prometheus at http://host:9090": how errors name the server.
    QString displayName() const;

    /// Instant query evaluated at @p atMs (ms since the epoch; 0 = the server's now).
    void query(const QString& promql, qint64 atMs, QueryCallback done);
    /// Range query over [@p fromMs, @p toMs] with @p stepMs resolution.
    void queryRange(const QString& promql, qint64 fromMs, qint64 toMs, qint64 stepMs, QueryCallback done);
    /// The active scrape targets.
    void targets(TargetsCallback done);

    /// Requests still waiting for their answer.
    int inFlight() const;
    /// Drops every pending request; their callbacks are not called.
    void abortAll();

    /// Validates one query reply body (HTTP status already checked) for @p promql; public for tests.
    static PromQueryResult parseQueryReply(const QByteArray& body, const QString& promql);
    /// Validates one targets reply body; public for tests.
    static PromTargetsResult parseTargetsReply(const QByteArray& body);

private:
    using Finish = std::function<void(const QByteArray& body, PromQueryResult::Error error, const QString& why)>;
    using Params = QList<QPair<QByteArray, QString>>;
    void get(const QString& endpoint, const Params& params, const QString& what, Finish finish);

    Settings m_settings;
    HttpClient* m_http = nullptr;
};

} // namespace FaultDesk
