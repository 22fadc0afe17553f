// Small helpers of the configuration value types (probeconfig.h, signalconfig.h, targetconfig.h, fleetconfig.h).

#include "config/fleetconfig.h"

namespace FaultDesk {

QString ProbeConfig::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Http:
        return QStringLiteral("http");
    case Kind::Metrics:
        return QStringLiteral("metrics");
    case Kind::Tcp:
        return QStringLiteral("tcp");
    case Kind::Postgres:
        return QStringLiteral("postgres");
    }
    return {};
}

QString SignalConfig::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Gauge:
        return QStringLiteral("gauge");
    case Kind::Rate:
        return QStringLiteral("rate");
    case Kind::Ratio:
        return QStringLiteral("ratio");
    case Kind::Quantile:
        return QStringLiteral("quantile");
    }
    return {};
}

std::optional<QStringList> TargetConfig::commandArgv(const QString& commandName) const
{
    const auto it = commands.constFind(commandName);
    if (it == commands.constEnd())
        return std::nullopt;
    QStringList argv;
    argv.reserve(it->size());
    for (QString arg : *it) {
        arg.replace(QStringLiteral("{target}"), name);
        arg.replace(QStringLiteral("{address}"), address);
        argv << arg;
    }
    return argv;
}

QStringList TargetConfig::dependencyNames() const
{
    QStringList out;
    for (const DependencyConfig& d : dependsOn) {
        for (const QString& t : d.targets) {
            if (!out.contains(t))
                out << t;
        }
    }
    return out;
}

const TargetConfig* FleetConfig::target(QStringView targetName) const
{
    for (const TargetConfig& t : targets) {
        if (t.name == targetName)
            return &t;
    }
    return nullptr;
}

const HaproxyInstance* FleetConfig::haproxyInstance(QStringView instanceName) const
{
    for (const HaproxyInstance& h : haproxy) {
        if (h.name == instanceName)
            return &h;
    }
    return nullptr;
}

int FleetConfig::signalCount() const
{
    int n = 0;
    for (const TargetConfig& t : targets)
        n += int(t.signalConfigs.size());
    // A Prometheus source's signals are evaluated once for its whole fleet; counted once here.
    for (const PrometheusSourceConfig& p : prometheus)
        n += int(p.signalConfigs.size());
    return n;
}

} // namespace FaultDesk
