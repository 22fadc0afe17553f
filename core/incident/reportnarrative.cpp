#include "incident/reportnarrative.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace FaultDesk {

namespace {
QString stamp(const QString& isoText)
{
    const QDateTime t = QDateTime::fromString(isoText, Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")) + QStringLiteral(" UTC")
                       : isoText;
}

QString number(const QJsonValue& v)
{
    if (!v.isDouble())
        return v.isString() ? v.toString() : QStringLiteral("—");
    const double d = v.toDouble();
    // Checksums and counts are integers: never "6.45826e+07".
    if (std::abs(d) < 9.0e15 && d == std::floor(d))
        return QString::number(qint64(d));
    return QString::number(d, 'g', 6);
}

QString plain(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    if (v.isDouble())
        return number(v);
    if (v.isNull() || v.isUndefined())
        return QStringLiteral("—");
    return QString::fromUtf8(
        (v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject())).toJson(QJsonDocument::Compact));
}

// Everything not shown in a table of its own, as "path: value" rows, so the tables never drop a captured value.
void flatten(const QString& path, const QJsonValue& v, QList<QStringList>& rows)
{
    if (v.isObject() && !v.toObject().isEmpty()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            flatten(path.isEmpty() ? it.key() : path + u'.' + it.key(), it.value(), rows);
        return;
    }
    rows << QStringList { path, plain(v) };
}

QString runbookName(const AuditRecord& a)
{
    return a.runbook.section(u'#', 0, 0);
}

bool isRecovery(const AuditRecord& a)
{
    return runbookName(a).contains(QStringLiteral("recover"), Qt::CaseInsensitive);
}

QString byWhom(const QString& who)
{
    return who.isEmpty() ? QString() : QStringLiteral(" by %1").arg(who);
}
} // namespace

QString ReportNarrative::pool(const Incident& incident)
{
    for (auto it = incident.evidence.crbegin(); it != incident.evidence.crend(); ++it) {
        const QString p = it->detail.value(QStringLiteral("pool")).toString();
        if (!p.isEmpty())
            return p;
    }
    return {};
}

QString ReportNarrative::headline(const Incident& incident)
{
    const QString p = pool(incident);
    if (!p.isEmpty())
        return QStringLiteral("%1 pool: %2").arg(p, incident.causeClass);
    return incident.title.isEmpty() ? incident.id : incident.title;
}

QString ReportNarrative::rootCause(const Incident& incident)
{
    const QString p = pool(incident);
    if (p.isEmpty())
        return incident.rootTarget;
    return QStringLiteral("the %1 pool (pool-wide; began at %2)").arg(p, incident.rootTarget);
}

QString ReportNarrative::eventNote(const Incident& incident, const IncidentEvent& event)
{
    if (!event.note.isEmpty())
        return event.note;
    const bool recovery = event.state == IncidentState::Recovering;
    if (event.state != IncidentState::Handling && event.state != IncidentState::Handled && !recovery)
        return event.note;
    QList<AuditRecord> actions = incident.actions;
    std::stable_sort(actions.begin(), actions.end(),
        [](const AuditRecord& a, const AuditRecord& b) { return a.timeUtc < b.timeUtc; });
    const auto sameKind = [recovery](const AuditRecord& a) { return a.runbook.isEmpty() || isRecovery(a) == recovery; };
    const QString setBy = QStringLiteral("set by %1; no action was recorded for it").arg(event.actor);
    if (event.state == IncidentState::Handling || recovery) {
        // The run that moved the incident here starts with it (the state is set just before the first step).
        const QDateTime from = event.timeUtc.addSecs(-2);
        for (const AuditRecord& a : std::as_const(actions)) {
            if (a.phase != AuditRecord::Phase::Intent || a.timeUtc < from || !sameKind(a))
                continue;
            if (a.runbook.isEmpty())
                return QStringLiteral("%1 started%2: %3").arg(a.actionKind, byWhom(a.operatorName), a.description);
            return QStringLiteral("runbook %1 started%2").arg(runbookName(a), byWhom(a.operatorName));
        }
        return setBy;
    }
    // Handled: the run that finished just before, with how its steps ended.
    const QDateTime until = event.timeUtc.addSecs(1);
    QString name;
    QString who;
    for (const AuditRecord& a : std::as_const(actions)) {
        if (a.phase == AuditRecord::Phase::Result && a.timeUtc <= until && sameKind(a)) {
            name = runbookName(a);
            who = a.operatorName;
        }
    }
    if (name.isEmpty())
        return setBy;
    int ok = 0, total = 0;
    for (const AuditRecord& a : std::as_const(actions)) {
        if (a.phase != AuditRecord::Phase::Result || a.timeUtc > until || runbookName(a) != name)
            continue;
        ++total;
        ok += a.status == u"ok" ? 1 : 0;
    }
    return QStringLiteral("runbook %1 finished%2: %3 of %4 actions ok")
        .arg(name.isEmpty() ? QStringLiteral("(manual)") : name, byWhom(who))
        .arg(ok)
        .arg(total);
}

