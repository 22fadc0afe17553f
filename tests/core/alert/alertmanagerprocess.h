#pragma once

// A real Alertmanager on loopback for the alerting tests (the Debian package's binary), on a free port.

#include "shared/loopbackdaemon.h"

namespace FaultDesk::Test {

/// Alertmanager with short group timings and no cluster; state (silences) under its own scratch directory.
class AlertmanagerProcess : public LoopbackDaemon
{
public:
    bool start()
    {
        const QByteArray config = "route:\n"
                                  "  receiver: 'null'\n"
                                  "  group_wait: 100ms\n"
                                  "  group_interval: 200ms\n"
                                  "  repeat_interval: 1h\n"
                                  "receivers:\n"
                                  "  - name: 'null'\n";
        if (!writeFile(QStringLiteral("alertmanager.yml"), config))
            return false;
        QDir(dir()).mkpath(QStringLiteral("data"));
        return LoopbackDaemon::start(QStringLiteral("/usr/bin/prometheus-alertmanager"),
            { QStringLiteral("--config.file=") + dir() + QStringLiteral("/alertmanager.yml"),
                QStringLiteral("--web.listen-address=127.0.0.1:%PORT%"), QStringLiteral("--cluster.listen-address="),
                QStringLiteral("--storage.path=") + dir() + QStringLiteral("/data"),
                QStringLiteral("--log.level=warn") },
            "/-/ready");
    }
};

} // namespace FaultDesk::Test
