#pragma once

#include "config/causeclass.h"
#include "config/secretref.h"
#include "config/signalconfig.h"
#include "config/sourceposition.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>

namespace FaultDesk {

/// A signal evaluated by a Prometheus source: one PromQL expression over the whole fleet, matched to targets
/// by the `instance` label of its result series.
struct PrometheusSignalConfig
{
    QString name;
    QString query; ///< PromQL, evaluated as one instant query per tick
    std::optional<SignalThreshold> threshold;
    CauseClass cause = CauseClass::Unhealthy; ///< from `cause:` or guessed from the name
    SourcePosition position;
};

/// Targets taken from Prometheus' own target list (`/api/v1/targets`).
struct PrometheusDiscoveryConfig
{
    QString job; ///< every active target of this scrape job becomes a FaultDesk target
    QString nameLabel = QStringLiteral("instance"); ///< the label that names the FaultDesk target
    QString groupLabel; ///< the label giving its group; empty = no group
    std::chrono::milliseconds refresh { 30000 }; ///< how often the target list is read again
    SourcePosition position;
};

/// One `prometheus:` entry: a Prometheus (or anything serving its HTTP API: Thanos, Mimir) FaultDesk reads
/// health and signals from instead of probing the targets itself.
struct PrometheusSourceConfig
{
    QString name;
    QUrl url; ///< base URL; /api/v1/… is appended to its path
    std::optional<SecretRef> token; ///< bearer token, by reference only
    QString tlsCaFile; ///< absolute path of extra CAs for https; verification always stays on
    bool insecureTokenOverHttp = false; ///< `insecure_token_over_http`: the token may cross plain http off loopback
    std::chrono::milliseconds queryTimeout { 2000 }; ///< wall-clock deadline of one request
    std::chrono::milliseconds interval { 0 }; ///< 0 = defaults.interval
    std::optional<PrometheusDiscoveryConfig> discover;
    QList<PrometheusSignalConfig> signalConfigs;
    SourcePosition position;
};

} // namespace FaultDesk