QList<ReportTable> ReportNarrative::baselineTables(const QJsonObject& baseline)
{
    QList<ReportTable> out;
    QList<QStringList> other;
    // The load balancer first (what Recover restores most often), then the data, then anything else.
    QStringList keys = baseline.keys();
    const QStringList order { QStringLiteral("haproxy"), QStringLiteral("databases"), QStringLiteral("postgres") };
    std::stable_sort(keys.begin(), keys.end(), [&](const QString& a, const QString& b) {
        const auto rank = [&](const QString& k) { return order.contains(k) ? order.indexOf(k) : order.size(); };
        return rank(a) < rank(b);
    });
    for (const QString& key : std::as_const(keys)) {
        const QJsonValue value = baseline.value(key);
        const QJsonObject o = value.toObject();
        if (key == u"captured_utc")
            continue;
        if (key == u"haproxy" && o.value(QStringLiteral("servers")).isArray()) {
            ReportTable servers { QStringLiteral("HAProxy servers"),
                { QStringLiteral("Backend"), QStringLiteral("Server"), QStringLiteral("Admin state"),
                    QStringLiteral("Status"), QStringLiteral("Weight / initial"), QStringLiteral("Sessions") },
                {} };
            for (const QJsonValue& v : o.value(QStringLiteral("servers")).toArray()) {
                const QJsonObject s = v.toObject();
                servers.rows << QStringList { plain(s.value(QStringLiteral("backend"))),
                    plain(s.value(QStringLiteral("server"))), plain(s.value(QStringLiteral("admin_state"))),
                    plain(s.value(QStringLiteral("status"))),
                    number(s.value(QStringLiteral("weight"))) + QStringLiteral(" / ")
                        + number(s.value(QStringLiteral("initial_weight"))),
                    number(s.value(QStringLiteral("sessions"))) };
            }
            out << servers;
            const QJsonObject acls = o.value(QStringLiteral("acls")).toObject();
            if (!acls.isEmpty()) {
                ReportTable files { QStringLiteral("HAProxy ACL files"),
                    { QStringLiteral("File"), QStringLiteral("Entries") }, {} };
                for (auto a = acls.begin(); a != acls.end(); ++a) {
                    QStringList entries;
                    for (const QJsonValue& e : a.value().toArray())
                        entries << plain(e);
                    files.rows << QStringList { a.key(),
                        entries.isEmpty() ? QStringLiteral("none (empty)")
                                          : QStringLiteral("%1: %2").arg(entries.size()).arg(entries.join(u", ")) };
                }
                out << files;
            }
            for (auto h = o.begin(); h != o.end(); ++h)
                if (h.key() != u"servers" && h.key() != u"acls" && h.key() != u"captured")
                    flatten(key + u'.' + h.key(), h.value(), other);
            continue;
        }
        if (key == u"databases" && !o.isEmpty()) {
            ReportTable dbs { QStringLiteral("Databases"),
                { QStringLiteral("Database"), QStringLiteral("Role"), QStringLiteral("Read-only"),
                    QStringLiteral("Integrity"), QStringLiteral("Checksum") },
                {} };
            for (auto d = o.begin(); d != o.end(); ++d) {
                const QJsonObject db = d.value().toObject();
                const QJsonValue integrity = db.value(QStringLiteral("integrity_ok"));
                dbs.rows << QStringList { d.key(), plain(db.value(QStringLiteral("role"))),
                    plain(db.value(QStringLiteral("read_only"))),
                    integrity.isBool() ? (integrity.toBool() ? QStringLiteral("ok") : QStringLiteral("failing"))
                                       : plain(integrity),
                    number(db.value(QStringLiteral("checksum"))) };
            }
            out << dbs;
            continue;
        }
        if (key == u"postgres" && !o.isEmpty()) {
            ReportTable pg { QStringLiteral("PostgreSQL"),
                { QStringLiteral("Server"), QStringLiteral("Role"), QStringLiteral("Read-only"),
                    QStringLiteral("Replication"), QStringLiteral("LSN"), QStringLiteral("Tables (rows)"),
                    QStringLiteral("amcheck"), QStringLiteral("Error") },
                {} };
            for (auto d = o.begin(); d != o.end(); ++d) {
                const QJsonObject b = d.value().toObject();
                const QJsonArray tables = b.value(QStringLiteral("tables")).toArray();
                double rows = 0;
                for (const QJsonValue& t : tables)
                    rows += t.toObject().value(QStringLiteral("rows")).toDouble();
                const QString error = b.value(QStringLiteral("error")).toString();
                pg.rows << QStringList { d.key(), plain(b.value(QStringLiteral("role"))),
                    plain(b.value(QStringLiteral("read_only"))), plain(b.value(QStringLiteral("replication"))),
                    plain(b.value(QStringLiteral("lsn"))),
                    QStringLiteral("%1 (%2)").arg(tables.size()).arg(number(QJsonValue(rows))),
                    plain(b.value(QStringLiteral("amcheck"))), error.isEmpty() ? QStringLiteral("none") : error };
            }
            out << pg;
            continue;
        }
        flatten(key, value, other);
    }
    if (!other.isEmpty())
        out << ReportTable { QStringLiteral("Other captured values"),
            { QStringLiteral("Item"), QStringLiteral("Value") }, other };
    return out;
}

