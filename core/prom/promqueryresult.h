#pragma once

#include <QHash>
#include <QList>
#include <QMetaType>
#include <QString>

namespace FaultDesk {

/// One point of a Prometheus query result series: time in ms since the epoch, value (NaN and ±Inf are kept as such).
struct PromPoint
{
    qint64 timeMs = 0;
    double value = 0;
};

/// One series of a query result: its label set and its samples (one for an instant vector).
struct PromSeries
{
    QHash<QString, QString> labels;
    QList<PromPoint> samples;
};

/// The outcome of one Prometheus API request: the series, or what went wrong in words an operator can act on.
struct PromQueryResult
{
    enum class Error {
        None,
        Unreachable, ///< no HTTP answer at all (refused, reset, DNS, TLS)
        Timeout, ///< no complete answer within the request's deadline
        Http, ///< an HTTP error status (the query was rejected, the server failed)
        Malformed, ///< an answer that is not the documented JSON shape
        NoToken, ///< the bearer token reference could not be resolved
    };
    enum class Type {
        Vector,
        Matrix,
        Scalar,
    };

    Error error = Error::None;
    QString errorText; ///< names the server, the query and the problem; never contains the token
    QString query; ///< the PromQL (or the endpoint for the targets list)
    Type type = Type::Vector;
    QList<PromSeries> series;
    QStringList warnings; ///< Prometheus' own warnings, if any

    bool ok() const { return error == Error::None; }
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::PromQueryResult)
