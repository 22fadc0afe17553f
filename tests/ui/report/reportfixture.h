#pragma once

// A recorded incident as a drill leaves it (corruption of db-primary: handled, recovered, with actions, baseline
// and five minutes of series), written through the real IncidentStore. Shared by the report and CLI tests.

#include "incident/incidentstore.h"

#include <QDateTime>
#include <QFuture>
#include <QJsonArray>
#include <QTest>

#include <cmath>

namespace ReportFixture {

inline QDateTime detectedAt()
{
    return QDateTime(QDate(2026, 11, 27), QTime(14, 3, 10), Qt::UTC);
}

inline bool waitFor(QFuture<FaultDesk::WriteResult> f)
{
    f.waitForFinished();
    return f.result().ok;
}

/// Records the incident and returns its id (empty on failure). @p rootName lets tests plant hostile text.
inline QString seed(FaultDesk::IncidentStore& store, bool drill, const QString& rootName = QStringLiteral("db-primary"),
    int minuteOffset = 0)
{
    using namespace FaultDesk;
    const QDateTime t = detectedAt().addSecs(60 * minuteOffset);
    auto at = [&](double s) { return t.addMSecs(qint64(s * 1000)); };
    Incident inc;
    inc.id = IncidentStore::newId();
    inc.rootTarget = rootName;
    inc.causeClass = QStringLiteral("data-integrity");
    inc.title = rootName + QStringLiteral(": data-integrity");
    inc.drill = drill;
    inc.firstFailureUtc = at(-0.5);
    inc.detectedUtc = t;
    inc.baseline = QJsonObject { { QStringLiteral("checksum"), QStringLiteral("sha256:9f2c1e0b7a44") },
        { QStringLiteral("haproxy"),
            QJsonObject { { QStringLiteral("api/db-primary"), QStringLiteral("UP weight 100") },
                { QStringLiteral("api/db-replica"), QStringLiteral("UP weight 0") } } } };
    Evidence e;
    e.timeUtc = t;
    e.target = rootName;
    e.rule = QStringLiteral("integrity below 1 for 2 checks (last 0)");
    e.detail = QJsonObject { { QStringLiteral("values"), QJsonObject { { QStringLiteral("integrity"), 0 } } } };
    inc.evidence << e;
    for (const QString& api : { QStringLiteral("api-1"), QStringLiteral("api-2") }) {
        Symptom s;
        s.timeUtc = at(0.6);
        s.target = api;
        s.signal = QStringLiteral("error_rate");
        s.causeClass = QStringLiteral("errors");
        s.detail = QStringLiteral("depends on %1, which fails its integrity check").arg(rootName);
        inc.symptoms << s;
    }
    if (!waitFor(store.createIncident(inc)))
        return {};
    auto step = [&](IncidentState state, double s, const QString& note) {
        IncidentEvent ev;
        ev.timeUtc = at(s);
        ev.state = state;
        ev.actor = QStringLiteral("auto");
        ev.note = note;
        return waitFor(store.transition(inc.id, ev));
    };
    auto action = [&](const QString& id, double s, double took, const QString& runbook, const QString& kind,
                      const QString& what, const QString& status, const QString& output) {
        AuditRecord a;
        a.actionId = id;
        a.phase = AuditRecord::Phase::Intent;
        a.timeUtc = at(s);
        a.operatorName = QStringLiteral("auto");
        a.target = rootName;
        a.incidentId = inc.id;
        a.runbook = runbook;
        a.actionKind = kind;
        a.description = what;
        bool ok = waitFor(store.appendAudit(a));
        a.phase = AuditRecord::Phase::Result;
        a.timeUtc = at(s + took);
        a.status = status;
        a.exitCode = 0;
        a.durationMs = qint64(took * 1000);
        a.outputExcerpt = output;
        return ok && waitFor(store.appendAudit(a));
    };
    bool ok = step(IncidentState::Located, 0.1, QStringLiteral("root cause: no dependency of it is down"));
    ok = ok && step(IncidentState::Handling, 1.2, QString());
    ok = ok
        && action(inc.id + QStringLiteral("-1"), 1.3, 0.4, QStringLiteral("corruption/handle#1"),
            QStringLiteral("haproxy"), QStringLiteral("set server api/db-primary state maint"), QStringLiteral("ok"),
            QStringLiteral("verified: api/db-primary is MAINT"));
    ok = ok && step(IncidentState::Handled, 2.0, QString());
    ok = ok && step(IncidentState::Recovering, 20.0, QString());
    ok = ok
        && action(inc.id + QStringLiteral("-2"), 20.1, 12.5, QStringLiteral("corruption/recover#1"),
            QStringLiteral("command"), QStringLiteral("fleetsim ctl restore-backup db-primary"), QStringLiteral("ok"),
            QStringLiteral("restored 1824 rows; checksum sha256:9f2c1e0b7a44 equals the baseline"));
    ok = ok
        && action(inc.id + QStringLiteral("-3"), 32.8, 0.3, QStringLiteral("corruption/recover#2"),
            QStringLiteral("haproxy"), QStringLiteral("set server api/db-primary state ready"), QStringLiteral("ok"),
            QStringLiteral("verified: api/db-primary is UP, weight 100"));
    ok = ok && step(IncidentState::Recovered, 36.0, QStringLiteral("the target passes its checks again"));
    if (!ok)
        return {};

    QList<SeriesSnapshot> series;
    for (const QString& target : { rootName, QStringLiteral("api-1"), QStringLiteral("api-2") }) {
        SeriesSnapshot s;
        s.target = target;
        s.signal = QStringLiteral("load");
        for (int k = -180; k <= 90; ++k) {
            const bool fault = k >= -1 && k < 36;
            const double base = target == rootName ? 0.55 : 0.35 + (target == u"api-2" ? 0.05 : 0);
            const double v = fault ? (target == rootName ? 0.1 : 0.8) : base + 0.04 * std::sin(k / 9.0);
            s.points.append({ at(k).toMSecsSinceEpoch(), v });
        }
        series << s;
    }
    if (!waitFor(store.saveSeries(inc.id, series)))
        return {};
    return inc.id;
}

} // namespace ReportFixture
