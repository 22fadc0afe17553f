// The other console of the live-sharing tests: writes one record to the store argv[1] through IncidentStore (or
// MaintenanceStore) and prints its id once it is committed, then exits:
//   incident TARGET                   a new incident of TARGET          → "incident ID"
//   ack ID ACTOR NOTE                 ACTOR acknowledges incident ID    → "ack ID"
//   maintenance TARGET ACTOR COMMENT  a window on TARGET for an hour    → "maintenance ID"
#include "incident/incidentstore.h"
#include "maintenance/maintenancestore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QUuid>

#include <cstdio>

using namespace FaultDesk;

static int say(const QString& line, int code = 0)
{
    std::printf("%s\n", qUtf8Printable(line));
    std::fflush(stdout);
    return code;
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 4)
        return 2;
    IncidentStore::Options o;
    o.path = args.at(1);
    o.pruneIntervalMs = 0;
    IncidentStore store(o);
    QString error;
    if (!store.open(&error))
        return say(u"error "_qs + error, 1);
    const QString what = args.at(2);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (what == u"incident") {
        Incident i;
        i.id = IncidentStore::newId();
        i.rootTarget = args.at(3);
        i.causeClass = u"down"_qs;
        i.title = args.at(3) + u": down"_qs;
        i.firstFailureUtc = now.addSecs(-2);
        i.detectedUtc = now;
        i.evidence.append({ now, args.at(3), u"hard-down"_qs, QJsonObject { { u"failures"_qs, 3 } } });
        const WriteResult r = store.createIncident(i).result();
        return r.ok ? say(u"incident "_qs + i.id) : say(u"error "_qs + r.error, 1);
    }
    if (what == u"ack" && args.size() >= 6) {
        const WriteResult r = store.acknowledge(args.at(3), args.at(4), now, args.at(5)).result();
        return r.ok ? say(u"ack "_qs + args.at(3)) : say(u"error "_qs + r.error, 1);
    }
    if (what == u"maintenance" && args.size() >= 6) {
        MaintenanceStore windows(&store);
        MaintenanceWindow w;
        w.id = u"mw-"_qs + QUuid::createUuid().toString(QUuid::Id128).left(12);
        w.targets = { args.at(3) };
        w.startUtc = now;
        w.endUtc = now.addSecs(3600);
        w.comment = args.at(5);
        w.createdBy = args.at(4);
        w.createdUtc = now;
        const WriteResult r = windows.save(w).result();
        return r.ok ? say(u"maintenance "_qs + w.id) : say(u"error "_qs + r.error, 1);
    }
    return 2;
}
