#pragma once

#include "incident/incidentstate.h"

#include <QDateTime>
#include <QString>

namespace FaultDesk {

/// One step of an incident's lifecycle: who moved it where, when (UTC), and why.
struct IncidentEvent
{
    QDateTime timeUtc;
    IncidentState state = IncidentState::Detected; ///< the event (acknowledged, handling, …)
    IncidentState resultingState = IncidentState::Detected; ///< the incident's state after it (set by the store)
    QString actor; ///< operator name, or "auto" for FaultDesk itself
    QString note;
};

} // namespace FaultDesk
