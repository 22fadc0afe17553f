#pragma once

#include "alert/alertmanageralert.h"
#include "alert/alertmanagersilence.h"
#include "config/alertmanagerconfig.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>

#include <functional>
#include <optional>

namespace FaultDesk {

class HttpClient;

/**
 * Alertmanager's HTTP API v2, asynchronously: list alerts, post alerts, create, read and expire silences. Every
 * request has its own wall-clock deadline (the source's `timeout`) and a body-size limit, TLS verification stays on
 * (with the source's CA file added to the system CAs), redirects are capped and stay on the source's origin, the
 * bearer token is read from its reference per request, bound to that origin and never logged (all through the
 * bounded HttpClient). Replies are validated strictly: a malformed or unexpected reply is an
 * error naming the request and the field, never a crash. Handlers run on this object's thread, only while their
 * context object lives; errors are "" on success and otherwise start with "Alertmanager NAME: METHOD PATH: ".
 */
class AlertmanagerClient : public QObject
{
    Q_OBJECT
public:
    using AlertsHandler = std::function<void(const QList<AlertmanagerAlert>& alerts, const QString& error)>;
    using SilenceIdHandler = std::function<void(const QString& silenceId, const QString& error)>;
    using SilenceHandler = std::function<void(const std::optional<AlertmanagerSilence>& silence, const QString& error)>;
    using DoneHandler = std::function<void(const QString& error)>;

    explicit AlertmanagerClient(const AlertmanagerConfig& config, QObject* parent = nullptr);
    ~AlertmanagerClient() override;

    const AlertmanagerConfig& config() const { return m_config; }
    /// Largest reply body accepted (default 16 MiB); larger replies are aborted with an error.
    void setMaxBodyBytes(qint64 bytes) { m_maxBodyBytes = bytes; }
    /// Requests sent and not finished yet.
    int pendingRequests() const { return m_pending; }

    /// GET /api/v2/alerts?active=true&silenced=…&inhibited=…&unprocessed=false.
    void fetchAlerts(bool includeSilenced, bool includeInhibited, QObject* context, AlertsHandler done);
    /// POST /api/v2/alerts (what Prometheus does; used by tests and tools).
    void postAlerts(const QList<AlertmanagerAlert>& alerts, QObject* context, DoneHandler done);
    /// POST /api/v2/silences; the handler gets the new silence's id.
    void createSilence(const AlertmanagerSilence& silence, QObject* context, SilenceIdHandler done);
    /// GET /api/v2/silence/{id}.
    void fetchSilence(const QString& silenceId, QObject* context, SilenceHandler done);
    /// DELETE /api/v2/silence/{id}: expires it (Alertmanager keeps it, in state "expired").
    void expireSilence(const QString& silenceId, QObject* context, DoneHandler done);

private:
    using RawHandler = std::function<void(int status, const QByteArray& body, const QString& error)>;
    void send(const QByteArray& method, const QString& path, const QString& query, const QByteArray& body,
        QObject* context, RawHandler done);
    QString prefix(const QByteArray& method, const QString& path) const;

    AlertmanagerConfig m_config;
    HttpClient* m_http = nullptr;
    std::optional<QList<QSslCertificate>> m_caCertificates;
    qint64 m_maxBodyBytes = 16 * 1024 * 1024;
    int m_pending = 0;
};

} // namespace FaultDesk
