#pragma once

#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/// One simulated server of the demo fleet, as the description file declares it (value type).
struct DemoTarget
{
    QString name;
    QString kind; ///< web, api or db
    QString group;
    QString role; ///< databases: primary or replica
    QString backend; ///< HAProxy backend, empty when not behind the load balancer
    int priority = 5;
    double capacityRps = 20;
    QStringList dependsOn;
    QMap<QString, QString> labels;
};

/**
 * The demo fleet description (resources/demo/demo-fleet.json): targets, traffic shape, HAProxy timings and the
 * knobs of each fault. Loading validates everything and names the place of the first problem.
 */
class DemoFleet
{
public:
    /// Loads and validates a description; on failure returns nullopt and sets *error to "file: where: problem".
    static std::optional<DemoFleet> load(const QString& path, QString* error);
    /// Parses a duration such as 250ms, 1s, 1.5s, 2m, 1h into milliseconds; -1 when invalid.
    static qint64 parseDuration(const QString& text);

    const DemoTarget* target(const QString& name) const;
    QStringList names() const;
    QStringList backends() const;

    QList<DemoTarget> targets;
    qint64 checkInterMs = 1000;
    int checkRise = 2;
    int checkFall = 2;
    qint64 timeoutServerMs = 5000;
    double utilisation = 0.15;
    double waveAmplitude = 0.2;
    qint64 wavePeriodMs = 300000;
    int sources = 48;
    QHostAddress firstSource { QStringLiteral("127.0.1.10") };
    double writeShare = 0.1;
    double overloadFactor = 5;
    double overloadSlowFactor = 0.6;
    QString overloadDefault = QStringLiteral("web-2");
    QStringList attackSources;
    double attackRpsPerSource = 12;
    QString attackDefault = QStringLiteral("web");
    QString corruptionDefault = QStringLiteral("db-primary");
    QString partitionDefault = QStringLiteral("api-1"); ///< loses its path to its first dependency
    qint64 slowByteIntervalMs = 200;
};

} // namespace FaultDesk
