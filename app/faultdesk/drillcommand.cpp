// `faultdesk drill NAME` and `faultdesk drill campaign`: the demo fleet, headless, run from start to end by DrillJob
// in core. This file only reads the command line and prints.

#include "commands.h"

#include "drill/drilljob.h"
#include "drill/drillscenario.h"
#include "drill/faultcampaign.h"
#include "incident/storeurl.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <optional>

namespace FaultDesk::Commands {

namespace {

const char* const kDrill = "faultdesk drill";
const char* const kCampaign = "faultdesk drill campaign";

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

bool positiveSeconds(const QString& text, qint64* ms)
{
    bool ok = false;
    const double s = text.toDouble(&ok);
    *ms = qint64(s * 1000);
    return ok && s > 0;
}

// The campaign's --faults, --seed, --gap, --pairs and --kinds into @p settings, or the exit code of a bad one.
std::optional<int> readCampaign(const QCommandLineParser& parser, FaultCampaign::Settings& settings)
{
    bool ok = false;
    settings.faults = parser.value(QStringLiteral("faults")).toInt(&ok);
    if (!ok || settings.faults < 1 || settings.faults > 1000)
        return fail(kCampaign, QStringLiteral("--faults must be between 1 and 1000"));
    settings.seed = parser.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok)
        return fail(kCampaign, QStringLiteral("--seed must be a non-negative integer"));
    qint64 gapMs = 0;
    if (!positiveSeconds(parser.value(QStringLiteral("gap")), &gapMs))
        return fail(kCampaign, QStringLiteral("--gap must be a positive number of seconds"));
    settings.gap = std::chrono::milliseconds(gapMs);
    settings.pairPercent = parser.value(QStringLiteral("pairs")).toInt(&ok);
    if (!ok || settings.pairPercent < 0 || settings.pairPercent > 100)
        return fail(kCampaign, QStringLiteral("--pairs must be a percentage (0-100)"));
    if (parser.isSet(QStringLiteral("kinds"))) {
        settings.kinds = parser.value(QStringLiteral("kinds")).split(u',', Qt::SkipEmptyParts);
        for (const QString& k : std::as_const(settings.kinds))
            if (!DrillScenario::campaignKinds().contains(k))
                return fail(kCampaign,
                    QStringLiteral("unknown kind '%1' (one of %2)")
                        .arg(k, DrillScenario::campaignKinds().join(QStringLiteral(", "))));
    }
    return std::nullopt;
}

} // namespace

int drill(const QCommandLineParser& parser)
{
    const QStringList positional = parser.positionalArguments().mid(1);
    const bool campaign = positional.size() == 1 && positional.constFirst() == u"campaign";
    if (positional.size() != 1 || (!campaign && !DrillScenario::drillNames().contains(positional.constFirst())))
        return fail(kDrill,
            QStringLiteral("name one drill: %1, or campaign")
                .arg(DrillScenario::drillNames().join(QStringLiteral(", "))));
    const QString db = parser.value(QStringLiteral("db"));
    QString error;
    if (parser.isSet(QStringLiteral("db")) && !StoreUrl::parse(db, &error))
        return fail(kDrill, QStringLiteral("--db: %1").arg(error));
    qint64 phaseMs = campaign ? 40000 : 60000;
    if (parser.isSet(QStringLiteral("timeout")) && !positiveSeconds(parser.value(QStringLiteral("timeout")), &phaseMs))
        return fail(kDrill, QStringLiteral("--timeout must be a positive number of seconds"));
    qint64 warmupMs = -1;
    if (parser.isSet(QStringLiteral("warmup")) && !positiveSeconds(parser.value(QStringLiteral("warmup")), &warmupMs))
        return fail(kDrill, QStringLiteral("--warmup must be a positive number of seconds"));

    DrillJob::Settings settings;
    if (campaign) {
        if (const auto code = readCampaign(parser, settings.campaign))
            return *code;
    } else {
        settings.faults = { DrillFault { positional.constFirst(), parser.value(QStringLiteral("target")),
            parser.value(QStringLiteral("dependency")) } };
        settings.drill.mode
            = parser.isSet(QStringLiteral("auto")) ? DrillRunner::Mode::Auto : DrillRunner::Mode::Confirm;
        settings.drill.confirm = confirm;
        settings.drill.warmup = std::chrono::milliseconds(warmupMs);
    }
    settings.session.fleetArguments = { QStringLiteral("--check-inter"), parser.value(QStringLiteral("check-inter")) };
    settings.session.runbooksFile = parser.value(QStringLiteral("runbooks"));
    settings.session.dbPath = db;
    settings.phaseTimeout = std::chrono::milliseconds(phaseMs);

    // With --json, stdout carries JSON only (a campaign's faults, one per line, then the summary); the rest is stderr.
    const bool json = parser.isSet(QStringLiteral("json"));
    FILE* const lines = json ? stderr : stdout;
    DrillJob job(settings);
    QObject::connect(&job, &DrillJob::progress, &job, [lines](const QString& line) {
        std::fprintf(lines, "%s\n", qPrintable(line));
        std::fflush(lines);
    });
    QObject::connect(&job, &DrillJob::faultScored, &job, [json](const QJsonObject& record) {
        const QByteArray line = json ? QJsonDocument(record).toJson(QJsonDocument::Compact)
                                     : FaultCampaign::describe(record).toLocal8Bit();
        std::printf("%s\n", line.constData());
        std::fflush(stdout);
    });
    QObject::connect(&job, &DrillJob::finished, &job, [json](const QJsonObject& summary) {
        std::printf(
            "%s\n", QJsonDocument(summary).toJson(json ? QJsonDocument::Compact : QJsonDocument::Indented).constData());
        std::fflush(stdout);
    });
    switch (job.run(&error)) {
    case DrillJob::Result::Passed:
        return ExitOk;
    case DrillJob::Result::BadInput:
        std::fprintf(stderr, "%s\n", qPrintable(error)); // the runbooks file's errors, as file:line:col
        return ExitBadInput;
    case DrillJob::Result::Failed:
        return error.isEmpty() ? ExitFailed : fail(kDrill, error, ExitFailed);
    }
    return ExitFailed;
}

} // namespace FaultDesk::Commands
