// `faultdesk drill overload|crash|corruption|attack`: a fire drill on the demo fleet, headless. Injects a fault,
// watches FaultDesk detect and locate it, presses Handle, lets the world end the cause, presses Recover, and
// checks that everything is back to the baseline.

#include "commands.h"

#include "config/fleetconfigloader.h"
#include "detect/detector.h"
#include "incident/incidentrecorder.h"
#include "incident/incidentstore.h"
#include "monitor/demofleet.h"
#include "monitor/monitor.h"
#include "remedy/remediationcontroller.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <memory>

namespace FaultDesk::Commands {

namespace {

// Runs the event loop until @p done holds or @p timeoutMs passes; true when it held.
bool waitUntil(const std::function<bool()>& done, qint64 timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(100, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

// Asks the operator on the terminal; only "y"/"yes" says yes.
bool confirm(const QString& question)
{
    std::fprintf(stderr, "%s [y/N] ", qPrintable(question));
    std::fflush(stderr);
    char line[64] = {};
    if (!std::fgets(line, sizeof line, stdin))
        return false;
    const QString answer = QString::fromLocal8Bit(line).trimmed().toLower();
    return answer == u"y" || answer == u"yes";
}

CauseClass causeOfDrill(const QString& kind)
{
    if (kind == u"crash")
        return CauseClass::Down;
    if (kind == u"overload")
        return CauseClass::Overload;
    if (kind == u"attack")
        return CauseClass::Attack;
    return CauseClass::DataIntegrity;
}

double seconds(qint64 fromMs, qint64 toMs)
{
    return toMs > 0 && fromMs > 0 ? std::round((toMs - fromMs) / 100.0) / 10.0 : -1;
}

QJsonArray actionsOf(const QString& purpose, const RunbookOutcome& outcome)
{
    QJsonArray out;
    for (const StepReport& s : outcome.steps) {
        QJsonObject o { { QStringLiteral("phase"), purpose }, { QStringLiteral("step"), s.name },
            { QStringLiteral("status"), StepReport::statusName(s.status) } };
        if (s.action)
            o.insert(QStringLiteral("action"), QString(s.action->description + u": " + s.action->summary()));
        if (s.verification)
            o.insert(QStringLiteral("verification"), s.verification->summary());
        if (s.rollback)
            o.insert(QStringLiteral("rollback"), s.rollback->summary());
        if (!s.reason.isEmpty())
            o.insert(QStringLiteral("reason"), s.reason);
        out.append(o);
    }
    return out;
}

} // namespace

int drill(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Fire drill on the demo fleet: inject a fault, detect, locate, Handle, Recover, verify."));
    parser.addHelpOption();
    const QCommandLineOption autoOption(
        QStringLiteral("auto"), QStringLiteral("Press Handle and Recover without asking."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the summary as JSON."));
    const QCommandLineOption db(QStringLiteral("db"),
        QStringLiteral("Record the drill (audit trail) in the incident database FILE."), QStringLiteral("FILE"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
        QStringLiteral("Seconds each phase may take (default 60)."), QStringLiteral("S"), QStringLiteral("60"));
    const QCommandLineOption checkInter(QStringLiteral("check-inter"),
        QStringLiteral("HAProxy health-check interval of the demo fleet (default 300ms)."), QStringLiteral("DURATION"),
        QStringLiteral("300ms"));
    const QCommandLineOption targetOption(QStringLiteral("target"),
        QStringLiteral("Where to inject (default: web-2 for crash, the demo's default for the others)."),
        QStringLiteral("NAME"));
    const QCommandLineOption warmup(QStringLiteral("warmup"),
        QStringLiteral("Seconds of healthy traffic before the injection, for the baselines the detector learns "
                       "(default 12 for attack, 3 otherwise)."),
        QStringLiteral("S"));
    const QCommandLineOption runbooks(QStringLiteral("runbooks"),
        QStringLiteral("Bind the runbooks of FILE (a YAML file with a top-level runbooks: list) to the demo fleet, as "
                       "if they were written in its fleet.yaml."),
        QStringLiteral("FILE"));
    parser.addOptions({ autoOption, json, db, timeout, checkInter, targetOption, warmup, runbooks });
    parser.addPositionalArgument(QStringLiteral("drill"), QStringLiteral("drill"));
    parser.addPositionalArgument(QStringLiteral("kind"), QStringLiteral("overload, crash, corruption or attack"));
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "faultdesk drill: %s\n", qPrintable(parser.errorText()));
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return ExitOk;
    }
    const QStringList positional = parser.positionalArguments().mid(1);
    const QStringList kinds { QStringLiteral("overload"), QStringLiteral("crash"), QStringLiteral("corruption"),
        QStringLiteral("attack") };
    if (positional.size() != 1 || !kinds.contains(positional.constFirst())) {
        std::fprintf(stderr, "faultdesk drill: name one drill: overload, crash, corruption or attack\n");
        return ExitBadInput;
    }
    const QString kind = positional.constFirst();
    bool timeoutOk = false;
    const qint64 phaseMs = qint64(parser.value(timeout).toDouble(&timeoutOk) * 1000);
    if (!timeoutOk || phaseMs <= 0) {
        std::fprintf(stderr, "faultdesk drill: --timeout must be a positive number of seconds\n");
        return ExitBadInput;
    }
    const bool automatic = parser.isSet(autoOption);
    auto say = [&](const QString& line) {
        if (!parser.isSet(json))
            std::printf("%s\n", qPrintable(line));
        else
            std::fprintf(stderr, "%s\n", qPrintable(line));
        std::fflush(stdout);
    };

    DemoFleet fleet;
    fleet.setExtraArguments({ QStringLiteral("--check-inter"), parser.value(checkInter) });
    QString error;
    if (!fleet.start(60000, &error)) {
        std::fprintf(stderr, "faultdesk drill: the demo fleet did not start: %s\n", qPrintable(error));
        return ExitFailed;
    }
    ConfigLoadResult loaded = FleetConfigLoader::loadFile(fleet.fleetConfigPath());
    if (!loaded.ok()) {
        for (const ConfigError& e : loaded.errors)
            std::fprintf(stderr, "%s\n", qPrintable(e.toString()));
        return ExitFailed;
    }
    if (parser.isSet(runbooks)) {
        loaded = FleetConfigLoader::loadRunbooks(parser.value(runbooks), *loaded.config);
        if (!loaded.ok()) {
            for (const ConfigError& e : loaded.errors)
                std::fprintf(stderr, "%s\n", qPrintable(e.toString()));
            return ExitBadInput;
        }
    }

    std::unique_ptr<IncidentStore> store;
    // Drills are recorded like real incidents (marked as drills), in --db or the default incident database, so
    // `faultdesk report --last` right after a drill gives its report.
    IncidentStore::Options o;
    o.path = parser.value(db);
    store = std::make_unique<IncidentStore>(o);
    if (!store->open(&error)) {
        std::fprintf(stderr, "faultdesk drill: %s: %s\n",
            qPrintable(o.path.isEmpty() ? IncidentStore::defaultPath() : o.path), qPrintable(error));
        return ExitFailed;
    }
    AuditSink* audit = store.get();

    Monitor monitor;
    const FleetConfig config = *loaded.config;
    monitor.setConfig(config);
    // With --db the drill's incident is recorded like any other (marked as a drill, so it stays out of the MTTx
    // figures), and the actions' audit records land on it: the recorder maps the detector's incident ids.
    std::unique_ptr<IncidentRecorder> recorder;
    if (store) {
        recorder = std::make_unique<IncidentRecorder>(store.get());
        recorder->setDrill(true);
        recorder->attach(&monitor);
        audit = recorder.get();
    }
    monitor.start();

    const QString lockDir = fleet.runtimeDirectory() + QStringLiteral("/locks");
    QDir().mkpath(lockDir);
    const QString operatorName = qEnvironmentVariable("USER", QStringLiteral("drill"));
    RemediationController controller(monitor.config(), monitor.detector(), audit, lockDir, operatorName);
    RemediationController::Settings settings;
    settings.pollInterval = std::chrono::milliseconds(500);
    settings.waitInterval = std::chrono::milliseconds(300);
    settings.settle = std::chrono::milliseconds(2000);
    settings.verifyDeadline = std::chrono::milliseconds(phaseMs / 2);
    controller.setSettings(settings);
    if (recorder) {
        QObject::connect(&controller, &RemediationController::baselineCaptured, recorder.get(),
            [&controller, &recorder, &monitor](const QString& faultId) {
                const auto fault = monitor.detector()->fault(faultId);
                const auto baseline = controller.baseline(faultId);
                if (fault && baseline)
                    recorder->setBaseline(fault->incidentId, baseline->toJson());
            });
    }
    QHash<QString, RemediationController::Run> finishedRuns;
    QObject::connect(&controller, &RemediationController::stepChanged, &controller,
        [&](const QString&, int index, const StepReport& r) {
            say(QStringLiteral("  step %1 %2: %3%4")
                    .arg(index + 1)
                    .arg(r.name, StepReport::statusName(r.status), r.reason.isEmpty() ? QString() : u" — " + r.reason));
        });

    Detector* detector = monitor.detector();
    auto allUp = [&] {
        const auto st = detector->statuses();
        return !st.isEmpty()
            && std::all_of(st.cbegin(), st.cend(), [](const TargetStatus& s) { return s.state == TargetState::Up; });
    };
    say(QStringLiteral("drill %1: demo fleet in %2; waiting for a healthy baseline")
            .arg(kind, fleet.runtimeDirectory()));
    if (!waitUntil([&] { return allUp(); }, phaseMs)) {
        std::fprintf(stderr, "faultdesk drill: the demo fleet did not become healthy within %lld s\n", phaseMs / 1000);
        return ExitFailed;
    }
    // The attack rule compares the rate with its own baseline (ten samples at least): give it healthy traffic.
    const double warmupS = parser.isSet(warmup) ? parser.value(warmup).toDouble() : (kind == u"attack" ? 12 : 3);
    const qint64 healthySince = QDateTime::currentMSecsSinceEpoch();
    waitUntil([&] { return QDateTime::currentMSecsSinceEpoch() - healthySince >= qint64(warmupS * 1000); },
        qint64(warmupS * 1000) + 1000);
    bool refreshed = false;
    controller.refresh([&] { refreshed = true; });
    waitUntil([&] { return refreshed; }, 10000);

    const qint64 injectedMs = QDateTime::currentMSecsSinceEpoch();
    QString where = parser.value(targetOption);
    if (where.isEmpty() && kind == u"crash")
        where = QStringLiteral("web-2");
    if (!fleet.inject(kind, where, &error)) {
        std::fprintf(stderr, "faultdesk drill: inject %s: %s\n", qPrintable(kind), qPrintable(error));
        return ExitFailed;
    }
    const QJsonObject truth = fleet.truth();
    QJsonObject truthFault;
    for (const QJsonValue& v : truth.value(QStringLiteral("faults")).toArray())
        if (v.toObject().value(QStringLiteral("kind")).toString() == kind)
            truthFault = v.toObject();
    say(QStringLiteral("injected %1 (ground truth: root cause %2, cause %3)")
            .arg(kind, truthFault.value(QStringLiteral("root_cause")).toString(),
                truthFault.value(QStringLiteral("cause")).toString()));

    const CauseClass wanted = causeOfDrill(kind);
    std::optional<Fault> fault;
    qint64 firstDetectedMs = 0;
    const bool located = waitUntil(
        [&] {
            for (const Fault& f : detector->openFaults()) {
                if (firstDetectedMs == 0)
                    firstDetectedMs = f.detectedMs;
                if (f.rootCause && f.cause == wanted && f.actionable()) {
                    fault = f;
                    return true;
                }
            }
            return false;
        },
        phaseMs);

    QJsonObject summary { { QStringLiteral("drill"), kind },
        { QStringLiteral("ground_truth"),
            QJsonObject { { QStringLiteral("root_cause"), truthFault.value(QStringLiteral("root_cause")) },
                { QStringLiteral("cause"), truthFault.value(QStringLiteral("cause")) },
                { QStringLiteral("sources"), truthFault.value(QStringLiteral("sources")) },
                { QStringLiteral("targets"), truthFault.value(QStringLiteral("targets")) } } } };
    QJsonArray actions;
    bool recovered = false;
    bool baselineRestored = false;
    bool rightRoot = false;
    double handleS = -1;
    double recoverS = -1;
    auto runAndWait
        = [&](SafetyRequest::Purpose purpose, const QString& id) -> std::optional<RemediationController::Run> {
        const QString name
            = purpose == SafetyRequest::Purpose::Handle ? QStringLiteral("Handle") : QStringLiteral("Recover");
        say(controller.preview(id, purpose).toText().trimmed());
        if (!automatic && !confirm(QStringLiteral("Run %1 for %2?").arg(name, id))) {
            say(QStringLiteral("%1 not run: declined").arg(name));
            return std::nullopt;
        }
        QString why;
        // The gates re-read HAProxy and the databases first, so they judge the state of now.
        bool fresh = false;
        controller.refresh([&] { fresh = true; });
        waitUntil([&] { return fresh; }, 5000);
        const bool started = purpose == SafetyRequest::Purpose::Handle ? controller.handle(id, operatorName, &why)
                                                                       : controller.recover(id, operatorName, &why);
        if (!started) {
            say(QStringLiteral("%1 refused: %2").arg(name, why));
            actions.append(QJsonObject { { QStringLiteral("phase"), name.toLower() },
                { QStringLiteral("status"), QStringLiteral("refused") }, { QStringLiteral("reason"), why } });
            return std::nullopt;
        }
        waitUntil([&] { return !controller.isRunning(id); }, 3 * phaseMs);
        if (controller.isRunning(id))
            controller.abort(id, QStringLiteral("drill timeout"));
        waitUntil([&] { return !controller.isRunning(id); }, phaseMs);
        const auto run = controller.lastRun(id, purpose);
        if (run) {
            for (const QJsonValue& a : actionsOf(name.toLower(), run->outcome))
                actions.append(a);
            say(QStringLiteral("%1: %2%3")
                    .arg(name, RunbookOutcome::resultName(run->outcome.result),
                        run->outcome.message.isEmpty() ? QString() : u" — " + run->outcome.message));
        }
        return run;
    };

    if (located && fault) {
        const TargetConfig* t = config.target(fault->target);
        const QString truthRoot = truthFault.value(QStringLiteral("root_cause")).toString();
        rightRoot = truthRoot == fault->target || (t && t->haproxy && t->haproxy->backend == truthRoot)
            || (t && t->group == truthRoot);
        summary.insert(QStringLiteral("located"),
            QJsonObject { { QStringLiteral("fault"), fault->id }, { QStringLiteral("root_cause"), fault->target },
                { QStringLiteral("cause"), causeClassName(fault->cause) },
                { QStringLiteral("evidence"), fault->evidence },
                { QStringLiteral("sources"), QJsonArray::fromStringList(fault->sources) } });
        say(QStringLiteral("located %1 on %2 (%3)").arg(causeClassName(fault->cause), fault->target, fault->evidence));
        summary.insert(QStringLiteral("seconds_to_detect"), seconds(injectedMs, fault->detectedMs));
        summary.insert(QStringLiteral("seconds_to_locate"), seconds(injectedMs, fault->locatedMs));

        const auto handled = runAndWait(SafetyRequest::Purpose::Handle, fault->id);
        if (handled) {
            handleS = seconds(handled->startedMs, handled->finishedMs);
            // The world ends the cause: the sale is over, the attacker leaves. A crash ended with Handle's restart,
            // a corruption ends with Recover's restore.
            if (kind == u"overload" || kind == u"attack") {
                if (!fleet.clear(kind, &error))
                    say(QStringLiteral("clear %1: %2").arg(kind, error));
                else
                    say(QStringLiteral("the %1 ended").arg(kind == u"overload" ? u"sale" : u"attack"));
            }
            if (handled->outcome.result == RunbookOutcome::Result::Succeeded) {
                if (const auto rec = runAndWait(SafetyRequest::Purpose::Recover, fault->id)) {
                    recoverS = seconds(rec->startedMs, rec->finishedMs);
                    // Recovered is the detector's call: the target passes its checks again.
                    const bool passes = waitUntil(
                        [&] {
                            const auto f = detector->fault(fault->id);
                            return !f || f->phase == Fault::Phase::Recovered;
                        },
                        phaseMs);
                    recovered = rec->verified && passes;
                    bool fresh = false;
                    controller.refresh([&] { fresh = true; });
                    waitUntil([&] { return fresh; }, 5000);
                    const auto b = controller.baseline(fault->id);
                    const QStringList diff
                        = b ? b->differences(controller.current()) : QStringList { QStringLiteral("no baseline") };
                    baselineRestored = diff.isEmpty();
                    if (!diff.isEmpty())
                        summary.insert(QStringLiteral("baseline_differences"), QJsonArray::fromStringList(diff));
                    if (b)
                        summary.insert(QStringLiteral("baseline"), b->toJson());
                }
            }
        }
    } else {
        summary.insert(QStringLiteral("located"), QJsonValue::Null);
        summary.insert(QStringLiteral("seconds_to_detect"),
            firstDetectedMs > 0 ? QJsonValue(seconds(injectedMs, firstDetectedMs)) : QJsonValue(QJsonValue::Null));
        say(QStringLiteral("no %1 root cause was located within %2 s").arg(causeClassName(wanted)).arg(phaseMs / 1000));
    }
    summary.insert(QStringLiteral("seconds_to_handle"), handleS);
    summary.insert(QStringLiteral("seconds_to_recover"), recoverS);
    summary.insert(QStringLiteral("actions"), actions);
    summary.insert(QStringLiteral("right_root_cause"), rightRoot);
    summary.insert(QStringLiteral("recovered"), recovered);
    summary.insert(QStringLiteral("baseline_restored"), baselineRestored);
    summary.insert(QStringLiteral("runtime_dir"), fleet.runtimeDirectory());
    const bool passed = rightRoot && recovered && baselineRestored;
    summary.insert(QStringLiteral("passed"), passed);
    if (parser.isSet(json))
        std::printf("%s\n", QJsonDocument(summary).toJson(QJsonDocument::Compact).constData());
    else
        std::printf("%s\n", QJsonDocument(summary).toJson(QJsonDocument::Indented).constData());
    std::fflush(stdout);
    if (recorder) {
        recorder->saveAllSeries();
        recorder->waitForWrites();
    }
    monitor.stop();
    fleet.stop();
    return passed ? ExitOk : ExitFailed;
}

} // namespace FaultDesk::Commands
