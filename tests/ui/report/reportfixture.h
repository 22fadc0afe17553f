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

/// The rules of "load" recorded with the evidence: threshold 0.85, clear level 0.70, per target.
inline QJsonObject loadRules(const QStringList& targets)
{
    QJsonObject out;
    for (const QString& t : targets)
        out.insert(t,
            QJsonObject { { QStringLiteral("load"),
                QJsonObject { { QStringLiteral("direction"), QStringLiteral("above") },
                    { QStringLiteral("threshold"), 0.85 }, { QStringLiteral("clear"), 0.7 } } } });
    return out;
}

/// A flash sale as the overload drill records it: web-2 saturates first, web-1 and web-3 join as affected members of
/// the lb/web pool; alice presses Handle and Recover; the baseline as RemediationBaseline writes it; the lifecycle
/// steps carry no note (as the recorder writes them). Returns the incident id (empty on failure).
inline QString seedPoolOverload(FaultDesk::IncidentStore& store, int minuteOffset = 60)
{
    using namespace FaultDesk;
    const QDateTime t = detectedAt().addSecs(60 * minuteOffset);
    auto at = [&](double s) { return t.addMSecs(qint64(s * 1000)); };
    Incident inc;
    inc.id = IncidentStore::newId();
    inc.rootTarget = QStringLiteral("web-2");
    inc.causeClass = QStringLiteral("overload");
    inc.title = QStringLiteral("web-2: overload"); // as the recorder names it when web-2 saturates first
    inc.firstFailureUtc = at(-0.5);
    inc.detectedUtc = t;
    inc.baseline = QJsonObject {
        { QStringLiteral("captured_utc"), at(0.4).toString(Qt::ISODateWithMs) },
        { QStringLiteral("databases"),
            QJsonObject { { QStringLiteral("db-primary"),
                              QJsonObject { { QStringLiteral("role"), QStringLiteral("primary") },
                                  { QStringLiteral("read_only"), false }, { QStringLiteral("integrity_ok"), true },
                                  { QStringLiteral("checksum"), 1157510383.0 } } },
                { QStringLiteral("db-replica"),
                    QJsonObject { { QStringLiteral("role"), QStringLiteral("replica") },
                        { QStringLiteral("read_only"), true }, { QStringLiteral("integrity_ok"), true },
                        { QStringLiteral("checksum"), 1157510383.0 } } } } },
        { QStringLiteral("haproxy"),
            QJsonObject {
                { QStringLiteral("captured"), at(-0.4).toString(Qt::ISODateWithMs) },
                { QStringLiteral("acls"),
                    QJsonObject { { QStringLiteral("/etc/haproxy/blocked.acl"),
                        QJsonArray { QStringLiteral("198.51.100.7"), QStringLiteral("203.0.113.9") } } } },
                { QStringLiteral("servers"),
                    [] {
                        QJsonArray servers;
                        for (int k = 1; k <= 4; ++k)
                            servers.append(QJsonObject { { QStringLiteral("backend"), QStringLiteral("web") },
                                { QStringLiteral("server"), QStringLiteral("web-%1").arg(k) },
                                { QStringLiteral("admin_state"), QStringLiteral("ready") },
                                { QStringLiteral("status"), QStringLiteral("UP") },
                                { QStringLiteral("weight"), k == 4 ? 50 : 100 },
                                { QStringLiteral("initial_weight"), 100 }, { QStringLiteral("sessions"), 10 + k } });
                        return servers;
                    }() },
            } },
    };
    Evidence first;
    first.timeUtc = t;
    first.target = QStringLiteral("web-2");
    first.rule = QStringLiteral("web-2 is overloaded: load = 1.083 (above 0.85) for 2 checks");
    first.detail = QJsonObject { { QStringLiteral("breached_signals"), QJsonArray { QStringLiteral("load") } },
        { QStringLiteral("thresholds"), loadRules({ QStringLiteral("web-2") }) } };
    inc.evidence << first;
    Evidence pool;
    pool.timeUtc = at(3);
    pool.target = QStringLiteral("web-2");
    pool.rule = QStringLiteral("web pool overloaded: web-2 saturated first (load 1.08); web-1, web-3 also overloaded");
    pool.detail = QJsonObject { { QStringLiteral("pool"), QStringLiteral("lb/web") },
        { QStringLiteral("members"), QJsonArray { QStringLiteral("web-1"), QStringLiteral("web-3") } },
        { QStringLiteral("breached_signals"), QJsonArray { QStringLiteral("load") } },
        { QStringLiteral("thresholds"),
            loadRules({ QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("web-3") }) } };
    inc.evidence << pool;
    for (const QString& member : { QStringLiteral("web-1"), QStringLiteral("web-3") }) {
        Symptom s;
        s.timeUtc = at(2.8);
        s.target = member;
        s.signal = QStringLiteral("load");
        s.causeClass = QStringLiteral("overload");
        s.detail = QStringLiteral("affected member: same pool web as web-2 (%1 is overloaded: load = 0.84, stayed "
                                  "above the clear level 0.7 after crossing 0.85)")
                       .arg(member);
        inc.symptoms << s;
    }
    if (!waitFor(store.createIncident(inc)))
        return {};
    auto step = [&](IncidentState state, double s, const QString& actor, const QString& note) {
        IncidentEvent ev;
        ev.timeUtc = at(s);
        ev.state = state;
        ev.actor = actor;
        ev.note = note;
        return waitFor(store.transition(inc.id, ev));
    };
    auto action = [&](double s, const QString& runbook, const QString& what, const QString& status) {
        AuditRecord a;
        a.actionId = inc.id + runbook;
        a.phase = AuditRecord::Phase::Intent;
        a.timeUtc = at(s);
        a.operatorName = QStringLiteral("alice");
        a.target = QStringLiteral("web-2");
        a.incidentId = inc.id;
        a.runbook = runbook;
        a.actionKind = QStringLiteral("haproxy");
        a.description = what;
        bool ok = waitFor(store.appendAudit(a));
        a.phase = AuditRecord::Phase::Result;
        a.timeUtc = at(s + 0.5);
        a.status = status;
        a.durationMs = 500;
        a.outputExcerpt = QStringLiteral("read back: ") + what;
        return ok && waitFor(store.appendAudit(a));
    };
    bool ok = step(IncidentState::Located, 0.1, QStringLiteral("auto"), QStringLiteral("web-2 has no dependencies"));
    ok = ok && step(IncidentState::Handling, 5.0, QStringLiteral("auto"), QString());
    ok = ok
        && action(
            5.0, QStringLiteral("overload/handle#1"), QStringLiteral("set weight web/web-2 50"), QStringLiteral("ok"));
    ok = ok
        && action(6.0, QStringLiteral("overload/handle#2"), QStringLiteral("set server web/web-2 state drain"),
            QStringLiteral("ok"));
    ok = ok && step(IncidentState::Handled, 6.6, QStringLiteral("auto"), QString());
    ok = ok && step(IncidentState::Recovering, 20.0, QStringLiteral("auto"), QString());
    ok = ok
        && action(20.0, QStringLiteral("overload/recover#1"), QStringLiteral("set weight web/web-2 100"),
            QStringLiteral("ok"));
    ok = ok
        && step(IncidentState::Recovered, 25.0, QStringLiteral("auto"),
            QStringLiteral("the target passes its checks again"));
    if (!ok)
        return {};
    QList<SeriesSnapshot> series;
    for (const QString& target : { QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("web-3") }) {
        SeriesSnapshot s;
        s.target = target;
        s.signal = QStringLiteral("load");
        for (int k = -60; k <= 40; ++k) {
            // web-2 saturates; its peers stay between the clear level and the threshold (0.84).
            const double peak = target == u"web-2" ? 1.08 : 0.84;
            const double v = k < -5 ? 0.4 : (k < 22 ? peak : 0.45);
            s.points.append({ at(k).toMSecsSinceEpoch(), v });
        }
        series << s;
    }
    if (!waitFor(store.saveSeries(inc.id, series)))
        return {};
    return inc.id;
}

} // namespace ReportFixture
