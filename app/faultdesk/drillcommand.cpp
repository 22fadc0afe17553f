// `faultdesk drill NAME` and `faultdesk drill campaign`: the demo fleet, headless, driven by the drill engine in
// core (DrillRunner, FaultCampaign). This file only reads the command line and prints.

#include "commands.h"

#include "drill/demodrillsession.h"
#include "drill/demofleetprocess.h"
#include "drill/drillrunner.h"
#include "drill/faultcampaign.h"
#include "incident/storeurl.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace FaultDesk::Commands {

namespace {

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

int startSession(DemoDrillSession& session)
{
    QString error;
    switch (session.start(&error)) {
    case DemoDrillSession::Failure::None:
        return -1;
    case DemoDrillSession::Failure::Runbooks:
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return ExitBadInput;
    case DemoDrillSession::Failure::Fleet:
    case DemoDrillSession::Failure::Store:
        std::fprintf(stderr, "faultdesk drill: %s\n", qPrintable(error));
        return ExitFailed;
    }
    return ExitFailed;
}

bool positiveSeconds(const QString& text, qint64* ms)
{
    bool ok = false;
    const double s = text.toDouble(&ok);
    *ms = qint64(s * 1000);
    return ok && s > 0;
}

} // namespace

int drill(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Fire drill on the demo fleet: inject a fault, detect, locate, Handle, Recover, verify.\n"
                       "  faultdesk drill crash|overload|corruption|attack|network [--auto] [--json]\n"
                       "  faultdesk drill campaign --faults N --seed S [--json]   a seeded random campaign, scored"));
    parser.addHelpOption();
    const QCommandLineOption autoOption(
        QStringLiteral("auto"), QStringLiteral("Press Handle and Recover without asking."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the summary as JSON."));
    const QCommandLineOption db(QStringLiteral("db"),
        QStringLiteral("Record the drill (incidents, audit trail) in this incident database: a file (SQLite) or "
                       "postgresql://user@host:port/db?…"),
        QStringLiteral("FILE|URL"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
        QStringLiteral("Seconds each phase may take (default 60; 40 in a campaign)."), QStringLiteral("S"));
    const QCommandLineOption checkInter(QStringLiteral("check-inter"),
        QStringLiteral("HAProxy health-check interval of the demo fleet (default 300ms)."), QStringLiteral("DURATION"),
        QStringLiteral("300ms"));
    const QCommandLineOption targetOption(QStringLiteral("target"),
        QStringLiteral("Where to inject (default: web-2 for crash, the demo's default for the others)."),
        QStringLiteral("NAME"));
    const QCommandLineOption dependencyOption(QStringLiteral("dependency"),
        QStringLiteral("network: the dependency the target loses its path to (default: its first)."),
        QStringLiteral("NAME"));
    const QCommandLineOption warmup(QStringLiteral("warmup"),
        QStringLiteral("Seconds of healthy traffic before the injection, for the baselines the detector learns "
                       "(default 12 for attack, 3 otherwise)."),
        QStringLiteral("S"));
    const QCommandLineOption runbooks(QStringLiteral("runbooks"),
        QStringLiteral("Bind the runbooks of FILE (a YAML file with a top-level runbooks: list) to the demo fleet, as "
                       "if they were written in its fleet.yaml."),
        QStringLiteral("FILE"));
    const QCommandLineOption faults(QStringLiteral("faults"), QStringLiteral("campaign: how many faults (default 30)."),
        QStringLiteral("N"), QStringLiteral("30"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("campaign: the seed of the draw (default 1)."),
        QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption gap(QStringLiteral("gap"),
        QStringLiteral("campaign: seconds of quiet, healthy fleet before each fault (default 10)."),
        QStringLiteral("S"), QStringLiteral("10"));
    const QCommandLineOption kinds(QStringLiteral("kinds"),
        QStringLiteral("campaign: the kinds to draw from, comma-separated (default: all of %1).")
            .arg(DrillScenario::campaignKinds().join(QStringLiteral(", "))),
        QStringLiteral("LIST"));
    const QCommandLineOption pairs(QStringLiteral("pairs"),
        QStringLiteral("campaign: percent chance that a fault comes with a second one at once (default 20)."),
        QStringLiteral("P"), QStringLiteral("20"));
    parser.addOptions({ autoOption, json, db, timeout, checkInter, targetOption, dependencyOption, warmup, runbooks,
        faults, seed, gap, kinds, pairs });
    parser.addPositionalArgument(QStringLiteral("drill"), QStringLiteral("drill"));
    parser.addPositionalArgument(QStringLiteral("kind"),
        QStringLiteral("%1, or campaign").arg(DrillScenario::drillNames().join(QStringLiteral(", "))));
    if (const auto code = parseCommandLine(parser, arguments, "faultdesk drill"))
        return *code;
    const QStringList positional = parser.positionalArguments().mid(1);
    const bool campaign = positional.size() == 1 && positional.constFirst() == u"campaign";
    if (positional.size() != 1 || (!campaign && !DrillScenario::drillNames().contains(positional.constFirst()))) {
        std::fprintf(stderr, "faultdesk drill: name one drill: %s, or campaign\n",
            qPrintable(DrillScenario::drillNames().join(QStringLiteral(", "))));
        return ExitBadInput;
    }
    const QString kind = positional.constFirst();
    QString dbError;
    if (parser.isSet(db) && !StoreUrl::parse(parser.value(db), &dbError)) {
        std::fprintf(stderr, "faultdesk drill: --db: %s\n", qPrintable(dbError));
        return ExitBadInput;
    }
    qint64 phaseMs = campaign ? 40000 : 60000;
    if (parser.isSet(timeout) && !positiveSeconds(parser.value(timeout), &phaseMs)) {
        std::fprintf(stderr, "faultdesk drill: --timeout must be a positive number of seconds\n");
        return ExitBadInput;
    }
    qint64 warmupMs = -1;
    if (parser.isSet(warmup) && !positiveSeconds(parser.value(warmup), &warmupMs)) {
        std::fprintf(stderr, "faultdesk drill: --warmup must be a positive number of seconds\n");
        return ExitBadInput;
    }
    FaultCampaign::Settings campaignSettings;
    if (campaign) {
        bool ok = false;
        campaignSettings.faults = parser.value(faults).toInt(&ok);
        if (!ok || campaignSettings.faults < 1 || campaignSettings.faults > 1000) {
            std::fprintf(stderr, "faultdesk drill campaign: --faults must be between 1 and 1000\n");
            return ExitBadInput;
        }
        campaignSettings.seed = parser.value(seed).toULongLong(&ok);
        if (!ok) {
            std::fprintf(stderr, "faultdesk drill campaign: --seed must be a non-negative integer\n");
            return ExitBadInput;
        }
        qint64 gapMs = 0;
        if (!positiveSeconds(parser.value(gap), &gapMs)) {
            std::fprintf(stderr, "faultdesk drill campaign: --gap must be a positive number of seconds\n");
            return ExitBadInput;
        }
        campaignSettings.gap = std::chrono::milliseconds(gapMs);
        campaignSettings.pairPercent = parser.value(pairs).toInt(&ok);
        if (!ok || campaignSettings.pairPercent < 0 || campaignSettings.pairPercent > 100) {
            std::fprintf(stderr, "faultdesk drill campaign: --pairs must be a percentage (0-100)\n");
            return ExitBadInput;
        }
        if (parser.isSet(kinds)) {
            campaignSettings.kinds = parser.value(kinds).split(u',', Qt::SkipEmptyParts);
            for (const QString& k : std::as_const(campaignSettings.kinds))
                if (!DrillScenario::campaignKinds().contains(k)) {
                    std::fprintf(stderr, "faultdesk drill campaign: unknown kind '%s' (one of %s)\n", qPrintable(k),
                        qPrintable(DrillScenario::campaignKinds().join(QStringLiteral(", "))));
                    return ExitBadInput;
                }
        }
        campaignSettings.phaseTimeout = std::chrono::milliseconds(phaseMs);
    }
    const bool asJson = parser.isSet(json);
    auto say = [asJson](const QString& line) {
        std::fprintf(asJson ? stderr : stdout, "%s\n", qPrintable(line));
        std::fflush(asJson ? stderr : stdout);
    };

    DemoDrillSession::Options options;
    options.fleetArguments = { QStringLiteral("--check-inter"), parser.value(checkInter) };
    options.runbooksFile = parser.value(runbooks);
    options.dbPath = parser.value(db);
    options.phaseTimeout = std::chrono::milliseconds(phaseMs);
    DemoDrillSession session(options);
    if (const int code = startSession(session); code >= 0)
        return code;

    QEventLoop loop;
    int exitCode = ExitFailed;
    if (campaign) {
        FaultCampaign run(session.monitor(), session.controller(), session.fleet());
        run.setSettings(campaignSettings);
        QObject::connect(&run, &FaultCampaign::progress, &run, say);
        QObject::connect(&run, &FaultCampaign::faultScored, &run, [&](const QJsonObject& r) {
            if (asJson) {
                std::printf("%s\n", QJsonDocument(r).toJson(QJsonDocument::Compact).constData());
                std::fflush(stdout);
            } else {
                say(FaultCampaign::describe(r));
            }
        });
        QObject::connect(&run, &FaultCampaign::finished, &run, [&](const QJsonObject& summary) {
            std::printf("%s\n",
                QJsonDocument(summary).toJson(asJson ? QJsonDocument::Compact : QJsonDocument::Indented).constData());
            std::fflush(stdout);
            exitCode = summary.value(QStringLiteral("passed")).toBool() ? ExitOk : ExitFailed;
            loop.quit();
        });
        run.start();
        loop.exec();
    } else {
        DrillRunner runner(session.monitor(), session.controller(), session.fleet());
        DrillRunner::Settings s;
        s.mode = parser.isSet(autoOption) ? DrillRunner::Mode::Auto : DrillRunner::Mode::Confirm;
        s.confirm = confirm;
        s.phaseTimeout = std::chrono::milliseconds(phaseMs);
        s.warmup = std::chrono::milliseconds(warmupMs);
        s.operatorName = session.operatorName();
        runner.setSettings(s);
        QObject::connect(&runner, &DrillRunner::progress, &runner, say);
        QObject::connect(&runner, &DrillRunner::finished, &runner, [&](const DrillOutcome& outcome) {
            QJsonObject summary = outcome.toJson();
            summary.insert(QStringLiteral("runtime_dir"), session.fleet()->runtimeDirectory());
            std::printf("%s\n",
                QJsonDocument(summary).toJson(asJson ? QJsonDocument::Compact : QJsonDocument::Indented).constData());
            std::fflush(stdout);
            exitCode = outcome.passed() ? ExitOk : ExitFailed;
            loop.quit();
        });
        QString error;
        DrillFault fault { kind, parser.value(targetOption), parser.value(dependencyOption) };
        if (!runner.start({ fault }, &error)) {
            std::fprintf(stderr, "faultdesk drill: %s\n", qPrintable(error));
            return ExitFailed;
        }
        loop.exec();
    }
    session.stop();
    return exitCode;
}

} // namespace FaultDesk::Commands