QString ReportNarrative::baselineCaptured(const QJsonObject& baseline)
{
    QStringList parts;
    const QString at = baseline.value(QStringLiteral("captured_utc")).toString();
    if (!at.isEmpty())
        parts << QStringLiteral("Captured %1").arg(stamp(at));
    const QString lb
        = baseline.value(QStringLiteral("haproxy")).toObject().value(QStringLiteral("captured")).toString();
    if (!lb.isEmpty())
        parts << QStringLiteral("HAProxy state as read at %1").arg(stamp(lb));
    return parts.isEmpty() ? QString() : parts.join(QStringLiteral("; ")) + u'.';
}

QList<SignalLevel> ReportNarrative::levels(const Incident& incident, const QString& signal)
{
    QList<SignalLevel> out;
    for (const Evidence& e : incident.evidence) { // in time order: a later record of a target's rule replaces it
        const QJsonObject byTarget = e.detail.value(QStringLiteral("thresholds")).toObject();
        for (auto it = byTarget.begin(); it != byTarget.end(); ++it) {
            const QJsonObject rule = it.value().toObject().value(signal).toObject();
            if (!rule.value(QStringLiteral("threshold")).isDouble())
                continue;
            SignalLevel l;
            l.target = it.key();
            l.signal = signal;
            l.above = rule.value(QStringLiteral("direction")).toString() != u"below";
            l.threshold = rule.value(QStringLiteral("threshold")).toDouble();
            l.clear = rule.value(QStringLiteral("clear")).toDouble(l.threshold);
            const auto known
                = std::find_if(out.begin(), out.end(), [&](const SignalLevel& o) { return o.target == l.target; });
            if (known != out.end())
                *known = l;
            else
                out << l;
        }
    }
    return out;
}

QList<SignalLevel> ReportNarrative::chartLevels(
    const Incident& incident, const QString& signal, const QStringList& targets)
{
    QList<SignalLevel> known = levels(incident, signal);
    known.removeIf([&](const SignalLevel& l) { return !targets.contains(l.target); });
    if (known.isEmpty())
        return known;
    const SignalLevel& first = known.constFirst();
    const bool shared
        = known.size() == targets.size() && std::all_of(known.cbegin(), known.cend(), [&](const SignalLevel& l) {
              return l.above == first.above && l.threshold == first.threshold && l.clear == first.clear;
          });
    if (!shared)
        return known;
    SignalLevel one = first;
    one.target.clear();
    return { one };
}

} // namespace FaultDesk
