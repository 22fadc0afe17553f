// The localization campaign as a benchmark: N seeded random faults on the real demo fleet (crash, overload,
// corruption, attack, network, hang, slow, garbage; sometimes two at once; quiet gaps between), each detected,
// located, handled and recovered by the drill engine and scored against fleetsim's ground truth. Prints the
// figures per seed (AC@1, cause accuracy, incidents per fault, false incidents, recovered, MTTD) and every miss.
// Like `faultdesk drill campaign --faults N --seed S --json`; never fails on the figures.
// usage: bench_campaign [FAULTS] [SEED…]   (default 30 faults, seed 1)

#include "drill/demodrillsession.h"
#include "drill/faultcampaign.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

using namespace FaultDesk;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const int faults = argc > 1 ? std::max(1, std::atoi(argv[1])) : 30;
    QList<quint64> seeds;
    for (int i = 2; i < argc; ++i)
        seeds << quint64(std::strtoull(argv[i], nullptr, 10));
    if (seeds.isEmpty())
        seeds << 1;
    if (qEnvironmentVariableIsEmpty("FAULTDESK_FLEETSIM"))
        qputenv("FAULTDESK_FLEETSIM", FAULTDESK_BIN_DIR "/faultdesk-fleetsim");

    for (const quint64 seed : std::as_const(seeds)) {
        DemoDrillSession::Options options;
        options.fleetArguments = { QStringLiteral("--check-inter"), QStringLiteral("300ms") };
        options.record = false;
        options.phaseTimeout = std::chrono::milliseconds(40000);
        DemoDrillSession session(options);
        QString error;
        if (session.start(&error) != DemoDrillSession::Failure::None) {
            std::fprintf(stderr, "bench_campaign: %s\n", qPrintable(error));
            return 1;
        }
        FaultCampaign campaign(session.monitor(), session.controller(), session.fleet());
        FaultCampaign::Settings s;
        s.faults = faults;
        s.seed = seed;
        campaign.setSettings(s);
        QObject::connect(&campaign, &FaultCampaign::faultScored, &campaign, [](const QJsonObject& r) {
            std::printf("  %-32s root %-5s cause %-5s mttd %5.1f s %s\n", qPrintable(r.value(u"fault").toString()),
                r.value(u"right_root").toBool() ? "ok" : "WRONG", r.value(u"right_cause").toBool() ? "ok" : "WRONG",
                r.value(u"mttd_s").toDouble(-1), r.value(u"recovered").toBool() ? "recovered" : "NOT recovered");
            std::fflush(stdout);
        });
        QJsonObject summary;
        QEventLoop loop;
        QObject::connect(&campaign, &FaultCampaign::finished, &loop, [&](const QJsonObject& o) {
            summary = o;
            loop.quit();
        });
        campaign.start();
        loop.exec();
        session.stop();
        std::printf("campaign seed %llu: faults %d, AC@1 %.3f, cause accuracy %.3f, incidents/fault %.3f, "
                    "false incidents %d, recovered %.3f, %.0f s (gap %.0f s, aftershock grace %.0f s)\n",
            static_cast<unsigned long long>(seed), summary.value(u"faults").toInt(),
            summary.value(u"ac_at_1").toDouble(), summary.value(u"cause_accuracy").toDouble(),
            summary.value(u"incidents_per_fault").toDouble(), summary.value(u"false_incidents").toInt(),
            summary.value(u"recovered").toDouble(), summary.value(u"duration_s").toDouble(),
            summary.value(u"gap_s").toDouble(), summary.value(u"aftershock_grace_s").toDouble());
        std::printf("  mttd p50 %s\n  mttd p99 %s\n",
            QJsonDocument(summary.value(u"mttd_p50_s").toObject()).toJson(QJsonDocument::Compact).constData(),
            QJsonDocument(summary.value(u"mttd_p99_s").toObject()).toJson(QJsonDocument::Compact).constData());
        for (const QJsonValue& m : summary.value(u"misses").toArray())
            std::printf("  miss: %s (truth %s) — said %s\n", qPrintable(m[u"fault"].toString()),
                qPrintable(m[u"truth"].toString()), qPrintable(m[u"said"].toString()));
        std::fflush(stdout);
    }
    return 0;
}
