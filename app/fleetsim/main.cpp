// faultdesk-fleetsim: the simulated demo fleet (run), one of its servers (serve), its shell control (ctl) and the
// scraping benchmark's endpoints (--targets N).
#include "benchfleet.h"
#include "controlclient.h"
#include "demofleet.h"
#include "fleetsupervisor.h"
#include "simtarget.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace FaultDesk;

namespace {

int g_signalPipe[2] = { -1, -1 };

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_signalPipe[1], &byte, 1);
}

// SIGINT/SIGTERM end the event loop through a self-pipe, so shutdown runs in normal context; the parent's death
// delivers SIGTERM too.
void installStopHandlers(QObject* context, const std::function<void()>& onStop)
{
    ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe);
    struct sigaction action
    { };
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    auto* notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [notifier, onStop] {
        char byte;
        [[maybe_unused]] const ssize_t n = ::read(g_signalPipe[0], &byte, 1);
        notifier->setEnabled(false);
        onStop();
    });
}

int bad(const QString& why)
{
    std::fprintf(stderr, "faultdesk-fleetsim: %s\n", qPrintable(why));
    return 2;
}

QString findDemo()
{
    const QStringList candidates = {
        QCoreApplication::applicationDirPath() + QStringLiteral("/../share/faultdesk/demo/demo-fleet.json"),
        QStringLiteral(FLEETSIM_SOURCE_DEMO),
    };
    for (const QString& c : candidates)
        if (QFileInfo::exists(c))
            return QFileInfo(c).canonicalFilePath();
    return QStringLiteral(":/demo/demo-fleet.json");
}

int serve(QCoreApplication& app, const QStringList& args)
{
    QCommandLineParser p;
    p.addOptions({ { QStringLiteral("name"), QStringLiteral("Target name."), QStringLiteral("NAME") },
        { QStringLiteral("kind"), QStringLiteral("web, api or db."), QStringLiteral("KIND"), QStringLiteral("web") },
        { QStringLiteral("role"), QStringLiteral("Database role."), QStringLiteral("ROLE"), QStringLiteral("primary") },
        { QStringLiteral("port"), QStringLiteral("Port on 127.0.0.1 (0: any)."), QStringLiteral("PORT"),
            QStringLiteral("0") },
        { QStringLiteral("capacity"), QStringLiteral("Requests per second it can serve."), QStringLiteral("RPS"),
            QStringLiteral("20") },
        { QStringLiteral("slow-factor"), QStringLiteral("Capacity factor under the overload fault."),
            QStringLiteral("F"), QStringLiteral("0.6") },
        { QStringLiteral("token-file"), QStringLiteral("Admin token file (else $FLEETSIM_ADMIN_TOKEN)."),
            QStringLiteral("FILE") },
        { QStringLiteral("db"), QStringLiteral("apis: base URL of a database (repeatable)."), QStringLiteral("URL") },
        { QStringLiteral("checksum"), QStringLiteral("Databases: initial data checksum."), QStringLiteral("N"),
            QStringLiteral("1592651789") },
        { QStringLiteral("db-poll-ms"), QStringLiteral("apis: database poll interval."), QStringLiteral("MS"),
            QStringLiteral("500") },
        { QStringLiteral("restart-ms"), QStringLiteral("Time a restart takes."), QStringLiteral("MS"),
            QStringLiteral("1500") },
        { QStringLiteral("trickle-ms"), QStringLiteral("Interval between bytes under the slow fault."),
            QStringLiteral("MS"), QStringLiteral("200") },
        { QStringLiteral("no-stdin"), QStringLiteral("Do not read control lines from stdin.") } });
    if (!p.parse(args))
        return bad(p.errorText());
    SimTargetOptions o;
    bool ok = true;
    auto number = [&](const QString& name) {
        bool good = false;
        const double v = p.value(name).toDouble(&good);
        ok = ok && good && v >= 0;
        return v;
    };
    o.name = p.value(QStringLiteral("name"));
    o.kind = p.value(QStringLiteral("kind"));
    o.role = p.value(QStringLiteral("role"));
    o.port = quint16(number(QStringLiteral("port")));
    o.capacityRps = number(QStringLiteral("capacity"));
    o.slowFactor = number(QStringLiteral("slow-factor"));
    o.tokenFile = p.value(QStringLiteral("token-file"));
    o.dbUrls = p.values(QStringLiteral("db"));
    o.checksum = quint32(number(QStringLiteral("checksum")));
    o.dbPollMs = int(number(QStringLiteral("db-poll-ms")));
    o.restartMs = int(number(QStringLiteral("restart-ms")));
    o.trickleMs = int(number(QStringLiteral("trickle-ms")));
    o.controlledByStdin = !p.isSet(QStringLiteral("no-stdin"));
    if (!ok || o.name.isEmpty() || o.capacityRps <= 0 || (o.kind != u"web" && o.kind != u"api" && o.kind != u"db"))
        return bad(QStringLiteral("serve: --name, a positive --capacity and --kind web|api|db are required"));
    SimTarget target(o);
    QString error;
    if (!target.start(&error)) {
        std::fprintf(stderr, "faultdesk-fleetsim serve: %s\n", qPrintable(error));
        return 3;
    }
    return app.exec();
}

