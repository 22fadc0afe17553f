// The incident store on both engines, side by side: recording incidents as the recorder does (create, locate,
// acknowledge, recover, each awaited), a history page and a count, and `db copy` of the SQLite history into
// PostgreSQL (a server this benchmark starts on loopback). Prints figures; never fails on time.
// usage: bench_incidentstore [INCIDENTS]   (default 2000)

#include "incident/incidentstore.h"
#include "incident/storecopy.h"
#include "shared/postgresharness.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <cstdio>

using namespace FaultDesk;

namespace {
const QDateTime t0 = QDateTime(QDate(2026, 11, 2), QTime(9, 0), Qt::UTC);

bool ok(QFuture<WriteResult> f)
{
    f.waitForFinished();
    return f.result().ok;
}

IncidentEvent event(IncidentState state, const QDateTime& t, const QString& actor)
{
    IncidentEvent e;
    e.state = state;
    e.timeUtc = t;
    e.actor = actor;
    return e;
}

// Records @p n incidents with three transitions each, awaiting every write as the UI does; prints the figures.
bool run(const QString& engine, const QString& location, int n)
{
    IncidentStore::Options o;
    o.path = location;
    o.pruneIntervalMs = 0;
    o.clock = [] { return t0; };
    IncidentStore store(o);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(engine), qPrintable(error));
        return false;
    }
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < n; ++i) {
        Incident inc;
        inc.rootTarget = QStringLiteral("web-%1").arg(i % 50);
        inc.causeClass = i % 3 ? QStringLiteral("down") : QStringLiteral("overload");
        inc.title = inc.rootTarget + QStringLiteral(": ") + inc.causeClass;
        inc.detectedUtc = t0.addSecs(-86400 + i);
        inc.symptoms.append({ inc.detectedUtc, QStringLiteral("api-1"), QStringLiteral("errors"),
            QStringLiteral("errors"), QStringLiteral("5xx") });
        QFuture<WriteResult> created = store.createIncident(inc);
        created.waitForFinished();
        const QString id = created.result().incidentId;
        if (!created.result().ok || !ok(store.transition(id, event(IncidentState::Located, inc.detectedUtc, QString())))
            || !ok(store.acknowledge(id, QStringLiteral("alice"), inc.detectedUtc.addSecs(5)))
            || !ok(store.transition(id, event(IncidentState::Recovered, inc.detectedUtc.addSecs(60), QString())))) {
            std::fprintf(stderr, "%s: a write failed\n", qPrintable(engine));
            return false;
        }
    }
    const double writeS = t.nsecsElapsed() / 1e9;
    // The first read on a thread opens that thread's connection (for PostgreSQL a SCRAM login): timed apart.
    t.restart();
    store.count();
    const double connectMs = t.nsecsElapsed() / 1e6;
    t.restart();
    IncidentFilter page;
    page.limit = 100;
    page.text = QStringLiteral("web-4");
    const int found = store.incidents(page).size();
    const double pageMs = t.nsecsElapsed() / 1e6;
    t.restart();
    const int all = store.count();
    const double countMs = t.nsecsElapsed() / 1e6;
    std::printf(
        "%-10s %d incidents recorded (4 awaited writes each) in %.2f s: %.0f writes/s, %.2f ms per "
        "write; first read (opens the connection) %.1f ms, history page (text search, %d rows) %.1f ms, count (%d) "
        "%.1f ms\n",
        qPrintable(engine), n, writeS, 4 * n / writeS, writeS * 1000 / (4 * n), connectMs, found, pageMs, all, countMs);
    return true;
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const int n = argc > 1 ? std::max(1, QByteArray(argv[1]).toInt()) : 2000;
    QTemporaryDir dir;
    Test::PostgresHarness pg;
    QString error;
    if (!pg.initAndStart(&error) || !pg.createRole(QStringLiteral("faultdesk"), QStringLiteral("bench-pw"))
        || !pg.createDatabase(QStringLiteral("bench"), QStringLiteral("faultdesk"))
        || !pg.createDatabase(QStringLiteral("copy"), QStringLiteral("faultdesk"))) {
        std::fprintf(stderr, "PostgreSQL: %s\n", qPrintable(error));
        return 1;
    }
    qputenv("FD_BENCH_PW", "bench-pw");
    const QString params = QStringLiteral("?sslmode=disable&password_env=FD_BENCH_PW");
    const QString file = dir.filePath(QStringLiteral("incidents.db"));
    if (!run(QStringLiteral("SQLite"), file, n)
        || !run(QStringLiteral("PostgreSQL"), pg.dsn(QStringLiteral("faultdesk"), QStringLiteral("bench")) + params, n))
        return 1;
    QElapsedTimer t;
    t.start();
    const auto copied = StoreCopy::copy(StoreUrl::file(file),
        *StoreUrl::parse(pg.dsn(QStringLiteral("faultdesk"), QStringLiteral("copy")) + params), &error);
    if (!copied) {
        std::fprintf(stderr, "copy: %s\n", qPrintable(error));
        return 1;
    }
    const double s = t.nsecsElapsed() / 1e9;
    const qint64 rows = copied->incidents + copied->events + copied->symptoms;
    std::printf("db copy    %lld incidents (%lld rows) SQLite -> PostgreSQL in %.2f s: %.0f rows/s\n",
        copied->incidents, rows, s, rows / s);
    return 0;
}
