#pragma once

#include "config/alertmanagerconfig.h"
#include "config/correlationconfig.h"
#include "config/maintenanceconfig.h"
#include "config/prometheussourceconfig.h"
#include "config/runbookconfig.h"
#include "config/sourceposition.h"
#include "config/storeconfig.h"
#include "config/targetconfig.h"

#include <QList>
#include <QString>

#include <chrono>

namespace FaultDesk {

/// Fleet-wide probing and confirmation defaults.
struct FleetDefaults
{
    std::chrono::milliseconds interval { 1000 };
    std::chrono::milliseconds timeout { 1000 };
    int attempts = 2; ///< consecutive failures before a fault is HARD
    std::chrono::milliseconds retryInterval { 500 };
    std::chrono::milliseconds staleAfter { 3000 };
    double flappingHigh = 30; ///< % state change over the last 20 checks that starts flapping
    double flappingLow = 25; ///< … and that ends it
};

/// An HAProxy instance remediation may drive through its Runtime API.
struct HaproxyInstance
{
    QString name;
    QString socket; ///< absolute path of the unix socket, or empty
    QString address; ///< `host:port` of a TCP Runtime API, or empty
    QString blockAcl; ///< absolute path of the ACL file the frontend denies; empty = no blocking
    SourcePosition position;
};

/// A validated fleet description. Only FleetConfigLoader makes these, so every reference in it resolves.
struct FleetConfig
{
    QString sourceFile; ///< the file (or display name) it was loaded from
    FleetDefaults defaults;
    QList<HaproxyInstance> haproxy;
    QList<PrometheusSourceConfig> prometheus;
    QList<TargetConfig> targets;
    QList<RunbookConfig> runbooks; ///< Handle/Recover bindings per cause class (and target or group)
    QList<AlertmanagerConfig> alertmanager; ///< alert sources (`alertmanager:`)
    QList<MaintenanceConfig> maintenance; ///< planned maintenance windows (`maintenance:`)
    CorrelationConfig correlation; ///< which faults join one incident (`correlation:`)
    /// Networks and hosts an attack Handle never blocks (`never_block:`, CIDRs or single addresses), besides
    /// loopback, FaultDesk's own addresses, HAProxy's and every target's, which are never blocked anyway.
    QStringList neverBlock;
    int maxBlockSources = 32; ///< at most this many sources blocked by one Handle (`max_block_sources:`)
    StoreConfig store; ///< `store:` — the incident database; `--db` wins over it (see StoreConfig)

    const TargetConfig* target(QStringView name) const;
    const HaproxyInstance* haproxyInstance(QStringView name) const;
    const PrometheusSourceConfig* prometheusSource(QStringView name) const
    {
        for (const PrometheusSourceConfig& p : prometheus) {
            if (p.name == name)
                return &p;
        }
        return nullptr;
    }
    /// Number of signals over all targets.
    int signalCount() const;
};

} // namespace FaultDesk