int bench(QCoreApplication& app, QCommandLineParser& p)
{
    bool ok = false;
    const int count = p.value(QStringLiteral("targets")).toInt(&ok);
    if (!ok || count < 1 || count > 2000)
        return bad(QStringLiteral("--targets must be between 1 and 2000"));
    const int first = p.value(QStringLiteral("port-base")).toInt(&ok);
    if (!ok || first < 0 || first > 65535)
        return bad(QStringLiteral("--port-base must be a port number (0: pick a free range)"));
    const QString payloadPath = p.isSet(QStringLiteral("payload")) ? p.value(QStringLiteral("payload"))
                                                                   : QStringLiteral(FLEETSIM_DEFAULT_PAYLOAD);
    QFile file(payloadPath);
    if (!file.open(QIODevice::ReadOnly))
        return bad(payloadPath + u": " + file.errorString() + QStringLiteral(" (give one with --payload FILE)"));
    BenchFleet fleet(file.readAll());
    QString error;
    if (!fleet.listen(count, quint16(first), &error)) {
        std::fprintf(stderr, "faultdesk-fleetsim: %s\n", qPrintable(error));
        return 1;
    }
    installStopHandlers(&app, [] { QCoreApplication::exit(0); });
    std::printf("READY %d %u\n", count, unsigned(fleet.firstPort()));
    std::fflush(stdout);
    return app.exec();
}

