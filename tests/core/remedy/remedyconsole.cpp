// A small FaultDesk for the restart tests: monitors the fleet of argv[1] with a RemediationController (lock
// directory argv[2], audit trail argv[3], automation state argv[4]; "--auto" turns automation on) and reports on
// stdout, one line each:
//   unfinished TARGET RUNBOOK      what an earlier run left unfinished (the banner's data), at start
//   ready
//   fault ID TARGET PHASE held=…    every fault change, after the controller saw it; held = autoHeldBack(TARGET)
//   run-started ID PURPOSE          every run
//   step ID INDEX STATUS            every step transition
// and obeys stdin lines: "handle TARGET" (prints "handle ok" or "handle refused: …"), "status TARGET" (prints
// "status held=… lock=…"), "dismiss" (dismisses every unfinished remediation, prints "dismissed N").
#include "audit/jsonlauditsink.h"
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "monitor/monitor.h"
#include "remedy/remediationcontroller.h"
#include "remedy/targetlock.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <cstdio>
#include <unistd.h>

using namespace FaultDesk;

static void say(const QString& line)
{
    std::printf("%s\n", qUtf8Printable(line));
    std::fflush(stdout);
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 5)
        return 2;
    ConfigLoadResult loaded = FleetConfigLoader::loadFile(args.at(1));
    if (!loaded.ok()) {
        say(QStringLiteral("config error: %1").arg(loaded.errors.value(0).toString()));
        return 2;
    }
    Monitor monitor;
    monitor.setConfig(*loaded.config);
    JsonlAuditSink audit(args.at(3));
    RemediationController controller(monitor.config(), monitor.detector(), &audit, args.at(2), u"console"_qs);
    RemediationController::Settings settings;
    settings.pollInterval = std::chrono::milliseconds(300);
    settings.stepDeadline = std::chrono::milliseconds(60000);
    controller.setSettings(settings);
    AutoRemediationPolicy limits;
    limits.maxAttempts = 10;
    limits.backoffInitial = std::chrono::milliseconds(0);
    controller.setAutoPolicy(limits);
    controller.setAutomationStateFile(args.at(4));
    if (args.contains(u"--auto"_qs))
        controller.setAutoEnabled(true);
    for (const auto& u : controller.unfinished())
        say(QStringLiteral("unfinished %1 %2").arg(u.target, u.runbook));
    QObject::connect(monitor.detector(), &Detector::faultChanged, &app, [&](const Fault& f) {
        say(QStringLiteral("fault %1 %2 %3 held=%4")
                .arg(f.id, f.target)
                .arg(int(f.phase))
                .arg(controller.autoHeldBack(f.target)));
    });
    QObject::connect(
        &controller, &RemediationController::runStarted, &app, [](const QString& id, SafetyRequest::Purpose p) {
            say(QStringLiteral("run-started %1 %2").arg(id).arg(int(p)));
        });
    QObject::connect(
        &controller, &RemediationController::stepChanged, &app, [](const QString& id, int index, const StepReport& r) {
            say(QStringLiteral("step %1 %2 %3").arg(id).arg(index).arg(int(r.status)));
        });
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, &app, [&] {
        char buffer[512];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer - 1);
        if (n <= 0) {
            input.setEnabled(false);
            return;
        }
        for (const QString& line : QString::fromUtf8(buffer, n).split(u'\n', Qt::SkipEmptyParts)) {
            const QString command = line.section(u' ', 0, 0);
            const QString target = line.section(u' ', 1, 1);
            if (command == u"handle") {
                QString error = QStringLiteral("no open fault");
                bool ok = false;
                for (const Fault& f : monitor.detector()->openFaults())
                    if (f.target == target)
                        ok = controller.handle(f.id, u"console"_qs, &error);
                say(ok ? u"handle ok"_qs : u"handle refused: "_qs + error);
            } else if (command == u"status") {
                const auto holder = TargetLock::holder(args.at(2), target);
                say(QStringLiteral("status held=%1 lock=%2")
                        .arg(controller.autoHeldBack(target), holder ? holder->toString() : QString()));
            } else if (command == u"dismiss") {
                const auto items = controller.unfinished();
                for (const auto& u : items)
                    controller.dismissUnfinished(u, u"console"_qs);
                say(QStringLiteral("dismissed %1").arg(items.size()));
            }
        }
    });
    monitor.start();
    say(u"ready"_qs);
    return app.exec();
}
