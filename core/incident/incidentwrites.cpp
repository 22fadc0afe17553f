#include "incident/incidentwrites.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace FaultDesk {

namespace {
using Outcome = IncidentWriter::Outcome;
using Context = IncidentWriter::Context;

// NOT NULL text columns: a null QString would bind as SQL NULL.
QString text(const QString& s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QVariant msOrNull(const QDateTime& t)
{
    return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant();
}

QString jsonText(const QJsonObject& o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

bool incidentExists(Context& ctx, const QString& id)
{
    QSqlQuery& q = ctx.prepare(QStringLiteral("SELECT 1 FROM incidents WHERE id = ?"));
    q.addBindValue(id);
    if (!ctx.exec(q))
        return false;
    const bool found = q.next();
    q.finish();
    if (!found)
        ctx.error = QStringLiteral("no incident %1 in the store").arg(id);
    return found;
}

Outcome insertSymptom(Context& ctx, const QString& id, const Symptom& s)
{
    QSqlQuery& q = ctx.prepare(QStringLiteral("INSERT INTO symptoms (incident_id, time_ms, target, signal, "
                                              "cause_class, detail) VALUES (?, ?, ?, ?, ?, ?)"));
    q.addBindValue(id);
    q.addBindValue(s.timeUtc.isValid() ? s.timeUtc.toMSecsSinceEpoch() : 0);
    q.addBindValue(text(s.target));
    q.addBindValue(text(s.signal));
    q.addBindValue(text(s.causeClass));
    q.addBindValue(text(s.detail));
    return ctx.exec(q) ? Outcome::Done : ctx.failure();
}

Outcome insertEvidence(Context& ctx, const QString& id, const Evidence& e)
{
    QSqlQuery& q = ctx.prepare(
        QStringLiteral("INSERT INTO evidence (incident_id, time_ms, target, rule, detail) VALUES (?, ?, ?, ?, ?)"));
    q.addBindValue(id);
    q.addBindValue(e.timeUtc.isValid() ? e.timeUtc.toMSecsSinceEpoch() : 0);
    q.addBindValue(text(e.target));
    q.addBindValue(text(e.rule));
    q.addBindValue(jsonText(e.detail));
    return ctx.exec(q) ? Outcome::Done : ctx.failure();
}

Outcome insertEvent(Context& ctx, const QString& id, const IncidentEvent& e, IncidentState resulting)
{
    QSqlQuery& q = ctx.prepare(QStringLiteral("INSERT INTO incident_events (incident_id, time_ms, event, "
                                              "resulting_state, actor, note) VALUES (?, ?, ?, ?, ?, ?)"));
    q.addBindValue(id);
    q.addBindValue(e.timeUtc.toMSecsSinceEpoch());
    q.addBindValue(IncidentLifecycle::name(e.state));
    q.addBindValue(IncidentLifecycle::name(resulting));
    q.addBindValue(text(e.actor));
    q.addBindValue(text(e.note));
    return ctx.exec(q) ? Outcome::Done : ctx.failure();
}

// The phase column an event stamps: the first time for each phase, the latest recovery.
QString phaseAssignment(IncidentState event)
{
    switch (event) {
    case IncidentState::Located:
        return QStringLiteral(", located_ms = COALESCE(located_ms, :t)");
    case IncidentState::Acknowledged:
        return QStringLiteral(", acknowledged_ms = COALESCE(acknowledged_ms, :t)");
    case IncidentState::Handling:
        return QStringLiteral(", handling_ms = COALESCE(handling_ms, :t)");
    case IncidentState::Handled:
        return QStringLiteral(", handled_ms = COALESCE(handled_ms, :t)");
    case IncidentState::Recovering:
        return QStringLiteral(", recovering_ms = COALESCE(recovering_ms, :t)");
    case IncidentState::Recovered:
        return QStringLiteral(", recovered_ms = :t");
    case IncidentState::Reopened:
        return QStringLiteral(", recovered_ms = NULL");
    default:
        return QString();
    }
}

Outcome insertIncident(Context& ctx, const Incident& inc)
{
    QSqlQuery& q = ctx.prepare(
        QStringLiteral("INSERT INTO incidents (id, root_target, cause_class, title, state, drill, first_failure_ms, "
                       "detected_ms, updated_ms, baseline) VALUES (?, ?, ?, ?, 'detected', ?, ?, ?, ?, ?)"));
    q.addBindValue(inc.id);
    q.addBindValue(inc.rootTarget);
    q.addBindValue(inc.causeClass);
    q.addBindValue(text(inc.title));
    q.addBindValue(inc.drill ? 1 : 0);
    q.addBindValue(msOrNull(inc.firstFailureUtc));
    q.addBindValue(inc.detectedUtc.toMSecsSinceEpoch());
    q.addBindValue(inc.detectedUtc.toMSecsSinceEpoch());
    q.addBindValue(jsonText(inc.baseline));
    if (!ctx.exec(q)) {
        if (ctx.uniqueViolation)
            ctx.error = QStringLiteral("incident %1 already exists").arg(inc.id);
        return ctx.failure();
    }
    IncidentEvent detected;
    detected.timeUtc = inc.detectedUtc;
    detected.state = IncidentState::Detected;
    detected.actor = QStringLiteral("auto");
    detected.note = inc.title;
    if (Outcome o = insertEvent(ctx, inc.id, detected, IncidentState::Detected); o != Outcome::Done)
        return o;
    for (const Symptom& s : inc.symptoms)
        if (Outcome o = insertSymptom(ctx, inc.id, s); o != Outcome::Done)
            return o;
    for (const Evidence& e : inc.evidence)
        if (Outcome o = insertEvidence(ctx, inc.id, e); o != Outcome::Done)
            return o;
    return Outcome::Done;
}

Outcome transition(Context& ctx, const QString& incidentId, const IncidentEvent& event)
{
    QSqlQuery& sel = ctx.prepare(QStringLiteral("SELECT state FROM incidents WHERE id = ?"));
    sel.addBindValue(incidentId);
    if (!ctx.exec(sel))
        return ctx.failure();
    if (!sel.next()) {
        ctx.error = QStringLiteral("no incident %1 in the store").arg(incidentId);
        return Outcome::Refused;
    }
    const IncidentState from = IncidentLifecycle::fromName(sel.value(0).toString()).value_or(IncidentState::Detected);
    sel.finish();
    QString why;
    const std::optional<IncidentState> to = IncidentLifecycle::apply(from, event.state, &why);
    if (!to) {
        ctx.error = QStringLiteral("incident %1: %2").arg(incidentId, why);
        return Outcome::Refused;
    }
    QSqlQuery& upd = ctx.prepare(QStringLiteral("UPDATE incidents SET state = :s, updated_ms = CASE WHEN "
                                                "updated_ms > :t THEN updated_ms ELSE :t END")
        + phaseAssignment(event.state) + QStringLiteral(" WHERE id = :id"));
    upd.bindValue(QStringLiteral(":s"), IncidentLifecycle::name(*to));
    upd.bindValue(QStringLiteral(":t"), event.timeUtc.toMSecsSinceEpoch());
    upd.bindValue(QStringLiteral(":id"), incidentId);
    if (!ctx.exec(upd))
        return ctx.failure();
    ctx.affected = 1;
    return insertEvent(ctx, incidentId, event, *to);
}

Outcome saveSeries(Context& ctx, const QString& incidentId, const QList<StoreWrite::SeriesBlob>& series)
{
    if (!incidentExists(ctx, incidentId))
        return ctx.failure();
    for (const StoreWrite::SeriesBlob& s : series) {
        QSqlQuery& q = ctx.prepare(
            QStringLiteral("INSERT INTO series (incident_id, target, signal, raw_points, points) VALUES (?, ?, ?, ?, ?)"
                           " ON CONFLICT (incident_id, target, signal) DO UPDATE SET raw_points = excluded.raw_points,"
                           " points = excluded.points"));
        q.addBindValue(incidentId);
        q.addBindValue(text(s.target));
        q.addBindValue(text(s.signal));
        q.addBindValue(s.rawPoints);
        q.addBindValue(s.points);
        if (!ctx.exec(q))
            return ctx.failure();
        ctx.affected += (s.points.size() - 4) / 16;
    }
    return Outcome::Done;
}

Outcome appendAudit(Context& ctx, const StoreWrite& write)
{
    const std::optional<AuditRecord> parsed = write.auditRecord();
    if (!parsed) {
        ctx.error = QStringLiteral("an unreadable audit record");
        return Outcome::Refused;
    }
    const AuditRecord& record = *parsed;
    QSqlQuery& q = ctx.prepare(QStringLiteral(
        "INSERT INTO audit (action_id, phase, time_ms, operator, target, incident_id, runbook, kind, description, "
        "baseline, status, exit_code, duration_ms, output) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(record.actionId);
    q.addBindValue(record.phase == AuditRecord::Phase::Result ? QStringLiteral("result") : QStringLiteral("intent"));
    q.addBindValue(record.timeUtc.toMSecsSinceEpoch());
    q.addBindValue(text(record.operatorName));
    q.addBindValue(text(record.target));
    q.addBindValue(text(record.incidentId));
    q.addBindValue(text(record.runbook));
    q.addBindValue(text(record.actionKind));
    q.addBindValue(text(record.description));
    q.addBindValue(jsonText(record.baseline));
    q.addBindValue(text(record.status));
    q.addBindValue(record.exitCode ? QVariant(*record.exitCode) : QVariant());
    q.addBindValue(record.durationMs);
    q.addBindValue(text(record.outputExcerpt));
    ctx.affected = 1;
    return ctx.exec(q) ? Outcome::Done : ctx.failure();
}
} // namespace

IncidentWriter::Outcome IncidentWrites::apply(Context& ctx, const StoreWrite& w)
{
    switch (w.kind) {
    case StoreWrite::Kind::CreateIncidents: {
        const QList<Incident> all = w.incidents();
        for (const Incident& inc : all)
            if (const Outcome o = insertIncident(ctx, inc); o != Outcome::Done)
                return o;
        ctx.affected = all.size();
        return Outcome::Done;
    }
    case StoreWrite::Kind::Transition:
        return transition(ctx, w.incidentId, w.event());
    case StoreWrite::Kind::AddSymptom:
        if (!incidentExists(ctx, w.incidentId))
            return ctx.failure();
        ctx.affected = 1;
        return insertSymptom(ctx, w.incidentId, w.symptom());
    case StoreWrite::Kind::AddEvidence:
        if (!incidentExists(ctx, w.incidentId))
            return ctx.failure();
        ctx.affected = 1;
        return insertEvidence(ctx, w.incidentId, w.evidence());
    case StoreWrite::Kind::SetBaseline: {
        if (!incidentExists(ctx, w.incidentId))
            return ctx.failure();
        QSqlQuery& q = ctx.prepare(QStringLiteral("UPDATE incidents SET baseline = ? WHERE id = ?"));
        q.addBindValue(jsonText(w.baseline()));
        q.addBindValue(w.incidentId);
        ctx.affected = 1;
        return ctx.exec(q) ? Outcome::Done : ctx.failure();
    }
    case StoreWrite::Kind::SaveSeries:
        return saveSeries(ctx, w.incidentId, w.series());
    case StoreWrite::Kind::Execute: {
        QSqlQuery& q = ctx.prepare(w.statement());
        for (const QVariant& v : w.binds())
            q.addBindValue(v);
        if (!ctx.exec(q))
            return ctx.failure();
        ctx.affected = q.numRowsAffected();
        return Outcome::Done;
    }
    case StoreWrite::Kind::AppendAudit:
        return appendAudit(ctx, w);
    }
    ctx.error = QStringLiteral("unknown store write");
    return Outcome::Refused;
}

} // namespace FaultDesk
