#pragma once

#include "config/fleetconfigloader.h"

#include <QByteArray>

// A fleet shaped like the demo's (web and api pools behind HAProxy, two databases, api-1's link to db-primary), as
// the drill code sees it; the probes point nowhere because nothing is probed.
inline FaultDesk::FleetConfig demoShapedFleet()
{
    QByteArray yaml = "version: 1\n"
                      "haproxy:\n"
                      "  - name: lb\n"
                      "    socket: /nonexistent/haproxy.sock\n"
                      "targets:\n";
    auto target
        = [&yaml](const QByteArray& name, const QByteArray& group, const QByteArray& backend, const QByteArray& extra) {
              yaml += "  - name: " + name + "\n    group: " + group + "\n    address: 127.0.0.1\n"
                  + "    probes:\n      - kind: metrics\n        url: http://127.0.0.1:9/metrics\n"
                  + "    signals:\n      - name: load\n        gauge: fleetsim_utilisation\n"
                  + "        threshold: { above: 0.85, clear: 0.70 }\n" + extra;
              if (!backend.isEmpty())
                  yaml += "    haproxy: { instance: lb, backend: " + backend + ", server: " + name + " }\n";
          };
    for (const QByteArray w : { "web-1", "web-2", "web-3", "web-4" })
        target(w, "web", "web", {});
    for (const QByteArray a : { "api-1", "api-2" })
        target(a, "api", "api",
            "      - name: link_db-primary\n"
            "        gauge: 'fleetsim_dependency_up{dependency=\"db-primary\"}'\n"
            "        threshold: { below: 0.5, clear: 0.5 }\n"
            "        link: db-primary\n"
            "    depends_on: [db-primary]\n");
    target("db-primary", "db", {}, {});
    target("db-replica", "db", {}, {});
    const FaultDesk::ConfigLoadResult r = FaultDesk::FleetConfigLoader::loadBytes(yaml, QStringLiteral("fleet.yaml"));
    if (!r.ok()) {
        for (const auto& e : r.errors)
            qWarning("%s", qPrintable(e.toString()));
        return {};
    }
    return *r.config;
}
