#pragma once

#include "remedy/safetygates.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace FaultDesk {

/// What Handle or Recover would do for one fault, shown before anything runs. A plain value.
struct RemediationPlan
{
    /// One server's weight now and as the load-balancing model proposes it.
    struct WeightChange
    {
        QString server;
        int current = -1;
        int proposed = -1;
        double utilisation = 0; ///< measured now
        double proposedUtilisation = 0; ///< expected with the proposed weights
    };

    QString faultId;
    SafetyRequest::Purpose purpose = SafetyRequest::Purpose::Handle;
    QString target;
    QString cause; ///< cause class name
    QString runbook; ///< "crash/handle"
    /// Why this runbook: "runbook 'web-restart' bound to group web for cause down", or the built-in default's reason.
    QString runbookReason;
    QStringList steps; ///< one line per step, the masked commands included; "REFUSED: …" where input is refused
    QStringList affected; ///< targets and pool members the run touches
    QString capacity; ///< what capacity remains while it runs
    QList<WeightChange> weights; ///< overload: proposed next to current
    /// Attack: each located source with its share of the requests, and those not blocked with the reason.
    QStringList sources;
    QStringList order; ///< several faults: the recovery planner's order with its reasons
    QStringList baselineDifferences; ///< Recover: what differs from the baseline now
    /// Recover of a PostgreSQL fail-over: the switch back the operator may ask for ("then switch back: promote
    /// pg-primary again, …") or why it is not possible; empty when there is none to offer.
    QString switchBackOffer;
    bool switchBackPossible = false; ///< switchBackOffer can be asked for
    bool switchBack = false; ///< the plan's steps include the switch back (asked for; off by default)
    SafetyDecision decision; ///< whether it may run now, with the reasons
    QString error; ///< no plan (unknown fault, no runbook for the cause)

    bool isValid() const { return error.isEmpty() && !steps.isEmpty(); }
    /// The plan as text for a terminal or a log.
    QString toText() const;
};

} // namespace FaultDesk

Q_DECLARE_METATYPE(FaultDesk::RemediationPlan)
