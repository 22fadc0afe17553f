#pragma once

#include "audit/auditrecord.h"
#include "incident/incident.h"

#include <QJsonObject>
#include <QString>
#include <QVariantList>

#include <optional>

namespace FaultDesk {

/**
 * One write to the incident store as a value: what to do (kind) and its arguments as JSON. The writer applies it
 * from this form whether it goes straight to the database or waits in the on-disk journal (StoreJournal) while the
 * database is away, so both paths run the same code. Series arrive already reduced and encoded.
 */
struct StoreWrite
{
    enum class Kind {
        CreateIncidents, ///< args: incidents[]
        Transition, ///< args: event
        AddSymptom, ///< args: symptom
        AddEvidence, ///< args: evidence
        SetBaseline, ///< args: baseline
        SaveSeries, ///< args: series[] {target, signal, raw, points (base64)}
        Execute, ///< args: sql, binds[] (typed)
        AppendAudit, ///< args: record
    };

    Kind kind = Kind::Execute;
    QString incidentId; ///< the incident it touches (empty for audit, pruning and other tables)
    QJsonObject args;

    /// One series to save: its points already reduced and encoded as the series table stores them.
    struct SeriesBlob
    {
        QString target;
        QString signal;
        qint64 rawPoints = 0;
        QByteArray points;
    };

    static StoreWrite createIncidents(const QList<Incident>& incidents, const QString& incidentId);
    static StoreWrite transition(const QString& incidentId, const IncidentEvent& event);
    static StoreWrite addSymptom(const QString& incidentId, const Symptom& symptom);
    static StoreWrite addEvidence(const QString& incidentId, const Evidence& evidence);
    static StoreWrite setBaseline(const QString& incidentId, const QJsonObject& baseline);
    static StoreWrite saveSeries(const QString& incidentId, const QList<SeriesBlob>& series);
    static StoreWrite execute(const QString& statement, const QVariantList& binds);
    static StoreWrite appendAudit(const AuditRecord& record);

    // The arguments back, as the factories took them (defaults where the JSON lacks them).
    QList<Incident> incidents() const;
    IncidentEvent event() const;
    Symptom symptom() const;
    Evidence evidence() const;
    QJsonObject baseline() const;
    QList<SeriesBlob> series() const;
    QString statement() const;
    QVariantList binds() const;
    std::optional<AuditRecord> auditRecord() const;

    /// The whole write as JSON (the journal's line), and back; std::nullopt with @p error when malformed.
    QJsonObject toJson() const;
    static std::optional<StoreWrite> fromJson(const QJsonObject& object, QString* error = nullptr);
    /// "transition", "create-incidents", … (journal lines and messages).
    static QString kindName(Kind kind);
};

} // namespace FaultDesk
