#include "configcheck.h"

#include "fleetconfigloader.h"

#include <QStringList>

namespace FaultDesk {

namespace {

QString count(qsizetype n, const QString& singular, const QString& plural)
{
    return QString::number(n) + u' ' + (n == 1 ? singular : plural);
}

} // namespace

int ConfigCheck::run(const QStringList& files, QTextStream& out, QTextStream& err)
{
    if (files.isEmpty()) {
        err << "faultdesk check: no file given (faultdesk check FLEET.yaml [MORE.yaml…])\n";
        err.flush();
        return ExitInvalid;
    }
    int status = ExitOk;
    for (const QString& file : files) {
        const ConfigLoadResult result = FleetConfigLoader::loadFile(file);
        if (!result.ok()) {
            for (const ConfigError& e : result.errors)
                err << e.toString() << '\n';
            err.flush();
            status = ExitInvalid;
            continue;
        }
        const FleetConfig& c = *result.config;
        QStringList parts { count(c.targets.size(), QStringLiteral("target"), QStringLiteral("targets")),
            count(c.haproxy.size(), QStringLiteral("haproxy instance"), QStringLiteral("haproxy instances")),
            count(c.signalCount(), QStringLiteral("signal"), QStringLiteral("signals")) };
        // The optional sections are named only when present, so the common summary stays short.
        const auto optional = [&](qsizetype n, const QString& one, const QString& many) {
            if (n > 0)
                parts << count(n, one, many);
        };
        optional(c.prometheus.size(), QStringLiteral("prometheus source"), QStringLiteral("prometheus sources"));
        optional(c.alertmanager.size(), QStringLiteral("alertmanager source"), QStringLiteral("alertmanager sources"));
        optional(c.runbooks.size(), QStringLiteral("runbook"), QStringLiteral("runbooks"));
        optional(c.maintenance.size(), QStringLiteral("maintenance window"), QStringLiteral("maintenance windows"));
        out << file << ": ok (" << parts.join(QStringLiteral(", ")) << ")\n";
        out.flush();
    }
    return status;
}

} // namespace FaultDesk
