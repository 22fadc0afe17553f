#include "config/configcheck.h"

#include "config/fleetconfigloader.h"

#include <QPair>
#include <QStringList>

#include <algorithm>

namespace FaultDesk {

namespace {

QString count(qsizetype n, const QString& singular, const QString& plural)
{
    return QString::number(n) + u' ' + (n == 1 ? singular : plural);
}

/// Errors and warnings in file order, like a compiler: `file:line:col: message`, `file:line:col: warning: message`.
void printProblems(const ConfigLoadResult& result, QTextStream& err)
{
    QList<QPair<ConfigError, bool>> problems; ///< problem, is a warning
    for (const ConfigError& e : result.errors)
        problems.append({ e, false });
    for (const ConfigError& w : result.warnings)
        problems.append({ w, true });
    std::stable_sort(problems.begin(), problems.end(),
        [](const auto& a, const auto& b) { return a.first.position < b.first.position; });
    for (const auto& [problem, isWarning] : std::as_const(problems)) {
        if (!isWarning) {
            err << problem.toString() << '\n';
            continue;
        }
        ConfigError w = problem;
        w.message = QStringLiteral("warning: ") + w.message;
        err << w.toString() << '\n';
    }
    err.flush();
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
        printProblems(result, err);
        if (!result.ok()) {
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
