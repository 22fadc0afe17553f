#include "probe/probespec.h"

namespace FaultDesk {

ProbeSpec ProbeSpec::http(const QUrl& url, int timeoutMs)
{
    ProbeSpec spec;
    spec.kind = Kind::Http;
    spec.url = url;
    spec.timeoutMs = timeoutMs;
    return spec;
}

ProbeSpec ProbeSpec::metrics(const QUrl& url, int timeoutMs)
{
    ProbeSpec spec = http(url, timeoutMs);
    spec.kind = Kind::Metrics;
    return spec;
}

ProbeSpec ProbeSpec::tcp(const QString& host, quint16 port, int timeoutMs)
{
    ProbeSpec spec;
    spec.kind = Kind::Tcp;
    QUrl url;
    url.setScheme(QStringLiteral("tcp"));
    url.setHost(host);
    url.setPort(port);
    spec.url = url;
    spec.timeoutMs = timeoutMs;
    return spec;
}

ProbeSpec ProbeSpec::postgresql(const PostgresDsn& dsn, int timeoutMs)
{
    ProbeSpec spec;
    spec.kind = Kind::Postgres;
    spec.postgres = dsn;
    spec.url = QUrl(dsn.toString());
    spec.timeoutMs = timeoutMs;
    return spec;
}

qint64 ProbeSpec::effectiveBodyLimit() const
{
    if (bodyLimit > 0)
        return bodyLimit;
    return kind == Kind::Metrics ? DefaultMetricsBodyLimit : DefaultHealthBodyLimit;
}

} // namespace FaultDesk
