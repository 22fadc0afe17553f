#pragma once

#include "config/probeconfig.h"
#include "config/secretref.h"
#include "config/signalconfig.h"
#include "config/sourceposition.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace FaultDesk {

/// One `depends_on` entry: a plain name (must be up) or an `any_of` redundancy group (one of them must be up).
struct DependencyConfig
{
    QStringList targets; ///< one name for a plain dependency
    bool anyOf = false;
    SourcePosition position;
};

/// The target's place in an HAProxy pool.
struct HaproxyMembership
{
    QString instance; ///< name of a FleetConfig::haproxy entry
    QString backend;
    QString server; ///< defaults to the target's name
    SourcePosition position;
};

/// The target's admin API, used by http actions.
struct AdminConfig
{
    QUrl url;
    /// A database's status endpoint (`status:`; JSON role, read_only, integrity_ok, checksum), read for the
    /// remediation baseline; empty: the database's state is not polled.
    QUrl statusUrl;
    std::optional<SecretRef> token;
    bool insecureTokenOverHttp = false; ///< `insecure_token_over_http`: the token may cross plain http off loopback
    SourcePosition position;
};

/// One monitored server: what to probe, which signals to derive, what it depends on and how to act on it.
struct TargetConfig
{
    QString name;
    QString group;
    QString address;
    int priority = 5; ///< business priority 1 (low) … 10 (high)
    QMap<QString, QString> labels;
    QString tlsCaFile; ///< absolute path; empty = system CAs
    QList<ProbeConfig> probes;
    QList<SignalConfig> signalConfigs;
    QList<DependencyConfig> dependsOn;
    std::optional<HaproxyMembership> haproxy;
    std::optional<AdminConfig> admin;
    QMap<QString, QStringList> commands; ///< name → argument vector with `{target}`/`{address}` placeholders
    QMap<QString, QString> env; ///< `env:` variables its commands get besides PATH, HOME, LANG and LC_*
    QString source; ///< name of a FleetConfig::prometheus entry that reports this target; empty = probed
    QString instance; ///< its `instance` label in that source (`host:port`)
    SourcePosition position;

    /// True when a Prometheus source reports the target instead of FaultDesk probing it.
    bool fromPrometheus() const { return !source.isEmpty(); }

    /// The command @p name with `{target}` and `{address}` substituted, or std::nullopt when it is not defined.
    std::optional<QStringList> commandArgv(const QString& name) const;
    /// Names of every target this one depends on (plain and any_of), in order, without repeats.
    QStringList dependencyNames() const;
};

} // namespace FaultDesk
