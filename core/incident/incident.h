#pragma once

#include "audit/auditrecord.h"
#include "incident/evidence.h"
#include "incident/incidentevent.h"
#include "incident/incidentstate.h"
#include "incident/phasetimes.h"
#include "incident/seriessnapshot.h"
#include "incident/symptom.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace FaultDesk {

/**
 * One fault, grouped by its root cause: the root target and cause class, the symptoms it explains, the
 * evidence, the pre-fault baseline and, when loaded from the store, its timeline, audit records and series.
 * A plain value: safe to copy across threads.
 */
struct Incident
{
    QString id; ///< unique; IncidentStore::newId() when empty at creation
    QString rootTarget;
    QString causeClass; ///< down, unreachable, unhealthy, overload, latency, errors, attack, data-integrity, network
    QString title; ///< one-line summary ("db-primary: integrity check failing")
    IncidentState state = IncidentState::Detected;
    bool drill = false; ///< raised by a drill: kept, but out of MTTx figures unless asked
    QDateTime firstFailureUtc; ///< the first failing sample (may be invalid: then detection counts)
    QDateTime detectedUtc;
    // First time each phase was reached (recovered: the last recovery); set by the store.
    QDateTime locatedUtc;
    QDateTime acknowledgedUtc;
    QDateTime handlingUtc;
    QDateTime handledUtc;
    QDateTime recoveringUtc;
    QDateTime recoveredUtc;
    QDateTime updatedUtc;
    QJsonObject baseline; ///< the pre-fault baseline captured at detection (LB weights, membership, checksum …)
    QList<Symptom> symptoms;
    QList<Evidence> evidence;
    QList<IncidentEvent> events; ///< timeline, filled by IncidentStore::incident()
    QList<AuditRecord> actions; ///< audit records of the incident's actions, filled by IncidentStore::incident()
    QList<SeriesSnapshot> series; ///< filled by IncidentStore::incident() when asked

    /// Targets the incident touched: the root first, then each symptom's target once.
    QStringList affectedTargets() const;
    /// Phase durations from the recorded times.
    PhaseTimes phases() const;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::Incident)