int run(QCoreApplication& app, QCommandLineParser& p)
{
    SupervisorOptions o;
    o.runtimeDir = p.value(QStringLiteral("runtime-dir"));
    o.executable = QFileInfo(QCoreApplication::applicationFilePath()).absoluteFilePath();
    bool ok = false;
    o.rateScale = p.value(QStringLiteral("rate-scale")).toDouble(&ok);
    if (!ok || o.rateScale <= 0 || o.rateScale > 100)
        return bad(QStringLiteral("--rate-scale must be a number above 0 and at most 100"));
    if (p.isSet(QStringLiteral("check-inter"))) {
        o.checkInterMs = DemoFleet::parseDuration(p.value(QStringLiteral("check-inter")));
        if (o.checkInterMs < 100)
            return bad(QStringLiteral("--check-inter must be a duration of at least 100ms"));
    }
    const qint64 readyTimeout = DemoFleet::parseDuration(p.value(QStringLiteral("ready-timeout")));
    if (readyTimeout <= 0)
        return bad(QStringLiteral("--ready-timeout must be a duration such as 30s"));
    o.readyTimeoutMs = int(readyTimeout);
    o.traffic = !p.isSet(QStringLiteral("no-traffic"));
    o.demoFile = p.isSet(QStringLiteral("demo")) ? p.value(QStringLiteral("demo")) : findDemo();
    QString error;
    std::optional<DemoFleet> fleet = DemoFleet::load(o.demoFile, &error);
    if (!fleet)
        return bad(error);
    FleetSupervisor supervisor(*fleet, o);
    int exitCode = 0;
    QObject::connect(&supervisor, &FleetSupervisor::failed, &app, [&](const QString& why) {
        std::fprintf(stderr, "faultdesk-fleetsim: %s\n", qPrintable(why));
        exitCode = 1;
        supervisor.shutdown();
        QCoreApplication::exit(1);
    });
    installStopHandlers(&app, [&supervisor] {
        supervisor.shutdown();
        QCoreApplication::exit(0);
    });
    if (!supervisor.start(&error)) {
        std::fprintf(stderr, "faultdesk-fleetsim: %s\n", qPrintable(error));
        supervisor.shutdown();
        return 1;
    }
    const int rc = app.exec();
    supervisor.shutdown();
    return exitCode ? exitCode : rc;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("faultdesk-fleetsim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FAULTDESK_VERSION));
    std::signal(SIGPIPE, SIG_IGN);
    QStringList args = QCoreApplication::arguments();
    const QString verb = args.value(1);
    if (verb == u"serve") {
        args.removeAt(1);
        return serve(app, args);
    }
    if (verb == u"ctl") {
        QStringList rest = args.mid(2);
        QString dir;
        const qsizetype at = rest.indexOf(QStringLiteral("--runtime-dir"));
        if (at >= 0) {
            dir = rest.value(at + 1);
            rest.remove(at, std::min<qsizetype>(2, rest.size() - at));
        }
        return ControlClient(dir).run(rest);
    }
    if (verb == u"run")
        args.removeAt(1);

    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "The FaultDesk demo fleet: web, api and database servers behind HAProxy, with faults on tap.\n"
        "  faultdesk-fleetsim [run] [options]          start the demo fleet, print READY <runtime-dir>\n"
        "  faultdesk-fleetsim ctl --runtime-dir DIR …  inject/clear faults, start targets, print ground truth\n"
        "  faultdesk-fleetsim --targets N [--payload FILE] [--port-base P]   benchmark endpoints"));
    p.addHelpOption();
    p.addVersionOption();
    p.addOptions({ { QStringLiteral("runtime-dir"), QStringLiteral("Runtime directory (default: a fresh private one)."),
                       QStringLiteral("DIR") },
        { QStringLiteral("demo"), QStringLiteral("Demo fleet description (JSON)."), QStringLiteral("FILE") },
        { QStringLiteral("rate-scale"), QStringLiteral("Multiplies capacities and traffic."), QStringLiteral("X"),
            QStringLiteral("1") },
        { QStringLiteral("check-inter"),
            QStringLiteral("HAProxy health check interval (default from the description, 1s)."),
            QStringLiteral("DURATION") },
        { QStringLiteral("ready-timeout"), QStringLiteral("Give up when the fleet is not up by then."),
            QStringLiteral("DURATION"), QStringLiteral("30s") },
        { QStringLiteral("no-traffic"), QStringLiteral("Do not generate client traffic.") },
        { QStringLiteral("targets"), QStringLiteral("Benchmark mode: serve N metrics endpoints (1-2000)."),
            QStringLiteral("N") },
        { QStringLiteral("payload"), QStringLiteral("Benchmark mode: the /metrics payload."), QStringLiteral("FILE") },
        { QStringLiteral("port-base"), QStringLiteral("Benchmark mode: first port (0: a free range)."),
            QStringLiteral("P"), QStringLiteral("0") } });
    if (!p.parse(args))
        return bad(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(p.helpText()));
        return 0;
    }
    if (p.isSet(QStringLiteral("version"))) {
        std::printf("faultdesk-fleetsim %s\n", FAULTDESK_VERSION);
        return 0;
    }
    if (!p.positionalArguments().isEmpty())
        return bad(u"unknown command '" + p.positionalArguments().constFirst() + u"' (run, serve, ctl)");
    if (p.isSet(QStringLiteral("targets")))
        return bench(app, p);
    return run(app, p);
}
