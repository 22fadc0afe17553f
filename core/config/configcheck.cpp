#include "configcheck.h"

#include "fleetconfigloader.h"

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
        out << file << ": ok (" << count(c.targets.size(), QStringLiteral("target"), QStringLiteral("targets")) << ", "
            << count(c.haproxy.size(), QStringLiteral("haproxy instance"), QStringLiteral("haproxy instances")) << ", "
            << count(c.signalCount(), QStringLiteral("signal"), QStringLiteral("signals")) << ")\n";
        out.flush();
    }
    return status;
}

} // namespace FaultDesk
