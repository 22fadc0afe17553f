#pragma once

#include "drill/faultjournal.h"
#include "drill/groundtruthfault.h"
#include "remedy/remediationcontroller.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>

#include <optional>

namespace FaultDesk {

/// A fault a drill injects into the demo fleet (value type).
struct DrillFault
{
    QString kind; ///< a DrillScenario name: crash, overload, corruption, attack, network, hang, slow, garbage
    QString target; ///< empty: the scenario's or fleetsim's default
    QString dependency; ///< network: the dependency the target loses its path to (empty: its first)

    /// "crash web-2", "network api-1 → db-primary".
    QString describe() const;
};

/**
 * What one drill did and how FaultDesk fared (value type): per injected fault the ground truth, the root cause
 * FaultDesk named for it, Handle and Recover; for the whole drill the phase times, every incident opened from the
 * injection to the end, every root cause named and those the ground truth does not explain.
 */
struct DrillOutcome
{
    struct PerFault
    {
        DrillFault injected;
        GroundTruthFault truth;
        QString incidentId; ///< the incident FaultDesk opened for it (empty: nothing detected)
        std::optional<JournalEntry> named; ///< that incident's first root cause: what FaultDesk said
        std::optional<JournalEntry> handled; ///< the root-cause fault Handle and Recover ran for
        qint64 detectedMs = 0; ///< its incident's first detection
        bool rightRoot = false;
        bool rightCause = false;
        std::optional<RemediationController::Run> handle;
        std::optional<RemediationController::Run> recover;
        bool recovered = false; ///< Recover verified and the detector saw every target of its incident pass again
        QStringList stillFailing; ///< targets of its incident still failing when verification gave up
        bool baselineRestored = false;
        QStringList baselineDifferences;
        QJsonObject baseline;
    };

    QList<PerFault> faults;
    qint64 startedMs = 0;
    qint64 injectedMs = 0;
    qint64 endedMs = 0;
    QMap<QString, qint64> phaseStartedMs; ///< phase name → when it began
    QStringList incidents; ///< opened from the injection to the end
    QList<JournalEntry> rootCauses; ///< every root cause named from the injection to the end
    QList<JournalEntry> falseRoots; ///< those the ground truth does not explain
    QJsonArray actions;
    QString failure; ///< why the drill stopped early (empty: it ran to the end)

    /// Exactly one incident per injected fault, no false root, each fault's root right, recovered to its baseline.
    bool passed() const;
    /// Seconds between two epoch times, to 0.1 s; -1 when either is unknown.
    static double seconds(qint64 fromMs, qint64 toMs);
    /// The steps of a Handle or Recover run as the summary lists them.
    static QJsonArray actionsOf(const QString& purpose, const RunbookOutcome& outcome);
    /// The drill summary `faultdesk drill NAME --json` prints (the first injected fault's view, plus the whole
    /// picture: incidents, root_causes, false_roots).
    QJsonObject toJson() const;
};

} // namespace FaultDesk
