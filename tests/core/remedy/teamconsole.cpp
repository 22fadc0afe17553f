// A small team console for the shared-lock tests: monitors the fleet of argv[1] with a RemediationController whose
// audit trail is the team's incident store argv[2] (a postgresql:// URL) and whose locks are that store's advisory
// locks (lock directory argv[3] for manual fallbacks, automation state argv[4]; "--auto" turns automation on).
// Reports on stdout, one line each:
//   ready
//   run-started ID PURPOSE               every run (PURPOSE 0 Handle, 1 Recover)
//   run-finished ID PURPOSE RESULT       RESULT: the outcome's result as an int
//   elsewhere ID TEXT                    a fault another console's automation owns ("handled by …")
//   unfinished TARGET RUNBOOK            a remediation left unfinished, whenever the list changes
//   escalated TEXT
// and obeys stdin lines: "status TARGET" (prints "status held=… lock=…").
#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "incident/incidentstore.h"
#include "incident/storenotifier.h"
#include "monitor/monitor.h"
#include "remedy/advisorylocks.h"
#include "remedy/remediationcontroller.h"

#include <QCoreApplication>
#include <QSet>
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
    IncidentStore::Options options;
    options.path = args.at(2);
    options.pruneIntervalMs = 0;
    IncidentStore store(options);
    QString error;
    if (!store.open(&error)) {
        say(QStringLiteral("store error: %1").arg(error));
        return 2;
    }
    StoreNotifier notifier(store.url());
    notifier.start(&error);
    AdvisoryLocks locks(store.url());
    locks.follow(&notifier);
    if (!locks.open(&error))
        say(QStringLiteral("locks error: %1").arg(error));

    Monitor monitor;
    monitor.setConfig(*loaded.config);
    RemediationController controller(monitor.config(), monitor.detector(), &store, args.at(3), u"console"_qs);
    controller.setSharedLocks(&locks);
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

    QHash<QString, QString> elsewhere; // what was said per fault: said again when it changes (the holder named)
    QStringList unfinished;
    auto report = [&] {
        for (const Fault& f : monitor.detector()->openFaults()) {
            const QString text = controller.handledElsewhere(f.id);
            if (!text.isEmpty() && elsewhere.value(f.id) != text) {
                elsewhere.insert(f.id, text);
                say(QStringLiteral("elsewhere %1 %2").arg(f.id, text));
            }
        }
        QStringList now;
        for (const auto& u : controller.unfinished())
            now << QStringLiteral("unfinished %1 %2").arg(u.target, u.runbook);
        if (now != unfinished) {
            unfinished = now;
            for (const QString& line : now)
                say(line);
        }
    };
    QObject::connect(&controller, &RemediationController::autoChanged, &app, report);
    QObject::connect(&controller, &RemediationController::gatesChanged, &app, report);
    QObject::connect(
        &controller, &RemediationController::runStarted, &app, [](const QString& id, SafetyRequest::Purpose p) {
            say(QStringLiteral("run-started %1 %2").arg(id).arg(int(p)));
        });
    QObject::connect(&controller, &RemediationController::runFinished, &app,
        [](const QString& id, SafetyRequest::Purpose p, const RunbookOutcome& outcome, bool) {
            say(QStringLiteral("run-finished %1 %2 %3").arg(id).arg(int(p)).arg(int(outcome.result)));
        });
    QObject::connect(&controller, &RemediationController::escalated, &app,
        [](const QString&, const QString& message) { say(QStringLiteral("escalated %1").arg(message)); });
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, &app, [&] {
        char buffer[512];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer - 1);
        if (n <= 0) {
            input.setEnabled(false);
            return;
        }
        for (const QString& line : QString::fromUtf8(buffer, n).split(u'\n', Qt::SkipEmptyParts)) {
            if (line.section(u' ', 0, 0) != u"status")
                continue;
            const QString target = line.section(u' ', 1, 1);
            const auto holder = controller.lockHolder(target);
            say(QStringLiteral("status held=%1 lock=%2")
                    .arg(controller.autoHeldBack(target), holder ? holder->sentence(target) : QString()));
        }
    });
    monitor.start();
    say(u"ready"_qs);
    return app.exec();
}
