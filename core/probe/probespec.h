#pragma once

#include "config/probeconfig.h"

#include <QMetaType>
#include <QString>
#include <QUrl>

namespace FaultDesk {

/**
 * What one probe does: an HTTP health check, a Prometheus /metrics scrape, a TCP connect or a PostgreSQL session.
 * A plain value type; it crosses from the scheduler's thread to the probe engine's thread by copy.
 */
struct ProbeSpec
{
    /// Http: GET a health URL and compare the status (and optionally the body); Metrics: GET a Prometheus text
    /// endpoint, the body is handed to a parser by the caller; Tcp: connect to host:port and close. The
    /// configuration's kind, so a probe's kind and its name ("http", ProbeConfig::kindName) have one definition.
    using Kind = ProbeConfig::Kind;

    static constexpr qint64 DefaultHealthBodyLimit = 1024 * 1024;
    static constexpr qint64 DefaultMetricsBodyLimit = 10 * 1024 * 1024;

    Kind kind = Kind::Http;
    QUrl url; ///< http:// or https:// for Http/Metrics; for Tcp only host and port are used
    int expectedStatus = 0; ///< 0 = any 2xx
    QByteArray bodyContains; ///< when non-empty, a healthy body must contain these bytes
    qint64 bodyLimit = 0; ///< bytes; 0 = the kind's default (1 MiB health, 10 MiB metrics)
    int timeoutMs = 1000; ///< wall-clock deadline of the whole probe: connect, TLS, redirects, headers and body
    int maxRedirects = 3; ///< redirects followed before failing; an https→http redirect always fails
    QString caFile; ///< PEM file of extra CAs trusted for this target's TLS; verification is always on
    PostgresDsn postgres; ///< Postgres: the server, its password reference and TLS (url only names it)

    /// A health check of @p url.
    static ProbeSpec http(const QUrl& url, int timeoutMs = 1000);
    /// A metrics scrape of @p url.
    static ProbeSpec metrics(const QUrl& url, int timeoutMs = 1000);
    /// A TCP connect to @p host : @p port.
    static ProbeSpec tcp(const QString& host, quint16 port, int timeoutMs = 1000);

    /// A postgres probe of @p dsn.
    static ProbeSpec postgresql(const PostgresDsn& dsn, int timeoutMs = 1000);

    /// The body limit in force (bodyLimit, or the kind's default).
    qint64 effectiveBodyLimit() const;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::ProbeSpec)
