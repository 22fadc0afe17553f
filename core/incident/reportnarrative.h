#pragma once

#include "incident/incident.h"
#include "incident/reporttable.h"
#include "incident/signallevel.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace FaultDesk {

/**
 * What an incident report says in words, shared by every format (Markdown, HTML, JSON and the UI's PDF) so they
 * cannot disagree: who the incident is about (a pool for a pool-wide event, else its root target), what each
 * lifecycle step of the timeline was (the runbook and who ran it), the pre-fault baseline as tables, and the
 * detection rules in force for the charts. Everything is read from the stored incident; nothing is guessed.
 */
class ReportNarrative
{
public:
    /// The pool a pool-wide incident stands for ("lb/web"), as its evidence recorded it; empty for one server.
    static QString pool(const Incident& incident);
    /// The one-line name of the incident: "lb/web pool: overload", else its stored title (or id).
    static QString headline(const Incident& incident);
    /// The root cause as a reader should take it: "the lb/web pool (pool-wide; began at web-2)", or the target.
    static QString rootCause(const Incident& incident);

    /// The note of a timeline event: its own, or for a lifecycle step recorded without one (handling, handled,
    /// recovering) what happened, from the audit records ("runbook overload/handle started by alice").
    static QString eventNote(const Incident& incident, const IncidentEvent& event);

    /// The pre-fault baseline as tables: HAProxy servers, ACL files, databases, PostgreSQL, any other value.
    static QList<ReportTable> baselineTables(const QJsonObject& baseline);
    /// When the baseline was captured, as a sentence ("Captured 2026-12-06 18:33:30.658 UTC; HAProxy read at …").
    static QString baselineCaptured(const QJsonObject& baseline);

    /// The rule of @p signal on each target as the evidence last recorded it (the evidence's "thresholds").
    static QList<SignalLevel> levels(const Incident& incident, const QString& signal);
    /// The level lines a chart of @p signal over @p targets draws: one pair without a target when every charted target
    /// has the same rule, else each known target its own; targets without a recorded rule get none.
    static QList<SignalLevel> chartLevels(const Incident& incident, const QString& signal, const QStringList& targets);
};

} // namespace FaultDesk
